"""Known results: the verdict each case is expected to get in a configuration,
with the reason for every expected non-PASS (conformance/known-results/).

An entry may carry "may_error": {"detail": "text", "why": "..."} for a case that a
bug of the stack under it sometimes kills before it can judge: ERROR then matches
too, but only when the case's detail contains that text ("verdict": "TIMEOUT" in it
for a hang; a list allows each of its objects)."""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "report"))
import known_results  # noqa: E402  (one check of an entry's may_error, shared with the report)

KNOWN_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "known-results")


def path_for(config_name):
    return os.path.join(KNOWN_DIR, f"{config_name}.json")


def load(config_name):
    """The file's contents, or None when the configuration has none yet."""
    p = path_for(config_name)
    if not os.path.exists(p):
        return None
    with open(p) as f:
        known = json.load(f)
    problems = validate(known)
    if problems:
        raise ValueError(f"{p}: " + "; ".join(problems))
    return known


def validate(known):
    """Every expected non-PASS verdict must say why (and cite what it breaks)."""
    problems = []
    for name, exp in known.get("cases", {}).items():
        v = exp.get("verdict")
        if v not in ("PASS", "FAIL", "WARNING", "NOT_SUPPORTED", "ERROR", "TIMEOUT"):
            problems.append(f"{name}: bad verdict {v!r}")
        if v != "PASS" and not exp.get("why"):
            problems.append(f"{name}: expected {v} without a 'why'")
        if v in ("FAIL", "WARNING") and not (exp.get("upstream") and exp.get("ids")):
            problems.append(f"{name}: an expected {v} needs 'ids' and an 'upstream' reference")
        if not known_results.may_error_valid(exp.get("may_error")):
            problems.append(f"{name}: may_error needs a 'detail' the ERROR (or TIMEOUT) must contain and a 'why'")
    fails = {n for n, e in known.get("cases", {}).items() if e.get("verdict") == "FAIL"}
    for name in known.get("virtio_1_4_failures", []):
        if name not in fails:
            problems.append(f"virtio_1_4_failures names {name}, which is not an expected FAIL")
    return problems


def matches(exp, case):
    """Whether a case result gets the verdict its entry expects, or an ERROR the
    entry's may_error allows (or a TIMEOUT, where it says so)."""
    if case["verdict"] == exp["verdict"]:
        return True
    return known_results.may_error_allows(exp.get("may_error"), case["verdict"], case.get("detail", ""))


def compare(target, known):
    """Differences between a results target and its known results, as text."""
    got = {c["name"]: c for c in target.get("cases", [])}
    diffs = []
    for name, exp in known.get("cases", {}).items():
        c = got.get(name)
        if c is None:
            diffs.append(f"{name}: expected {exp['verdict']}, not reported")
        elif not matches(exp, c):
            diffs.append(f"{name}: expected {exp['verdict']}, got {c['verdict']} ({c.get('detail', '')})")
    for name in got:
        if name not in known.get("cases", {}):
            diffs.append(f"{name}: {got[name]['verdict']} but absent from the known results")
    return diffs
