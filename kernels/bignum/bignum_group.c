/* bignum_mul_group: the plan, the exchanges every way shares, and each member's limbs of the product. */
#include <assert.h>
#include <stdatomic.h>
#include <string.h>

#include "bignum_group.h"

/*
 * Every member brings its pieces; the first exchange tells all where every
 * piece lies, so each plans the same product: made by member 0 alone (too
 * small to share, or one member), by primes, by the split transform, or by
 * slices (below, plan_make).
 * A member that fails comes to the next exchange failed, and all stop there.
 */

/* 1: where every member's pieces lie. */
static int trade_places(const bignum_group *g, group_plan *pl, size_t a_at, size_t a_len,
                        size_t b_at, size_t b_len, int st)
{
    trade t = {0};
    int rc = st == BN_OK ? bn_trade_counts(&t, g->size) : st;
    for (unsigned q = 0; rc == BN_OK && q < g->size; q++)
        t.sw[q] = t.rw[q] = 4;
    if (rc == BN_OK)
        rc = bn_trade_buffers(&t, g->size);
    for (unsigned q = 0; rc == BN_OK && q < g->size; q++) {
        bn_limb *s = t.send + 4 * (size_t)q;
        s[0] = a_at, s[1] = a_len, s[2] = b_at, s[3] = b_len;
    }
    int traded = bn_trade_run(g, &t, rc != BN_OK);
    for (unsigned q = 0; traded == BN_OK && q < g->size; q++) {
        const bn_limb *r = t.recv + 4 * (size_t)q;
        pl->m[q].a_at = r[0], pl->m[q].a_len = r[1], pl->m[q].b_at = r[2], pl->m[q].b_len = r[3];
    }
    bn_trade_free(&t, g->size);
    return bn_after_trade(rc, traded);
}

/* The limbs of [at, at + len) within [lo, hi): how many, from where. */
static size_t overlap(size_t at, size_t len, size_t lo, size_t hi, size_t *from)
{
    *from = at > lo ? at : lo;
    size_t to = at + len < hi ? at + len : hi;
    return to > *from ? to - *from : 0;
}

/* x = limbs [lo, hi) of an operand, room made and zeroed (a limb no piece holds is zero;
 * the zeroing gathered in copies). */
static int operand_room(bignum *x, size_t lo, size_t hi, group_copies *copies)
{
    if (bignum_reserve(x, hi - lo + 1) != BN_OK)
        return BN_ENOMEM;
    bn_group_zero(copies, x->limbs, hi - lo);
    x->size = hi - lo;
    return BN_OK;
}

static void normalize(bignum *x)
{
    while (x->size && x->limbs[x->size - 1] == 0)
        x->size--;
}

