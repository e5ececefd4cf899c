/* SPDX-License-Identifier: MIT */
/*
 * A 128-byte EDID 1.4 base block announcing one preferred mode (a detailed
 * timing with reduced-blanking-style porches), so a guest picks the configured
 * size.  Layout: VESA E-EDID Release A, Revision 2.
 */
#include "internal.h"

#include <string.h>

enum { H_FRONT = 48, H_SYNC = 32, H_BLANK = 160, V_FRONT = 3, V_SYNC = 6, V_BLANK = 23 };

static void detailed_timing(uint8_t *d, uint32_t w, uint32_t h)
{
	uint64_t frame = (uint64_t)(w + H_BLANK) * (h + V_BLANK);
	uint64_t refresh = 60;
	if (frame * refresh > 65535ull * 10000) /* the pixel clock field holds 655.35 MHz */
		refresh = 65535ull * 10000 / frame;
	uint32_t clock = (uint32_t)((frame * refresh + 9999) / 10000); /* 10 kHz units */
	if (clock > 65535)
		clock = 65535;
	uint32_t w_mm = w * 254 / 960, h_mm = h * 254 / 960; /* 96 dpi */

	d[0] = clock & 0xff;
	d[1] = clock >> 8;
	d[2] = w & 0xff;
	d[3] = H_BLANK & 0xff;
	d[4] = (uint8_t)((w >> 8) << 4 | H_BLANK >> 8);
	d[5] = h & 0xff;
	d[6] = V_BLANK;
	d[7] = (uint8_t)((h >> 8) << 4);
	d[8] = H_FRONT;
	d[9] = H_SYNC;
	d[10] = (V_FRONT & 0xf) << 4 | (V_SYNC & 0xf);
	d[11] = 0;
	d[12] = w_mm & 0xff;
	d[13] = h_mm & 0xff;
	d[14] = (uint8_t)((w_mm >> 8) << 4 | (h_mm >> 8 & 0xf));
	d[15] = 0;
	d[16] = 0;
	d[17] = 0x1a; /* digital separate sync, hsync +, vsync - */
}

static void name_descriptor(uint8_t *d)
{
	/* 13 bytes, no NUL: EDID pads the name with a newline and spaces. */
	static const char name[] = "VGB REFGPU\n  ";
	memset(d, 0, 18);
	d[3] = 0xfc;
	memcpy(d + 5, name, sizeof(name) - 1);
}

static void dummy_descriptor(uint8_t *d)
{
	memset(d, 0, 18);
	d[3] = 0x10;
}

void vgb_edid_build(uint8_t out[128], uint32_t width, uint32_t height, uint32_t serial)
{
	static const uint8_t header[8] = {0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00};
	static const uint8_t srgb_chroma[10] = {0xee, 0x91, 0xa3, 0x54, 0x4c,
						0x99, 0x26, 0x0f, 0x50, 0x54};
	memset(out, 0, 128);
	memcpy(out, header, 8);
	uint16_t vendor = ('V' - '@') << 10 | ('G' - '@') << 5 | ('B' - '@');
	out[8] = vendor >> 8;
	out[9] = vendor & 0xff;
	out[10] = 0x01; /* product code */
	out[12] = serial & 0xff;
	out[13] = serial >> 8 & 0xff;
	out[14] = serial >> 16 & 0xff;
	out[15] = serial >> 24 & 0xff;
	out[16] = 1;            /* week */
	out[17] = 2026 - 1990;  /* year */
	out[18] = 1;            /* EDID 1.4 */
	out[19] = 4;
	out[20] = 0xa0;         /* digital, 8 bits per colour */
	uint32_t w_cm = width * 254 / 9600, h_cm = height * 254 / 9600;
	out[21] = (uint8_t)(w_cm ? (w_cm > 255 ? 255 : w_cm) : 1);
	out[22] = (uint8_t)(h_cm ? (h_cm > 255 ? 255 : h_cm) : 1);
	out[23] = 120;          /* gamma 2.2 */
	out[24] = 0x06;         /* sRGB default, preferred timing is native */
	memcpy(out + 25, srgb_chroma, 10);
	for (int i = 38; i < 54; i++)
		out[i] = 0x01;  /* unused standard timings */
	detailed_timing(out + 54, width, height);
	name_descriptor(out + 72);
	dummy_descriptor(out + 90);
	dummy_descriptor(out + 108);
	out[126] = 0;           /* no extensions */
	uint8_t sum = 0;
	for (int i = 0; i < 127; i++)
		sum += out[i];
	out[127] = (uint8_t)(0x100 - sum);
}
