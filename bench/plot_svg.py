#!/usr/bin/env python3
"""Draws vgb-bench's upload throughputs as an SVG bar chart (stdlib only).

  plot_svg.py RESULTS.json OUT.svg

One group of bars per frame size: memcpy, the three upload paths of the
reference device and QEMU's transfer path; a whisker spans min..max.
"""
import json
import math
import sys
from xml.sax.saxutils import escape

SERIES = [
    ("memcpy (same bytes)", "machine.memcpy.memcpy", "#888888"),
    ("ref: 2D + TRANSFER_TO_HOST_2D", "reference.upload.transfer", "#d95f02"),
    ("ref: GUEST blob", "reference.upload.guest-blob", "#7570b3"),
    ("ref: HOST3D blob, mapped", "reference.upload.host3d-mapped", "#1b9e77"),
    ("QEMU vhost-user-gpu: 2D + TRANSFER", "qemu.upload.transfer", "#e7298a"),
]


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    doc = json.load(open(argv[0]))
    rows = {r["id"]: r for r in doc["rows"]}
    sizes = [s["label"] for s in doc["config"]["sizes"]]
    plotted = [rows.get(f"{prefix}.{size}") for _, prefix, _ in SERIES for size in sizes]
    vmax = max([r["max"] for r in plotted if r and not r["na"]] + [1e-9])

    bar_h, gap, left, right, top = 14, 18, 100, 250, 40
    group_h = len(SERIES) * bar_h + gap
    width = 960
    plot_w = width - left - right
    height = top + len(sizes) * group_h + 50
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="11">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{left}" y="20" font-size="14">Upload throughput, GB/s (median, whisker = min..max of '
           f'{doc["config"]["runs"]} runs)</text>']
    # Round tick steps (1, 2 or 5 times a power of ten); room to the right for the labels.
    raw = vmax / 5
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    ticks = [i * step for i in range(int(vmax / step) + 2)]
    scale = plot_w * 0.9 / ticks[-1]
    for v in ticks:
        x = left + v * scale
        out.append(f'<line x1="{x:.1f}" y1="{top - 5}" x2="{x:.1f}" y2="{height - 45}" stroke="#ddd"/>')
        out.append(f'<text x="{x:.1f}" y="{height - 32}" text-anchor="middle">{v:g}</text>')
    for g, size in enumerate(sizes):
        y0 = top + g * group_h
        out.append(f'<text x="{left - 8}" y="{y0 + len(SERIES) * bar_h / 2 + 4:.1f}" '
                   f'text-anchor="end">{escape(size)}</text>')
        for k, (_, prefix, color) in enumerate(SERIES):
            r = rows.get(f"{prefix}.{size}")
            y = y0 + k * bar_h
            if r is None or r["na"]:
                out.append(f'<text x="{left + 4}" y="{y + bar_h - 3}" fill="#999">n/a</text>')
                continue
            w = r["median"] * scale
            out.append(f'<rect x="{left}" y="{y + 1}" width="{w:.1f}" height="{bar_h - 2}" fill="{color}"/>')
            x1, x2 = left + r["min"] * scale, left + r["max"] * scale
            ym = y + bar_h / 2
            out.append(f'<line x1="{x1:.1f}" y1="{ym:.1f}" x2="{x2:.1f}" y2="{ym:.1f}" stroke="black"/>')
            out.append(f'<text x="{max(w, x2 - left) + left + 4:.1f}" y="{y + bar_h - 3}">{r["median"]:.2f}</text>')
    ly = top
    for name, _, color in SERIES:
        out.append(f'<rect x="{width - right + 10}" y="{ly}" width="10" height="10" fill="{color}"/>')
        out.append(f'<text x="{width - right + 25}" y="{ly + 9}">{escape(name)}</text>')
        ly += 16
    out.append(f'<text x="{left}" y="{height - 12}" fill="#555">{escape(doc["config"]["machine"])}</text>')
    out.append("</svg>")
    with open(argv[1], "w") as f:
        f.write("\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
