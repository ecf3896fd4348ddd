/* bignum_mul_group by primes: two to six members share the transform product's three primes. */
#include <assert.h>
#include <string.h>

#include "bignum_group.h"

/*
 * The transform product is three independent cyclic products, one per prime,
 * then Garner's step per coefficient. So members can split the primes, and a
 * prime in two halves: its product modulo X^(n/2) - 1 and X^(n/2) + 1, whose
 * results add up (bignum_ntt.c). Six units, a whole prime being two, shared
 * as evenly as they go: two members a prime and a half each (a two-and-one
 * split left one member waiting a third of the time: the 70M-bit product on
 * two members took 0.112 s against 0.132 on one), three a prime each, four a
 * prime, a prime and a half each of the third, five a prime and four halves,
 * six a half each. The largest share is then a third of the transforms at
 * four and five members, against about (1 + 1/g) / 2 of the whole product by
 * slices, and the split transform's 2.5 times an even share. Each member gets
 * both operands whole, makes its share as one product's rounds (bignum_ntt.c's
 * own product, with its threads), sends every member what it made of that
 * member's coefficients (a halved prime's from both its members, which the
 * receiver adds), and runs Garner's step on its own limbs. Three exchanges
 * after the places: the operands, the residues, the overflows.
 */

/* Member q's share: the primes it makes whole (bits), and the half it makes, if any. The
 * member with the wrapped layout's small product makes it with its half (half 0), as the
 * other twists and untwists its own (a pass more). For the 70M-bit product, alone: prime
 * 0, a half and the small one 0.063 s; prime 2 and the other half 0.065 s; a prime 0.036 s,
 * a half 0.023-0.025 s (thread CPU time). */
typedef struct prime_share {
    unsigned primes;
    ntt_half_share half; /* prime -1: none */
} prime_share;

#define WHOLE(p) {1u << (p), {-1, 0, 0}}
#define HALF(p, h) {0, {(p), (h), (h) == 0}}
static const prime_share shares[BN_GROUP_PRIMES_MEMBERS + 1][BN_GROUP_PRIMES_MEMBERS] = {
    [2] = {{1u << 0, {1, 0, 1}}, {1u << 2, {1, 1, 0}}},
    [3] = {WHOLE(0), WHOLE(1), WHOLE(2)},
    [4] = {WHOLE(0), WHOLE(1), HALF(2, 0), HALF(2, 1)},
    [5] = {WHOLE(0), HALF(1, 0), HALF(1, 1), HALF(2, 0), HALF(2, 1)},
    [6] = {HALF(0, 0), HALF(0, 1), HALF(1, 0), HALF(1, 1), HALF(2, 0), HALF(2, 1)},
};

static const prime_share *share_of(const group_plan *pl, unsigned q)
{
    assert(pl->g >= 2 && pl->g <= BN_GROUP_PRIMES_MEMBERS && q < pl->g);
    return &shares[pl->g][q];
}

/* The primes member q makes whole, as bits. */
static unsigned primes_of(const group_plan *pl, unsigned q)
{
    return share_of(pl, q)->primes;
}

/* The half of a prime member q makes, or NULL. */
static const ntt_half_share *half_of(const group_plan *pl, unsigned q)
{
    const ntt_half_share *half = &share_of(pl, q)->half;
    return half->prime >= 0 ? half : NULL;
}

/* The primes member q sends residues of (whole or its half), as bits. */
static unsigned sends_of(const group_plan *pl, unsigned q)
{
    const ntt_half_share *half = half_of(pl, q);
    return primes_of(pl, q) | (half ? 1u << half->prime : 0);
}

/* Every member wants both operands whole. */
static void whole_wants(const group_plan *pl, unsigned q, int is_a, size_t *lo, size_t *hi)
{
    (void)q;
    *lo = 0;
    *hi = is_a ? pl->na : pl->nb;
}

/* Member q's coefficients: its limbs of the product, below the top one (which only
 * a carry fills). */
static size_t coefficients_of(const group_plan *pl, unsigned q, size_t *lo)
{
    const member_share *m = &pl->m[q];
    size_t hi = m->o1 < pl->coeffs ? m->o1 : pl->coeffs;
    *lo = m->o0;
    return hi > m->o0 ? hi - m->o0 : 0;
}

/* Every member's residues of each member's coefficients, into X[prime] (this
 * member's coefficients, from its first), a prime's from two members added (each
 * below 2p, their sum below 4p as Garner's step takes them). Its own are taken
 * straight from res, not sent to itself. */
