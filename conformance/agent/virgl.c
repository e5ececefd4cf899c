#include "virgl.h"

void virgl_encode_buffer_create(uint32_t out[VIRGL_PIPE_RES_CREATE_DWORDS], uint32_t bytes, uint32_t blob_id)
{
	out[0] = VIRGL_CMD_HEADER(VIRGL_CCMD_PIPE_RESOURCE_CREATE, 0, VIRGL_PIPE_RES_CREATE_DWORDS - 1);
	out[1] = VIRGL_TARGET_BUFFER;
	out[2] = VIRGL_FORMAT_R8_UNORM;
	out[3] = VIRGL_BIND_VERTEX_BUFFER;
	out[4] = bytes; /* width */
	out[5] = 1;     /* height */
	out[6] = 1;     /* depth */
	out[7] = 1;     /* array size */
	out[8] = 0;     /* last level */
	out[9] = 0;     /* samples */
	out[10] = VIRGL_RESOURCE_FLAG_MAP_PERSISTENT | VIRGL_RESOURCE_FLAG_MAP_COHERENT;
	out[11] = blob_id;
}

void virgl_encode_buffer_copy(uint32_t out[VIRGL_COPY_REGION_DWORDS], uint32_t dst_res, uint32_t src_res,
			      uint32_t bytes)
{
	out[0] = VIRGL_CMD_HEADER(VIRGL_CCMD_RESOURCE_COPY_REGION, 0, VIRGL_COPY_REGION_DWORDS - 1);
	out[1] = dst_res;
	out[2] = 0; /* dst level */
	out[3] = 0; /* dst x */
	out[4] = 0;
	out[5] = 0;
	out[6] = src_res;
	out[7] = 0;     /* src level */
	out[8] = 0;     /* box x */
	out[9] = 0;     /* box y */
	out[10] = 0;    /* box z */
	out[11] = bytes; /* box w */
	out[12] = 1;    /* box h */
	out[13] = 1;    /* box d */
}
