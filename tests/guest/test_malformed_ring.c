/* SPDX-License-Identifier: MIT */
/*
 * A driver that breaks the ring gets an error or a clean disconnect from the
 * device, never a crash: descriptors outside guest memory, zero-length
 * descriptors, looping chains (direct and indirect), next or head indexes
 * past the queue size, an avail index running ahead of the ring.  Each case
 * runs against a fresh device; afterwards the device must either still answer
 * or have dropped the connection, and it must end by exiting, not by a signal.
 */
#include <linux/virtio_ring.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "harness.h"
#include "vgb/virtq.h"

struct ctx {
	struct vgb_drv *drv;
	struct vgb_fe *fe;
	struct vgb_vq_drv *vq;
	uint64_t req, resp; /* a valid request (GET_DISPLAY_INFO) and response buffer */
};

typedef void (*breaker)(struct ctx *c);

static void outside_memory(struct ctx *c)
{
	vgb_vq_drv_raw_desc(c->vq, 0, 0x7fff00000000ull, 24, VRING_DESC_F_NEXT, 1);
	vgb_vq_drv_raw_desc(c->vq, 1, c->resp, 4096, VRING_DESC_F_WRITE, 0);
	vgb_vq_drv_raw_publish(c->vq, 0);
}

static void straddles_memory_end(struct ctx *c)
{
	const struct vgb_guest_mem *m = vgb_fe_mem(c->fe);
	uint64_t end = 0;
	for (unsigned i = 0; i < m->nregions; i++)
		if (m->regions[i].gpa + m->regions[i].size > end)
			end = m->regions[i].gpa + m->regions[i].size;
	vgb_vq_drv_raw_desc(c->vq, 0, c->req, 24, VRING_DESC_F_NEXT, 1);
	vgb_vq_drv_raw_desc(c->vq, 1, end - 16, 4096, VRING_DESC_F_WRITE, 0);
	vgb_vq_drv_raw_publish(c->vq, 0);
}

static void wrapping_address(struct ctx *c)
{
	vgb_vq_drv_raw_desc(c->vq, 0, UINT64_MAX - 7, 24, VRING_DESC_F_NEXT, 1);
	vgb_vq_drv_raw_desc(c->vq, 1, c->resp, 4096, VRING_DESC_F_WRITE, 0);
	vgb_vq_drv_raw_publish(c->vq, 0);
}

static void zero_length(struct ctx *c)
{
	vgb_vq_drv_raw_desc(c->vq, 0, c->req, 0, VRING_DESC_F_NEXT, 1);
	vgb_vq_drv_raw_desc(c->vq, 1, c->resp, 4096, VRING_DESC_F_WRITE, 0);
	vgb_vq_drv_raw_publish(c->vq, 0);
}

static void looping_chain(struct ctx *c)
{
	vgb_vq_drv_raw_desc(c->vq, 0, c->req, 24, VRING_DESC_F_NEXT, 1);
	vgb_vq_drv_raw_desc(c->vq, 1, c->req, 24, VRING_DESC_F_NEXT, 2);
	vgb_vq_drv_raw_desc(c->vq, 2, c->req, 24, VRING_DESC_F_NEXT, 0);
	vgb_vq_drv_raw_publish(c->vq, 0);
}

static void self_loop(struct ctx *c)
{
	vgb_vq_drv_raw_desc(c->vq, 3, c->resp, 4096, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 3);
	vgb_vq_drv_raw_publish(c->vq, 3);
}

static void next_past_queue(struct ctx *c)
{
	vgb_vq_drv_raw_desc(c->vq, 0, c->req, 24, VRING_DESC_F_NEXT, (uint16_t)(c->vq->num + 7));
	vgb_vq_drv_raw_publish(c->vq, 0);
}

static void head_past_queue(struct ctx *c)
{
	vgb_vq_drv_raw_publish(c->vq, (uint16_t)(c->vq->num + 3));
}

static void head_max(struct ctx *c)
{
	vgb_vq_drv_raw_publish(c->vq, 0xffff);
}

static void avail_runs_ahead(struct ctx *c)
{
	vgb_vq_drv_raw_set_avail_idx(c->vq, (uint16_t)(c->vq->avail_idx + c->vq->num + 1));
}

