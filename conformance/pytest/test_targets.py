# SPDX-License-Identifier: MIT
"""Every case on every non-VM target must get the verdict its known-results
file expects (conformance/known-results/); every expected non-PASS says why."""

import subprocess

import pytest

from conftest import known_for


def test_target_reachable(conform_runs, target_name):
    t = conform_runs.target(target_name)
    err = (t.get("info") or {}).get("probe_error")
    assert not err, "%s could not be probed: %s" % (target_name, err)


def test_known_results_file(target_name):
    known = known_for(target_name)
    assert known is not None, "no known-results file for %s in conformance/known-results" % target_name
    # Known results hold for the package version they were recorded with.
    for pkg, version in ((known.get("requires") or {}).get("dpkg") or {}).items():
        got = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], capture_output=True,
                             text=True).stdout.strip()
        assert got == version, ("%s known results were recorded with %s %s; installed: %s "
                                "(install that version or record new known results)"
                                % (target_name, pkg, version, got or "none"))


def test_case(conform_runs, target_case):
    target, case = target_case
    known = known_for(target)
    if known is None:
        pytest.fail("no known-results file for %s" % target)
    t = conform_runs.target(target)
    got = {c["name"]: c for c in t["cases"]}
    assert case in got, "%s: vgb-conform reported no verdict for %s" % (target, case)
    c = got[case]
    kr = __import__("known_results")
    want, reason = kr.expected(known, target, case)
    accepted = kr.acceptable(known, target, case)
    msg = "%s %s: expected %s%s, got %s: %s" % (
        target, case, want, " (%s)" % reason if reason else "", c["verdict"], c.get("detail", ""))
    if c.get("seed") is not None:
        msg += " [seed %s]" % c["seed"]
    assert c["verdict"] in accepted, msg
