#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Lists the in-guest agent's pair.* cases and the requirement IDs each cites.

Usage: agent_cases.py [-o cases.json] conformance/agent [conformance/vkagent ...]

The agents (conformance/agent, and the Vulkan agent conformance/vkagent) run inside a test
VM against a real Linux driver, so vgb-conform cannot list them; their cases are read from
the sources instead: the case tables ({ "pair.x.y", fn, CASE_IDS(...) }) and the IDS_*
macros of their headers. Macros are looked up in the directory of the case that uses them.  Prints the
same JSON as `vgb-conform --list --json`: [{"name": ..., "ids": [...], "runner": "vm-agent"}].
Exit status: 0, or 2 when a case names an unknown macro or a file cannot be read.
"""

import argparse
import glob
import json
import os
import re
import sys

REQ = re.compile(r"REQ-(?:DEV|DRV)-[A-Z]+-[0-9]{4}")
# "#define IDS_X  ..." with backslash continuations.
MACRO = re.compile(r"^#define\s+(IDS_[A-Z0-9_]+)[ \t]+((?:[^\n]*\\\n)*[^\n]*)", re.M)
CASE = re.compile(r'\{\s*"(pair\.[A-Za-z0-9_.]+)"\s*,\s*\w+\s*,\s*CASE_IDS\(([^)]*)\)')
NAME = re.compile(r"\bIDS_[A-Z0-9_]+\b")


class SourceError(Exception):
    pass


def read(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError as e:
        raise SourceError("%s: %s" % (path, e))


def agent_cases(agent_dir):
    """The cases of one agent directory."""
    macros = {}
    for path in sorted(glob.glob(os.path.join(agent_dir, "*.h"))):
        for name, body in MACRO.findall(read(path)):
            macros[name] = REQ.findall(body)
    cases = []
    for path in sorted(glob.glob(os.path.join(agent_dir, "*.c"))):
        for name, args in CASE.findall(read(path)):
            ids = REQ.findall(args)
            for macro in NAME.findall(args):
                if macro not in macros:
                    raise SourceError("%s: %s cites unknown %s" % (path, name, macro))
                ids += macros[macro]
            cases.append({"name": name, "ids": sorted(set(ids)), "runner": "vm-agent"})
    if not cases:
        raise SourceError("no pair.* cases under %s" % agent_dir)
    return cases


def main(argv=None):
    ap = argparse.ArgumentParser(description="The VM agent's cases and their requirement IDs.")
    ap.add_argument("agent_dir", nargs="+")
    ap.add_argument("-o", "--output", help="write here instead of stdout")
    args = ap.parse_args(argv)
    try:
        cases = [c for d in args.agent_dir for c in agent_cases(d)]
    except SourceError as e:
        print("agent_cases: %s" % e, file=sys.stderr)
        return 2
    text = json.dumps(cases, indent=1) + "\n"
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
