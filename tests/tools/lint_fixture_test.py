#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Runs spec_lint.py on one fixture and checks exactly the errors its first line announces.

The fixture's first line is "// expect: CODE:LINE ..." (empty list: the fixture must pass);
an optional second line "// args: ..." gives spec_lint.py options.
Usage: lint_fixture_test.py SPEC_LINT FIXTURE.adoc
"""

import os
import re
import subprocess
import sys


def main(argv):
    if len(argv) != 3:
        print("usage: lint_fixture_test.py SPEC_LINT FIXTURE.adoc", file=sys.stderr)
        return 99
    lint, fixture = os.path.abspath(argv[1]), argv[2]
    with open(fixture, encoding="utf-8") as f:
        first = f.readline()
        second = f.readline()
    m = re.match(r"^// expect:(.*)$", first.rstrip("\n"))
    if not m:
        print("%s: first line must be '// expect: CODE:LINE ...'" % fixture, file=sys.stderr)
        return 99
    expected = set(m.group(1).split())
    extra = re.match(r"^// args:(.*)$", second.rstrip("\n"))
    options = extra.group(1).split() if extra else []
    proc = subprocess.run([sys.executable, lint] + options + [os.path.basename(fixture)],
                          cwd=os.path.dirname(os.path.abspath(fixture)),
                          capture_output=True, text=True)
    seen = set()
    for line in proc.stderr.splitlines():
        e = re.match(r"^[^:]+:(\d+): error (E\d+):", line)
        if e:
            seen.add("%s:%s" % (e.group(2), e.group(1)))
    ok = True
    if seen != expected:
        print("expected errors %s, got %s" % (sorted(expected), sorted(seen)), file=sys.stderr)
        ok = False
    want_rc = 1 if expected else 0
    if proc.returncode != want_rc:
        print("expected exit status %d, got %d" % (want_rc, proc.returncode), file=sys.stderr)
        ok = False
    sys.stderr.write(proc.stderr)
    sys.stdout.write(proc.stdout)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
