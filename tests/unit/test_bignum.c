/* bignum against GMP: both layers, every algorithm threshold, packing, decimal, failures, leaks. */
#include <CUnit/Basic.h>
#include <fenv.h>
#include <gmp.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bignum.h"
#include "bignum_impl.h"
#include "bignum_ntt.h"
#include "test_alloc.h"
#include "test_seed.h"

/*
 * Operands are random from a fixed seed (CS_TEST_SEED overrides it; the seed
 * is printed), in several shapes: uniform, all ones (every carry and every
 * transform coefficient at its largest), sparse, and a high limb only. Every
 * limb-layer output is followed by sentinel limbs, and every scratch area is
 * exactly the advertised size plus sentinels, so an overrun shows. The
 * leak-checking allocator is installed for the whole suite.
 */

#define SENTINEL 0x5e17e15e17e1a11fULL
#define GUARD 4

static uint64_t rng_state;

static uint64_t rnd(void) { return test_xorshift(&rng_state); }

static size_t rnd_below(size_t n) { return (size_t)(rnd() % n); }

enum shape { SHAPE_UNIFORM, SHAPE_ONES, SHAPE_SPARSE, SHAPE_TOP, SHAPE_COUNT };

static void fill(bn_limb *p, size_t n, enum shape shape)
{
    for (size_t i = 0; i < n; i++) {
        switch (shape) {
        case SHAPE_ONES: p[i] = ~(bn_limb)0; break;
        case SHAPE_SPARSE: p[i] = rnd_below(4) == 0 ? rnd() : 0; break;
        case SHAPE_TOP: p[i] = i + 1 == n ? (bn_limb)1 << 63 : 0; break;
        default: p[i] = rnd(); break;
        }
    }
}

/* n random limbs of a random shape, top limb non-zero. */
static void fill_random(bn_limb *p, size_t n)
{
    fill(p, n, (enum shape)rnd_below(SHAPE_COUNT));
    if (n && p[n - 1] == 0)
        p[n - 1] = rnd() | 1;
}

/* An array of n limbs followed by GUARD sentinels; freed with guarded_free. */
static bn_limb *guarded(size_t n)
{
    if (n > ((size_t)1 << 28))
        abort(); /* a size computed wrongly by the test itself */
    bn_limb *p = malloc((n + GUARD) * sizeof *p);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    for (size_t i = 0; i < n + GUARD; i++)
        p[i] = SENTINEL;
    return p;
}

static int guard_intact(const bn_limb *p, size_t n)
{
    for (size_t i = n; i < n + GUARD; i++)
        if (p[i] != SENTINEL)
            return 0;
    return 1;
}

static void to_mpz(mpz_t z, const bn_limb *p, size_t n)
{
    mpz_import(z, n, -1, sizeof(bn_limb), 0, 0, p);
}

static int equals_mpz(const bn_limb *p, size_t n, const mpz_t z)
{
    mpz_t t;
    mpz_init(t);
    to_mpz(t, p, n);
    int eq = mpz_cmp(t, z) == 0;
    mpz_clear(t);
    return eq;
}

static void bignum_to_mpz(mpz_t z, const bignum *x) { to_mpz(z, x->limbs, x->size); }

static int bignum_equals_mpz(const bignum *x, const mpz_t z)
{
    if (x->size && x->limbs[x->size - 1] == 0)
        return 0; /* not normalized */
    return equals_mpz(x->limbs, x->size, z);
}

static void bignum_random(bignum *x, size_t n)
{
    CU_ASSERT_EQUAL_FATAL(bignum_reserve(x, n), BN_OK);
    fill_random(x->limbs, n);
    x->size = n;
}

/* Every test ends with nothing allocated through the hooks. */
#define ASSERT_NO_LEAK() CU_ASSERT_EQUAL(test_alloc_live_blocks(), 0)

/* ---- limb layer: linear operations ---------------------------------------- */

static void test_add_sub_match_gmp_with_carries_and_aliasing(void)
{
    for (size_t n = 0; n < 40; n++) {
        for (int rep = 0; rep < 8; rep++) {
            bn_limb *a = guarded(n), *b = guarded(n), *r = guarded(n), *g = guarded(n);
            fill(a, n, (enum shape)rnd_below(SHAPE_COUNT));
            fill(b, n, (enum shape)rnd_below(SHAPE_COUNT));
            bn_limb c = bn_add_n(r, a, b, n), gc = n ? mpn_add_n(g, a, b, n) : 0;
            CU_ASSERT_EQUAL(c, gc);
            CU_ASSERT(memcmp(r, g, n * sizeof *r) == 0 && guard_intact(r, n));
            c = bn_sub_n(r, a, b, n), gc = n ? mpn_sub_n(g, a, b, n) : 0;
            CU_ASSERT_EQUAL(c, gc);
            CU_ASSERT(memcmp(r, g, n * sizeof *r) == 0 && guard_intact(r, n));
            /* in place, both operand positions */
            memcpy(r, a, n * sizeof *r);
            CU_ASSERT_EQUAL(bn_add_n(r, r, b, n), n ? mpn_add_n(g, a, b, n) : 0);
            CU_ASSERT(memcmp(r, g, n * sizeof *r) == 0);
            memcpy(r, b, n * sizeof *r);
            CU_ASSERT_EQUAL(bn_sub_n(r, a, r, n), n ? mpn_sub_n(g, a, b, n) : 0);
            CU_ASSERT(memcmp(r, g, n * sizeof *r) == 0);
            bn_limb w = rnd_below(2) ? ~(bn_limb)0 : rnd();
            CU_ASSERT_EQUAL(bn_add_1(r, a, n, w), n ? mpn_add_1(g, a, n, w) : w);
            CU_ASSERT(memcmp(r, g, n * sizeof *r) == 0 && guard_intact(r, n));
            CU_ASSERT_EQUAL(bn_sub_1(r, a, n, w), n ? mpn_sub_1(g, a, n, w) : w);
            CU_ASSERT(memcmp(r, g, n * sizeof *r) == 0 && guard_intact(r, n));
            free(a), free(b), free(r), free(g);
        }
    }
}

typedef bn_limb (*word_product_fn)(bn_limb *, const bn_limb *, size_t, bn_limb);

/* bn_mul_1 and bn_addmul_1 as the loader chose them, and each build of them
 * this CPU can run. */
static void test_word_products_match_gmp(void)
{
    word_product_fn muls[3] = {bn_mul_1, bn_mul_1_generic, NULL};
    word_product_fn addmuls[3] = {bn_addmul_1, bn_addmul_1_generic, NULL};
#if BN_HAVE_BMI2_VARIANTS
    if (bn_cpu_has_bmi2()) {
        muls[2] = bn_mul_1_bmi2;
        addmuls[2] = bn_addmul_1_bmi2;
    }
#endif
    static const bn_limb words[] = {0, 1, 2, 10000000000000000000ULL, ~(bn_limb)0, 1ULL << 63};
    for (int impl = 0; impl < 3 && muls[impl]; impl++) {
        for (size_t n = 1; n < 70; n += (n < 20 ? 1 : 7)) {
            for (size_t k = 0; k < sizeof words / sizeof words[0] + 4; k++) {
                bn_limb w = k < sizeof words / sizeof words[0] ? words[k] : rnd();
                bn_limb *a = guarded(n), *r = guarded(n), *g = guarded(n), *r0 = guarded(n);
                fill(a, n, (enum shape)rnd_below(SHAPE_COUNT));
                fill(r0, n, (enum shape)rnd_below(SHAPE_COUNT));
                CU_ASSERT_EQUAL(muls[impl](r, a, n, w), mpn_mul_1(g, a, n, w));
                CU_ASSERT(memcmp(r, g, n * sizeof *r) == 0 && guard_intact(r, n));
                memcpy(r, a, n * sizeof *r); /* rp == ap */
                CU_ASSERT_EQUAL(muls[impl](r, r, n, w), mpn_mul_1(g, a, n, w));
                CU_ASSERT(memcmp(r, g, n * sizeof *r) == 0);
                memcpy(r, r0, n * sizeof *r);
                memcpy(g, r0, n * sizeof *r);
                CU_ASSERT_EQUAL(addmuls[impl](r, a, n, w), mpn_addmul_1(g, a, n, w));
                CU_ASSERT(memcmp(r, g, n * sizeof *r) == 0 && guard_intact(r, n));
                memcpy(r, r0, n * sizeof *r);
                memcpy(g, r0, n * sizeof *r);
                CU_ASSERT_EQUAL(bn_submul_1(r, a, n, w), mpn_submul_1(g, a, n, w));
                CU_ASSERT(memcmp(r, g, n * sizeof *r) == 0 && guard_intact(r, n));
                free(a), free(r), free(g), free(r0);
            }
        }
    }
}

