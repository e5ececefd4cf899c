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
	/* {u64 shm_offset, u64 len, u32 seal}: SHMEM_MAP of a memfd, then try to shrink it to 0.
	 * seal: TSEAL_*.  -> i32 map result, i32 ftruncate result (0 or -errno). */
	TCMD_MAP_SHRINK = 12,
	TCMD_STOPS = 13, /* -> i32 how often the device was stopped (vgb_vu_device.stop) */
};

enum {
	TSEAL_NEVER = 0,    /* memfd without MFD_ALLOW_SEALING: cannot be sealed */
	TSEAL_SEALABLE = 1, /* sealing allowed, not sealed */
	TSEAL_SEALED = 2,   /* F_SEAL_SHRINK | F_SEAL_GROW before the map */
};

#endif
