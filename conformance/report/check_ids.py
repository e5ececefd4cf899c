#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Fails when a conformance case cites a requirement ID the spec does not define.

Usage: check_ids.py --conform path/to/vgb-conform --spec path/to/spec
The spec defines an ID with an anchor [[REQ-...]] (or [[REQ-...,text]]) in its AsciiDoc sources.
"""

import argparse
import glob
import json
import os
import re
import subprocess
import sys

ANCHOR = re.compile(r"\[\[(REQ-(?:DEV|DRV)-[A-Z]+-[0-9]{4})(?:,[^\]]*)?\]\]")


def spec_ids(spec_dir):
    ids = set()
    for path in glob.glob(os.path.join(spec_dir, "**", "*.adoc"), recursive=True):
        with open(path, encoding="utf-8") as f:
            ids.update(ANCHOR.findall(f.read()))
    return ids


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--conform", required=True)
    ap.add_argument("--spec", required=True)
    args = ap.parse_args(argv)
    defined = spec_ids(args.spec)
    if not defined:
        print("check_ids: no requirement anchors under %s" % args.spec, file=sys.stderr)
        return 99
    out = subprocess.run([args.conform, "--list", "--json"], check=True, capture_output=True,
                         text=True).stdout
    cases = json.loads(out)
    dangling = [(c["name"], rid) for c in cases for rid in c["ids"] if rid not in defined]
    for name, rid in dangling:
        print("dangling: %s cites %s, which the spec does not define" % (name, rid))
    cited = {rid for c in cases for rid in c["ids"]}
    print("%d cases cite %d requirement IDs; the spec defines %d; %d dangling" % (
        len(cases), len(cited), len(defined), len(dangling)))
    return 1 if dangling else 0


if __name__ == "__main__":
    sys.exit(main())
