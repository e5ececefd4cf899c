#version 450
// GPU samples both planes of an NV12 frame and applies the effect: a 1-2-1
// horizontal smoothing of luma, then BT.601 limited-range YCbCr to RGB, all in
// integers so the CPU model (cases_vk_video.c) is pixel-exact. One packed
// RGBA8 word per pixel out.
layout(local_size_x = 64) in;
layout(set = 0, binding = 0) uniform sampler2D luma;
layout(set = 0, binding = 1) uniform sampler2D chroma;
layout(std430, set = 0, binding = 2) writeonly buffer Out { uint px[]; } dst;
layout(push_constant) uniform Push { uint width; uint height; } p;

int y_at(int x, int y)
{
	x = clamp(x, 0, int(p.width) - 1);
	return int(round(texelFetch(luma, ivec2(x, y), 0).r * 255.0));
}

void main()
{
	uint n = p.width * p.height;
	uint step = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
	for (uint i = gl_GlobalInvocationID.x; i < n; i += step) {
		int x = int(i % p.width), y = int(i / p.width);
		int ys = (y_at(x - 1, y) + 2 * y_at(x, y) + y_at(x + 1, y) + 2) >> 2;
		vec2 uv = texelFetch(chroma, ivec2(x / 2, y / 2), 0).rg;
		int c = ys - 16, d = int(round(uv.r * 255.0)) - 128, e = int(round(uv.g * 255.0)) - 128;
		int r = clamp((298 * c + 409 * e + 128) >> 8, 0, 255);
		int g = clamp((298 * c - 100 * d - 208 * e + 128) >> 8, 0, 255);
		int b = clamp((298 * c + 516 * d + 128) >> 8, 0, 255);
		dst.px[i] = uint(r) | (uint(g) << 8) | (uint(b) << 16) | (255u << 24);
	}
}
