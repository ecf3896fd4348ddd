/* bignum_mul_group by primes: two to sixteen members share the transform product's three primes. */
#include <assert.h>
#include <string.h>

#include "bignum_group.h"

/*
 * The transform product is three independent cyclic products, one per prime,
 * then Garner's step per coefficient. So members can split the primes, and a
 * prime in parts: halves, its product modulo X^(n/2) - 1 and X^(n/2) + 1, or
 * quarters, modulo X^(n/4) - c for the four fourth roots of unity c, whose
 * results add up (bignum_ntt.c); half q is quarters q and q + 2 at once, so a
 * prime may also go as a half and two quarters. Twelve quarter units, a whole prime
 * being four, shared as evenly as a member with at most one part (beside
 * whole primes) allows: two members a prime and a half each (a two-and-one
 * split left one member waiting a third of the time: the 70M-bit product on
 * two members took 0.112 s against 0.132 on one), three a prime each, four a
 * prime, a prime and a half each of the third, five a prime and four halves
 * (quarters cannot help there: no member holds three quarter units, so a
 * share of a third remains), six a half each; seven to eleven as many halves
 * as the twelve units leave room for beside a quarter each for the rest (the
 * largest share a sixth), twelve and more a quarter each (a twelfth; members
 * past the twelfth make none, but still run Garner's step on their limbs).
 * The split transform's largest share is about 2.5 times an even one. Each
 * member gets both operands whole, makes its share as one product's rounds
 * (bignum_ntt.c's own product, with its threads), sends every member what it
 * made of that member's coefficients (a split prime's from all its parts'
 * members, which the receiver adds), and runs Garner's step on its own limbs.
 * Three exchanges after the places: the operands, the residues, the overflows.
 */

/* Member q's share: the primes it makes whole (bits), and the part of another it makes, if
 * any. The wrapped layout's small product goes with part 0 of a prime in halves or quarters
 * (it twists nothing, where the other parts twist and untwist: a pass more each), and with
 * the first quarter of a prime made as a half and two quarters (the half is the larger share).
 * For the 70M-bit product, alone: prime 0, a half and the small one 0.063 s; prime 2 and the
 * other half 0.065 s; a prime 0.036 s, a half 0.023-0.025 s (thread CPU time). Later, with
 * the twists scalar: a prime 0.035 s, half 0 0.019 s (0.022 with the small one), half 1 0.025;
 * quarter 0 0.012 s (0.0145 with the small one), quarters 1-3 0.0145 s (0.017 with it): a
 * quarter costs 0.6 of a half, its own pass over the operands and over the results not
 * shrinking with it. */
typedef struct prime_share {
    unsigned primes;
    ntt_part_share part; /* parts 0: none */
} prime_share;

/* The most members the table below shares a product among (BN_GROUP_PRIMES_MEMBERS at most). */
#define PRIME_SHARES_MEMBERS 16
_Static_assert(BN_GROUP_PRIMES_MEMBERS <= PRIME_SHARES_MEMBERS,
               "by primes, a group has at most as many members as the shares below name");

