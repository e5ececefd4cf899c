// SPDX-License-Identifier: MIT
#include "load.h"

#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "stats.h"

/* Is the process off the CPU (state S, D, T, ... anything but R)? */
static bool task_asleep(int pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return true;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	const char *paren = strrchr(buf, ')'); /* the command name may hold spaces */
	return !paren || paren[1] != ' ' || paren[2] != 'R';
}

bool task_cpu(int pid, double *run_s, double *wait_s)
{
	double until = now_seconds() + 0.05;
	while (!task_asleep(pid) && now_seconds() < until)
		sched_yield();
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/schedstat", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	unsigned long long run = 0, wait = 0;
	bool ok = fscanf(f, "%llu %llu", &run, &wait) == 2;
	fclose(f);
	*run_s = (double)run * 1e-9;
	*wait_s = (double)wait * 1e-9;
	return ok;
}

double thread_cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void load_probe(struct load_probe *p)
{
	memset(p, 0, sizeof(*p));
	p->when = now_seconds();
	FILE *f = fopen("/proc/loadavg", "r");
	if (f) {
		if (fscanf(f, "%lf", &p->loadavg1) != 1)
			p->loadavg1 = -1;
		fclose(f);
	}
	f = fopen("/proc/stat", "r");
	if (f) {
		unsigned long long v[8] = {0};
		if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4],
			   &v[5], &v[6], &v[7]) == 8) {
			/* user nice system idle iowait irq softirq steal */
			p->total = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
			p->busy = v[0] + v[1] + v[2] + v[5] + v[6];
			p->steal = v[7];
		}
		fclose(f);
	}
	struct rusage ru;
	if (!getrusage(RUSAGE_SELF, &ru))
		p->own_cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + (double)ru.ru_stime.tv_sec +
			     ru.ru_stime.tv_usec * 1e-6;
}

void load_summarize(const struct load_probe *a, const struct load_probe *b, double backends_run_s,
		    double backends_wait_s, struct load_summary *out)
{
	memset(out, 0, sizeof(*out));
	long hz = sysconf(_SC_CLK_TCK);
	long ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	out->ncpus = ncpus > 0 ? (unsigned)ncpus : 1;
	out->loadavg_start = a->loadavg1;
	out->loadavg_end = b->loadavg1;
	double elapsed = b->when - a->when;
	double busy = hz > 0 ? (double)(b->busy - a->busy) / (double)hz : 0;
	double others = busy - (b->own_cpu - a->own_cpu) - backends_run_s;
	out->others_cpus = elapsed > 0 && others > 0 ? others / elapsed : 0;
	uint64_t total = b->total - a->total;
	out->steal_pct = total ? 100.0 * (double)(b->steal - a->steal) / (double)total : 0;
	out->backends_run_s = backends_run_s;
	out->backends_wait_s = backends_wait_s;
	/* What ran during the run decides; a load average also counts what ran before it
	 * (a previous benchmark run, say). */
	out->quiet = out->others_cpus < 0.05 && backends_wait_s <= 0.05 * backends_run_s;
}

void load_line(const struct load_summary *s, char *buf, unsigned len)
{
	snprintf(buf, len,
		 "load: %s run; loadavg %.2f at start, %.2f at end; other processes used %.2f of %u CPUs "
		 "on average; steal %.1f %%; the backends ran %.2f s and waited %.2f s for a CPU",
		 s->quiet ? "quiet" : "NOISY", s->loadavg_start, s->loadavg_end, s->others_cpus, s->ncpus,
		 s->steal_pct, s->backends_run_s, s->backends_wait_s);
}
