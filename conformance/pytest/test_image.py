# SPDX-License-Identifier: MIT
"""The conformance guest as the user of any VMM meets it: build-image.sh makes
the image, the QEMU command lines of its README boot it as they stand (no
runner of ours in the loop), and collect.py turns the result port into
results.json, junit.xml and report.html, for two device models: the host's
QEMU 10.0 virtio-gpu-pci, and our device behind forky QEMU 11.1's
vhost-user-test-device-pci, run broken on purpose so that one case fails and
shows what a failing case carries.

Needs root and the VM stacks (conformance/vm/setup-*.sh); runs with the
real-VM configurations (test.sh). VGB_IMAGE_KEEP=1 keeps the image directory
(under /tmp) with its logs and reports.

  /usr/bin/python3 -m pytest conformance/pytest/test_image.py -v
"""

import contextlib
import fcntl
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
VM = os.path.join(REPO, "conformance", "vm")
KNOWN = os.path.join(REPO, "conformance", "known-results")
sys.path.insert(0, VM)

import stack  # noqa: E402

BOOT_TIMEOUT_S = 300
# The case our device fails on purpose (vgb-host --break=checksum-off-by-one).
BROKEN_CASE = "pair.refctx.guest_writes_seen"
# Other cases that read the guest's bytes through the reference context's checksum.
ALSO_BROKEN = ["pair.pages.guest_blob_entries"]


def examples(readme):
    """The README's commands by name (<!-- example: NAME --> before a sh block)."""
    found = re.findall(r"<!-- example: ([\w-]+) -->\n```sh\n(.*?)```", readme, re.S)
    return {name: body.strip() for name, body in found}


def live(cmd):
    """The README's way to read the result port live: -serial stdio for the file."""
    assert "-serial file:results.log" in cmd
    return cmd.replace("-serial file:results.log", "-serial stdio")


def with_kernel_args(cmd, extra):
    return re.sub(r'(-append "[^"]*)"', r'\1 %s"' % extra, cmd, count=1)


