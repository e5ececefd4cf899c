#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Checks the spec's requirement IDs and normative language.

Usage: spec_lint.py [--retired FILE] [--next DEV-MAP] [--provenance-pending FILE]... SPEC.adoc...

Errors (file:line: error CODE: message), exit 1 if any:
  E001 normative key word outside a requirement block
  E002 bullet without a well-formed [[ID]]*ID*: label
  E003 ID not of the form REQ-<DEV|DRV>-<TOPIC>-<NNNN>
  E004 ID defined twice
  E005 retired ID used (defined, referenced, or inside a range <<A>> ... <<B>>)
  E006 ID side does not match the block (DEV in a driver block or the reverse)
  E007 bullet without exactly one normative key word
  E008 unknown topic
  E009 text other than bullets inside a requirement block
  E010 malformed or unclosed block
  E011 label differs from the anchor
  E012 reference to a requirement ID the spec does not define
  E013 requirement anchor outside a requirement block
  E014 line ends with " +" (an AsciiDoc hard line break, usually a split expression)
  E015 key word other than MUST, MUST NOT, SHOULD, SHOULD NOT, MAY in a requirement
  E016 requirement without a provenance line ({prov-TIER} SOURCE as its last line)
  E017 provenance with an unknown tier or without a source
  E018 provenance misplaced: inside the statement, or given twice
  E019 source that does not fit its tier: upstream cites "VIRTIO 1.4 <section>";
       clarification and proposal name a surveyed implementation
  E020 statement without an agent as the subject of its key word ("The device MUST ...",
       "If ..., the driver SHOULD ...", "A device that ... MUST ...")
  E021 appendix "Where deployed implementations differ" cites a clarification (a requirement
       an implementation breaks is a proposal, or upstream)
  E022 proposal that the appendix "Where deployed implementations differ" does not cite
  E100 included file missing
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reqparse  # noqa: E402


ALLOWED_KEYWORDS = ("MUST", "MUST NOT", "SHOULD", "SHOULD NOT", "MAY")
# The clause before the key word starts with the agent that is bound.
SUBJECT_RE = reqparse.re.compile(r"^(the|a|an)\s+(device|driver|frontend|backend)\b",
                                 reqparse.re.IGNORECASE)
UPSTREAM_SOURCE_RE = reqparse.re.compile(r"VIRTIO 1\.4 [0-9]+(\.[0-9]+)*")
# The implementations a clarification or proposal is surveyed against.
IMPLEMENTATIONS_RE = reqparse.re.compile(r"\b(QEMU|crosvm|virglrenderer|Linux|Mesa)\b")


def lint_provenance(req, add, require):
    """require: True, or a function of the requirement saying whether its line is due."""
    rid = req.id
    for line in req.misplaced_prov:
        add(reqparse.Problem(line, "E018", "%s: {prov-...} must start the last continuation line "
                             "of the bullet, after the statement" % rid))
    if not req.provenances:
        due = require(req) if callable(require) else require
        if due and not req.misplaced_prov:
            add(reqparse.Problem(req.line, "E016", "%s has no provenance line; end the bullet with "
                                 "'{prov-TIER} SOURCE' (TIER: %s)" % (rid, ", ".join(reqparse.TIERS))))
        return
    for extra in req.provenances[1:]:
        add(reqparse.Problem(extra.line, "E018", "%s has more than one provenance line" % rid))
    p = req.provenances[0]
    if p.tier not in reqparse.TIERS:
        add(reqparse.Problem(p.line, "E017", "%s: unknown provenance tier %r (known: %s)" %
                             (rid, p.tier, ", ".join(reqparse.TIERS))))
        return
    if not p.source:
        add(reqparse.Problem(p.line, "E017", "%s: {prov-%s} without a source" % (rid, p.tier)))
        return
    if p.tier == "upstream" and not UPSTREAM_SOURCE_RE.search(p.source):
        add(reqparse.Problem(p.line, "E019", "%s: an upstream requirement cites the section it "
                             "restates, as 'VIRTIO 1.4 5.7.6.8 \"title\"'" % rid))
    elif p.tier != "upstream" and not IMPLEMENTATIONS_RE.search(p.source):
        add(reqparse.Problem(p.line, "E019", "%s: a %s names the implementations it was checked "
                             "against (QEMU, crosvm, virglrenderer, Linux, Mesa)" % (rid, p.tier)))


