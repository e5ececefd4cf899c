# SPDX-License-Identifier: MIT
"""Known results: the verdicts an implementation is expected to get, with reasons.

An expectations file (what an implementation keeps in its own tree and passes on the
command line, --expectations FILE) is text, one expectation per line:

  # comments and blank lines are ignored
  CASE      VERDICT        REASON
  pair.blob.cache_type   FAIL           the firmware maps the BAR uncached (REQ-DRV-CACHE-0004)
  pair.refctx.*          NOT_SUPPORTED  only the reference device has the reference context

CASE is a case name or an fnmatch pattern; the first line that matches a case decides its
expected verdict, and a case no line matches is expected to PASS.  VERDICT is one of
PASS FAIL NOT_SUPPORTED WARNING ERROR CRASH TIMEOUT FLAKY; every verdict but PASS needs a
REASON.  FLAKY accepts PASS too: a case known to be flaky may pass at its first run.

The files of conformance/known-results/ are the same expectations in JSON, with what the
project records beside them (the requirement IDs, the upstream code responsible):
  {"implementation": "...",
   "targets": ["name", ...],                 # targets the file describes
   "per_target": {"name": [ENTRY, ...]},     # checked first, for that target only
   "cases": [ENTRY, ...],                    # then these, in order
   "default": "PASS"}
ENTRY = {"match": "glob of case names", "verdict": "FAIL", "reason": "why", "ref": "upstream ..."}
The first matching entry decides; no match means `default`.

The per-case form the VM known results use is read too:
  {"cases": {"case.name": {"verdict": "FAIL", "ids": [...], "why": "...", "upstream": "..."}}}
where every case is listed and an unlisted one is a difference.  An entry may carry
"may_pass": "why", for a bug that shows only when the implementation's own state makes it
visible (e.g. a heap that happens to hand back cleared memory): PASS then matches too.
An entry may also carry "may_error": {"detail": "text", "why": "..."}, for a case a bug of
the stack under it sometimes kills before it can judge: ERROR then matches too, but only
when the case's detail contains that text. With "verdict": "TIMEOUT" in it, the stack's bug
is a hang and that TIMEOUT matches instead; a list of such objects allows each of them.

Either form may carry "virtio_1_4_failures": [case name, ...], the expected FAILs that break a
requirement of the upstream tier, i.e. a VIRTIO 1.4 non-conformance of the implementation; every
other expected FAIL breaks a clarification or a proposal (test_known_tiers.py keeps the list
exact).
"""

import fnmatch
import json
import os

VERDICTS = ("PASS", "FAIL", "NOT_SUPPORTED", "WARNING", "ERROR", "CRASH", "TIMEOUT", "FLAKY")


class KnownError(Exception):
    pass


def parse_text(text, path="expectations"):
    """The text form: {"cases": [ENTRY, ...], "default": "PASS"}."""
    entries = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 2)
        if len(parts) < 2 or parts[1] not in VERDICTS:
            raise KnownError("%s:%d: expected 'CASE VERDICT REASON', VERDICT one of %s" % (
                path, n, " ".join(VERDICTS)))
        entries.append({"match": parts[0], "verdict": parts[1], "reason": parts[2] if len(parts) > 2 else "",
                        "line": n})
    return {"cases": entries, "default": "PASS"}


def _may_error_list(me):
    return [] if me is None else me if isinstance(me, list) else [me]


def may_error_valid(me):
    """An absent may_error, or one (or a non-empty list of them) with a non-empty 'detail'
    and 'why', and a 'verdict' of ERROR (the default) or TIMEOUT."""
    if isinstance(me, list) and not me:
        return False
    return all(isinstance(m, dict) and all(isinstance(m.get(k), str) and m[k] for k in ("detail", "why"))
               and m.get("verdict", "ERROR") in ("ERROR", "TIMEOUT") for m in _may_error_list(me))


def may_error_allows(me, verdict, detail):
    """Whether an entry's may_error accepts this verdict with this detail."""
    return any(verdict == m.get("verdict", "ERROR") and m["detail"] in detail for m in _may_error_list(me))


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        doc = json.loads(text) if text.lstrip().startswith("{") else parse_text(text, path)
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
        if "may_pass" in e and not (isinstance(e["may_pass"], str) and e["may_pass"]):
            raise KnownError("%s: entry %s: may_pass says why the case can pass" % (path, e["match"]))
        if not may_error_valid(e.get("may_error")):
            raise KnownError("%s: entry %s: may_error needs a 'detail' the ERROR (or TIMEOUT) must contain "
                             "and a 'why'" % (path, e["match"]))
    fails = {e["match"] for e in entries if e["verdict"] == "FAIL"}
    listed = doc.get("virtio_1_4_failures", [])
    if not isinstance(listed, list) or not set(listed) <= fails:
        raise KnownError("%s: virtio_1_4_failures must list expected FAILs only" % path)
    if doc.get("default", "PASS") not in VERDICTS + (None,):
        raise KnownError("%s: bad default" % path)
    doc["_path"] = path
    return doc


def entry_for(doc, target, case):
    """The entry that decides case on target, or None (the file's default)."""
    for e in (doc.get("per_target") or {}).get(target, []) + list(doc.get("cases", [])):
        if fnmatch.fnmatchcase(case, e["match"]):
            return e
    return None


def expected(doc, target, case):
    """(verdict, reason) the file expects for case on target."""
    e = entry_for(doc, target, case)
    if e is None:
        return doc.get("default", "PASS") or "UNLISTED", ""
    return e["verdict"], e.get("reason", "")


def acceptable(doc, target, case, detail=""):
    """The verdicts that match the file for case on target: the expected one, PASS
    where the entry says why the bug does not always show ("may_pass"), and ERROR
    where its detail contains the text of the entry's "may_error" (TIMEOUT where that says so)."""
    want, _ = expected(doc, target, case)
    e = entry_for(doc, target, case)
    ok = {want, "PASS"} if want == "FLAKY" or (e and e.get("may_pass")) else {want}
    for v in ("ERROR", "TIMEOUT"):
        if e and may_error_allows(e.get("may_error"), v, detail):
            ok.add(v)
    return ok



def compare(target, doc):
    diffs, matches = [], 0
    for c in target["cases"]:
        want, reason = expected(doc, target["name"], c["name"])
        if c["verdict"] in acceptable(doc, target["name"], c["name"], c.get("detail", "")):
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
