/* product_vs_gmp: the product kernel beside GMP doing the same loop, alternately in one run. */
#include <gmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "clock.h"
#include "kernel.h"
#include "message.h"
#include "options.h"
#include "tree.h"

/*
 * Two comparisons per n, each repeated and alternated (ours, GMP, ours, ...)
 * so that a noisy neighbour hurts both alike:
 *  - chunks 1: corescale's single accumulator against GMP's classic loop,
 *    mpz_mul_ui once per factor (goal: at most 0.4x GMP's time);
 *  - the kernel's default chunks: the same items and the same fixed tree,
 *    GMP with mpz_mul_ui per factor into each item and mpz_mul up the tree
 *    (goal: at most 1.0x GMP's time).
 * Both sides' results are compared limb for limb, so the race is fair.
 */

static int fail(const char *what, const cs_err *err)
{
    cs_error("%s: %s", what, err->msg);
    return 1;
}

/* corescale: every item, then the fixed tree, on this thread. */
static int ours(const cs_kernel *k, cs_problem *p, cs_partial **result, cs_err *err)
{
    uint64_t items = k->item_count(p);
    cs_partial **leaves = calloc(items, sizeof *leaves);
    if (!leaves)
        return CS_ENOMEM;
    int rc = CS_OK;
    for (uint64_t i = 0; i < items && rc == CS_OK; i++)
        rc = k->item_run(p, i, &leaves[i], err);
    if (rc == CS_OK)
        rc = cs_tree_combine(k, p, leaves, 0, items, result, err);
    else
        cs_tree_free_leaves(k, leaves, items);
    free(leaves);
    return rc;
}

/* GMP: items cut exactly as product.c cuts them, one factor per mpz_mul_ui. */
static void gmp_item(mpz_t acc, uint64_t m, uint64_t t, uint64_t end)
{
    uint64_t i = t / (m * m) + 1, j = t / m % m + 1, k = t % m + 1;
    mpz_set_ui(acc, 1);
    for (; t < end; t++) {
        mpz_mul_ui(acc, acc, i * j * k);
        if (++k > m) {
            k = 1;
            if (++j > m) {
                j = 1;
                i++;
            }
        }
    }
}

static void gmp_tree(mpz_t *leaves, uint64_t lo, uint64_t hi)
{
    if (hi - lo == 1)
        return;
    uint64_t mid = cs_tree_mid(lo, hi);
    gmp_tree(leaves, lo, mid);
    gmp_tree(leaves, mid, hi);
    mpz_mul(leaves[lo], leaves[lo], leaves[mid]);
}

static void theirs(uint64_t n, uint64_t items, mpz_t result)
{
    uint64_t m = n - 1, space = m * m * m;
    mpz_t *leaves = malloc(items * sizeof *leaves);
    for (uint64_t c = 0; c < items; c++) {
        mpz_init(leaves[c]);
        uint64_t a = (uint64_t)((unsigned __int128)space * c / items);
        uint64_t b = (uint64_t)((unsigned __int128)space * (c + 1) / items);
        gmp_item(leaves[c], m, a, b);
    }
    gmp_tree(leaves, 0, items);
    mpz_swap(result, leaves[0]);
    for (uint64_t c = 0; c < items; c++)
        mpz_clear(leaves[c]);
    free(leaves);
}

static int same_value(const cs_kernel *k, cs_problem *p, const cs_partial *x, const mpz_t y)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    cs_err err;
    if (k->pack(p, x, &buf, &len, &err) != CS_OK)
        return 0;
    /* Packed: an 8-byte limb count, then little-endian limbs, as GMP's on x86-64. */
    size_t limbs = mpz_size(y);
    int same = len == 8 + 8 * limbs && memcmp(buf + 8, mpz_limbs_read(y), 8 * limbs) == 0;
    free(buf);
    return same;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

struct race {
    double ours_s[64], gmp_s[64];
};

/* Median seconds per comparison, summed over every n: the workload as a whole. */
struct totals {
    double ours[2], gmp[2];
};

