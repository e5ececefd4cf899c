#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Turns chosen requirement blocks and sections of the spec into a patch series for the
VIRTIO specification (oasis-tcs/virtio-spec), as plain-text mails in `git format-patch` form
for the virtio-comment list.

Usage:
  upstream_export.py --spec spec/spec.adoc --series SERIES.json --upstream VIRTIO_SPEC_DIR
                     --out DIR [--version N] [--from "Name <mail>"] [--signoff "Name <mail>"]...
                     [--fixes NNN] [--to ADDR] [--date 2026-11-25T12:00:00+00:00]
                     [--results RESULTS.json]... [--cases CASES.json]... [--tex-only]

SERIES.json:
  {"cover": {"subject": "...", "body": "..."},
   "fixes": 223,                                  (optional; --fixes overrides)
   "xrefs": {"<spec anchor>": "TeX text"},        (optional; see below)
   "patches": [
     {"subject": "...", "body": "...", "feature_bit": null,   (or the bit the patch proposes)
      "edits": [
        {"file": "device-types/gpu/description.tex",
         "insert_before": "<a line that occurs exactly once in the file>",   (or "create": true)
         "content": [
           {"heading": "Device Operation: ...", "ref": "Device Types / GPU Device / ..."},
           {"section": "<spec anchor>", "sectioning": "none"},
           {"text": ["a paragraph in the spec's inline markup", ...]},
           {"section": "<spec anchor>", "sectioning": "subsubsection",
            "title": "Device Operation: ...", "ref": "Device Types / GPU Device / ..."},
           {"requirements": ["REQ-DEV-MAP-*", "REQ-DEV-CACHE-0001"],
            "sectioning": "paragraph", "title": "Device Operation: ...",
            "ref": "Device Types / GPU Device / Device Operation / Device Operation: ..."}
         ]}]}]}

Each topic gets its own \\subsubsection: a heading item (title and label, no text), or a section
item with sectioning "subsubsection".  A section item with sectioning "none" adds the section's
prose under the heading before it: paragraphs, lists, definition lists and notes; tables,
listings and figures are left out (with a warning).  A text item adds paragraphs of its own,
for a topic whose section in the spec speaks of this project rather than of the device; they
go through the same glossary and checks as the rest.  A requirements item becomes
\\devicenormative{\\paragraph}{title}{ref} (or \\drivernormative) followed by an itemize of the
statements; the matching conformance file (device-types/gpu/device-conformance.tex or
driver-conformance.tex) gets an \\item \\ref{devicenormative:ref}.  The cover letter says which
requirement each patch states.

The exported text speaks VIRTIO's language: the glossary of the spec (upstream_terms.py)
replaces this document's terms with upstream's, and a patch that would still contain a term
that exists only in this project (the reference context, requirement IDs, ...) is refused.  A
cross reference must resolve: to a section or heading the series exports, in this patch or an
earlier one (\\ref{sec:...}), to a requirement it exports (\\ref{devicenormative:...}), or to
the text the series gives for it in "xrefs"; anything else is an error, never a dangling title.

With --results (conformance results, or known results in per-case form) and --cases (case
catalogues), the cover letter gets the series' compatibility impact: which implementation the
suite measured as non-conforming to which requirement, what the requirements' sources say
about the ones nothing measured, and which patch proposes a feature bit (upstream_impact.py).

