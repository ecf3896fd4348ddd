/* The pi kernel: midpoint integration of 4/(1+x^2) over [0,1], a sum of doubles. */
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "kernel.h"
#include "word.h"

/*
 * n intervals of width h = 1/n; interval i contributes f((i + 1/2) h). Item c
 * of C sums intervals [c*n/C, (c+1)*n/C) in index order into one double; the
 * result is h times the tree-combined sum. Floating-point addition is not
 * associative, so the sum is reproducible only because the items and the tree
 * are fixed by n and C: any driver that follows cs_tree_mid gets the same bits.
 *
 * Verification is the error bound of the midpoint rule plus rounding:
 *   truncation  |E| <= h^2 max|f''| / 24 = h^2 / 3   (f'' rises from -8 at
 *               x = 0 to 2 at x = 1, so max |f''| = 8)
 *   rounding    each term is within 5u of f(x_i) (x_i carries 2u, and
 *               |x f'/f| <= 1), a sequential sum of L terms adds L-1 more
 *               roundings, each tree level one, the final product h*S two
 *               (h's own and the product's), and M_PI is pi to within 2u;
 *               every term is positive, so with k = L + depth + 8 the whole
 *               is within gamma_k = k u / (1 - k u) of h*sum|t| <= 4.
 * gamma_k, not k u, keeps it a bound even for one item of 2^50 intervals. A
 * missing or doubled item moves the result by about pi/C, far outside it.
 */

#define PI_DEFAULT_CHUNKS 1024
#define PI_N_MAX (1ULL << 50) /* (double)i stays exact, and no one waits that long */

struct cs_problem {
    uint64_t n, items;
    double h;
};

struct cs_partial {
    double sum;
};

static int pi_problem_new(uint64_t n, uint64_t chunks, cs_problem **out, cs_err *err)
{
    if (n < 1 || n > PI_N_MAX) {
        cs_err_set(err, "--n %llu: pi needs 1 <= n <= %llu intervals", (unsigned long long)n,
                   (unsigned long long)PI_N_MAX);
        return CS_EINVAL;
    }
    if (chunks > n) {
        cs_err_set(err, "--chunks %llu: n=%llu has only %llu intervals to cut into items",
                   (unsigned long long)chunks, (unsigned long long)n, (unsigned long long)n);
        return CS_EINVAL;
    }
    cs_problem *p = malloc(sizeof *p);
    if (!p) {
        cs_err_set(err, "out of memory");
        return CS_ENOMEM;
    }
    p->n = n;
    p->items = chunks ? chunks : (n < PI_DEFAULT_CHUNKS ? n : PI_DEFAULT_CHUNKS);
    p->h = 1.0 / (double)n;
    *out = p;
    return CS_OK;
}

static void pi_problem_free(cs_problem *p)
{
    free(p);
}

static uint64_t pi_item_count(const cs_problem *p)
{
    return p->items;
}

static uint64_t item_start(const cs_problem *p, uint64_t item)
{
    return (uint64_t)((unsigned __int128)p->n * item / p->items);
}

static cs_partial *partial_new(double sum)
{
    cs_partial *x = malloc(sizeof *x);
    if (x)
        x->sum = sum;
    return x;
}

static int pi_item_run(cs_problem *p, uint64_t item, cs_partial **out, cs_err *err)
{
    uint64_t lo = item_start(p, item), hi = item_start(p, item + 1);
    double h = p->h, sum = 0.0;
    for (uint64_t i = lo; i < hi; i++) {
        double x = ((double)i + 0.5) * h;
        sum += 4.0 / (1.0 + x * x);
    }
    if (!(*out = partial_new(sum))) {
        cs_err_set(err, "out of memory for an item's partial");
        return CS_ENOMEM;
    }
    return CS_OK;
}

static int pi_combine(const cs_problem *p, cs_partial *left, cs_partial *right, cs_partial **out,
                      cs_err *err)
{
    (void)p;
    (void)err;
    left->sum += right->sum;
    free(right);
    *out = left;
    return CS_OK;
}

