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

/* What member q gets from a piece [at, at + len) of operand `is_a`: all of the
 * whole operand, the part in its slice of the sliced one. */
static void piece_for(const group_plan *pl, unsigned q, int is_a, size_t at, size_t len,
                      size_t *lo, size_t *hi)
{
    *lo = at;
    *hi = at + len;
    if (is_a == pl->a_sliced) {
        size_t s0, s1;
        slice_of(pl, q, &s0, &s1);
        *lo = *lo > s0 ? *lo : s0;
        *hi = *hi < s1 ? *hi : s1;
    }
    if (*hi < *lo)
        *hi = *lo;
}

/* The operands' limbs each member needs, from their holders: x its slice
 * (limbs from x_at on), y the whole of the other operand. */
static int trade_slices(const bignum_group *g, const group_plan *pl, const bignum *a,
                        const bignum *b, bignum *x, size_t *x_at, bignum *y, int st)
{
    const member_share *me = &pl->m[pl->me];
    size_t s0, s1, ny = pl->a_sliced ? pl->nb : pl->na;
    slice_of(pl, pl->me, &s0, &s1);
    trade t = {0};
    int rc = st == BN_OK ? bn_trade_counts(&t, g->size) : st;
    for (unsigned q = 0; rc == BN_OK && q < g->size; q++) {
        const member_share *m = &pl->m[q];
        size_t lo, hi;
        piece_for(pl, q, 1, me->a_at, me->a_len, &lo, &hi);
        t.sw[q] = hi - lo;
        piece_for(pl, q, 0, me->b_at, me->b_len, &lo, &hi);
        t.sw[q] += hi - lo;
        piece_for(pl, pl->me, 1, m->a_at, m->a_len, &lo, &hi);
        t.rw[q] = hi - lo;
        piece_for(pl, pl->me, 0, m->b_at, m->b_len, &lo, &hi);
        t.rw[q] += hi - lo;
    }
    if (rc == BN_OK)
        rc = bn_trade_buffers(&t, g->size);
    if (rc == BN_OK && (bignum_reserve(x, s1 - s0 + 1) != BN_OK || bignum_reserve(y, ny + 1) != BN_OK))
        rc = BN_ENOMEM;
    bn_limb *out = rc == BN_OK ? t.send : NULL;
    for (unsigned q = 0; out && q < g->size; q++) {
        size_t lo, hi;
        piece_for(pl, q, 1, me->a_at, me->a_len, &lo, &hi);
        bn_copy(out, a ? a->limbs + (lo - me->a_at) : NULL, hi - lo);
        out += hi - lo;
        piece_for(pl, q, 0, me->b_at, me->b_len, &lo, &hi);
        bn_copy(out, b ? b->limbs + (lo - me->b_at) : NULL, hi - lo);
        out += hi - lo;
    }
    int traded = bn_trade_run(g, &t, rc != BN_OK);
    rc = bn_after_trade(rc, traded);
    if (rc == BN_OK) {
        bn_zero(x->limbs, s1 - s0);
        bn_zero(y->limbs, ny);
        const bn_limb *in = t.recv;
        for (unsigned q = 0; q < g->size; q++) {
            const member_share *m = &pl->m[q];
            for (int is_a = 1; is_a >= 0; is_a--) {
                size_t lo, hi;
                piece_for(pl, pl->me, is_a, is_a ? m->a_at : m->b_at, is_a ? m->a_len : m->b_len,
                          &lo, &hi);
                if (is_a == pl->a_sliced)
                    bn_copy(x->limbs + (lo - s0), in, hi - lo);
                else
                    bn_copy(y->limbs + lo, in, hi - lo);
                in += hi - lo;
            }
        }
        x->size = s1 - s0;
        y->size = ny;
        while (x->size && x->limbs[x->size - 1] == 0)
            x->size--;
        while (y->size && y->limbs[y->size - 1] == 0)
            y->size--;
        *x_at = s0;
    }
    bn_trade_free(&t, g->size);
    return rc;
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
    size_t x_at = 0;
    int st = trade_slices(g, pl, a, b, &x, &x_at, &y, BN_OK);
    if (st == BN_OK && bignum_mul_helped(&prod, &x, &y, h) != BN_OK)
        st = BN_ENOMEM;
    bignum_clear(&x);
    bignum_clear(&y);
    size_t len, cap;
    bn_limb *R = bn_group_limbs(pl, &len, &cap, &st);
    st = trade_sums(g, pl, &prod, x_at, R, st);
    bignum_clear(&prod);
    st = bn_group_overflow(g, pl, R, st);
    st = bn_group_piece(r, R, len, pl, st);
    bignum_free_limbs(R, cap);
    return st;
}