The diffs are computed against the files of --upstream, patch after patch, so the series applies
with `git am` on that tree.  With a fixed --date the output is byte-for-byte reproducible.
"""

import argparse
import datetime
import difflib
import email.utils
import fnmatch
import hashlib
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reqparse  # noqa: E402
import spec_lint  # noqa: E402
import upstream_impact  # noqa: E402
import upstream_terms  # noqa: E402

DEFAULT_TO = "virtio-comment@lists.linux.dev"
GIT_VERSION = "2.39.5"
CONFORMANCE_FILES = {
    "device": "device-types/gpu/device-conformance.tex",
    "driver": "device-types/gpu/driver-conformance.tex",
}

# Short names used in our prose and their full upstream spelling.
FULL_NAMES = {}
for _n in ("GET_DISPLAY_INFO RESOURCE_CREATE_2D RESOURCE_UNREF SET_SCANOUT RESOURCE_FLUSH "
           "TRANSFER_TO_HOST_2D RESOURCE_ATTACH_BACKING RESOURCE_DETACH_BACKING GET_CAPSET_INFO "
           "GET_CAPSET GET_EDID RESOURCE_ASSIGN_UUID RESOURCE_CREATE_BLOB SET_SCANOUT_BLOB "
           "CTX_CREATE CTX_DESTROY CTX_ATTACH_RESOURCE CTX_DETACH_RESOURCE RESOURCE_CREATE_3D "
           "TRANSFER_TO_HOST_3D TRANSFER_FROM_HOST_3D SUBMIT_3D RESOURCE_MAP_BLOB "
           "RESOURCE_UNMAP_BLOB UPDATE_CURSOR MOVE_CURSOR").split():
    FULL_NAMES[_n] = "VIRTIO_GPU_CMD_" + _n
for _n in ("OK_NODATA OK_DISPLAY_INFO OK_CAPSET_INFO OK_CAPSET OK_EDID OK_RESOURCE_UUID "
           "OK_MAP_INFO ERR_UNSPEC ERR_OUT_OF_MEMORY ERR_INVALID_SCANOUT_ID "
           "ERR_INVALID_RESOURCE_ID ERR_INVALID_CONTEXT_ID ERR_INVALID_PARAMETER").split():
    FULL_NAMES[_n] = "VIRTIO_GPU_RESP_" + _n
for _n in ("GUEST", "HOST3D", "HOST3D_GUEST"):
    FULL_NAMES[_n] = "VIRTIO_GPU_BLOB_MEM_" + _n
for _n in ("USE_MAPPABLE", "USE_SHAREABLE", "USE_CROSS_DEVICE"):
    FULL_NAMES[_n] = "VIRTIO_GPU_BLOB_FLAG_" + _n
for _n in ("NONE", "CACHED", "UNCACHED", "WC"):
    FULL_NAMES[_n] = "VIRTIO_GPU_MAP_CACHE_" + _n

TEX_SPECIALS = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&",
                "#": r"\#", "$": r"\$", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


class ExportError(Exception):
    pass


def tex_escape(text):
    # Underscores stay as they are: the upstream spec loads the underscore package.
    return "".join(TEX_SPECIALS.get(c, c) for c in text)


def code_to_tex(code):
    if code in FULL_NAMES:
        return FULL_NAMES[code]
    if re.fullmatch(r"[A-Z0-9_]+(\(\d+\))?", code) or code.startswith("<"):
        return tex_escape(code)
    if re.fullmatch(r"[a-z_][A-Za-z0-9_.]*(\[[0-9.]*\])?", code):
        return r"\field{%s}" % tex_escape(code)
    return r"\texttt{%s}" % tex_escape(code)


class Converter:
    """AsciiDoc inline markup -> upstream TeX, in upstream's terms, with resolved references."""

    def __init__(self, spec, warn, glossary=None, exported=None, xrefs=None):
        self.spec = spec
        self.warn = warn
        self.glossary = glossary or upstream_terms.Glossary([])
        self.exported = exported or {}   # spec anchor or requirement id -> (patch, TeX label)
        self.xrefs = xrefs or {}         # spec anchor -> TeX text given by the series
        self.patch = 0                   # the patch being written (1-based)

    def reference(self, target, label):
        """TeX for <<target>> or <<target,label>>; ExportError when it would dangle."""
        if target in self.xrefs:
            return self.xrefs[target]
        hit = self.exported.get(target)
        if hit is None or hit[0] > self.patch:
            what = self.spec.titles.get(target, target)
            why = ("is exported only by patch %d" % hit[0]) if hit else "is not exported"
            raise ExportError("patch %d refers to %s (%s), which %s by this series: export it "
                              "in this or an earlier patch, or give its text in \"xrefs\"" %
                              (self.patch, target, what, why))
        ref = r"\ref{%s}" % hit[1]
        return "%s (%s)" % (self.inline(label), ref) if label else ref

    def inline(self, text):
        out = []
        pos = 0
        token = re.compile(r"`([^`]+)`|<<([^,>]+)(?:,([^>]+))?>>|\[\[[^\]]*\]\]|"
                           r"(?<![A-Za-z0-9])\*([^*]+)\*(?![A-Za-z0-9])|"
                           r"(?<![A-Za-z0-9])_([^_]+)_(?![A-Za-z0-9])|\^([^^]+)\^|×|->|\.\.\.")
        for m in token.finditer(text):
            out.append(self.plain(text[pos:m.start()]))
            pos = m.end()
            whole = m.group(0)
            if m.group(1) is not None:
                out.append(code_to_tex(m.group(1)))
            elif m.group(2) is not None:
                out.append(self.reference(m.group(2).strip(), m.group(3)))
            elif whole.startswith("[["):
                continue
            elif m.group(4) is not None:
                out.append(r"\textbf{%s}" % self.inline(m.group(4)))
            elif m.group(5) is not None:
                out.append(r"\emph{%s}" % self.inline(m.group(5)))
            elif m.group(6) is not None:
                out.append(r"$^{%s}$" % tex_escape(m.group(6)))
            elif whole == "×":
                out.append(r"$\times$")
            elif whole == "->":
                out.append(r"$\rightarrow$")
            else:
                out.append(r"\ldots{}")
        out.append(self.plain(text[pos:]))
        return "".join(out)

    def plain(self, text):
        text = self.glossary.apply(text)
        return tex_escape(text.replace("\u2014", "---").replace("\u2013", "--"))