static void pi_partial_free(cs_partial *x)
{
    free(x);
}

static int pi_pack(const cs_problem *p, const cs_partial *x, uint8_t **buf, size_t *len,
                   cs_err *err)
{
    (void)p;
    return cs_word_pack(cs_word_of_double(x->sum), buf, len, err);
}

static int pi_unpack(const cs_problem *p, const uint8_t *buf, size_t len, cs_partial **out,
                     cs_err *err)
{
    (void)p;
    uint64_t word;
    int rc = cs_word_unpack(buf, len, "pi", &word, err);
    if (rc != CS_OK)
        return rc;
    double sum = cs_double_of_word(word);
    /* Every term is in [2, 4], so a partial is a finite non-negative sum. */
    if (!isfinite(sum) || sum < 0.0) {
        cs_err_set(err, "a packed pi partial holds %g, not a sum of positive terms", sum);
        return CS_ECORRUPT;
    }
    if (!(*out = partial_new(sum))) {
        cs_err_set(err, "out of memory unpacking a partial");
        return CS_ENOMEM;
    }
    return CS_OK;
}

/* The most the result may differ from pi (see the top of the file). */
static double error_bound(const cs_problem *p)
{
    uint64_t longest = (p->n + p->items - 1) / p->items; /* items hold n/C, rounded down or up */
    double u = DBL_EPSILON / 2, ku = ((double)longest + cs_tree_depth(p->items) + 8.0) * u;
    return p->h * p->h / 3.0 + 4.0 * ku / (1.0 - ku);
}

static double pi_value(const cs_problem *p, const cs_partial *x)
{
    return p->h * x->sum;
}

static int pi_verify(cs_problem *p, const cs_partial *result, cs_err *err)
{
    double got = pi_value(p, result), bound = error_bound(p), off = fabs(got - M_PI);
    if (!(off <= bound)) {
        cs_err_set(err, "verification failed: n=%llu gives %.17g, %.3g from pi, beyond the "
                        "error bound %.3g",
                   (unsigned long long)p->n, got, off, bound);
        return CS_EVERIFY;
    }
    return CS_OK;
}

static int pi_describe(cs_problem *p, const cs_partial *result, cs_digest *d, cs_err *err)
{
    (void)err;
    double got = pi_value(p, result);
    snprintf(d->digest, sizeof d->digest, "pi=%.17g;sum_bits=%016llx", got,
             (unsigned long long)cs_word_of_double(result->sum));
    snprintf(d->summary, sizeof d->summary, "%.15f err %.1e", got, fabs(got - M_PI));
    return CS_OK;
}

static int pi_write_value(cs_problem *p, const cs_partial *result, FILE *f, cs_err *err)
{
    if (fprintf(f, "%.17g", pi_value(p, result)) < 0) {
        cs_err_set(err, "writing the value failed");
        return CS_EINVAL;
    }
    return CS_OK;
}

const cs_kernel cs_kernel_pi = {
    .name = "pi",
    .what = "pi by midpoint integration of 4/(1+x^2) on [0,1]",
    .n_meaning = "number of intervals",
    .class_sizes = {"1000000", "100000000", "1000000000", "4000000000", "16000000000"},
    .class_c_cost = "4x B's intervals: about 24 s on one Xeon core (A, 1e9, took 1.5 s); "
                    "no memory to speak of",
    .n_min = 1,
    .n_max = PI_N_MAX,
    .default_chunks = PI_DEFAULT_CHUNKS,
    .problem_new = pi_problem_new,
    .problem_free = pi_problem_free,
    .item_count = pi_item_count,
    .item_run = pi_item_run,
    .combine = pi_combine,
    .partial_free = pi_partial_free,
    .pack = pi_pack,
    .unpack = pi_unpack,
    .verify = pi_verify,
    .describe = pi_describe,
    .write_value = pi_write_value,
};
