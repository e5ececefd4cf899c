/* SPDX-License-Identifier: MIT */
/* Commands of vgb-test-backend (see test_backend.c). */
#ifndef VGB_TEST_PROTO_H
#define VGB_TEST_PROTO_H

enum {
	TCMD_ECHO = 1,
	TCMD_MAP = 2,
	TCMD_UNMAP = 3,
	TCMD_DISPLAY = 4,
	TCMD_DPYINFO = 5,
	TCMD_EDID = 6,
	TCMD_SLEEP = 7,
	TCMD_CURSOR = 8,
	TCMD_DIE = 9,  /* {u32 signal}: raise it */
	TCMD_EXIT = 10, /* {u32 status}: exit with it */
	TCMD_GPU_RAW = 11, /* {u32 with_fd, bytes...}: written as is on the display channel */
};

#endif