def wrap(text, width=72, hang=""):
    """Fills text to width; lines after the first start with hang.  A \\ref{...} is never split,
    so that its label stays on one line."""
    text = re.sub(r"\\ref\{[^}]*\}", lambda m: m.group(0).replace(" ", "\0"), text)
    lines, cur = [], ""
    for w in (w.replace("\0", " ") for w in text.split()):
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = hang + w
        else:
            cur = cur + " " + w if cur else w
    if cur:
        lines.append(cur)
    return lines


def select_requirements(spec, patterns):
    chosen = []
    for pat in patterns:
        hits = [r for r in spec.requirements if fnmatch.fnmatchcase(r.id, pat)]
        if not hits:
            raise ExportError("no requirement matches %s" % pat)
        chosen.extend(h for h in hits if h not in chosen)
    return chosen


def normative_tex(conv, item, spec):
    reqs = select_requirements(spec, item["requirements"])
    sides = {r.side for r in reqs}
    if len(sides) != 1:
        raise ExportError("block %r mixes device and driver requirements" % item.get("title"))
    side = sides.pop()
    for key in ("title", "ref"):
        if not item.get(key):
            raise ExportError("requirements item needs %r" % key)
    macro = "devicenormative" if side == "device" else "drivernormative"
    lines = [r"\%s{\%s}{%s}{%s}" % (macro, item.get("sectioning", "paragraph"), item["title"],
                                     item["ref"]), "", r"\begin{itemize}"]
    same = {r.id for r in reqs}
    for r in reqs:
        text = re.sub(r"\s*\(<<(REQ-[A-Z0-9-]+)>>\)",
                      lambda m: "" if m.group(1) in same else m.group(0), r.text)
        lines.extend(wrap(r"\item " + conv.inline(text), hang="  "))
    lines.append(r"\end{itemize}")
    return lines, (side, item["ref"], [r.id for r in reqs])


def section_lines(spec, anchor):
    """The source lines of a section's own text (up to the next heading of any level)."""
    for n, (idx, level, title, anc) in enumerate(spec.headings):
        if anc == anchor:
            end = len(spec.lines)
            for idx2, _lvl2, _t2, _a2 in spec.headings[n + 1:]:
                end = idx2
                break
            return title, [ln.text for ln in spec.lines[idx + 1:end]]
    raise ExportError("no section with anchor %s" % anchor)


