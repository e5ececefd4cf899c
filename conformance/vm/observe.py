"""What the host observes of a run: the scanout the guest drew, and the
driver requirements checked on QEMU's command trace or by our device."""

import contextlib
import json
import os
import subprocess
import time

import images
import qmp as qmplib
import trace_check


def check_scanout_capture(event, session, cfg, rundir, qmp, settle_s=60):
    """The host-observed half of the copy path: the pixels the guest drew.  The guest's
    DIRTYFB can return before the device has flushed (Linux queues TRANSFER and FLUSH),
    and a VMM shows what its display channel delivered only when its main loop gets to
    it: so the picture is captured again until it shows or settle_s passes (the agent
    holds it until we say we are done)."""
    name = "pair.copy.scanout_pixels"
    ids = ["REQ-DEV-DISP-0003", "REQ-DEV-XFER-0001"]  # as IDS_SCANOUT_PIXELS in the agent
    t0 = time.monotonic()
    if not cfg.screendump and not session.display:
        return case(name, "NOT_SUPPORTED", ids, 0, cfg.no_capture or "no way to capture this display")
    tries = 0
    while True:
        tries += 1
        verdict, detail = capture_once(event, session, cfg, rundir, qmp)
        if verdict != "FAIL" or time.monotonic() - t0 > settle_s:
            if tries > 1:
                detail += f" (capture {tries}, {time.monotonic() - t0:.1f} s after the event)"
            return case(name, verdict, ids, time.monotonic() - t0, detail)
        time.sleep(0.2)


def capture_once(event, session, cfg, rundir, qmp):
    """One capture compared with the picture: (verdict, detail)."""
    w, h = event["width"], event["height"]
    how = None
    try:
        if cfg.screendump:
            path = os.path.join(rundir, "screendump.ppm")
            qmp.command("screendump", filename=path)
            img, how = images.read_ppm(path), "QMP screendump"
            origin = (0, 0) if (img.width, img.height) == (w, h) else images.find_scanout_origin(img, w, h)
        else:
            path = os.path.join(rundir, "screen.xwd")
            session.screenshot_x(path)
            img, how = images.read_xwd(path), f"X screenshot of {session.display}"
            origin = images.find_scanout_origin(img, w, h)
    except (qmplib.QMPError, OSError, ValueError, subprocess.SubprocessError) as e:
        return "ERROR", f"capture failed: {e}"
    if origin is None:
        return "FAIL", f"{how} ({img.width}x{img.height}) does not show the {w}x{h} picture the guest flushed"
    fits = origin[0] + w <= img.width and origin[1] + h <= img.height
    if not fits:
        return "FAIL", f"{how}: picture cut off at {origin}"
    bad, first = images.check_scanout(img, w, h, origin, step=1 if cfg.screendump else 3)
    if bad:
        x, y, got, want = first
        return "FAIL", f"{how}: {bad} pixels differ; first at ({x},{y}) shows {got}, guest drew {want}"
    return "PASS", f"{how} shows the {w}x{h} picture at {origin}"


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


HOST_CASES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "host-cases.json")


def frontend_validation(rundir):
    """What our device's --validate-frontend found about the VMM (REQ-DEV-VU-0043..0047): one case
    per requirement of host-cases.json, from the verdict the device wrote for it."""
    path = os.path.join(rundir, "frontend.jsonl")
    found = {}
    with contextlib.suppress(FileNotFoundError):
        with open(path) as f:
            for line in f:
                with contextlib.suppress(ValueError):
                    v = json.loads(line)
                    found.setdefault(v.get("frontend_requirement"), v)
    with open(HOST_CASES) as f:
        defs = [d for d in json.load(f) if d["name"].startswith("pair.frontend.")]
    out = []
    for d in defs:
        v = found.get(d["ids"][0])
        if v is None:
            out.append(case(d["name"], "ERROR", d["ids"], 0, "the device wrote no verdict (is "
                            f"{path} there? did it end cleanly?)"))
        else:
            out.append(case(d["name"], v.get("verdict", "ERROR"), d["ids"], 0, v.get("detail", "")))
    return out


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