static int race(const cs_kernel *k, uint64_t n, uint64_t chunks, unsigned repeat, double goal,
                const char *label, double *ours_total, double *gmp_total)
{
    cs_err err = {{0}};
    cs_problem *p = NULL;
    if (k->problem_new(n, chunks, &p, &err) != CS_OK)
        return fail("problem", &err);
    uint64_t items = k->item_count(p);
    struct race r;
    int ok = 1;
    for (unsigned rep = 0; rep <= repeat; rep++) { /* rep 0 warms up */
        cs_partial *x = NULL;
        double t0 = cs_clock_now();
        if (ours(k, p, &x, &err) != CS_OK)
            return fail("corescale", &err);
        double t1 = cs_clock_now();
        mpz_t y;
        mpz_init(y);
        theirs(n, items, y);
        double t2 = cs_clock_now();
        ok &= same_value(k, p, x, y);
        mpz_clear(y);
        k->partial_free(x);
        if (rep > 0) {
            r.ours_s[rep - 1] = t1 - t0;
            r.gmp_s[rep - 1] = t2 - t1;
        }
    }
    k->problem_free(p);
    qsort(r.ours_s, repeat, sizeof(double), cmp_double);
    qsort(r.gmp_s, repeat, sizeof(double), cmp_double);
    double ours_med = r.ours_s[repeat / 2], gmp_med = r.gmp_s[repeat / 2];
    double ratio = ours_med / gmp_med;
    *ours_total += ours_med;
    *gmp_total += gmp_med;
    printf("  %-5llu %-28s %7llu %12.4f %12.4f %8.2fx %6.2fx %-5s %s\n", (unsigned long long)n,
           label, (unsigned long long)items, ours_med, gmp_med, ratio, goal,
           ratio <= goal ? "met" : "MISSED", ok ? "same" : "DIFFERENT");
    return ok ? 0 : 1;
}

/* [N_LIST [REPEAT]] and --help: 0 to run, 1 help printed, -1 after a message. */
static int parse_args(int argc, char **argv, uint64_t **n, size_t *count, uint64_t *repeat)
{
    static const cs_arg_option table[] = {{"help", 0, 0}};
    cs_args a;
    cs_args_init(&a, argc, argv, table, 1);
    const char *v, *pos[3] = {NULL, NULL, NULL};
    int id, given = 0, help = 0;
    while ((id = cs_args_next(&a, &v)) != CS_ARGS_END) {
        if (id == CS_ARGS_ERROR)
            return -1;
        if (id == 0) {
            help = 1;
            continue;
        }
        if (given == 2) {
            cs_error("unexpected argument '%s': at most N_LIST REPEAT (see --help)", cs_show(v));
            return -1;
        }
        pos[given++] = v;
    }
    if (help) {
        printf("Usage: product_vs_gmp [N_LIST [REPEAT]]\n"
               "The product kernel on one thread against GMP, alternated; sizes N_LIST\n"
               "(comma-separated, 2 to 1000, default 50,63,32), REPEAT timed runs each\n"
               "(1 to 64, default 3). Exit 0 done, 1 a value differed, 2 bad arguments.\n");
        return 1;
    }
    if (cs_parse_u64_list("N_LIST", pos[0] ? pos[0] : "50,63,32", 2, 1000, n, count) != 0)
        return -1;
    if (pos[1] && cs_parse_u64("REPEAT", pos[1], 1, 64, repeat) != 0) {
        free(*n);
        *n = NULL;
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    cs_message_init("product_vs_gmp");
    uint64_t *n = NULL, repeat = 3;
    size_t count = 0;
    int parsed = parse_args(argc, argv, &n, &count, &repeat);
    if (parsed != 0)
        return parsed > 0 ? CS_EXIT_OK : CS_EXIT_USAGE;
    const cs_kernel *k = cs_kernel_find("product");
    /* Every size is checked before the header: a size this machine cannot hold is a bad
     * argument, said once, not a run that fails after printing. */
    for (size_t i = 0; i < count; i++) {
        cs_err err = {{0}};
        cs_problem *p = NULL;
        if (k->problem_new(n[i], 0, &p, &err) != CS_OK) {
            cs_error("N_LIST: %s", err.msg);
            free(n);
            return CS_EXIT_USAGE;
        }
        k->problem_free(p);
    }
    printf("# product_vs_gmp: corescale's product kernel (one thread) against GMP %s,\n"
           "# alternated in one run; median of %u after a warm-up; goal = most time vs GMP\n",
           gmp_version, (unsigned)repeat);
    printf("# %-5s %-28s %7s %12s %12s %9s %7s %-5s %s\n", "n", "comparison", "items",
           "corescale_s", "gmp_s", "ratio", "goal", "", "values");
    int bad = 0;
    struct totals t = {{0, 0}, {0, 0}};
    static const char *const labels[] = {"chunks 1 vs mpz_mul_ui loop", "default chunks, same tree"};
    static const double goals[] = {0.4, 1.0};
    for (size_t i = 0; i < count; i++) {
        bad |= race(k, n[i], 1, (unsigned)repeat, goals[0], labels[0], &t.ours[0], &t.gmp[0]);
        bad |= race(k, n[i], 0, (unsigned)repeat, goals[1], labels[1], &t.ours[1], &t.gmp[1]);
    }
    for (int c = 0; c < 2; c++) {
        double ratio = t.ours[c] / t.gmp[c];
        printf("  %-5s %-28s %7s %12.4f %12.4f %8.2fx %6.2fx %-5s\n", "all", labels[c], "",
               t.ours[c], t.gmp[c], ratio, goals[c], ratio <= goals[c] ? "met" : "MISSED");
    }
    free(n);
    return bad;
}
