# SPDX-License-Identifier: MIT
"""The harness itself: listing opens no device, a broken environment is an
ERROR (never a skip), random cases are reproducible from their seed, and a
deliberately broken device makes the matching case FAIL with the right ID."""

import json
import os
import re
import subprocess

import pytest

NAME = re.compile(r"^(dev|drv|pair)\.[a-z0-9_]+\.[a-z0-9_.]+$")
ID = re.compile(r"^REQ-(DEV|DRV)-[A-Z]+-[0-9]{4}$")
QEMU = "/usr/lib/qemu/vhost-user-gpu"


def run(conform, tmp_path, *args):
    out = str(tmp_path / "r.json")
    proc = subprocess.run([conform, "--output", out] + list(args), capture_output=True, text=True,
                          timeout=600)
    doc = json.load(open(out)) if os.path.exists(out) else None
    return proc, doc


def test_list_opens_no_device(conform):
    # A backend that cannot exist: listing must not touch it.
    proc = subprocess.run([conform, "--backend", "/nonexistent/backend", "--list", "--json"],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    cases = json.loads(proc.stdout)
    assert len(cases) >= 100
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names)), "case names must be unique"
    for c in cases:
        assert NAME.match(c["name"]), c["name"]
        assert c["ids"], "%s cites no requirement" % c["name"]
        for rid in c["ids"]:
            assert ID.match(rid), "%s cites malformed id %s" % (c["name"], rid)
    assert sum(c["name"].startswith("dev.err.") for c in cases) >= 50


def test_unreachable_backend_is_error(conform, tmp_path):
    proc, doc = run(conform, tmp_path, "--backend", "/bin/false", "--filter", "dev.disp.*,dev.err.cmd.*")
    assert proc.returncode == 99, proc.stdout
    verdicts = {c["verdict"] for c in doc["targets"][0]["cases"]}
    assert verdicts == {"ERROR"}, verdicts


@pytest.fixture
def qemu():
    if not os.access(QEMU, os.X_OK):
        pytest.fail("%s missing: install qemu-system-gui (tools/setup.sh interop)" % QEMU)
    return QEMU


def test_seed_reproduces(conform, tmp_path, qemu):
    notes = []
    for i in range(2):
        proc, doc = run(conform, tmp_path, "--backend", qemu, "--filter", "dev.xfer.2d_scattered",
                        "--seed", "4242")
        c = doc["targets"][0]["cases"][0]
        assert c["verdict"] == "PASS", c
        notes.append((c["seed"], c.get("note")))
    assert notes[0] == notes[1], notes
    assert "seed=%d" % notes[0][0] in proc.stdout, "the seed is printed"


def test_injected_bug_fails_with_id(conform, tmp_path, qemu):
    # A device that answers OK to an unknown command breaks REQ-DEV-CMD-0001.
    proc, doc = run(conform, tmp_path, "--backend", qemu, "--inject", "unknown-cmd-ok",
                    "--filter", "dev.err.cmd.unknown_type")
    c = doc["targets"][0]["cases"][0]
    assert c["verdict"] == "FAIL" and c["failed_id"] == "REQ-DEV-CMD-0001", c
    assert proc.returncode == 1
    # Without the injection the same case passes.
    proc, doc = run(conform, tmp_path, "--backend", qemu, "--filter", "dev.err.cmd.unknown_type")
    assert doc["targets"][0]["cases"][0]["verdict"] == "PASS"


def test_exit_code_not_supported(conform, tmp_path, qemu):
    proc, doc = run(conform, tmp_path, "--backend", qemu, "--filter", "dev.map.*")
    assert {c["verdict"] for c in doc["targets"][0]["cases"]} == {"NOT_SUPPORTED"}
    for c in doc["targets"][0]["cases"]:
        assert c["detail"], "NOT_SUPPORTED must say why"
    assert proc.returncode == 77


@pytest.mark.parametrize("rule,case,req", [
    ("map-double-ok", "dev.map.double", "REQ-DEV-MAP-0005"),
    ("map-info-none", "dev.map.map_info", "REQ-DEV-CACHE-0001"),
    # The reference device checks an unknown resource twice (id ranking, then the handler),
    # so no single mutant shows this case failing: a device answering the wrong code does.
    ("SET_SCANOUT_BLOB:ERR_INVALID_RESOURCE_ID=ERR_INVALID_PARAMETER",
     "dev.err.scanout_blob.unknown_resource", "REQ-DEV-RES-0003"),
])
def test_injected_map_bug_fails_with_id(conform, tmp_path, rule, case, req):
    """A reference device made to misbehave fails exactly the matching case."""
    proc, doc = run(conform, tmp_path, "--target", "ref-full", "--inject", rule, "--filter", case)
    c = doc["targets"][0]["cases"][0]
    assert c["verdict"] == "FAIL", c
    assert c["failed_id"] == req, c
    proc, doc = run(conform, tmp_path, "--target", "ref-full", "--filter", case)
    assert doc["targets"][0]["cases"][0]["verdict"] == "PASS", doc


