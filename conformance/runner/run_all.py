#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Runs the conformance suite against targets and writes the reports.

Usage: run_all.py [--build build] [--targets ref-full,qemu-vhost-user-gpu] [--out DIR]
                  [--vm CONFIGS] [--extra-results FILE ...] [--spec-url URL]

--vm first boots the real-VM configurations (conformance/vm/run.py: default,
all, or names) into BUILD/vm-results.json, which the report then includes.

For each target: vgb-conform (progress on stdout) -> DIR/results/<target>.json.
Then DIR/results.json (all targets, plus --extra-results such as the VM runs; each
FAIL or WARNING carries the tier of the requirement it breaks and each target its
verdicts by tier, "upstream" being its VIRTIO 1.4 conformance),
DIR/coverage.json (tools/spec/coverage.py), DIR/junit.xml and DIR/report.html.
Exit status: 0 when every target matches its known results, 1 otherwise, 2 on
bad usage, 99 when the suite could not run.
"""

import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
TARGETS_FILE = os.path.join(REPO, "conformance", "targets", "targets.json")
KNOWN_DIR = os.path.join(REPO, "conformance", "known-results")
sys.path.insert(0, os.path.join(REPO, "conformance", "report"))

import known_results  # noqa: E402
import vgb_report  # noqa: E402


def target_names(selected):
    with open(TARGETS_FILE, encoding="utf-8") as f:
        names = [t["name"] for t in json.load(f)["targets"]]
    if not selected:
        return names
    want = [n.strip() for n in selected.split(",") if n.strip()]
    bad = [n for n in want if n not in names]
    if bad:
        raise SystemExit("run_all: unknown target(s) %s; known: %s" % (", ".join(bad), ", ".join(names)))
    return want


def requirements_json(out):
    """Extracted from the spec sources now, so the report never uses a stale build copy."""
    path = os.path.join(out, "requirements.json")
    subprocess.run([sys.executable, os.path.join(REPO, "tools", "spec", "req_extract.py"), "-o", path,
                    os.path.join(REPO, "spec", "spec.adoc")], check=True)
    return path


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--targets", help="comma-separated target names (default: all)")
    ap.add_argument("--out", help="report directory (default BUILD/conformance-report)")
    ap.add_argument("--extra-results", nargs="*", default=None,
                    help="more results files in the same shape (default: BUILD/vm-results.json "
                         "when the VM runs wrote it)")
    ap.add_argument("--spec-url", help="rendered spec (default: BUILD/spec/spec.html if built)")
    ap.add_argument("--vm", help="also run these VM configurations first (default, all, or names)")
    args = ap.parse_args(argv)

    conform = os.path.join(args.build, "conformance", "vgb-conform")
    if not os.access(conform, os.X_OK):
        print("run_all: %s not built (meson setup %s && ninja -C %s)" % (conform, args.build, args.build),
              file=sys.stderr)
        return 99
    out = os.path.abspath(args.out or os.path.join(args.build, "conformance-report"))
    os.makedirs(os.path.join(out, "results"), exist_ok=True)

    paths = []
    for name in target_names(args.targets):
        path = os.path.join(out, "results", name + ".json")
        print("== %s" % name, flush=True)
        rc = subprocess.run([conform, "--target", name, "--targets-file", TARGETS_FILE,
                             "--output", path]).returncode
        if not os.path.exists(path):
            print("run_all: %s wrote no results (exit %d)" % (name, rc), file=sys.stderr)
            return 99
        paths.append(path)
    vm_status = 0
    if args.vm:
        env = dict(os.environ)
        env.setdefault("VGB_HOST", os.path.join(args.build, "ref", "host", "vgb-host"))
        vm_status = subprocess.run([sys.executable, os.path.join(REPO, "conformance", "vm", "run.py"),
                                    *args.vm.split(","), "--out",
                                    os.path.join(args.build, "vm-results.json")], env=env).returncode
    extras = args.extra_results
    if extras is None:
        vm = os.path.join(args.build, "vm-results.json")
        extras = [vm] if os.path.exists(vm) else []
    for extra in extras:
        if os.path.exists(extra):
            paths.append(extra)
        else:
            print("run_all: %s not found; left out" % extra, file=sys.stderr)

    suite_version, targets = vgb_report.load_results(paths)
    reqs = requirements_json(out)
    with open(reqs, encoding="utf-8") as f:
        vgb_report.annotate(targets, json.load(f))
    merged = os.path.join(out, "results.json")
    with open(merged, "w", encoding="utf-8") as f:
        json.dump({"suite_version": suite_version, "targets": targets}, f, indent=1)

    # Coverage of the spec's requirements by the catalogue (listing opens no device).
    cases = os.path.join(out, "cases.json")
    with open(cases, "w", encoding="utf-8") as f:
        f.write(subprocess.run([conform, "--list", "--json"], check=True, capture_output=True,
                               text=True).stdout)
    coverage = os.path.join(out, "coverage.json")
    # The in-guest agents' pair.* cases count too: they check the Linux driver in real VMs.
    agent_cases = os.path.join(out, "agent-cases.json")
    subprocess.run([sys.executable, os.path.join(REPO, "tools", "spec", "agent_cases.py"),
                    "-o", agent_cases, os.path.join(REPO, "conformance", "agent"),
                    os.path.join(REPO, "conformance", "vkagent")], check=True)
    subprocess.run([sys.executable, os.path.join(REPO, "tools", "spec", "coverage.py"),
                    "--requirements", reqs, "--cases", cases, "--cases", agent_cases,
                    "--untestable", os.path.join(REPO, "spec", "ids", "untestable.txt"),
                    "--pending", os.path.join(REPO, "spec", "ids", "pending.txt"),
                    "--json", coverage], stdout=subprocess.DEVNULL)

    spec_url = args.spec_url
    if not spec_url:
        built = os.path.join(args.build, "spec", "spec.html")
        spec_url = os.path.relpath(built, out) if os.path.exists(built) else "spec.html"
    vgb_report.main([merged, "--junit", os.path.join(out, "junit.xml"),
                     "--html", os.path.join(out, "report.html"), "--spec-url", spec_url,
                     "--requirements", reqs, "--coverage", coverage,
                     "--known-results", KNOWN_DIR, "--targets-file", TARGETS_FILE])

    differences = 0
    for name, rep in known_results.compare_all(targets, KNOWN_DIR, TARGETS_FILE).items():
        for d in rep["differences"]:
            differences += 1
            print("%s %s: expected %s, got %s  %s" % (name, d["case"], d["expected"], d["got"],
                                                      d["detail"]))
    for t in targets:
        n = {tier: t["tiers"].get(tier, {}).get("FAIL", 0) for tier in vgb_report.TIERS}
        print("%s: VIRTIO 1.4: %s; clarifications: %d FAIL; proposals: %d would fail" % (
            t["name"], "%d FAIL" % n["upstream"] if n["upstream"] else "no FAIL",
            n["clarification"], n["proposal"]))
    print("report: file://%s" % os.path.join(out, "report.html"))
    if differences:
        print("%d verdict(s) differ from the known results" % differences)
        return 1
    if vm_status:
        print("the VM configurations did not all run (conformance/vm/run.py exit %d)" % vm_status)
        return 1
    print("every target matches its known results")
    return 0


if __name__ == "__main__":
    sys.exit(main())
