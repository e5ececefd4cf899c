#!/usr/bin/python3
"""Runs the pair cases in real VMs: per named configuration it sets up the
stack, builds the guest, boots QEMU under TCG, follows the agent's results
on the second serial port, observes the host side (QMP screendump, virtio
status, command trace) and writes the results JSON.

  run.py --list
  run.py [--out FILE] [--timeout S] CONFIG... | all | default
"""

import argparse
import contextlib
import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import configs  # noqa: E402
import images  # noqa: E402
import qmp as qmplib  # noqa: E402
import trace_check  # noqa: E402

VM_DIR = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(VM_DIR))
SUITE_VERSION = "1.0.0"
MARKER = "VGB-AGENT "
FORKY_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def cache_dir():
    if os.environ.get("VGB_CACHE"):
        return os.environ["VGB_CACHE"]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "virtio-gpu-blob")


def log(msg):
    print(f"[vm {time.strftime('%H:%M:%S')}] {msg}", flush=True)


class Skip(Exception):
    """The configuration cannot run on this machine; the reason says why."""


def run_script(name, *args):
    """Runs one of our shell scripts, passing its progress lines through."""
    cmd = [os.path.join(VM_DIR, name), *args]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=None, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{name} {' '.join(args)} failed (exit {proc.returncode})")
    return proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""


def qemu_version(cmd_prefix):
    out = subprocess.run([*cmd_prefix, "qemu-system-x86_64", "--version"], capture_output=True, text=True)
    first = out.stdout.splitlines()[0] if out.stdout else "unknown"
    return first.replace("QEMU emulator version ", "QEMU ")


BACKENDS = {
    # name: (how to find the binary, extra arguments, validating mode)
    "vgb-host": (lambda: vgb_host_binary(), ["--validate={rundir}/validate.jsonl"], True),
    "qemu-vhost-user-gpu": (lambda: "/usr/lib/qemu/vhost-user-gpu"
                            if os.access("/usr/lib/qemu/vhost-user-gpu", os.X_OK) else None, [], False),
}


def vgb_host_binary():
    path = os.environ.get("VGB_HOST") or os.path.join(REPO, "build", "ref", "host", "vgb-host")
    return path if os.access(path, os.X_OK) else None


def ensure_stack(cfg):
    if os.geteuid() != 0:
        raise Skip("needs root (installs packages, chroot and bind mounts)")
    if cfg.backend == "vgb-host" and not vgb_host_binary():
        raise Skip("our device build/ref/host/vgb-host is not built (meson compile -C build); "
                   "set VGB_HOST to use another path")
    run_script("setup-host.sh")
    if cfg.stack == "forky":
        run_script("setup-forky.sh")


class Session:
    """Where QEMU runs: the host, or the forky chroot (locked, bind mounts
    undone on exit, Xvfb started for GL displays)."""

    def __init__(self, cfg, rundir):
        self.cfg, self.rundir = cfg, rundir
        self.root = os.path.join(cache_dir(), "forky-root") if cfg.stack == "forky" else None
        self.lock = None
        self.mounted = False
        self.procs = []
        self.display = None

    def prefix(self):
        if not self.root:
            return []
        return ["chroot", self.root, "/usr/bin/env", "-i", FORKY_PATH, "HOME=/root", "LANG=C.UTF-8",
                *([f"DISPLAY={self.display}"] if self.display else [])]

    def __enter__(self):
        if self.root:
            self.lock = open(os.path.join(cache_dir(), "forky-root.lock"), "w")
            fcntl.flock(self.lock, fcntl.LOCK_EX)
            subprocess.run([os.path.join(VM_DIR, "chroot-mounts.sh"), "mount", self.root], check=True)
            self.mounted = True
            if self.cfg.gl:
                self.start_xvfb()
        return self

    def start_xvfb(self):
        r, w = os.pipe()
        proc = subprocess.Popen([*self.prefix(), "Xvfb", "-displayfd", str(w), "-screen", "0", "1280x1024x24",
                                 "+extension", "GLX", "-nolisten", "tcp"],
                                pass_fds=(w,), stdout=subprocess.DEVNULL,
                                stderr=open(os.path.join(self.rundir, "xvfb.log"), "w"))
        os.close(w)
        self.procs.append(proc)
        with os.fdopen(r) as f:
            num = f.readline().strip()
        if not num.isdigit():
            raise RuntimeError(f"Xvfb did not start (see {self.rundir}/xvfb.log)")
        self.display = f":{num}"
        log(f"Xvfb on display {self.display}")

    def spawn(self, args, logname):
        proc = subprocess.Popen([*self.prefix(), *args], stdin=subprocess.DEVNULL,
                                stdout=open(os.path.join(self.rundir, logname), "w"), stderr=subprocess.STDOUT,
                                start_new_session=True)
        self.procs.append(proc)
        return proc

    def screenshot_x(self, path):
        with open(path, "wb") as f:
            subprocess.run([*self.prefix(), "xwd", "-root", "-silent"], stdout=f, check=True, timeout=30)

    def __exit__(self, *exc):
        for proc in reversed(self.procs):
            stop(proc)
        if self.mounted:
            subprocess.run([os.path.join(VM_DIR, "chroot-mounts.sh"), "umount", self.root])
        if self.lock:
            self.lock.close()
        return False