#define WHOLE(p) {1u << (p), {0, 0, 0, 0}}
#define PART(p, d, q, small) {0, {(p), (d), (q), (small)}}
#define HALF(p, h) PART(p, 2, h, (h) == 0)
#define HALVES(p) HALF(p, 0), HALF(p, 1)
#define QUARTERS(p) PART(p, 4, 0, 1), PART(p, 4, 1, 0), PART(p, 4, 2, 0), PART(p, 4, 3, 0)
#define HALF_AND_QUARTERS(p) PART(p, 2, 0, 0), PART(p, 4, 1, 1), PART(p, 4, 3, 0)
static const prime_share shares[PRIME_SHARES_MEMBERS + 1][PRIME_SHARES_MEMBERS] = {
    [2] = {{1u << 0, {1, 2, 0, 1}}, {1u << 2, {1, 2, 1, 0}}},
    [3] = {WHOLE(0), WHOLE(1), WHOLE(2)},
    [4] = {WHOLE(0), WHOLE(1), HALVES(2)},
    [5] = {WHOLE(0), HALVES(1), HALVES(2)},
    [6] = {HALVES(0), HALVES(1), HALVES(2)},
    [7] = {HALVES(0), HALVES(1), HALF_AND_QUARTERS(2)},
    [8] = {HALVES(0), HALVES(1), QUARTERS(2)},
    [9] = {HALVES(0), HALF_AND_QUARTERS(1), QUARTERS(2)},
    [10] = {HALVES(0), QUARTERS(1), QUARTERS(2)},
    [11] = {HALF_AND_QUARTERS(0), QUARTERS(1), QUARTERS(2)},
    [12] = {QUARTERS(0), QUARTERS(1), QUARTERS(2)},
    [13] = {QUARTERS(0), QUARTERS(1), QUARTERS(2)},
    [14] = {QUARTERS(0), QUARTERS(1), QUARTERS(2)},
    [15] = {QUARTERS(0), QUARTERS(1), QUARTERS(2)},
    [16] = {QUARTERS(0), QUARTERS(1), QUARTERS(2)},
};

static const prime_share *share_of(unsigned g, unsigned q)
{
    assert(g >= 2 && g <= BN_GROUP_PRIMES_MEMBERS && q < g);
    return &shares[g][q];
}

/* The primes member q makes whole, as bits. */
static unsigned primes_of(const group_plan *pl, unsigned q)
{
    return share_of(pl->g, q)->primes;
}

/* The part of a prime member q makes, or NULL. */
static const ntt_part_share *part_of(const group_plan *pl, unsigned q)
{
    const ntt_part_share *part = &share_of(pl->g, q)->part;
    return part->parts ? part : NULL;
}

/* The primes member q sends residues of (whole or its part), as bits. */
static unsigned sends_of(const group_plan *pl, unsigned q)
{
    const ntt_part_share *part = part_of(pl, q);
    return primes_of(pl, q) | (part ? 1u << part->prime : 0);
}

int bn_group_primes_fit(unsigned g, size_t na, size_t nb)
{
    if (g < 2 || g > BN_GROUP_PRIMES_MEMBERS || !na || !nb || na + nb > bn_ntt_max_limbs())
        return 0;
    unsigned finest = 0;
    for (unsigned q = 0; q < g; q++)
        if (share_of(g, q)->part.parts > finest)
            finest = share_of(g, q)->part.parts;
    return !finest || bn_ntt_parts_fit(na, nb, finest);
}

