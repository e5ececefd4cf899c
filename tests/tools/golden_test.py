#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Golden-file test: runs a command that writes into a fresh directory and compares every
file it wrote with the expected directory.

Usage: golden_test.py EXPECTED_DIR [--rc N] [--stdout NAME] [--stderr NAME] -- COMMAND ARGS...
"@OUT@" in the command is replaced by the output directory; with --stdout (--stderr) the
command's standard output (error) is saved there as NAME.  Set VGB_UPDATE_GOLDEN=1 to rewrite EXPECTED_DIR
from the output (then review the diff before committing).
"""

import difflib
import os
import shutil
import subprocess
import sys
import tempfile


def main(argv):
    if "--" not in argv:
        print(__doc__, file=sys.stderr)
        return 99
    sep = argv.index("--")
    opts, cmd = argv[1:sep], argv[sep + 1:]
    if not opts or not cmd:
        print(__doc__, file=sys.stderr)
        return 99
    expected = opts[0]
    want_rc, stdout_name, stderr_name = 0, None, None
    i = 1
    while i < len(opts):
        if opts[i] == "--rc":
            want_rc = int(opts[i + 1])
            i += 2
        elif opts[i] == "--stdout":
            stdout_name = opts[i + 1]
            i += 2
        elif opts[i] == "--stderr":
            stderr_name = opts[i + 1]
            i += 2
        else:
            print("unknown option %s" % opts[i], file=sys.stderr)
            return 99
    with tempfile.TemporaryDirectory(prefix="golden-") as out:
        cmd = [a.replace("@OUT@", out) for a in cmd]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        sys.stderr.write(proc.stderr)
        if stderr_name:
            with open(os.path.join(out, stderr_name), "w", encoding="utf-8") as f:
                f.write(proc.stderr)
        if stdout_name:
            with open(os.path.join(out, stdout_name), "w", encoding="utf-8") as f:
                f.write(proc.stdout)
        if proc.returncode != want_rc:
            print("exit status %d, expected %d: %s" % (proc.returncode, want_rc, " ".join(cmd)),
                  file=sys.stderr)
            return 1
        produced = sorted(os.listdir(out))
        if os.environ.get("VGB_UPDATE_GOLDEN") == "1":
            shutil.rmtree(expected, ignore_errors=True)
            shutil.copytree(out, expected)
            print("updated %s (%d files)" % (expected, len(produced)))
            return 0
        if not os.path.isdir(expected):
            print("no expected directory %s (run with VGB_UPDATE_GOLDEN=1)" % expected,
                  file=sys.stderr)
            return 1
        wanted = sorted(os.listdir(expected))
        failed = False
        for name in sorted(set(produced) | set(wanted)):
            a = os.path.join(expected, name)
            b = os.path.join(out, name)
            if not os.path.exists(b):
                print("missing output %s" % name, file=sys.stderr)
                failed = True
                continue
            if not os.path.exists(a):
                print("unexpected output %s" % name, file=sys.stderr)
                failed = True
                continue
            with open(a, encoding="utf-8") as f:
                old = f.read()
            with open(b, encoding="utf-8") as f:
                new = f.read()
            if old != new:
                failed = True
                sys.stderr.writelines(difflib.unified_diff(
                    old.splitlines(True), new.splitlines(True), "expected/" + name,
                    "actual/" + name))
        if failed:
            return 1
        print("golden: %d files match %s" % (len(produced), expected))
        return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
