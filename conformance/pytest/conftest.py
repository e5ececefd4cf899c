# SPDX-License-Identifier: MIT
"""Shared fixtures of the conformance pytest suite.

Targets come from conformance/targets/targets.json (VGB_CONFORM_TARGETS=a,b
selects some), cases from `vgb-conform --list --json` (no device opened).
Each target is run once per session; its results.json goes to
VGB_CONFORM_RESULTS_DIR (default <build>/conformance-results/).
"""

import json
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
TARGETS_FILE = os.path.join(REPO, "conformance", "targets", "targets.json")
KNOWN_DIR = os.path.join(REPO, "conformance", "known-results")
sys.path.insert(0, os.path.join(REPO, "conformance", "report"))

import known_results  # noqa: E402


def build_dir():
    return os.environ.get("VGB_BUILD_DIR") or os.path.join(REPO, "build")


def conform_binary():
    path = os.environ.get("VGB_CONFORM") or os.path.join(build_dir(), "conformance", "vgb-conform")
    if not os.access(path, os.X_OK):
        pytest.fail("vgb-conform not built at %s (set VGB_CONFORM or VGB_BUILD_DIR)" % path,
                    pytrace=False)
    return path


def all_targets():
    with open(TARGETS_FILE, encoding="utf-8") as f:
        targets = json.load(f)["targets"]
    want = os.environ.get("VGB_CONFORM_TARGETS", "").strip()
    if want:
        names = [n.strip() for n in want.split(",") if n.strip()]
        unknown = set(names) - {t["name"] for t in targets}
        if unknown:
            raise pytest.UsageError("unknown targets in VGB_CONFORM_TARGETS: %s" % ", ".join(sorted(unknown)))
        targets = [t for t in targets if t["name"] in names]
    return targets


_cases_cache = []


def all_cases():
    if not _cases_cache:
        path = os.environ.get("VGB_CONFORM") or os.path.join(build_dir(), "conformance", "vgb-conform")
        if not os.access(path, os.X_OK):
            return []
        out = subprocess.run([path, "--list", "--json"], check=True, capture_output=True,
                             text=True).stdout
        _cases_cache.extend(json.loads(out))
    return _cases_cache


class ConformRuns:
    """Runs each target at most once per session and keeps its results."""

    def __init__(self):
        self.results = {}
        self.outdir = os.environ.get("VGB_CONFORM_RESULTS_DIR") or os.path.join(
            build_dir(), "conformance-results")
        os.makedirs(self.outdir, exist_ok=True)

    def run(self, target, *extra, output=None, timeout=1500):
        out = output or os.path.join(self.outdir, target + ".json")
        cmd = [conform_binary(), "--target", target, "--targets-file", TARGETS_FILE,
               "--output", out] + list(extra)
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if not os.path.exists(out):
            pytest.fail("vgb-conform wrote no results (exit %d): %s" % (proc.returncode,
                                                                         proc.stderr[-2000:]))
        with open(out, encoding="utf-8") as f:
            doc = json.load(f)
        return proc, doc

    def target(self, name):
        if name not in self.results:
            proc, doc = self.run(name)
            t = doc["targets"][0]
            t["_exit"] = proc.returncode
            t["_log"] = proc.stdout
            self.results[name] = t
        return self.results[name]


@pytest.fixture(scope="session", autouse=True)
def vm_run_dirs(request):
    """A session that passed removes the VM run directories it made (3 MB or
    more each); a failing one keeps them, as its messages point into them.
    VGB_VM_KEEP=1 keeps them always."""
    yield
    vmrun = sys.modules.get("run")
    if (request.session.testsfailed == 0 and not os.environ.get("VGB_VM_KEEP")
            and hasattr(vmrun, "remove_run_dirs")):
        vmrun.remove_run_dirs()


@pytest.fixture(scope="session")
def conform_runs():
    return ConformRuns()


@pytest.fixture(scope="session")
def conform():
    return conform_binary()


def known_for(target_name):
    path = known_results.file_for(target_name, KNOWN_DIR, TARGETS_FILE)
    return known_results.load(path) if path else None


def pytest_generate_tests(metafunc):
    if "target_case" in metafunc.fixturenames:
        params = [(t["name"], c["name"]) for t in all_targets() for c in all_cases()]
        metafunc.parametrize("target_case", params, ids=["%s/%s" % p for p in params])
    elif "target_name" in metafunc.fixturenames:
        names = [t["name"] for t in all_targets()]
        metafunc.parametrize("target_name", names, ids=names)
