/* SPDX-License-Identifier: MIT */
/*
 * How busy the machine was, and what the processes under test really ran.
 * Wall-clock timings on a shared machine include waiting for a CPU; the
 * kernel's per-task accounting (/proc/PID/schedstat: time on a CPU, time
 * waiting in a run queue) separates the two, and /proc/stat says how much
 * CPU everything else used meanwhile.  The load line printed with every run
 * comes from here, so a noisy run shows as one.
 */
#ifndef VGB_BENCH_LOAD_H
#define VGB_BENCH_LOAD_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Seconds a process has run on a CPU and waited in a run queue (false when
 * unreadable).  The kernel brings these up to date when the process stops
 * running, so the figures are exact for a sleeping process: task_cpu first
 * waits (at most 50 ms) for the process to sleep.
 */
bool task_cpu(int pid, double *run_s, double *wait_s);
/* CPU seconds of the calling thread. */
double thread_cpu(void);

/* Machine-wide CPU use between two probes, and the load averages. */
struct load_probe {
	double when;            /* monotonic seconds */
	double loadavg1;
	uint64_t busy, total;   /* /proc/stat jiffies, all CPUs */
	uint64_t steal;
	double own_cpu;         /* this process's CPU seconds (getrusage) */
};
void load_probe(struct load_probe *p);

struct load_summary {
	double loadavg_start, loadavg_end;
	double others_cpus;   /* CPUs' worth used by other processes, on average */
	double steal_pct;     /* share of CPU time a hypervisor took */
	double backends_run_s, backends_wait_s; /* processes under test: on a CPU / waiting for one */
	unsigned ncpus;
	bool quiet;           /* nothing else ran: others_cpus < 0.05, backends waited < 5 % of their run time */
};
/* backends_run_s: CPU seconds of the spawned backends between the two probes. */
void load_summarize(const struct load_probe *a, const struct load_probe *b, double backends_run_s,
		    double backends_wait_s, struct load_summary *out);
/* One line for the report. */
void load_line(const struct load_summary *s, char *buf, unsigned len);

#endif
