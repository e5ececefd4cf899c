/* The few virgl command-stream commands the agent sends through EXECBUFFER
 * (or the CREATE_BLOB cmd field), encoded from the virgl protocol's numbers. */
#ifndef VGB_AGENT_VIRGL_H
#define VGB_AGENT_VIRGL_H

#include <stdint.h>

#define VIRGL_CMD_HEADER(cmd, obj, len) ((uint32_t)(cmd) | ((uint32_t)(obj) << 8) | ((uint32_t)(len) << 16))

enum {
	VIRGL_CCMD_RESOURCE_COPY_REGION = 17,
	VIRGL_CCMD_PIPE_RESOURCE_CREATE = 48,
};

/* Pipe resource flags asking virglrenderer for host memory the guest can map. */
#define VIRGL_RESOURCE_FLAG_MAP_PERSISTENT (1u << 1)
#define VIRGL_RESOURCE_FLAG_MAP_COHERENT (1u << 2)
#define VIRGL_TARGET_BUFFER 0u
#define VIRGL_FORMAT_R8_UNORM 64u
#define VIRGL_BIND_VERTEX_BUFFER (1u << 4)

#define VIRGL_PIPE_RES_CREATE_DWORDS 12
#define VIRGL_COPY_REGION_DWORDS 14

/* A buffer of `bytes` bytes with the persistent+coherent flags, tagged blob_id
 * so RESOURCE_CREATE_BLOB(HOST3D, blob_id) can claim it. */
void virgl_encode_buffer_create(uint32_t out[VIRGL_PIPE_RES_CREATE_DWORDS], uint32_t bytes, uint32_t blob_id);

/* Host-side copy of `bytes` bytes between two buffer resources. */
void virgl_encode_buffer_copy(uint32_t out[VIRGL_COPY_REGION_DWORDS], uint32_t dst_res, uint32_t src_res,
			      uint32_t bytes);

#endif
