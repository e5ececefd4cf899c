# SPDX-License-Identifier: MIT
"""Reads the AsciiDoc spec and finds its requirement blocks.

One parser for the lint, the extractor and the upstream exporter, so they agree on
what a requirement is.  A requirement block is a sidebar with role
``requirements.device`` or ``requirements.driver``::

    [.requirements.device]
    .Device requirements: something
    ****
    * [[REQ-DEV-MAP-0001,REQ-DEV-MAP-0001]]*REQ-DEV-MAP-0001*: The device MUST ...
      continuation line
      {prov-upstream} VIRTIO 1.4 5.7.6.8 "Device Operation: controlq (3d)"
    ****

The last continuation line(s) of a bullet, starting with ``{prov-TIER}``, give the
requirement's provenance: its tier (``upstream``, ``clarification``, ``proposal``) and its
source.  They are not part of the statement.
"""

import os
import re

ID_RE = re.compile(r"REQ-(DEV|DRV)-([A-Z]+)-([0-9]{4})")
ID_FULL_RE = re.compile(r"^REQ-(DEV|DRV)-([A-Z]+)-([0-9]{4})$")
ANY_REQ_TOKEN_RE = re.compile(r"REQ-[A-Za-z0-9_-]+")
TOPICS = ("FEAT", "CFG", "SHM", "CMD", "FENCE", "RES", "XFER", "BLOB", "ENTRY", "MAP",
          "CACHE", "COH", "LIFE", "SCANOUT", "ERR", "LIMIT", "RESET", "VU", "CTX", "DISP")
SIDES = {"DEV": "device", "DRV": "driver"}

# Longest alternatives first so "MUST NOT" counts once.
KEYWORD_RE = re.compile(r"(?<![A-Za-z_])(NOT RECOMMENDED|MUST NOT|SHALL NOT|SHOULD NOT|MUST|SHALL|"
                        r"SHOULD|MAY|REQUIRED|RECOMMENDED|OPTIONAL)(?![A-Za-z_])")
BULLET_RE = re.compile(r"^\* (.*)$")
LABEL_RE = re.compile(r"^\[\[([^\],]+)(?:,([^\]]*))?\]\]\*([^*]+)\*: (.*)$")
BLOCK_ROLE_RE = re.compile(r"^\[\.requirements\.(device|driver)\]\s*$")
HEADING_RE = re.compile(r"^(=+) (.+)$")
ANCHOR_LINE_RE = re.compile(r"^\[\[([^\],]+)(?:,[^\]]*)?\]\]\s*$")
INCLUDE_RE = re.compile(r"^include::([^\[]+)\[(.*)\]\s*$")
PROV_RE = re.compile(r"^\{prov-([^}\s]*)\}(?:\s+(.*))?$")
PROV_ANY_RE = re.compile(r"\{prov-[^}\s]*\}")
# upstream: restates VIRTIO 1.4; clarification: upstream is silent and every surveyed
# implementation already behaves so; proposal: new behaviour some deployed implementation lacks.
TIERS = ("upstream", "clarification", "proposal")
# Delimited blocks whose content is verbatim or commented out.
VERBATIM_DELIMS = ("----", "....", "////", "++++")


class Line:
    __slots__ = ("path", "lineno", "text")

    def __init__(self, path, lineno, text):
        self.path = path
        self.lineno = lineno
        self.text = text

    def where(self):
        return "%s:%d" % (self.path, self.lineno)


class Provenance:
    """The {prov-TIER} SOURCE line(s) at the end of a requirement bullet."""

    def __init__(self, line, tier, source):
        self.line = line          # Line where {prov-TIER} stands
        self.tier = tier          # as written; spec_lint checks it is one of TIERS
        self.source = source      # AsciiDoc markup, one line ("" when missing)


class Requirement:
    def __init__(self, req_id, label, text, raw, line, block_side, block_title, sections,
                 provenance=None, misplaced_prov=()):
        self.id = req_id
        self.label = label
        self.text = text          # AsciiDoc markup of the statement, one line, no provenance
        self.raw = raw            # the bullet's lines as written
        self.line = line          # Line of the bullet
        self.block_side = block_side
        self.block_title = block_title
        self.sections = list(sections)  # [(level, title, anchor)] from the chapter down
        self.provenances = list(provenance or [])  # normally exactly one
        self.misplaced_prov = list(misplaced_prov)  # Lines with {prov-...} inside the statement

    @property
    def tier(self):
        return self.provenances[0].tier if self.provenances else None

    @property
    def source(self):
        return self.provenances[0].source if self.provenances else None

    @property
    def side(self):
        m = ID_FULL_RE.match(self.id)
        return SIDES.get(m.group(1)) if m else None

    @property
    def topic(self):
        m = ID_FULL_RE.match(self.id)
        return m.group(2) if m else None


