#!/usr/bin/python3
"""Runs the pair cases in real VMs: per named configuration it sets up the
stack, builds the guest, boots QEMU under TCG, follows the agent's results
on the second serial port, observes the host side (QMP screendump, virtio
status, command trace) and writes the results JSON.

  run.py --list
  run.py [--out FILE] [--timeout S] [--cases GLOB] [--break NAME] [--rerun-failures N]
         CONFIG... | all | default | arm64

A case that did not pass carries the agent's steps and the command that runs
it alone (run.py CONFIG --cases CASE).
"""

import argparse
import contextlib
import dataclasses
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
import qmp as qmplib  # noqa: E402
from observe import (case, check_scanout_capture, driver_command_stream,  # noqa: E402
                     driver_validation, frontend_validation, summarize_trace, vk_blobs_traced)
from stack import (BACKENDS, Session, Skip, ensure_stack, log, qemu_version,  # noqa: E402
                   run_script, stop)

SUITE_VERSION = "1.0.0"
# Run directories this process made: a caller done with them (a test session
# that passed) removes them with remove_run_dirs(); a failure's stay for diagnosis.
RUN_DIRS = []
MARKER = "VGB-AGENT "


# 9p tags of the Vulkan agent's guest userland: the forky chroot's /usr and
# the directory holding the agent binary (both read-only).
VK_USR_TAG, VK_AGENT_TAG = "vgbusr", "vgbvk"


def qemu_args(cfg, rundir, socket_path, scanout_hold, only=None):
    m = configs.MACHINES[cfg.arch]
    append = (f"console={m.console} vgb.results=/dev/{m.results} panic=-1 loglevel=4 "
              f"vgb.case_timeout={cfg.case_timeout} vgb.expect_scanout={scanout_hold} "
              + " ".join(cfg.agent_params)).strip()
    if only:
        append += f" vgb.cases={only}"
    if cfg.rerun_failures:
        append += f" vgb.rerun_failures={cfg.rerun_failures}"
    if not cfg.agent:
        append += " vgb.agent=0"
    share = []
    if cfg.vk:
        append += f" vgb.vk={VK_USR_TAG},{VK_AGENT_TAG}"
        # QEMU runs in the forky chroot: its /usr is forky's userland.
        share = ["-virtfs", f"local,path=/usr,mount_tag={VK_USR_TAG},security_model=none,readonly=on",
                 "-virtfs", f"local,path={rundir}/vk,mount_tag={VK_AGENT_TAG},security_model=none,readonly=on"]
    args = [m.qemu, "-accel", "tcg", "-m", cfg.mem, "-smp", "1", "-nodefaults", "-no-reboot",
            *m.extra,
            *[a.format(mem=cfg.mem, machine=m.machine) for a in configs.MEMFD_RAM],
            "-kernel", os.path.join(rundir, "vmlinuz"), "-initrd", os.path.join(rundir, "initrd.img"),
            "-append", append,
            # The agent's results come back on the second serial port, a socket the runner reads into
            # results.log and answers on (the host confirms a capture the agent waits for).
            "-serial", f"file:{rundir}/console.log",
            "-chardev", f"socket,id=results,path={rundir}/results.sock,server=on,wait=on",
            "-serial", "chardev:results",
            "-qmp", f"unix:{rundir}/qmp.sock,server=on,wait=off",
            "-trace", f"enable=virtio_gpu_cmd_*,file={rundir}/trace.log",
            "-d", "guest_errors",  # QEMU writes these into the trace file
            *[a.format(socket=socket_path) for a in cfg.device], *share, *cfg.extra]
    if cfg.gl:
        args += ["-display", "gtk,gl=on,show-menubar=off,zoom-to-fit=off"]
    else:
        args += ["-display", "none"]
    return args


class ResultPort:
    """The guest's result serial port: QEMU waits for us to connect, everything
    it sends is appended to results.log (read by a Follower), and confirmations
    go back the same way."""

    def __init__(self, path, log_path, alive):
        import socket
        import threading
        deadline = time.monotonic() + 120  # QEMU creates the socket early; a bound for a loaded machine
        self.sock = None
        while self.sock is None and time.monotonic() < deadline and alive():
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(path)
                self.sock = s
            except OSError:
                s.close()
                time.sleep(0.05)
        if self.sock is None:
            raise RuntimeError(f"QEMU did not offer its result port at {path}")
        self.log = open(log_path, "ab", buffering=0)
        self.thread = threading.Thread(target=self._copy, daemon=True)
        self.thread.start()

    def _copy(self):
        with contextlib.suppress(OSError):
            while True:
                data = self.sock.recv(65536)
                if not data:
                    break
                self.log.write(data)

    def drain(self):
        """Waits (bounded) until the port has ended and all it sent is in the log."""
        self.thread.join(timeout=5)

    def send(self, line):
        with contextlib.suppress(OSError):
            self.sock.sendall(line.encode() + b"\n")

    def close(self):
        with contextlib.suppress(OSError):
            self.sock.close()
        self.thread.join(timeout=5)
        self.log.close()


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