@pytest.fixture(scope="module")
def image():
    if os.geteuid() != 0:
        pytest.skip("needs root (the VM stacks install packages and use a chroot)")
    subprocess.run([os.path.join(VM, "setup-host.sh")], check=True, stdout=subprocess.DEVNULL)
    # Under /tmp: the forky chroot sees the host's /tmp.
    out = tempfile.mkdtemp(prefix="vgb-image-", dir="/tmp")
    os.chmod(out, 0o755)
    proc = subprocess.run([os.path.join(VM, "build-image.sh"), out], stdout=subprocess.PIPE, text=True)
    assert proc.returncode == 0, "build-image.sh failed"
    with open(os.path.join(out, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    with open(os.path.join(out, "image.json"), encoding="utf-8") as f:
        info = json.load(f)
    yield {"dir": out, "readme": readme, "info": info, "examples": examples(readme)}
    if not os.environ.get("VGB_IMAGE_KEEP"):
        shutil.rmtree(out, ignore_errors=True)


def collect(img, name, version, report, cmd, *extra):
    """Boots cmd (a shell command, in the image directory) with its result port on
    standard output, piped into the collector; returns (exit status, collector output)."""
    collector = [os.path.join(VM, "collect.py"), "--name", name, "--version", version, "--out", report,
                 "--device-trace", "device-trace.log", "--console", "console.log", "--vmm-command", cmd,
                 *extra, "-"]
    vmm = subprocess.Popen(cmd, shell=True, cwd=img["dir"], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
                           stderr=open(os.path.join(img["dir"], name + ".vmm.log"), "w"), start_new_session=True)
    try:
        out = subprocess.run(collector, stdin=vmm.stdout, cwd=img["dir"], capture_output=True, text=True,
                             timeout=BOOT_TIMEOUT_S)
    finally:
        vmm.stdout.close()
        stack.stop(vmm)
    return out.returncode, out.stdout + out.stderr


def reports(report):
    with open(os.path.join(report, "results.json"), encoding="utf-8") as f:
        target = json.load(f)["targets"][0]
    with open(os.path.join(report, "report.html"), encoding="utf-8") as f:
        html = f.read()
    junit = ET.parse(os.path.join(report, "junit.xml")).getroot()
    return target, html, junit


def check_reports(img, report):
    """Every case of the image is in all three reports."""
    target, html, junit = reports(report)
    names = [c["name"] for c in target["cases"]]
    for case in img["info"]["cases"]:
        assert case in names, "%s missing from results.json" % case
        assert "case-%s-%s" % (target["name"], case) in html, "%s missing from report.html" % case
    assert len(junit.findall(".//testcase")) == len(names)
    return target, html


def test_readme_says_what_any_vmm_needs(image):
    readme, info = image["readme"], image["info"]
    assert info["kernel_args"] in readme
    for needed in ("vgb.results=", "/dev/hvc0", "/dev/console", "vgb.cases=", "vgb.rerun_failures=",
                   "collect.py", "--expectations", "virtio_mmio"):
        assert needed in readme, needed
    assert set(image["examples"]) >= {"qemu-virtio-gpu-pci", "qemu-virtio-gpu-gl-pci", "vgb-host",
                                      "qemu-vhost-user-test-device-pci"}
    for f in ("vmlinuz", "initrd.img"):
        assert os.path.getsize(os.path.join(image["dir"], f)) > 0
    assert info["libdrm"].startswith("2.4.1") and info["cases"]


def test_qemu10_virtio_gpu_pci(image):
    """QEMU's own 2D device: the verdicts are those of the built-in configuration
    with the same device and kernel (its known results, as the expectations)."""
    cmd = live(image["examples"]["qemu-virtio-gpu-pci"])
    version = subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True,
                             text=True).stdout.split("\n")[0].split()[3]
    report = os.path.join(image["dir"], "report-virtio-gpu-pci")
    rc, out = collect(image, "QEMU virtio-gpu-pci", version, report, cmd, "--expectations",
                      os.path.join(KNOWN, "qemu10-virtio-gpu-nohostmem-linux7.2.json"))
    assert rc == 0, out
    target, html = check_reports(image, report)
    got = {c["name"]: c for c in target["cases"]}
    # QEMU's trace (-msg timestamp=on -trace ...) checked the driver's command stream.
    assert got["pair.driver.command_stream"]["verdict"] == "PASS"
    assert target["info"]["collected"] == "live" and "+edid" in target["info"]["negotiated_features"]


def forky_session(root):
    """The forky chroot's lock and bind mounts, as the VM runner takes them."""
    lock = open(os.path.join(stack.cache_dir(), "forky-root.lock"), "w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    subprocess.run([os.path.join(VM, "chroot-mounts.sh"), "mount", root], check=True)
    return lock


def test_vgb_host_behind_qemu11(image, tmp_path):
    """Our device behind QEMU 11.1's generic vhost-user frontend, broken on purpose:
    the failing case carries its steps, the device's trace while it ran, the command
    that runs it alone, and a rerun that fails again (not FLAKY)."""
    host = stack.vgb_host_binary()
    if not host:
        pytest.skip("build/ref/host/vgb-host is not built")
    # The chroot's directory is named after its recipe: the script says where.
    root = stack.run_script("setup-forky.sh")
    # The known results of the built-in configuration, in the text form, with the
    # broken case expected to FAIL first.
    with open(os.path.join(KNOWN, "qemu11-vgb-host-linux7.2.json"), encoding="utf-8") as f:
        known = json.load(f)["cases"]
    expect = tmp_path / "vgb-host-broken.expect"
    expect.write_text("# vgb-host --break=checksum-off-by-one behind QEMU 11.1\n"
                      "%s FAIL the device runs with --break=checksum-off-by-one\n" % BROKEN_CASE
                      + "".join("%s FAIL its host hash comes from the broken checksum\n" % n for n in ALSO_BROKEN)
                      + "".join("%s %s %s\n" % (n, e["verdict"], e.get("why", "")) for n, e in known.items()))

    device = image["examples"]["vgb-host"].replace(
        "vgb-host", "%s --break=checksum-off-by-one" % shlex.quote(host), 1)
    sock = os.path.join(image["dir"], "gpu.sock")
    qemu = with_kernel_args(live(image["examples"]["qemu-vhost-user-test-device-pci"]), "vgb.rerun_failures=1")
    in_chroot = "chroot %s /usr/bin/env -i %s HOME=/root sh -c %s" % (
        shlex.quote(root), stack.FORKY_PATH, shlex.quote("cd %s && %s" % (image["dir"], qemu)))
    lock = forky_session(root)
    backend = None
    try:
        # The README's block starts the device in the background and returns once it listens.
        backend = subprocess.Popen(device, shell=True, cwd=image["dir"], stdout=subprocess.DEVNULL,
                                   stderr=open(str(tmp_path / "vgb-host.log"), "w"), start_new_session=True)
        assert backend.wait(timeout=60) == 0, "vgb-host did not start listening"
        rc, out = collect(image, "vgb-host", "broken", os.path.join(image["dir"], "report-vgb-host"), in_chroot,
                          "--expectations", str(expect))
    finally:
        if backend:
            # The device serves one front-end and exits with it; whatever is left goes.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(backend.pid, signal.SIGTERM)
        subprocess.run([os.path.join(VM, "chroot-mounts.sh"), "umount", root])
        lock.close()
        if os.path.exists(sock):
            os.unlink(sock)
    assert rc == 0, out
    target, html = check_reports(image, os.path.join(image["dir"], "report-vgb-host"))
    c = {c["name"]: c for c in target["cases"]}[BROKEN_CASE]
    assert c["verdict"] == "FAIL" and c["attempts"] == ["FAIL", "FAIL"], c
    assert "EXECBUFFER" in c["steps"] and "CREATE_BLOB" in c["steps"]
    # The CHECKSUM the host answered wrongly is a SUBMIT_3D in the device's trace of the case.
    assert "vgb_cmd SUBMIT_3D" in c["device_trace"], c.get("device_trace")
    assert "vgb.cases=%s" % BROKEN_CASE in c["reproduce"] and "vhost-user-test-device-pci" in c["reproduce"]
    for shown in ("the in-guest agent&#x27;s steps", "the device&#x27;s trace during the case", "reproduce"):
        assert shown in html
