/* The triad kernel: STREAM's a = b + s*c over arrays far larger than the caches. */
#include <stdlib.h>
#include <unistd.h>

#include "kernel.h"
#include "word.h"

/*
 * n elements per array, cut into C contiguous items. Each item owns its own
 * block of a, b and c, allocated and first written by item_prepare on the
 * worker that will run it, so pages land next to that worker (first touch)
 * and problem_new stays cheap. An item never prepared (a process that runs an
 * item another process prepared, under a dynamic schedule) prepares it in
 * item_run, inside the timed region, once.
 *
 * Values are small integers in doubles: b[i] = i mod 1000, c[i] = i mod 777,
 * s = 3, so every a[i] = b[i] + 3 c[i] is exact (with or without fused
 * multiply-add) and so is every sum of them below 2^53. An item's partial is
 * the sum of the a[i] it wrote, taken from the value it stores; partials add.
 *
 * Verification replays the values: the total must equal the sum of
 * (i mod 1000) + 3 (i mod 777) computed in integers by another path, and every
 * element of every item this process ran is compared with its replayed value
 * (under MPI, other ranks' items are covered by their exact sums).
 */

#define TRIAD_DEFAULT_CHUNKS 1024
#define TRIAD_N_MAX (1ULL << 40) /* sums stay below 2^53 (3330 * 2^40 < 2^53) */
#define TRIAD_SCALAR 3.0
#define B_PERIOD 1000
#define C_PERIOD 777
#define ALIGN 64

struct cs_problem {
    uint64_t n, items;
    double **block;   /* block[item]: a, then b, then c, each of the item's length */
    uint8_t *written; /* written[item]: this process has run the item (a holds values) */
};

struct cs_partial {
    double sum;
};

static int triad_problem_new(uint64_t n, uint64_t chunks, cs_problem **out, cs_err *err)
{
    if (n < 1 || n > TRIAD_N_MAX) {
        cs_err_set(err, "--n %llu: triad needs 1 <= n <= %llu elements", (unsigned long long)n,
                   (unsigned long long)TRIAD_N_MAX);
        return CS_EINVAL;
    }
    /* The arguments first, then the machine: a bad --chunks is refused alike everywhere. */
    if (chunks > n) {
        cs_err_set(err, "--chunks %llu: n=%llu has only %llu elements to cut into items",
                   (unsigned long long)chunks, (unsigned long long)n, (unsigned long long)n);
        return CS_EINVAL;
    }
    char where[160];
    double need = 3.0 * 8.0 * (double)n, have = cs_memory_room(where, sizeof where);
    if (have > 0 && need > 0.8 * have) {
        cs_err_set(err, "--n %llu: three arrays of %llu doubles need %.2f GiB, more than 80%% "
                        "of %s",
                   (unsigned long long)n, (unsigned long long)n, need / (1 << 30), where);
        return CS_EINVAL;
    }
    cs_problem *p = malloc(sizeof *p);
    uint64_t items = chunks ? chunks : (n < TRIAD_DEFAULT_CHUNKS ? n : TRIAD_DEFAULT_CHUNKS);
    double **block = p ? calloc(items, sizeof *block) : NULL;
    uint8_t *written = block ? calloc(items, 1) : NULL;
    if (!written) {
        free(block);
        free(p);
        cs_err_set(err, "out of memory for %llu items", (unsigned long long)items);
        return CS_ENOMEM;
    }
    p->n = n;
    p->items = items;
    p->block = block;
    p->written = written;
    *out = p;
    return CS_OK;
}

static void triad_problem_free(cs_problem *p)
{
    if (!p)
        return;
    for (uint64_t i = 0; i < p->items; i++)
        free(p->block[i]);
    free(p->block);
    free(p->written);
    free(p);
}

static uint64_t triad_item_count(const cs_problem *p)
{
    return p->items;
}

static uint64_t item_start(const cs_problem *p, uint64_t item)
{
    return (uint64_t)((unsigned __int128)p->n * item / p->items);
}

static double b_value(uint64_t i)
{
    return (double)(i % B_PERIOD);
}

