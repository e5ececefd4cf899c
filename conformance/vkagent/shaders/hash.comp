#version 450
#extension GL_GOOGLE_include_directive : require
// GPU reads a buffer the CPU wrote: the hash of its first n words.
layout(local_size_x = 64) in;
layout(std430, set = 0, binding = 0) readonly buffer Src { uint w[]; } src;
layout(std430, set = 0, binding = 1) buffer Result { uint sum; uint count; } res;
layout(push_constant) uniform Push { uint n; } p;
#include "mix.glsl"

void main()
{
	uint acc = 0u, seen = 0u;
	uint step = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
	for (uint i = gl_GlobalInvocationID.x; i < p.n; i += step) {
		acc += mix32(src.w[i], i);
		seen++;
	}
	atomicAdd(res.sum, acc);
	atomicAdd(res.count, seen);
}