class Block:
    def __init__(self, side, title, line):
        self.side = side
        self.title = title
        self.line = line
        self.requirements = []
        self.sections = []


class Problem:
    def __init__(self, line, code, message):
        self.line = line
        self.code = code
        self.message = message

    def __str__(self):
        return "%s: error %s: %s" % (self.line.where(), self.code, self.message)


def read_lines(path, problems, display_root=None, _seen=None):
    """Lines of path with .adoc includes expanded (other includes are left as lines)."""
    _seen = _seen if _seen is not None else set()
    real = os.path.realpath(path)
    if real in _seen:
        raise ValueError("include loop at %s" % path)
    _seen = _seen | {real}
    shown = os.path.relpath(path, display_root) if display_root else path
    out = []
    with open(path, encoding="utf-8") as f:
        for n, text in enumerate(f.read().split("\n"), 1):
            m = INCLUDE_RE.match(text)
            if m and m.group(1).endswith(".adoc") and "{" not in m.group(1):
                target = os.path.join(os.path.dirname(path), m.group(1))
                if not os.path.exists(target):
                    problems.append(Problem(Line(shown, n, text), "E100",
                                            "included file not found: %s" % m.group(1)))
                    continue
                out.extend(read_lines(target, problems, display_root, _seen))
                continue
            out.append(Line(shown, n, text))
    while out and out[-1].text == "":
        out.pop()
    return out


def strip_markup_for_keywords(text):
    """Removes code spans, anchors and cross references, where capitals are not key words."""
    text = re.sub(r"`[^`]*`", "", text)
    text = re.sub(r"\[\[[^\]]*\]\]", "", text)
    text = re.sub(r"<<[^>]*>>", "", text)
    return text


def keywords(text):
    return KEYWORD_RE.findall(strip_markup_for_keywords(text))


def plain_text(markup, titles=None):
    """AsciiDoc inline markup of a requirement turned into plain text."""
    titles = titles or {}
    t = re.sub(r"<<([^,>]+),([^>]+)>>", r"\2", markup)
    t = re.sub(r"<<([^>]+)>>", lambda m: titles.get(m.group(1).strip(), m.group(1).strip()), t)
    t = t.replace("`", "")
    t = re.sub(r"\^([^^]+)\^", r"^\1", t)
    t = re.sub(r"(?<![A-Za-z0-9])_([^_]+)_(?![A-Za-z0-9])", r"\1", t)
    t = re.sub(r"(?<![A-Za-z0-9])\*([^*]+)\*(?![A-Za-z0-9])", r"\1", t)
    return re.sub(r"\s+", " ", t).strip()


class Spec:
    def __init__(self):
        self.lines = []
        self.blocks = []
        self.requirements = []
        self.problems = []
        self.anchors = set()   # every [[id]] in the document
        self.xrefs = []        # (Line, target)
        self.stray_keywords = []  # (Line, keyword) outside requirement blocks
        self.titles = {}       # anchor -> title of the heading or block it names
        self.headings = []     # (index into lines, level, title, anchor)


def parse(paths, display_root=None):
    """Parses the spec files (each with its .adoc includes) into a Spec."""
    spec = Spec()
    for p in paths:
        spec.lines.extend(read_lines(p, spec.problems, display_root))
    _scan(spec)
    return spec


