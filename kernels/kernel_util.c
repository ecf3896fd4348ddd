/* Small helpers every kernel uses: error text, a byte hash for digests, memory room. */
#include <stdarg.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include "kernel.h"

void cs_err_set(cs_err *err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
}

uint64_t cs_fnv1a64(uint64_t h, const void *data, size_t len)
{
    const unsigned char *b = data;
    for (size_t i = 0; i < len; i++) {
        h ^= b[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* Bytes this process has mapped already: they count against an address-space limit. */
static double mapped_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long long pages = 0;
    long size = sysconf(_SC_PAGESIZE);
    if (f) {
        if (fscanf(f, "%llu", &pages) != 1)
            pages = 0;
        fclose(f);
    }
    return size > 0 ? (double)pages * (double)size : 0.0;
}

double cs_memory_room(char *what, size_t size)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    double room = pages > 0 && page > 0 ? (double)pages * (double)page : 0.0;
    snprintf(what, size, "this machine's %.1f GiB", room / (1 << 30));
    struct rlimit rl;
    if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
        double left = (double)rl.rlim_cur - mapped_bytes();
        left = left > 0 ? left : 0;
        if (room <= 0 || left < room) {
            room = left;
            snprintf(what, size, "the %.2f GiB left under the address-space limit (ulimit -v "
                     "%llu KiB)", room / (1 << 30), (unsigned long long)(rl.rlim_cur / 1024));
        }
    }
    if (getrlimit(RLIMIT_DATA, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        (room <= 0 || (double)rl.rlim_cur < room)) {
        room = (double)rl.rlim_cur;
        snprintf(what, size, "the data-size limit's %.2f GiB (ulimit -d %llu KiB)",
                 room / (1 << 30), (unsigned long long)(rl.rlim_cur / 1024));
    }
    return room;
}

int cs_case_new(const cs_kernel *k, uint64_t n, uint64_t chunks, uint64_t steps,
                cs_problem **out, cs_err *err)
{
    if (k->stencil)
        return k->stencil->problem_new(n, chunks, steps, out, err);
    if (steps) {
        cs_err_set(err, "--steps %llu: %s is not stepped (only stencil kernels take --steps)",
                   (unsigned long long)steps, k->name);
        return CS_EINVAL;
    }
    return k->problem_new(n, chunks, out, err);
}
