#include "steps.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

struct steps_log {
	unsigned long long count;
	char ring[STEPS_KEPT][STEP_LEN];
};

static struct steps_log own;
static struct steps_log *log_ = &own;

void steps_share(void)
{
	void *p = mmap(NULL, sizeof(*log_), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED)
		log_ = p;
}

void step(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(log_->ring[log_->count % STEPS_KEPT], STEP_LEN, fmt, ap);
	va_end(ap);
	log_->count++;
}

const char *steps_last(void)
{
	return log_->count ? log_->ring[(log_->count - 1) % STEPS_KEPT] : NULL;
}

const char *errno_name(int err)
{
	static const struct { int e; const char *name; } names[] = {
		{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EINTR, "EINTR" }, { EIO, "EIO" },
		{ ENXIO, "ENXIO" }, { EBADF, "EBADF" }, { EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" },
		{ EACCES, "EACCES" }, { EFAULT, "EFAULT" }, { EBUSY, "EBUSY" }, { EEXIST, "EEXIST" },
		{ ENODEV, "ENODEV" }, { EINVAL, "EINVAL" }, { ENOSPC, "ENOSPC" }, { ERANGE, "ERANGE" },
		{ ENOSYS, "ENOSYS" }, { EOPNOTSUPP, "EOPNOTSUPP" }, { ETIMEDOUT, "ETIMEDOUT" },
	};
	static char buf[24];
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].e == err)
			return names[i].name;
	snprintf(buf, sizeof(buf), "errno %d", err);
	return buf;
}

int step_result(int r, const char *fmt, ...)
{
	char what[STEP_LEN];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (r == 0)
		step("%s -> ok", what);
	else
		step("%s -> -%s", what, errno_name(-r));
	return r;
}

void steps_text(char *out, size_t cap)
{
	size_t n = 0;
	out[0] = '\0';
	unsigned long long count = log_->count;
	unsigned long long first = count > STEPS_KEPT ? count - STEPS_KEPT : 0;
	if (first)
		n += (size_t)snprintf(out, cap, "(%llu earlier steps not kept)\n", first);
	for (unsigned long long i = first; i < count && n + 1 < cap; i++)
		n += (size_t)snprintf(out + n, cap - n, "%s\n", log_->ring[i % STEPS_KEPT]);
	if (n >= cap)
		n = cap - 1;
	out[n] = '\0';
}

void steps_clear(void)
{
	log_->count = 0;
}
