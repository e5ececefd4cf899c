// The agent's word hash (vk.c vk_mix32: keep in step). Summed over a range it
// does not depend on the order in which invocations add their parts.
uint mix32(uint word, uint index)
{
	uint x = word ^ (index * 0x9e3779b9u);
	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	x *= 0x846ca68bu;
	x ^= x >> 16;
	return x;
}