static void test_word_division_matches_gmp(void)
{
    static const bn_limb divisors[] = {1, 3, 10, 10000000000000000000ULL, 1ULL << 63,
                                       (1ULL << 63) + 1, ~(bn_limb)0, 0x3fffc00000000001ULL};
    for (size_t n = 0; n < 50; n += (n < 10 ? 1 : 9)) {
        for (size_t k = 0; k < sizeof divisors / sizeof divisors[0] + 4; k++) {
            bn_limb d = k < sizeof divisors / sizeof divisors[0] ? divisors[k] : rnd() >> rnd_below(64);
            if (d == 0)
                d = 7;
            bn_limb *a = guarded(n), *q = guarded(n), *g = guarded(n);
            fill(a, n, (enum shape)rnd_below(SHAPE_COUNT));
            bn_limb grem = n ? mpn_divrem_1(g, 0, a, n, d) : 0;
            CU_ASSERT_EQUAL(bn_mod_1(a, n, d), grem);
            CU_ASSERT_EQUAL(bn_divrem_1(q, a, n, d), grem);
            CU_ASSERT(memcmp(q, g, n * sizeof *q) == 0 && guard_intact(q, n));
            CU_ASSERT_EQUAL(bn_divrem_1(a, a, n, d), grem); /* qp == ap */
            CU_ASSERT(memcmp(a, g, n * sizeof *q) == 0);
            free(a), free(q), free(g);
        }
    }
}

static void test_shifts_compare_and_exact_thirds(void)
{
    for (size_t n = 1; n < 30; n++) {
        bn_limb *a = guarded(n), *r = guarded(n), *g = guarded(n);
        fill_random(a, n);
        unsigned s = 1 + (unsigned)rnd_below(63);
        CU_ASSERT_EQUAL(bn_lshift(r, a, n, s), mpn_lshift(g, a, n, s));
        CU_ASSERT(memcmp(r, g, n * sizeof *r) == 0 && guard_intact(r, n));
        CU_ASSERT_EQUAL(bn_rshift(r, a, n, s), mpn_rshift(g, a, n, s));
        CU_ASSERT(memcmp(r, g, n * sizeof *r) == 0 && guard_intact(r, n));
        CU_ASSERT_EQUAL(bn_cmp(a, a, n), 0);
        memcpy(r, a, n * sizeof *r);
        r[rnd_below(n)] ^= 1ULL << rnd_below(64);
        CU_ASSERT_EQUAL(bn_cmp(a, r, n), mpn_cmp(a, r, n) < 0 ? -1 : 1);
        CU_ASSERT_EQUAL(bn_cmp(r, a, n), mpn_cmp(r, a, n) < 0 ? -1 : 1);
        /* 3a / 3 == a, modulo B^n, also when 3a wraps (two's complement);
         * limbs (B-1)/3 after large ones make 3a's limbs wrap below the borrow */
        for (size_t i = 0; i < n; i++)
            if (rnd_below(2))
                a[i] = rnd_below(2) ? 0x5555555555555555ULL : ~(bn_limb)0;
        bn_mul_1(r, a, n, 3);
        bn_divexact_by3(r, r, n);
        CU_ASSERT(memcmp(r, a, n * sizeof *r) == 0);
        bn_zero(g, n); /* -3a / 3 == -a */
        bn_mul_1(r, a, n, 3);
        bn_sub_n(r, g, r, n);
        bn_divexact_by3(r, r, n);
        bn_add_n(r, r, a, n);
        CU_ASSERT_EQUAL(bn_normalized_size(r, n), 0);
        bn_limb *z = guarded(n);
        bn_zero(z, n);
        CU_ASSERT_EQUAL(bn_normalized_size(z, n), 0);
        z[n / 2] = 1;
        CU_ASSERT_EQUAL(bn_normalized_size(z, n), n / 2 + 1);
        free(a), free(r), free(g), free(z);
    }
}

/* ---- limb layer: products ------------------------------------------------ */

/* a x b through bn_mul with exactly bn_mul_scratch limbs of scratch, against
 * mpn_mul; the output and the scratch are both guarded. */
static void check_mul(size_t an, size_t bn)
{
    bn_limb *a = guarded(an), *b = guarded(bn), *r = guarded(an + bn), *g = guarded(an + bn);
    size_t sn = bn_mul_scratch(an, bn);
    bn_limb *s = guarded(sn);
    fill_random(a, an);
    fill_random(b, bn);
    bn_mul(r, a, an, b, bn, s);
    mpn_mul(g, a, an, b, bn);
    int ok = memcmp(r, g, (an + bn) * sizeof *r) == 0;
    if (!ok)
        fprintf(stderr, "\n  bn_mul %zu x %zu differs from GMP\n", an, bn);
    CU_ASSERT(ok);
    CU_ASSERT(guard_intact(r, an + bn));
    CU_ASSERT(guard_intact(s, sn));
    free(a), free(b), free(r), free(g), free(s);
}

static void check_sqr(size_t n)
{
    bn_limb *a = guarded(n), *r = guarded(2 * n), *g = guarded(2 * n);
    size_t sn = bn_sqr_scratch(n);
    bn_limb *s = guarded(sn);
    fill_random(a, n);
    bn_sqr(r, a, n, s);
    mpn_sqr(g, a, n);
    int ok = memcmp(r, g, 2 * n * sizeof *r) == 0;
    if (!ok)
        fprintf(stderr, "\n  bn_sqr %zu differs from GMP\n", n);
    CU_ASSERT(ok);
    CU_ASSERT(guard_intact(r, 2 * n));
    CU_ASSERT(guard_intact(s, sn));
    /* bn_mul with one array twice takes the same path */
    bn_limb *r2 = guarded(2 * n), *s2 = guarded(bn_mul_scratch(n, n));
    bn_mul(r2, a, n, a, n, s2);
    CU_ASSERT(memcmp(r2, g, 2 * n * sizeof *r) == 0);
    CU_ASSERT(guard_intact(s2, bn_mul_scratch(n, n)));
    free(a), free(r), free(g), free(s), free(r2), free(s2);
}

/* The schoolbook products themselves, whatever the thresholds: every shape up
 * to 40 x 40 (each bn has its own code up to 8, then pairs of columns whose
 * first and last passes differ with the parities of an and bn), long rows by
 * few limbs, and squares up to 80; all ones is tried at every size. */
