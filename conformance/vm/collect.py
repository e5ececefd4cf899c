#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Turns what the conformance guest (build-image.sh) printed on its result port
into the suite's reports: results.json, junit.xml and report.html, the files the
built-in configurations give.

  collect.py --name NAME --version VERSION [--target TARGET] [--out DIR]
             [--expectations FILE] [--device-trace FILE] [--console FILE]
             [--vmm-command CMD] [--spec-url URL] LOG | -

LOG is the captured result port; - reads standard input while the VMM runs,
prints each case as it finishes, and times the cases, so that --device-trace
(lines PID@SECONDS.MICROSECONDS:..., as QEMU writes them with -msg
timestamp=on and vgb-host --trace; QEMU 11 writes ISO 8601 times) can give
each failing case the device's
lines written while it ran.  --console reads the kernel log for the features
the driver negotiated.  --vmm-command is the command that booted the guest:
each failing case's reproducer is then that command with vgb.cases=CASE added.

Exit status: 0 when every case got its expected verdict (without
--expectations: when none failed), 1 otherwise, 2 on bad usage, 99 when the
log holds no run of the agent.
"""

import argparse
import datetime
import glob
import json
import os
import re
import select
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "conformance", "report"))
sys.path.insert(0, HERE)

import known_results  # noqa: E402
import trace_check  # noqa: E402
import vgb_report  # noqa: E402

MARKER = "VGB-AGENT "
SUITE_VERSION = "1.0.0"
# Timestamped trace lines: PID@SECONDS.MICROSECONDS:TEXT (QEMU 10 with -msg timestamp=on,
# vgb-host --trace) or ISO 8601 UTC, YYYY-MM-DDTHH:MM:SS.FFFFFFZ TEXT (QEMU 11).
TRACE_LINE = re.compile(r"^(\d+)@(\d+)\.(\d+):(.*)$")
TRACE_LINE_ISO = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z (.*)$")
# Device trace lines kept per case, and how far around the case's window they may lie.
TRACE_KEPT = 60
TRACE_SLACK_S = 0.02
FAILING = ("FAIL", "FLAKY", "ERROR", "CRASH", "TIMEOUT", "WARNING")


class Run:
    """What one run of the agent said, as lines arrive."""

    def __init__(self, live):
        self.live = live
        self.start = None
        self.names = []
        self.info = {}
        self.events = []
        self.cases = {}
        self.windows = {}   # case name -> [start, end] guest times ("t")
        self.offset = None  # host clock - guest clock: the smallest delay a line came with (live)
        self.notes = []
        self.ended = False

    def clock(self, obj, now):
        """The line's guest time; live, it also narrows the guest-to-host offset."""
        t = obj.get("t")
        if not isinstance(t, (int, float)):
            return None
        if self.live and (self.offset is None or now - t < self.offset):
            self.offset = now - t
        return t

    def line(self, text, now):
        idx = text.find(MARKER)
        if idx < 0:
            return None
        try:
            obj = json.loads(text[idx + len(MARKER):])
        except ValueError:
            self.notes.append("unparsable agent line: %s" % text[idx:idx + 160])
            return None
        kind = obj.get("type")
        if kind == "start":
            if self.start is not None:
                self.notes.append("the agent started again: the guest rebooted; the later run is kept")
                self.cases, self.windows, self.ended = {}, {}, False
            self.start = obj
        elif kind == "cases":
            self.names = [n for n in obj.get("names", []) if isinstance(n, str)]
        elif kind == "info":
            self.info.update({k: v for k, v in obj.items() if k != "type"})
        elif kind == "event":
            self.events.append(obj)
        elif kind == "case_start":
            self.windows[obj.get("name")] = [self.clock(obj, now), None]
        elif kind == "case":
            name = obj.get("name")
            if not isinstance(name, str) or obj.get("verdict") not in vgb_report.VERDICTS:
                self.notes.append("malformed case line: %s" % text[idx:idx + 160])
                return None
            c = {"name": name, "verdict": obj["verdict"], "ids": list(obj.get("ids") or []),
                 "time_s": obj.get("time_s", 0), "detail": obj.get("detail", "")}
            for key in ("attempts", "steps"):
                if obj.get(key):
                    c[key] = obj[key]
            self.cases[name] = c
            t = self.clock(obj, now)
            if name in self.windows:
                self.windows[name][1] = t
            return c
        elif kind == "end":
            self.ended = True
        return None


# After the agent's end line, how long a live reader waits for the VMM to close
# the port (it powers off; then the device's trace is complete too).
DRAIN_S = 30


def lines_of(fd, live):
    """Lines of fd as they come; live, they stop DRAIN_S seconds after the end line."""
    buf, deadline = b"", None
    while True:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        buf += chunk
        *done, buf = buf.split(b"\n")
        for raw in done:
            ended = yield raw.decode("utf-8", "replace").rstrip("\r")
            if ended and live and deadline is None:
                deadline = time.monotonic() + DRAIN_S
    if buf:
        yield buf.decode("utf-8", "replace").rstrip("\r")


