#!/usr/bin/env python3
"""Writes a benchmark run into the README, between markers, so the tables
there are the command's own output.

  readme_tables.py [--section NAME] [--command TEXT] README RUNS_DIR

RUNS_DIR holds runs as pairs NAME.json / NAME.txt (vgb-bench --json and its
printed tables; tools/bench.sh keeps one pair per run).  The newest run's
tables go between

  <!-- bench:NAME begin ... -->  and  <!-- bench:NAME end -->

(NAME "results" by default) with its machine, date, load and memory lines,
followed by the spread of every target over the last three runs made with
the same options (fewer when fewer exist), and how many of them met it.
Nothing else in the README changes.
"""
import argparse
import json
import os
import re
import sys

SPREAD = 3


def load_runs(d):
    runs = []
    for name in sorted(os.listdir(d)):
        if not name.endswith(".json"):
            continue
        txt = os.path.join(d, name[:-5] + ".txt")
        if not os.path.exists(txt):
            continue
        with open(os.path.join(d, name), encoding="utf-8") as f:
            doc = json.load(f)
        if doc.get("schema") != "vgb-bench/2":
            continue
        with open(txt, encoding="utf-8") as f:
            runs.append((doc, f.read()))
    runs.sort(key=lambda r: r[0]["config"]["started"])
    return runs


def same_options(a, b):
    keys = ("short", "zero_copy", "runs", "latency_batch", "poll_us")
    ca, cb = a["config"], b["config"]
    return all(ca.get(k) == cb.get(k) for k in keys) and \
        [s["label"] for s in ca["sizes"]] == [s["label"] for s in cb["sizes"]]


def tables(text):
    """The printed tables, from the first one up to the list of rows not measured; titles in bold."""
    lines = text.splitlines()
    start = next((i for i, l in enumerate(lines) if l.startswith("Upload throughput")), None)
    if start is None:
        raise SystemExit("readme_tables: no tables in the run's output")
    out = []
    for i, line in enumerate(lines[start:], start):
        if line.startswith("Not measured:"):
            break
        nxt = lines[i + 2] if i + 2 < len(lines) else ""
        if line and not line.startswith("|") and nxt.startswith("|"):
            line = "**" + line + "**"
        out.append(line)
    while out and not out[-1].strip():
        out.pop()
    return out


def target_rows(doc):
    """(id, op, threshold, value text, met) of every target of a run, in its printed order."""
    rows = []
    for q in doc["ratios"]:
        if "target" in q:
            v = "n/a" if q["na"] else "%.2f" % q["value"]
            rows.append((q["id"], q["target"]["op"], q["target"]["threshold"], v, not q["na"] and q["target"]["met"]))
    for t in doc["row_targets"]:
        v = "n/a" if t["na"] else "%.1f µs" % t["value"]
        rows.append((t["row"], t["op"], t["threshold"], v, not t["na"] and t["met"]))
    return rows


def printed_labels(text):
    """Target labels as the run printed them (same order as target_rows)."""
    lines = text.splitlines()
    try:
        i = lines.index("Targets (measured, never asserted)")
    except ValueError:
        return []
    labels = []
    for line in lines[i + 4:]:
        if not line.startswith("|"):
            break
        labels.append(line.split("|")[1].strip())
    return labels


REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def in_checkout(command):
    """A command line with this checkout's own paths relative to it: the README is read elsewhere."""
    return command.replace(REPO + "/", "") if command else command


def block(name, command, latest, spread):
    doc, text = latest
    cfg = doc["config"]
    head = [
        f"<!-- bench:{name} begin: written by bench/readme_tables.py from the runs themselves; "
        "rerun the command instead of editing -->",
        f"From `{command}`: vgb-bench --runs {cfg['runs']}, {cfg['machine']}, started {cfg['started']}.",
        "",
        cfg.get("load", "load: not recorded"),
        "",
        cfg.get("memory", "memory: not recorded"),
        "",
        f"reference: `{in_checkout(cfg['reference'])}`; comparison: `{in_checkout(cfg['qemu']) or '(not run)'}`",
        "",
    ]
    body = tables(text)
    labels = printed_labels(text)
    per_run = [target_rows(d) for d, _ in spread]
    tail = ["", f"**Spread of the targets over the last {len(spread)} run(s) with these options** "
            "(value per run, oldest first; a run's load line says how busy it was)", ""]
    tail.append("| target | " + " | ".join(d["config"]["started"] for d, _ in spread) + " | met in |")
    tail.append("|---|" + "---|" * (len(spread) + 1))
    for k, row in enumerate(per_run[-1]):
        label = labels[k] if k < len(labels) else "%s %s %s" % row[:3]
        vals, met = [], 0
        for runs in per_run:
            match = next((r for r in runs if r[0] == row[0]), None)
            vals.append(match[3] if match else "n/a")
            met += bool(match and match[4])
        tail.append(f"| {label} | " + " | ".join(vals) + f" | {met} of {len(per_run)} |")
    loads = [f"{d['config']['started']}: {d['config'].get('load', '')}" for d, _ in spread]
    tail += ["", "Load lines of those runs:", ""] + [f"- {l}" for l in loads]
    return head + body + tail + [f"<!-- bench:{name} end -->"]


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--section", default="results")
    ap.add_argument("--command", default="tools/bench.sh --readme")
    ap.add_argument("readme")
    ap.add_argument("runs_dir")
    a = ap.parse_args(argv)
    runs = [r for r in load_runs(a.runs_dir) if not r[0]["config"]["short"]]
    if not runs:
        print(f"readme_tables: no full runs in {a.runs_dir}", file=sys.stderr)
        return 1
    latest = runs[-1]
    spread = [r for r in runs if same_options(r[0], latest[0])][-SPREAD:]
    with open(a.readme, encoding="utf-8") as f:
        readme = f.read()
    pat = re.compile(r"<!-- bench:%s begin.*?<!-- bench:%s end -->" % (re.escape(a.section), re.escape(a.section)),
                     re.S)
    if not pat.search(readme):
        print(f"readme_tables: {a.readme} has no bench:{a.section} markers", file=sys.stderr)
        return 1
    new = "\n".join(block(a.section, a.command, latest, spread))
    readme = pat.sub(lambda m: new, readme, count=1)
    with open(a.readme, "w", encoding="utf-8") as f:
        f.write(readme)
    print(f"readme_tables: {a.readme} section {a.section}: run of {latest[0]['config']['started']}, "
          f"spread over {len(spread)} run(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