def lint_subject(req, add):
    """The last clause before the key word names the device, driver, frontend or backend."""
    text = reqparse.plain_text(req.text)
    m = reqparse.KEYWORD_RE.search(text)
    if not m:
        return  # E007
    clause = text[:m.start()].strip().split(", ")[-1].strip()
    if not SUBJECT_RE.match(clause):
        add(reqparse.Problem(req.line, "E020", "%s: %r is not an agent; write \"The device %s ...\" "
                             "(or driver, frontend, backend), as VIRTIO does" %
                             (req.id, clause or text[:m.start()].strip(), m.group(1))))


IMPLEMENTATIONS_ANCHOR = "appendix-implementations"
RANGE_RE = reqparse.re.compile(r"<<(REQ-[A-Z]+-[A-Z0-9]+-)([0-9]{4})>>\s*\.\.\.\s*<<\1([0-9]{4})>>")
XREF_RE = reqparse.re.compile(r"<<(REQ-[^,>]+)")


def implementation_citations(spec):
    """The requirements the appendix of implementation differences cites, with the line of the
    first citation: None if the spec has no such appendix.  "<<A>> ... <<B>>" cites every ID
    from A to B."""
    paths = {line.path for line in spec.lines if line.text.strip() == "[[%s]]" % IMPLEMENTATIONS_ANCHOR}
    if not paths:
        return None
    cited = {}
    lines = [line for line in spec.lines if line.path in paths]
    for line in lines:
        for m in XREF_RE.finditer(line.text):
            cited.setdefault(m.group(1).strip(), line)
    text = "\n".join(line.text for line in lines)
    for m in RANGE_RE.finditer(text):
        first = lines[text.count("\n", 0, m.start())]
        for n in range(int(m.group(2)), int(m.group(3)) + 1):
            cited.setdefault("%s%04d" % (m.group(1), n), first)
    return cited


def lint_ranges(spec, retired, add):
    """E005 for a range "<<A>> ... <<B>>" that spans a retired ID: it would still cite it."""
    files = {}
    for line in spec.lines:
        files.setdefault(line.path, []).append(line)
    for lines in files.values():
        text = "\n".join(line.text for line in lines)
        for m in RANGE_RE.finditer(text):
            line = lines[text.count("\n", 0, m.start())]
            for n in range(int(m.group(2)), int(m.group(3)) + 1):
                rid = "%s%04d" % (m.group(1), n)
                if rid in retired:
                    add(reqparse.Problem(line, "E005", "range %s%s ... %s%s spans retired %s; "
                                         "split it" % (m.group(1), m.group(2), m.group(1),
                                                       m.group(3), rid)))


def lint_implementations(spec, add, require_provenance):
    cited = implementation_citations(spec)
    if cited is None:
        return
    by_id = {r.id: r for r in spec.requirements}
    for rid, line in sorted(cited.items()):
        req = by_id.get(rid)
        if req is not None and req.tier == "clarification":
            add(reqparse.Problem(line, "E021", "%s is a clarification, which every surveyed "
                                 "implementation meets; a requirement one of them breaks is a "
                                 "proposal (or upstream)" % rid))
    for req in spec.requirements:
        due = require_provenance(req) if callable(require_provenance) else require_provenance
        if due and req.tier == "proposal" and req.id not in cited:
            add(reqparse.Problem(req.line, "E022", "%s is a proposal: name in the appendix [[%s]] the "
                                 "implementation that lacks it, or list it among the requirements "
                                 "no deployed implementation exercises" %
                                 (req.id, IMPLEMENTATIONS_ANCHOR)))


