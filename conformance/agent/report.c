#include "report.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int report_fd = 1;

void report_set_fd(int fd) { report_fd = fd; }

const char *verdict_name(enum verdict v)
{
	switch (v) {
	case PASS: return "PASS";
	case FAIL: return "FAIL";
	case NOT_SUPPORTED: return "NOT_SUPPORTED";
	case TIMEOUT: return "TIMEOUT";
	case WARNING: return "WARNING";
	case FLAKY: return "FLAKY";
	case ERROR: break;
	}
	return "ERROR";
}

void json_escape(char *out, size_t cap, const char *s)
{
	size_t n = strlen(out);
	for (; *s && n + 7 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			out[n++] = '\\';
			out[n++] = (char)c;
		} else if (c < 0x20 || c >= 0x7f) {
			/* Keep the line plain ASCII: the serial port and the host's
			 * decoder then never disagree about encodings. */
			n += (size_t)snprintf(out + n, cap - n, "\\u%04x", c);
		} else {
			out[n++] = (char)c;
		}
	}
	out[n] = '\0';
}

static void write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, buf, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		buf += w;
		len -= (size_t)w;
	}
}

void report_line(const char *json_object)
{
	char line[16384];
	int n = snprintf(line, sizeof(line), "%s%s\n", AGENT_MARKER, json_object);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	/* One write per line, so lines from a case and the runner never interleave. */
	write_all(report_fd, line, (size_t)n);
}

int report_wait(const char *word, int timeout_s)
{
	char buf[256];
	size_t have = 0;
	for (int left_ms = timeout_s * 1000; left_ms > 0;) {
		struct pollfd p = { report_fd, POLLIN, 0 };
		int r = poll(&p, 1, left_ms > 1000 ? 1000 : left_ms);
		left_ms -= left_ms > 1000 ? 1000 : left_ms;
		if (r <= 0)
			continue;
		ssize_t n = read(report_fd, buf + have, sizeof(buf) - 1 - have);
		if (n <= 0)
			return -1;
		have += (size_t)n;
		buf[have] = '\0';
		if (strstr(buf, word))
			return 0;
		if (have > sizeof(buf) / 2) { /* keep the tail: a word may straddle two reads */
			memmove(buf, buf + have - 64, 64);
			have = 64;
		}
	}
	return -1;
}