static void check_basecase(size_t an, size_t bn, int ones)
{
    bn_limb *a = guarded(an), *b = guarded(bn), *r = guarded(an + bn), *g = guarded(an + bn);
    fill(a, an, ones ? SHAPE_ONES : (enum shape)rnd_below(SHAPE_COUNT));
    fill(b, bn, ones ? SHAPE_ONES : (enum shape)rnd_below(SHAPE_COUNT));
    bn_mul_basecase(r, a, an, b, bn);
    mpn_mul(g, a, an, b, bn);
    int ok = memcmp(r, g, (an + bn) * sizeof *r) == 0 && guard_intact(r, an + bn);
    if (!ok)
        fprintf(stderr, "\n  bn_mul_basecase %zu x %zu differs from GMP\n", an, bn);
    CU_ASSERT(ok);
    if (an == bn) {
        bn_limb *s = guarded(2 * an);
        bn_sqr_basecase(s, a, an);
        mpn_sqr(g, a, an);
        ok = memcmp(s, g, 2 * an * sizeof *s) == 0 && guard_intact(s, 2 * an);
        if (!ok)
            fprintf(stderr, "\n  bn_sqr_basecase %zu differs from GMP\n", an);
        CU_ASSERT(ok);
        free(s);
    }
    free(a), free(b), free(r), free(g);
}

static void test_schoolbook_matches_gmp_at_every_small_size(void)
{
    for (size_t an = 1; an <= 40; an++)
        for (size_t bn = 1; bn <= an; bn++)
            for (int ones = 0; ones <= 1; ones++)
                check_basecase(an, bn, ones);
    for (size_t bn = 1; bn <= 12; bn++)
        for (size_t an = 97; an <= 100; an++)
            check_basecase(an, bn, 0);
    for (size_t n = 41; n <= 80; n++)
        check_basecase(n, n, n % 2);
}

/* Sizes just around each threshold t. */
static size_t around(size_t t, int k) { return t + (size_t)k > 0 ? t + (size_t)k : 1; }

static void test_mul_matches_gmp_across_every_threshold(void)
{
    const size_t thresholds[] = {BN_KARATSUBA_THRESHOLD, BN_TOOM3_THRESHOLD, BN_NTT_THRESHOLD};
    for (size_t an = 1; an <= 12; an++)
        for (size_t bn = 1; bn <= an; bn++)
            check_mul(an, bn);
    for (size_t t = 0; t < 3; t++) {
        for (int k = -1; k <= 1; k++) {
            size_t n = around(thresholds[t], k);
            check_mul(n, n);                 /* balanced */
            check_mul(n + 1, n);             /* nearly */
            check_mul(n + n / 2, n);         /* 3:2, Toom's limit */
            check_mul(2 * n - 1, n);         /* Karatsuba's limit */
            check_mul(2 * n, n);             /* cut into pieces */
            check_mul(5 * n + 3, n);         /* several pieces and a remainder */
            check_mul(n, 1 + rnd_below(n));  /* anything smaller */
        }
    }
    check_mul(3 * BN_NTT_THRESHOLD + 17, BN_NTT_THRESHOLD + 5);
}

static void test_sqr_matches_gmp_across_every_threshold(void)
{
    const size_t thresholds[] = {BN_SQR_KARATSUBA_THRESHOLD, BN_SQR_TOOM3_THRESHOLD,
                                 BN_SQR_NTT_THRESHOLD};
    for (size_t n = 1; n <= 12; n++)
        check_sqr(n);
    for (size_t t = 0; t < 3; t++)
        for (int k = -2; k <= 2; k++)
            check_sqr(around(thresholds[t], k));
}

/* The transform at every length it picks, however small: all-ones operands
 * give the largest coefficients the CRT has to carry. */
static void ntt_at_every_length(void)
{
    size_t most = bn_ntt_max_limbs() < 4200 ? bn_ntt_max_limbs() : 4200;
    for (size_t total = 2; total <= most; total += total < 40 ? 1 : total / 5) {
        size_t bn = 1 + rnd_below(total / 2 > 0 ? total / 2 : 1), an = total - bn;
        if (an < bn)
            an = bn;
        bn_limb *a = guarded(an), *b = guarded(bn), *r = guarded(2 * an), *g = guarded(2 * an);
        size_t sn = bn_ntt_scratch(an, an);
        bn_limb *s = guarded(sn);
        enum shape shape = total % 3 == 0 ? SHAPE_ONES : SHAPE_UNIFORM;
        fill(a, an, shape);
        fill(b, bn, shape);
        bn_ntt_mul(r, a, an, b, bn, s);
        mpn_mul(g, a, an, b, bn);
        CU_ASSERT(memcmp(r, g, (an + bn) * sizeof *r) == 0);
        CU_ASSERT(guard_intact(r, an + bn) && guard_intact(s, sn));
        if (2 * an <= bn_ntt_max_limbs()) {
            bn_ntt_mul(r, a, an, a, an, s); /* squaring: one transform */
            mpn_sqr(g, a, an);
            CU_ASSERT(memcmp(r, g, 2 * an * sizeof *r) == 0);
            CU_ASSERT(guard_intact(r, 2 * an) && guard_intact(s, sn));
        }
        free(a), free(b), free(r), free(g), free(s);
    }
}

/* Two long transforms (3 2^14 and 2^16 coefficients, or the longest this
 * build allows), several levels of the blocked recursion deep. */
static void ntt_long_lengths(void)
{
    static const size_t coeffs[] = {3 << 14, 1 << 16};
    for (size_t i = 0; i < sizeof coeffs / sizeof coeffs[0]; i++) {
        size_t total = coeffs[i] + 1 < bn_ntt_max_limbs() ? coeffs[i] + 1 : bn_ntt_max_limbs();
        size_t bn = total / 2, an = total - bn;
        bn_limb *a = guarded(an), *b = guarded(bn), *r = guarded(total), *g = guarded(total);
        size_t sn = bn_ntt_scratch(an, bn);
        bn_limb *s = guarded(sn);
        fill(a, an, SHAPE_UNIFORM);
        fill(b, bn, SHAPE_UNIFORM);
        bn_ntt_mul(r, a, an, b, bn, s);
        mpn_mul(g, a, an, b, bn);
        int ok = memcmp(r, g, total * sizeof *r) == 0;
        if (!ok)
            fprintf(stderr, "\n  bn_ntt_mul %zu x %zu differs from GMP\n", an, bn);
        CU_ASSERT(ok);
        CU_ASSERT(guard_intact(r, total) && guard_intact(s, sn));
        free(a), free(b), free(r), free(g), free(s);
    }
}

/* Products just past a transform length N wrap around it and are completed
 * by a second, small transform of the low limbs: cover that edge at many N,
 * balanced and with the smaller operand shorter than the wrap. */
static void ntt_just_past_each_length(void)
{
    static const size_t lengths[] = {64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 3072};
    for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
        size_t N = lengths[i];
        if (N + N / 8 + 2 > bn_ntt_max_limbs())
            break;
        const size_t wraps[] = {1, 2, N / 16, N / 8, N / 8 + 1};
        for (size_t w = 0; w < sizeof wraps / sizeof wraps[0]; w++) {
            size_t coeffs = N + wraps[w], sizes[3][2] = {
                {coeffs + 1 - coeffs / 2, coeffs / 2}, /* balanced: an + bn - 1 == coeffs */
                {coeffs + 1 - wraps[w], wraps[w]},     /* bn == d: a longer than N */
                {coeffs - wraps[w], wraps[w] + 1}};
            for (int k = 0; k < 3; k++) {
                size_t an = sizes[k][0], bn = sizes[k][1];
                bn_limb *a = guarded(an), *b = guarded(bn), *r = guarded(an + bn),
                        *g = guarded(an + bn);
                size_t sn = bn_ntt_scratch(an, bn);
                bn_limb *sc = guarded(sn);
                enum shape shape = k == 0 ? SHAPE_ONES : SHAPE_UNIFORM;
                fill(a, an, shape);
                fill(b, bn, shape);
                bn_ntt_mul(r, a, an, b, bn, sc);
                mpn_mul(g, a, an, b, bn);
                int ok = memcmp(r, g, (an + bn) * sizeof *r) == 0;
                if (!ok)
                    fprintf(stderr, "\n  bn_ntt_mul %zu x %zu differs from GMP\n", an, bn);
                CU_ASSERT(ok);
                CU_ASSERT(guard_intact(r, an + bn) && guard_intact(sc, sn));
                free(a), free(b), free(r), free(g), free(sc);
            }
        }
    }
}

