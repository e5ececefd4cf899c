#version 450
#extension GL_GOOGLE_include_directive : require
// GPU writes a buffer the CPU will read: word i becomes mix32(seed, i).
layout(local_size_x = 64) in;
layout(std430, set = 0, binding = 0) writeonly buffer Dst { uint w[]; } dst;
layout(push_constant) uniform Push { uint n; uint seed; } p;
#include "mix.glsl"

void main()
{
	uint step = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
	for (uint i = gl_GlobalInvocationID.x; i < p.n; i += step)
		dst.w[i] = mix32(p.seed, i);
}
