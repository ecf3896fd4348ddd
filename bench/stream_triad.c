/* stream_triad: the machine's own triad bandwidth, STREAM's way, for the triad kernel to face. */
#include <errno.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

#include "clock.h"

/*
 * Usage: stream_triad [ELEMENTS [THREADS_LIST [PASSES]]]
 * Three arrays of ELEMENTS doubles (default 50,000,000: 1.2 GB, as the triad
 * kernel's class A), first touched by the threads that use them (static
 * schedule), then a[i] = b[i] + s*c[i] PASSES times (default 10); the first
 * pass is not counted and the best of the rest is reported, as STREAM does,
 * counting 24 bytes per element. Arrays are replayed afterwards: a wrong
 * value makes the exit status 1. One line per thread count:
 *   threads T best_GB/s X avg_GB/s Y
 */

static int triad(double *a, double *b, double *c, long n, int threads, int passes,
                 double *best, double *avg)
{
    const double s = 3.0;
#pragma omp parallel for schedule(static) num_threads(threads)
    for (long i = 0; i < n; i++) {
        a[i] = 0.0;
        b[i] = (double)(i % 1000);
        c[i] = (double)(i % 777);
    }
    double total = 0;
    *best = 1e30;
    for (int k = 0; k < passes; k++) {
        double t0 = cs_clock_now();
#pragma omp parallel for schedule(static) num_threads(threads)
        for (long i = 0; i < n; i++)
            a[i] = b[i] + s * c[i];
        double t = cs_clock_now() - t0;
        if (k == 0)
            continue;
        total += t;
        *best = t < *best ? t : *best;
    }
    *avg = total / (passes - 1);
    for (long i = 0; i < n; i++)
        if (a[i] != (double)(i % 1000) + s * (double)(i % 777))
            return 1;
    return 0;
}

/* A whole number in [min, max] from argument `what`, or a message and -1. */
static int parse_count(const char *what, const char *text, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (end == text || *end || errno || v < min || v > max) {
        fprintf(stderr, "stream_triad: %s '%s': a whole number from %ld to %ld is needed\n", what,
                text, min, max);
        return -1;
    }
    *out = v;
    return 0;
}

/* THREADS as a comma list of counts into counts[]; the number of them, or 0
 * after a message. */
static size_t parse_threads(const char *list, long *counts, size_t most)
{
    size_t got = 0;
    for (const char *p = list;;) {
        char *end;
        errno = 0;
        long t = strtol(p, &end, 10);
        if (end == p || errno || t < 1 || t > 4096 || (*end && *end != ',') || got == most) {
            fprintf(stderr, "stream_triad: THREADS '%s': a comma list of at most %zu counts "
                            "from 1 to 4096 is needed\n", list, most);
            return 0;
        }
        counts[got++] = t;
        if (!*end)
            return got;
        p = end + 1;
    }
}

int main(int argc, char **argv)
{
    long n = 50000000L, passes = 10, threads[64];
    size_t runs = 0;
    if (argc > 4) {
        fprintf(stderr, "stream_triad: usage: stream_triad [ELEMENTS [THREADS,... [PASSES]]]\n");
        return 2;
    }
    if ((argc > 1 && parse_count("ELEMENTS", argv[1], 1, 1L << 40, &n)) ||
        !(runs = parse_threads(argc > 2 ? argv[2] : "1", threads, 64)) ||
        (argc > 3 && parse_count("PASSES", argv[3], 2, 100000, &passes)))
        return 2;
    double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b), *c = malloc(n * sizeof *c);
    int status = 0;
    if (!a || !b || !c) {
        fprintf(stderr, "stream_triad: out of memory for 3 x %ld doubles\n", n);
        status = 1;
    }
    for (size_t r = 0; r < runs && status == 0; r++) {
        double best, avg;
        if (triad(a, b, c, n, (int)threads[r], (int)passes, &best, &avg) != 0) {
            fprintf(stderr, "stream_triad: validation failed at %ld threads\n", threads[r]);
            status = 1;
        }
        printf("threads %ld best_GB/s %.2f avg_GB/s %.2f\n", threads[r], 24.0 * n / best / 1e9,
               24.0 * n / avg / 1e9);
        fflush(stdout);
    }
    free(a);
    free(b);
    free(c);
    return status;
}
