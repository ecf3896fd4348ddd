/* The machine's own ceiling for a speedup: the same fixed integer work on 1 and on T threads. */
#ifndef CS_BENCH_CEILING_H
#define CS_BENCH_CEILING_H

#include <stdint.h>

/*
 * Two probes, each a fixed number of 64x64->128-bit multiplies split evenly
 * over the threads (so 1 and T threads do the same work, as a product does):
 *
 * throughput  eight independent chains per thread: the multiplier and the
 *             ports are the limit, as in the transform's butterflies. Two
 *             threads that share a core's execution units (hyperthreads, or
 *             virtual CPUs the host placed on one core) get well under 2x.
 * latency     one dependent chain per thread (cs_probe_chain, the clock
 *             probe of clock_probe.h): each multiply waits for the last,
 *             so threads on one core's two hyperthreads still get about 2x. Beside the throughput probe it tells a shared core
 *             (latency ~2x, throughput less) from a slow or busy one (both
 *             less).
 *
 * Neither touches memory beyond a few words: the probe is the ceiling for
 * compute, and a product that falls short of it loses elsewhere (memory,
 * hand-out, imbalance).
 */
enum cs_ceiling_probe { CS_CEILING_THROUGHPUT, CS_CEILING_LATENCY };

/* Seconds for `multiplies` multiplies of the probe on `threads` OpenMP threads. */
double cs_bench_ceiling(enum cs_ceiling_probe probe, int threads, uint64_t multiplies);

/* Multiplies that take about `seconds` on one thread (calibrated by a short run). */
uint64_t cs_bench_ceiling_size(enum cs_ceiling_probe probe, double seconds);

#endif