def agent_case_names(agent, only=None):
    out = subprocess.run([agent, "--list", *(["--cases", only] if only else [])], capture_output=True,
                         text=True, check=True)
    return out.stdout.split()


def exit_on_term():
    """Turn SIGTERM (a CI timeout) into SystemExit so that processes we
    started are stopped and the chroot's bind mounts are undone."""
    import threading
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def remove_run_dirs():
    while RUN_DIRS:
        shutil.rmtree(RUN_DIRS.pop(), ignore_errors=True)


def run_config(cfg, timeout_s, keep, only=None):
    exit_on_term()
    log(f"=== {cfg.name}: {cfg.summary}")
    t_start = time.monotonic()
    root = ensure_stack(cfg)
    guest = run_script("build-guest.sh", cfg.kernel)
    # The case list comes from the host's build of the same sources: the
    # guest's may be for another architecture.
    agent = run_script("build-agent.sh")
    expected = agent_case_names(agent, only) if cfg.agent else []
    agents = int(cfg.agent)
    vk_agent = None
    if cfg.vk:
        vk_agent = run_script("build-agent.sh", "amd64", "vk")
        expected += agent_case_names(vk_agent, only)
        agents += 1
    with open(os.path.join(guest, "info.json")) as f:
        guest_info = json.load(f)

    rundir = tempfile.mkdtemp(prefix=f"vgb-vm-{cfg.name}-", dir="/tmp")
    RUN_DIRS.append(rundir)
    os.chmod(rundir, 0o755)
    for f in ("vmlinuz", "initrd.img"):
        shutil.copy(os.path.join(guest, f), os.path.join(rundir, f))
    if vk_agent:
        os.makedirs(os.path.join(rundir, "vk"), mode=0o755)
        shutil.copy(vk_agent, os.path.join(rundir, "vk", "vgb-vk-agent"))
    cases, info, notes, driver_features = {}, {}, [], []
    vk_allocations = []  # the Vulkan agent's vk_host_blob events
    socket_path = os.path.join(rundir, "vhost-user.sock")
    try:
        with Session(cfg, rundir, root) as session:
            vmm = qemu_version(session.prefix(), configs.MACHINES[cfg.arch].qemu)
            if cfg.backend:
                find, extra, _, in_chroot = BACKENDS[cfg.backend]
                binary = find()
                if not binary:
                    raise Skip(f"backend {cfg.backend} is not installed")
                # On the host, or in the stack's chroot: its /tmp is the host's, so the socket is shared.
                backend = subprocess.Popen([*(session.prefix() if in_chroot else []), binary,
                                            f"--socket-path={socket_path}",
                                            *[a.format(rundir=rundir) for a in extra], *cfg.backend_args],
                                           stdout=open(os.path.join(rundir, "backend.log"), "w"),
                                           stderr=subprocess.STDOUT, start_new_session=True)
                session.procs.append(backend)
                # A backend may start a renderer before it listens (vgb-host --renderer).
                for _ in range(600):
                    if os.path.exists(socket_path) or backend.poll() is not None:
                        break
                    time.sleep(0.05)
                if not os.path.exists(socket_path):
                    raise RuntimeError(f"{cfg.backend} did not create its socket (see {rundir}/backend.log)")
            # The agent holds each scanout until we confirm the capture; this only bounds it.
            hold = 120 if (cfg.screendump or cfg.gl or cfg.backend in ("vgb-host", "vgb-host-renderer")) else 0
            args = qemu_args(cfg, rundir, socket_path, hold, only)
            with open(os.path.join(rundir, "qemu.cmdline"), "w") as f:
                f.write(" ".join(args) + "\n")
            log(f"booting {cfg.kernel} ({cfg.arch}) under {vmm} (TCG); run dir {rundir}")
            proc = session.spawn(args, "qemu.log")
            port = ResultPort(os.path.join(rundir, "results.sock"), os.path.join(rundir, "results.log"),
                              alive=lambda: proc.poll() is None)
            qmp = qmplib.QMP(os.path.join(rundir, "qmp.sock"))
            try:
                qmp.connect(alive=lambda: proc.poll() is None)
            except qmplib.QMPError as e:
                notes.append(f"QMP unavailable: {e}")
                qmp = None
            follow_res = Follower(os.path.join(rundir, "results.log"))
            follow_con = Follower(os.path.join(rundir, "console.log"))
            deadline = time.monotonic() + (cfg.timeout_s or timeout_s)
            ended = timed_out = False
            ends = 0
            end_time = None
            while True:
                # Whether QEMU had exited before this pass: if so, this pass
                # reads the last lines it wrote, and then the loop ends.
                exited = proc.poll() is not None
                if exited:
                    port.drain()  # everything QEMU sent is in results.log
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
                        c.update({k: obj[k] for k in ("attempts", "steps") if obj.get(k)})
                        if c["verdict"] not in ("PASS", "NOT_SUPPORTED"):
                            c["reproduce"] = f"conformance/vm/run.py {cfg.name} --cases {c['name']}"
                        cases[c["name"]] = c
                        done = sum(1 for n in cases if n in expected)
                        log(f"  [{done}/{len(expected)}] {c['name']}: {c['verdict']} ({c['time_s']} s) "
                            f"{c['detail'][:140]}")
                    elif kind == "info" and "pages" in obj:
                        info["pages"] = obj["pages"]
                    elif kind == "info":
                        info["driver_params"] = obj.get("params", {})
                        if qmp and cfg.virtio_status:
                            try:
                                info["virtio_status"] = qmplib.virtio_gpu_status(qmp)
                            except qmplib.QMPError as e:
                                notes.append(f"x-query-virtio-status: {e}")
                    elif kind == "event" and obj.get("name") == "scanout":
                        if qmp or cfg.no_capture:
                            # Captures stop in time for the agent's watchdog to see our answer.
                            c = check_scanout_capture(obj, session, cfg, rundir, qmp,
                                                      settle_s=max(5, cfg.case_timeout // 2))
                            cases[c["name"]] = c
                            log(f"  [host] {c['name']}: {c['verdict']} {c['detail'][:140]}")
                        port.send("VGB-HOST captured")  # the agent holds its picture until now
                    elif kind == "event" and obj.get("name") == "vk_host_blob":
                        vk_allocations.append(obj)
                    elif kind == "event" and obj.get("name") == "vk_device":
                        info["vulkan_device"] = {k: obj.get(k) for k in ("device", "driver", "driver_info", "api",
                                                                        "memory_types")}
                    elif kind == "event" and obj.get("name") == "vk_handwriting":
                        info["handwriting"] = {k: v for k, v in obj.items() if k not in ("type", "name")}
                    elif kind == "end":
                        # One per agent the guest runs; the last one ends the run.
                        ends += 1
                        if ends >= agents:
                            ended, end_time = True, time.monotonic()
                if exited:
                    break
                if ended and time.monotonic() - end_time > 20:
                    notes.append("QEMU did not power off within 20 s of the agent's end; stopped")
                    break
                if time.monotonic() > deadline:
                    timed_out = True
                    notes.append(f"configuration timed out after {cfg.timeout_s or timeout_s} s")
                    break
                time.sleep(0.2)
            if qmp:
                qmp.close()
            stop(proc)
            port.close()
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
    if cfg.backend and any(a.startswith("--validate-frontend") for a in BACKENDS[cfg.backend][1]):
        for c in frontend_validation(rundir):
            cases[c["name"]] = c
            log(f"  [host] {c['name']}: {c['verdict']} {c['detail'][:140]}")
    if cfg.vk and cases.get("pair.vk.host_blob", {}).get("verdict") == "PASS":
        c = vk_blobs_traced(rundir, vk_allocations)
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
        "renderer": ("virglrenderer + its render server (Venus) + Mesa lavapipe/llvmpipe (Xvfb)" if cfg.gl and cfg.vk
                     else "virglrenderer + Mesa llvmpipe (Xvfb)" if cfg.gl else
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
                                      for v in ("PASS", "FAIL", "WARNING", "NOT_SUPPORTED", "ERROR", "TIMEOUT"))
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
    ap.add_argument("--cases", help="only the agent cases matching these globs (comma separated)")
    ap.add_argument("--break", dest="brk", help="run vgb-host with --break=NAME (conformance self-tests)")
    ap.add_argument("--rerun-failures", type=int, default=0, metavar="N",
                    help="rerun a failing agent case up to N times (FLAKY when it then gets another verdict)")
    args = ap.parse_args(argv)
    if args.list or not args.configs:
        for c in configs.CONFIGS:
            mark = "*" if c.name in configs.DEFAULT_SET else " "
            print(f"{mark} {c.name:46} {c.summary}")
        print("(* = default set; groups: " + ", ".join(configs.GROUPS) + ")")
        return 0
    names = []
    for n in args.configs:
        if n in configs.GROUPS:
            names += configs.GROUPS[n]
        elif n in configs.BY_NAME:
            names.append(n)
        else:
            print(f"run.py: unknown configuration {n!r} (see --list)", file=sys.stderr)
            return 2
    targets, skipped, status = [], {}, 0
    for n in names:
        cfg = dataclasses.replace(configs.BY_NAME[n], rerun_failures=args.rerun_failures)
        if args.brk:
            if cfg.backend != "vgb-host":
                print(f"run.py: --break needs a vgb-host configuration, not {n}", file=sys.stderr)
                return 2
            cfg = configs.with_break(cfg, args.brk)
        try:
            targets.append(run_config(cfg, args.timeout, args.keep, args.cases))
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