static double c_value(uint64_t i)
{
    return (double)(i % C_PERIOD);
}

/* Rounds a count of doubles up to whole cache lines, so each array is aligned. */
static size_t padded(uint64_t len)
{
    return (size_t)((len + ALIGN / 8 - 1) / (ALIGN / 8) * (ALIGN / 8));
}

static int triad_item_prepare(cs_problem *p, uint64_t item, cs_err *err)
{
    if (p->block[item])
        return CS_OK;
    uint64_t lo = item_start(p, item), len = item_start(p, item + 1) - lo;
    size_t stride = padded(len);
    double *blk = aligned_alloc(ALIGN, 3 * stride * sizeof *blk);
    if (!blk) {
        cs_err_set(err, "out of memory for item %llu's %llu elements", (unsigned long long)item,
                   (unsigned long long)len);
        return CS_ENOMEM;
    }
    double *a = blk, *b = blk + stride, *c = blk + 2 * stride;
    for (uint64_t i = 0; i < len; i++) {
        a[i] = 0.0;
        b[i] = b_value(lo + i);
        c[i] = c_value(lo + i);
    }
    p->block[item] = blk;
    return CS_OK;
}

static int triad_item_run(cs_problem *p, uint64_t item, cs_partial **out, cs_err *err)
{
    int rc = triad_item_prepare(p, item, err);
    if (rc != CS_OK)
        return rc;
    uint64_t len = item_start(p, item + 1) - item_start(p, item);
    size_t stride = padded(len);
    double *restrict a = p->block[item];
    const double *restrict b = a + stride, *restrict c = a + 2 * stride;
    /* Four sums keep the additions off the critical path; the values are
     * integers, so the grouping cannot change the total. */
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    uint64_t i = 0;
    for (; i + 4 <= len; i += 4) {
        double v0 = b[i] + TRIAD_SCALAR * c[i], v1 = b[i + 1] + TRIAD_SCALAR * c[i + 1];
        double v2 = b[i + 2] + TRIAD_SCALAR * c[i + 2], v3 = b[i + 3] + TRIAD_SCALAR * c[i + 3];
        a[i] = v0;
        a[i + 1] = v1;
        a[i + 2] = v2;
        a[i + 3] = v3;
        s0 += v0;
        s1 += v1;
        s2 += v2;
        s3 += v3;
    }
    for (; i < len; i++) {
        a[i] = b[i] + TRIAD_SCALAR * c[i];
        s0 += a[i];
    }
    cs_partial *x = malloc(sizeof *x);
    if (!x) {
        cs_err_set(err, "out of memory for an item's partial");
        return CS_ENOMEM;
    }
    x->sum = (s0 + s1) + (s2 + s3);
    p->written[item] = 1;
    *out = x;
    return CS_OK;
}

static int triad_combine(const cs_problem *p, cs_partial *left, cs_partial *right,
                         cs_partial **out, cs_err *err)
{
    (void)p;
    (void)err;
    left->sum += right->sum;
    free(right);
    *out = left;
    return CS_OK;
}

static void triad_partial_free(cs_partial *x)
{
    free(x);
}

static int triad_pack(const cs_problem *p, const cs_partial *x, uint8_t **buf, size_t *len,
                      cs_err *err)
{
    (void)p;
    return cs_word_pack(cs_word_of_double(x->sum), buf, len, err);
}

static int triad_unpack(const cs_problem *p, const uint8_t *buf, size_t len, cs_partial **out,
                        cs_err *err)
{
    uint64_t word;
    int rc = cs_word_unpack(buf, len, "triad", &word, err);
    if (rc != CS_OK)
        return rc;
    double sum = cs_double_of_word(word);
    double most = (double)p->n * (B_PERIOD - 1 + TRIAD_SCALAR * (C_PERIOD - 1));
    if (!(sum >= 0.0 && sum <= most)) {
        cs_err_set(err, "a packed triad partial holds %g, outside [0, %g]", sum, most);
        return CS_ECORRUPT;
    }
    cs_partial *x = malloc(sizeof *x);
    if (!x) {
        cs_err_set(err, "out of memory unpacking a partial");
        return CS_ENOMEM;
    }
    x->sum = sum;
    *out = x;
    return CS_OK;
}