def section_tex(conv, item, spec):
    title, src = section_lines(spec, item["section"])
    sectioning = item.get("sectioning", "subsubsection")
    out = []
    if sectioning != "none":
        head = r"\%s{%s}" % (sectioning, item.get("title") or conv.inline(title))
        if item.get("ref"):
            head += r"\label{sec:%s}" % item["ref"]
        out = [head, ""]
    para = []
    lists = []   # stack of "itemize"/"enumerate"/"description"
    i = 0

    def flush():
        if para:
            out.extend(wrap(conv.inline(" ".join(para))))
            out.append("")
            para.clear()

    def close_lists():
        while lists:
            out.append(r"\end{%s}" % lists.pop())
            out.append("")

    while i < len(src):
        line = src[i]
        i += 1
        s = line.strip()
        if s in ("----", "....", "|===", "****", "++++", "////", "===="):
            flush()
            close_lists()
            kind = {"----": "listing", "....": "listing", "|===": "table", "****": "sidebar",
                    "++++": "passthrough", "////": "comment", "====": "example"}[s]
            while i < len(src) and src[i].strip() != s:
                i += 1
            i += 1
            if kind not in ("comment", "sidebar"):
                conv.warn("section %s: a %s is left out of the export" % (item["section"], kind))
            continue
        if s.startswith("image::"):
            flush()
            close_lists()
            conv.warn("section %s: a figure is left out of the export" % item["section"])
            continue
        if (s.startswith("[") and s.endswith("]")) or s.startswith("include::") or \
                (s.startswith(".") and not s.startswith("..") and not s.startswith(". ")):
            continue
        if not s:
            flush()
            continue
        m = re.match(r"^(\*|\.) (.*)$", s)
        dm = re.match(r"^(.+?)::\s*(.*)$", s)
        if m:
            flush()
            env = "itemize" if m.group(1) == "*" else "enumerate"
            if not lists or lists[-1] != env:
                close_lists()
                out.append(r"\begin{%s}" % env)
                lists.append(env)
            text = [m.group(2)]
            while i < len(src) and src[i].strip() and not re.match(r"^(\*|\.) ", src[i].strip()) \
                    and src[i].startswith(" "):
                text.append(src[i].strip())
                i += 1
            out.extend(wrap(r"\item " + conv.inline(" ".join(text)), hang="  "))
            continue
        if dm and not s.startswith("NOTE"):
            flush()
            if not lists or lists[-1] != "description":
                close_lists()
                out.append(r"\begin{description}")
                lists.append("description")
            text = [dm.group(2)]
            while i < len(src) and src[i].strip() and "::" not in src[i]:
                text.append(src[i].strip())
                i += 1
            out.extend(wrap(r"\item[%s] " % conv.inline(dm.group(1)) +
                            conv.inline(" ".join(text)), hang="  "))
            continue
        if lists and not line.startswith(" "):
            close_lists()
        para.append(s)
    flush()
    close_lists()
    while out and out[-1] == "":
        out.pop()
    return out, None


def heading_tex(item):
    for key in ("heading", "ref"):
        if not item.get(key):
            raise ExportError("heading item needs %r" % key)
    return [r"\%s{%s}\label{sec:%s}" % (item.get("sectioning", "subsubsection"), item["heading"],
                                         item["ref"])]


def text_tex(conv, item):
    paras = item["text"]
    if isinstance(paras, str) or not paras or not all(isinstance(p, str) and p.strip()
                                                       for p in paras):
        raise ExportError("text item needs a list of non-empty paragraphs")
    out = []
    for p in paras:
        if out:
            out.append("")
        out.extend(wrap(conv.inline(" ".join(p.split()))))
    return out


def render_content(conv, spec, content):
    lines, refs = [], []
    for n, item in enumerate(content):
        if n:
            lines.append("")
        if "requirements" in item:
            tex, ref = normative_tex(conv, item, spec)
            refs.append(ref)
        elif "section" in item:
            tex, _ = section_tex(conv, item, spec)
        elif "heading" in item:
            tex = heading_tex(item)
        elif "text" in item:
            tex = text_tex(conv, item)
        else:
            raise ExportError("content item needs 'requirements', 'section', 'heading' or 'text'")
        lines.extend(tex)
    return lines, refs


def exported_targets(series, spec):
    """What a cross reference may point at: {spec anchor or requirement id: (patch, TeX label)}."""
    out = {}
    for k, p in enumerate(series.get("patches") or [], 1):
        for edit in p.get("edits", []):
            for item in edit.get("content", []):
                if "requirements" in item:
                    side = select_requirements(spec, item["requirements"])[0].side
                    label = "%snormative:%s" % ("device" if side == "device" else "driver",
                                                item.get("ref", ""))
                    for r in select_requirements(spec, item["requirements"]):
                        out.setdefault(r.id, (k, label))
                elif item.get("ref") and (item.get("section") or item.get("anchor")):
                    out.setdefault(item.get("section") or item["anchor"], (k, "sec:" + item["ref"]))
    return out


def check_project_only(glossary, k, path, lines):
    """Refuses a patch whose text names what exists only in this project."""
    for ln in lines:
        hit = glossary.project_only_hit(ln)
        if hit:
            raise ExportError("patch %d, %s: %r exists only in this project, not upstream: %s" %
                              (k, path, hit, ln.strip()))


