#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Turns the spec's wire listings into compile-time checks against the project headers.

Usage: wire_listings.py SPEC.adoc -o CHECK.c [--header vgb/wire.h]... [--alias NAME=CNAME]...

The spec shows wire structures as the VIRTIO specification does:

    [source,c,role=wire]
    ----
    struct virtio_gpu_resource_unmap_blob {
            struct virtio_gpu_ctrl_hdr hdr;
            le32 resource_id;
            le32 padding;
    };
    ----

Every C listing of the spec must carry role=wire and stay in this subset: `#define NAME VALUE`,
`struct NAME { TYPE field; TYPE field[N]; ... };` with TYPE one of u8, char, le16, le32, le64,
u16, u32, u64 or `struct NAME`, and comments.  CHECK.c includes the headers and asserts, for
every structure, that its fields exist in the listed order with the listed widths, with no bytes
between them or after the last, and for every #define that the header has the same value.  It
compiles to a program that does nothing, so a listing that drifts from the code fails the build.
--alias names the C type checked for a listed structure whose upstream name the system header
defines differently (for example the 20-byte configuration space).
"""

import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reqparse  # noqa: E402

WIDTHS = {"u8": 1, "char": 1, "le16": 2, "u16": 2, "le32": 4, "u32": 4, "le64": 8, "u64": 8}
SOURCE_C_RE = re.compile(r"^\[source,\s*c(?:,(.*))?\]\s*$")
DEFINE_RE = re.compile(r"^#define\s+([A-Z_][A-Z0-9_]*)\s+(.+)$")
STRUCT_OPEN_RE = re.compile(r"^struct\s+([a-z_][a-z0-9_]*)\s*\{$")
FIELD_RE = re.compile(r"^(struct\s+[a-z_][a-z0-9_]*|[a-z0-9_]+)\s+([a-z_][a-z0-9_]*)"
                      r"(?:\[([0-9]+)\])?;$")


class ListingError(Exception):
    pass


class Struct:
    def __init__(self, name, where):
        self.name = name
        self.where = where
        self.fields = []   # (type, name, count, where)


def listings(spec_path, root=None):
    """[(first Line, [Line])] of every C listing; raises on a C listing without role=wire."""
    problems = []
    lines = reqparse.read_lines(spec_path, problems, root)
    if problems:
        raise ListingError(str(problems[0]))
    out = []
    i = 0
    while i < len(lines):
        m = SOURCE_C_RE.match(lines[i].text)
        if not m:
            i += 1
            continue
        attrs = [a.strip() for a in (m.group(1) or "").split(",") if a.strip()]
        if "role=wire" not in attrs:
            raise ListingError("%s: C listing without role=wire: every C listing of the spec "
                               "is a wire listing checked against the headers" % lines[i].where())
        j = i + 1
        while j < len(lines) and lines[j].text.startswith(("[[", ".")) and lines[j].text != "----":
            j += 1
        if j >= len(lines) or lines[j].text != "----":
            raise ListingError("%s: [source,c] not followed by a ---- block" % lines[i].where())
        k = j + 1
        body = []
        while k < len(lines) and lines[k].text != "----":
            body.append(lines[k])
            k += 1
        if k >= len(lines):
            raise ListingError("%s: listing not closed" % lines[j].where())
        out.append((lines[i], body))
        i = k + 1
    return out


def strip_comments(body):
    """Lines with /* */ and // comments removed, blank lines dropped."""
    out, in_comment = [], False
    for ln in body:
        text, kept = ln.text, ""
        while text:
            if in_comment:
                end = text.find("*/")
                if end < 0:
                    text = ""
                else:
                    text, in_comment = text[end + 2:], False
                continue
            start, line_comment = text.find("/*"), text.find("//")
            if line_comment >= 0 and (start < 0 or line_comment < start):
                kept += text[:line_comment]
                break
            if start < 0:
                kept += text
                break
            kept += text[:start]
            text, in_comment = text[start + 2:], True
        kept = " ".join(kept.split())
        if kept:
            out.append((ln, kept))
    return out