def lint(spec, retired, require_provenance=True):
    problems = list(spec.problems)
    add = problems.append
    for line, kw in spec.stray_keywords:
        add(reqparse.Problem(line, "E001", "normative key word %s outside a requirement block "
                             "(write it in lower case, or move the statement into a block)" % kw))
    seen = {}
    for req in spec.requirements:
        rid = req.id
        m = reqparse.ID_FULL_RE.match(rid)
        if not m:
            add(reqparse.Problem(req.line, "E003", "malformed requirement ID %r: expected "
                                 "REQ-<DEV|DRV>-<TOPIC>-<NNNN>" % rid))
        else:
            if m.group(2) not in reqparse.TOPICS:
                add(reqparse.Problem(req.line, "E008", "unknown topic %s in %s (known: %s)" %
                                     (m.group(2), rid, " ".join(reqparse.TOPICS))))
            if reqparse.SIDES[m.group(1)] != req.block_side:
                add(reqparse.Problem(req.line, "E006", "%s stands in a %s requirement block" %
                                     (rid, req.block_side)))
            if m.group(3) == "0000":
                add(reqparse.Problem(req.line, "E003", "requirement numbers start at 0001: %s" % rid))
        if req.label != rid:
            add(reqparse.Problem(req.line, "E011", "label %s differs from anchor %s" %
                                 (req.label, rid)))
        if rid in seen:
            add(reqparse.Problem(req.line, "E004", "%s already defined at %s" %
                                 (rid, seen[rid].line.where())))
        else:
            seen[rid] = req
        if rid in retired:
            add(reqparse.Problem(req.line, "E005", "%s is retired (retired.txt line %d) and "
                                 "cannot be used again" % (rid, retired[rid][0])))
        kws = reqparse.keywords(req.text)
        for kw in kws:
            if kw not in ALLOWED_KEYWORDS:
                add(reqparse.Problem(req.line, "E015", "%s uses %s; this spec uses only %s" %
                                     (rid, kw, ", ".join(ALLOWED_KEYWORDS))))
        if len(kws) != 1:
            add(reqparse.Problem(req.line, "E007", "%s has %d normative key words (%s); a bullet "
                                 "holds exactly one testable statement" %
                                 (rid, len(kws), ", ".join(kws) or "none")))
        lint_provenance(req, add, require_provenance)
        due = require_provenance(req) if callable(require_provenance) else True
        if due:
            lint_subject(req, add)
    lint_implementations(spec, add, require_provenance)
    lint_ranges(spec, retired, add)
    for line in spec.lines:
        for m in reqparse.re.finditer(r"\[\[(REQ-[^\],]*)", line.text):
            if m.group(1) not in seen and not line.text.startswith("* "):
                add(reqparse.Problem(line, "E013", "requirement anchor %s outside a requirement "
                                     "block" % m.group(1)))
    verbatim = None
    for line in spec.lines:
        if verbatim:
            verbatim = None if line.text == verbatim else verbatim
            continue
        if line.text in reqparse.VERBATIM_DELIMS:
            verbatim = line.text
            continue
        if line.text.endswith(" +") and not line.text.lstrip().startswith("|"):
            add(reqparse.Problem(line, "E014", "line ends with ' +', which AsciiDoc renders as a "
                                 "hard line break; move the '+' to the next line"))
    for line, target in spec.xrefs:
        if target.startswith("REQ-"):
            if target in retired:
                add(reqparse.Problem(line, "E005", "reference to retired %s" % target))
            elif target not in seen:
                add(reqparse.Problem(line, "E012", "reference to undefined requirement %s" % target))
    problems.sort(key=lambda p: (p.line.path, p.line.lineno, p.code))
    return problems


def provenance_due(pending):
    """The E016 policy: every requirement, except those of the pending chapter files."""
    if not pending:
        return True
    ends = tuple(os.path.normpath(p) for p in pending)
    return lambda req: not os.path.normpath(req.line.path).endswith(ends)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Lint the spec's requirement blocks.")
    ap.add_argument("files", nargs="+", help="top-level .adoc files (includes are followed)")
    ap.add_argument("--retired", help="retired ID list (default: ids/retired.txt next to the spec)")
    ap.add_argument("--next", metavar="SIDE-TOPIC",
                    help="print the next free ID for e.g. DEV-MAP and exit")
    ap.add_argument("--root", help="show paths relative to this directory")
    ap.add_argument("--provenance-pending", action="append", default=[], metavar="FILE",
                    help="do not report missing provenance lines (E016) or subjects (E020) in "
                         "this chapter file while its survey is being written (may be repeated)")
    args = ap.parse_args(argv)

    retired_path = args.retired
    if retired_path is None:
        cand = os.path.join(os.path.dirname(os.path.abspath(args.files[0])), "ids", "retired.txt")
        retired_path = cand if os.path.exists(cand) else None
    retired = reqparse.load_id_list(retired_path)
    spec = reqparse.parse(args.files, args.root)

    if args.next:
        prefix = "REQ-" + args.next.upper().strip("-") + "-"
        used = {r.id for r in spec.requirements} | set(retired)
        n = 1
        while "%s%04d" % (prefix, n) in used:
            n += 1
        print("%s%04d" % (prefix, n))
        return 0

    problems = lint(spec, retired, provenance_due(args.provenance_pending))
    for p in problems:
        print(p, file=sys.stderr)
    n_dev = sum(1 for r in spec.requirements if r.block_side == "device")
    n_drv = len(spec.requirements) - n_dev
    if problems:
        print("spec_lint: %d error(s)" % len(problems), file=sys.stderr)
        return 1
    tiers = {t: sum(1 for r in spec.requirements if r.tier == t) for t in reqparse.TIERS}
    print("spec_lint: ok, %d requirements (%d device, %d driver) in %d blocks; %s" %
          (len(spec.requirements), n_dev, n_drv, len(spec.blocks),
           ", ".join("%d %s" % (n, t) for t, n in tiers.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