/* sum over i < n of (i mod period), in whole periods and a remainder. */
static uint64_t sum_of_residues(uint64_t n, uint64_t period)
{
    uint64_t whole = n / period, rest = n % period;
    return whole * (period * (period - 1) / 2) + rest * (rest - 1) / 2;
}

static uint64_t expected_total(uint64_t n)
{
    return sum_of_residues(n, B_PERIOD) + 3 * sum_of_residues(n, C_PERIOD);
}

/* Every element this process has written against its replayed value. */
static int replay_elements(const cs_problem *p, cs_err *err)
{
    for (uint64_t item = 0; item < p->items; item++) {
        const double *a = p->block[item];
        if (!p->written[item])
            continue;
        uint64_t lo = item_start(p, item), len = item_start(p, item + 1) - lo;
        for (uint64_t i = 0; i < len; i++) {
            double want = b_value(lo + i) + TRIAD_SCALAR * c_value(lo + i);
            if (a[i] != want) {
                cs_err_set(err, "verification failed: a[%llu] is %.17g, the replay gives %.17g",
                           (unsigned long long)(lo + i), a[i], want);
                return CS_EVERIFY;
            }
        }
    }
    return CS_OK;
}

static int triad_verify(cs_problem *p, const cs_partial *result, cs_err *err)
{
    uint64_t want = expected_total(p->n);
    if (result->sum != (double)want) {
        cs_err_set(err, "verification failed: n=%llu, the elements of a sum to %.17g, the "
                        "replay gives %llu",
                   (unsigned long long)p->n, result->sum, (unsigned long long)want);
        return CS_EVERIFY;
    }
    return replay_elements(p, err);
}

static int triad_describe(cs_problem *p, const cs_partial *result, cs_digest *d, cs_err *err)
{
    (void)err;
    snprintf(d->digest, sizeof d->digest, "n=%llu;sum_a=%.17g", (unsigned long long)p->n,
             result->sum);
    snprintf(d->summary, sizeof d->summary, "%.0f MB, sum(a) %.6g", 24.0 * (double)p->n / 1e6,
             result->sum);
    return CS_OK;
}

static int triad_write_value(cs_problem *p, const cs_partial *result, FILE *f, cs_err *err)
{
    (void)p;
    if (fprintf(f, "%.17g", result->sum) < 0) {
        cs_err_set(err, "writing the value failed");
        return CS_EINVAL;
    }
    return CS_OK;
}

/* Each of a, b and c: n doubles. */
static double triad_array_bytes(uint64_t n)
{
    return 8.0 * (double)n;
}

/* STREAM's count: a is written, b and c are read, eight bytes each. */
static double triad_bytes_moved(const cs_problem *p)
{
    return 24.0 * (double)p->n;
}

const cs_kernel cs_kernel_triad = {
    .name = "triad",
    .what = "STREAM triad a = b + s*c (memory bandwidth, GB/s)",
    .n_meaning = "elements per array (24 bytes each)",
    .class_sizes = {"1000000", "20000000", "50000000", "200000000", "800000000"},
    .class_c_cost = "19.2 GB of memory (three arrays of 8e8 doubles), refused up front where that "
                    "is over 80% of the machine's; setting up and checking them takes seconds",
    .n_min = 1,
    .n_max = TRIAD_N_MAX,
    .default_chunks = TRIAD_DEFAULT_CHUNKS,
    .problem_new = triad_problem_new,
    .problem_free = triad_problem_free,
    .item_count = triad_item_count,
    .item_prepare = triad_item_prepare,
    .item_run = triad_item_run,
    .combine = triad_combine,
    .partial_free = triad_partial_free,
    .pack = triad_pack,
    .unpack = triad_unpack,
    .verify = triad_verify,
    .describe = triad_describe,
    .write_value = triad_write_value,
    .bytes_moved = triad_bytes_moved,
    .array_bytes = triad_array_bytes,
};
