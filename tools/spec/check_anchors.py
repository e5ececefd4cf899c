#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Checks the rendered spec: every requirement has its anchor, every diagram is embedded.

Usage: check_anchors.py requirements.json spec.html
"""

import json
import re
import sys


def main(argv):
    if len(argv) != 3:
        print("usage: check_anchors.py requirements.json spec.html", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        reqs = json.load(f)
    with open(argv[2], encoding="utf-8") as f:
        html = f.read()
    ids = set(re.findall(r'id="([^"]+)"', html))
    errors = ["%s: no anchor id=\"%s\" in %s" % (r["id"], r["id"], argv[2])
              for r in reqs if r["id"] not in ids]
    for src in re.findall(r'<img src="([^"]+)"', html):
        if not src.startswith("data:"):
            errors.append("image not embedded: %s" % src)
    for m in re.finditer(r'href="#([^"]+)"', html):
        if m.group(1) not in ids:
            errors.append("link to missing anchor #%s" % m.group(1))
    for e in sorted(set(errors)):
        print(e, file=sys.stderr)
    if errors:
        return 1
    print("check_anchors: %d requirement anchors present, all images embedded" % len(reqs))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