int bn_group_operands(const bignum_group *g, const group_plan *pl, group_wants want,
                      const bignum *a, const bignum *b, bignum *A, size_t *a_lo, bignum *B,
                      size_t *b_lo, int st, const bignum_helpers *h)
{
    const member_share *me = &pl->m[pl->me];
    const bignum *mine[2] = {b, a};
    const size_t my_at[2] = {me->b_at, me->a_at}, my_len[2] = {me->b_len, me->a_len};
    size_t lo[2], hi[2], from;
    want(pl, pl->me, 0, &lo[0], &hi[0]);
    want(pl, pl->me, 1, &lo[1], &hi[1]);
    /* What a member holds of what it wants itself is copied here, not sent to itself: the
     * exchange would copy it three times (out, across, in). */
    trade t = {0};
    int rc = st == BN_OK ? bn_trade_counts(&t, g->size) : st;
    for (unsigned q = 0; rc == BN_OK && q < g->size; q++)
        for (int is_a = 1; is_a >= 0 && q != pl->me; is_a--) {
            const member_share *m = &pl->m[q];
            size_t qlo, qhi;
            want(pl, q, is_a, &qlo, &qhi);
            t.sw[q] += overlap(my_at[is_a], my_len[is_a], qlo, qhi, &from);
            t.rw[q] += overlap(is_a ? m->a_at : m->b_at, is_a ? m->a_len : m->b_len, lo[is_a],
                               hi[is_a], &from);
        }
    if (rc == BN_OK)
        rc = bn_trade_buffers(&t, g->size);
    group_copies copies = {.h = h};
    if (rc == BN_OK)
        rc = operand_room(A, lo[1], hi[1], &copies) != BN_OK ||
                     operand_room(B, lo[0], hi[0], &copies) != BN_OK
                 ? BN_ENOMEM
                 : BN_OK;
    bn_limb *out = rc == BN_OK ? t.send : NULL;
    for (unsigned q = 0; out && q < g->size; q++)
        for (int is_a = 1; is_a >= 0 && q != pl->me; is_a--) {
            size_t qlo, qhi;
            want(pl, q, is_a, &qlo, &qhi);
            size_t n = overlap(my_at[is_a], my_len[is_a], qlo, qhi, &from);
            bn_group_copy(&copies, out, n ? mine[is_a]->limbs + (from - my_at[is_a]) : NULL, n);
            out += n;
        }
    bn_group_copies_run(&copies);
    int traded = bn_trade_run(g, &t, rc != BN_OK);
    rc = bn_after_trade(rc, traded);
    const bn_limb *in = t.recv;
    for (unsigned q = 0; rc == BN_OK && q < g->size; q++)
        for (int is_a = 1; is_a >= 0; is_a--) {
            const member_share *m = &pl->m[q];
            bignum *x = is_a ? A : B;
            size_t n = overlap(is_a ? m->a_at : m->b_at, is_a ? m->a_len : m->b_len, lo[is_a],
                               hi[is_a], &from);
            if (q == pl->me) { /* its own piece, straight from it */
                bn_group_copy(&copies, x->limbs + (from - lo[is_a]),
                              n ? mine[is_a]->limbs + (from - my_at[is_a]) : NULL, n);
                continue;
            }
            bn_group_copy(&copies, x->limbs + (from - lo[is_a]), in, n);
            in += n;
        }
    bn_group_copies_run(&copies);
    if (rc == BN_OK) {
        normalize(A);
        normalize(B);
        *a_lo = lo[1];
        *b_lo = lo[0];
    }
    bn_trade_free(&t, g->size);
    return rc;
}

/* ---- the trades' copies, for the member's threads ----------------------------------- */

static void part_group_copy(void *arg, unsigned i)
{
    const struct group_copy *c = (const struct group_copy *)arg + i;
    if (c->from)
        bn_copy(c->to, c->from, c->n);
    else
        bn_zero(c->to, c->n);
}

void bn_group_run_parts(const bignum_helpers *h, size_t parts, void (*fn)(void *, unsigned),
                        void *arg)
{
    assert(parts <= ~0u);
    if (h && parts > 1)
        h->run(h->ctx, (unsigned)parts, fn, arg);
    else
        for (size_t i = 0; i < parts; i++)
            fn(arg, (unsigned)i);
}

void bn_group_copies_run(group_copies *c)
{
    bn_group_run_parts(c->h, c->count, part_group_copy, c->copy);
    c->count = 0;
}

/* from NULL: zeroes */
static void gather(group_copies *c, bn_limb *to, const bn_limb *from, size_t n)
{
    if (!c || !c->h) {
        struct group_copy now = {to, from, n};
        if (n)
            part_group_copy(&now, 0);
        return;
    }
    for (size_t at = 0; at < n; at += BN_GROUP_COPY_PART) {
        if (c->count == BN_GROUP_COPIES)
            bn_group_copies_run(c);
        size_t part = n - at < BN_GROUP_COPY_PART ? n - at : BN_GROUP_COPY_PART;
        c->copy[c->count++] = (struct group_copy){to + at, from ? from + at : NULL, part};
    }
}

void bn_group_copy(group_copies *c, bn_limb *to, const bn_limb *from, size_t n)
{
    assert(from || !n); /* gathered, a NULL source would zero: a copy from nowhere is a bug */
    if (n)
        gather(c, to, from, n);
}

void bn_group_zero(group_copies *c, bn_limb *to, size_t n) { gather(c, to, NULL, n); }

/* Member 0 wants both operands whole; the others nothing. */
static void first_wants(const group_plan *pl, unsigned q, int is_a, size_t *lo, size_t *hi)
{
    *lo = 0;
    *hi = q == 0 ? (is_a ? pl->na : pl->nb) : 0;
}

/* Too small to split (or one member): the pieces go to member 0, which
 * multiplies them with its threads. */
