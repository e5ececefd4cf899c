#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Renders a small text description of a message sequence as an SVG sequence diagram.

Input, one statement per line ('#' starts a comment):
    participant ID "Label"
    A -> B : message          (request, solid arrow)
    A --> B : message         (response, dashed arrow)
    A -> A : message          (self action)
    note A : text             (note on A's lifeline)
    note A B : text           (note spanning A..B)
    divider : text            (a labelled break across all lifelines)

Usage: seqdiag.py IN.seq OUT.svg
Deterministic output (no timestamps), so diagrams can be golden-tested.
"""

import re
import sys
from xml.sax.saxutils import escape

COL = 230
TOP = 20
BOX_H = 32
STEP = 38
CHAR_W = 7.6
FONT = "font-family='DejaVu Sans, Arial, sans-serif' font-size='13'"


class SeqError(Exception):
    pass


def parse(text):
    parts, order, steps = {}, [], []
    for n, raw in enumerate(text.split("\n"), 1):
        line = raw.split("#", 1)[0].strip() if not raw.strip().startswith("note") else raw.strip()
        if not line:
            continue
        m = re.match(r'^participant\s+(\w+)\s+"([^"]+)"$', line)
        if m:
            parts[m.group(1)] = m.group(2)
            order.append(m.group(1))
            continue
        m = re.match(r"^(\w+)\s*(-->|->)\s*(\w+)\s*:\s*(.*)$", line)
        if m:
            a, arrow, b, msg = m.groups()
            for p in (a, b):
                if p not in parts:
                    raise SeqError("line %d: unknown participant %s" % (n, p))
            steps.append(("msg", a, b, arrow == "-->", msg))
            continue
        m = re.match(r"^note\s+(\w+)(?:\s+(\w+))?\s*:\s*(.*)$", line)
        if m:
            a, b, msg = m.groups()
            for p in (a, b or a):
                if p not in parts:
                    raise SeqError("line %d: unknown participant %s" % (n, p))
            steps.append(("note", a, b or a, False, msg))
            continue
        m = re.match(r"^divider\s*:\s*(.*)$", line)
        if m:
            steps.append(("divider", None, None, False, m.group(1)))
            continue
        raise SeqError("line %d: cannot parse %r" % (n, line))
    if not order:
        raise SeqError("no participants")
    return parts, order, steps


def column_width(order, steps):
    """Wide enough that every message fits over the lifelines it spans."""
    col = COL
    idx = {p: i for i, p in enumerate(order)}
    for kind, a, b, _dashed, msg in steps:
        need = len(msg) * CHAR_W
        if kind == "msg" and a != b:
            col = max(col, need / abs(idx[a] - idx[b]) + 24)
    return int(col)


def render(text):
    parts, order, steps = parse(text)
    col = column_width(order, steps)
    x = {p: col // 2 + i * col for i, p in enumerate(order)}
    # Self messages and notes may reach past the outer lifelines: widen and shift to fit.
    left, right = 0.0, float(col * len(order))
    for kind, a, b, _dashed, msg in steps:
        if kind == "msg" and a == b:
            right = max(right, x[a] + 34 + len(msg) * CHAR_W + 8)
        elif kind == "note":
            lo, hi = sorted((x[a], x[b]))
            w = max(hi - lo + 40, len(msg) * CHAR_W + 16)
            left = min(left, (lo + hi) / 2 - w / 2 - 4)
            right = max(right, (lo + hi) / 2 + w / 2 + 4)
    shift = int(-left)
    x = {p: v + shift for p, v in x.items()}
    width = int(right) + shift
    y0 = TOP + BOX_H + 16
    height = y0 + STEP * len(steps) + 24 + BOX_H
    out = ["<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' viewBox='0 0 %d %d'>"
           % (width, height, width, height),
           "<defs><marker id='arr' markerWidth='10' markerHeight='8' refX='9' refY='4' "
           "orient='auto'><path d='M0,0 L10,4 L0,8 z' fill='#222'/></marker></defs>",
           "<rect width='100%' height='100%' fill='white'/>"]

    def box(p, y):
        w = max(120, len(parts[p]) * CHAR_W + 24)
        out.append("<rect x='%.1f' y='%d' width='%.1f' height='%d' rx='4' fill='#e8eef7' "
                   "stroke='#345'/>" % (x[p] - w / 2, y, w, BOX_H))
        out.append("<text x='%d' y='%d' text-anchor='middle' %s font-weight='bold'>%s</text>"
                   % (x[p], y + 21, FONT, escape(parts[p])))

    for p in order:
        box(p, TOP)
        out.append("<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#999' stroke-dasharray='4,3'/>"
                   % (x[p], TOP + BOX_H, x[p], height - BOX_H - 8))
        box(p, height - BOX_H - 8)
    for i, (kind, a, b, dashed, msg) in enumerate(steps):
        y = y0 + i * STEP + 22
        if kind == "msg" and a != b:
            dash = " stroke-dasharray='6,4'" if dashed else ""
            out.append("<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#222'%s "
                       "marker-end='url(#arr)'/>" % (x[a], y, x[b] + (-2 if x[b] > x[a] else 2),
                                                      y, dash))
            out.append("<text x='%d' y='%d' text-anchor='middle' %s>%s</text>"
                       % ((x[a] + x[b]) // 2, y - 6, FONT, escape(msg)))
        elif kind == "msg":
            out.append("<path d='M%d,%d h28 v14 h-26' fill='none' stroke='#222' "
                       "marker-end='url(#arr)'/>" % (x[a], y - 8, ))
            out.append("<text x='%d' y='%d' %s>%s</text>" % (x[a] + 34, y + 2, FONT, escape(msg)))
        elif kind == "note":
            left, right = sorted((x[a], x[b]))
            w = max(right - left + 40, len(msg) * CHAR_W + 16)
            cx = (left + right) / 2
            out.append("<rect x='%.1f' y='%d' width='%.1f' height='24' fill='#fff8d0' "
                       "stroke='#b9a44c'/>" % (cx - w / 2, y - 16, w))
            out.append("<text x='%.1f' y='%d' text-anchor='middle' %s font-style='italic'>%s</text>"
                       % (cx, y + 1, FONT, escape(msg)))
        else:
            out.append("<line x1='4' y1='%d' x2='%d' y2='%d' stroke='#678' stroke-dasharray='2,2'/>"
                       % (y - 4, width - 4, y - 4))
            w = len(msg) * CHAR_W + 16
            out.append("<rect x='%.1f' y='%d' width='%.1f' height='20' fill='white' stroke='#678'/>"
                       % (width / 2 - w / 2, y - 14, w))
            out.append("<text x='%d' y='%d' text-anchor='middle' %s>%s</text>"
                       % (width // 2, y + 1, FONT, escape(msg)))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main(argv):
    if len(argv) != 3:
        print("usage: seqdiag.py IN.seq OUT.svg", file=sys.stderr)
        return 2
    try:
        with open(argv[1], encoding="utf-8") as f:
            svg = render(f.read())
    except (OSError, SeqError) as e:
        print("seqdiag: %s: %s" % (argv[1], e), file=sys.stderr)
        return 1
    with open(argv[2], "w", encoding="utf-8") as f:
        f.write(svg)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