def stop(proc, grace=5.0):
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM) if os.getpgid(proc.pid) == proc.pid else proc.terminate()
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL) if os.getpgid(proc.pid) == proc.pid else proc.kill()
        proc.wait(grace)


def qemu_args(cfg, rundir, socket_path, scanout_hold):
    append = (f"console=ttyS0 panic=-1 loglevel=4 vgb.case_timeout=20 "
              f"vgb.expect_scanout={scanout_hold}")
    args = ["qemu-system-x86_64", "-accel", "tcg", "-m", cfg.mem, "-smp", "1", "-nodefaults", "-no-reboot",
            "-vga", "none",
            *[a.format(mem=cfg.mem) for a in configs.MEMFD_RAM],
            "-kernel", os.path.join(rundir, "vmlinuz"), "-initrd", os.path.join(rundir, "initrd.img"),
            "-append", append,
            "-serial", f"file:{rundir}/console.log", "-serial", f"file:{rundir}/results.log",
            "-qmp", f"unix:{rundir}/qmp.sock,server=on,wait=off",
            "-trace", f"enable=virtio_gpu_cmd_*,file={rundir}/trace.log",
            *[a.format(socket=socket_path) for a in cfg.device], *cfg.extra]
    if cfg.gl:
        args += ["-display", "gtk,gl=on,show-menubar=off,zoom-to-fit=off"]
    else:
        args += ["-display", "none"]
    return args


class Follower:
    """Reads a file that QEMU appends to, line by line."""

    def __init__(self, path):
        self.path, self.pos, self.partial = path, 0, ""

    def lines(self):
        try:
            with open(self.path, "r", errors="replace") as f:
                f.seek(self.pos)
                data = f.read()
                self.pos = f.tell()
        except FileNotFoundError:
            return []
        data = self.partial + data
        parts = data.split("\n")
        self.partial = parts.pop()
        return [p.rstrip("\r") for p in parts]


def last_lines(path, n):
    with contextlib.suppress(OSError):
        with open(path, errors="replace") as f:
            return " | ".join(line.strip() for line in f.readlines()[-n:] if line.strip())
    return ""


def agent_case_names(agent):
    out = subprocess.run([agent, "--list"], capture_output=True, text=True, check=True)
    return out.stdout.split()


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


