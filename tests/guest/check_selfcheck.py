#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The README's main command: `vgb-guest --self-check --backend vgb-host`.

Runs it exactly in that form and checks that it reports the mapped,
guest-blob and copy paths separately, each PASS, a summary, and exit 0.
With "socket", checks the same against a device listening on a socket.
With "kill", kills that device after the first path's line and checks that
vgb-guest ends in bounded time, with status 1 and a message naming the cause.
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

def start_device(sock):
    dev = subprocess.Popen([host, f"--socket-path={sock}"], stderr=subprocess.DEVNULL)
    for _ in range(500):
        if os.path.exists(sock) or dev.poll() is not None:
            break
        time.sleep(0.01)
    return dev


def kill_mid_run():
    """One attempt: True/False for a verdict, None when the run ended before the kill."""
    with tempfile.TemporaryDirectory() as d:
        sock = os.path.join(d, "sock")
        dev = start_device(sock)
        guest_p = subprocess.Popen([guest, "--self-check", "--socket", sock],
                                   stdout=subprocess.PIPE, text=True)
        first = guest_p.stdout.readline()
        dev.kill()
        dev.wait()
        t0 = time.monotonic()
        try:
            rest, _ = guest_p.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            guest_p.kill()
            print("vgb-guest hung after the device was killed")
            return False
        took = time.monotonic() - t0
        print(first + rest)
        print(f"vgb-guest ended {took:.2f} s after the kill with status {guest_p.returncode}")
        gone = re.findall(r"^path (\S+): FAIL \(.*backend gone", rest, re.M)
        if not gone:
            return None if guest_p.returncode == 0 else False
        # Every path after the kill either finished before it or failed naming the cause.
        later = re.findall(r"^path (\S+): (\S+) \((.*)\)$", rest, re.M)
        return (first.startswith("path mapped: PASS") and guest_p.returncode == 1 and
                all(v == "PASS" or "backend gone" in why for _, v, why in later))


if mode == "kill":
    for attempt in range(5):
        verdict = kill_mid_run()
        if verdict is not None:
            sys.exit(0 if verdict else 1)
        print("the run finished before the kill; again")
    print("could not kill the device mid-run in 5 attempts")
    sys.exit(1)

with tempfile.TemporaryDirectory() as d:
    sock = os.path.join(d, "sock")
    dev = start_device(sock)
    try:
        p = subprocess.run([guest, "--self-check", "--socket", sock],
                           stdout=subprocess.PIPE, text=True, timeout=120)
        ok = check(p.stdout, p.returncode)
        rc = dev.wait(timeout=10)
        if rc != 0:
            print(f"device exited with {rc} after the driver left")
            ok = False
    finally:
        if dev.poll() is None:
            dev.kill()
            dev.wait()
    sys.exit(0 if ok else 1)
