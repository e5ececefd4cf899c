"""Screen captures (PPM from QMP screendump, XWD from an X server) and the
check of the picture the agent's scanout case draws."""

import struct


def scanout_rgb(x, y):
    """The agent's scanout picture (conformance/agent/cases_copy.c: keep in step)."""
    return (x & 0xFF, y & 0xFF, (0x40 + (x >> 8) + 8 * (y >> 8)) & 0xFF)


def checker_rgb(x, y):
    """The agent's blob front buffer (conformance/agent/cases_scanout.c: keep in step)."""
    return ((x * 5 + 0x30) & 0xFF, (y * 3 + 0x90) & 0xFF, 0xE0 if ((x >> 4) ^ (y >> 4)) & 1 else 0x18)


# The pictures the agent's scanout events name.
PATTERNS = {"xy-gradient": scanout_rgb, "xy-checker": checker_rgb}


class Image:
    def __init__(self, width, height, rgb):
        self.width, self.height, self.rgb = width, height, rgb  # rgb: bytes, 3 per pixel

    def pixel(self, x, y):
        i = 3 * (y * self.width + x)
        return tuple(self.rgb[i:i + 3])


def read_ppm(path):
    with open(path, "rb") as f:
        data = f.read()
    parts, pos = [], 0
    # P6 header: magic, width, height, maxval, separated by whitespace.
    while len(parts) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        parts.append(data[pos:end])
        pos = end
    if parts[0] != b"P6" or parts[3] != b"255":
        raise ValueError(f"{path}: not an 8-bit P6 PPM")
    w, h = int(parts[1]), int(parts[2])
    pos += 1
    return Image(w, h, data[pos:pos + 3 * w * h])


def read_xwd(path):
    """ZPixmap XWD with 24/32-bit pixels, as xwd -root writes for Xvfb."""
    with open(path, "rb") as f:
        data = f.read()
    hdr = struct.unpack(">25I", data[:100])
    header_size, fmt, depth, w, h = hdr[0], hdr[2], hdr[3], hdr[4], hdr[5]
    byte_order, bpp, bpl, ncolors = hdr[7], hdr[11], hdr[12], hdr[19]
    red_mask, green_mask, blue_mask = hdr[14], hdr[15], hdr[16]
    if fmt != 2 or bpp not in (24, 32) or depth < 24:
        raise ValueError(f"{path}: unsupported XWD (format {fmt}, {bpp} bpp, depth {depth})")
    pos = header_size + 12 * ncolors
    out = bytearray(3 * w * h)
    step = bpp // 8
    endian = "<" if byte_order == 0 else ">"
    fmt_px = endian + ("I" if step == 4 else "I")
    shifts = [(m, (m & -m).bit_length() - 1) for m in (red_mask, green_mask, blue_mask)]
    for y in range(h):
        row = pos + y * bpl
        for x in range(w):
            off = row + x * step
            px = struct.unpack(fmt_px, data[off:off + 4] if step == 4 else data[off:off + 3] + b"\0")[0]
            o = 3 * (y * w + x)
            for k, (mask, shift) in enumerate(shifts):
                out[o + k] = (px & mask) >> shift
    return Image(w, h, bytes(out))


def find_scanout_origin(img, width, height, rgb=scanout_rgb):
    """Where the guest picture sits in a larger capture (a window on an X
    screen); None when it is not there."""
    if img.width < width or img.height < height:
        return None
    for oy in range(img.height - height + 1):
        for ox in range(img.width - width + 1):
            if img.pixel(ox, oy) == rgb(0, 0) and img.pixel(ox + 1, oy) == rgb(1, 0) \
                    and img.pixel(ox, oy + 1) == rgb(0, 1):
                return ox, oy
    return None


def check_scanout(img, width, height, origin=(0, 0), step=1, rgb=scanout_rgb):
    """Compares the capture with the agent's picture: (mismatches, first bad or None)."""
    ox, oy = origin
    bad, first = 0, None
    for y in range(0, height, step):
        for x in range(0, width, step):
            if img.pixel(ox + x, oy + y) != rgb(x, y):
                bad += 1
                if first is None:
                    first = (x, y, img.pixel(ox + x, oy + y), rgb(x, y))
    return bad, first