/* Products with more coefficients than one transform holds are cut into
 * pieces (a beside b) or halves (of b). At the real limit that takes seconds,
 * so this runs where the limit is built small (test_bignum_tiny_thresholds). */
static void test_mul_beyond_one_transform_matches_gmp(void)
{
    size_t max = bn_ntt_max_limbs();
    if (max > 100000) {
        printf("(skipped: one transform holds %zu limbs here) ", max);
        return;
    }
    check_mul(max, max / 4);           /* two pieces */
    check_mul(max - max / 4 + BN_NTT_THRESHOLD / 2, max / 4); /* the last below the threshold */
    check_mul(3 * max + 5, max / 3);   /* pieces and a short last one */
    check_mul(max, max / 2 + 7);       /* b cut in halves */
    check_mul(2 * max, 2 * max - 3);   /* halves of halves */
    check_sqr(max / 2 + 1);            /* a square too long for one transform */
    check_sqr(3 * max);
}

/* x[0..n) mod q, by GMP (independent of bn_mod_1). */
static bn_limb residue(const bn_limb *x, size_t n, bn_limb q) { return mpn_mod_1(x, n, q); }

/* bn_mul (bn_sqr when square) of random an x bn limbs with exactly the
 * advertised scratch, for products too long for GMP to check in a fast suite:
 * r == a b modulo three primes near 2^64. A wrong product passes only if its
 * error is a multiple of all three, which no slip of a limb or a carry is. */
static void check_mul_by_residues(size_t an, size_t bn, int square)
{
    static const bn_limb primes[] = {0xffffffffffffffc5ULL, 0xffffffffffffff43ULL,
                                     0x1fffffffffffffffULL};
    size_t rn = an + bn, sn = square ? bn_sqr_scratch(an) : bn_mul_scratch(an, bn);
    bn_limb *a = guarded(an), *b = square ? a : guarded(bn), *r = guarded(rn), *s = guarded(sn);
    fill(a, an, SHAPE_UNIFORM);
    if (!square)
        fill(b, bn, SHAPE_UNIFORM);
    if (square)
        bn_sqr(r, a, an, s);
    else
        bn_mul(r, a, an, b, bn, s);
    for (size_t i = 0; i < sizeof primes / sizeof primes[0]; i++) {
        bn_limb q = primes[i];
        bn_limb expect = (bn_limb)((bn_dlimb)residue(a, an, q) * residue(b, bn, q) % q);
        int ok = residue(r, rn, q) == expect;
        if (!ok)
            fprintf(stderr, "\n  bn_%s %zu x %zu: wrong residue modulo %#llx\n",
                    square ? "sqr" : "mul", an, bn, (unsigned long long)q);
        CU_ASSERT(ok);
    }
    CU_ASSERT(guard_intact(r, rn) && guard_intact(s, sn));
    free(a), free(r), free(s);
    if (!square)
        free(b);
}

/* The cuts above at the real limit (seconds for GMP, so checked by residues):
 * a piece and then one too short for a transform; a square cut in halves. */
static void test_mul_beyond_one_transform_keeps_residues(void)
{
    size_t max = bn_ntt_max_limbs(), bn = BN_NTT_THRESHOLD + 100;
    check_mul_by_residues(max - bn + BN_NTT_THRESHOLD / 2, bn, 0);
    check_mul_by_residues(max / 2 + 1, max / 2 + 1, 1);
}

/* The longest transform with the largest coefficients the CRT must tell
 * apart: all-ones operands with an + bn == bn_ntt_max_limbs(), whose product
 * B^(an+bn) - B^an - B^bn + 1 is, from the bottom: 1, bn - 1 zero limbs,
 * an - bn all-ones limbs, B - 2, bn - 1 all-ones limbs. */
static void test_ntt_is_exact_at_its_largest_length(void)
{
    size_t max = bn_ntt_max_limbs(), bn = max / 2, an = max - bn, sn = bn_mul_scratch(an, bn);
    bn_limb *a = guarded(an), *b = guarded(bn), *r = guarded(max), *s = guarded(sn);
    fill(a, an, SHAPE_ONES);
    fill(b, bn, SHAPE_ONES);
    bn_mul(r, a, an, b, bn, s);
    size_t wrong = 0;
    for (size_t i = 0; i < max; i++) {
        bn_limb expect = i == 0 ? 1 : i < bn ? 0 : i == an ? ~(bn_limb)1 : ~(bn_limb)0;
        wrong += r[i] != expect;
    }
    if (wrong)
        fprintf(stderr, "\n  bn_mul %zu x %zu all ones: %zu limbs wrong\n", an, bn, wrong);
    CU_ASSERT_EQUAL(wrong, 0);
    CU_ASSERT(guard_intact(r, max) && guard_intact(s, sn));
    free(a), free(b), free(r), free(s);
}

/* bn_ntt_mul takes the widest transforms the CPU runs (AVX-512, AVX2 or
 * scalar); each narrower one must agree all the same. */
static void test_ntt_matches_gmp_at_every_length(void)
{
    for (int level = BN_NTT_SCALAR; level <= BN_NTT_AVX512; level++) {
        bn_ntt_limit(level);
        ntt_at_every_length();
        ntt_long_lengths();
    }
}

static void test_ntt_matches_gmp_just_past_each_length(void)
{
    for (int level = BN_NTT_SCALAR; level <= BN_NTT_AVX512; level++) {
        bn_ntt_limit(level);
        ntt_just_past_each_length();
    }
}

/* The vector transforms are proved exact for rounding to nearest only: in
 * another mode they stand aside, and products stay exact. */
static void test_ntt_is_exact_in_every_rounding_mode(void)
{
    static const int modes[] = {FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO};
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        CU_ASSERT_EQUAL_FATAL(fesetround(modes[i]), 0);
        int vector = bn_ntt_avx2_usable() || bn_ntt_avx512_usable();
        check_mul(4 * BN_NTT_THRESHOLD, 3 * BN_NTT_THRESHOLD);
        check_sqr(4 * BN_SQR_NTT_THRESHOLD);
        fesetround(FE_TONEAREST);
        CU_ASSERT_FALSE(vector);
    }
}

/* ---- limb layer: division ------------------------------------------------ */

static void check_division(size_t dn, size_t nn, enum shape shape)
{
    bn_limb *d = guarded(dn), *inv = guarded(dn), *np = guarded(nn);
    bn_limb *q = guarded(nn - dn + 1), *r = guarded(dn);
    fill(d, dn, shape);
    d[dn - 1] |= 1ULL << 63;
    size_t is = bn_invert_scratch(dn), ds = bn_div_preinv_scratch(dn);
    bn_limb *s1 = guarded(is), *s2 = guarded(ds);
    bn_invert(inv, d, dn, s1);
    CU_ASSERT(guard_intact(inv, dn) && guard_intact(s1, is));
    /* inv = floor((B^2dn - 1) / d) - B^dn */
    mpz_t zd, zq, zr, zn, zi;
    mpz_inits(zd, zq, zr, zn, zi, NULL);
    to_mpz(zd, d, dn);
    mpz_set_ui(zn, 1);
    mpz_mul_2exp(zn, zn, 128 * dn);
    mpz_sub_ui(zn, zn, 1);
    mpz_tdiv_q(zi, zn, zd);
    mpz_clrbit(zi, 64 * dn);
    CU_ASSERT(equals_mpz(inv, dn, zi));
    /* a numerator whose top dn limbs are below d */
    fill(np, nn, (enum shape)rnd_below(SHAPE_COUNT));
    if (nn == 2 * dn && mpn_cmp(np + dn, d, dn) >= 0)
        mpn_sub_n(np + dn, np + dn, d, dn);
    to_mpz(zn, np, nn);
    mpz_tdiv_qr(zq, zr, zn, zd);
    bn_div_qr_preinv(q, r, np, nn, d, dn, inv, s2);
    CU_ASSERT(equals_mpz(q, nn - dn + 1, zq));
    CU_ASSERT(equals_mpz(r, dn, zr));
    CU_ASSERT(guard_intact(q, nn - dn + 1) && guard_intact(r, dn) && guard_intact(s2, ds));
    mpz_clears(zd, zq, zr, zn, zi, NULL);
    free(d), free(inv), free(np), free(q), free(r), free(s1), free(s2);
}