static int trade_residues(const bignum_group *g, const group_plan *pl,
                          const bn_limb *const res[3], bn_limb *const X[3], int st)
{
    unsigned mine = sends_of(pl, pl->me), got = 0;
    trade t = {0};
    int rc = st == BN_OK ? bn_trade_counts(&t, g->size) : st;
    size_t lo, my_lo, my_count = coefficients_of(pl, pl->me, &my_lo);
    for (unsigned q = 0; rc == BN_OK && q < g->size; q++) {
        if (q == pl->me)
            continue;
        size_t count = coefficients_of(pl, q, &lo);
        t.sw[q] = count * (size_t)__builtin_popcount(mine);
        t.rw[q] = my_count * (size_t)__builtin_popcount(sends_of(pl, q));
    }
    if (rc == BN_OK)
        rc = bn_trade_buffers(&t, g->size);
    bn_limb *out = rc == BN_OK ? t.send : NULL;
    for (unsigned q = 0; out && q < g->size; q++) {
        size_t count = coefficients_of(pl, q, &lo);
        for (int p = 0; p < 3 && q != pl->me; p++)
            if (mine >> p & 1) {
                bn_copy(out, count ? res[p] + lo : NULL, count);
                out += count;
            }
    }
    int traded = bn_trade_run(g, &t, rc != BN_OK);
    rc = bn_after_trade(rc, traded);
    const bn_limb *in = t.recv;
    for (unsigned q = 0; rc == BN_OK && q < g->size; q++)
        for (int p = 0; p < 3; p++)
            if (sends_of(pl, q) >> p & 1) {
                const bn_limb *from = q == pl->me ? (my_count ? res[p] + my_lo : NULL) : in;
                if (got >> p & 1)
                    for (size_t k = 0; k < my_count; k++)
                        X[p][k] += from[k];
                else
                    bn_copy(X[p], from, my_count);
                got |= 1u << p;
                if (q != pl->me)
                    in += my_count;
            }
    bn_trade_free(&t, g->size);
    return rc;
}

/* Garner's step on this member's coefficients, in parts for its threads. */
typedef struct garner_job {
    const ntt_crt *crt;
    bn_limb *const *X;
    bn_limb *R;
    size_t count;
    bn_limb *carry; /* two words per part */
} garner_job;

static void part_garner(void *arg, unsigned part)
{
    garner_job *j = arg;
    size_t lo = (size_t)part * BN_NTT_CRT_RANGE;
    size_t hi = j->count - lo < BN_NTT_CRT_RANGE ? j->count : lo + BN_NTT_CRT_RANGE;
    bn_ntt_crt_range(j->crt, j->R, j->X, lo, hi, j->carry + 2 * (size_t)part);
}

static void run_garner(garner_job *j, size_t cap, const bignum_helpers *h)
{
    size_t parts = group_ceil_div(j->count, BN_NTT_CRT_RANGE);
    assert(parts <= ~0u);
    if (h)
        h->run(h->ctx, (unsigned)parts, part_garner, j);
    else
        for (size_t p = 0; p < parts; p++)
            part_garner(j, (unsigned)p);
    /* each part's carry at the next part's start (the last's above the coefficients) */
    for (size_t p = 0; p < parts; p++) {
        size_t end = (p + 1) * BN_NTT_CRT_RANGE < j->count ? (p + 1) * BN_NTT_CRT_RANGE : j->count;
        bn_group_add_at(j->R, cap, end, j->carry[2 * p]);
        bn_group_add_at(j->R, cap, end + 1, j->carry[2 * p + 1]);
    }
}

int bn_group_by_primes(const bignum_group *g, const group_plan *pl, const bignum *a,
                       const bignum *b, bignum *r, const bignum_helpers *h)
{
    bignum A, B;
    bignum_init(&A);
    bignum_init(&B);
    size_t at;
    int st = bn_group_operands(g, pl, whole_wants, a, b, &A, &at, &B, &at, BN_OK);
    /* the longer first, as the transform product takes them */
    const bignum *x = &A, *y = &B;
    if (x->size < y->size)
        x = &B, y = &A;
    unsigned mine = primes_of(pl, pl->me);
    /* one scratch for all: each prime's residues and room are its own part of it */
    size_t sn = st == BN_OK ? bn_ntt_scratch_helped(x->size, y->size) : 0, n = 0;
    bn_limb *scratch = st == BN_OK ? bignum_alloc_limbs(sn) : NULL;
    if (st == BN_OK && !scratch)
        st = BN_ENOMEM;
    const bn_limb *res[3] = {NULL, NULL, NULL};
    if (st == BN_OK)
        bn_ntt_prime_residues(mine, half_of(pl, pl->me), x->limbs, x->size, y->limbs, y->size,
                              scratch, h, res, &n);
    bignum_clear(&A);
    bignum_clear(&B);
    size_t lo, count = coefficients_of(pl, pl->me, &lo);
    bn_limb *X[3] = {NULL, NULL, NULL};
    for (int p = 0; p < 3 && st == BN_OK; p++)
        if (!(X[p] = bignum_alloc_limbs(count + 1)))
            st = BN_ENOMEM;
    st = trade_residues(g, pl, res, X, st);
    bignum_free_limbs(scratch, sn);
    size_t len, cap;
    bn_limb *R = bn_group_limbs(pl, &len, &cap, &st);
    size_t parts = group_ceil_div(count, BN_NTT_CRT_RANGE);
    bn_limb *carry = st == BN_OK ? bignum_alloc_limbs(2 * parts + 1) : NULL;
    if (st == BN_OK && !carry)
        st = BN_ENOMEM;
    ntt_crt *crt = st == BN_OK ? bn_ntt_crt_new(n, bn_ntt_level()) : NULL;
    if (st == BN_OK && !crt)
        st = BN_ENOMEM;
    if (st == BN_OK && count) {
        garner_job j = {crt, X, R, count, carry};
        run_garner(&j, len + BN_GROUP_OVERFLOW_WORDS, h);
    }
    bn_ntt_crt_free(crt);
    bignum_free_limbs(carry, 2 * parts + 1);
    for (int p = 0; p < 3; p++)
        bignum_free_limbs(X[p], count + 1);
    st = bn_group_overflow(g, pl, R, st);
    st = bn_group_piece(r, R, len, pl, st);
    bignum_free_limbs(R, cap);
    return st;
}
