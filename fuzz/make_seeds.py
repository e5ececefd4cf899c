#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes seed inputs for the device fuzzer: valid command sequences covering the
2D path, GUEST blobs, mapped HOST3D blobs and HOST3D_GUEST shadows, so the
fuzzer starts deep in the device instead of at the decoder.

Usage: make_seeds.py OUTPUT_DIR   (record format: see device_fuzz.c)
"""
import os
import struct
import sys

RAM0, RAM1 = 0x10000, 0x100000  # guest memory regions of the harness
CTX = 1

def hdr(cmd_type, ctx=0, flags=0, fence=0):
    return struct.pack('<IIQIB3x', cmd_type, flags, fence, ctx, 0)

def rec(kind, payload):
    return struct.pack('<BH', kind, len(payload)) + payload

def ctrl(payload):
    return rec(0, payload)  # kind 0: a full-size response buffer

def guest_write(offset, data):
    return rec(3, struct.pack('<H', offset) + data)

def entries(*pairs):
    return b''.join(struct.pack('<QII', a, l, 0) for a, l in pairs)

def create_2d(rid, w, h, fmt=1):
    return ctrl(hdr(0x101) + struct.pack('<IIII', rid, fmt, w, h))

def attach(rid, *pairs):
    return ctrl(hdr(0x106) + struct.pack('<II', rid, len(pairs)) + entries(*pairs))

def rect(x, y, w, h):
    return struct.pack('<IIII', x, y, w, h)

def transfer_2d(rid, x, y, w, h, off):
    return ctrl(hdr(0x105) + rect(x, y, w, h) + struct.pack('<QII', off, rid, 0))

def set_scanout(sid, rid, w, h):
    return ctrl(hdr(0x103) + rect(0, 0, w, h) + struct.pack('<II', sid, rid))

def flush(rid, w, h):
    return ctrl(hdr(0x104) + rect(0, 0, w, h) + struct.pack('<II', rid, 0))

def res_cmd(cmd_type, rid, ctx=0):
    return ctrl(hdr(cmd_type, ctx) + struct.pack('<II', rid, 0))

def create_blob(rid, mem, flags, blob_id, size, *pairs, ctx=0):
    return ctrl(hdr(0x10c, ctx) + struct.pack('<IIIIQQ', rid, mem, flags, len(pairs), blob_id, size)
                + entries(*pairs))

def scanout_blob(sid, rid, w, h, stride):
    return ctrl(hdr(0x10d) + rect(0, 0, w, h) + struct.pack('<IIIIII', sid, rid, w, h, 1, 0)
                + struct.pack('<4I', stride, 0, 0, 0) + struct.pack('<4I', 0, 0, 0, 0))

def create_3d(rid, target, fmt, w, h):
    return ctrl(hdr(0x204) + struct.pack('<11I4x', rid, target, fmt, 0, w, h, 1, 1, 0, 0, 0))

def ctx_create(ctx, capset=30):
    return ctrl(hdr(0x200, ctx) + struct.pack('<II', 4, capset) + b'fuzz'.ljust(64, b'\0'))

def submit(ctx, stream):
    return ctrl(hdr(0x207, ctx) + struct.pack('<II', len(stream), 0) + stream)

def transfer_3d(to_host, ctx, rid, off, w):
    box = struct.pack('<6I', 0, 0, 0, w, 1, 1)
    return ctrl(hdr(0x205 if to_host else 0x206, ctx) + box + struct.pack('<QIIII', off, rid, 0, 0, 0))

def map_blob(rid, off):
    return ctrl(hdr(0x208) + struct.pack('<IIQ', rid, 0, off))

def cursor(rid, x, y):
    return rec(2, hdr(0x300) + struct.pack('<4I', 0, x, y, 0) + struct.pack('<4I', rid, 1, 1, 0))

def op(code, body):
    return struct.pack('<II', code, 8 + len(body)) + body

ALLOC = lambda bid, size: op(1, struct.pack('<QQ', bid, size))
FILL = lambda rid, val, off, size: op(3, struct.pack('<IIQQ', rid, val, off, size))
COPY = lambda s, d, so, do, size: op(5, struct.pack('<IIQQQ', s, d, so, do, size))
CHECKSUM = lambda rid, off, size, dst, doff: op(6, struct.pack('<IIQQQ', rid, dst, off, size, doff))
PATTERN = lambda rid, seed, off, size: op(7, struct.pack('<IIQQ', rid, seed, off, size))

def seeds():
    s2d = (guest_write(0, bytes(range(256)) * 16) + create_2d(1, 64, 64) +
           attach(1, (RAM0, 8000), (RAM1 + 100, 8384)) + transfer_2d(1, 0, 0, 64, 64, 0) +
           transfer_2d(1, 3, 5, 10, 7, 5 * 256 + 12) + set_scanout(0, 1, 64, 64) + flush(1, 64, 64) +
           cursor(1, 5, 6) + res_cmd(0x107, 1) + res_cmd(0x102, 1))
    guest = (guest_write(0x100, b'\x55' * 1024) + create_blob(2, 1, 0, 0, 16384, (RAM0, 16384)) +
             scanout_blob(0, 2, 32, 32, 128) + flush(2, 32, 32) + ctx_create(CTX) +
             res_cmd(0x202, 2, CTX) + transfer_3d(True, CTX, 2, 0, 4096) +
             submit(CTX, PATTERN(2, 7, 0, 4096) + CHECKSUM(2, 0, 4096, 2, 8192)) + res_cmd(0x102, 2))
    def host(u):  # u: the map granularity
        return (ctx_create(CTX) + submit(CTX, ALLOC(1, 2 * u) + ALLOC(2, u)) +
                create_blob(3, 2, 1, 1, 2 * u, ctx=CTX) + create_blob(4, 2, 1, 2, u, ctx=CTX) +
                res_cmd(0x202, 3, CTX) + res_cmd(0x202, 4, CTX) + map_blob(3, 0) +
                map_blob(4, 2 * u) +
                submit(CTX, FILL(3, 0xdeadbeef, 0, 2 * u) + COPY(3, 4, 16, 0, 4000) +
                       CHECKSUM(3, 0, 2 * u, 4, u - 8)) +
                res_cmd(0x209, 4) + map_blob(4, 4 * u) + transfer_3d(False, CTX, 3, 0, 2 * u) +
                res_cmd(0x102, 3) + res_cmd(0x201, 0, CTX))
    shadow = (guest_write(0x2000, b'shadow' * 100) + ctx_create(CTX) + submit(CTX, ALLOC(5, 8192)) +
              create_blob(5, 3, 1, 5, 8192, (RAM0 + 0x1000, 4096), (RAM1, 4096), ctx=CTX) +
              res_cmd(0x202, 5, CTX) + transfer_3d(True, CTX, 5, 0, 8192) +
              submit(CTX, FILL(5, 7, 4096, 4096)) + transfer_3d(False, CTX, 5, 4096, 4096) +
              map_blob(5, 16384) + transfer_2d(5, 0, 0, 1, 1, 4096))
    three_d = (guest_write(0x3000, bytes(range(200))) + ctx_create(CTX, 0) +
               create_3d(6, 0, 64, 4096, 1) + attach(6, (RAM0 + 0x3000, 4096)) +
               res_cmd(0x202, 6, CTX) + transfer_3d(True, CTX, 6, 0, 4096) +
               transfer_3d(False, CTX, 6, 100, 200) + create_3d(7, 2, 1, 32, 16) +
               attach(7, (RAM1 + 0x4000, 2048)) + set_scanout(0, 7, 32, 16) + flush(7, 32, 16))
    return {'3d': b'\x00' + three_d, '2d': b'\x00' + s2d, 'guest-blob': b'\x00' + guest, 'host-blob': b'\x00' + host(4096),
            'host-blob-validating': b'\x08' + host(4096), 'shadow': b'\x00' + shadow,
            'aligned': b'\x02' + host(16384)}

def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, data in seeds().items():
        with open(os.path.join(out, name), 'wb') as f:
            f.write(data)

if __name__ == '__main__':
    main()