static void test_newton_reciprocal_and_division_match_gmp(void)
{
    for (size_t dn = 1; dn <= 40; dn++) {
        check_division(dn, 2 * dn, (enum shape)rnd_below(SHAPE_COUNT));
        check_division(dn, dn + rnd_below(dn + 1), SHAPE_UNIFORM);
        check_division(dn, dn, SHAPE_ONES);
    }
    /* B^n / 2 (the reciprocal's largest value) and all ones (its smallest) */
    static const size_t sizes[] = {63, 64, 65, 200, BN_NTT_THRESHOLD / 2 + 3, BN_NTT_THRESHOLD + 1};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        check_division(sizes[i], 2 * sizes[i], SHAPE_TOP);
        check_division(sizes[i], 2 * sizes[i], SHAPE_ONES);
        check_division(sizes[i], 2 * sizes[i] - 1, SHAPE_UNIFORM);
    }
}

/* ---- number layer -------------------------------------------------------- */

static void test_bignum_mul_matches_gmp_and_allows_aliasing(void)
{
    static const size_t sizes[] = {0, 1, 2, 5, BN_KARATSUBA_THRESHOLD + 3, BN_TOOM3_THRESHOLD + 5,
                                   BN_NTT_THRESHOLD + 7};
    size_t ns = sizeof sizes / sizeof sizes[0];
    mpz_t za, zb, zr;
    mpz_inits(za, zb, zr, NULL);
    for (size_t i = 0; i < ns; i++) {
        for (size_t j = 0; j < ns; j++) {
            bignum a, b, r;
            bignum_init(&a), bignum_init(&b), bignum_init(&r);
            bignum_random(&a, sizes[i]);
            bignum_random(&b, sizes[j]);
            bignum_to_mpz(za, &a);
            bignum_to_mpz(zb, &b);
            mpz_mul(zr, za, zb);
            CU_ASSERT_EQUAL(bignum_mul(&r, &a, &b), BN_OK);
            CU_ASSERT(bignum_equals_mpz(&r, zr));
            CU_ASSERT_EQUAL(bignum_mul(&r, &a, &b), BN_OK); /* r reused, already big enough */
            CU_ASSERT(bignum_equals_mpz(&r, zr));
            /* r an operand with no room: the product has to grow it */
            bignum g;
            bignum_init(&g);
            CU_ASSERT_EQUAL(bignum_copy(&g, &b), BN_OK);
            CU_ASSERT_EQUAL(bignum_mul(&g, &a, &g), BN_OK);
            CU_ASSERT(bignum_equals_mpz(&g, zr));
            bignum_clear(&g); /* and again, squaring */
            CU_ASSERT_EQUAL(bignum_copy(&g, &a), BN_OK);
            CU_ASSERT_EQUAL(bignum_mul(&g, &g, &g), BN_OK);
            mpz_mul(zr, za, za);
            CU_ASSERT(bignum_equals_mpz(&g, zr));
            mpz_mul(zr, za, zb);
            bignum_clear(&g);
            bignum a2, b2;
            bignum_init(&a2), bignum_init(&b2);
            CU_ASSERT_EQUAL(bignum_copy(&a2, &a), BN_OK);
            CU_ASSERT_EQUAL(bignum_copy(&b2, &b), BN_OK);
            /* room for the product, so that only aliasing stops working in place */
            CU_ASSERT_EQUAL(bignum_reserve(&a2, a.size + b.size + 1), BN_OK);
            CU_ASSERT_EQUAL(bignum_reserve(&b2, a.size + b.size + 1), BN_OK);
            CU_ASSERT_EQUAL(bignum_reserve(&a, 2 * a.size + 1), BN_OK);
            CU_ASSERT_EQUAL(bignum_mul(&a2, &a2, &b), BN_OK); /* r == a */
            CU_ASSERT(bignum_equals_mpz(&a2, zr));
            CU_ASSERT_EQUAL(bignum_mul(&b2, &a, &b2), BN_OK); /* r == b */
            CU_ASSERT(bignum_equals_mpz(&b2, zr));
            mpz_mul(zr, za, za);
            CU_ASSERT_EQUAL(bignum_mul(&a, &a, &a), BN_OK); /* r == a == b */
            CU_ASSERT(bignum_equals_mpz(&a, zr));
            bignum_clear(&a), bignum_clear(&b), bignum_clear(&r), bignum_clear(&a2),
                bignum_clear(&b2);
        }
    }
    mpz_clears(za, zb, zr, NULL);
    ASSERT_NO_LEAK();
}

static void test_bignum_mul_u64_matches_gmp(void)
{
    static const uint64_t words[] = {0, 1, 2, 10, UINT64_MAX, 1ULL << 63};
    mpz_t za, zr;
    mpz_inits(za, zr, NULL);
    for (size_t n = 0; n < 12; n++) {
        for (size_t k = 0; k < sizeof words / sizeof words[0] + 2; k++) {
            uint64_t w = k < sizeof words / sizeof words[0] ? words[k] : rnd();
            bignum a, r;
            bignum_init(&a), bignum_init(&r);
            bignum_random(&a, n);
            bignum_to_mpz(za, &a);
            mpz_mul_ui(zr, za, w);
            CU_ASSERT_EQUAL(bignum_mul_u64(&r, &a, w), BN_OK);
            CU_ASSERT(bignum_equals_mpz(&r, zr));
            CU_ASSERT_EQUAL(bignum_mul_u64(&a, &a, w), BN_OK);
            CU_ASSERT(bignum_equals_mpz(&a, zr));
            bignum_clear(&a), bignum_clear(&r);
        }
    }
    mpz_clears(za, zr, NULL);
    ASSERT_NO_LEAK();
}

static void test_pow_matches_gmp_and_zero_to_the_zero_is_one(void)
{
    mpz_t za, zr;
    mpz_inits(za, zr, NULL);
    bignum a, r;
    bignum_init(&a), bignum_init(&r);
    CU_ASSERT_EQUAL(bignum_pow_u64(&r, &a, 0), BN_OK);
    mpz_set_ui(zr, 1);
    CU_ASSERT(bignum_equals_mpz(&r, zr));
    CU_ASSERT_EQUAL(bignum_pow_u64(&r, &a, 5), BN_OK);
    CU_ASSERT(bignum_is_zero(&r));
    static const uint64_t bases[] = {1, 2, 3, 10, 48, UINT64_MAX};
    static const uint64_t exps[] = {1, 2, 3, 63, 64, 1000, 40000};
    for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++) {
        for (size_t j = 0; j < sizeof exps / sizeof exps[0]; j++) {
            CU_ASSERT_EQUAL(bignum_set_u64(&a, bases[i]), BN_OK);
            CU_ASSERT_EQUAL(bignum_pow_u64(&r, &a, exps[j]), BN_OK);
            mpz_ui_pow_ui(zr, bases[i], exps[j]);
            CU_ASSERT(bignum_equals_mpz(&r, zr));
        }
    }
    bignum_random(&a, 7);
    bignum_to_mpz(za, &a);
    mpz_pow_ui(zr, za, 777);
    CU_ASSERT_EQUAL(bignum_pow_u64(&a, &a, 777), BN_OK); /* r == a */
    CU_ASSERT(bignum_equals_mpz(&a, zr));
    bignum_clear(&a), bignum_clear(&r);
    mpz_clears(za, zr, NULL);
    ASSERT_NO_LEAK();
}

