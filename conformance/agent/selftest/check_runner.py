#!/usr/bin/env python3
"""Checks the agent runner's verdicts for case processes that end without a
result: each names the signal or exit status and the last step the case
logged, as a pair's failure must say where it stopped.

usage: check_runner.py VGB_AGENT_SELFTEST  (build-agent.sh amd64 selftest builds it)
"""
import json
import os
import subprocess
import sys

MARKER = "VGB-AGENT "


def run(exe, case, timeout_s):
    env = dict(os.environ, VGB_AGENT_NO_DRM="1")
    out = subprocess.run([exe, "--cases", case, "--case-timeout", str(timeout_s)], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60).stdout
    results = [json.loads(line[len(MARKER):]) for line in out.splitlines()
               if line.startswith(MARKER) and '"type":"case"' in line]
    if len(results) != 1:
        raise AssertionError("%s: expected one result, got %r in:\n%s" % (case, results, out))
    return results[0]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    exe = sys.argv[1]
    expect = [
        ("agent.selftest.abort_after_step", 20, "ERROR",
         "case process died of signal 6 (Aborted); last step: opening Vulkan: vkCreateInstance"),
        ("agent.selftest.exit_after_step", 20, "ERROR",
         "case process exited 3 without a result; last step: second step"),
        ("agent.selftest.hang_after_step", 1, "TIMEOUT",
         "no result within 1 s (child killed); last step: waiting for an answer that never comes"),
    ]
    bad = 0
    for case, timeout_s, verdict, detail in expect:
        r = run(exe, case, timeout_s)
        # The whole log goes with the verdict, oldest step first, ending at the last step.
        ok = (r["verdict"] == verdict and r["detail"] == detail
              and r.get("steps", "").rstrip("\n").endswith(detail.split("; last step: ")[1]))
        print("%s %s: %s %r" % ("ok " if ok else "BAD", case, r["verdict"], r["detail"]))
        bad += not ok
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
