"""Driver requirements checked on the command stream a guest driver sent to
QEMU's own virtio-gpu device, from QEMU's virtio_gpu_cmd_* trace events."""

import re

LINE = re.compile(r"(virtio_gpu_cmd_\w+)(?:\s+res\s+0x([0-9a-f]+))?")
CHECKED_IDS = ["REQ-DRV-MAP-0002", "REQ-DRV-MAP-0003", "REQ-DRV-MAP-0010", "REQ-DRV-RES-0002"]


def events(path):
    """(command, resource id or None) in order, without QEMU's retries: a
    command QEMU suspends is traced again, identically named, when resumed."""
    out, suspended = [], False
    with open(path, errors="replace") as f:
        for line in f:
            m = LINE.search(line)
            if not m:
                continue
            cmd, res = m.group(1)[len("virtio_gpu_cmd_"):], m.group(2)
            if cmd == "suspended":
                suspended = True
                continue
            ev = (cmd, int(res, 16) if res else None)
            if suspended and out and out[-1] == ev:
                suspended = False
                continue
            suspended = False
            out.append(ev)
    return out


def check(path):
    """Violations as (requirement id, text)."""
    blobs, others, mapped, gone = set(), set(), set(), set()
    found = []
    for cmd, res in events(path):
        if res is None or res == 0:
            continue
        if cmd in ("res_create_2d", "res_create_3d", "res_create_blob"):
            gone.discard(res)
            (blobs if cmd == "res_create_blob" else others).add(res)
            continue
        if res in gone and cmd not in ("set_scanout", "set_scanout_blob"):
            found.append(("REQ-DRV-RES-0002", f"{cmd} names resource {res} after its RESOURCE_UNREF"))
        if cmd == "res_map_blob":
            if res in mapped:
                found.append(("REQ-DRV-MAP-0002", f"resource {res} mapped again while mapped"))
            if res not in blobs:
                found.append(("REQ-DRV-MAP-0003", f"resource {res} mapped but it is not a blob"))
            mapped.add(res)
        elif cmd == "res_unmap_blob":
            if res not in mapped:
                found.append(("REQ-DRV-MAP-0010", f"resource {res} unmapped while not mapped"))
            mapped.discard(res)
        elif cmd == "res_unref":
            gone.add(res)
            mapped.discard(res)
            blobs.discard(res)
            others.discard(res)
    return found
