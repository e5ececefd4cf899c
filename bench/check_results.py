#!/usr/bin/env python3
"""Checks the plumbing of vgb-bench's numbers, never their size.

  check_results.py --run VGB_BENCH [bench args...]   runs `VGB_BENCH --short --json TMP`
  check_results.py [--partial] RESULTS.json           checks an existing result file

--partial accepts rows of the device under test that were not measured (with
a reason): another backend given with --backend, or --paths/--frames.

Every figure must be recomputable from the raw samples in the same file:
medians, min/max and p99 from the samples, ratios from the two medians they
name, target verdicts from the ratio; every expected row present exactly once;
no NaN or infinity anywhere; a row is either measured or says why not.
"""
import json
import math
import os
import subprocess
import sys
import tempfile
from xml.etree import ElementTree

PATHS = ["transfer", "guest-blob", "host3d-mapped"]
LATENCY = ["flush", "display-info", "map-unmap", "submit-3d-fenced"]
SMALL = ["one-per-kick", "frame-per-kick", "frames-per-kick"]
FRAME_BACKENDS = ["reference", "qemu"]
REFERENCE = ("machine", "reference", "reference-poll", "reference-evidx")  # must be measured
REL = 1e-9

errors = []


def fail(msg):
    errors.append(msg)


def close(a, b):
    return abs(a - b) <= REL * max(abs(a), abs(b), 1e-300)


def median(v):
    s = sorted(v)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def percentile(v, p):
    s = sorted(v)
    rank = min(max(math.ceil(p / 100 * len(s)), 1), len(s))
    return s[rank - 1]


def reject_constant(name):
    raise ValueError(f"non-finite number {name} in JSON")


def instances(cfg):
    """(latency instances, small-frame instances) of a run."""
    if cfg["zero_copy"]:
        return [], []
    poll = ["reference-poll"] if cfg["poll_us"] else []
    return ["reference", "qemu"] + poll, ["reference", "qemu"] + poll + ["reference-evidx", "qemu-evidx"]


def expected_rows(sizes, cfg):
    ids = []
    for s in sizes:
        ids += [f"machine.memcpy.memcpy.{s}", f"machine.memcpy-cpu.memcpy.{s}"]
        for b in FRAME_BACKENDS:
            for metric in ("upload", "command", "host-cpu"):
                ids += [f"{b}.{metric}.{p}.{s}" for p in PATHS]
    lat, small = instances(cfg)
    for b in lat:
        ids += [f"{b}.latency.{c}" for c in LATENCY] + [f"{b}.latency-cpu.{c}" for c in LATENCY]
    for b in small:
        ids += [f"{b}.small.{m}" for m in SMALL]
    return ids


def check_row(row, cfg):
    rid = row["id"]
    if row["na"]:
        if not row.get("reason"):
            fail(f"{rid}: n/a without a reason")
        return
    runs = row["runs_s"]
    if len(runs) != cfg["runs"]:
        fail(f"{rid}: {len(runs)} runs, config says {cfg['runs']}")
        return
    if not all(isinstance(t, (int, float)) and math.isfinite(t) and t > 0 for t in runs):
        fail(f"{rid}: a run time is not a positive finite number")
        return
    if row["kind"] == "throughput":
        if row["unit"] != "GB/s" or row["bytes"] <= 0:
            fail(f"{rid}: throughput row with unit {row['unit']} and {row['bytes']} bytes")
        vals = [row["bytes"] / t / 1e9 for t in runs]
    elif row["kind"] == "cpu":
        if row["unit"] != "us":
            fail(f"{rid}: cpu row with unit {row['unit']}")
        vals = [t * 1e6 for t in runs]
    else:
        if row["unit"] != "us":
            fail(f"{rid}: latency row with unit {row['unit']}")
        vals = [t * 1e6 for t in runs]
        trips = row["round_trips_s"]
        batch = cfg["latency_batch"]
        if len(trips) != cfg["runs"] * batch:
            fail(f"{rid}: {len(trips)} round trips, expected {cfg['runs']} x {batch}")
            return
        for i in range(cfg["runs"]):
            if not close(median(trips[i * batch:(i + 1) * batch]), runs[i]):
                fail(f"{rid}: run {i} median is not the median of its round trips")
        if not close(percentile(trips, 99) * 1e6, row["p99"]):
            fail(f"{rid}: p99 {row['p99']} is not the 99th percentile of the round trips")
    for key, want in (("median", median(vals)), ("min", min(vals)), ("max", max(vals))):
        if not close(row[key], want):
            fail(f"{rid}: {key} {row[key]} but the samples give {want}")
    if not row["min"] <= row["median"] <= row["max"]:
        fail(f"{rid}: min/median/max out of order")


