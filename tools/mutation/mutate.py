#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Mutation testing: how many realistic bugs in the reference device and driver
the conformance suite catches.

Each mutant of the checked-in list (mutants.toml) replaces one piece of code
in ref/ (a pattern that must occur exactly once in its file) by a realistic
bug.  The tool works on its own copy of the source tree and its own build
directory, so the tree it was started from is never touched: it builds the
copy once, then for each mutant applies it, rebuilds what changed (ninja), runs
vgb-conform against the mutant's target with a fixed seed, and restores the
file (checked byte for byte).  Stopped half-way, it leaves at most its copy
mutated, and the next run refreshes the copy from the tree.

A mutant is killed when a case's verdict is worse than on the unmutated build
with the same seed (WARNING, FAIL, ERROR, CRASH or TIMEOUT where the baseline had
PASS or NOT_SUPPORTED; NOT_SUPPORTED where it had PASS, which the known results
report), and the same cases are worse again when they are rerun with a second
seed: a kill never rests on one random draw or on a timing accident.  A run
that has to be stopped from outside (the per-mutant timeout) is a hang the
suite did not report, and does not count as a kill.

Usage:
  mutate.py                       every mutant, the score table and the survivors
  mutate.py --short               the mutants marked short = true: each must be
                                  killed by the cases it names (CI)
  mutate.py --check-list          the list alone: every pattern matches exactly once
  mutate.py --only NAME[,NAME]    chosen mutants
  mutate.py --markdown FILE       also write the table as Markdown (for the README)
Exit: 0 fine, 1 a mutant survived in --short / a score below --min-* / the list
is broken or a mutant does not build, 77 the tools to build are missing.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# What a mutant may model.  Every mutant names one of these.
OPERATORS = {
    "bounds-weakened": "a range or size check that lets too much through",
    "overflow-check-removed": "an arithmetic wrap no longer caught",
    "off-by-one": "a limit moved by one unit",
    "check-removed": "a validation that is no longer made",
    "wrong-error-code": "a failure answered with another response code",
    "error-precedence": "two failures ranked in the wrong order",
    "offset-ignored": "an offset left out of an address computation",
    "stride-ignored": "a row stride replaced by the row length",
    "wrong-field": "a value taken from the wrong field or unit",
    "state-not-reset": "state that outlives the object, context or reset it belonged to",
    "memory-not-cleared": "memory handed out with bytes of an earlier user",
    "cache-type-misreported": "a mapping attribute other than the memory has",
    "fence-early": "a fenced command answered before its work is visible",
    "direction-swapped": "a copy in the wrong direction",
    "resource-leak": "something reserved that is never given back",
    "error-ignored": "a failure treated as success",
}

SIDES = ("device", "driver")
DEFAULT_TARGET = "ref-full"
# What each side's mutants rebuild: the device runs as vgb-host; the reference driver runs
# inside vgb-conform (drv.ref.*), against the unmutated vgb-host.
BUILD_TARGETS = {"device": ["ref/host/vgb-host"], "driver": ["conformance/vgb-conform"]}
# How bad a verdict is.  A case that stops running (PASS -> NOT_SUPPORTED) on a target that
# has its feature counts: the suite's known results report exactly that change.
RANK = {"PASS": 0, "NOT_SUPPORTED": 1, "WARNING": 1, "FAIL": 2, "ERROR": 2, "CRASH": 2,
        "TIMEOUT": 2}


class ListError(Exception):
    pass


def log(msg):
    print(msg, flush=True)


# --- The list --------------------------------------------------------------

def load_mutants(path):
    with open(path, "rb") as f:
        doc = tomllib.load(f)
    return doc.get("mutant", [])


def parse_kill(spec):
    """"case" or "case:REQ-ID"."""
    case, _, rid = spec.partition(":")
    return case, rid or None


def retired_ids(src, cache={}):
    """The IDs spec/ids/retired.txt lists: a kill naming one can never happen."""
    if src not in cache:
        with open(os.path.join(src, "spec", "ids", "retired.txt"), encoding="utf-8") as f:
            cache[src] = {line.split()[0] for line in f if line.startswith("REQ-")}
    return cache[src]