def exit_on_term():
    """Turn SIGTERM (a CI timeout) into SystemExit so that processes we
    started are stopped and the chroot's bind mounts are undone."""
    import threading
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def run_config(cfg, timeout_s, keep):
    exit_on_term()
    log(f"=== {cfg.name}: {cfg.summary}")
    t_start = time.monotonic()
    ensure_stack(cfg)
    guest = run_script("build-guest.sh", cfg.kernel)
    agent = run_script("build-agent.sh")
    expected = agent_case_names(agent)
    with open(os.path.join(guest, "info.json")) as f:
        guest_info = json.load(f)

    rundir = tempfile.mkdtemp(prefix=f"vgb-vm-{cfg.name}-", dir="/tmp")
    os.chmod(rundir, 0o755)
    for f in ("vmlinuz", "initrd.img"):
        shutil.copy(os.path.join(guest, f), os.path.join(rundir, f))
    cases, info, notes, driver_features = {}, {}, [], []
    socket_path = os.path.join(rundir, "vhost-user.sock")
    try:
        with Session(cfg, rundir) as session:
            vmm = qemu_version(session.prefix())
            if cfg.backend:
                find, extra, _ = BACKENDS[cfg.backend]
                binary = find()
                if not binary:
                    raise Skip(f"backend {cfg.backend} is not installed")
                # Started on the host: the chroot's /tmp is the host's, so the socket is shared.
                backend = subprocess.Popen([binary, f"--socket-path={socket_path}",
                                            *[a.format(rundir=rundir) for a in extra]],
                                           stdout=open(os.path.join(rundir, "backend.log"), "w"),
                                           stderr=subprocess.STDOUT, start_new_session=True)
                session.procs.append(backend)
                for _ in range(100):
                    if os.path.exists(socket_path) or backend.poll() is not None:
                        break
                    time.sleep(0.05)
                if not os.path.exists(socket_path):
                    raise RuntimeError(f"{cfg.backend} did not create its socket (see {rundir}/backend.log)")
            hold = 3 if (cfg.screendump or cfg.gl) else 0
            args = qemu_args(cfg, rundir, socket_path, hold)
            with open(os.path.join(rundir, "qemu.cmdline"), "w") as f:
                f.write(" ".join(args) + "\n")
            log(f"booting {cfg.kernel} under {vmm} (TCG); run dir {rundir}")
            proc = session.spawn(args, "qemu.log")
            qmp = qmplib.QMP(os.path.join(rundir, "qmp.sock"))
            try:
                qmp.connect(alive=lambda: proc.poll() is None)
            except qmplib.QMPError as e:
                notes.append(f"QMP unavailable: {e}")
                qmp = None
            follow_res = Follower(os.path.join(rundir, "results.log"))
            follow_con = Follower(os.path.join(rundir, "console.log"))
            deadline = time.monotonic() + timeout_s
            ended = timed_out = False
            end_time = None
            while True:
                for line in follow_con.lines():
                    if line.startswith("VGB-INIT"):
                        log(f"guest: {line[9:]}")
                    elif "[drm] features:" in line:
                        driver_features += line.split("[drm] features:", 1)[1].split()
                for line in follow_res.lines():
                    idx = line.find(MARKER)
                    if idx < 0:
                        continue
                    try:
                        obj = json.loads(line[idx + len(MARKER):])
                    except ValueError:
                        notes.append(f"unparsable agent line: {line[:120]}")
                        continue
                    kind = obj.get("type")
                    if kind == "case":
                        c = case(obj["name"], obj["verdict"], obj.get("ids", []), obj.get("time_s", 0),
                                 obj.get("detail", ""))
                        cases[c["name"]] = c
                        done = sum(1 for n in cases if n in expected)
                        log(f"  [{done}/{len(expected)}] {c['name']}: {c['verdict']} ({c['time_s']} s) "
                            f"{c['detail'][:140]}")
                    elif kind == "info":
                        info["driver_params"] = obj.get("params", {})
                        if qmp and cfg.virtio_status:
                            try:
                                info["virtio_status"] = qmplib.virtio_gpu_status(qmp)
                            except qmplib.QMPError as e:
                                notes.append(f"x-query-virtio-status: {e}")
                    elif kind == "event" and obj.get("name") == "scanout" and (qmp or cfg.no_capture):
                        c = check_scanout_capture(obj, session, cfg, rundir, qmp)
                        cases[c["name"]] = c
                        log(f"  [host] {c['name']}: {c['verdict']} {c['detail'][:140]}")
                    elif kind == "end":
                        ended, end_time = True, time.monotonic()
                if proc.poll() is not None:
                    break
                if ended and time.monotonic() - end_time > 20:
                    notes.append("QEMU did not power off within 20 s of the agent's end; stopped")
                    break
                if time.monotonic() > deadline:
                    timed_out = True
                    notes.append(f"configuration timed out after {timeout_s} s")
                    break
                time.sleep(0.2)
            if qmp:
                qmp.close()
            stop(proc)
            rc = proc.returncode
            if rc not in (0, None) and not timed_out:
                msg = f"QEMU exited {rc}" + (" after the agent finished" if ended else " before the agent finished")
                tail = last_lines(os.path.join(rundir, "qemu.log"), 3)
                notes.append(msg + f": {tail} (see {rundir}/qemu.log)")
                log(f"{msg}: {tail}")
    except Skip:
        raise
    finally:
        pass
    if not cfg.backend:
        c = driver_command_stream(rundir)
    elif BACKENDS[cfg.backend][2]:
        c = driver_validation(rundir)
    else:
        c = None  # a backend without a validating mode: nothing checks the driver here
    if c:
        cases[c["name"]] = c
        log(f"  [host] {c['name']}: {c['verdict']} {c['detail'][:140]}")
    for name in expected:
        if name not in cases:
            verdict = "TIMEOUT" if timed_out else "ERROR"
            cases[name] = case(name, verdict, [], 0, "no result from the guest: "
                               + ("the configuration timed out" if timed_out else
                                  f"the guest stopped early (see {rundir}/console.log)"))
    info.update({
        "vmm": vmm,
        "device": cfg.device_options,
        "renderer": ("virglrenderer + Mesa llvmpipe (Xvfb)" if cfg.gl else
                     f"{cfg.backend} (vhost-user backend)" if cfg.backend else "QEMU 2D (pixman)"),
        "guest_kernel": guest_info.get("kernel_release"),
        # The device's view when QEMU can report it, else the Linux driver's log line.
        "negotiated_features": ((info.get("virtio_status") or {}).get("negotiated")
                                or [f for f in driver_features if f.startswith("+")]),
        "driver_features": driver_features,
        "trace_commands": summarize_trace(os.path.join(rundir, "trace.log")),
        "rundir": rundir,
        "notes": notes,
        "time_s": round(time.monotonic() - t_start, 1),
    })
    ordered = [cases[n] for n in expected] + [c for n, c in cases.items() if n not in expected]
    log(f"=== {cfg.name}: " + ", ".join(f"{v} {sum(1 for c in ordered if c['verdict'] == v)}"
                                      for v in ("PASS", "FAIL", "NOT_SUPPORTED", "ERROR", "TIMEOUT"))
        + f" in {info['time_s']} s")
    if not keep:
        for f in ("vmlinuz", "initrd.img"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(rundir, f))
    return {"name": cfg.name, "implementation": f"{vmm} -device {cfg.device_options}", "info": info,
            "cases": ordered}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("configs", nargs="*", help="configuration names, 'default' or 'all'")
    ap.add_argument("--list", action="store_true", help="list the configurations")
    ap.add_argument("--out", help="results JSON (default: print the path of one in the run dir)")
    ap.add_argument("--timeout", type=int, default=170, help="seconds per configuration once set up")
    ap.add_argument("--keep", action="store_true", help="keep kernel and initramfs copies in the run dir")
    args = ap.parse_args(argv)
    if args.list or not args.configs:
        for c in configs.CONFIGS:
            mark = "*" if c.name in configs.DEFAULT_SET else " "
            print(f"{mark} {c.name:42} {c.summary}")
        print("(* = default set)")
        return 0
    names = []
    for n in args.configs:
        if n == "all":
            names += [c.name for c in configs.CONFIGS]
        elif n == "default":
            names += configs.DEFAULT_SET
        elif n in configs.BY_NAME:
            names.append(n)
        else:
            print(f"run.py: unknown configuration {n!r} (see --list)", file=sys.stderr)
            return 2
    targets, skipped, status = [], {}, 0
    for n in names:
        try:
            targets.append(run_config(configs.BY_NAME[n], args.timeout, args.keep))
        except Skip as e:
            log(f"=== {n}: skipped: {e}")
            skipped[n] = str(e)
            status = status or 77
        except (RuntimeError, OSError, subprocess.SubprocessError) as e:
            log(f"=== {n}: error: {e}")
            targets.append({"name": n, "implementation": configs.BY_NAME[n].summary,
                            "info": {"error": str(e)}, "cases": []})
            status = 99
    result = {"suite_version": SUITE_VERSION, "targets": targets}
    if skipped:
        result["skipped"] = skipped
    out = args.out or os.path.join(tempfile.gettempdir(), f"vgb-vm-results-{os.getpid()}.json")
    with open(out, "w") as f:
        json.dump(result, f, indent=1)
    log(f"results: {out}")
    return 0 if status == 77 and targets else status


if __name__ == "__main__":
    sys.exit(main())
