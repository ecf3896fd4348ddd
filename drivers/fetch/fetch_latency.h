/* Latency statistics of one repetition: nearest-rank percentiles over every request. */
#ifndef FETCH_LATENCY_H
#define FETCH_LATENCY_H

#include <stddef.h>

typedef struct fetch_latency {
    double p50_ms, p90_ms, p99_ms, max_ms, mean_ms;
} fetch_latency;

/* The nearest-rank percentile q (0 < q <= 100) of sorted[0..n-1]: the
 * smallest value with at least q% of the values at or below it. n > 0. */
double fetch_latency_percentile(const double *sorted, size_t n, double q);

/* Sorts v[0..n-1] in place, ascending. */
void fetch_latency_sort(double *v, size_t n);

/* Sorts ms[0..n-1] in place and summarizes it; all zero when n == 0. */
void fetch_latency_summarize(double *ms, size_t n, fetch_latency *out);

#endif
