/* Internal: what bignum_mul_group's ways share: the plan, the exchanges, each member's limbs. */
#ifndef CS_BIGNUM_GROUP_H
#define CS_BIGNUM_GROUP_H

#include "bignum_ntt.h"

/*
 * bignum_mul_group (bignum.h) in four modules: bignum_group.c plans the
 * product from every member's pieces (and chooses the way: way_for), runs the
 * exchanges common to every way and gives each member its limbs;
 * bignum_group_primes.c shares a product by its three primes, whole, in halves
 * or in quarters (two to BN_GROUP_PRIMES_MEMBERS members), bignum_ntt_group.c
 * by splitting the transform (two members or more), bignum_group_slices.c
 * by slices of one operand (a product beyond one transform). Every way ends
 * alike: each member sums what reaches its
 * limbs of the product (R: its limbs, then room for what overflows them),
 * and the overflows pass on in one last exchange (bn_group_overflow).
 */

/* What every member brings and gets. */
typedef struct member_share {
    size_t a_at, a_len, b_at, b_len; /* its pieces of the operands */
    size_t c0, c1;                   /* its columns */
    size_t k0, k1;                   /* its blocks */
    size_t o0, o1;                   /* its limbs of the product */
} member_share;

typedef struct group_plan {
    unsigned g, me;
    size_t na, nb, coeffs, L; /* L = na + nb: the product's limbs */
    enum group_way { BY_FIRST, BY_PRIMES, BY_SLICES, BY_TRANSFORM } way; /* how they share it */
    int a_sliced;             /* BY_SLICES: a is the operand cut in slices (the longer) */
    ntt_shape s;
    unsigned cross;
    size_t w, B, S;
    size_t cols; /* columns per part, a multiple of 8 */
    /* BY_TRANSFORM in the wrapped layout: the coefficients past the transform (0: none),
     * the members making the small product of the low ones (the first, one prime each,
     * with smaller shares of the columns and blocks: small_weight), and the column rows
     * (B, then those of the wrap's limbs) */
    size_t wrap, rows;
    unsigned small;
    unsigned small_weight; /* a small member's share of columns and blocks, in 256ths of
                            * another member's: what its part of the small product leaves */
    member_share *m;
} group_plan;

/* Member q's share of total things (of g): [share_at(q), share_at(q + 1)). */
static inline size_t share_at(size_t total, unsigned q, unsigned g)
{
    return (size_t)((unsigned __int128)total * q / g);
}

static inline size_t group_ceil_div(size_t a, size_t b) { return (a + b - 1) / b; }

/* One exchange's buffers: send and receive, words per member. */
typedef struct trade {
    bn_limb *send, *recv;
    size_t *sw, *rw;  /* words to and from each member */
    size_t sent, got; /* as allocated */
} trade;

/* An exchange in three calls: the counts (sw, rw zeroed, to fill), the
 * buffers for them, then the exchange itself, to which a member that failed
 * (failed, or a buffer it could not get) comes failed. Each returns BN_OK or
 * BN_ENOMEM; bn_trade_run BN_EGROUP when any member came failed. Free it
 * whatever happened (a zeroed trade too). */
int bn_trade_counts(trade *t, unsigned g);
int bn_trade_buffers(trade *t, unsigned g);
int bn_trade_run(const bignum_group *g, trade *t, int failed);
void bn_trade_free(trade *t, unsigned g);

/* A member's state through the exchanges: BN_OK, its own failure, or
 * BN_EGROUP once an exchange said another member failed. */
static inline int bn_after_trade(int st, int traded) { return st != BN_OK ? st : traded; }

/* fn(arg, i) for every part i < parts: by the member's threads (h), or in turn on this one
 * (h NULL). */
void bn_group_run_parts(const bignum_helpers *h, size_t parts, void (*fn)(void *, unsigned),
                        void *arg);