def check_list(mutants, src):
    """Every entry well formed and applying to exactly one site. Returns the errors."""
    errors = []
    names = set()
    required = ("name", "side", "file", "operator", "models", "pattern", "replacement")
    for i, m in enumerate(mutants):
        where = "mutant %d (%s)" % (i + 1, m.get("name", "?"))
        # An empty replacement deletes the pattern; every other field needs a value.
        missing = [k for k in required if k not in m or (k != "replacement" and not m[k])]
        if missing:
            errors.append("%s: missing %s" % (where, ", ".join(missing)))
            continue
        unknown = set(m) - set(required) - {"target", "short", "kills"}
        if unknown:
            errors.append("%s: unknown keys %s" % (where, ", ".join(sorted(unknown))))
        if m["name"] in names:
            errors.append("%s: name used twice" % where)
        names.add(m["name"])
        if m["side"] not in SIDES:
            errors.append("%s: side must be one of %s" % (where, ", ".join(SIDES)))
        if m["operator"] not in OPERATORS:
            errors.append("%s: unknown operator %s" % (where, m["operator"]))
        if not m["file"].startswith("ref/"):
            errors.append("%s: %s is not under ref/" % (where, m["file"]))
        if m["pattern"] == m["replacement"]:
            errors.append("%s: the replacement equals the pattern" % where)
        if m.get("short") and not m.get("kills"):
            errors.append("%s: a short mutant names the cases that must kill it (kills)" % where)
        for spec in m.get("kills", []):
            rid = parse_kill(spec)[1]
            if rid and rid in retired_ids(src):
                errors.append("%s: kills names %s, which spec/ids/retired.txt retires" % (where, rid))
        path = os.path.join(src, m["file"])
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            errors.append("%s: %s" % (where, e))
            continue
        n = text.count(m["pattern"])
        if n != 1:
            errors.append("%s: the pattern occurs %d times in %s, not once" % (where, n, m["file"]))
    return errors


# --- The copy of the tree and its build -------------------------------------

def tree_files(src):
    """Files of the source tree: what git tracks (and would track), else a walk."""
    if os.path.exists(os.path.join(src, ".git")) and shutil.which("git"):
        out = subprocess.run(["git", "-C", src, "ls-files", "-z", "--cached", "--others",
                              "--exclude-standard"], capture_output=True, check=False)
        if out.returncode == 0:
            return [p for p in out.stdout.decode().split("\0")
                    if p and os.path.isfile(os.path.join(src, p))]
    files = []
    for dirpath, dirnames, filenames in os.walk(src):
        rel = os.path.relpath(dirpath, src)
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and d != "__pycache__" and
                       not (rel == "." and d.startswith("build"))]
        files += [os.path.normpath(os.path.join(rel, f)) for f in filenames]
    return files


def sync_tree(src, dst):
    """dst becomes a copy of src; unchanged files keep their timestamps (no rebuild)."""
    copied = 0
    for rel in tree_files(src):
        s, d = os.path.join(src, rel), os.path.join(dst, rel)
        with open(s, "rb") as f:
            data = f.read()
        try:
            with open(d, "rb") as f:
                if f.read() == data:
                    continue
        except OSError:
            pass
        os.makedirs(os.path.dirname(d), exist_ok=True)
        with open(d, "wb") as f:
            f.write(data)
        shutil.copymode(s, d)
        copied += 1
    return copied


class Build:
    def __init__(self, work):
        self.src = os.path.join(work, "src")
        self.dir = os.path.join(work, "build")
        self.log = os.path.join(work, "build.log")

    def setup(self, origin):
        os.makedirs(self.src, exist_ok=True)
        n = sync_tree(origin, self.src)
        log("source copy: %s (%d files refreshed)" % (self.src, n))
        if not os.path.exists(os.path.join(self.dir, "build.ninja")):
            # No -Werror: a mutant may leave a helper unused; that warning is not its bug.
            self._run(["meson", "setup", self.dir, self.src, "-Ddocs=disabled", "-Dpdf=disabled",
                       "-Dfuzz=false", "-Dbuildtype=debugoptimized",
                       "-Dwerror=false"], 600)
        if not self.build():
            raise RuntimeError("the unmutated tree does not build; see %s" % self.log)

    def _run(self, cmd, timeout):
        with open(self.log, "a") as f:
            f.write("$ %s\n" % " ".join(cmd))
            f.flush()
            try:
                r = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, timeout=timeout)
            except subprocess.TimeoutExpired:
                f.write("(timed out)\n")
                return False
        return r.returncode == 0

    def build(self, side=None):
        targets = BUILD_TARGETS[side] if side else sorted(sum(BUILD_TARGETS.values(), []))
        return self._run(["ninja", "-C", self.dir] + targets, 900)

    def host(self):
        return os.path.join(self.dir, "ref", "host", "vgb-host")

    def conform(self):
        return os.path.join(self.dir, "conformance", "vgb-conform")


