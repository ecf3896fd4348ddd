/* The clock under load: how fast a core runs, from a chain of dependent multiplies. */
#ifndef CS_CLOCK_PROBE_H
#define CS_CLOCK_PROBE_H

#include <stdint.h>

/*
 * A chain of dependent 64-bit integer multiplies: each waits for the last, so
 * the chain takes its length times the multiply's latency, which is 3 cycles
 * on every x86-64 core of the last decade (Intel since Nehalem, AMD since Zen),
 * whatever the core's width. Its time therefore reads the clock the core ran
 * at. A chain of adds would not do: recent cores fold immediate adds, and such
 * a chain reads a clock several times too fast.
 *
 * The chain touches no memory, so it measures the core alone: run at once on
 * every worker of a point, it shows whether the clock fell as workers were
 * added (turbo budgets, thermal limits, a busy host under a VM).
 */
#define CS_PROBE_CYCLES_PER_MULTIPLY 3

/* The chain itself: `multiplies` dependent multiplies from `seed`; the result
 * only keeps the compiler from dropping the work. */
uint64_t cs_probe_chain(uint64_t multiplies, uint64_t seed);

/* Seconds of one chain on the calling thread (cs_clock_now around it). */
double cs_probe_chain_seconds(uint64_t multiplies);

/*
 * A better counter where the system lends one: the calling thread's own core
 * cycles in user mode (perf's cycles event). cs_probe_cycles_open returns a
 * descriptor, or -1 when there is none (no PMU under a VM, perf_event_paranoid,
 * seccomp); cs_probe_cycles_read returns the count so far, or -1.
 */
int cs_probe_cycles_open(void);
int64_t cs_probe_cycles_read(int fd);
void cs_probe_cycles_close(int fd);

/* The clock one chain implies: GHz from its length and its seconds. */
double cs_probe_chain_ghz(uint64_t multiplies, double seconds);

#endif
