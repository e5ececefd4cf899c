# SPDX-License-Identifier: MIT
"""Known results: the verdicts an implementation is expected to get, with reasons.

A known-results file:
  {"implementation": "...",
   "targets": ["name", ...],                 # targets the file describes
   "per_target": {"name": [ENTRY, ...]},     # checked first, for that target only
   "cases": [ENTRY, ...],                    # then these, in order
   "default": "PASS"}
ENTRY = {"match": "glob of case names", "verdict": "FAIL", "reason": "why", "ref": "upstream ..."}
The first matching entry decides; no match means `default`.

The per-case form the VM known results use is read too:
  {"cases": {"case.name": {"verdict": "FAIL", "ids": [...], "why": "...", "upstream": "..."}}}
where every case is listed and an unlisted one is a difference.

Either form may carry "virtio_1_4_failures": [case name, ...], the expected FAILs that break a
requirement of the upstream tier, i.e. a VIRTIO 1.4 non-conformance of the implementation; every
other expected FAIL breaks a clarification or a proposal (test_known_tiers.py keeps the list
exact).
"""

import fnmatch
import json
import os

VERDICTS = ("PASS", "FAIL", "NOT_SUPPORTED", "WARNING", "ERROR", "CRASH", "TIMEOUT")


class KnownError(Exception):
    pass


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        raise KnownError("%s: %s" % (path, e))
    if isinstance(doc.get("cases"), dict):
        doc["cases"] = [dict(v, match=k, reason=v.get("why", "")) for k, v in doc["cases"].items()]
        doc.setdefault("default", None)
        for e in doc["cases"]:
            if e["verdict"] == "FAIL" and not (e.get("ids") and e.get("upstream")):
                raise KnownError("%s: expected FAIL of %s needs ids and upstream" % (path, e["match"]))
    entries = list(doc.get("cases", []))
    for lst in (doc.get("per_target") or {}).values():
        entries += lst
    for e in entries:
        if not isinstance(e, dict) or "match" not in e or e.get("verdict") not in VERDICTS:
            raise KnownError("%s: bad entry %r" % (path, e))
        if e["verdict"] != "PASS" and not e.get("reason"):
            raise KnownError("%s: entry %s expects %s without a reason" % (path, e["match"], e["verdict"]))
    fails = {e["match"] for e in entries if e["verdict"] == "FAIL"}
    listed = doc.get("virtio_1_4_failures", [])
    if not isinstance(listed, list) or not set(listed) <= fails:
        raise KnownError("%s: virtio_1_4_failures must list expected FAILs only" % path)
    if doc.get("default", "PASS") not in VERDICTS + (None,):
        raise KnownError("%s: bad default" % path)
    doc["_path"] = path
    return doc


def expected(doc, target, case):
    """(verdict, reason) the file expects for case on target."""
    for e in (doc.get("per_target") or {}).get(target, []) + list(doc.get("cases", [])):
        if fnmatch.fnmatchcase(case, e["match"]):
            return e["verdict"], e.get("reason", "")
    return doc.get("default", "PASS") or "UNLISTED", ""


def compare(target, doc):
    diffs, matches = [], 0
    for c in target["cases"]:
        want, reason = expected(doc, target["name"], c["name"])
        if c["verdict"] == want:
            matches += 1
        else:
            diffs.append({"case": c["name"], "expected": want, "got": c["verdict"],
                          "reason": reason, "detail": c.get("detail", "")})
    return {"file": os.path.basename(doc["_path"]), "matches": matches, "differences": diffs}


def file_for(target_name, known_dir, targets_file=None):
    """The known-results file of a target: named in targets.json, else <target>.json."""
    name = target_name + ".json"
    if targets_file and os.path.exists(targets_file):
        with open(targets_file, encoding="utf-8") as f:
            for t in json.load(f).get("targets", []):
                if t.get("name") == target_name and t.get("known_results"):
                    name = t["known_results"]
    path = os.path.join(known_dir, name)
    return path if os.path.exists(path) else None


def compare_all(targets, known_dir, targets_file=None):
    out = {}
    for t in targets:
        path = file_for(t["name"], known_dir, targets_file)
        if path:
            out[t["name"]] = compare(t, load(path))
    return out
