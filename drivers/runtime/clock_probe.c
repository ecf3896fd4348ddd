/* The clock under load: a chain of dependent multiplies, and perf's cycles where they exist. */
#include "clock_probe.h"

#include <string.h>
#include <unistd.h>

#include "clock.h"

#ifdef __linux__
#include <linux/perf_event.h>
#include <sys/syscall.h>
#endif

uint64_t cs_probe_chain(uint64_t multiplies, uint64_t seed)
{
    uint64_t x = seed | 1, m = 0x9e3779b97f4a7c15ULL;
    for (uint64_t i = 0; i < multiplies; i++) {
        x *= m;
        /* An empty asm that may change x: the compiler can neither fold the
         * chain into fewer multiplies nor interleave iterations. */
        __asm__ volatile("" : "+r"(x));
    }
    return x;
}

/* Where chain results go, so that the compiler must compute them. */
static volatile uint64_t sink;

double cs_probe_chain_seconds(uint64_t multiplies)
{
    double t0 = cs_clock_now();
    sink = cs_probe_chain(multiplies, sink);
    return cs_clock_now() - t0;
}

double cs_probe_chain_ghz(uint64_t multiplies, double seconds)
{
    if (!(seconds > 0))
        return 0;
    return (double)multiplies * CS_PROBE_CYCLES_PER_MULTIPLY / seconds / 1e9;
}

int cs_probe_cycles_open(void)
{
#if defined(__linux__) && defined(SYS_perf_event_open)
    struct perf_event_attr a;
    memset(&a, 0, sizeof a);
    a.type = PERF_TYPE_HARDWARE;
    a.size = sizeof a;
    a.config = PERF_COUNT_HW_CPU_CYCLES;
    a.exclude_kernel = 1; /* user mode: allowed at perf_event_paranoid 2 */
    a.exclude_hv = 1;
    long fd = syscall(SYS_perf_event_open, &a, 0 /* this thread */, -1, -1, 0);
    if (fd < 0)
        return -1;
    /* Some hosts open the event but never count (a VM without a virtual PMU). */
    int64_t c0 = cs_probe_cycles_read((int)fd);
    sink = cs_probe_chain(1000, sink);
    int64_t c1 = cs_probe_cycles_read((int)fd);
    if (c0 < 0 || c1 <= c0) {
        close((int)fd);
        return -1;
    }
    return (int)fd;
#else
    return -1;
#endif
}

int64_t cs_probe_cycles_read(int fd)
{
    uint64_t count;
    if (fd < 0 || read(fd, &count, sizeof count) != (ssize_t)sizeof count)
        return -1;
    return (int64_t)count;
}

void cs_probe_cycles_close(int fd)
{
    if (fd >= 0)
        close(fd);
}