def read_log(fd, live, progress):
    run = Run(live)
    gen = lines_of(fd, live)
    text = next(gen, None)
    while text is not None:
        c = run.line(text, time.time())
        if c and progress:
            total = len(run.names) or (run.start or {}).get("cases", "?")
            print("[%d/%s] %s: %s (%s s) %s" % (len(run.cases), total, c["name"], c["verdict"], c["time_s"],
                                                 "" if c["verdict"] == "PASS" else c["detail"][:140]),
                  flush=True)
        try:
            text = gen.send(run.ended)
        except StopIteration:
            text = None
    return run


def device_trace(path):
    """(seconds since the epoch, text) of every timestamped line of a device trace."""
    out = []
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            m = TRACE_LINE.match(line)
            if m:
                out.append((int(m.group(2)) + int(m.group(3)) / 10 ** len(m.group(3)), m.group(4)))
                continue
            m = TRACE_LINE_ISO.match(line)
            if m:
                t = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S").replace(
                    tzinfo=datetime.timezone.utc).timestamp()
                out.append((t + float(m.group(2) or 0), m.group(3)))
    return out


def trace_window(lines, window, offset):
    """The device's lines written between the case's start and end (guest times, moved to the
    host's clock by offset)."""
    start, end = window[0] + offset, window[1] + offset
    chosen = [(t, text) for t, text in lines if start - TRACE_SLACK_S <= t <= end + TRACE_SLACK_S]
    head = "(%d earlier lines of the case not kept)\n" % (len(chosen) - TRACE_KEPT) if len(chosen) > TRACE_KEPT else ""
    return head + "".join("%.6f %s\n" % (t, text) for t, text in chosen[-TRACE_KEPT:])


def reproducer(case, vmm_command):
    if not vmm_command:
        return "boot the image again with vgb.cases=%s added to the kernel arguments" % case
    if "vgb.results=" in vmm_command:
        return re.sub(r"(vgb\.results=\S+?)(?=[\s\"'])", r"\1 vgb.cases=%s" % case, vmm_command, count=1)
    return "%s  # with vgb.cases=%s added to the kernel arguments" % (vmm_command, case)


def console_features(path):
    """The features the Linux driver logged ("[drm] features: +virgl ...")."""
    feats = []
    with open(path, errors="replace") as f:
        for line in f:
            if "[drm] features:" in line:
                feats += line.split("[drm] features:", 1)[1].split()
    return feats


def target_name(name, version):
    return re.sub(r"[^A-Za-z0-9_.+-]+", "-", "%s-%s" % (name, version)).strip("-").lower()


def build_target(run, args):
    cases = list(run.cases.values())
    for name in run.names:
        if name not in run.cases:
            cases.append({"name": name, "verdict": "ERROR", "ids": [], "time_s": 0,
                          "detail": "no result from the guest: " + (
                              "it stopped before this case (see the console)" if not run.ended else
                              "the agent did not report it")})
    notes = list(run.notes)
    if not run.ended:
        notes.append("the agent's end line never came: the guest stopped or the log was cut")
    trace = None
    if args.device_trace:
        try:
            trace = device_trace(args.device_trace)
        except OSError as e:
            notes.append("device trace: %s" % e)
        if trace is not None and not run.live:
            notes.append("the device trace is attached to cases only when the log is read live (-)")
    for c in cases:
        if c["verdict"] not in FAILING:
            continue
        c["reproduce"] = reproducer(c["name"], args.vmm_command)
        window = run.windows.get(c["name"])
        if trace and run.offset is not None and window and None not in window:
            c["device_trace"] = (trace_window(trace, window, run.offset)
                                 or "(the device wrote nothing while the case ran)")
    # The driver's command stream as QEMU's device traced it.
    if args.device_trace and trace is not None and any("virtio_gpu_cmd_" in t for _, t in trace):
        found = trace_check.check(args.device_trace)
        n = len(trace_check.events(args.device_trace))
        c = {"name": "pair.driver.command_stream", "ids": trace_check.CHECKED_IDS, "time_s": 0}
        if found:
            c.update(verdict="FAIL", ids=sorted({i for i, _ in found}),
                     detail="%d violations in %d commands: " % (len(found), n)
                     + "; ".join("%s: %s" % (i, t) for i, t in found[:8]))
        else:
            c.update(verdict="PASS", detail="%d commands, no violation of the checked requirements" % n)
        cases.append(c)
    start = run.start or {}
    info = {
        "vmm": args.name, "vmm_version": args.version,
        "guest_kernel": start.get("kernel"), "guest_arch": start.get("machine"),
        "agent_version": start.get("agent_version"), "libdrm": start.get("libdrm"),
        "rerun_failures": start.get("rerun_failures", 0),
        "driver_params": run.info.get("params", {}),
        "collected": "live" if run.live else "from %s" % args.log,
        "notes": notes,
    }
    if args.console:
        try:
            feats = console_features(args.console)
            info["driver_features"] = feats
            info["negotiated_features"] = [f for f in feats if f.startswith("+")]
        except OSError as e:
            notes.append("console: %s" % e)
    if args.vmm_command:
        info["vmm_command"] = args.vmm_command
    return {"name": args.target or target_name(args.name, args.version),
            "implementation": "%s %s" % (args.name, args.version), "info": info, "cases": cases}


