#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Extracts the spec's requirements as JSON.

Usage: req_extract.py [-o requirements.json] [--base-url spec.html] SPEC.adoc...

Output: a list, in document order, of
  {"id", "side" ("device"|"driver"), "topic", "keyword", "tier", "source", "text", "section",
   "block", "anchor"}
where text is the statement in plain text, tier is "upstream", "clarification" or "proposal"
and source is where the requirement comes from (plain text), section is "Chapter / Section"
and anchor is "<base-url>#<id>".  Refuses to write anything if the spec does not lint.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reqparse  # noqa: E402
import spec_lint  # noqa: E402


def section_title(req):
    titles = [t for (_lvl, t, _a) in req.sections]
    if len(titles) > 2:
        titles = [titles[0], titles[-1]]
    return " / ".join(titles)


def extract(spec, base_url):
    out = []
    for req in spec.requirements:
        kws = reqparse.keywords(req.text)
        out.append({
            "id": req.id,
            "side": req.side,
            "topic": req.topic,
            "keyword": kws[0] if kws else None,
            "tier": req.tier,
            "source": reqparse.plain_text(req.source, spec.titles) if req.source else None,
            "text": reqparse.plain_text(req.text, spec.titles),
            "section": section_title(req),
            "block": req.block_title or "",
            "anchor": "%s#%s" % (base_url, req.id),
        })
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description="Extract requirements.json from the spec.")
    ap.add_argument("files", nargs="+")
    ap.add_argument("-o", "--output", help="output file (default: stdout)")
    ap.add_argument("--base-url", default="spec.html", help="document the anchors point into")
    ap.add_argument("--retired", help="retired ID list (default: ids/retired.txt next to the spec)")
    ap.add_argument("--provenance-pending", action="append", default=[], metavar="FILE",
                    help="chapter file whose requirements may still lack provenance "
                         "(tier and source null)")
    args = ap.parse_args(argv)

    retired_path = args.retired
    if retired_path is None:
        cand = os.path.join(os.path.dirname(os.path.abspath(args.files[0])), "ids", "retired.txt")
        retired_path = cand if os.path.exists(cand) else None
    spec = reqparse.parse(args.files)
    problems = spec_lint.lint(spec, reqparse.load_id_list(retired_path),
                              spec_lint.provenance_due(args.provenance_pending))
    if problems:
        for p in problems:
            print(p, file=sys.stderr)
        print("req_extract: the spec does not lint; nothing written", file=sys.stderr)
        return 1
    text = json.dumps(extract(spec, args.base_url), indent=2, ensure_ascii=False) + "\n"
    if args.output:
        tmp = args.output + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, args.output)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