static void test_compare_bits_and_residues_match_gmp(void)
{
    mpz_t za, zb;
    mpz_inits(za, zb, NULL);
    for (int rep = 0; rep < 200; rep++) {
        bignum a, b;
        bignum_init(&a), bignum_init(&b);
        bignum_random(&a, rnd_below(6));
        if (rnd_below(4) == 0) {
            CU_ASSERT_EQUAL(bignum_copy(&b, &a), BN_OK);
        } else {
            bignum_random(&b, rnd_below(6));
        }
        bignum_to_mpz(za, &a);
        bignum_to_mpz(zb, &b);
        int c = mpz_cmp(za, zb);
        CU_ASSERT_EQUAL(bignum_cmp(&a, &b), c < 0 ? -1 : c > 0);
        CU_ASSERT_EQUAL(bignum_is_zero(&a), mpz_sgn(za) == 0);
        CU_ASSERT_EQUAL(bignum_bits(&a), mpz_sgn(za) ? mpz_sizeinbase(za, 2) : 0);
        uint64_t m = rnd_below(3) == 0 ? UINT64_MAX - rnd_below(100) : (rnd() >> rnd_below(64)) | 1;
        CU_ASSERT_EQUAL(bignum_mod_u64(&a, m), mpz_fdiv_ui(za, m));
        bignum_clear(&a), bignum_clear(&b);
    }
    mpz_clears(za, zb, NULL);
    ASSERT_NO_LEAK();
}

/* ---- algebraic properties ------------------------------------------------ */

static void add_into(bignum *r, const bignum *a, const bignum *b)
{
    const bignum *big = a->size >= b->size ? a : b, *small = big == a ? b : a;
    CU_ASSERT_EQUAL_FATAL(bignum_reserve(r, big->size + 1), BN_OK);
    r->limbs[big->size] = bn_add(r->limbs, big->limbs, big->size, small->limbs, small->size);
    r->size = bn_normalized_size(r->limbs, big->size + 1);
}

static void test_products_commute_associate_and_distribute(void)
{
    static const size_t sizes[] = {3, BN_KARATSUBA_THRESHOLD, BN_TOOM3_THRESHOLD + 1,
                                   BN_NTT_THRESHOLD};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        bignum a, b, c, ab, ba, abc, bc, abc2, bpc, lhs, acp, rhs;
        bignum *all[] = {&a, &b, &c, &ab, &ba, &abc, &bc, &abc2, &bpc, &lhs, &acp, &rhs};
        for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
            bignum_init(all[k]);
        bignum_random(&a, sizes[i]);
        bignum_random(&b, sizes[i] / 2 + 1);
        bignum_random(&c, sizes[i] + 3);
        CU_ASSERT(!bignum_mul(&ab, &a, &b) && !bignum_mul(&ba, &b, &a));
        CU_ASSERT_EQUAL(bignum_cmp(&ab, &ba), 0);
        CU_ASSERT(!bignum_mul(&abc, &ab, &c) && !bignum_mul(&bc, &b, &c) &&
                  !bignum_mul(&abc2, &a, &bc));
        CU_ASSERT_EQUAL(bignum_cmp(&abc, &abc2), 0);
        add_into(&bpc, &b, &c); /* a (b + c) == a b + a c */
        CU_ASSERT(!bignum_mul(&lhs, &a, &bpc) && !bignum_mul(&acp, &a, &c));
        add_into(&rhs, &ab, &acp);
        CU_ASSERT_EQUAL(bignum_cmp(&lhs, &rhs), 0);
        CU_ASSERT(!bignum_mul(&lhs, &a, &a) && !bignum_copy(&b, &a) && !bignum_mul(&rhs, &a, &b));
        CU_ASSERT_EQUAL(bignum_cmp(&lhs, &rhs), 0); /* squaring == multiplying two copies */
        for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
            bignum_clear(all[k]);
    }
    bignum x, p1, p2, p3;
    bignum_init(&x), bignum_init(&p1), bignum_init(&p2), bignum_init(&p3);
    bignum_random(&x, 3);
    CU_ASSERT(!bignum_pow_u64(&p1, &x, 1234) && !bignum_pow_u64(&p2, &x, 4321) &&
              !bignum_mul(&p3, &p1, &p2) && !bignum_pow_u64(&p1, &x, 5555));
    CU_ASSERT_EQUAL(bignum_cmp(&p1, &p3), 0); /* x^a x^b == x^(a+b) */
    bignum_clear(&x), bignum_clear(&p1), bignum_clear(&p2), bignum_clear(&p3);
    ASSERT_NO_LEAK();
}

/* ---- packed form --------------------------------------------------------- */

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void test_pack_round_trips_in_the_documented_format(void)
{
    for (size_t n = 0; n < 20; n++) {
        bignum a, b;
        bignum_init(&a), bignum_init(&b);
        bignum_random(&a, n);
        size_t len = bignum_packed_size(&a);
        CU_ASSERT_EQUAL(len, 8 + 8 * n);
        uint8_t *buf = malloc(len + 1);
        CU_ASSERT_EQUAL(bignum_pack(&a, buf, len - 1), BN_EINVAL);
        CU_ASSERT_EQUAL(bignum_pack(&a, buf, len), BN_OK);
        /* 8-byte little-endian count, then little-endian limbs */
        uint8_t expect[8];
        put64(expect, n);
        CU_ASSERT(memcmp(buf, expect, 8) == 0);
        for (size_t i = 0; i < n; i++) {
            put64(expect, a.limbs[i]);
            CU_ASSERT(memcmp(buf + 8 + 8 * i, expect, 8) == 0);
        }
        CU_ASSERT_EQUAL(bignum_unpack(&b, buf, len), BN_OK);
        CU_ASSERT_EQUAL(bignum_cmp(&a, &b), 0);
        free(buf);
        bignum_clear(&a), bignum_clear(&b);
    }
    ASSERT_NO_LEAK();
}

/* bignum_unpack must refuse buf[0..len) and leave r as it was. */
static void expect_corrupt(const uint8_t *buf, size_t len)
{
    bignum r;
    bignum_init(&r);
    CU_ASSERT_EQUAL_FATAL(bignum_set_u64(&r, 0xfeedULL), BN_OK);
    int st = bignum_unpack(&r, buf, len);
    CU_ASSERT_EQUAL(st, BN_ECORRUPT);
    CU_ASSERT(r.size == 1 && r.limbs[0] == 0xfeedULL);
    bignum_clear(&r);
}

static void test_unpack_rejects_every_corrupt_buffer(void)
{
    bignum a;
    bignum_init(&a);
    bignum_random(&a, 5);
    size_t len = bignum_packed_size(&a);
    uint8_t *buf = malloc(len + 16);
    CU_ASSERT_EQUAL_FATAL(bignum_pack(&a, buf, len), BN_OK);
    for (size_t cut = 0; cut < len; cut++)
        expect_corrupt(buf, cut); /* truncated at every length */
    memset(buf + len, 0, 16);
    for (size_t extra = 1; extra <= 16; extra++)
        expect_corrupt(buf, len + extra); /* over-long */
    put64(buf, 4);
    expect_corrupt(buf, len); /* count below the length */
    put64(buf, 6);
    expect_corrupt(buf, len); /* count above the length */
    put64(buf, UINT64_MAX);
    expect_corrupt(buf, len); /* a count that would overflow */
    put64(buf, 5);
    put64(buf + 8 + 4 * 8, 0);
    expect_corrupt(buf, len); /* zero top limb */
    put64(buf, 0);
    CU_ASSERT_EQUAL(bignum_unpack(&a, buf, 8), BN_OK); /* zero is the empty count */
    CU_ASSERT(bignum_is_zero(&a));
    free(buf);
    bignum_clear(&a);
    ASSERT_NO_LEAK();
}