static int group_by_first(const bignum_group *g, const group_plan *pl, const bignum *a,
                          const bignum *b, bignum *r, const bignum_helpers *h)
{
    bignum x, y;
    bignum_init(&x);
    bignum_init(&y);
    size_t at;
    int rc = bn_group_operands(g, pl, first_wants, a, b, &x, &at, &y, &at, BN_OK, h);
    if (rc == BN_OK && pl->me == 0 && pl->L)
        rc = bignum_mul_helped(r, &x, &y, h);
    else if (rc == BN_OK)
        r->size = 0;
    bignum_clear(&x);
    bignum_clear(&y);
    return rc;
}

void bn_trade_free(trade *t, unsigned g)
{
    bignum_free_limbs(t->send, t->sent);
    bignum_free_limbs(t->recv, t->got);
    bignum_free_bytes(t->sw, 2 * g * sizeof *t->sw);
    memset(t, 0, sizeof *t);
}

int bn_trade_buffers(trade *t, unsigned g)
{
    t->sent = t->got = 0;
    for (unsigned q = 0; q < g; q++) {
        t->sent += t->sw[q];
        t->got += t->rw[q];
    }
    t->send = bignum_alloc_limbs(t->sent + 1);
    t->recv = bignum_alloc_limbs(t->got + 1);
    t->sent++, t->got++; /* as allocated */
    return t->send && t->recv ? BN_OK : BN_ENOMEM;
}

int bn_trade_counts(trade *t, unsigned g)
{
    memset(t, 0, sizeof *t);
    t->sw = bignum_alloc_bytes(2 * g * sizeof *t->sw);
    if (!t->sw)
        return BN_ENOMEM;
    t->rw = t->sw + g;
    memset(t->sw, 0, 2 * g * sizeof *t->sw);
    return BN_OK;
}

int bn_trade_run(const bignum_group *g, trade *t, int failed)
{
    int rc = failed || !t->send || !t->recv
                 ? g->exchange(g->ctx, 1, NULL, NULL, NULL, NULL)
                 : g->exchange(g->ctx, 0, t->send, t->sw, t->recv, t->rw);
    return rc == BN_OK ? BN_OK : BN_EGROUP;
}


void bn_group_add_at(bn_limb *r, size_t cap, size_t at, bn_limb v)
{
    for (; v && at < cap; at++) {
        r[at] += v;
        v = r[at] < v;
    }
    assert(v == 0);
}

/* c[0..6) += v[0..n) */
static void add_small(bn_limb *c, const bn_limb *v, size_t n)
{
    bn_limb carry = 0;
    for (size_t i = 0; i < 6; i++) {
        bn_limb x = i < n ? v[i] : 0;
        bn_dlimb s = (bn_dlimb)c[i] + x + carry;
        c[i] = (bn_limb)s;
        carry = (bn_limb)(s >> 64);
    }
    assert(carry == 0);
}

/* What member q's limbs pass on, given what came into them: what overflowed
 * them (over) plus floor((limbs + in) / B^len). low: the limbs' first four;
 * ones: all limbs above those are B - 1. The carries stay far below B^4,
 * so with len > 4 the sum passes the top only through a run of ones. */
static void pass_on(bn_limb in[6], size_t len, const bn_limb *over, const bn_limb *low, int ones)
{
    bn_limb s[6];
    memcpy(s, in, sizeof s);
    add_small(s, low, len < 4 ? len : 4);
    bn_limb passed[6] = {0};
    if (len <= 4) {
        for (size_t i = len; i < 6; i++)
            passed[i - len] = s[i];
    } else {
        assert(in[4] == 0 && in[5] == 0);
        passed[0] = ones && (s[4] || s[5]);
    }
    add_small(passed, over, BN_GROUP_OVERFLOW_WORDS);
    memcpy(in, passed, sizeof passed);
}

