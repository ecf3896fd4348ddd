/* bignum_mul_group by slices: each member multiplies its slice of the longer operand by all of the shorter. */
#include <assert.h>
#include <string.h>

#include "bignum_group.h"

/*
 * For small groups: member q makes x_q y, x_q its slice of the longer
 * operand x (limbs [s_q, s_(q+1))) and y the whole shorter one, a local
 * product with its threads; the products overlap (each spans its slice and
 * y's length), so each goes to the members holding those limbs of the
 * result, which add them up. Three exchanges after the places: the
 * operands' limbs, the products, the overflows.
 */

/* Member q's slice of the sliced operand: limbs [lo, hi). */
static void slice_of(const group_plan *pl, unsigned q, size_t *lo, size_t *hi)
{
    size_t n = pl->a_sliced ? pl->na : pl->nb;
    *lo = share_at(n, q, pl->g);
    *hi = share_at(n, q + 1, pl->g);
}

/* Member q wants its slice of the sliced operand and all of the other. */
static void slice_wants(const group_plan *pl, unsigned q, int is_a, size_t *lo, size_t *hi)
{
    if (is_a == pl->a_sliced) {
        slice_of(pl, q, lo, hi);
    } else {
        *lo = 0;
        *hi = is_a ? pl->na : pl->nb;
    }
}

/* r[at..) += v[0..n), the carry rippling up within cap. */
static void add_run(bn_limb *r, size_t cap, size_t at, const bn_limb *v, size_t n)
{
    bn_limb carry = 0;
    for (size_t i = 0; i < n; i++) {
        bn_dlimb s = (bn_dlimb)r[at + i] + v[i] + carry;
        r[at + i] = (bn_limb)s;
        carry = (bn_limb)(s >> 64);
    }
    bn_group_add_at(r, cap, at + n, carry);
}

/* Member q's product's limbs within [lo, hi): those of [its slice's start,
 * its end + the whole operand's length), the room its product can fill. */
static size_t product_room(const group_plan *pl, unsigned q, size_t lo, size_t hi, size_t *from)
{
    size_t s0, s1, ny = pl->a_sliced ? pl->nb : pl->na;
    slice_of(pl, q, &s0, &s1);
    *from = s0 > lo ? s0 : lo;
    size_t to = s1 + ny < hi ? s1 + ny : hi;
    return to > *from ? to - *from : 0;
}

/* Each member's product (B^p_at prod) to the members holding its limbs, who
 * add them up in R (zeroed, their limbs and the overflow words above). Every
 * product is sent as its room (zeros where it is shorter), so both ends know
 * the counts. */
static int trade_sums(const bignum_group *g, const group_plan *pl, const bignum *prod,
                      size_t p_at, bn_limb *R, int st)
{
    const member_share *me = &pl->m[pl->me];
    size_t from;
    trade t = {0};
    int rc = st == BN_OK ? bn_trade_counts(&t, g->size) : st;
    for (unsigned q = 0; rc == BN_OK && q < g->size; q++) {
        t.sw[q] = product_room(pl, pl->me, pl->m[q].o0, pl->m[q].o1, &from);
        t.rw[q] = product_room(pl, q, me->o0, me->o1, &from);
    }
    if (rc == BN_OK)
        rc = bn_trade_buffers(&t, g->size);
    bn_limb *out = rc == BN_OK ? t.send : NULL;
    for (unsigned q = 0; out && q < g->size; q++) {
        size_t words = product_room(pl, pl->me, pl->m[q].o0, pl->m[q].o1, &from);
        for (size_t i = 0; i < words; i++) {
            size_t k = from + i - p_at;
            out[i] = k < prod->size ? prod->limbs[k] : 0;
        }
        out += words;
    }
    int traded = bn_trade_run(g, &t, rc != BN_OK);
    rc = bn_after_trade(rc, traded);
    if (rc == BN_OK) {
        size_t cap = me->o1 - me->o0 + BN_GROUP_OVERFLOW_WORDS;
        const bn_limb *in = t.recv;
        for (unsigned q = 0; q < g->size; q++) {
            size_t words = product_room(pl, q, me->o0, me->o1, &from);
            if (words)
                add_run(R, cap, from - me->o0, in, words);
            in += words;
        }
    }
    bn_trade_free(&t, g->size);
    return rc;
}

int bn_group_by_slices(const bignum_group *g, const group_plan *pl, const bignum *a,
                          const bignum *b, bignum *r, const bignum_helpers *h)
{
    bignum x, y, prod;
    bignum_init(&x);
    bignum_init(&y);
    bignum_init(&prod);
    size_t a_at = 0, b_at = 0;
    int st = pl->a_sliced
                 ? bn_group_operands(g, pl, slice_wants, a, b, &x, &a_at, &y, &b_at, BN_OK, h)
                 : bn_group_operands(g, pl, slice_wants, a, b, &y, &a_at, &x, &b_at, BN_OK, h);
    size_t x_at = pl->a_sliced ? a_at : b_at;
    if (st == BN_OK && bignum_mul_helped(&prod, &x, &y, h) != BN_OK)
        st = BN_ENOMEM;
    bignum_clear(&x);
    bignum_clear(&y);
    size_t len, cap;
    bn_limb *R = bn_group_limbs(pl, &len, &cap, &st, h);
    st = trade_sums(g, pl, &prod, x_at, R, st);
    bignum_clear(&prod);
    st = bn_group_overflow(g, pl, R, st);
    st = bn_group_piece(r, R, len, pl, st, h);
    bignum_free_limbs(R, cap);
    return st;
}

