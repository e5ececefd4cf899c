/* SPDX-License-Identifier: MIT */
/*
 * Coherency both ways between the driver's mapping and the host (the
 * reference context): guest writes -> host checksum, host pattern/fill ->
 * guest reads, and the producer/consumer loop of the handwriting case, whose
 * staleness is measured and printed (never asserted for speed; a host view
 * that lags the guest at all is a failure).
 */
#include <string.h>

#include "coherency.h"
#include "harness.h"

static void run(const char *host, const char *const *extra, const char *label)
{
	struct vgb_drv *drv = h_open_spawn(host, extra, NULL);
	if (!vgb_drv_caps(drv)->region) {
		printf("%s: no region, nothing to check\n", label);
		vgb_drv_close(drv);
		return;
	}
	struct vgb_coh c;
	char why[256] = "";
	if (vgb_coh_open(drv, 256 * 1024, &c, why, sizeof(why))) {
		fprintf(stderr, "%s: %s\n", label, why);
		exit(1);
	}
	CHECK_EQ(c.buf.cacheable, c.buf.map_info == VIRTIO_GPU_MAP_CACHE_CACHED);
	for (uint32_t seed = 1; seed <= 4; seed++) {
		if (vgb_coh_guest_to_host(&c, seed, why, sizeof(why)) ||
		    vgb_coh_host_to_guest(&c, seed, why, sizeof(why))) {
			fprintf(stderr, "%s: %s\n", label, why);
			exit(1);
		}
	}
	struct vgb_staleness st;
	if (vgb_coh_producer_consumer(&c, 256, 128, 1000, &st, why, sizeof(why))) {
		fprintf(stderr, "%s: %s\n", label, why);
		exit(1);
	}
	printf("%s: map_info %u (%s CPU mapping); %u strokes: staleness max %u median %u iterations; "
	       "visible after median %.1f us, max %.1f us\n",
	       label, c.buf.map_info, c.buf.cacheable ? "cacheable" : "non-cacheable", st.iterations,
	       st.max_iters, st.median_iters, st.median_us, st.max_us);
	CHECK_EQ(st.max_iters, 0);
	vgb_coh_close(&c);
	CHECK_EQ(vgb_drv_region_used(drv), 0);
	vgb_drv_close(drv);
}

int main(int argc, char **argv)
{
	const char *host = h_host(argc, argv);
	run(host, NULL, "default");
	return 0;
}
