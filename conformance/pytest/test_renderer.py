# SPDX-License-Identifier: MIT
"""vgb-host with its virglrenderer renderer (--renderer=virgl), driven by the
conformance suite through the reference driver: the renderer's own cases
(dev.renderer.*) and the map, coherency and lifecycle cases, which must not
notice that a renderer sits behind the reference context.

The renderer needs virglrenderer >= 1.0, which Debian 12 lacks; the binary
is built and run in the forky chroot of the VM configurations
(conformance/vm/build-host-renderer.sh), so this runs with the VM tests:

  /usr/bin/python3 -m pytest conformance/pytest/test_renderer.py -v
"""

import json
import os
import shlex
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "conformance", "vm"))
sys.path.insert(0, HERE)

import configs  # noqa: E402
import stack  # noqa: E402
from conftest import conform_binary  # noqa: E402

# What the renderer must give on this stack (forky: virglrenderer 1.3, lavapipe, llvmpipe).
EXPECTED = {
    "dev.renderer.capsets": "PASS",
    "dev.renderer.venus_shm_blob": "PASS",
    # GL buffers have no fd without dma-buf export: MAP_BLOB must refuse (REQ-DEV-MAP-0250).
    "dev.renderer.unplaceable_blob": "PASS",
}
# Cases of the device itself that run unchanged with the renderer behind it.
UNCHANGED = ["dev.map.*", "dev.coh.*", "dev.life.*", "dev.refctx.*", "dev.fence.*", "dev.ctx.*"]


@pytest.fixture(scope="module")
def renderer_results(tmp_path_factory):
    if os.geteuid() != 0:
        pytest.skip("needs root (the forky chroot and its bind mounts)")
    cfg = configs.BY_NAME["qemu11-vgb-host-venus-linux7.2"]
    try:
        root = stack.ensure_stack(cfg)
    except stack.Skip as e:
        pytest.skip(str(e))
    binary = stack.RENDERER_HOST["path"]
    tmp = tmp_path_factory.mktemp("renderer")
    os.chmod(tmp, 0o755)
    out = {}
    with stack.Session(cfg, str(tmp), root) as session:
        for name, extra, filt in (("ref-renderer", [], ",".join(list(EXPECTED) + UNCHANGED)),
                                  ("ref-renderer-stale", ["--break=map-stale-copy"], "dev.coh.guest_to_host")):
            backend = " ".join(shlex.quote(a) for a in session.prefix() + [binary, "--renderer=virgl", *extra])
            path = tmp / (name + ".json")
            proc = subprocess.run([conform_binary(), "--backend", backend, "--name", name, "--filter", filt,
                                   "--output", str(path)], capture_output=True, text=True, timeout=600)
            assert path.exists(), "vgb-conform wrote no results (exit %d): %s" % (proc.returncode,
                                                                                  proc.stderr[-3000:])
            doc = json.loads(path.read_text(encoding="utf-8"))
            out[name] = {c["name"]: c for c in doc["targets"][0]["cases"]}
    return out


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_renderer_case(renderer_results, case):
    got = renderer_results["ref-renderer"].get(case)
    assert got, "no verdict for %s" % case
    assert got["verdict"] == EXPECTED[case], "%s: %s (%s)" % (case, got["verdict"], got.get("detail", ""))


def test_unplaceable_blob_says_why(renderer_results):
    """The refusal names the virglrenderer call that cannot hand the memory over."""
    got = renderer_results["ref-renderer"]["dev.renderer.unplaceable_blob"]
    assert "ERR_UNSPEC" in got.get("note", "") + got.get("detail", ""), got


def test_device_cases_unchanged(renderer_results):
    """Everything the reference device passes alone it passes with the renderer behind it."""
    bad = {n: (c["verdict"], c.get("detail", "")[:200]) for n, c in renderer_results["ref-renderer"].items()
           if n not in EXPECTED and c["verdict"] not in ("PASS", "NOT_SUPPORTED")}
    assert not bad, bad


def test_stale_copy_break_is_caught(renderer_results):
    """A renderer device that maps a stale copy breaks guest-to-host coherency, named by ID."""
    c = renderer_results["ref-renderer-stale"]["dev.coh.guest_to_host"]
    assert c["verdict"] == "FAIL" and c.get("failed_id") == "REQ-DEV-COH-0070", c
