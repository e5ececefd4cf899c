# SPDX-License-Identifier: MIT
"""The pair cases catch a device that breaks coherency on purpose in a real VM:
vgb-host --renderer=virgl --break=map-stale-copy behind forky QEMU 11.1 maps a
copy of each context object's blob taken at MAP time, so the guest's writes
never reach the host GPU and the GPU's writes never reach the guest.  The
cases that check those directions must FAIL, naming the requirement.

Runs with the VM tests (root, the forky chroot):

  /usr/bin/python3 -m pytest conformance/pytest/test_vm_breaks.py -v
"""

import dataclasses
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "conformance", "vm"))

import configs  # noqa: E402
import run  # noqa: E402
import stack  # noqa: E402

CONFIG = "qemu11-vgb-host-venus-linux7.2"
BREAK = "map-stale-copy"
# case, the requirement its FAIL must name (the agents cite it first), what the detail must say:
# the data itself went wrong, not the API around it
CAUGHT = [
    ("pair.vk.coherent_cpu_to_gpu", "REQ-DEV-COH-0200", "the GPU's hash of"),
    ("pair.vk.coherent_gpu_to_cpu", "REQ-DEV-COH-0201", "the CPU reads word"),
    ("pair.refctx.guest_writes_seen", "REQ-DEV-COH-0070", "host hash of the guest's bytes"),
    ("pair.refctx.host_writes_seen", "REQ-DEV-COH-0071", "host pattern not seen"),
]


@pytest.fixture(scope="module")
def broken_run():
    base = configs.BY_NAME[CONFIG]
    cfg = dataclasses.replace(base, name=f"{CONFIG}-break-{BREAK}",
                              backend_args=base.backend_args + [f"--break={BREAK}"])
    try:
        # Only the cases that look at coherency: the rest of the configuration is test_vm.py's.
        target = run.run_config(cfg, timeout_s=170, keep=False, only="pair.refctx.*,pair.vk.coherent_*")
    except stack.Skip as e:
        pytest.skip(f"{cfg.name} cannot run here: {e}")
    return {c["name"]: c for c in target["cases"]}


@pytest.mark.parametrize("case,req,says", CAUGHT, ids=[c[0] for c in CAUGHT])
def test_break_is_caught(broken_run, case, req, says):
    c = broken_run.get(case)
    assert c is not None, f"{case}: no verdict with --break={BREAK}"
    assert c["verdict"] == "FAIL", f"{case} with --break={BREAK}: {c['verdict']} ({c.get('detail', '')})"
    assert c.get("ids", [None])[0] == req, f"{case} does not name {req} first: {c.get('ids')}"
    assert says in c.get("detail", ""), f"{case} failed for another reason: {c.get('detail')}"
    if c.get("failed_id"):
        assert c["failed_id"] == req, f"{case} failed naming {c['failed_id']}, expected {req}"