def apply_edit(files, edit, new_lines):
    path = edit["file"]
    block = "\n".join(new_lines) + "\n"
    if edit.get("create"):
        if path in files:
            raise ExportError("%s already exists upstream" % path)
        files[path] = block
        return
    if path not in files:
        raise ExportError("%s not found in the upstream tree" % path)
    text = files[path]
    anchor = edit.get("insert_before")
    if not anchor:
        raise ExportError("edit of %s needs insert_before or create" % path)
    lines = text.split("\n")
    hits = [n for n, ln in enumerate(lines) if ln == anchor]
    if len(hits) != 1:
        raise ExportError("insert_before line %r occurs %d times in %s" % (anchor, len(hits), path))
    n = hits[0]
    lines[n:n] = block.rstrip("\n").split("\n") + [""]
    files[path] = "\n".join(lines)


def add_conformance(files, side, ref):
    path = CONFORMANCE_FILES[side]
    if path not in files:
        raise ExportError("%s not found in the upstream tree" % path)
    macro = "devicenormative" if side == "device" else "drivernormative"
    item = r"\item \ref{%s:%s}" % (macro, ref)
    lines = files[path].split("\n")
    if item in lines:
        return
    ends = [n for n, ln in enumerate(lines) if ln.strip() == r"\end{itemize}"]
    if not ends:
        raise ExportError("no itemize in %s" % path)
    lines.insert(ends[0], item)
    files[path] = "\n".join(lines)


def git_blob_id(text):
    data = text.encode("utf-8")
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def file_diff(path, old, new):
    a = old.splitlines(keepends=True) if old is not None else []
    b = new.splitlines(keepends=True)
    body = []
    for ln in difflib.unified_diff(a, b, "a/" + path if old is not None else "/dev/null",
                                   "b/" + path, n=3):
        if ln.startswith("---") or ln.startswith("+++"):
            body.append(ln if ln.endswith("\n") else ln + "\n")
            continue
        if ln.startswith("@@"):
            ln = re.sub(r" @@.*$", " @@", ln.rstrip("\n")) + "\n"
        body.append(ln if ln.endswith("\n") else ln + "\n\\ No newline at end of file\n")
    body = [re.sub(r"^(---|\+\+\+) (\S+)\t?.*$", r"\1 \2", ln.rstrip("\n")) + "\n"
            if ln.startswith(("---", "+++")) else ln for ln in body]
    added = sum(1 for ln in body if ln.startswith("+") and not ln.startswith("+++"))
    removed = sum(1 for ln in body if ln.startswith("-") and not ln.startswith("---"))
    head = ["diff --git a/%s b/%s\n" % (path, path)]
    if old is None:
        head.append("new file mode 100644\n")
        head.append("index 0000000..%s\n" % git_blob_id(new)[:7])
    else:
        head.append("index %s..%s 100644\n" % (git_blob_id(old)[:7], git_blob_id(new)[:7]))
    return "".join(head + body), added, removed


def diffstat(stats):
    if not stats:
        return ""
    width = max(len(p) for p, _a, _r in stats)
    most = max(a + r for _p, a, r in stats)
    scale = min(1.0, 50.0 / most) if most else 1.0
    lines = []
    for p, a, r in stats:
        pa, pr = int(round(a * scale)), int(round(r * scale))
        if a and not pa:
            pa = 1
        if r and not pr:
            pr = 1
        lines.append(" %-*s | %*d %s%s" % (width, p, len(str(most)), a + r, "+" * pa, "-" * pr))
    tot_a = sum(a for _p, a, _r in stats)
    tot_r = sum(r for _p, _a, r in stats)
    summary = " %d file%s changed" % (len(stats), "" if len(stats) == 1 else "s")
    if tot_a:
        summary += ", %d insertion%s(+)" % (tot_a, "" if tot_a == 1 else "s")
    if tot_r:
        summary += ", %d deletion%s(-)" % (tot_r, "" if tot_r == 1 else "s")
    return "\n".join(lines) + "\n" + summary + "\n"


def mail(headers, body):
    return "".join("%s: %s\n" % kv for kv in headers) + "\n" + body