static void readable_after_writable(struct ctx *c)
{
	vgb_vq_drv_raw_desc(c->vq, 0, c->resp, 4096, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	vgb_vq_drv_raw_desc(c->vq, 1, c->req, 24, 0, 0);
	vgb_vq_drv_raw_publish(c->vq, 0);
}

static void indirect_loop(struct ctx *c)
{
	if (!c->vq->indirect || !c->vq->indirect_max) {
		outside_memory(c);
		return;
	}
	vgb_vq_drv_raw_indirect(c->vq, 0, 0, c->req, 24, VRING_DESC_F_NEXT, 1);
	uint64_t table = vgb_vq_drv_raw_indirect(c->vq, 0, 1, c->req, 24, VRING_DESC_F_NEXT, 0);
	vgb_vq_drv_raw_desc(c->vq, 0, table, 2 * 16, VRING_DESC_F_INDIRECT, 0);
	vgb_vq_drv_raw_publish(c->vq, 0);
}

static void indirect_outside(struct ctx *c)
{
	if (!c->vq->indirect) {
		wrapping_address(c);
		return;
	}
	vgb_vq_drv_raw_desc(c->vq, 0, 0x7fff00000000ull, 4 * 16, VRING_DESC_F_INDIRECT, 0);
	vgb_vq_drv_raw_publish(c->vq, 0);
}

static void indirect_odd_length(struct ctx *c)
{
	if (!c->vq->indirect || !c->vq->indirect_max) {
		zero_length(c);
		return;
	}
	uint64_t table = vgb_vq_drv_raw_indirect(c->vq, 0, 0, c->req, 24, 0, 0);
	vgb_vq_drv_raw_desc(c->vq, 0, table, 16 + 5, VRING_DESC_F_INDIRECT, 0);
	vgb_vq_drv_raw_publish(c->vq, 0);
}

static const struct {
	const char *name;
	breaker fn;
} cases[] = {
	{ "descriptor outside guest memory", outside_memory },
	{ "descriptor straddling the end of guest memory", straddles_memory_end },
	{ "descriptor address wrapping 2^64", wrapping_address },
	{ "zero-length descriptor", zero_length },
	{ "looping chain", looping_chain },
	{ "descriptor chained to itself", self_loop },
	{ "next index past the queue size", next_past_queue },
	{ "head index past the queue size", head_past_queue },
	{ "head index 0xffff", head_max },
	{ "avail index ahead by more than the queue size", avail_runs_ahead },
	{ "readable descriptor after a writable one", readable_after_writable },
	{ "looping indirect table", indirect_loop },
	{ "indirect table outside guest memory", indirect_outside },
	{ "indirect table of odd length", indirect_odd_length },
};

static void run_case(const char *host, unsigned i)
{
	struct h_backend b;
	h_backend_start(&b, host, NULL);
	struct vgb_drv_options o;
	vgb_drv_options_defaults(&o);
	o.fe.quiet = true;
	o.fe.timeout_ms = 2000;
	struct ctx c;
	c.drv = h_open_socket(&b, &o);
	c.fe = vgb_drv_fe(c.drv);
	c.vq = vgb_fe_vq(c.fe, VGB_CONTROLQ);
	CHECK(c.vq != NULL);
	c.req = vgb_fe_alloc(c.fe, 4096);
	c.resp = vgb_fe_alloc(c.fe, 4096);
	CHECK(c.req && c.resp);
	struct virtio_gpu_ctrl_hdr *h = vgb_fe_gpa_ptr(c.fe, c.req, sizeof(*h));
	memset(h, 0, sizeof(*h));
	h->type = vgb_to_le32(VIRTIO_GPU_CMD_GET_DISPLAY_INFO);
	/* The driver works before the damage. */
	struct vgb_drv_display d[16];
	CHECK_EQ(vgb_drv_display_info(c.drv, d, 16), 0);

	cases[i].fn(&c);
	vgb_fe_kick(c.fe, VGB_CONTROLQ);
	for (int k = 0; k < 10 && !vgb_fe_disconnected(c.fe); k++)
		vgb_fe_poll(c.fe, 50);
	bool dropped = vgb_fe_disconnected(c.fe);
	bool alive = !dropped && h_backend_wait(&b, 0) != 0;
	const char *after = dropped ? "device dropped the connection" : "device kept the connection";
	vgb_drv_close(c.drv);
	/* Whatever happened, the device ends by exiting (never by a signal), in bounded time. */
	int ret = h_backend_wait(&b, 8000);
	printf("%-48s %s%s; device %s\n", cases[i].name, after, alive ? "" : " (already gone)",
	       ret ? "did not exit" : h_status_text(b.status));
	CHECK_EQ(ret, 0);
	CHECK(!WIFSIGNALED(b.status));
	CHECK(WIFEXITED(b.status));
	h_backend_stop(&b);
}

int main(int argc, char **argv)
{
	const char *host = h_host(argc, argv);
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(host, i);
	return 0;
}