/* ---- decimal ------------------------------------------------------------- */

static void check_decimal(const bignum *a)
{
    mpz_t z;
    mpz_init(z);
    bignum_to_mpz(z, a);
    char *g = mpz_get_str(NULL, 10, z);
    char *s = NULL;
    size_t len = 0;
    CU_ASSERT_EQUAL_FATAL(bignum_to_decimal(a, &s, &len), BN_OK);
    int same = strcmp(s, g) == 0 && len == strlen(g);
    if (!same)
        fprintf(stderr, "\n  decimal of %zu limbs differs from GMP\n", a->size);
    CU_ASSERT(same);
    bignum back;
    bignum_init(&back);
    CU_ASSERT_EQUAL(bignum_from_decimal(&back, s), BN_OK);
    CU_ASSERT_EQUAL(bignum_cmp(&back, a), 0);
    bignum_clear(&back);
    bignum_free_string(s, len + 1);
    free(g);
    mpz_clear(z);
}

static void test_decimal_matches_gmp_and_round_trips(void)
{
    bignum a;
    bignum_init(&a);
    check_decimal(&a); /* "0" */
    for (size_t n = 1; n < 80; n += (n < 30 ? 1 : 7)) {
        bignum_random(&a, n);
        check_decimal(&a);
    }
    /* 10^k - 1, 10^k and 10^k + 1 on both sides of the split sizes 19 2^i */
    mpz_t z;
    mpz_init(z);
    static const unsigned long ks[] = {18, 19, 20, 37, 38, 39, 76, 152, 303, 304, 305, 608, 1216,
                                       2432, 4864, 9728};
    for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
        for (int d = -1; d <= 1; d++) {
            mpz_ui_pow_ui(z, 10, ks[i]);
            if (d < 0)
                mpz_sub_ui(z, z, 1);
            else
                mpz_add_ui(z, z, (unsigned long)d);
            size_t n = (mpz_sizeinbase(z, 2) + 63) / 64;
            CU_ASSERT_EQUAL_FATAL(bignum_reserve(&a, n), BN_OK);
            mpz_export(a.limbs, &a.size, -1, sizeof(bn_limb), 0, 0, z);
            check_decimal(&a);
        }
    }
    /* deep enough for a dozen levels of splitting */
    bignum_random(&a, 4000);
    check_decimal(&a);
    mpz_clear(z);
    bignum_clear(&a);
    ASSERT_NO_LEAK();
}

static void test_from_decimal_reads_leading_zeros_and_refuses_non_digits(void)
{
    bignum r;
    bignum_init(&r);
    CU_ASSERT_EQUAL(bignum_from_decimal(&r, "000000000000000000000000000000000000000000123"), BN_OK);
    CU_ASSERT(r.size == 1 && r.limbs[0] == 123);
    CU_ASSERT_EQUAL(bignum_from_decimal(&r, "0000"), BN_OK);
    CU_ASSERT(bignum_is_zero(&r));
    CU_ASSERT_EQUAL(bignum_from_decimal(&r, "18446744073709551616"), BN_OK); /* 2^64 */
    CU_ASSERT(r.size == 2 && r.limbs[0] == 0 && r.limbs[1] == 1);
    static const char *bad[] = {"", "-1", "+1", " 1", "1 ", "12a3", "0x10", "1.5", "1e5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CU_ASSERT_EQUAL(bignum_from_decimal(&r, bad[i]), BN_EINVAL);
        CU_ASSERT(r.size == 2 && r.limbs[0] == 0 && r.limbs[1] == 1); /* unchanged */
    }
    bignum_clear(&r);
    ASSERT_NO_LEAK();
}

/* ---- allocation failure -------------------------------------------------- */

/*
 * Each operation runs with its k-th allocation failing, for k = 1, 2, ...
 * until it no longer allocates that many times. Every failing run must
 * report BN_ENOMEM, leave its output equal to what it was, and leak nothing.
 */
enum op { OP_MUL, OP_MUL_ALIASED, OP_SQR, OP_MUL_U64, OP_POW, OP_COPY, OP_UNPACK, OP_FROM_DECIMAL,
          OP_COUNT };

static int run_op(enum op op, bignum *out, const bignum *a, const bignum *b, const uint8_t *buf,
                  size_t len, const char *digits)
{
    switch (op) {
    case OP_MUL: return bignum_mul(out, a, b);
    case OP_MUL_ALIASED: return bignum_mul(out, out, b);
    case OP_SQR: return bignum_mul(out, a, a);
    case OP_MUL_U64: return bignum_mul_u64(out, a, 0xfedcba9876543210ULL);
    case OP_POW: return bignum_pow_u64(out, a, a->size > 100 ? 3 : 37);
    case OP_COPY: return bignum_copy(out, a);
    case OP_UNPACK: return bignum_unpack(out, buf, len);
    case OP_FROM_DECIMAL: return bignum_from_decimal(out, digits);
    default: return BN_EINVAL;
    }
}

static void test_allocation_failure_reports_enomem_and_changes_nothing(void)
{
    static const size_t sizes[] = {3, BN_TOOM3_THRESHOLD + 2, BN_NTT_THRESHOLD + 3};
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        bignum a, b, before;
        bignum_init(&a), bignum_init(&b), bignum_init(&before);
        bignum_random(&a, sizes[si]);
        bignum_random(&b, sizes[si] / 2 + 1);
        size_t len = bignum_packed_size(&a);
        uint8_t *buf = malloc(len);
        CU_ASSERT_EQUAL_FATAL(bignum_pack(&a, buf, len), BN_OK);
        char *digits = NULL;
        size_t dlen = 0;
        CU_ASSERT_EQUAL_FATAL(bignum_to_decimal(&b, &digits, &dlen), BN_OK);
        for (int op = 0; op < OP_COUNT; op++) {
            int succeeded = 0;
            for (unsigned long k = 1; !succeeded && k < 1000; k++) {
                bignum out;
                bignum_init(&out);
                bignum_random(&out, 2); /* a value, and a buffer too small for the results */
                CU_ASSERT_EQUAL_FATAL(bignum_copy(&before, &out), BN_OK);
                size_t live = test_alloc_live_blocks();
                test_alloc_fail_at(k, 0);
                int st = run_op((enum op)op, &out, &a, &b, buf, len, digits);
                test_alloc_fail_at(0, 0);
                if (st == BN_OK) {
                    succeeded = 1;
                } else {
                    CU_ASSERT_EQUAL(st, BN_ENOMEM);
                    CU_ASSERT_EQUAL(bignum_cmp(&out, &before), 0);
                    CU_ASSERT_EQUAL(test_alloc_live_blocks(), live);
                }
                bignum_clear(&out);
            }
            CU_ASSERT(succeeded);
        }
        /* to_decimal: *out and *len untouched on failure */
        for (unsigned long k = 1; k < 1000; k++) {
            char *s = (char *)buf;
            size_t slen = 12345;
            test_alloc_fail_at(k, 0);
            int st = bignum_to_decimal(&a, &s, &slen);
            test_alloc_fail_at(0, 0);
            if (st == BN_OK) {
                bignum_free_string(s, slen + 1);
                break;
            }
            CU_ASSERT(st == BN_ENOMEM && s == (char *)buf && slen == 12345);
        }
        /* reserve and set: the value stays */
        bignum r;
        bignum_init(&r);
        CU_ASSERT_EQUAL(bignum_set_u64(&r, 77), BN_OK);
        test_alloc_fail_at(1, 1);
        CU_ASSERT_EQUAL(bignum_reserve(&r, 1000), BN_ENOMEM);
        CU_ASSERT(r.size == 1 && r.limbs[0] == 77);
        test_alloc_fail_at(0, 0);
        bignum_clear(&r);
        test_alloc_fail_at(1, 1);
        CU_ASSERT_EQUAL(bignum_set_u64(&r, 5), BN_ENOMEM);
        CU_ASSERT(bignum_is_zero(&r));
        test_alloc_fail_at(0, 0);
        bignum_free_string(digits, dlen + 1);
        free(buf);
        bignum_clear(&a), bignum_clear(&b), bignum_clear(&before);
    }
    ASSERT_NO_LEAK();
}