class Applied:
    """A mutant in place for the duration of a with-block; the file is restored after."""

    def __init__(self, build, mutant):
        self.path = os.path.join(build.src, mutant["file"])
        self.mutant = mutant

    def __enter__(self):
        with open(self.path, "rb") as f:
            self.original = f.read()
        text = self.original.decode("utf-8")
        if text.count(self.mutant["pattern"]) != 1:
            raise ListError("%s: the pattern no longer occurs exactly once in %s" %
                            (self.mutant["name"], self.mutant["file"]))
        with open(self.path, "wb") as f:
            f.write(text.replace(self.mutant["pattern"], self.mutant["replacement"]).encode())
        return self

    def __exit__(self, *exc):
        with open(self.path, "wb") as f:
            f.write(self.original)
        with open(self.path, "rb") as f:
            if f.read() != self.original:
                raise RuntimeError("%s could not be restored" % self.path)
        return False


# --- Running the suite ------------------------------------------------------

def run_suite(build, target, seed, cases, out, timeout):
    """{case: (verdict, failed_id)}, or None when the runner had to be stopped."""
    cmd = [build.conform(), "--target", target, "--host-binary", build.host(), "--seed", str(seed),
           "--output", out]
    if cases:
        cmd += ["--filter", ",".join(sorted(cases))]
    if os.path.exists(out):
        os.unlink(out)
    # Its own session: a runner stopped for taking too long goes with every backend it started.
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return None
    try:
        with open(out, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError):
        return None
    return {c["name"]: (c["verdict"], c.get("failed_id") or "") for c in doc["targets"][0]["cases"]}


class Baselines:
    """Verdicts of the unmutated build per (target, seed, case set)."""

    def __init__(self, build, work, timeout):
        self.build, self.work, self.timeout = build, work, timeout
        self.cache = {}

    def get(self, target, seed, cases):
        key = (target, seed, frozenset(cases or ()))
        if key not in self.cache:
            out = os.path.join(self.work, "baseline-%s-%d.json" % (target, seed))
            got = run_suite(self.build, target, seed, cases, out, self.timeout)
            if got is None:
                raise RuntimeError("the unmutated suite did not finish on %s" % target)
            bad = ["%s %s" % (c, v) for c, (v, _) in sorted(got.items()) if RANK.get(v, 2) >= 2]
            if bad:
                raise RuntimeError("the unmutated suite does not pass on %s (seed %d): %s" %
                                   (target, seed, ", ".join(bad[:8])))
            self.cache[key] = got
        return self.cache[key]


def regressions(base, got):
    """Cases whose verdict is worse than the baseline's: {case: (verdict, failed_id)}."""
    worse = {}
    for case, (v, fid) in got.items():
        b = base.get(case, ("PASS", ""))[0]
        if RANK.get(v, 2) > RANK.get(b, 2):
            worse[case] = (v, fid)
    for case in base:
        if case not in got:
            worse[case] = ("MISSING", "")
    return worse


def run_mutant(build, baselines, m, args, short):
    """Apply, build, run, confirm, restore. Returns a result dict."""
    target = m.get("target", DEFAULT_TARGET)
    kills = [parse_kill(k) for k in m.get("kills", [])]
    cases = {c for c, _ in kills} if short else None
    res = {"name": m["name"], "side": m["side"], "operator": m["operator"], "target": target,
           "file": m["file"], "models": m["models"], "status": "survived", "killed_by": {}}
    t0 = time.monotonic()
    # Baselines come from the unmutated binaries, before the mutant is applied.
    base1 = baselines.get(target, args.seed, cases)
    base2 = baselines.get(target, args.seed + 1, cases)
    with Applied(build, m):
        if not build.build(m["side"]):
            res["status"] = "does-not-build"
        else:
            mutant_run(build, m, target, cases, base1, base2, args, res)
    # Leave the build as the unmutated tree (the next mutant starts from it).
    if not build.build(m["side"]):
        raise RuntimeError("the tree does not build after restoring %s" % m["name"])
    res["seconds"] = round(time.monotonic() - t0, 1)
    res["expected"] = []
    for case, rid in kills if short else ():
        v, fid = res["killed_by"].get(case, (None, None))
        ok = v is not None and (rid is None or fid == rid)
        res["expected"].append({"case": case, "id": rid, "verdict": v, "failed_id": fid, "ok": ok})
    return res


