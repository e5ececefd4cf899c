"""Where a configuration's VMM runs: the host, or the forky chroot (locked,
bind mounts undone on exit, Xvfb started for GL displays); which backends
exist; the set-up scripts that install each stack."""

import contextlib
import fcntl
import os
import signal
import subprocess
import time

VM_DIR = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(VM_DIR))
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


def qemu_version(cmd_prefix, binary="qemu-system-x86_64"):
    out = subprocess.run([*cmd_prefix, binary, "--version"], capture_output=True, text=True)
    first = out.stdout.splitlines()[0] if out.stdout else "unknown"
    return first.replace("QEMU emulator version ", "QEMU ")


BACKENDS = {
    # name: (how to find the binary, extra arguments, validating mode, runs inside the stack's chroot)
    "vgb-host": (lambda: vgb_host_binary(), ["--validate={rundir}/validate.jsonl",
                                             "--validate-frontend={rundir}/frontend.jsonl",
                                             "--dump-scanout={rundir}/scanout.ppm"], True, False),
    "qemu-vhost-user-gpu": (lambda: "/usr/lib/qemu/vhost-user-gpu"
                            if os.access("/usr/lib/qemu/vhost-user-gpu", os.X_OK) else None, [], False, False),
    # vgb-host with its virglrenderer renderer, built and run in the forky chroot
    # (virglrenderer 1.3 there; Debian 12 has 0.10.4): build-host-renderer.sh.
    "vgb-host-renderer": (lambda: RENDERER_HOST.get("path"), ["--validate={rundir}/validate.jsonl",
                                                              "--dump-scanout={rundir}/scanout.ppm"], True, True),
}
RENDERER_HOST = {}


def vgb_host_binary():
    path = os.environ.get("VGB_HOST") or os.path.join(REPO, "build", "ref", "host", "vgb-host")
    # Absolute: commands built from it run in other directories (a run dir, the chroot).
    return os.path.abspath(path) if os.access(path, os.X_OK) else None


def ensure_stack(cfg):
    """Installs what cfg needs; returns the forky chroot's path, or None when
    QEMU runs on the host."""
    if os.geteuid() != 0:
        raise Skip("needs root (installs packages, chroot and bind mounts)")
    if cfg.backend == "vgb-host" and not vgb_host_binary():
        raise Skip("our device build/ref/host/vgb-host is not built (meson compile -C build); "
                   "set VGB_HOST to use another path")
    run_script("setup-host.sh")
    if cfg.stack == "forky":
        # The chroot's directory is named after its recipe: the script says where.
        root = run_script("setup-forky.sh")
    else:
        root = None
    if cfg.backend == "vgb-host-renderer":
        host_path = run_script("build-host-renderer.sh")
        # The path inside the chroot, where the runner starts it.
        RENDERER_HOST["path"] = "/" + os.path.relpath(host_path, root)
    return root


class Session:
    """Where QEMU runs: the host, or the forky chroot at root."""

    def __init__(self, cfg, rundir, root=None):
        self.cfg, self.rundir = cfg, rundir
        self.root = root
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