def impact_lines(spec, stated, patches, sources, reference=None):
    """The cover letter's compatibility impact: measured non-conformance, then the sources of
    what nothing measured, then the feature bits (plain text, 72 columns)."""
    by_id = {r.id: r for r in spec.requirements}
    order = [rid for k in sorted(stated) for rid in stated[k]]
    patch_of = {rid: k for k in stated for rid in stated[k]}
    tiers = {t: sum(1 for rid in order if by_id[rid].tier == t) for t in reqparse.TIERS}
    untiered = len(order) - sum(tiers.values())
    out = ["Compatibility impact", ""]
    out += wrap("The series states %d requirements. Restating VIRTIO 1.4: %d. Making explicit "
                "what every surveyed implementation already does: %d. Proposals that some "
                "deployed implementation does not follow yet: %d.%s" % (
                    len(order), tiers["upstream"], tiers["clarification"], tiers["proposal"],
                    " Without a tier yet: %d." % untiered if untiered else "")) + [""]
    measured = upstream_impact.measure(sources, order, reference)
    if sources:
        out += wrap("Measured with a conformance suite against %d configurations:" % len(sources))
        out += [ln for s in sources for ln in bullet("%s: %s" % (s.name, s.implementation))]
        out.append("")
        if reference:
            out += wrap("Device requirements are not counted on configurations whose device is "
                        "%s, the device written alongside these requirements." % reference) + [""]
        fails = [(rid, impl, case) for rid in order for impl, case in measured[rid]["fails"]]
        if fails:
            out += ["Measured as non-conforming:", ""]
            for rid, impl, case in fails:
                out += bullet("%s (patch %d/%d, %s): %s, case %s" % (
                    rid, patch_of[rid], len(patches), by_id[rid].tier or "no tier",
                    upstream_impact.short(impl), case))
            out.append("")
        else:
            out += wrap("None of them is non-conforming to a requirement of this series that it "
                        "exercises.") + [""]
        conforming = [rid for rid in order if measured[rid]["passes"] and not measured[rid]["fails"]]
        if conforming:
            out += ["Measured as conforming:", ""]
            for rid in conforming:
                out += bullet("%s (patch %d/%d, %s): %s" % (
                    rid, patch_of[rid], len(patches), by_id[rid].tier or "no tier",
                    ", ".join(sorted(measured[rid]["passes"]))))
            out.append("")
    unmeasured = [rid for rid in order if not measured[rid]["fails"] and
                  not measured[rid]["passes"] and by_id[rid].tier != "upstream"]
    if unmeasured:
        out += wrap("Not measurable with those configurations (the guest driver never sends "
                    "such requests, or no deployed device runs there); what the sources of "
                    "each requirement say:") + [""]
        for rid in unmeasured:
            r = by_id[rid]
            src = reqparse.plain_text(r.source, spec.titles) if r.source else "no source yet"
            out += bullet("%s (patch %d/%d, %s): %s" % (rid, patch_of[rid], len(patches),
                                                       r.tier or "no tier", src))
        out.append("")
    bits = [(k, p.get("feature_bit")) for k, p in enumerate(patches, 1)]
    if any(b for _k, b in bits):
        out += ["Feature bits:", ""] + ["  - patch %d/%d: %s" % (k, len(patches), b or "none")
                                        for k, b in bits]
    else:
        out += wrap("Feature bits: none proposed; no patch changes what a device or driver "
                    "sends, only which answers are correct.")
    return out + [""]


def bullet(text, width=72):
    """A "  - " list item filled to width, continuation lines indented under its text."""
    return [("  - " if n == 0 else "    ") + ln for n, ln in enumerate(wrap(text, width - 4))]


def traceability_lines(stated, patches):
    out = wrap("The statements of each patch, by their requirement IDs in the project "
               "specification they come from:") + [""]
    for k in sorted(stated):
        out += bullet("patch %d/%d: %s" % (k, len(patches), ", ".join(stated[k])))
    return out + [""]