def requirements(out):
    """The spec's requirements (for the tiers), extracted from the sources; None without them.
    A chapter whose provenance survey is not written yet lacks tiers, not the whole report."""
    path = os.path.join(out, "requirements.json")
    spec = os.path.join(REPO, "spec", "spec.adoc")
    if not os.path.exists(spec):
        return None
    cmd = [sys.executable, os.path.join(REPO, "tools", "spec", "req_extract.py"), "-o", path, spec]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        chapters = sorted(glob.glob(os.path.join(REPO, "spec", "chapters", "*.adoc")))
        pending = [a for ch in chapters for a in ("--provenance-pending", os.path.relpath(ch, os.path.dirname(spec)))]
        r = subprocess.run(cmd[:2] + pending + cmd[2:], capture_output=True, text=True)
    if r.returncode != 0:
        print("collect: requirements not extracted (%s); tiers left out" % r.stderr.strip()[:200], file=sys.stderr)
        return None
    with open(path, encoding="utf-8") as f:
        return path if json.load(f) else None


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("log", help="the captured result port, or - for standard input")
    ap.add_argument("--name", required=True, help="the implementation (VMM, device) under test")
    ap.add_argument("--version", required=True, help="its version")
    ap.add_argument("--target", help="the target's name in the report (default NAME-VERSION)")
    ap.add_argument("--out", default="report", help="directory of the reports (default ./report)")
    ap.add_argument("--expectations", help="expected verdicts (see conformance/report/known_results.py)")
    ap.add_argument("--device-trace", help="the device's trace, timestamped")
    ap.add_argument("--console", help="the guest's console log")
    ap.add_argument("--vmm-command", help="the command that booted the guest")
    ap.add_argument("--spec-url", help="the rendered spec the requirement links point to")
    args = ap.parse_args(argv)

    expectations = None
    if args.expectations:
        try:
            expectations = known_results.load(args.expectations)
        except known_results.KnownError as e:
            print("collect: %s" % e, file=sys.stderr)
            return 2
    live = args.log == "-"
    if live:
        run = read_log(sys.stdin.fileno(), True, True)
    else:
        try:
            fd = os.open(args.log, os.O_RDONLY)
        except OSError as e:
            print("collect: %s" % e, file=sys.stderr)
            return 2
        try:
            run = read_log(fd, False, False)
        finally:
            os.close(fd)
    if run.start is None:
        print("collect: no agent run in %s (no 'VGB-AGENT {\"type\":\"start\"...}' line)" % args.log,
              file=sys.stderr)
        return 99

    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    target = build_target(run, args)
    reqs = requirements(out)
    if reqs:
        with open(reqs, encoding="utf-8") as f:
            vgb_report.annotate([target], json.load(f))
    results = os.path.join(out, "results.json")
    with open(results, "w", encoding="utf-8") as f:
        json.dump({"suite_version": SUITE_VERSION, "targets": [target]}, f, indent=1)
    spec_url = args.spec_url
    if not spec_url:
        built = os.path.join(REPO, "build", "spec", "spec.html")
        spec_url = ("file://" + built) if os.path.exists(built) else "spec.html"
    report_args = [results, "--junit", os.path.join(out, "junit.xml"), "--html", os.path.join(out, "report.html"),
                   "--spec-url", spec_url]
    if reqs:
        report_args += ["--requirements", reqs]
    if args.expectations:
        report_args += ["--expectations", args.expectations]
    rc = vgb_report.main(report_args)
    if rc:
        return rc

    counts = {}
    for c in target["cases"]:
        counts[c["verdict"]] = counts.get(c["verdict"], 0) + 1
    print("%s: %s" % (target["name"], ", ".join("%s %d" % (v, counts[v]) for v in vgb_report.VERDICTS
                                                 if counts.get(v))))
    for note in target["info"]["notes"]:
        print("note: %s" % note)
    if expectations:
        diffs = known_results.compare(target, expectations)["differences"]
        for d in diffs:
            print("%s: expected %s, got %s  %s" % (d["case"], d["expected"], d["got"], d["detail"][:160]))
        bad = bool(diffs)
    else:
        bad = any(c["verdict"] in FAILING and c["verdict"] != "WARNING" for c in target["cases"])
    for c in target["cases"]:
        if c.get("reproduce") and c["verdict"] != "WARNING":
            print("reproduce %s: %s" % (c["name"], c["reproduce"]))
    print("report: file://%s" % os.path.join(out, "report.html"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