/* 6 (the last): each member's overflow, to all; each adds what reaches it. */
int bn_group_overflow(const bignum_group *g, const group_plan *pl, bn_limb *R, int st)
{
    enum { WORDS = BN_GROUP_OVERFLOW_WORDS + 5 };
    const member_share *me = &pl->m[pl->me];
    size_t len = me->o1 - me->o0;
    trade t = {0};
    int rc = st == BN_OK ? bn_trade_counts(&t, g->size) : st;
    for (unsigned q = 0; rc == BN_OK && q < g->size; q++)
        t.sw[q] = t.rw[q] = WORDS;
    if (rc == BN_OK)
        rc = bn_trade_buffers(&t, g->size);
    if (rc == BN_OK) {
        bn_limb mine[WORDS] = {0};
        memcpy(mine, R + len, BN_GROUP_OVERFLOW_WORDS * sizeof *R);
        bn_copy(mine + BN_GROUP_OVERFLOW_WORDS, R, len < 4 ? len : 4);
        int ones = 1;
        for (size_t i = 4; ones && i < len; i++)
            ones = R[i] == ~(bn_limb)0;
        mine[WORDS - 1] = (bn_limb)ones;
        for (unsigned q = 0; q < g->size; q++)
            memcpy(t.send + (size_t)q * WORDS, mine, sizeof mine);
    }
    int traded = bn_trade_run(g, &t, rc != BN_OK);
    rc = bn_after_trade(rc, traded);
    if (rc == BN_OK) {
        bn_limb in[6] = {0};
        for (unsigned q = 0; q < pl->me; q++) {
            const bn_limb *r = t.recv + (size_t)q * WORDS;
            pass_on(in, pl->m[q].o1 - pl->m[q].o0, r, r + BN_GROUP_OVERFLOW_WORDS, (int)r[WORDS - 1]);
        }
        for (size_t i = 0; i < 6; i++)
            bn_group_add_at(R, len + BN_GROUP_OVERFLOW_WORDS + 1, i, in[i]);
    }
    bn_trade_free(&t, g->size);
    return rc;
}

bn_limb *bn_group_limbs(const group_plan *pl, size_t *len, size_t *cap, int *st,
                        const bignum_helpers *h)
{
    const member_share *me = &pl->m[pl->me];
    *len = me->o1 - me->o0;
    *cap = *len + BN_GROUP_OVERFLOW_WORDS + 1;
    bn_limb *R = *st == BN_OK ? bignum_alloc_limbs(*cap) : NULL;
    if (*st == BN_OK && !R)
        *st = BN_ENOMEM;
    if (R) {
        group_copies zero = {.h = h};
        bn_group_zero(&zero, R, *cap);
        bn_group_copies_run(&zero);
    }
    return R;
}

int bn_group_piece(bignum *r, const bn_limb *R, size_t len, const group_plan *pl, int st,
                   const bignum_helpers *h)
{
    if (st == BN_OK && bignum_reserve(r, len ? len : 1) != BN_OK)
        st = BN_ENOMEM;
    if (st == BN_OK) {
        /* the product fits L limbs: nothing passes the last member's top */
        assert(pl->me + 1 < pl->g || R[len] == 0);
        (void)pl;
        group_copies copies = {.h = h};
        bn_group_copy(&copies, r->limbs, R, len);
        bn_group_copies_run(&copies);
        r->size = len;
        while (r->size && r->limbs[r->size - 1] == 0)
            r->size--;
    }
    return st;
}

/* The transform's columns or blocks before member q's: by weight, the members making the
 * wrapped layout's small product (the first) taking small_weight 256ths of a share. */
static size_t weighted_at(const group_plan *pl, size_t total, unsigned q)
{
    unsigned ws = pl->small ? pl->small_weight : 256;
    unsigned small_before = q < pl->small ? q : pl->small;
    size_t before = (size_t)small_before * ws + (size_t)(q - small_before) * 256;
    size_t all = (size_t)pl->small * ws + (size_t)(pl->g - pl->small) * 256;
    return (size_t)((unsigned __int128)total * before / all);
}

/* Member q's columns and blocks (the transform's) and its limbs of the product. */
static void share_for(const group_plan *pl, unsigned q, int whole, member_share *m)
{
    m->c0 = weighted_at(pl, pl->w / 8, q) * 8;
    m->c1 = weighted_at(pl, pl->w / 8, q + 1) * 8;
    m->k0 = weighted_at(pl, pl->B, q);
    m->k1 = weighted_at(pl, pl->B, q + 1);
    m->o0 = whole ? (q ? pl->L : 0) : share_at(pl->L, q, pl->g);
    m->o1 = whole ? pl->L : share_at(pl->L, q + 1, pl->g);
}

static void plan_shares(group_plan *pl, int whole)
{
    for (unsigned q = 0; q < pl->g; q++)
        share_for(pl, q, whole, &pl->m[q]);
}

static atomic_int forced_way; /* bn_group_force: 0 as chosen below */

void bn_group_force(int way) { atomic_store(&forced_way, way); }

