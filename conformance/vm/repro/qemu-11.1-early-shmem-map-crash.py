#!/usr/bin/python3
"""Minimal repro: forky's QEMU 11.1.2 crashes when a vhost-user backend sends
VHOST_USER_BACKEND_SHMEM_MAP before the guest driver has started the device.

A toy backend (this file, no GPU at all) serves vhost-user-test-device-pci:
it offers the SHMEM protocol feature with one 1 MiB region and, as soon as
QEMU has handed it the backend channel, asks QEMU to map a memfd into that
region. QEMU runs with -S, so no guest ever starts the device. QEMU 11.1.2
dies (SIGSEGV: its backend-request handler uses a device pointer that is
still NULL); a fixed QEMU answers the request (accepting or refusing it).

Exit status: 0 when the crash reproduces, 1 when QEMU survives, 2 on setup
errors. Needs root and the forky chroot (conformance/vm/setup-forky.sh).
"""

import fcntl
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

VM_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# vhost-user message numbers (QEMU docs/interop/vhost-user.rst).
GET_FEATURES, SET_FEATURES, SET_OWNER = 1, 2, 3
SET_MEM_TABLE = 5
SET_VRING_NUM, SET_VRING_ADDR, SET_VRING_BASE, GET_VRING_BASE, SET_VRING_KICK, SET_VRING_CALL = 8, 9, 10, 11, 12, 13
SET_VRING_ERR = 14
GET_PROTOCOL_FEATURES, SET_PROTOCOL_FEATURES, GET_QUEUE_NUM = 15, 16, 17
SET_VRING_ENABLE, SET_BACKEND_REQ_FD = 18, 21
GET_CONFIG = 24
GET_SHMEM_CONFIG = 44
BACKEND_SHMEM_MAP = 9

F_PROTOCOL_FEATURES = 1 << 30
F_VERSION_1 = 1 << 32
PF_MQ, PF_REPLY_ACK, PF_BACKEND_REQ, PF_CONFIG, PF_BACKEND_SEND_FD, PF_SHMEM = (
    1 << 0, 1 << 3, 1 << 5, 1 << 9, 1 << 10, 1 << 22)
FLAG_VERSION, FLAG_REPLY, FLAG_NEED_REPLY = 0x1, 0x4, 0x8
HDR = struct.Struct("<III")
REGION_SIZE = 1 << 20
CONFIG_SIZE = 16


def recv_msg(sock):
    data, fds, _, _ = socket.recv_fds(sock, HDR.size, 8)
    if not data:
        return None
    req, flags, size = HDR.unpack(data)
    payload = b""
    while len(payload) < size:
        chunk = sock.recv(size - len(payload))
        if not chunk:
            return None
        payload += chunk
    return req, flags, payload, fds


def reply(sock, req, payload):
    sock.sendall(HDR.pack(req, FLAG_VERSION | FLAG_REPLY, len(payload)) + payload)


def serve(sock, log, state):
    """Answers the frontend for as long as it talks; records the backend
    channel and when the frontend has asked for the shared memory layout."""
    while True:
        try:
            m = recv_msg(sock)
        except OSError:
            m = None
        if m is None:
            state["closed"].set()
            return
        req, flags, payload, fds = m
        log.write(f"frontend request {req} flags {flags:#x} ({len(payload)} bytes, {len(fds)} fds)\n")
        log.flush()
        if req == GET_FEATURES:
            reply(sock, req, struct.pack("<Q", F_PROTOCOL_FEATURES | F_VERSION_1))
        elif req == GET_PROTOCOL_FEATURES:
            reply(sock, req, struct.pack("<Q", PF_MQ | PF_REPLY_ACK | PF_BACKEND_REQ | PF_CONFIG
                                         | PF_BACKEND_SEND_FD | PF_SHMEM))
        elif req == GET_QUEUE_NUM:
            reply(sock, req, struct.pack("<Q", 2))
        elif req == GET_SHMEM_CONFIG:
            sizes = [REGION_SIZE] + [0] * 255
            reply(sock, req, struct.pack("<II256Q", 1, 0, *sizes))
            state["shmem_config"].set()
        elif req == GET_CONFIG:
            offset, size, cflags = struct.unpack_from("<III", payload)
            reply(sock, req, struct.pack("<III", offset, size, cflags) + bytes(size))
        elif req == GET_VRING_BASE:
            reply(sock, req, payload[:4] + struct.pack("<I", 0))
        elif flags & FLAG_NEED_REPLY:
            reply(sock, req, struct.pack("<Q", 0))
        if req == SET_BACKEND_REQ_FD and fds:
            state["channel"] = fds[0]


