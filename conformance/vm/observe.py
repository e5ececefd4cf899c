"""What the host observes of a run: the scanout the guest drew, and the
driver requirements checked on QEMU's command trace or by our device."""

import contextlib
import json
import os
import re
import subprocess
import time

import images
import qmp as qmplib
import trace_check

BLOB_CREATE = re.compile(r"virtio_gpu_cmd_res_create_blob\s+res 0x[0-9a-f]+, size (\d+)")


# Host-observed scanout cases, named by the agent's scanout events, and the
# requirement IDs each checks (as IDS_SCANOUT_PIXELS / IDS_SCANOUT_BLOB_PIXELS
# in the agent).
SCANOUT_CASES = {
    "pair.copy.scanout_pixels": ["REQ-DEV-DISP-0003", "REQ-DEV-XFER-0001"],
    "pair.scanout.blob_pixels": ["REQ-DEV-DISP-0003", "REQ-DEV-COH-0070", "REQ-DEV-SCANOUT-0007"],
}
DUMP_FILE = "scanout.ppm"  # our device's --dump-scanout, in the run directory


def check_scanout_capture(event, session, cfg, rundir, qmp):
    """The host-observed half of a scanout: the pixels the guest drew."""
    w, h = event["width"], event["height"]
    name = event.get("case", "pair.copy.scanout_pixels")
    ids = SCANOUT_CASES.get(name, [])
    if event.get("blob") == "GUEST":
        ids = [i for i in ids if i != "REQ-DEV-COH-0070"]  # a guest blob is shown as of its last flush
    elif event.get("blob"):
        ids = [i for i in ids if i != "REQ-DEV-SCANOUT-0007"]  # a host blob: its memory, coherent
    rgb = images.PATTERNS.get(event.get("pattern", "xy-gradient"))
    t0 = time.monotonic()
    if rgb is None:
        return case(name, "ERROR", ids, 0, f"the agent drew an unknown picture {event.get('pattern')!r}")
    how = None
    try:
        if cfg.screendump:
            path = os.path.join(rundir, "screendump.ppm")
            qmp.command("screendump", filename=path)
            img, how = images.read_ppm(path), "QMP screendump"
            origin = (0, 0) if (img.width, img.height) == (w, h) else images.find_scanout_origin(img, w, h, rgb)
        elif cfg.backend in ("vgb-host", "vgb-host-renderer"):
            img, how = wait_dump(os.path.join(rundir, DUMP_FILE), w, h, rgb, event.get("hold_s") or 5)
            if img is None:
                return case(name, "FAIL", ids, time.monotonic() - t0,
                            f"vgb-host wrote no {DUMP_FILE} within {event.get('hold_s') or 5} s of the flush: "
                            "the scanout never reached its display side")
            origin = (0, 0) if (img.width, img.height) == (w, h) else None
        elif session.display:
            path = os.path.join(rundir, f"screen-{name}.xwd")
            session.screenshot_x(path)
            img, how = images.read_xwd(path), f"X screenshot of {session.display}"
            origin = images.find_scanout_origin(img, w, h, rgb)
        else:
            return case(name, "NOT_SUPPORTED", ids, 0, cfg.no_capture or "no way to capture this display")
    except (qmplib.QMPError, OSError, ValueError, subprocess.SubprocessError) as e:
        return case(name, "ERROR", ids, time.monotonic() - t0, f"capture failed: {e}")
    bad, first = (0, None)
    if origin is not None and origin[0] + w <= img.width and origin[1] + h <= img.height:
        bad, first = images.check_scanout(img, w, h, origin, step=1 if (cfg.screendump or cfg.backend) else 3,
                                          rgb=rgb)
        if not bad:
            return case(name, "PASS", ids, time.monotonic() - t0,
                        f"{how} shows the {w}x{h} picture{' of the ' + event['blob'] + ' blob' if event.get('blob') else ''}"
                        f" at {origin}, pixel-exact")
    refused = None if cfg.backend else qemu_refused(rundir, event)
    if refused:
        return case(name, "NOT_SUPPORTED", ids, time.monotonic() - t0, refused)
    if origin is None:
        return case(name, "FAIL", ids, time.monotonic() - t0,
                    f"{how} ({img.width}x{img.height}) does not show the {w}x{h} picture the guest flushed")
    if first is None:
        return case(name, "FAIL", ids, time.monotonic() - t0, f"{how}: picture cut off at {origin}")
    x, y, got, want = first
    return case(name, "FAIL", ids, time.monotonic() - t0,
                f"{how}: {bad} pixels differ; first at ({x},{y}) shows {got}, guest drew {want}")


def wait_dump(path, w, h, rgb, hold_s):
    """Our device rewrites the dump (atomically) before it answers each flush;
    the flush may still be on its way when the agent reports, so the dump is
    read until it shows the picture or the agent stops holding it."""
    img, deadline = None, time.monotonic() + hold_s
    while True:
        with contextlib.suppress(OSError, ValueError, IndexError):
            img = images.read_ppm(path)
            if (img.width, img.height) == (w, h) and images.check_scanout(img, w, h, rgb=rgb)[0] == 0:
                return img, "vgb-host --dump-scanout"
        if time.monotonic() > deadline:
            return img, "vgb-host --dump-scanout"
        time.sleep(0.1)