def check(doc, stdout=None, partial=False):
    if doc.get("schema") != "vgb-bench/2":
        fail(f"schema {doc.get('schema')!r}")
        return
    cfg = doc["config"]
    sizes = [s["label"] for s in cfg["sizes"]]
    if not sizes or cfg["runs"] < 1 or cfg["latency_batch"] < 1:
        fail("config lists no sizes, runs or batch")
        return
    rows = {}
    for row in doc["rows"]:
        if row["id"] in rows:
            fail(f"{row['id']}: duplicate row")
        rows[row["id"]] = row
    want = expected_rows(sizes, cfg)
    for rid in want:
        if rid not in rows:
            fail(f"{rid}: missing")
    for rid in rows:
        if rid not in want:
            fail(f"{rid}: unexpected row")
    for row in rows.values():
        check_row(row, cfg)
        # The device under test must run every path; only the comparison backend may lack some.
        if row["na"] and row["backend"] in REFERENCE and not partial:
            fail(f"{row['id']}: not measured: {row.get('reason')}")
        if row["metric"] == "small" and not row["na"]:
            for key in ("kicks_per_op", "calls_per_op"):
                v = row.get(key)
                if not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
                    fail(f"{row['id']}: {key} missing or not a count")
    for s in sizes:
        for b in FRAME_BACKENDS:
            for p in PATHS:
                up, cmd = rows.get(f"{b}.upload.{p}.{s}"), rows.get(f"{b}.command.{p}.{s}")
                if not up or not cmd:
                    continue
                if up["na"] != cmd["na"]:
                    fail(f"{b} {p} {s}: upload and command rows disagree on n/a")
                elif not up["na"] and any(c >= u for c, u in zip(cmd["runs_s"], up["runs_s"])):
                    fail(f"{b} {p} {s}: the command alone took as long as the whole upload")
    qemu_up = any(not rows[r]["na"] for r in rows if r.startswith("qemu."))
    if qemu_up:
        for s in sizes:
            if rows[f"qemu.upload.transfer.{s}"]["na"]:
                fail(f"qemu ran but its transfer row for {s} is n/a")

    ratio_ids = set()
    for q in doc["ratios"]:
        ratio_ids.add(q["id"])
        a, b = rows.get(q["num"]), rows.get(q["den"])
        if a is None or b is None:
            fail(f"ratio {q['id']}: names a missing row")
            continue
        should_be_na = a["na"] or b["na"]
        if q["na"] != should_be_na:
            fail(f"ratio {q['id']}: na is {q['na']} but its rows say {should_be_na}")
            continue
        if not q["na"]:
            if not close(q["value"], a["median"] / b["median"]):
                fail(f"ratio {q['id']}: {q['value']} is not {a['median']} / {b['median']}")
            t = q.get("target")
            if t:
                met = q["value"] >= t["threshold"] if t["op"] == ">=" else q["value"] <= t["threshold"]
                if t["met"] != met:
                    fail(f"ratio {q['id']}: target verdict disagrees with its value")
    for s in sizes:
        for name in ("mapped/transfer", "mapped/qemu-transfer", "guest-blob/transfer", "transfer-command/memcpy",
                     "transfer-upload/memcpy", "reference/qemu.upload", "reference/qemu.transfer-command",
                     "transfer-cpu/memcpy-cpu", "reference/qemu.host-cpu"):
            if f"{name}.{s}" not in ratio_ids:
                fail(f"ratio {name}.{s}: missing")
    for t in doc["row_targets"]:
        row = rows.get(t["row"])
        if row is None or t["na"] != row["na"]:
            fail(f"target on {t['row']}: row missing or n/a mismatch")
        elif not t["na"]:
            if not close(t["value"], row["median"]):
                fail(f"target on {t['row']}: value is not the row's median")
            met = t["value"] <= t["threshold"] if t["op"] == "<=" else t["value"] >= t["threshold"]
            if met != t["met"]:
                fail(f"target on {t['row']}: verdict disagrees with its value")
    for fl in doc.get("flatness", []):
        a, b = rows.get(f"{fl['rows']}.{fl['smallest']}"), rows.get(f"{fl['rows']}.{fl['largest']}")
        if a is None or b is None:
            fail(f"flatness {fl['rows']}: names a missing row")
            continue
        if fl["na"] != (a["na"] or b["na"]):
            fail(f"flatness {fl['rows']}: na disagrees with its rows")
            continue
        if fl["na"]:
            continue
        small = a["bytes"] / (a["median"] * 1e9) * 1e3
        large = b["bytes"] / (b["median"] * 1e9) * 1e3
        if not close(fl["small_ms"], small) or not close(fl["large_ms"], large) or \
                not close(fl["factor"], large / small):
            fail(f"flatness {fl['rows']}: figures are not those of its rows")
        if fl["flat"] != (fl["factor"] <= fl["max_factor"]):
            fail(f"flatness {fl['rows']}: verdict disagrees with its factor")
        m = rows.get(f"machine.memcpy-cpu.memcpy.{fl['largest']}")
        memcpy_ms = m["bytes"] / (m["median"] * 1e9) * 1e3 if m and not m["na"] else 0
        share = large / memcpy_ms if memcpy_ms > 0 else 0
        if not close(fl["memcpy_ms"], memcpy_ms) or not close(fl["share"], share):
            fail(f"flatness {fl['rows']}: memcpy comparison is not that of its rows")
        if fl["no_copy"] != (fl["flat"] or (memcpy_ms > 0 and share <= fl["max_share"])):
            fail(f"flatness {fl['rows']}: no_copy disagrees with its figures")
    if stdout is not None:
        needles = ["Upload throughput", "Ratios", "CPU time per frame", "Targets", "load: "]
        if not cfg["zero_copy"]:
            needles += ["Round-trip latency", "Small frames"]
        for needle in sizes + needles:
            if needle not in stdout:
                fail(f"printed table lacks {needle!r}")