def format_series(series, spec, upstream_files, opts, warn, sources=()):
    glossary = upstream_terms.load(spec)
    conv = Converter(spec, warn, glossary, exported_targets(series, spec), series.get("xrefs"))
    patches = series.get("patches") or []
    if not patches:
        raise ExportError("series has no patches")
    total = len(patches)
    files = dict(upstream_files)
    date = email.utils.format_datetime(opts.date)
    fixes = opts.fixes if opts.fixes is not None else series.get("fixes")
    fixes_line = "Fixes: https://github.com/oasis-tcs/virtio-spec/issues/%s" % fixes \
        if fixes is not None else None
    trailer = ([fixes_line] if fixes_line else []) + \
        ["Signed-off-by: %s" % s for s in opts.signoff]
    version = "v%d " % opts.version
    prefix = lambda k: "[PATCH %s%d/%d]" % (version, k, total)  # noqa: E731

    outputs = []
    shortlog = []
    all_stats = {}
    tex_only = {}
    stated = {}   # patch -> requirement ids it states
    for k, p in enumerate(patches, 1):
        conv.patch = k
        before = dict(files)
        refs = []
        for edit in p.get("edits", []):
            tex, r = render_content(conv, spec, edit.get("content", []))
            check_project_only(glossary, k, edit["file"], tex)
            tex_only.setdefault(edit["file"], []).extend(tex + [""])
            apply_edit(files, edit, tex)
            refs.extend(r)
        for side, ref, ids in refs:
            add_conformance(files, side, ref)
            stated.setdefault(k, []).extend(i for i in ids if i not in stated.get(k, []))
        changed = sorted(f for f in files if before.get(f) != files[f])
        if not changed:
            raise ExportError("patch %d changes nothing" % k)
        diffs, stats = [], []
        for f in changed:
            d, a, r = file_diff(f, before.get(f), files[f])
            diffs.append(d)
            stats.append((f, a, r))
            pa, pr = all_stats.get(f, (0, 0))
            all_stats[f] = (pa + a, pr + r)
        subject = "%s virtio-gpu: %s" % (prefix(k), p["subject"])
        shortlog.append(p["subject"])
        body_text = "\n".join(wrap_paragraphs(p.get("body", "")))
        msg = (body_text + "\n\n" if body_text else "") + "\n".join(trailer) + "\n---\n" + \
            diffstat(stats) + "\n" + "".join(diffs) + "-- \n" + GIT_VERSION + "\n\n"
        commit = hashlib.sha1((subject + msg).encode("utf-8")).hexdigest()
        headers = [("From", opts.author), ("Date", date), ("Subject", subject)]
        if opts.to:
            headers.insert(1, ("To", opts.to))
        text = "From %s Mon Sep 17 00:00:00 2001\n" % commit + mail(
            headers + [("MIME-Version", "1.0"),
                       ("Content-Type", "text/plain; charset=UTF-8"),
                       ("Content-Transfer-Encoding", "8bit")], msg)
        name = "%04d-%s.patch" % (k, slug(p["subject"]))
        outputs.append((name, text))

    cover = series.get("cover") or {}
    if not cover.get("subject"):
        raise ExportError("series needs cover.subject")
    cov_body = "\n".join(wrap_paragraphs(cover.get("body", "")))
    stats = [(f, a, r) for f, (a, r) in sorted(all_stats.items())]
    author_name = opts.author.split(" <")[0]
    cov_body += "\n\n" + "\n".join(impact_lines(spec, stated, patches, sources,
                                                   getattr(opts, "reference_device", None)))
    cov_body += "\n" + "\n".join(traceability_lines(stated, patches))
    cov_msg = cov_body.rstrip("\n") + "\n\n" + \
        ((fixes_line + "\n\n") if fixes_line else "") + \
        "%s (%d):\n" % (author_name, total) + \
        "".join("  virtio-gpu: %s\n" % s for s in shortlog) + "\n" + diffstat(stats) + \
        "\n-- \n" + GIT_VERSION + "\n\n"
    subject = "%s virtio-gpu: %s" % (prefix(0), cover["subject"])
    headers = [("From", opts.author), ("Date", date), ("Subject", subject)]
    if opts.to:
        headers.insert(1, ("To", opts.to))
    cov_text = "From %s Mon Sep 17 00:00:00 2001\n" % ("0" * 40) + mail(
        headers + [("MIME-Version", "1.0"), ("Content-Type", "text/plain; charset=UTF-8"),
                   ("Content-Transfer-Encoding", "8bit")], cov_msg)
    outputs.insert(0, ("0000-cover-letter.patch", cov_text))
    return outputs, tex_only


def wrap_paragraphs(text):
    out = []
    for n, para in enumerate(p for p in text.strip().split("\n\n") if p.strip()):
        if n:
            out.append("")
        if any(ln.startswith((" ", "-", "*")) for ln in para.split("\n")):
            out.extend(para.split("\n"))
        else:
            out.extend(wrap(" ".join(para.split())))
    return out