def test_external_driver_is_checked(conform, tmp_path):
    """Any driver pointed at the validating device: the reference driver breaks nothing,
    and a driver that maps a blob twice is caught (the suite's raw client plays it)."""
    guest = os.path.join(os.path.dirname(conform), "..", "ref", "guest", "vgb-guest")
    if not os.access(guest, os.X_OK):
        pytest.fail("vgb-guest not built at %s" % guest)
    proc, doc = run(conform, tmp_path, "--target", "ref-full", "--filter", "drv.external.run",
                    "--driver-cmd", "%s --self-check --quiet --socket {socket}" % guest)
    c = doc["targets"][0]["cases"][0]
    assert c["verdict"] == "PASS", c
    proc, doc = run(conform, tmp_path, "--target", "ref-full", "--filter", "drv.validate.map_double")
    c = doc["targets"][0]["cases"][0]
    assert c["verdict"] == "PASS", c


def test_external_driver_meets_hostile_devices(conform, tmp_path):
    """drv.hostile.external: the reference driver ends by itself against every fault;
    a driver that crashes is caught."""
    guest = os.path.join(os.path.dirname(conform), "..", "ref", "guest", "vgb-guest")
    proc, doc = run(conform, tmp_path, "--target", "ref-full", "--filter", "drv.hostile.external",
                    "--driver-cmd", "%s --self-check --quiet --socket {socket}" % guest)
    c = doc["targets"][0]["cases"][0]
    assert c["verdict"] == "PASS", c
    proc, doc = run(conform, tmp_path, "--target", "ref-full", "--filter", "drv.hostile.external",
                    "--driver-cmd", "kill -SEGV $$")
    c = doc["targets"][0]["cases"][0]
    assert c["verdict"] == "FAIL" and "signal 11" in c["detail"], c


def test_crash_and_timeout_are_reported(conform, tmp_path, qemu):
    env = dict(os.environ, VGB_CONFORM_SELFTEST="1")
    out = str(tmp_path / "r.json")
    proc = subprocess.run([conform, "--backend", qemu, "--filter", "dev.selftest.*", "--output", out],
                          capture_output=True, text=True, timeout=120, env=env)
    cases = {c["name"]: c for c in json.load(open(out))["targets"][0]["cases"]}
    assert cases["dev.selftest.crash"]["verdict"] == "CRASH", cases
    assert "signal 9" in cases["dev.selftest.crash"]["detail"]
    assert cases["dev.selftest.timeout"]["verdict"] == "TIMEOUT", cases
    assert proc.returncode == 1
    # Without the variable the self-test cases do not exist.
    listed = subprocess.run([conform, "--list"], capture_output=True, text=True, timeout=30).stdout
    assert "selftest" not in listed


def test_timeout_leaves_no_validating_log(conform, tmp_path):
    """A case killed at its deadline never reaches its own teardown: the harness
    removes the validating device's log the case had (the case checks it was opened)."""
    logs = tmp_path / "tmp"
    logs.mkdir()
    env = dict(os.environ, VGB_CONFORM_SELFTEST="1", TMPDIR=str(logs))
    out = str(tmp_path / "r.json")
    subprocess.run([conform, "--target", "ref-full", "--filter", "drv.selftest.timeout_validating",
                    "--output", out], capture_output=True, text=True, timeout=120, env=env)
    c = json.load(open(out))["targets"][0]["cases"][0]
    assert c["verdict"] == "TIMEOUT", c
    assert not list(logs.glob("vgb-conform-validate-*")), list(logs.iterdir())


def test_socket_target(conform, tmp_path):
    """--socket: every case opens its own connection to a backend serving one after another."""
    import threading
    host = os.path.join(os.path.dirname(conform), "..", "ref", "host", "vgb-host")
    sock = str(tmp_path / "gpu.sock")
    stop = threading.Event()
    current = []

    def serve():
        while not stop.is_set():
            p = subprocess.Popen([host, "--socket-path=" + sock], stderr=subprocess.DEVNULL)
            current.append(p)
            p.wait()

    th = threading.Thread(target=serve, daemon=True)
    th.start()
    try:
        deadline = __import__("time").monotonic() + 60  # a bound for a loaded machine
        while not os.path.exists(sock) and __import__("time").monotonic() < deadline:
            __import__("time").sleep(0.05)
        assert os.path.exists(sock), "vgb-host did not listen within 60 s"
        proc, doc = run(conform, tmp_path, "--socket", sock, "--name", "looped",
                        "--filter", "dev.map.basic,dev.err.cmd.*,dev.xfer.2d_scattered")
        t = doc["targets"][0]
        assert t["name"] == "looped"
        assert {c["verdict"] for c in t["cases"]} == {"PASS"}, t["cases"]
        assert proc.returncode == 0
    finally:
        stop.set()
        for _ in range(2):  # a backend started while stopping is caught on the second pass
            for p in current:
                if p.poll() is None:
                    p.kill()
                    p.wait()
            th.join(timeout=2)