/* A trade's copies between a member's arrays and its buffers, and the zeroing of its
 * arrays, gathered and made by the member's threads: at the product's top they move tens of
 * megabytes (an eighth of a member's work), which one thread alone would make while the
 * others wait. A copy longer than a part is cut into parts; a full list is made at once and
 * starts again; with no threads (h NULL), or no list (c NULL), each copy is made as it comes. Copies gathered
 * together must not write the same limbs. Tests lower the list's length and the part's, so
 * that small products fill lists and cut copies too. */
#ifndef BN_GROUP_COPIES
#define BN_GROUP_COPIES 256
#endif
#ifndef BN_GROUP_COPY_PART
#define BN_GROUP_COPY_PART 32768 /* limbs a gathered copy moves at most: 256 KiB */
#endif

typedef struct group_copies {
    const bignum_helpers *h;
    size_t count;
    struct group_copy {
        bn_limb *to;
        const bn_limb *from; /* NULL: zeroes */
        size_t n;
    } copy[BN_GROUP_COPIES];
} group_copies;

void bn_group_copy(group_copies *c, bn_limb *to, const bn_limb *from, size_t n);
void bn_group_zero(group_copies *c, bn_limb *to, size_t n);
/* Makes the copies gathered. */
void bn_group_copies_run(group_copies *c);

/* The range [*lo, *hi) of operand a (is_a) or b that member q wants; lo == hi: none. */
typedef void (*group_wants)(const group_plan *pl, unsigned q, int is_a, size_t *lo, size_t *hi);
/* An exchange: every member's wanted ranges of the operands, from the members holding
 * them. This member's arrive as numbers: A its range of a (from limb *a_lo on), B of b.
 * a and b are this member's pieces (NULL: none); h its threads, for the copies. */
int bn_group_operands(const bignum_group *g, const group_plan *pl, group_wants want,
                      const bignum *a, const bignum *b, bignum *A, size_t *a_lo, bignum *B,
                      size_t *b_lo, int st, const bignum_helpers *h);

/* Above a member's limbs in R, room for what overflows them. */
#define BN_GROUP_OVERFLOW_WORDS 5

/* R for this member, zeroed: its len limbs and the overflow room (cap words in
 * all); NULL when *st is not BN_OK already, or after setting it BN_ENOMEM. */
bn_limb *bn_group_limbs(const group_plan *pl, size_t *len, size_t *cap, int *st,
                        const bignum_helpers *h);
/* r[at..cap) += v, the carry rippling up; it never passes cap. */
void bn_group_add_at(bn_limb *r, size_t cap, size_t at, bn_limb v);
/* The last exchange: each member's overflow (R[len..len + 5)), to all; each
 * adds what reaches its limbs. */
int bn_group_overflow(const bignum_group *g, const group_plan *pl, bn_limb *R, int st);
/* This member's piece of the product: its len limbs of R. */
int bn_group_piece(bignum *r, const bn_limb *R, size_t len, const group_plan *pl, int st,
                   const bignum_helpers *h);

/* Whether g members can share an na by nb limb product by primes: 2 <= g <=
 * BN_GROUP_PRIMES_MEMBERS, within one transform, and its transform cut as finely as g's
 * shares cut it (halves from two members, quarters from seven: bn_ntt_parts_fit). */
int bn_group_primes_fit(unsigned g, size_t na, size_t nb);
/* Up to BN_GROUP_PRIMES_ALWAYS members share a product by primes; more split the transform
 * where they can (bignum_group.c, way_for). */
#define BN_GROUP_PRIMES_ALWAYS 3

/* The ways: each member's piece of the product into r. */
int bn_group_by_primes(const bignum_group *g, const group_plan *pl, const bignum *a,
                       const bignum *b, bignum *r, const bignum_helpers *h);
int bn_group_by_slices(const bignum_group *g, const group_plan *pl, const bignum *a,
                       const bignum *b, bignum *r, const bignum_helpers *h);
/* Whether the transform can be split for this plan; if so its shape, set in pl. */
int bn_group_transform_plan(group_plan *pl);
int bn_group_by_transform(const bignum_group *g, const group_plan *pl, const bignum *a,
                          const bignum *b, bignum *r, const bignum_helpers *h);

#endif