/* Every member that makes residues wants both operands whole; the others nothing. */
static void whole_wants(const group_plan *pl, unsigned q, int is_a, size_t *lo, size_t *hi)
{
    *lo = 0;
    *hi = !sends_of(pl, q) ? 0 : is_a ? pl->na : pl->nb;
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

/* A split prime's part added into the first's place, modulo 2p, in ranges for the
 * member's threads. */
typedef struct residue_sum {
    bn_limb *x;
    const bn_limb *from;
    size_t count;
    bn_limb twice; /* 2p */
} residue_sum;

#define RESIDUE_SUM_RANGE 32768

static void part_residue_sum(void *arg, unsigned part)
{
    const residue_sum *j = arg;
    size_t lo = (size_t)part * RESIDUE_SUM_RANGE;
    size_t hi = j->count - lo < RESIDUE_SUM_RANGE ? j->count : lo + RESIDUE_SUM_RANGE;
    for (size_t k = lo; k < hi; k++) {
        bn_limb sum = j->x[k] + j->from[k];
        j->x[k] = sum >= j->twice ? sum - j->twice : sum;
    }
}

/* Every member's residues of each member's coefficients: X[prime] points at this
 * member's coefficients of it, from its first, where they arrived (in t's receive
 * buffer) or in res for its own, not copied; a split prime's parts are added into
 * the first part's place modulo 2p as they come (each below 2p: four parts' sum
 * would pass the 4p Garner's step takes). Its own are not sent to itself. X stays
 * valid until t and res are freed (the caller frees t, zeroed or not). */
static int trade_residues(const bignum_group *g, const group_plan *pl, bn_limb *const res[3],
                          bn_limb *X[3], trade *tr, int st, const bignum_helpers *h)
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
    group_copies copies = {.h = h};
    bn_limb *out = rc == BN_OK ? t.send : NULL;
    for (unsigned q = 0; out && q < g->size; q++) {
        size_t count = coefficients_of(pl, q, &lo);
        for (int p = 0; p < 3 && q != pl->me; p++)
            if (mine >> p & 1) {
                bn_group_copy(&copies, out, count ? res[p] + lo : NULL, count);
                out += count;
            }
    }
    bn_group_copies_run(&copies);
    int traded = bn_trade_run(g, &t, rc != BN_OK);
    rc = bn_after_trade(rc, traded);
    bn_limb *in = t.recv;
    for (unsigned q = 0; rc == BN_OK && q < g->size; q++)
        for (int p = 0; p < 3; p++)
            if (sends_of(pl, q) >> p & 1) {
                bn_limb *from = q == pl->me ? (my_count ? res[p] + my_lo : NULL) : in;
                if (got >> p & 1) {
                    residue_sum sum = {X[p], from, my_count, 2 * bn_ntt_prime(p)};
                    bn_group_run_parts(h, group_ceil_div(my_count, RESIDUE_SUM_RANGE),
                                       part_residue_sum, &sum);
                } else
                    X[p] = from;
                got |= 1u << p;
                if (q != pl->me)
                    in += my_count;
            }
    *tr = t;
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
    bn_group_run_parts(h, parts, part_garner, j);
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
    int st = bn_group_operands(g, pl, whole_wants, a, b, &A, &at, &B, &at, BN_OK, h);
    /* the longer first, as the transform product takes them; at the plan's sizes, which every
     * member knows (A and B have room for them, zero above their own) */
    int a_first = pl->na >= pl->nb;
    const bignum *x = a_first ? &A : &B, *y = a_first ? &B : &A;
    size_t xn = a_first ? pl->na : pl->nb, yn = a_first ? pl->nb : pl->na;
    int makes = sends_of(pl, pl->me) != 0;
    /* one scratch for all: each prime's residues and room are its own part of it */
    size_t sn = st == BN_OK && makes ? bn_ntt_scratch_helped(xn, yn) : 0;
    size_t n = bn_ntt_residues_length(xn, yn);
    bn_limb *scratch = sn ? bignum_alloc_limbs(sn) : NULL;
    if (sn && !scratch)
        st = BN_ENOMEM;
    bn_limb *res[3] = {NULL, NULL, NULL};
    if (st == BN_OK && makes)
        bn_ntt_prime_residues(primes_of(pl, pl->me), part_of(pl, pl->me), x->limbs, xn, y->limbs,
                              yn, scratch, h, res, &n);
    bignum_clear(&A);
    bignum_clear(&B);
    size_t lo, count = coefficients_of(pl, pl->me, &lo);
    /* Garner's step reads the residues where they are: in the scratch and the trade's
     * buffer, both kept until it is done (copying them out cost a pass over 3 words a
     * coefficient) */
    bn_limb *X[3] = {NULL, NULL, NULL};
    trade t = {0};
    st = trade_residues(g, pl, res, X, &t, st, h);
    size_t len, cap;
    bn_limb *R = bn_group_limbs(pl, &len, &cap, &st, h);
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
    bn_trade_free(&t, g->size);
    bignum_free_limbs(scratch, sn);
    st = bn_group_overflow(g, pl, R, st);
    st = bn_group_piece(r, R, len, pl, st, h);
    bignum_free_limbs(R, cap);
    return st;
}
