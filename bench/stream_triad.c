/* stream_triad: the machine's own triad bandwidth, STREAM's way, for the triad kernel to face. */
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

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 50000000L;
    const char *list = argc > 2 ? argv[2] : "1";
    int passes = argc > 3 ? atoi(argv[3]) : 10;
    if (n < 1 || passes < 2) {
        fprintf(stderr, "stream_triad: usage: stream_triad [ELEMENTS [THREADS,... [PASSES>=2]]]\n");
        return 2;
    }
    double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b), *c = malloc(n * sizeof *c);
    if (!a || !b || !c) {
        fprintf(stderr, "stream_triad: out of memory for 3 x %ld doubles\n", n);
        return 1;
    }
    int status = 0;
    for (const char *p = list; *p;) {
        char *end;
        long threads = strtol(p, &end, 10);
        if (end == p || threads < 1) {
            fprintf(stderr, "stream_triad: bad thread list '%s'\n", list);
            return 2;
        }
        double best, avg;
        if (triad(a, b, c, n, (int)threads, passes, &best, &avg) != 0) {
            fprintf(stderr, "stream_triad: validation failed at %ld threads\n", threads);
            status = 1;
        }
        printf("threads %ld best_GB/s %.2f avg_GB/s %.2f\n", threads, 24.0 * n / best / 1e9,
               24.0 * n / avg / 1e9);
        fflush(stdout);
        p = *end == ',' ? end + 1 : end;
    }
    free(a);
    free(b);
    free(c);
    return status;
}