def check_plot(json_path, svg_path):
    """The README plot must come out of the same file as well-formed SVG."""
    here = os.path.dirname(os.path.abspath(__file__))
    proc = subprocess.run([sys.executable, os.path.join(here, "plot_svg.py"), json_path, svg_path])
    if proc.returncode != 0:
        fail(f"plot_svg.py exited with {proc.returncode}")
        return
    try:
        root = ElementTree.parse(svg_path).getroot()
    except ElementTree.ParseError as e:
        fail(f"plot is not well-formed SVG: {e}")
        return
    if not root.tag.endswith("svg") or not root.findall("{http://www.w3.org/2000/svg}rect"):
        fail("plot has no bars")


def main(argv):
    stdout = None
    if argv[:1] == ["--run"] and len(argv) >= 2:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "bench.json")
            proc = subprocess.run([argv[1], "--short", "--json", path] + argv[2:],
                                  stdout=subprocess.PIPE, text=True, timeout=280)
            stdout = proc.stdout
            print(stdout)
            if proc.returncode != 0:
                fail(f"vgb-bench exited with {proc.returncode}")
            if not os.path.exists(path):
                fail("vgb-bench wrote no JSON")
                return report()
            text = open(path).read()
            check_plot(path, os.path.join(tmp, "bench.svg"))
    elif len(argv) == 1 or (len(argv) == 2 and argv[0] == "--partial"):
        text = open(argv[-1]).read()
    else:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        doc = json.loads(text, parse_constant=reject_constant)
    except ValueError as e:
        fail(f"JSON does not parse: {e}")
        return report()
    check(doc, stdout, partial=argv[0] == "--partial")
    return report()


def report():
    for e in errors:
        print(f"check_results: {e}", file=sys.stderr)
    print(f"check_results: {'FAIL' if errors else 'ok'} ({len(errors)} problems)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
