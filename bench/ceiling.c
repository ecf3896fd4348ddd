/* The machine's own ceiling for a speedup: the same fixed integer work on 1 and on T threads. */
#include "ceiling.h"

#include <omp.h>

#include "clock.h"
#include "clock_probe.h"

#define CHAINS 8 /* independent chains of the throughput probe: more than a core keeps in flight */

/* One multiply of a chain: the high and low words folded, so it cannot be
 * shortened and each result feeds the next. */
static inline uint64_t step(uint64_t x)
{
    unsigned __int128 p = (unsigned __int128)x * 0x9e3779b97f4a7c15ULL;
    return (uint64_t)p ^ (uint64_t)(p >> 64);
}

static uint64_t throughput(uint64_t multiplies, uint64_t seed)
{
    uint64_t x[CHAINS];
    for (int k = 0; k < CHAINS; k++)
        x[k] = seed + (uint64_t)k + 1;
    for (uint64_t i = 0; i < multiplies / CHAINS; i++)
        for (int k = 0; k < CHAINS; k++)
            x[k] = step(x[k]);
    uint64_t s = 0;
    for (int k = 0; k < CHAINS; k++)
        s ^= x[k];
    return s;
}

/* Where the results go, so that the compiler must compute them. */
static volatile uint64_t sink;

double cs_bench_ceiling(enum cs_ceiling_probe probe, int threads, uint64_t multiplies)
{
    uint64_t folded = 0;
    double t0 = cs_clock_now();
#pragma omp parallel num_threads(threads) reduction(^ : folded)
    {
        uint64_t me = (uint64_t)omp_get_thread_num(), team = (uint64_t)omp_get_num_threads();
        uint64_t share = multiplies / team + (me < multiplies % team);
        folded ^= probe == CS_CEILING_THROUGHPUT ? throughput(share, me)
                                                   : cs_probe_chain(share, me);
    }
    double t = cs_clock_now() - t0;
    sink = folded;
    return t;
}

uint64_t cs_bench_ceiling_size(enum cs_ceiling_probe probe, double seconds)
{
    uint64_t m = 1u << 20;
    double t;
    while ((t = cs_bench_ceiling(probe, 1, m)) < 0.01 && m < (1ULL << 40))
        m *= 2;
    double want = seconds / t * (double)m;
    return want < (double)CHAINS ? CHAINS : (uint64_t)want;
}
