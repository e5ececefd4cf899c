"""A minimal QMP client: enough for screendump and virtio status queries."""

import json
import socket
import time


class QMPError(Exception):
    pass


class QMP:
    def __init__(self, path, timeout=10.0):
        self.path = path
        self.timeout = timeout
        self.sock = None
        self.buf = b""

    def connect(self, wait_s=30.0, alive=lambda: True):
        """Connects once QEMU has made the socket; gives up early when
        alive() says QEMU has already exited."""
        deadline = time.monotonic() + wait_s
        while True:
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.settimeout(self.timeout)
                s.connect(self.path)
                self.sock = s
                break
            except OSError:
                s.close()
                if not alive():
                    raise QMPError("QEMU exited before its QMP socket appeared")
                if time.monotonic() > deadline:
                    raise QMPError(f"no QMP socket at {self.path} after {wait_s:.0f} s")
                time.sleep(0.2)
        greeting = self._read()
        if "QMP" not in greeting:
            raise QMPError(f"unexpected QMP greeting: {greeting}")
        self.command("qmp_capabilities")
        return self

    def _read(self):
        while b"\n" not in self.buf:
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout as e:
                raise QMPError("QMP read timed out") from e
            except OSError as e:
                raise QMPError(f"QMP connection lost: {e}") from e
            if not chunk:
                raise QMPError("QMP connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        try:
            return json.loads(line)
        except ValueError as e:
            raise QMPError(f"bad QMP line: {line[:200]!r}") from e

    def command(self, name, **arguments):
        msg = {"execute": name}
        if arguments:
            msg["arguments"] = arguments
        try:
            self.sock.sendall(json.dumps(msg).encode() + b"\n")
        except OSError as e:
            raise QMPError(f"QMP connection lost: {e}") from e
        while True:
            reply = self._read()
            if "event" in reply:
                continue  # asynchronous events are not answers
            if "error" in reply:
                err = reply["error"]
                raise QMPError(f"{name}: {err.get('class')}: {err.get('desc')}")
            return reply.get("return")

    def close(self):
        if self.sock:
            self.sock.close()
            self.sock = None


def virtio_gpu_status(qmp):
    """Negotiated features of the first virtio device that looks like a GPU."""
    devices = qmp.command("x-query-virtio") or []
    for dev in devices:
        name = dev.get("name", "")
        if "gpu" in name or name in ("virtio-gpu", "vhost-user-gpu", "vhost-user-device", "vhost-user-base"):
            status = qmp.command("x-query-virtio-status", path=dev["path"])
            guest = status.get("guest-features", {})
            return {
                "device": name,
                "path": dev["path"],
                "negotiated": feature_names(guest),
                "offered": feature_names(status.get("host-features", {})),
                "status": status.get("status", {}).get("statuses", []),
            }
    return {"device": None, "negotiated": [], "devices": [d.get("name") for d in devices]}


def feature_names(features):
    """QEMU lists features as 'NAME: description'; keep the names."""
    names = []
    for key in ("transport-features", "dev-features"):
        names += [f.split(":")[0] for f in features.get(key, [])]
    return names
