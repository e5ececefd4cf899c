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


def check_scanout_capture(event, session, cfg, rundir, qmp):
    """The host-observed half of the copy path: the pixels the guest drew."""
    w, h = event["width"], event["height"]
    name = "pair.copy.scanout_pixels"
    ids = ["REQ-DEV-DISP-0003", "REQ-DEV-XFER-0001"]  # as IDS_SCANOUT_PIXELS in the agent
    t0 = time.monotonic()
    how = None
    try:
        if cfg.screendump:
            path = os.path.join(rundir, "screendump.ppm")
            qmp.command("screendump", filename=path)
            img, how = images.read_ppm(path), "QMP screendump"
            origin = (0, 0) if (img.width, img.height) == (w, h) else images.find_scanout_origin(img, w, h)
        elif session.display:
            path = os.path.join(rundir, "screen.xwd")
            session.screenshot_x(path)
            img, how = images.read_xwd(path), f"X screenshot of {session.display}"
            origin = images.find_scanout_origin(img, w, h)
        else:
            return case(name, "NOT_SUPPORTED", ids, 0, cfg.no_capture or "no way to capture this display")
    except (qmplib.QMPError, OSError, ValueError, subprocess.SubprocessError) as e:
        return case(name, "ERROR", ids, time.monotonic() - t0, f"capture failed: {e}")
    if origin is None:
        return case(name, "FAIL", ids, time.monotonic() - t0,
                    f"{how} ({img.width}x{img.height}) does not show the {w}x{h} picture the guest flushed")
    fits = origin[0] + w <= img.width and origin[1] + h <= img.height
    if not fits:
        return case(name, "FAIL", ids, time.monotonic() - t0, f"{how}: picture cut off at {origin}")
    bad, first = images.check_scanout(img, w, h, origin, step=1 if cfg.screendump else 3)
    if bad:
        x, y, got, want = first
        return case(name, "FAIL", ids, time.monotonic() - t0,
                    f"{how}: {bad} pixels differ; first at ({x},{y}) shows {got}, guest drew {want}")
    return case(name, "PASS", ids, time.monotonic() - t0, f"{how} shows the {w}x{h} picture at {origin}")


FAILED_ID = re.compile(r"\((REQ-(?:DEV|DRV)-[A-Z]+-[0-9]{4})\)")


def case(name, verdict, ids, secs, detail):
    c = {"name": name, "verdict": verdict, "ids": list(ids), "time_s": round(secs, 3), "detail": detail}
    # The agent names the requirement a failure breaks in parentheses.
    m = FAILED_ID.search(detail) if verdict == "FAIL" else None
    if m:
        c["failed_id"] = m.group(1)
    return c


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
    """What our device's validating mode reported about the guest driver:
    broken MUSTs fail the case; SHOULDs not met are named in its detail."""
    name, path = "pair.driver.validated", os.path.join(rundir, "validate.jsonl")
    found, warned = [], []
    with contextlib.suppress(FileNotFoundError):
        with open(path) as f:
            for line in f:
                with contextlib.suppress(ValueError):
                    v = json.loads(line)
                    (warned if "warning" in v else found).append(v)
    if not os.path.exists(path):
        return case(name, "ERROR", [], 0, "the device wrote no validation file")
    should = ("; SHOULD not met: " + "; ".join(f"{v['warning']}: {v.get('detail')}" for v in warned[:4])
              if warned else "")
    if not found:
        return case(name, "PASS", sorted({v["warning"] for v in warned}), 0,
                    "the device's validating mode reported no driver requirement broken" + should)
    ids = sorted({v.get("requirement", "?") for v in found})
    return case(name, "FAIL", ids, 0, f"{len(found)} violations: "
                + "; ".join(f"{v.get('requirement')}: {v.get('detail')}" for v in found[:8]) + should)


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


