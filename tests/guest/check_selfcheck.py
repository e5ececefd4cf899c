#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The README's main command: `vgb-guest --self-check --backend vgb-host`.

Runs it exactly in that form and checks that it reports the mapped,
guest-blob and copy paths separately, each PASS, a summary, and exit 0.
With "socket", checks the same against a device listening on a socket.
With "kill", that device dies at a fixed point of the second path
(--hostile=die...), and vgb-guest must end in bounded time, with status 1 and
a message naming the cause on every path after the death.
With "polled", runs it with both sides polling (--poll-us), with and without
EVENT_IDX: the same verdicts, pixel-exact.
"""
import os
import re
import subprocess
import sys
import tempfile
import time

guest, host = sys.argv[1], sys.argv[2]
mode = sys.argv[3] if len(sys.argv) > 3 else "backend"
PATHS = ("mapped", "guest-blob", "copy")


def check(out, rc):
    print(out)
    lines = {m.group(1): (m.group(2), m.group(3))
             for m in re.finditer(r"^path (\S+): (PASS|FAIL|NOT_SUPPORTED) \((.*)\)$", out, re.M)}
    ok = True
    for p in PATHS:
        if p not in lines:
            print(f"missing line for path {p}")
            ok = False
        elif lines[p][0] != "PASS":
            print(f"path {p} did not pass: {lines[p]}")
            ok = False
    if not re.search(r"^summary: 3 passed, 0 failed", out, re.M):
        print("missing or wrong summary line")
        ok = False
    if rc != 0:
        print(f"exit status {rc}, expected 0")
        ok = False
    return ok


if mode == "backend":
    p = subprocess.run([guest, "--self-check", "--backend", host],
                       stdout=subprocess.PIPE, text=True, timeout=120)
    sys.exit(0 if check(p.stdout, p.returncode) else 1)

if mode == "polled":
    ok = True
    for extra in ([], ["--event-idx"]):
        p = subprocess.run([guest, "--self-check", "--poll-us", "50", *extra, "--backend", host, "--poll-us=50"],
                           stdout=subprocess.PIPE, text=True, timeout=120)
        ok = check(p.stdout, p.returncode) and ok
    sys.exit(0 if ok else 1)


def start_device(sock, *extra):
    dev = subprocess.Popen([host, f"--socket-path={sock}", *extra], stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60  # a bound for a loaded machine, not a synchronisation
    while not os.path.exists(sock) and dev.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    return dev


def killed_mid_run():
    """The device dies at a fixed point of the second path: it kills itself when it takes
    its second SET_SCANOUT_BLOB (the guest-blob path; the mapped path showed the first)."""
    with tempfile.TemporaryDirectory() as d:
        sock = os.path.join(d, "sock")
        dev = start_device(sock, "--hostile=die@SET_SCANOUT_BLOB#2")
        t0 = time.monotonic()
        try:
            p = subprocess.run([guest, "--self-check", "--socket", sock], stdout=subprocess.PIPE,
                               text=True, timeout=120)
        except subprocess.TimeoutExpired:
            print("vgb-guest hung after the device died")
            return False
        finally:
            if dev.poll() is None:
                dev.kill()
            dev.wait()
        print(p.stdout)
        print(f"vgb-guest ended {time.monotonic() - t0:.2f} s after start with status {p.returncode}; "
              f"device {dev.returncode}")
        lines = re.findall(r"^path (\S+): (\S+) \((.*)\)$", p.stdout, re.M)
        ok = [(n, v) for n, v, _ in lines] == [("mapped", "PASS"), ("guest-blob", "FAIL"), ("copy", "FAIL")]
        # Every path after the death failed naming the cause, and the program says it failed.
        ok = ok and all("backend gone" in why for _, v, why in lines[1:]) and p.returncode == 1
        return ok and dev.returncode == -9


if mode == "kill":
    sys.exit(0 if killed_mid_run() else 1)

with tempfile.TemporaryDirectory() as d:
    sock = os.path.join(d, "sock")
    dev = start_device(sock)
    try:
        p = subprocess.run([guest, "--self-check", "--socket", sock],
                           stdout=subprocess.PIPE, text=True, timeout=120)
        ok = check(p.stdout, p.returncode)
        rc = dev.wait(timeout=60)
        if rc != 0:
            print(f"device exited with {rc} after the driver left")
            ok = False
    finally:
        if dev.poll() is None:
            dev.kill()
            dev.wait()
    sys.exit(0 if ok else 1)