/* Sizes no memory can hold are refused before any size arithmetic on them
 * can wrap: BN_ENOMEM, the output unchanged, the allocator never asked. */
static void test_impossible_sizes_are_refused_as_enomem(void)
{
    bignum r, three;
    bignum_init(&r), bignum_init(&three);
    CU_ASSERT_EQUAL_FATAL(bignum_set_u64(&r, 77), BN_OK);
    CU_ASSERT_EQUAL_FATAL(bignum_set_u64(&three, 3), BN_OK);
    unsigned long calls = test_alloc_calls();
    CU_ASSERT_EQUAL(bignum_reserve(&r, SIZE_MAX / sizeof(bn_limb) + 1), BN_ENOMEM);
    CU_ASSERT_EQUAL(bignum_reserve(&r, SIZE_MAX), BN_ENOMEM);
    /* operands that claim 2^58 limbs (their limbs are never read) */
    bn_limb one = 1;
    bignum huge = {&one, SIZE_MAX / 64, SIZE_MAX / 64};
    CU_ASSERT_EQUAL(bignum_mul(&r, &huge, &huge), BN_ENOMEM);
    CU_ASSERT_EQUAL(bignum_mul(&r, &huge, &three), BN_ENOMEM);
    CU_ASSERT_EQUAL(bignum_pow_u64(&r, &three, UINT64_MAX), BN_ENOMEM);
    CU_ASSERT_EQUAL(test_alloc_calls(), calls);
    CU_ASSERT(r.size == 1 && r.limbs[0] == 77);
    CU_ASSERT_EQUAL(bignum_set_u64(&r, 1), BN_OK); /* 1^e stays one limb for any e */
    CU_ASSERT_EQUAL(bignum_pow_u64(&r, &r, UINT64_MAX), BN_OK);
    CU_ASSERT(r.size == 1 && r.limbs[0] == 1);
    bignum_clear(&r), bignum_clear(&three);
    ASSERT_NO_LEAK();
}

/* ---- the test allocator itself ------------------------------------------- */

static void test_the_test_allocator_sees_leaks_and_overruns(void)
{
    unsigned long problems = test_alloc_problems();
    size_t live = test_alloc_live_blocks();
    unsigned char *p = test_alloc(10);
    CU_ASSERT_EQUAL(test_alloc_live_blocks(), live + 1);
    p[10] = 0; /* one byte past the end */
    test_free(p, 10);
    CU_ASSERT_EQUAL(test_alloc_problems(), problems + 1);
    p = test_alloc(10);
    test_free(p, 11); /* the wrong size */
    CU_ASSERT_EQUAL(test_alloc_problems(), problems + 2);
    CU_ASSERT_EQUAL(test_alloc_live_blocks(), live);
    test_alloc_fail_at(2, 0);
    void *ok = test_alloc(1), *refused = test_alloc(1), *again = test_alloc(1);
    CU_ASSERT(ok && !refused && again);
    test_free(ok, 1);
    test_free(again, 1);
    CU_ASSERT(strstr(test_alloc_first_problem(), "red zone") != NULL);
    /* These problems were made on purpose: forget them so the suite can pass. */
    test_alloc_clear_problems();
}

/* ---- suite --------------------------------------------------------------- */

int main(void)
{
    uint64_t seed = test_seed("test_bignum", 20240601);
    rng_state = seed;
    printf("test_bignum: seed %" PRIu64 " (set CS_TEST_SEED to repeat or vary); thresholds "
           "karatsuba %d, toom3 %d, ntt %d, sqr %d/%d/%d\n",
           seed, BN_KARATSUBA_THRESHOLD, BN_TOOM3_THRESHOLD, BN_NTT_THRESHOLD,
           BN_SQR_KARATSUBA_THRESHOLD, BN_SQR_TOOM3_THRESHOLD, BN_SQR_NTT_THRESHOLD);
    test_alloc_install();
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("bignum", NULL, NULL);
    CU_add_test(s, "the test allocator sees leaks and overruns", test_the_test_allocator_sees_leaks_and_overruns);
    CU_add_test(s, "add and sub match GMP with carries and aliasing", test_add_sub_match_gmp_with_carries_and_aliasing);
    CU_add_test(s, "word products match GMP", test_word_products_match_gmp);
    CU_add_test(s, "word division matches GMP", test_word_division_matches_gmp);
    CU_add_test(s, "shifts, compare and exact thirds", test_shifts_compare_and_exact_thirds);
    CU_add_test(s, "schoolbook matches GMP at every small size", test_schoolbook_matches_gmp_at_every_small_size);
    CU_add_test(s, "mul matches GMP across every threshold", test_mul_matches_gmp_across_every_threshold);
    CU_add_test(s, "sqr matches GMP across every threshold", test_sqr_matches_gmp_across_every_threshold);
    CU_add_test(s, "ntt matches GMP at every length", test_ntt_matches_gmp_at_every_length);
    CU_add_test(s, "ntt matches GMP just past each length", test_ntt_matches_gmp_just_past_each_length);
    CU_add_test(s, "mul beyond one transform matches GMP", test_mul_beyond_one_transform_matches_gmp);
    CU_add_test(s, "mul beyond one transform keeps residues", test_mul_beyond_one_transform_keeps_residues);
    CU_add_test(s, "ntt is exact at its largest length", test_ntt_is_exact_at_its_largest_length);
    CU_add_test(s, "ntt is exact in every rounding mode", test_ntt_is_exact_in_every_rounding_mode);
    CU_add_test(s, "Newton reciprocal and division match GMP", test_newton_reciprocal_and_division_match_gmp);
    CU_add_test(s, "bignum_mul matches GMP and allows aliasing", test_bignum_mul_matches_gmp_and_allows_aliasing);
    CU_add_test(s, "bignum_mul_u64 matches GMP", test_bignum_mul_u64_matches_gmp);
    CU_add_test(s, "pow matches GMP and 0^0 is 1", test_pow_matches_gmp_and_zero_to_the_zero_is_one);
    CU_add_test(s, "compare, bits and residues match GMP", test_compare_bits_and_residues_match_gmp);
    CU_add_test(s, "products commute, associate and distribute", test_products_commute_associate_and_distribute);
    CU_add_test(s, "pack round-trips in the documented format", test_pack_round_trips_in_the_documented_format);
    CU_add_test(s, "unpack rejects every corrupt buffer", test_unpack_rejects_every_corrupt_buffer);
    CU_add_test(s, "decimal matches GMP and round-trips", test_decimal_matches_gmp_and_round_trips);
    CU_add_test(s, "from_decimal reads leading zeros and refuses non-digits", test_from_decimal_reads_leading_zeros_and_refuses_non_digits);
    CU_add_test(s, "allocation failure reports ENOMEM and changes nothing", test_allocation_failure_reports_enomem_and_changes_nothing);
    CU_add_test(s, "impossible sizes are refused as ENOMEM", test_impossible_sizes_are_refused_as_enomem);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    /* The suite's own allocations must all be back, with every red zone whole. */
    int leaked = test_alloc_report("test_bignum");
    test_alloc_uninstall();
    return failed || leaked ? 1 : 0;
}
