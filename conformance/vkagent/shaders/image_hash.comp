#version 450
#extension GL_GOOGLE_include_directive : require
// GPU samples a linear RGBA8 image the CPU draws into: the hash of every
// texel (as the 32-bit word it is in memory) at its row-major index.
layout(local_size_x = 64) in;
layout(set = 0, binding = 0) uniform sampler2D img;
layout(std430, set = 0, binding = 1) buffer Result { uint sum; uint count; } res;
layout(push_constant) uniform Push { uint width; uint height; } p;
#include "mix.glsl"

void main()
{
	uint acc = 0u, seen = 0u;
	uint n = p.width * p.height;
	uint step = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
	for (uint i = gl_GlobalInvocationID.x; i < n; i += step) {
		ivec2 xy = ivec2(int(i % p.width), int(i / p.width));
		acc += mix32(packUnorm4x8(texelFetch(img, xy, 0)), i);
		seen++;
	}
	atomicAdd(res.sum, acc);
	atomicAdd(res.count, seen);
}
