/* bignum_vs_gmp: corescale's bignum beside GMP on the operations the product kernel leans on. */
#include <gmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bignum.h"
#include "build_info.h"
#include "args.h"
#include "clock.h"
#include "message.h"
#include "operands.h"

/*
 * Each comparison runs both sides alternately (ours, GMP, ours, ...) on the
 * same operands until each side has had MIN_SECONDS, and reports each side's
 * best time: a noisy neighbour on the shared machine slows both alike, and
 * the best repetition is the one least disturbed. Results are compared limb
 * for limb first, so the race is between equal answers.
 */
#define MIN_SECONDS 0.3
#define MIN_REPS 3

typedef struct operands {
    bignum a, b, r;
    mpz_t ga, gb, gr;
    int shape; /* the word loops' shape (enum word_shape) */
} operands;

static void to_mpz(mpz_t z, const bignum *x)
{
    mpz_import(z, x->size, -1, sizeof(bn_limb), 0, 0, x->limbs);
}

static int same(const bignum *x, const mpz_t z)
{
    mpz_t t;
    mpz_init(t);
    to_mpz(t, x);
    int eq = mpz_cmp(t, z) == 0;
    mpz_clear(t);
    return eq;
}

/* The best seconds per call of ours() and theirs(), alternated. */
typedef void (*bench_fn)(operands *op);
static void race(bench_fn ours, bench_fn theirs, operands *op, double *best_ours,
                 double *best_theirs)
{
    double spent_ours = 0, spent_theirs = 0;
    *best_ours = *best_theirs = 1e30;
    for (int rep = 0; rep < MIN_REPS || spent_ours < MIN_SECONDS || spent_theirs < MIN_SECONDS;
         rep++) {
        double t0 = cs_clock_now();
        ours(op);
        double t1 = cs_clock_now();
        theirs(op);
        double t2 = cs_clock_now();
        spent_ours += t1 - t0;
        spent_theirs += t2 - t1;
        if (t1 - t0 < *best_ours)
            *best_ours = t1 - t0;
        if (t2 - t1 < *best_theirs)
            *best_theirs = t2 - t1;
    }
}

static void print_row(const char *what, const char *size, double ours, double theirs,
                      const char *unit, double scale)
{
    printf("%-10s %12s %14.3f %14.3f %8.2f  %s\n", what, size, ours * scale, theirs * scale,
           ours / theirs, unit);
    fflush(stdout);
}

/* ---- multiplication ------------------------------------------------------ */

static void mul_ours(operands *op) { bignum_mul(&op->r, &op->a, &op->b); }
static void mul_theirs(operands *op) { mpz_mul(op->gr, op->ga, op->gb); }

static int bench_mul(operands *op, size_t limbs, uint64_t *state)
{
    if (cs_bench_random_bignum(&op->a, limbs, state) ||
        cs_bench_random_bignum(&op->b, limbs, state))
        return 1;
    to_mpz(op->ga, &op->a);
    to_mpz(op->gb, &op->b);
    mul_ours(op);
    mul_theirs(op);
    if (!same(&op->r, op->gr)) {
        cs_error("mul of %zu limbs: bignum and GMP disagree", limbs);
        return 1;
    }
    double ours, theirs;
    race(mul_ours, mul_theirs, op, &ours, &theirs);
    char size[32];
    snprintf(size, sizeof size, "%zux%zu", limbs, limbs);
    print_row("mul", size, ours, theirs, "us per product", 1e6);
    return 0;
}

/* ---- multiply by a word, the product kernel's inner loop ----------------- */

/* Three shapes of one limb loop: into another array (mul_1), in place
 * (mul_1_self: the product kernel's item, x = x * word) and added in
 * (addmul_1: a schoolbook multiplication's row). Each call runs MUL1_WORDS
 * words over MUL1_LIMBS limbs. */
#define MUL1_LIMBS 10000
#define MUL1_WORDS 64
#define MUL1_WORD(w) (0x9e3779b97f4a7c15ULL + (w))

enum word_shape { WORD_MUL_1, WORD_MUL_1_SELF, WORD_ADDMUL_1 };

static void word_loop_ours(operands *op)
{
    bn_limb *r = op->r.limbs;
    const bn_limb *a = op->shape == WORD_MUL_1_SELF ? r : op->a.limbs;
    for (bn_limb w = 0; w < MUL1_WORDS; w++) {
        if (op->shape == WORD_ADDMUL_1)
            bn_addmul_1(r, a, MUL1_LIMBS, MUL1_WORD(w));
        else
            bn_mul_1(r, a, MUL1_LIMBS, MUL1_WORD(w));
    }
}

static void word_loop_theirs(operands *op)
{
    mp_limb_t *r = mpz_limbs_modify(op->gr, MUL1_LIMBS);
    const mp_limb_t *a = op->shape == WORD_MUL_1_SELF ? r : mpz_limbs_read(op->ga);
    for (bn_limb w = 0; w < MUL1_WORDS; w++) {
        if (op->shape == WORD_ADDMUL_1)
            mpn_addmul_1(r, a, MUL1_LIMBS, MUL1_WORD(w));
        else
            mpn_mul_1(r, a, MUL1_LIMBS, MUL1_WORD(w));
    }
    mpz_limbs_finish(op->gr, MUL1_LIMBS);
}

typedef struct word_loop {
    const char *name;
    enum word_shape shape;
} word_loop;

static const word_loop word_loops[] = {
    {"mul_1", WORD_MUL_1},
    {"mul_1_self", WORD_MUL_1_SELF},
    {"addmul_1", WORD_ADDMUL_1},
};