def qemu_refused(rundir, event):
    """Why QEMU's own device did not show a blob: it answers a SET_SCANOUT_BLOB
    it cannot serve with an error (printed on stderr, reason in the guest-error log)."""
    if not event.get("blob"):
        return None
    text = ""
    with contextlib.suppress(OSError):
        with open(os.path.join(rundir, "qemu.log"), errors="replace") as f:
            text = f.read()
    line = next((ln for ln in text.splitlines() if "ctrl 0x10d, error" in ln), None)
    if not line:
        return None
    reason = ""
    with contextlib.suppress(OSError):
        # -d guest_errors goes to the log file, which -trace file= names.
        with open(os.path.join(rundir, "trace.log"), errors="replace") as f:
            reason = next((ln.strip() for ln in f if "set_scanout_blob:" in ln), "")
    return (f"QEMU answered SET_SCANOUT_BLOB of the {event['blob']} blob with an error ({line.strip()}"
            + (f"; {reason}" if reason else "") + "): this stack cannot scan a blob out")


def case(name, verdict, ids, secs, detail):
    return {"name": name, "verdict": verdict, "ids": list(ids), "time_s": round(secs, 3), "detail": detail}


def driver_command_stream(rundir):
    """Driver requirements checked on what the Linux driver sent to QEMU's device."""
    name, path = "pair.driver.command_stream", os.path.join(rundir, "trace.log")
    try:
        n = len(trace_check.events(path))
        found = trace_check.check(path)
    except FileNotFoundError:
        n, found = 0, []
    if n == 0:
        return case(name, "NOT_SUPPORTED", trace_check.CHECKED_IDS, 0, "QEMU wrote no virtio_gpu_cmd_* trace events")
    if found:
        ids = sorted({i for i, _ in found})
        return case(name, "FAIL", ids, 0, f"{len(found)} violations in {n} commands: "
                    + "; ".join(f"{i}: {t}" for i, t in found[:8]))
    return case(name, "PASS", trace_check.CHECKED_IDS, 0, f"{n} commands, no violation of the checked requirements")


def driver_validation(rundir):
    """What our device's validating mode reported about the guest driver."""
    name, path = "pair.driver.validated", os.path.join(rundir, "validate.jsonl")
    found = []
    with contextlib.suppress(FileNotFoundError):
        with open(path) as f:
            for line in f:
                with contextlib.suppress(ValueError):
                    found.append(json.loads(line))
    if not os.path.exists(path):
        return case(name, "ERROR", [], 0, "the device wrote no validation file")
    if not found:
        return case(name, "PASS", [], 0, "the device's validating mode reported no driver requirement broken")
    ids = sorted({v.get("requirement", "?") for v in found})
    return case(name, "FAIL", ids, 0, f"{len(found)} violations: "
                + "; ".join(f"{v.get('requirement')}: {v.get('detail')}" for v in found[:8]))


def vk_blobs_traced(rundir, allocations):
    """Host side of pair.vk.host_blob: each host-visible allocation the Vulkan
    agent mapped (a size of its own per memory type) is a RESOURCE_CREATE_BLOB
    of that size in QEMU's command trace."""
    name, ids = "pair.vk.host_blob_traced", ["REQ-DRV-XFER-0200", "REQ-DRV-BLOB-0002"]
    if not allocations:
        return case(name, "NOT_SUPPORTED", ids, 0, "the Vulkan agent mapped no host-visible allocation")
    sizes = {}
    with contextlib.suppress(FileNotFoundError):
        with open(os.path.join(rundir, "trace.log"), errors="replace") as f:
            for line in f:
                m = BLOB_CREATE.search(line)
                if m:
                    sizes[int(m.group(1))] = sizes.get(int(m.group(1)), 0) + 1
    if not sizes:
        return case(name, "NOT_SUPPORTED", ids, 0, "no RESOURCE_CREATE_BLOB in a QEMU command trace "
                    "(an external backend has none)")
    missing = [a for a in allocations if not sizes.get(a["size"])]
    if missing:
        return case(name, "FAIL", ids, 0, "; ".join(
            f"memory type {a['memory_type']} ({a['flags']}): no RESOURCE_CREATE_BLOB of {a['size']} bytes"
            for a in missing))
    return case(name, "PASS", ids, 0, "; ".join(
        f"memory type {a['memory_type']}: RESOURCE_CREATE_BLOB of {a['size']} bytes, mapped at region offset "
        f"0x{a['region_offset']:x}" for a in allocations))


def summarize_trace(path):
    counts = {}
    with contextlib.suppress(FileNotFoundError):
        with open(path, errors="replace") as f:
            for line in f:
                for word in line.split():
                    if word.startswith("virtio_gpu_cmd_"):
                        key = word.split("(")[0].rstrip(":")
                        counts[key] = counts.get(key, 0) + 1
                        break
    return counts


