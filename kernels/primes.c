/* The primes kernel: count the primes up to N by trial division, item by item. */
#include <stdlib.h>
#include <string.h>

#include "kernel.h"
#include "word.h"

/*
 * The numbers 1..N are cut into C contiguous items; item c tests
 * [1 + c*N/C, 1 + (c+1)*N/C). Trial division costs about sqrt(v) for a prime
 * v, so items further up cost more: static blocks leave the early workers
 * idle, dynamic hand-out does not. Partials are counts, combined by addition.
 *
 * Verification: a segmented sieve of Eratosthenes counts the same primes by
 * another path, and where N is in the table of known values, that value too.
 */

#define PRIMES_DEFAULT_CHUNKS 1024
#define PRIMES_N_MAX 4294967295ULL /* 32-bit division in the inner loop */

struct cs_problem {
    uint64_t n, items;
};

struct cs_partial {
    uint64_t count;
};

/* Known values of pi(N), from the published tables. */
static const struct {
    uint64_t n, count;
} known_counts[] = {
    {10, 4},           {100, 25},           {1000, 168},          {10000, 1229},
    {100000, 9592},    {1000000, 78498},    {2000000, 148933},    {5000000, 348513},
    {10000000, 664579}, {20000000, 1270607}, {50000000, 3001134},
    {100000000, 5761455}, {1000000000, 50847534},
    {1ULL << 10, 172}, {1ULL << 16, 6542},  {1ULL << 20, 82025},  {1ULL << 24, 1077871},
    {1ULL << 27, 7603553}, {1ULL << 30, 54400028}, {4294967295ULL, 203280221},
};
#define KNOWN_COUNT (sizeof known_counts / sizeof known_counts[0])

static int primes_problem_new(uint64_t n, uint64_t chunks, cs_problem **out, cs_err *err)
{
    if (n < 1 || n > PRIMES_N_MAX) {
        cs_err_set(err, "--n %llu: primes counts up to N with 1 <= N <= %llu",
                   (unsigned long long)n, PRIMES_N_MAX);
        return CS_EINVAL;
    }
    if (chunks > n) {
        cs_err_set(err, "--chunks %llu: n=%llu has only %llu numbers to cut into items",
                   (unsigned long long)chunks, (unsigned long long)n, (unsigned long long)n);
        return CS_EINVAL;
    }
    cs_problem *p = malloc(sizeof *p);
    if (!p) {
        cs_err_set(err, "out of memory");
        return CS_ENOMEM;
    }
    p->n = n;
    p->items = chunks ? chunks : (n < PRIMES_DEFAULT_CHUNKS ? n : PRIMES_DEFAULT_CHUNKS);
    *out = p;
    return CS_OK;
}

static void primes_problem_free(cs_problem *p)
{
    free(p);
}

static uint64_t primes_item_count(const cs_problem *p)
{
    return p->items;
}

static uint64_t item_start(const cs_problem *p, uint64_t item)
{
    return 1 + p->n * item / p->items; /* n <= 2^32 and item <= n: no overflow */
}

/* Trial division by 2, 3 and then 6k +- 1 up to sqrt(v). */
static int is_prime(uint32_t v)
{
    if (v < 4)
        return v >= 2;
    if (v % 2 == 0 || v % 3 == 0)
        return 0;
    for (uint32_t d = 5; (uint64_t)d * d <= v; d += 6)
        if (v % d == 0 || v % (d + 2) == 0)
            return 0;
    return 1;
}

static cs_partial *partial_new(uint64_t count)
{
    cs_partial *x = malloc(sizeof *x);
    if (x)
        x->count = count;
    return x;
}

static int primes_item_run(cs_problem *p, uint64_t item, cs_partial **out, cs_err *err)
{
    uint64_t lo = item_start(p, item), hi = item_start(p, item + 1), count = 0;
    for (uint64_t v = lo; v < hi; v++)
        count += (uint64_t)is_prime((uint32_t)v);
    if (!(*out = partial_new(count))) {
        cs_err_set(err, "out of memory for an item's partial");
        return CS_ENOMEM;
    }
    return CS_OK;
}

static int primes_combine(const cs_problem *p, cs_partial *left, cs_partial *right,
                          cs_partial **out, cs_err *err)
{
    (void)p;
    (void)err;
    left->count += right->count;
    free(right);
    *out = left;
    return CS_OK;
}

static void primes_partial_free(cs_partial *x)
{
    free(x);
}

static int primes_pack(const cs_problem *p, const cs_partial *x, uint8_t **buf, size_t *len,
                       cs_err *err)
{
    (void)p;
    return cs_word_pack(x->count, buf, len, err);
}

static int primes_unpack(const cs_problem *p, const uint8_t *buf, size_t len, cs_partial **out,
                         cs_err *err)
{
    uint64_t count;
    int rc = cs_word_unpack(buf, len, "primes", &count, err);
    if (rc != CS_OK)
        return rc;
    if (count > p->n) {
        cs_err_set(err, "a packed primes partial counts %llu primes, more than N=%llu",
                   (unsigned long long)count, (unsigned long long)p->n);
        return CS_ECORRUPT;
    }
    if (!(*out = partial_new(count))) {
        cs_err_set(err, "out of memory unpacking a partial");
        return CS_ENOMEM;
    }
    return CS_OK;
}

