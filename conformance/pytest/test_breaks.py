# SPDX-License-Identifier: MIT
"""The suite catches a broken device: vgb-host --break=NAME behaves wrongly in
one named way (conformance self-tests only), and the case that checks that
behaviour must FAIL naming the requirement it breaks, while the same cases
PASS against the device without the break."""

import json
import os
import shlex
import subprocess

import pytest

from conftest import build_dir, conform_binary

# break, extra vgb-host options, the case that must catch it, the requirement it must name.
BREAKS = [
    ("map-double-ok", [], "dev.map.double", "REQ-DEV-MAP-0005"),
    ("map-info-none", [], "dev.map.basic", "REQ-DEV-CACHE-0001"),
    ("map-info-none", [], "dev.map.map_info", "REQ-DEV-CACHE-0001"),
    ("map-info-wrong", [], "dev.map.map_info", "REQ-DEV-CTX-0008"),
    ("map-info-wrong", ["--map-cache=wc"], "dev.map.map_info", "REQ-DEV-CTX-0008"),
    ("unmap-keeps-mapping", [], "dev.map.unmap_gone", "REQ-DEV-VU-0006"),
    ("unref-keeps-mapping", [], "dev.map.unref_mapped", "REQ-DEV-LIFE-0002"),
    ("map-unaligned-ok", [], "dev.map.offset_unaligned", "REQ-DEV-MAP-0007"),
    ("map-unaligned-ok", ["--alignment=65536", "--blob-alignment"], "dev.map.offset_unaligned",
     "REQ-DEV-MAP-0007"),
    ("transfer-skip-last-row", [], "dev.xfer.2d_contiguous", "REQ-DEV-XFER-0001"),
    ("transfer-skip-last-row", [], "dev.xfer.2d_scattered", "REQ-DEV-XFER-0001"),
    ("guest-blob-stale", [], "dev.xfer.guest_blob_scanout", "REQ-DEV-SCANOUT-0090"),
    ("guest-blob-stale", [], "dev.scanout.flush_guest", "REQ-DEV-SCANOUT-0090"),
    ("err-resource-id-as-param", [], "dev.err.res.unref_unknown", "REQ-DEV-RES-0003"),
    ("err-resource-id-as-param", [], "dev.map.unknown_resource", "REQ-DEV-RES-0003"),
    ("fence-no-echo", [], "dev.coh.fence_order", "REQ-DEV-FENCE-0002"),
    ("fence-no-echo", [], "dev.fence.ring_idx", "REQ-DEV-FENCE-0002"),
    ("checksum-off-by-one", [], "dev.coh.guest_to_host", "REQ-DEV-COH-0070"),
    ("map-stale-copy", [], "dev.coh.guest_to_host", "REQ-DEV-COH-0070"),
    ("alignment-ignored", [], "dev.map.basic", "REQ-DEV-MAP-0090"),
    ("alignment-ignored", ["--alignment=16384", "--blob-alignment"], "dev.map.remap", "REQ-DEV-MAP-0018"),
]


def host_binary():
    path = os.environ.get("VGB_HOST") or os.path.join(build_dir(), "ref", "host", "vgb-host")
    if not os.access(path, os.X_OK):
        pytest.fail("vgb-host not built at %s (set VGB_HOST or VGB_BUILD_DIR)" % path,
                    pytrace=False)
    return path


def run_cases(tmp_path, name, host_args, cases):
    """Runs `cases` against vgb-host with host_args; returns {case: result}."""
    out = tmp_path / (name + ".json")
    backend = " ".join(shlex.quote(a) for a in [host_binary()] + host_args)
    cmd = [conform_binary(), "--backend", backend, "--name", name, "--filter", ",".join(cases),
           "--output", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert out.exists(), "vgb-conform wrote no results (exit %d): %s" % (proc.returncode,
                                                                          proc.stderr[-2000:])
    doc = json.loads(out.read_text(encoding="utf-8"))
    got = {c["name"]: c for c in doc["targets"][0]["cases"]}
    missing = set(cases) - set(got)
    assert not missing, "no verdict for %s; runner said: %s" % (sorted(missing), proc.stdout[-2000:])
    return got, proc


def ident(p):
    brk, extra, case, _ = p
    return "%s%s/%s" % (brk, "".join(" " + a for a in extra), case)


@pytest.mark.parametrize("brk,extra,case,req", BREAKS, ids=[ident(p) for p in BREAKS])
def test_break_is_caught(tmp_path, brk, extra, case, req):
    got, proc = run_cases(tmp_path, "broken", extra + ["--break=" + brk], [case])
    c = got[case]
    assert c["verdict"] == "FAIL", "%s with --break=%s: expected FAIL, got %s: %s" % (
        case, brk, c["verdict"], c.get("detail", ""))
    assert c.get("failed_id") == req, "%s with --break=%s failed naming %s, expected %s: %s" % (
        case, brk, c.get("failed_id"), req, c.get("detail", ""))
    assert req in c["ids"], "%s does not cite %s" % (case, req)
    assert proc.returncode == 1, "vgb-conform exit %d with a failing case" % proc.returncode


@pytest.mark.parametrize("extra", sorted({tuple(p[1]) for p in BREAKS}),
                         ids=lambda e: " ".join(e) or "default")
def test_unbroken_device_passes(tmp_path, extra):
    cases = sorted({p[2] for p in BREAKS if tuple(p[1]) == extra})
    got, proc = run_cases(tmp_path, "unbroken", list(extra), cases)
    bad = ["%s: %s %s" % (n, c["verdict"], c.get("detail", "")) for n, c in sorted(got.items())
           if c["verdict"] != "PASS"]
    assert not bad, "the device without a break does not pass:\n" + "\n".join(bad)
    assert proc.returncode == 0


def test_every_break_is_exercised():
    """Each break vgb-host --help lists is caught by some case above, and no more."""
    out = subprocess.run([host_binary(), "--help"], capture_output=True, text=True,
                         check=True).stdout
    assert "conformance self-tests only" in out.lower() or "CONFORMANCE SELF-TESTS ONLY" in out
    listed = []
    section = False
    for line in out.splitlines():
        if line.startswith("Breaks "):
            section = True
        elif section and line.startswith("  "):
            listed.append(line.split()[0])
        else:
            section = False  # the list ends where the next heading (e.g. the hostile faults) starts
    assert listed, "vgb-host --help lists no breaks"
    assert sorted(set(listed)) == sorted({p[0] for p in BREAKS})


def test_unknown_break_is_refused():
    proc = subprocess.run([host_binary(), "--fd=0", "--break=no-such-break"], capture_output=True,
                          text=True)
    assert proc.returncode == 2
    assert "unknown break" in proc.stderr
