# SPDX-License-Identifier: MIT
"""The collector (conformance/vm/collect.py) on result ports as the guest writes them,
expectations files, and what the report shows of FLAKY cases and reproducers."""

import contextlib
import io
import json
import os
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "conformance", "vm"))
import collect  # noqa: E402
import known_results as known  # noqa: E402
import vgb_report  # noqa: E402


def agent(obj):
    return "VGB-AGENT " + json.dumps(obj)


START = agent({"type": "start", "agent_version": "0.2", "cases": 3, "kernel": "7.2.12", "machine": "x86_64",
               "case_timeout_s": 20, "rerun_failures": 1, "libdrm": "2.4.134-3"})
NAMES = agent({"type": "cases", "names": ["pair.a.one", "pair.a.two", "pair.a.three"]})


def case(name, verdict, t, **extra):
    return agent(dict({"type": "case", "name": name, "verdict": verdict, "ids": ["REQ-DEV-MAP-0011"],
                       "time_s": 0.1, "t": t, "detail": "seen"}, **extra))


LOG = [
    "[    1.0] kernel noise that is not ours",
    START, NAMES,
    agent({"type": "info", "params": {"3d": 1}}),
    agent({"type": "case_start", "name": "pair.a.one", "index": 1, "of": 3, "t": 100.0}),
    case("pair.a.one", "PASS", 100.5),
    agent({"type": "case_start", "name": "pair.a.two", "index": 2, "of": 3, "t": 101.0}),
    case("pair.a.two", "FAIL", 102.0, steps="VIRTGPU_MAP handle 1 -> -EINVAL\n", attempts=["FAIL", "FAIL"]),
]


def run_main(argv):
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        rc = collect.main(argv)
    return rc, out.getvalue()


class CollectTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, lines):
        path = os.path.join(self.dir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        return path

    def test_cut_log(self):
        """A run that stopped early: what came is kept, what did not is an ERROR."""
        log = self.write("results.log", LOG)
        rc, out = run_main(["--name", "My VMM", "--version", "1.2", "--out", os.path.join(self.dir, "r"), log])
        self.assertEqual(rc, 1, out)
        with open(os.path.join(self.dir, "r", "results.json"), encoding="utf-8") as f:
            t = json.load(f)["targets"][0]
        self.assertEqual(t["name"], "my-vmm-1.2")
        self.assertEqual(t["implementation"], "My VMM 1.2")
        got = {c["name"]: c for c in t["cases"]}
        self.assertEqual(got["pair.a.one"]["verdict"], "PASS")
        self.assertEqual(got["pair.a.two"]["attempts"], ["FAIL", "FAIL"])
        self.assertIn("VIRTGPU_MAP", got["pair.a.two"]["steps"])
        self.assertIn("vgb.cases=pair.a.two", got["pair.a.two"]["reproduce"])
        self.assertEqual(got["pair.a.three"]["verdict"], "ERROR")
        self.assertIn("stopped before this case", got["pair.a.three"]["detail"])
        self.assertTrue(any("end line never came" in n for n in t["info"]["notes"]))
        self.assertEqual(t["info"]["libdrm"], "2.4.134-3")
        self.assertEqual(t["info"]["driver_params"], {"3d": 1})
        for f in ("junit.xml", "report.html"):
            self.assertTrue(os.path.exists(os.path.join(self.dir, "r", f)))
        with open(os.path.join(self.dir, "r", "report.html"), encoding="utf-8") as f:
            html = f.read()
        self.assertIn("pair.a.two", html)
        self.assertIn("the in-guest agent&#x27;s steps", html)
        self.assertIn("VIRTGPU_MAP handle 1 -&gt; -EINVAL", html)

    def test_expectations_decide_the_exit(self):
        log = self.write("results.log", LOG + [case("pair.a.three", "NOT_SUPPORTED", 103.0),
                                               agent({"type": "end"})])
        exp = self.write("my.expect", ["# my VMM", "pair.a.two  FAIL  the map is refused (REQ-DEV-MAP-0011)",
                                       "pair.a.th*  NOT_SUPPORTED  no blobs here"])
        rc, out = run_main(["--name", "v", "--version", "1", "--out", os.path.join(self.dir, "r"),
                            "--expectations", exp, log])
        self.assertEqual(rc, 0, out)
        exp2 = self.write("other.expect", ["pair.a.three  NOT_SUPPORTED  no blobs here"])
        rc, out = run_main(["--name", "v", "--version", "1", "--out", os.path.join(self.dir, "r"),
                            "--expectations", exp2, log])
        self.assertEqual(rc, 1)
        self.assertIn("pair.a.two: expected PASS, got FAIL", out)

    def test_no_agent_run(self):
        log = self.write("results.log", ["nothing of ours"])
        rc, _ = run_main(["--name", "v", "--version", "1", "--out", os.path.join(self.dir, "r"), log])
        self.assertEqual(rc, 99)

    def test_reboot_keeps_the_later_run(self):
        run = collect.Run(False)
        for line in [START, case("pair.a.one", "FAIL", 1.0), START, case("pair.a.two", "PASS", 2.0)]:
            run.line(line, 0)
        self.assertEqual(list(run.cases), ["pair.a.two"])
        self.assertTrue(any("rebooted" in n for n in run.notes))

    def test_live_windows_pick_the_device_lines(self):
        """Read live, the guest's clock is tied to the host's by the fastest line; the device
        lines written while a failing case ran are attached to it."""
        run = collect.Run(True)
        delay = {0: 0.30, 1: 0.02, 2: 0.50, 3: 0.40}  # host arrival = guest time + offset + delay
        offset = 1000.0
        lines = [agent({"type": "case_start", "name": "pair.a.one", "t": 10.0}), case("pair.a.one", "PASS", 10.2),
                 agent({"type": "case_start", "name": "pair.a.two", "t": 10.3}), case("pair.a.two", "FAIL", 10.6)]
        t_of = [10.0, 10.2, 10.3, 10.6]
        run.line(START, 0)
        for i, line in enumerate(lines):
            run.line(line, t_of[i] + offset + delay[i])
        self.assertAlmostEqual(run.offset, offset + 0.02)
        trace = self.write("device-trace.log", [
            "77@1010.100000:vgb_cmd RESOURCE_CREATE_BLOB flags 0x0 ctx 0 | -> OK_NODATA",
            "77@1010.450000:vgb_cmd RESOURCE_MAP_BLOB flags 0x0 ctx 0 | -> ERR_UNSPEC",
            "77@1011.500000:vgb_cmd RESOURCE_UNREF flags 0x0 ctx 0 | -> OK_NODATA",
            "not a trace line"])
        args = collect.main.__globals__["argparse"].Namespace(
            device_trace=trace, vmm_command=None, console=None, name="n", version="1", target=None, log="-")
        t = collect.build_target(run, args)
        got = {c["name"]: c for c in t["cases"]}
        self.assertIn("RESOURCE_MAP_BLOB", got["pair.a.two"]["device_trace"])
        self.assertNotIn("RESOURCE_CREATE_BLOB", got["pair.a.two"]["device_trace"])
        self.assertNotIn("RESOURCE_UNREF", got["pair.a.two"]["device_trace"])
        self.assertNotIn("device_trace", got["pair.a.one"])

    def test_trace_time_forms(self):
        trace = self.write("t.log", ["12@1796542651.742587:vgb_cmd CTX_CREATE flags 0x0",
                                     "2026-12-06T07:51:46.708726Z virtio_gpu_cmd_get_edid scanout 0",
                                     "2026-12-06T07:51:47Z virtio_gpu_cmd_get_display_info "])
        lines = collect.device_trace(trace)
        self.assertEqual([round(t, 6) for t, _ in lines], [1796542651.742587, 1796543506.708726, 1796543507.0])
        self.assertEqual(lines[1][1], "virtio_gpu_cmd_get_edid scanout 0")

    def test_reproducer_from_the_vmm_command(self):
        cmd = 'qemu-system-x86_64 -kernel vmlinuz -append "console=ttyS0 vgb.results=/dev/ttyS1 panic=-1"'
        self.assertEqual(collect.reproducer("pair.a.two", cmd),
                         'qemu-system-x86_64 -kernel vmlinuz -append "console=ttyS0 vgb.results=/dev/ttyS1 '
                         'vgb.cases=pair.a.two panic=-1"')


def load_known(content):
    """known.load of a file holding content: text (the .expect form) or a JSON document."""
    text = content if isinstance(content, str) else json.dumps(content)
    with tempfile.NamedTemporaryFile("w", suffix=".expect" if isinstance(content, str) else ".json",
                                     delete=False) as f:
        f.write(text)
    try:
        return known.load(f.name)
    finally:
        os.unlink(f.name)


class ExpectationsTest(unittest.TestCase):
    def parse(self, text):
        return known.parse_text(text, "x.expect")

    def test_text_form(self):
        doc = self.parse("# c\n\npair.*  NOT_SUPPORTED  no device\ndev.map.basic PASS\n")
        self.assertEqual(doc["cases"][0]["match"], "pair.*")
        self.assertEqual(doc["cases"][0]["reason"], "no device")
        self.assertEqual(doc["default"], "PASS")

    def test_bad_verdict(self):
        with self.assertRaises(known.KnownError):
            self.parse("pair.a MAYBE sometimes\n")

    def test_reason_required(self):
        with self.assertRaises(known.KnownError):
            load_known("pair.a FAIL\n")

    def test_flaky_accepts_pass(self):
        doc = load_known("pair.a FLAKY races with the display thread\n")
        target = {"name": "t", "cases": [{"name": "pair.a", "verdict": "PASS"}, {"name": "pair.b", "verdict": "FLAKY"}]}
        r = known.compare(target, doc)
        self.assertEqual([d["case"] for d in r["differences"]], ["pair.b"])

    def test_may_pass(self):
        """A FAIL that shows only when the implementation's state allows: PASS matches too,
        any other verdict does not, and the entry must say why."""
        doc = {"cases": {"dev.a": {"verdict": "FAIL", "ids": ["REQ-DEV-LIFE-0100"], "upstream": "f()",
                                   "why": "old heap bytes", "may_pass": "the heap may hand back zeros"}}}
        loaded = load_known(doc)
        for got, differs in (("FAIL", False), ("PASS", False), ("ERROR", True)):
            r = known.compare({"name": "t", "cases": [{"name": "dev.a", "verdict": got}]}, loaded)
            self.assertEqual(bool(r["differences"]), differs, got)
        doc["cases"]["dev.a"]["may_pass"] = ""
        with self.assertRaises(known.KnownError):
            load_known(doc)

    def test_may_error(self):
        """An ERROR a stack bug causes: it matches only with the entry's detail text, in
        the report's reader and in the VM pytest's (conformance/vm/known.py), and an entry
        without a detail or a why is refused by both."""
        import known as vm_known
        entry = {"verdict": "PASS", "may_error": {"detail": "died of signal 6", "why": "a renderer bug"}}
        doc = {"cases": {"pair.a": entry}}
        loaded = load_known(doc)
        for got, detail, ok in (("PASS", "", True), ("ERROR", "case process died of signal 6 (Aborted)", True),
                                ("ERROR", "timed out", False), ("FAIL", "died of signal 6", False)):
            c = {"name": "pair.a", "verdict": got, "detail": detail}
            r = known.compare({"name": "t", "cases": [c]}, loaded)
            self.assertEqual(not r["differences"], ok, (got, detail))
            self.assertEqual(vm_known.matches(entry, c), ok, (got, detail))
        self.assertEqual(vm_known.validate(doc), [])
        for bad in ({"detail": "", "why": "w"}, {"detail": "d"}, "died", [],
                    {"detail": "d", "why": "w", "verdict": "FAIL"}, [{"detail": "d", "why": "w"}, {"why": "w"}]):
            doc["cases"]["pair.a"]["may_error"] = bad
            self.assertTrue(vm_known.validate(doc), bad)
            with self.assertRaises(known.KnownError):
                load_known(doc)

    def test_may_error_timeout(self):
        """A hang a stack bug causes: a may_error with "verdict": "TIMEOUT" matches that
        TIMEOUT with its detail text only, and a list of them allows each; both readers agree."""
        import known as vm_known
        entry = {"verdict": "FAIL", "ids": ["REQ-X"], "upstream": "u", "why": "w",
                 "may_error": [{"detail": "died of signal 6", "why": "a renderer bug"},
                               {"verdict": "TIMEOUT", "detail": "last step: vkCreateInstance", "why": "a hang"}]}
        doc = {"cases": {"pair.a": entry}}
        loaded = load_known(doc)
        self.assertEqual(vm_known.validate(doc), [])
        for got, detail, ok in (("FAIL", "", True), ("ERROR", "case process died of signal 6 (Aborted)", True),
                                ("TIMEOUT", "no result within 90 s (child killed); last step: vkCreateInstance", True),
                                ("TIMEOUT", "no result within 90 s (child killed); last step: vkCreateDevice", False),
                                ("ERROR", "last step: vkCreateInstance", False),
                                ("TIMEOUT", "died of signal 6", False), ("PASS", "", False)):
            c = {"name": "pair.a", "verdict": got, "detail": detail}
            r = known.compare({"name": "t", "cases": [c]}, loaded)
            self.assertEqual(not r["differences"], ok, (got, detail))
            self.assertEqual(vm_known.matches(entry, c), ok, (got, detail))

    def test_per_target_expectations(self):
        with tempfile.TemporaryDirectory() as d:
            a, b = os.path.join(d, "a.expect"), os.path.join(d, "b.expect")
            with open(a, "w") as f:
                f.write("pair.x NOT_SUPPORTED not here\n")
            with open(b, "w") as f:
                f.write("pair.x FAIL broken on purpose\n")
            targets = [{"name": "ta", "cases": [{"name": "pair.x", "verdict": "NOT_SUPPORTED"}]},
                       {"name": "tb", "cases": [{"name": "pair.x", "verdict": "FAIL"}]}]
            r = vgb_report.compare_known(targets, ["tb=" + b, a])
            self.assertEqual({n: len(v["differences"]) for n, v in r.items()}, {"ta": 0, "tb": 0})
            self.assertIsNone(vgb_report.compare_known(targets, []))

    def test_known_results_are_expectations(self):
        """Every file of known-results/ loads as an expectations file."""
        d = os.path.join(REPO, "conformance", "known-results")
        for name in sorted(os.listdir(d)):
            known.load(os.path.join(d, name))


class FlakyReportTest(unittest.TestCase):
    RESULTS = {"suite_version": "1.0.0", "targets": [{"name": "t", "implementation": "I", "cases": [
        {"name": "dev.map.double", "verdict": "FLAKY", "ids": ["REQ-DEV-MAP-0005"], "detail": "answered OK",
         "attempts": ["FAIL", "PASS"], "reproduce": "vgb-conform --filter dev.map.double --seed 1",
         "trace": "q0 RESOURCE_MAP_BLOB | -> OK_MAP_INFO\n"}]}]}

    def test_junit_and_html(self):
        targets = self.RESULTS["targets"]
        root = vgb_report.junit("1.0.0", targets).getroot()
        failure = root.find(".//testcase/failure")
        self.assertEqual(failure.get("type"), "FLAKY")
        self.assertIn("FAIL, PASS", failure.get("message"))
        out = root.find(".//testcase/system-out").text
        self.assertIn("vgb-conform --filter dev.map.double --seed 1", out)
        html = vgb_report.render_html("1.0.0", targets, "spec.html", None, None, None)
        self.assertIn("verdicts of each run", html)
        self.assertIn('<span class="v FLAKY">FLAKY</span>', html)
        self.assertIn("exchange with the device around the failure", html)
        ET.fromstring(ET.tostring(root))


if __name__ == "__main__":
    unittest.main()