def shmem_map(channel, log):
    """Maps a memfd into region 0 before any guest has started the device."""
    memfd = os.memfd_create("early-shmem-map")
    os.ftruncate(memfd, REGION_SIZE)
    payload = struct.pack("<B7xQQQQ", 0, 0, 0, REGION_SIZE, 1)
    header = HDR.pack(BACKEND_SHMEM_MAP, FLAG_VERSION | FLAG_NEED_REPLY, len(payload))
    socket.send_fds(channel, [header + payload], [memfd])
    log.write("sent BACKEND_SHMEM_MAP before the device was started\n")
    channel.settimeout(10)
    try:
        data = channel.recv(64)
        log.write(f"QEMU answered: {data!r}\n")
    except (socket.timeout, OSError) as e:
        log.write(f"no answer: {e}\n")


def main():
    # A TERM (timeout, CI) must still undo the bind mounts in the finally below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(3))
    if os.geteuid() != 0:
        print("needs root (chroot)", file=sys.stderr)
        return 2
    cache = os.environ.get("VGB_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "virtio-gpu-blob")
    # The chroot's directory is named after its recipe (lib.sh forky_root).
    root = subprocess.run(["bash", "-c", f'. "{VM_DIR}/lib.sh"; forky_root'], capture_output=True,
                          text=True).stdout.strip()
    if not root or not os.access(os.path.join(root, "usr/bin/qemu-system-x86_64"), os.X_OK):
        print("no forky chroot: run conformance/vm/setup-forky.sh", file=sys.stderr)
        return 2
    lock = open(os.path.join(cache, "forky-root.lock"), "w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    work = tempfile.mkdtemp(prefix="vgb-repro-shmem-", dir="/tmp")
    path = os.path.join(work, "vu.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(1)
    subprocess.run([os.path.join(VM_DIR, "chroot-mounts.sh"), "mount", root], check=True)
    qemu = None
    try:
        qemu = subprocess.Popen(
            ["chroot", root, "qemu-system-x86_64", "-accel", "tcg", "-S", "-nodefaults", "-display", "none",
             "-m", "256M", "-object", "memory-backend-memfd,id=mem,size=256M,share=on",
             "-machine", "q35,memory-backend=mem", "-chardev", f"socket,id=vu0,path={path}",
             "-device", f"vhost-user-test-device-pci,chardev=vu0,virtio-id=16,num_vqs=2,config_size={CONFIG_SIZE}"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        listener.settimeout(30)
        conn, _ = listener.accept()
        with open(os.path.join(work, "backend.log"), "w") as log:
            state = {"channel": None, "shmem_config": threading.Event(), "closed": threading.Event()}
            threading.Thread(target=serve, args=(conn, log, state), daemon=True).start()
            # Wait until QEMU has realized the device (it asked for the layout
            # after handing over the backend channel), then map at once.
            if not state["shmem_config"].wait(30) or state["channel"] is None:
                print("QEMU never asked for the shared memory layout or gave no backend channel")
                return 2
            time.sleep(0.5)
            shmem_map(socket.socket(fileno=state["channel"]), log)
        try:
            qemu.wait(10)
        except subprocess.TimeoutExpired:
            pass
        out = qemu.stdout.read() if qemu.poll() is not None else ""
        rc = qemu.poll()
        print(open(os.path.join(work, "backend.log")).read() + out)
        if rc is not None and rc < 0 or rc in (134, 139):
            print(f"reproduced: QEMU died (status {rc}) on an early BACKEND_SHMEM_MAP")
            return 0
        print(f"not reproduced: QEMU is {'still running' if rc is None else f'exited {rc}'}")
        return 1
    finally:
        if qemu and qemu.poll() is None:
            qemu.kill()
            qemu.wait()
        subprocess.run([os.path.join(VM_DIR, "chroot-mounts.sh"), "umount", root])
        lock.close()


if __name__ == "__main__":
    sys.exit(main())
