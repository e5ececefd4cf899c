#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes the spec's index of requirements: every ID with its tier and what checks it.

Usage: req_index.py --requirements requirements.json [--coverage coverage.json] -o index.adoc

The output is an AsciiDoc appendix the rendered spec includes: one table in document order, a
heading row per chapter, and for each requirement its ID (a link to it), its provenance tier,
its section, and the conformance cases that check it (or why none does: untestable, pending).
Without --coverage (the suite was not built) the last column says so.
"""

import argparse
import json
import os
import sys

TIERS = ("upstream", "clarification", "proposal")


def cell(text):
    """Text safe inside an AsciiDoc table cell."""
    return text.replace("|", "{vbar}")


def checked_by(cov):
    if cov is None:
        return "_not listed: the conformance suite was not built_"
    status = cov.get("status")
    if status == "covered":
        return ", ".join("`%s`" % c for c in cov.get("cases", []))
    if status in ("untestable", "pending"):
        return "_%s_: %s" % (status, cell(cov.get("reason") or ""))
    return "_not checked_"


def render(reqs, coverage):
    by_id = {c["id"]: c for c in coverage} if coverage is not None else None
    counts = {t: sum(1 for r in reqs if r.get("tier") == t) for t in TIERS}
    out = ["[appendix]", "[[appendix-index]]", "= Index of requirements", "",
           "Every requirement of this document in the order it appears: its provenance tier "
           "(<<provenance>>), where it stands, and the conformance cases that check it "
           "(<<conformance-checking>>). %d requirements: %s." % (
               len(reqs), ", ".join("%d %s" % (n, t) for t, n in counts.items())), ""]
    if by_id is not None:
        n = {s: sum(1 for c in coverage if c.get("status") == s)
             for s in ("covered", "untestable", "pending")}
        out += ["Checked by at least one case: %d. Not checkable from outside an implementation: "
                "%d. A check being written: %d." % (n["covered"], n["untestable"], n["pending"]),
                ""]
    out += ['[.requirements-index,cols="4,3,5,12",options="header"]', "|===",
            "| Requirement | Tier | Section | Checked by"]
    chapter = None
    for r in reqs:
        ch = (r.get("section") or "").split(" / ")[0]
        if ch != chapter:
            chapter = ch
            out += ["", "4+h| %s" % cell(ch)]
        tier = r.get("tier")
        badge = "{prov-%s}" % tier if tier in TIERS else "—"
        section = (r.get("section") or "").split(" / ")[-1]
        cov = by_id.get(r["id"]) if by_id is not None else None
        out.append("| <<%s>> | %s | %s | %s" % (r["id"], badge, cell(section), checked_by(cov)))
    out += ["|===", ""]
    return "\n".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Write the index of requirements (AsciiDoc).")
    ap.add_argument("--requirements", required=True, help="requirements.json of req_extract.py")
    ap.add_argument("--coverage", help="coverage.json of coverage.py")
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args(argv)
    try:
        with open(args.requirements, encoding="utf-8") as f:
            reqs = json.load(f)
        coverage = None
        if args.coverage:
            with open(args.coverage, encoding="utf-8") as f:
                coverage = json.load(f)["requirements"]
    except (OSError, ValueError, KeyError) as e:
        print("req_index: %s" % e, file=sys.stderr)
        return 1
    tmp = args.output + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(render(reqs, coverage))
    os.replace(tmp, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