/* Primes up to n by a sieve over odd numbers in segments of SEGMENT odds, so
 * memory stays near sqrt(n) whatever n is. Returns UINT64_MAX when out of memory. */
#define SEGMENT (1u << 18)
static uint64_t sieve_count(uint64_t n)
{
    if (n < 2)
        return 0;
    uint64_t root = 1;
    while ((root + 1) * (root + 1) <= n)
        root++;
    /* Odd base primes up to root, by a plain sieve: base[k] stands for 2k+1. */
    uint8_t *base = calloc(root / 2 + 1, 1);
    uint8_t *seg = malloc(SEGMENT);
    uint32_t *odd_primes = malloc((root / 2 + 1) * sizeof *odd_primes);
    uint64_t count = UINT64_MAX;
    if (!base || !seg || !odd_primes)
        goto out;
    size_t nprimes = 0;
    for (uint64_t k = 1; 2 * k + 1 <= root; k++) {
        if (base[k])
            continue;
        uint64_t q = 2 * k + 1;
        odd_primes[nprimes++] = (uint32_t)q;
        for (uint64_t m = q * q; m <= root; m += 2 * q)
            base[m / 2] = 1;
    }
    count = 1; /* the prime 2 */
    /* Segment s covers the odd numbers 2j+1 for j in [lo, lo + SEGMENT). */
    uint64_t last_j = (n - 1) / 2; /* largest odd <= n is 2*last_j + 1 */
    for (uint64_t lo = 0; lo <= last_j; lo += SEGMENT) {
        uint64_t len = last_j - lo + 1 < SEGMENT ? last_j - lo + 1 : SEGMENT;
        memset(seg, 0, len);
        if (lo == 0)
            seg[0] = 1; /* 1 is not prime */
        for (size_t i = 0; i < nprimes; i++) {
            uint64_t q = odd_primes[i], start = q * q;
            uint64_t first_odd = 2 * lo + 1;
            if (start < first_odd)
                start = first_odd + ((q - first_odd % q) % q);
            if (start % 2 == 0)
                start += q;
            for (uint64_t m = start; (m - 1) / 2 < lo + len; m += 2 * q)
                seg[(m - 1) / 2 - lo] = 1;
        }
        for (uint64_t j = 0; j < len; j++)
            count += !seg[j];
    }
out:
    free(base);
    free(seg);
    free(odd_primes);
    return count;
}

static int primes_verify(cs_problem *p, const cs_partial *result, cs_err *err)
{
    for (size_t i = 0; i < KNOWN_COUNT; i++)
        if (known_counts[i].n == p->n && known_counts[i].count != result->count) {
            cs_err_set(err, "verification failed: %llu primes up to %llu, the tables say %llu",
                       (unsigned long long)result->count, (unsigned long long)p->n,
                       (unsigned long long)known_counts[i].count);
            return CS_EVERIFY;
        }
    uint64_t sieved = sieve_count(p->n);
    if (sieved == UINT64_MAX) {
        cs_err_set(err, "out of memory for the verifying sieve");
        return CS_ENOMEM;
    }
    if (sieved != result->count) {
        cs_err_set(err, "verification failed: %llu primes up to %llu, a sieve finds %llu",
                   (unsigned long long)result->count, (unsigned long long)p->n,
                   (unsigned long long)sieved);
        return CS_EVERIFY;
    }
    return CS_OK;
}

static int primes_describe(cs_problem *p, const cs_partial *result, cs_digest *d, cs_err *err)
{
    (void)err;
    snprintf(d->digest, sizeof d->digest, "pi(%llu)=%llu", (unsigned long long)p->n,
             (unsigned long long)result->count);
    snprintf(d->summary, sizeof d->summary, "%llu primes", (unsigned long long)result->count);
    return CS_OK;
}

static int primes_write_value(cs_problem *p, const cs_partial *result, FILE *f, cs_err *err)
{
    (void)p;
    if (fprintf(f, "%llu", (unsigned long long)result->count) < 0) {
        cs_err_set(err, "writing the value failed");
        return CS_EINVAL;
    }
    return CS_OK;
}

/* For tests: the sieve and the table, without a problem. */
uint64_t cs_primes_sieve_count(uint64_t n);
uint64_t cs_primes_sieve_count(uint64_t n)
{
    return sieve_count(n);
}

const cs_kernel cs_kernel_primes = {
    .name = "primes",
    .what = "the count of primes up to N by trial division",
    .n_meaning = "upper bound N",
    /* C = 2^27: trial division costs about N^1.5 / ln N, 4.2x B's; pi(2^27) is tabled. */
    .class_sizes = {"100000", "2000000", "10000000", "50000000", "134217728"},
    .class_c_cost = "about 4x B's divisions: near a minute on one Xeon core (A, 1e7, took 1.3 s); "
                    "a few MB for the verifying sieve",
    .n_min = 1,
    .n_max = PRIMES_N_MAX,
    .default_chunks = PRIMES_DEFAULT_CHUNKS,
    .problem_new = primes_problem_new,
    .problem_free = primes_problem_free,
    .item_count = primes_item_count,
    .item_run = primes_item_run,
    .combine = primes_combine,
    .partial_free = primes_partial_free,
    .pack = primes_pack,
    .unpack = primes_unpack,
    .verify = primes_verify,
    .describe = primes_describe,
    .write_value = primes_write_value,
};