def parse(listing_lines):
    """(defines [(name, value, Line)], structs [Struct]) of one listing."""
    defines, structs, cur = [], [], None
    for ln, text in strip_comments(listing_lines):
        dm = DEFINE_RE.match(text)
        if dm:
            defines.append((dm.group(1), dm.group(2).rstrip(";"), ln))
            continue
        if cur is None:
            sm = STRUCT_OPEN_RE.match(text)
            if not sm:
                raise ListingError("%s: not a #define or a structure: %r" % (ln.where(), text))
            cur = Struct(sm.group(1), ln)
            continue
        if text == "};":
            if not cur.fields:
                raise ListingError("%s: struct %s has no fields" % (cur.where.where(), cur.name))
            structs.append(cur)
            cur = None
            continue
        fm = FIELD_RE.match(text)
        if not fm:
            raise ListingError("%s: not a field of struct %s: %r" % (ln.where(), cur.name, text))
        ftype = " ".join(fm.group(1).split())
        if not ftype.startswith("struct ") and ftype not in WIDTHS:
            raise ListingError("%s: unknown type %s (known: %s, struct NAME)" %
                               (ln.where(), ftype, ", ".join(sorted(WIDTHS))))
        cur.fields.append((ftype, fm.group(2), int(fm.group(3) or 1), ln))
    if cur is not None:
        raise ListingError("%s: struct %s not closed with };" % (cur.where.where(), cur.name))
    return defines, structs


def c_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def check_source(found, headers, aliases):
    out = ["/* Generated by tools/spec/wire_listings.py from the spec's wire listings: do not edit. */",
           "#include <assert.h>", "#include <stddef.h>", ""]
    out += ["#include \"%s\"" % h for h in headers]
    out += ["", "#define MEMBER_SIZE(type, member) sizeof(((type *)0)->member)", ""]
    ctype = lambda n: "struct " + aliases.get(n, n)  # noqa: E731
    for first, body in found:
        defines, structs = parse(body)
        for name, value, ln in defines:
            out.append("static_assert((%s) == (%s), %s);" % (
                name, value, c_string("%s: %s is %s" % (ln.where(), name, value))))
        for st in structs:
            t = ctype(st.name)
            prev = None
            for ftype, fname, count, ln in st.fields:
                where = ln.where()
                if ftype.startswith("struct "):
                    width = "sizeof(%s)" % ctype(ftype.split()[1])
                else:
                    width = str(WIDTHS[ftype])
                out.append("static_assert(MEMBER_SIZE(%s, %s) == %s * %d, %s);" % (
                    t, fname, width, count,
                    c_string("%s: %s.%s is %s%s" % (where, st.name, fname, ftype,
                                                     "[%d]" % count if count > 1 else ""))))
                if prev is None:
                    out.append("static_assert(offsetof(%s, %s) == 0, %s);" % (
                        t, fname, c_string("%s: %s starts with %s" % (where, st.name, fname))))
                else:
                    out.append("static_assert(offsetof(%s, %s) == offsetof(%s, %s) + "
                               "MEMBER_SIZE(%s, %s), %s);" % (
                                   t, fname, t, prev, t, prev,
                                   c_string("%s: %s.%s follows %s" % (where, st.name, fname,
                                                                      prev))))
                prev = fname
            out.append("static_assert(sizeof(%s) == offsetof(%s, %s) + MEMBER_SIZE(%s, %s), %s);"
                       % (t, t, prev, t, prev,
                          c_string("%s: %s ends with %s" % (st.where.where(), st.name, prev))))
            out.append("")
    out += ["int main(void)", "{", "\treturn 0;", "}", ""]
    return "\n".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Compile-time checks of the spec's wire listings.")
    ap.add_argument("spec", help="top-level .adoc of the spec")
    ap.add_argument("-o", "--output", required=True, help="C file to write")
    ap.add_argument("--header", action="append", default=[],
                    help="header the check includes (repeatable)")
    ap.add_argument("--alias", action="append", default=[], metavar="NAME=CNAME",
                    help="check listed struct NAME against struct CNAME")
    ap.add_argument("--root", help="show paths relative to this directory")
    args = ap.parse_args(argv)
    aliases = {}
    for a in args.alias:
        name, _, cname = a.partition("=")
        if not name or not cname:
            print("wire_listings: bad --alias %r" % a, file=sys.stderr)
            return 2
        aliases[name] = cname
    try:
        found = listings(args.spec, args.root)
        if not found:
            raise ListingError("%s: no wire listing" % args.spec)
        text = check_source(found, args.header, aliases)
    except (OSError, ListingError) as e:
        print("wire_listings: %s" % e, file=sys.stderr)
        return 1
    tmp = args.output + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
