#!/usr/bin/env python3
"""Prints one closing line 'tests: N passed, N failed, N skipped' over meson
test logs and JUnit files; exits 1 if anything failed or nothing ran."""
import argparse
import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def meson_counts(build):
    log = Path(build) / "meson-logs" / "testlog.json"
    if not log.exists():
        print(f"test_summary: {log} missing", file=sys.stderr)
        return 0, 1, 0
    p = f = s = 0
    for line in log.read_text().splitlines():
        result = json.loads(line).get("result")
        if result in ("OK", "EXPECTEDFAIL"):
            p += 1
        elif result == "SKIP":
            s += 1
        else:
            f += 1
    return p, f, s


def junit_counts(path):
    if not Path(path).exists():
        print(f"test_summary: {path} missing", file=sys.stderr)
        return 0, 1, 0
    p = f = s = 0
    for case in ET.parse(path).getroot().iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            f += 1
        elif case.find("skipped") is not None:
            s += 1
        else:
            p += 1
    return p, f, s


ap = argparse.ArgumentParser()
ap.add_argument("--meson", nargs="*", default=[])
ap.add_argument("--junit", nargs="*", default=[])
args = ap.parse_args()
total = [0, 0, 0]
for counts in [meson_counts(b) for b in args.meson] + [junit_counts(j) for j in args.junit]:
    total = [a + b for a, b in zip(total, counts)]
passed, failed, skipped = total
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or passed == 0 else 0)