/* Both sides start from the same limbs (r = a), run one call, and must agree
 * limb for limb before they race. */
static int bench_word_loop(operands *op, const word_loop *loop, uint64_t *state)
{
    if (cs_bench_random_bignum(&op->a, MUL1_LIMBS, state) || bignum_reserve(&op->r, MUL1_LIMBS))
        return 1;
    to_mpz(op->ga, &op->a);
    memcpy(op->r.limbs, op->a.limbs, MUL1_LIMBS * sizeof *op->r.limbs);
    mp_limb_t *x = mpz_limbs_modify(op->gr, MUL1_LIMBS);
    memcpy(x, op->a.limbs, MUL1_LIMBS * sizeof *x);
    mpz_limbs_finish(op->gr, MUL1_LIMBS);
    op->shape = loop->shape;
    word_loop_ours(op);
    word_loop_theirs(op);
    x = mpz_limbs_modify(op->gr, MUL1_LIMBS);
    int same_limbs = memcmp(x, op->r.limbs, MUL1_LIMBS * sizeof *x) == 0;
    mpz_limbs_finish(op->gr, MUL1_LIMBS);
    if (!same_limbs) {
        cs_error("%s of %d limbs: bignum and GMP disagree", loop->name, MUL1_LIMBS);
        return 1;
    }
    double ours, theirs;
    race(word_loop_ours, word_loop_theirs, op, &ours, &theirs);
    char size[32];
    snprintf(size, sizeof size, "%dx1", MUL1_LIMBS);
    print_row(loop->name, size, ours, theirs, "ns per limb", 1e9 / (MUL1_LIMBS * MUL1_WORDS));
    return 0;
}

/* ---- decimal conversion -------------------------------------------------- */

#define DECIMAL_BITS 3300000

static char *decimal_ours, *decimal_theirs;
static size_t decimal_len;

static void decimal_free(void)
{
    if (decimal_ours)
        bignum_free_string(decimal_ours, decimal_len + 1);
    free(decimal_theirs);
    decimal_ours = decimal_theirs = NULL;
}

static void dec_ours(operands *op)
{
    decimal_free();
    if (bignum_to_decimal(&op->a, &decimal_ours, &decimal_len))
        decimal_ours = NULL;
}

static void dec_theirs(operands *op)
{
    free(decimal_theirs);
    decimal_theirs = mpz_get_str(NULL, 10, op->ga);
}

static int bench_decimal(operands *op, uint64_t *state)
{
    size_t limbs = (DECIMAL_BITS + 63) / 64;
    if (cs_bench_random_bignum(&op->a, limbs, state))
        return 1;
    to_mpz(op->ga, &op->a);
    dec_ours(op);
    dec_theirs(op);
    int ok = decimal_ours && strcmp(decimal_ours, decimal_theirs) == 0;
    if (!ok) {
        cs_error("decimal of %d bits: bignum and GMP disagree", DECIMAL_BITS);
        decimal_free();
        return 1;
    }
    double ours, theirs;
    race(dec_ours, dec_theirs, op, &ours, &theirs);
    decimal_free();
    char size[32];
    snprintf(size, sizeof size, "%d bits", DECIMAL_BITS);
    print_row("decimal", size, ours, theirs, "ms per conversion", 1e3);
    return 0;
}

int main(int argc, char **argv)
{
    cs_message_init("bignum_vs_gmp");
    static const cs_arg_option table[] = {{"help", 0, 0}};
    cs_args a;
    cs_args_init(&a, argc, argv, table, 1);
    const char *v;
    int id, help = 0;
    while ((id = cs_args_next(&a, &v)) != CS_ARGS_END) {
        if (id == CS_ARGS_POSITIONAL)
            cs_error("unexpected argument '%s': takes no arguments (see --help)", cs_show(v));
        if (id < 0)
            return CS_EXIT_USAGE;
        help = 1;
    }
    if (help) {
        printf("Usage: bignum_vs_gmp\nThe bignum module's multiplication and decimal conversion "
               "beside GMP's, best of alternated runs.\nExit 0 done, 1 a value differed, 2 bad "
               "arguments.\n");
        return CS_EXIT_OK;
    }
    printf("# bignum_vs_gmp: corescale bignum beside GMP %s, best of alternated runs\n",
           gmp_version);
    printf("# corescale %s (%s), %s, %s\n", CS_VERSION, CS_REVISION, CS_COMPILER,
           CS_FLAGS);
    printf("# %-8s %12s %14s %14s %8s  %s\n", "op", "size", "bignum", "gmp", "ratio", "unit");

    static const size_t mul_sizes[] = {100, 1000, 10000, 25000, 50000};
    operands op;
    bignum_init(&op.a);
    bignum_init(&op.b);
    bignum_init(&op.r);
    mpz_inits(op.ga, op.gb, op.gr, NULL);
    uint64_t state = 0x2545f4914f6cdd1dULL;
    int rc = 0;
    for (size_t i = 0; i < sizeof mul_sizes / sizeof mul_sizes[0] && !rc; i++)
        rc = bench_mul(&op, mul_sizes[i], &state);
    for (size_t i = 0; i < sizeof word_loops / sizeof word_loops[0] && !rc; i++)
        rc = bench_word_loop(&op, &word_loops[i], &state);
    if (!rc)
        rc = bench_decimal(&op, &state);
    bignum_clear(&op.a);
    bignum_clear(&op.b);
    bignum_clear(&op.r);
    mpz_clears(op.ga, op.gb, op.gr, NULL);
    return rc;
}