def _scan(spec):
    lines = spec.lines
    verbatim = None          # delimiter of the verbatim block we are in
    sections = []            # [(level, title, anchor)]
    pending_anchor = None
    pending_role = None      # (side, Line) awaiting the sidebar delimiter
    pending_title = None
    block = None
    bullet = None            # [Line, [texts], [Lines]]
    i = 0

    def split_provenance(parts, plines):
        """(statement parts, [Provenance], [misplaced Lines]) of a bullet's lines."""
        statement, provs, misplaced = [], [], []
        for k, (part, pline) in enumerate(zip(parts, plines)):
            m = PROV_RE.match(part.strip()) if k > 0 else None
            if m:
                provs.append(Provenance(pline, m.group(1), (m.group(2) or "").strip()))
                if PROV_ANY_RE.search(m.group(2) or ""):
                    misplaced.append(pline)
                continue
            if PROV_ANY_RE.search(part):
                misplaced.append(pline)
            if provs:
                # A source may wrap over further continuation lines.
                p = provs[-1]
                p.source = (p.source + " " + part.strip()).strip()
            else:
                statement.append(part)
        return statement, provs, misplaced

    def finish_bullet():
        nonlocal bullet
        if bullet is None:
            return
        first, parts, plines = bullet
        bullet = None
        statement, provs, misplaced = split_provenance(parts, plines)
        joined = " ".join(s.strip() for s in statement)
        m = LABEL_RE.match(joined)
        if not m:
            spec.problems.append(Problem(first, "E002", "requirement bullet does not start with "
                                         "[[REQ-...,REQ-...]]*REQ-...*: (an ID anchor and its "
                                         "label)"))
            return
        anchor, reftext, label, text = m.group(1), m.group(2), m.group(3), m.group(4)
        if reftext is not None and reftext != anchor:
            label = reftext
        req = Requirement(anchor, label, text, parts, first, block.side, block.title, sections,
                          provs, misplaced)
        block.requirements.append(req)
        spec.requirements.append(req)

    while i < len(lines):
        line = lines[i]
        text = line.text
        i += 1
        if verbatim:
            if text == verbatim:
                verbatim = None
            continue
        if text in VERBATIM_DELIMS:
            verbatim = text
            continue
        if text.startswith("//") and not text.startswith("///"):
            continue
        for m in re.finditer(r"\[\[([^\],]+)(?:,[^\]]*)?\]\]", text):
            spec.anchors.add(m.group(1))
        for m in re.finditer(r"<<([^,>]+)(?:,[^>]*)?>>", text):
            spec.xrefs.append((line, m.group(1).strip()))

        if block is not None:
            if text == "****":
                finish_bullet()
                block = None
                continue
            bm = BULLET_RE.match(text)
            if bm:
                finish_bullet()
                bullet = [line, [bm.group(1)], [line]]
                continue
            if text.strip() == "":
                finish_bullet()
                continue
            if bullet is not None and text.startswith("  "):
                bullet[1].append(text)
                bullet[2].append(line)
                continue
            spec.problems.append(Problem(line, "E009", "only requirement bullets may stand in a "
                                         "requirement block"))
            continue

        for kw in keywords(text):
            spec.stray_keywords.append((line, kw))

        rm = BLOCK_ROLE_RE.match(text)
        if rm:
            pending_role = (rm.group(1), line)
            pending_title = None
            continue
        if pending_role is not None:
            if text.startswith(".") and not text.startswith(".."):
                pending_title = text[1:].strip()
                continue
            if text == "****":
                block = Block(pending_role[0], pending_title, pending_role[1])
                block.sections = list(sections)
                spec.blocks.append(block)
                pending_role = None
                continue
            spec.problems.append(Problem(pending_role[1], "E010", "requirement role not followed by "
                                         "a sidebar (****)"))
            pending_role = None

        hm = HEADING_RE.match(text)
        if hm:
            level = len(hm.group(1))
            if pending_anchor:
                spec.titles[pending_anchor] = hm.group(2).strip()
            spec.headings.append((i - 1, level, hm.group(2).strip(), pending_anchor))
            sections = [s for s in sections if s[0] < level] + [(level, hm.group(2).strip(),
                                                                 pending_anchor)]
            pending_anchor = None
            continue
        am = ANCHOR_LINE_RE.match(text)
        if am:
            pending_anchor = am.group(1)
            continue
        if text.startswith(".") and not text.startswith("..") and pending_anchor:
            spec.titles.setdefault(pending_anchor, text[1:].strip())
            continue
        if text.strip() and not text.startswith("["):
            pending_anchor = None

    finish_bullet()
    if block is not None:
        spec.problems.append(Problem(block.line, "E010", "requirement block is not closed"))
    if verbatim:
        spec.problems.append(Problem(lines[-1] if lines else Line("?", 0, ""), "E010",
                                     "delimited block %s is not closed" % verbatim))


def load_id_list(path):
    """IDs (first word of each non-comment line) of retired.txt or untestable.txt."""
    out = {}
    if not path or not os.path.exists(path):
        return out
    with open(path, encoding="utf-8") as f:
        for n, text in enumerate(f, 1):
            s = text.strip()
            if not s or s.startswith("#"):
                continue
            parts = s.split(None, 1)
            out[parts[0]] = (n, parts[1].strip() if len(parts) > 1 else "")
    return out