def slug(subject):
    s = re.sub(r"[^A-Za-z0-9]+", "-", subject).strip("-")
    return s[:52].rstrip("-") or "patch"


def read_upstream(root, series):
    wanted = set(CONFORMANCE_FILES.values())
    for p in series.get("patches", []):
        for e in p.get("edits", []):
            wanted.add(e["file"])
    files = {}
    for rel in sorted(wanted):
        full = os.path.join(root, rel)
        if os.path.exists(full):
            with open(full, encoding="utf-8") as f:
                files[rel] = f.read()
    return files


def parse_date(s):
    if s is None:
        return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    try:
        d = datetime.datetime.fromisoformat(s)
    except ValueError:
        raise ExportError("--date: expected ISO 8601, e.g. 2026-11-25T12:00:00+00:00")
    if d.tzinfo is None:
        d = d.replace(tzinfo=datetime.timezone.utc)
    return d


def main(argv=None):
    ap = argparse.ArgumentParser(description="Prepare an upstream virtio-spec patch series.")
    ap.add_argument("--spec", required=True, help="top-level .adoc of the spec")
    ap.add_argument("--series", required=True, help="series description (JSON)")
    ap.add_argument("--upstream", required=True, help="checkout of oasis-tcs/virtio-spec")
    ap.add_argument("--out", required=True, help="directory for the .patch mails")
    ap.add_argument("--version", type=int, default=1, help="series version (vN in the subject)")
    ap.add_argument("--from", dest="author", default="Your Name <you@example.org>")
    ap.add_argument("--signoff", action="append", default=[],
                    help="Signed-off-by identity (repeatable; default: --from)")
    ap.add_argument("--fixes", help="virtio-spec GitHub issue number for the Fixes: line")
    ap.add_argument("--to", default=DEFAULT_TO, help="To: header ('' for none)")
    ap.add_argument("--date", help="fixed ISO 8601 date for reproducible output")
    ap.add_argument("--tex-only", action="store_true",
                    help="also write the generated TeX per file (for review)")
    ap.add_argument("--results", action="append", default=[],
                    help="conformance results (vgb-conform, run_all.py) or known results in "
                         "per-case form, for the compatibility impact (repeatable)")
    ap.add_argument("--reference-device", metavar="NAME",
                    help="configurations whose description names NAME run this project's own "
                         "device: their results do not count for device requirements")
    ap.add_argument("--cases", action="append", default=[],
                    help="case catalogue (vgb-conform --list --json, agent_cases.py) naming the "
                         "ids of cases the results list without them (repeatable)")
    opts = ap.parse_args(argv)
    if not opts.signoff:
        opts.signoff = [opts.author]
    if opts.version < 1:
        print("upstream_export: --version must be >= 1", file=sys.stderr)
        return 2
    warnings = []
    try:
        opts.date = parse_date(opts.date)
        with open(opts.series, encoding="utf-8") as f:
            series = json.load(f)
        spec = reqparse.parse([opts.spec])
        retired_path = os.path.join(os.path.dirname(os.path.abspath(opts.spec)), "ids",
                                    "retired.txt")
        problems = spec_lint.lint(spec, reqparse.load_id_list(retired_path))
        if problems:
            for p in problems:
                print(p, file=sys.stderr)
            raise ExportError("the spec does not lint")
        upstream = read_upstream(opts.upstream, series)
        sources = upstream_impact.load(opts.results, opts.cases)
        outputs, tex_only = format_series(series, spec, upstream, opts, warnings.append, sources)
    except (OSError, ValueError, KeyError, ExportError, upstream_terms.GlossaryError,
            upstream_impact.ImpactError) as e:
        print("upstream_export: %s" % e, file=sys.stderr)
        return 1
    os.makedirs(opts.out, exist_ok=True)
    for name, text in outputs:
        with open(os.path.join(opts.out, name), "w", encoding="utf-8") as f:
            f.write(text)
    if opts.tex_only:
        for path, lines in sorted(tex_only.items()):
            name = path.replace("/", "_") + ".generated"
            with open(os.path.join(opts.out, name), "w", encoding="utf-8") as f:
                f.write("\n".join(lines))
    for w in sorted(set(warnings)):
        print("upstream_export: warning: %s" % w, file=sys.stderr)
    print("upstream_export: wrote %d mails to %s" % (len(outputs), opts.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
