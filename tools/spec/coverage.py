#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Joins the spec's requirements with the IDs that conformance cases cite.

Usage: coverage.py --requirements requirements.json --cases cases.json [--cases more.json]
                   [--untestable spec/ids/untestable.txt] [--pending spec/ids/pending.txt]
                   [--json OUT] [--fail-uncovered] [--exit-zero] [--quiet]

cases.json is what `vgb-conform --list --json` prints: [{"name": "dev.map.basic", "ids": [...]}]
(extra keys are ignored); --cases may be given more than once (e.g. the VM agent's cases from
agent_cases.py).  untestable.txt lines are "ID  reason": requirements no check can verify.
pending.txt lines are "ID  reason": testable requirements whose check is known to be missing
and being written; they stay uncovered in the report but do not fail --fail-uncovered.

Prints a summary, the uncovered requirements and the dangling citations.  Exit status:
0 fine, 1 dangling IDs (a case, untestable.txt or pending.txt names an ID the spec does not
define), or uncovered requirements not listed as pending with --fail-uncovered, 2 bad input.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reqparse  # noqa: E402


class InputError(Exception):
    pass


def load_json(path, what):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        raise InputError("%s %s: %s" % (what, path, e))


def check_cases(cases):
    if not isinstance(cases, list):
        raise InputError("cases: expected a JSON list")
    for i, c in enumerate(cases):
        if not isinstance(c, dict) or not isinstance(c.get("name"), str) or \
                not isinstance(c.get("ids"), list) or \
                not all(isinstance(x, str) for x in c["ids"]):
            raise InputError("cases[%d]: expected {\"name\": str, \"ids\": [str, ...]}" % i)


def join(requirements, cases, untestable, pending=None):
    pending = pending or {}
    by_id = {r["id"]: r for r in requirements}
    cited = {}
    dangling = []
    for c in cases:
        for rid in c["ids"]:
            if rid in by_id:
                cited.setdefault(rid, []).append(c["name"])
            else:
                dangling.append({"case": c["name"], "id": rid})
    for rid, (line, _reason) in sorted(untestable.items()):
        if rid not in by_id:
            dangling.append({"case": "untestable.txt:%d" % line, "id": rid})
    for rid, (line, _reason) in sorted(pending.items()):
        if rid not in by_id:
            dangling.append({"case": "pending.txt:%d" % line, "id": rid})

    rows = []
    for r in requirements:
        rid = r["id"]
        names = sorted(set(cited.get(rid, [])))
        if names:
            status = "covered"
        elif rid in untestable:
            status = "untestable"
        elif rid in pending:
            status = "pending"
        else:
            status = "uncovered"
        rows.append({
            "id": rid, "side": r.get("side"), "topic": r.get("topic"), "tier": r.get("tier"),
            "keyword": r.get("keyword"), "section": r.get("section"), "anchor": r.get("anchor"),
            "text": r.get("text"), "status": status, "cases": names,
            "reason": untestable[rid][1] if rid in untestable else
                      pending[rid][1] if rid in pending else None,
        })

    def count(side=None, status=None):
        return sum(1 for x in rows if (side is None or x["side"] == side) and
                   (status is None or x["status"] == status))

    summary = {}
    for side in ("device", "driver", None):
        key = side or "all"
        total = count(side)
        covered = count(side, "covered")
        unt = count(side, "untestable")
        testable = total - unt
        summary[key] = {
            "requirements": total, "covered": covered, "untestable": unt,
            "pending": count(side, "pending"),
            "uncovered": count(side, "uncovered"),
            "percent_of_testable": round(100.0 * covered / testable, 1) if testable else 100.0,
        }
    # The same per provenance tier: "upstream" is what VIRTIO 1.4 conformance rests on.
    by_tier = {}
    order = ("upstream", "clarification", "proposal")
    for tier in sorted({x["tier"] for x in rows if x["tier"]},
                       key=lambda t: (order.index(t) if t in order else len(order), t)):
        sel = [x for x in rows if x["tier"] == tier]
        n = {st: sum(1 for x in sel if x["status"] == st)
             for st in ("covered", "untestable", "pending", "uncovered")}
        testable = len(sel) - n["untestable"]
        by_tier[tier] = dict(n, requirements=len(sel), percent_of_testable=round(
            100.0 * n["covered"] / testable, 1) if testable else 100.0)
    return {
        "summary": summary,
        "by_tier": by_tier,
        "cases": len(cases),
        "requirements": rows,
        "uncovered": [x["id"] for x in rows if x["status"] == "uncovered"],
        "pending": [x["id"] for x in rows if x["status"] == "pending"],
        "dangling": dangling,
        "covered_but_listed_untestable": sorted(x["id"] for x in rows
                                                if x["status"] == "covered" and x["id"] in untestable),
        "covered_but_listed_pending": sorted(x["id"] for x in rows
                                             if x["status"] == "covered" and x["id"] in pending),
    }


