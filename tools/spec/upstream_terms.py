# SPDX-License-Identifier: MIT
"""The words the upstream export uses instead of this project's, and the ones it must not use.

The glossary is a table of the spec itself, after the anchor [[upstream-terms]]:

    [[upstream-terms]]
    ...
    |===
    | This document | VIRTIO
    | host blob | host-only blob resource
    | reference context | —
    |===

A row maps a term of this document to the one the VIRTIO specification uses; "—" marks a
term that exists only here and must not reach an exported patch.  Terms match whole words,
case-insensitively, in prose (never in code spans), longest first, with a plural or possessive
"s" carried over; a capital first letter is kept.  Some words never belong in an exported
patch whatever the glossary says (PROJECT_ONLY).
"""

import re

GLOSSARY_ANCHOR = "upstream-terms"
# Whatever the glossary says: the project's own names and its traceability.
PROJECT_ONLY = ("REQ-DEV-", "REQ-DRV-", "vgb", "virtio-gpu-blob", "conformance suite",
                "reference context", "reference device", "reference driver", "capset 30",
                "known results")
NONE_MARKS = ("—", "-", "--", "")


class GlossaryError(Exception):
    pass


class Glossary:
    def __init__(self, rows):
        self.rows = rows                                   # [(ours, theirs or None)]
        self.map = {o.lower(): t for o, t in rows if t is not None}
        self.project_only = [o for o, t in rows if t is None] + list(PROJECT_ONLY)
        terms = sorted(self.map, key=len, reverse=True)
        self.re = re.compile(r"(?<![\w-])(%s)('?s)?(?![\w-])" % "|".join(re.escape(t) for t in terms),
                             re.I) if terms else None

    def apply(self, text):
        """Plain text with this document's terms replaced by upstream's."""
        if not self.re:
            return text

        def repl(m):
            theirs = self.map[m.group(1).lower()]
            if m.group(1)[0].isupper() and theirs[:1].islower():
                theirs = theirs[0].upper() + theirs[1:]
            return theirs + (m.group(2) or "")
        return self.re.sub(repl, text)

    def project_only_hit(self, text):
        """The first project-only term in text, or None."""
        low = text.lower()
        for term in self.project_only:
            if re.search(r"(?<![\w-])%s(?![\w])" % re.escape(term.lower()), low):
                return term
        return None


def load(spec):
    """The glossary table of a parsed spec (reqparse.Spec); an empty glossary if it has none."""
    lines = [ln.text for ln in spec.lines]
    try:
        start = next(i for i, t in enumerate(lines) if t.strip() == "[[%s]]" % GLOSSARY_ANCHOR)
    except StopIteration:
        return Glossary([])
    try:
        open_ = next(i for i in range(start, len(lines)) if lines[i].strip() == "|===")
        close = next(i for i in range(open_ + 1, len(lines)) if lines[i].strip() == "|===")
    except StopIteration:
        raise GlossaryError("the [[%s]] table is not closed" % GLOSSARY_ANCHOR)
    rows = []
    for t in lines[open_ + 1:close]:
        t = t.strip()
        if not t:
            continue
        cells = [c.strip() for c in t.split("|")[1:]]
        if len(cells) != 2:
            raise GlossaryError("[[%s]] row %r: expected two cells" % (GLOSSARY_ANCHOR, t))
        rows.append((cells[0].strip("_`"), None if cells[1] in NONE_MARKS else cells[1]))
    return Glossary(rows[1:])  # the first row is the header
