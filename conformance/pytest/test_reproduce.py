# SPDX-License-Identifier: MIT
"""What a failing case gives a maintainer: a case that fails only sometimes is
told from one that always fails (--rerun-failures: FLAKY with every verdict),
and a failing case carries the command that runs it alone, which then fails
the same way, and the exchange with the device around the failure."""

import json
import shlex
import subprocess

from conftest import conform_binary
from test_breaks import host_binary


def run(tmp_path, host_args, case, *extra, name="device"):
    out = tmp_path / (name + ".json")
    backend = " ".join(shlex.quote(a) for a in [host_binary()] + host_args)
    cmd = [conform_binary(), "--backend", backend, "--name", name, "--filter", case, "--output", str(out),
           *extra]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert out.exists(), "vgb-conform wrote no results (exit %d): %s" % (proc.returncode, proc.stderr[-2000:])
    cases = json.loads(out.read_text(encoding="utf-8"))["targets"][0]["cases"]
    assert [c["name"] for c in cases] == [case], proc.stdout[-2000:]
    return cases[0], proc


def test_flaky_case_is_flaky(tmp_path):
    # The device answers wrongly in the first run of the case only (--inject RULE@1).
    c, proc = run(tmp_path, [], "dev.map.double", "--inject", "map-double-ok@1", "--rerun-failures", "2")
    assert c["verdict"] == "FLAKY", c
    assert c["attempts"] == ["FAIL", "PASS"]
    assert c["failed_id"] == "REQ-DEV-MAP-0005", "the first run's finding is kept"
    assert proc.returncode == 1
    assert "attempts=FAIL,PASS" in proc.stdout


def test_flaky_case_fails_without_reruns(tmp_path):
    c, _ = run(tmp_path, [], "dev.map.double", "--inject", "map-double-ok@1")
    assert c["verdict"] == "FAIL" and "attempts" not in c


def test_failing_case_is_not_flaky(tmp_path):
    c, proc = run(tmp_path, ["--break=map-double-ok"], "dev.map.double", "--rerun-failures", "2")
    assert c["verdict"] == "FAIL"
    assert c["attempts"] == ["FAIL", "FAIL", "FAIL"]
    assert proc.returncode == 1


def test_passing_case_is_run_once(tmp_path):
    c, proc = run(tmp_path, [], "dev.map.double", "--rerun-failures", "2")
    assert c["verdict"] == "PASS" and "attempts" not in c and "reproduce" not in c and "trace" not in c
    assert proc.returncode == 0


def test_failure_reproduces_alone(tmp_path):
    """A random case broken on purpose: the reproducer names it and its seed, and run
    alone (from the shell, in another directory) it fails the same way."""
    c, _ = run(tmp_path, ["--break=checksum-off-by-one"], "dev.coh.guest_to_host")
    assert c["verdict"] == "FAIL" and c["failed_id"] in c["ids"], c
    repro = c["reproduce"]
    words = shlex.split(repro)
    assert words[0] == conform_binary()
    assert words[words.index("--filter") + 1] == "dev.coh.guest_to_host"
    assert int(words[words.index("--seed") + 1]) == c["seed"]
    again_dir = tmp_path / "again"
    again_dir.mkdir()
    proc = subprocess.run(repro, shell=True, cwd=again_dir, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stdout[-2000:]
    again = json.loads((again_dir / "reproduce.json").read_text(encoding="utf-8"))["targets"][0]["cases"]
    assert [a["name"] for a in again] == ["dev.coh.guest_to_host"]
    for key in ("verdict", "failed_id", "detail", "seed"):
        assert again[0].get(key) == c.get(key), "%s differs when run alone: %r, first %r" % (
            key, again[0].get(key), c.get(key))


def test_failure_carries_the_exchange(tmp_path):
    c, _ = run(tmp_path, ["--break=checksum-off-by-one"], "dev.coh.guest_to_host")
    trace = c["trace"].splitlines()
    mark = [i for i, line in enumerate(trace) if line.startswith("=== the case recorded its failure here")]
    assert mark, c["trace"]
    before = trace[:mark[0]]
    assert any(line.startswith("q0 SUBMIT_3D") for line in before), "the CHECKSUM submission is shown"
    assert any(line.startswith("vhost-user ") for line in trace) or "earlier lines not kept" in trace[0]
    assert len(trace) <= 50, "the trace is bounded"


def test_injected_answer_is_marked(tmp_path):
    c, _ = run(tmp_path, [], "dev.map.double", "--inject", "map-double-ok")
    assert "--inject made that answer OK_MAP_INFO (the device answered ERR_INVALID_PARAMETER)" in c["trace"]


def test_bad_attempt_rule_is_refused(tmp_path):
    proc = subprocess.run([conform_binary(), "--target", "ref-full", "--filter", "dev.map.double", "--inject",
                           "map-double-ok@0", "--output", str(tmp_path / "r.json")],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 99 and "malformed --inject rule" in proc.stderr


def test_device_trace_lines(tmp_path):
    """vgb-host --trace writes each command as QEMU's trace log does with -msg timestamp=on
    (PID@SECONDS.MICROSECONDS:...), which the collector lines up with the guest's cases."""
    import re
    trace = tmp_path / "device-trace.log"
    c, _ = run(tmp_path, ["--trace=%s" % trace], "dev.map.basic")
    assert c["verdict"] == "PASS"
    lines = trace.read_text(encoding="utf-8").splitlines()
    form = re.compile(r"^\d+@\d+\.\d{6}:vgb_cmd [A-Z_0-9]+ flags 0x[0-9a-f]+ ctx \d+ \|[ 0-9a-f.]*-> [A-Z_]+$")
    assert lines and all(form.match(line) for line in lines), lines[:5]
    assert any(":vgb_cmd RESOURCE_MAP_BLOB " in line and line.endswith("-> OK_MAP_INFO") for line in lines)