def mutant_run(build, m, target, cases, base1, base2, args, res):
    """The suite against the applied mutant; fills res."""
    got = run_suite(build, target, args.seed, cases, os.path.join(args.work, "mutant.json"),
                    args.mutant_timeout)
    if got is None:
        res["status"] = "hang"
        return
    first = regressions(base1, got)
    if not first:
        return
    # The same cases, another seed: the kill must not rest on one draw or on timing.
    again = run_suite(build, target, args.seed + 1, set(first), os.path.join(args.work, "confirm.json"),
                      args.mutant_timeout)
    second = regressions({c: base2.get(c, ("PASS", "")) for c in first}, again or {})
    confirmed = {c: first[c] for c in first if c in second and second[c][0] != "MISSING"}
    if confirmed:
        res["status"] = "killed"
        res["killed_by"] = confirmed
    else:
        res["status"] = "unconfirmed"
        res["first_run"] = first


# --- Reporting ----------------------------------------------------------------

def machine_line(src):
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    cc = subprocess.run(["cc", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    commit = subprocess.run(["git", "-C", src, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip() or "unknown"
    dirty = subprocess.run(["git", "-C", src, "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return "%s, %s %s, %d CPUs (%s), %s, source %s%s" % (
        when, platform.system(), platform.release(), os.cpu_count() or 0, cpu or "?", cc,
        commit, " + local changes" if dirty else "")


def killed_text(r):
    if r["status"] != "killed":
        return r["status"]
    parts = []
    order = {"FAIL": 0, "CRASH": 1, "TIMEOUT": 2, "ERROR": 3, "WARNING": 4}
    for case, (v, fid) in sorted(r["killed_by"].items(), key=lambda kv: (order.get(kv[1][0], 5), kv[0])):
        parts.append("%s %s%s" % (case, v, " " + fid if fid else ""))
    more = len(parts) - 2
    return "; ".join(parts[:2]) + (" (+%d more)" % more if more > 0 else "")


def scores(results):
    out = {}
    for side in SIDES:
        mine = [r for r in results if r["side"] == side]
        killed = sum(1 for r in mine if r["status"] == "killed")
        out[side] = (killed, len(mine))
    return out


def print_table(results, machine, elapsed):
    log("")
    log("%-34s %-6s %-22s %-20s %s" % ("mutant", "side", "operator", "target", "result"))
    for r in results:
        log("%-34s %-6s %-22s %-20s %s" % (r["name"], r["side"], r["operator"], r["target"],
                                           killed_text(r)))
    log("")
    for side, (k, n) in scores(results).items():
        if n:
            log("%s mutation score: %d of %d killed (%.1f%%)" % (side, k, n, 100.0 * k / n))
    log("run: %s; %d mutants in %.0f s" % (machine, len(results), elapsed))
    survivors = [r for r in results if r["status"] != "killed"]
    if survivors:
        log("")
        log("survivors:")
        for r in survivors:
            log("  %s (%s, %s): %s" % (r["name"], r["file"], r["status"], r["models"]))


def markdown(results, machine, elapsed):
    lines = ["| mutant | side | operator | bug it models | target | killed by |",
             "|---|---|---|---|---|---|"]
    for r in results:
        kb = killed_text(r).replace("|", "\\|")
        lines.append("| `%s` | %s | %s | %s | %s | %s |" % (
            r["name"], r["side"], r["operator"], r["models"].replace("|", "\\|"), r["target"], kb))
    lines.append("")
    for side, (k, n) in scores(results).items():
        if n:
            lines.append("**%s: %d of %d mutants killed (%.1f%%)**  " % (side, k, n, 100.0 * k / n))
    lines.append("Run %s; %d mutants in %.0f min." % (machine, len(results), elapsed / 60))
    return "\n".join(lines) + "\n"


# --- Main -----------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--list", default=os.path.join(HERE, "mutants.toml"))
    ap.add_argument("--source", default=ROOT, help="the tree to copy (default: this checkout)")
    ap.add_argument("--work", default=os.path.join(ROOT, "build-mutation"),
                    help="copy of the tree, its build and the results (default build-mutation/)")
    ap.add_argument("--short", action="store_true", help="only the short mutants, by their cases")
    ap.add_argument("--check-list", action="store_true", help="check the list and stop")
    ap.add_argument("--only", help="comma-separated mutant names")
    ap.add_argument("--side", choices=SIDES)
    ap.add_argument("--seed", type=int, default=1, help="seed of the run (the kill is confirmed "
                    "with seed + 1)")
    ap.add_argument("--mutant-timeout", type=int, default=600,
                    help="seconds before one suite run is stopped from outside (a hang)")
    ap.add_argument("--markdown", help="write the score table as Markdown to this file")
    ap.add_argument("--json", help="write every result as JSON to this file")
    ap.add_argument("--min-device", type=float, help="fail below this device score (percent)")
    ap.add_argument("--min-driver", type=float, help="fail below this driver score (percent)")
    args = ap.parse_args(argv)

    try:
        mutants = load_mutants(args.list)
    except (OSError, tomllib.TOMLDecodeError) as e:
        log("mutate: %s: %s" % (args.list, e))
        return 1
    errors = check_list(mutants, args.source)
    if errors:
        for e in errors:
            log("mutate: %s" % e)
        return 1
    if args.check_list:
        log("mutate: %d mutants (%d device, %d driver), each applying to exactly one site" % (
            len(mutants), sum(m["side"] == "device" for m in mutants),
            sum(m["side"] == "driver" for m in mutants)))
        return 0
    chosen = mutants
    if args.short:
        chosen = [m for m in chosen if m.get("short")]
    if args.only:
        names = set(args.only.split(","))
        unknown = names - {m["name"] for m in mutants}
        if unknown:
            log("mutate: no such mutants: %s" % ", ".join(sorted(unknown)))
            return 1
        chosen = [m for m in chosen if m["name"] in names]
    if args.side:
        chosen = [m for m in chosen if m["side"] == args.side]
    for tool in ("meson", "ninja"):
        if not shutil.which(tool):
            log("mutate: %s not found (tools/setup.sh installs it)" % tool)
            return 77

    args.work = os.path.abspath(args.work)
    os.makedirs(args.work, exist_ok=True)
    build = Build(args.work)
    t0 = time.monotonic()
    try:
        build.setup(args.source)
    except RuntimeError as e:
        log("mutate: %s" % e)
        return 1
    baselines = Baselines(build, args.work, args.mutant_timeout)
    results = []
    failed = False
    for i, m in enumerate(chosen):
        try:
            r = run_mutant(build, baselines, m, args, args.short)
        except (ListError, RuntimeError) as e:
            log("mutate: %s" % e)
            return 1
        results.append(r)
        log("[%d/%d] %-34s %s (%.0f s)" % (i + 1, len(chosen), m["name"], killed_text(r),
                                           r.get("seconds", 0)))
        if r["status"] == "does-not-build":
            log("mutate: %s does not build; see %s" % (m["name"], build.log))
            failed = True
        if args.short:
            for e in r["expected"]:
                if not e["ok"]:
                    log("mutate: %s must be killed by %s%s; got %s %s" % (
                        m["name"], e["case"], " naming " + e["id"] if e["id"] else "",
                        e["verdict"] or "no regression", e["failed_id"] or ""))
                    failed = True
    elapsed = time.monotonic() - t0
    machine = machine_line(args.source)
    print_table(results, machine, elapsed)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"machine": machine, "seconds": round(elapsed), "results": results}, f,
                      indent=1)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write(markdown(results, machine, elapsed))
    for side, (k, n) in scores(results).items():
        least = args.min_device if side == "device" else args.min_driver
        if least is not None and n and 100.0 * k / n < least:
            log("mutate: %s score %.1f%% below %.1f%%" % (side, 100.0 * k / n, least))
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
