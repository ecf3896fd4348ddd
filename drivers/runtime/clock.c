/* Monotonic wall-clock time, its measured tick, and UTC stamps for rows. */
#include "clock.h"

#include <time.h>

double cs_clock_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double cs_clock_tick(void)
{
    /* The least non-zero difference over a few back-to-back reads: what the
     * clock can really resolve here, which may be coarser than it claims. */
    double best = 1.0;
    for (int i = 0; i < 20; i++) {
        double t0 = cs_clock_now(), t1;
        while ((t1 = cs_clock_now()) == t0)
            ;
        if (t1 - t0 < best)
            best = t1 - t0;
    }
    return best;
}

void cs_clock_utc(char *buf, unsigned long size)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