/*
 * The way a group takes, by what each costs: bench/bignum_group's factor, the busiest
 * member's CPU seconds outside the exchanges times g over one member's alone (1 would be
 * perfect), measured at the sizes product B's top nodes share (16 to 74 Mbit operands;
 * 2-core guest, 2026-12-05):
 *   - two and three members: by primes (1.20-1.38; the split transform 1.25-1.54);
 *   - four on: by the split transform (where the product fills its length, 4: 1.30-1.50,
 *     primes 1.53-1.94: the largest share by primes is a third), in the wrapped layout where
 *     one member's product would take it (bignum_ntt_group.c), at 73.5 and 34.8 Mbit 4:
 *     1.43-1.47 (primes 1.57-1.68; the next length 1.83-2.07), 5: 1.45-1.64 (primes
 *     1.92-1.99), 6: 1.46-1.63 (primes 1.72-1.80); 8: 1.53-1.93, 12: 1.42-1.64, 16: 1.51-1.58,
 *     32: 2.52 (before the wrapped layout 8: 1.44-2.59, 12: 1.90-2.07, 16: 2.50-2.66). Primes in
 *     halves and quarters cost more (8: 1.89-2.43, 12: 2.57-2.85, 16: 3.21-3.99): each member
 *     receives and folds both operands whole and runs its share of Garner's step, passes
 *     that do not shrink with its share of the transforms. They remain for a transform too
 *     short to split.
 * By slices (each multiplies its slice of the longer operand by all of the shorter: about
 * (1 + 1/g) / 2 the whole's transform length each) is left for products beyond one
 * transform. bn_group_force overrides the choice, where the forced way can run.
 */
static enum group_way way_for(group_plan *pl, int forced)
{
    int primes = bn_group_primes_fit(pl->g, pl->na, pl->nb);
    if (forced == BN_GROUP_SLICES)
        return BY_SLICES;
    if (forced == BN_GROUP_PRIMES)
        return primes ? BY_PRIMES : BY_SLICES;
    if (forced == BN_GROUP_TRANSFORM)
        return bn_group_transform_plan(pl) ? BY_TRANSFORM : BY_SLICES;
    if (primes && pl->g <= BN_GROUP_PRIMES_ALWAYS)
        return BY_PRIMES;
    if (bn_group_transform_plan(pl))
        return BY_TRANSFORM;
    return primes ? BY_PRIMES : BY_SLICES;
}

/* From the operands' sizes: the product's, and how the members share it. */
static void plan_way(group_plan *pl)
{
    pl->L = pl->na && pl->nb ? pl->na + pl->nb : 0;
    pl->coeffs = pl->L ? pl->L - 1 : 0;
    size_t least = pl->na < pl->nb ? pl->na : pl->nb;
    pl->way = BY_FIRST;
    if (pl->g >= 2 && least >= BN_NTT_THRESHOLD) {
        pl->a_sliced = pl->na >= pl->nb;
        pl->way = way_for(pl, atomic_load(&forced_way));
    }
}

/* From every member's pieces: the sizes, and how the members share the product. */
static void plan_make(group_plan *pl, int whole)
{
    pl->na = pl->nb = 0;
    for (unsigned q = 0; q < pl->g; q++) {
        const member_share *m = &pl->m[q];
        if (m->a_len && m->a_at + m->a_len > pl->na)
            pl->na = m->a_at + m->a_len;
        if (m->b_len && m->b_at + m->b_len > pl->nb)
            pl->nb = m->b_at + m->b_len;
    }
    plan_way(pl);
    plan_shares(pl, whole);
}

/* A plan's sizes and way alone, as plan_make makes them from the pieces. */
static enum group_way way_of(group_plan *pl, unsigned g, size_t na, size_t nb)
{
    memset(pl, 0, sizeof *pl);
    pl->g = g, pl->na = na, pl->nb = nb;
    plan_way(pl);
    return pl->way;
}

size_t bn_group_transform_points(unsigned g, size_t na, size_t nb)
{
    group_plan pl;
    return way_of(&pl, g, na, nb) == BY_TRANSFORM ? pl.s.n : 0;
}

int bn_group_way(unsigned g, size_t na, size_t nb)
{
    group_plan pl;
    switch (way_of(&pl, g, na, nb)) {
    case BY_PRIMES: return BN_GROUP_PRIMES;
    case BY_TRANSFORM: return BN_GROUP_TRANSFORM;
    case BY_SLICES: return BN_GROUP_SLICES;
    default: return 0;
    }
}