def print_report(rep, out):
    s = rep["summary"]
    for key in ("device", "driver", "all"):
        v = s[key]
        out.write("%-7s %4d requirements: %4d covered, %3d untestable, %3d pending, %4d uncovered "
                  "(%.1f%% of testable)\n" % (key, v["requirements"], v["covered"], v["untestable"],
                                              v["pending"], v["uncovered"], v["percent_of_testable"]))
    for tier, v in rep.get("by_tier", {}).items():
        out.write("tier %-13s %4d requirements: %4d covered, %3d untestable, %3d pending, %4d "
                  "uncovered\n" % (tier, v["requirements"], v["covered"], v["untestable"],
                                   v["pending"], v["uncovered"]))
    if rep["uncovered"]:
        out.write("uncovered:\n")
        for rid in rep["uncovered"]:
            out.write("  %s\n" % rid)
    if rep["pending"]:
        out.write("pending (no check yet; listed in pending.txt):\n")
        reasons = {x["id"]: x["reason"] for x in rep["requirements"]}
        for rid in rep["pending"]:
            out.write("  %s  %s\n" % (rid, reasons[rid]))
    for rid in rep["covered_but_listed_untestable"]:
        out.write("note: %s is covered but listed in untestable.txt\n" % rid)
    for rid in rep["covered_but_listed_pending"]:
        out.write("note: %s is covered but still listed in pending.txt\n" % rid)
    for d in rep["dangling"]:
        out.write("dangling: %s cites %s, which the spec does not define\n" % (d["case"], d["id"]))


def main(argv=None):
    ap = argparse.ArgumentParser(description="Requirement coverage of the conformance cases.")
    ap.add_argument("--requirements", required=True, help="requirements.json from req_extract.py")
    ap.add_argument("--cases", required=True, action="append",
                    help="cases JSON (vgb-conform --list --json); may be repeated")
    ap.add_argument("--untestable", help="ID  reason list")
    ap.add_argument("--pending", help="ID  reason list of checks being written")
    ap.add_argument("--json", dest="json_out", help="write the full report as JSON here")
    ap.add_argument("--fail-uncovered", action="store_true",
                    help="exit 1 when a testable requirement is neither covered nor pending")
    ap.add_argument("--exit-zero", action="store_true",
                    help="report only: exit 0 even with dangling IDs (for build steps)")
    ap.add_argument("--quiet", action="store_true", help="print nothing (with --json)")
    args = ap.parse_args(argv)
    try:
        reqs = load_json(args.requirements, "requirements")
        if not isinstance(reqs, list) or not all(isinstance(r, dict) and "id" in r for r in reqs):
            raise InputError("requirements: expected a list of objects with an id")
        cases = []
        for path in args.cases:
            more = load_json(path, "cases")
            check_cases(more)
            cases += more
        for path in (args.untestable, args.pending):
            if path and not os.path.exists(path):
                raise InputError("ID list %s not found" % path)
        untestable = reqparse.load_id_list(args.untestable)
        pending = reqparse.load_id_list(args.pending)
    except InputError as e:
        print("coverage: %s" % e, file=sys.stderr)
        return 2
    rep = join(reqs, cases, untestable, pending)
    if not args.quiet:
        print_report(rep, sys.stdout)
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as f:
            json.dump(rep, f, indent=2, ensure_ascii=False)
            f.write("\n")
    if args.exit_zero:
        return 0
    if rep["dangling"]:
        return 1
    if args.fail_uncovered and rep["uncovered"]:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
