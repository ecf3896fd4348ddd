/* Percentiles by nearest rank: every figure is a latency some request really had. */
#include "fetch_latency.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void fetch_latency_sort(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
}

double fetch_latency_percentile(const double *sorted, size_t n, double q)
{
    /* rank = ceil(q/100 * n). For whole q, q * n / 100 is exact whenever it is
     * a whole number; the hair taken off keeps a fractional q that lands a
     * rounding error above a whole rank from reaching the next one. */
    double exact = q * (double)n / 100.0;
    size_t rank = (size_t)ceil(exact - 1e-9);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return sorted[rank - 1];
}

void fetch_latency_summarize(double *ms, size_t n, fetch_latency *out)
{
    memset(out, 0, sizeof *out);
    if (n == 0)
        return;
    fetch_latency_sort(ms, n);
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += ms[i];
    out->p50_ms = fetch_latency_percentile(ms, n, 50);
    out->p90_ms = fetch_latency_percentile(ms, n, 90);
    out->p99_ms = fetch_latency_percentile(ms, n, 99);
    out->max_ms = ms[n - 1];
    out->mean_ms = sum / (double)n;
}