/* By the split transform, the words member q receives: its blocks' points of the others'
 * columns (both operands modulo three primes: 6 arrays), its columns' of the others' blocks
 * (the product's: 3), and the limbs of its columns (both operands) and of its coefficients
 * that the others hold or make, the operands held evenly. With even shares, each (g-1)/g^2 of
 * the whole: (2L + 9n)(g-1)/g^2; but the blocks are m 2^k, the columns counted in eights, and
 * a member with one block or eight columns more than another receives more. */
static double transform_words(const group_plan *pl, unsigned q)
{
    member_share m;
    share_for(pl, q, 0, &m);
    double w = (double)pl->w, G = pl->g, L = (double)pl->L;
    double cols = (double)(m.c1 - m.c0), blocks = (double)(m.k1 - m.k0);
    double d = (double)pl->wrap, small = q < pl->small ? 2 * d * (G - 1) / G : 0;
    return 6 * blocks * (w - cols) + 3 * cols * ((double)pl->B - blocks) +
           L * cols / w * (G - 1) / G + (double)(m.o1 - m.o0) * (w - cols) / w +
           3 * d * cols / w + small;
}

/*
 * The busiest member's words, L the product's limbs (counted on the test hub):
 *   by primes: both operands whole, (g-1)/g L; then, for its L/g coefficients, one array of
 *     residues from each other member that makes any (two from the other at g = 2: its prime
 *     and its half of the middle one); past twelve members those making none receive twelve.
 *     g = 2: L/2 + L; 3 to 12: 2 (g-1)/g L; 13 to 16: (g-1)/g L + 11 L/g. 4 exchanges (the
 *     places, the operands, the residues, the overflows).
 *   by the split transform (n its length): the most any member receives (transform_words),
 *     about (2L + 9n)(g-1)/g^2 with even shares, none to itself; in the wrapped layout also
 *     the small product's residues at its columns below the wrap (and for a small member the
 *     operands' low limbs). 6 exchanges.
 * The places and the overflows are a few words a member.
 */
double bn_group_words(unsigned g, size_t na, size_t nb, unsigned *exchanges)
{
    group_plan pl;
    double L = (double)(na + nb), G = g, most = 0;
    switch (way_of(&pl, g, na, nb)) {
    case BY_PRIMES:
        *exchanges = 4;
        if (g == 2)
            return L / 2 + L;
        return g <= 12 ? 2 * (G - 1) / G * L : (G - 1) / G * L + 11 * L / G;
    case BY_TRANSFORM: {
        *exchanges = 6;
        for (unsigned q = 0; q < g; q++) {
            double words = transform_words(&pl, q);
            most = words > most ? words : most;
        }
        return most;
    }
    default: *exchanges = 0; return 0;
    }
}

int bignum_mul_group(bignum *r, uint64_t *r_at, const bignum *a, uint64_t a_at, const bignum *b,
                     uint64_t b_at, int whole, const bignum_group *g, const bignum_helpers *h)
{
    assert(g->size >= 1 && g->rank < g->size);
    group_plan pl;
    memset(&pl, 0, sizeof pl);
    pl.g = g->size;
    pl.me = g->rank;
    pl.m = bignum_alloc_bytes(g->size * sizeof *pl.m);
    int st = pl.m ? BN_OK : BN_ENOMEM;
    if (pl.m)
        memset(pl.m, 0, g->size * sizeof *pl.m);
    size_t a_len = a ? a->size : 0, b_len = b ? b->size : 0;
    st = trade_places(g, &pl, a_len ? (size_t)a_at : 0, a_len, b_len ? (size_t)b_at : 0, b_len,
                      st);
    if (st == BN_OK) {
        plan_make(&pl, whole);
        st = pl.way == BY_TRANSFORM ? bn_group_by_transform(g, &pl, a, b, r, h)
             : pl.way == BY_SLICES  ? bn_group_by_slices(g, &pl, a, b, r, h)
             : pl.way == BY_PRIMES  ? bn_group_by_primes(g, &pl, a, b, r, h)
                                    : group_by_first(g, &pl, a, b, r, h);
    }
    if (st == BN_OK)
        *r_at = r->size && pl.way != BY_FIRST ? pl.m[pl.me].o0 : 0;
    bignum_free_bytes(pl.m, g->size * sizeof *pl.m);
    return st;
}
