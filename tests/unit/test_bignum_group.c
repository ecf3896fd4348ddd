/* bignum_mul_group against GMP: a product shared by members that share no memory, here threads trading through a hub. */
#include <CUnit/Basic.h>
#include <gmp.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bignum.h"
#include "bignum_group.h"
#include "bignum_impl.h"
#include "bignum_ntt.h"
#include "test_alloc.h"
#include "test_seed.h"

/*
 * Each member is a thread with its own pieces of the operands; exchange()
 * is a hub where every member posts its buffers, waits for the others, and
 * takes its words from each, as an all-to-all would. The members' result
 * pieces must be disjoint and sum to GMP's product, for group sizes 1 to 7
 * and 16, operands held evenly, by one member, by some members only, or in
 * uneven ranges, transform lengths 2^k and 3 2^k, and all-ones operands
 * (the largest coefficients and carries, and carries crossing members).
 * Groups of two and three share a product by its primes, others split
 * the transform, and products beyond one transform go by slices; every way is
 * also run where it is not the one chosen (bn_group_force), primes in
 * quarters up to sixteen members. A member that fails makes every member stop, with
 * nothing leaked.
 */

#define MAX_MEMBERS 16

static uint64_t rng_state;

#define HUB_CALLS 8 /* exchanges counted per member (a product makes at most six) */

static uint64_t rnd(void) { return test_xorshift(&rng_state); }

typedef struct hub {
    unsigned g;
    pthread_barrier_t bar;
    const uint64_t *send[MAX_MEMBERS];
    const size_t *sw[MAX_MEMBERS], *rw[MAX_MEMBERS];
    uint64_t *recv[MAX_MEMBERS];
    int failed[MAX_MEMBERS];
    unsigned calls[MAX_MEMBERS];
    int mismatched; /* a receiver expected other counts than its sender sent */
    int fail_member; /* -1, or the member that comes failed to its fail_call-th exchange */
    unsigned fail_call;
    size_t words_in[MAX_MEMBERS];             /* received from the others, all exchanges */
    size_t to_self[MAX_MEMBERS][HUB_CALLS];   /* sent to itself, by exchange */
} hub;

typedef struct member {
    hub *h;
    unsigned rank;
    bignum a, b, r; /* its pieces */
    uint64_t a_at, b_at, r_at;
    int whole, status;
} member;

static int hub_exchange(void *ctx, int failed, const uint64_t *send, const size_t *sw,
                        uint64_t *recv, const size_t *rw)
{
    member *m = ctx;
    hub *h = m->h;
    unsigned me = m->rank;
    if (h->fail_member == (int)me && h->calls[me] == h->fail_call)
        failed = 1;
    h->calls[me]++;
    h->send[me] = send, h->sw[me] = sw, h->recv[me] = recv, h->rw[me] = rw;
    h->failed[me] = failed;
    pthread_barrier_wait(&h->bar);
    int any = 0;
    for (unsigned q = 0; q < h->g; q++)
        any |= h->failed[q];
    if (!any) {
        size_t in = 0;
        for (unsigned q = 0; q < h->g; q++) {
            size_t from = 0;
            for (unsigned k = 0; k < me; k++)
                from += h->sw[q][k];
            if (h->sw[q][me] != rw[q])
                h->mismatched = 1;
            else
                memcpy(recv + in, h->send[q] + from, rw[q] * sizeof *recv);
            in += rw[q];
            if (q != me)
                h->words_in[me] += rw[q];
            else if (h->calls[me] <= HUB_CALLS)
                h->to_self[me][h->calls[me] - 1] += rw[q];
        }
    }
    pthread_barrier_wait(&h->bar);
    return any ? BN_EGROUP : BN_OK;
}

/* A member's own threads (cpu_hybrid's): 0, none; otherwise each run() call's parts are
 * dealt over so many threads, part i to thread i mod helper_threads, the first the member's. */
static unsigned helper_threads;

typedef struct helper_call {
    void (*fn)(void *arg, unsigned part);
    void *arg;
    unsigned parts, first;
} helper_call;

static void *helper_main(void *arg)
{
    helper_call *c = arg;
    for (unsigned i = c->first; i < c->parts; i += helper_threads)
        c->fn(c->arg, i);
    return NULL;
}

static void helpers_run(void *ctx, unsigned parts, void (*fn)(void *arg, unsigned part),
                        void *arg)
{
    (void)ctx;
    helper_call c[MAX_MEMBERS];
    pthread_t th[MAX_MEMBERS];
    c[0] = (helper_call){fn, arg, parts, 0};
    for (unsigned t = 1; t < helper_threads; t++) {
        c[t] = (helper_call){fn, arg, parts, t};
        CU_ASSERT_EQUAL_FATAL(pthread_create(&th[t], NULL, helper_main, &c[t]), 0);
    }
    helper_main(&c[0]);
    for (unsigned t = 1; t < helper_threads; t++)
        pthread_join(th[t], NULL);
}

static void *member_main(void *arg)
{
    member *m = arg;
    bignum_group g = {m->rank, m->h->g, hub_exchange, m};
    const bignum_helpers threads = {helpers_run, NULL};
    m->status = bignum_mul_group(&m->r, &m->r_at, m->a.size ? &m->a : NULL, m->a_at,
                                 m->b.size ? &m->b : NULL, m->b_at, m->whole, &g,
                                 helper_threads ? &threads : NULL);
    return NULL;
}

enum holding { HOLD_EVEN, HOLD_FIRST, HOLD_LAST, HOLD_UNEVEN, HOLD_COUNT };

static const char *holding_name(enum holding h)
{
    static const char *names[] = {"even", "first member", "last member", "uneven"};
    return names[h];
}

/* Member q's range of an n-limb operand. */
static void hold_range(enum holding how, size_t n, unsigned q, unsigned g, size_t *lo,
                       size_t *hi)
{
    switch (how) {
    case HOLD_FIRST: *lo = 0, *hi = q == 0 ? n : 0; break;
    case HOLD_LAST: *lo = 0, *hi = q == g - 1 ? n : 0; break;
    case HOLD_UNEVEN: /* member q holds a share growing as q^2, the first none */
    {
        size_t total = 0, before = 0;
        for (unsigned i = 0; i < g; i++) {
            total += (size_t)i * i;
            if (i < q)
                before += (size_t)i * i;
        }
        *lo = total ? n * before / total : 0;
        *hi = total ? n * (before + (size_t)q * q) / total : (q == 0 ? n : 0);
        break;
    }
    default: *lo = n * q / g, *hi = n * (q + 1) / g;
    }
    if (*hi < *lo)
        *hi = *lo;
}

static void piece_of(bignum *piece, uint64_t *at, const bignum *x, size_t lo, size_t hi)
{
    bignum_init(piece);
    *at = lo;
    if (hi <= lo)
        return;
    CU_ASSERT_EQUAL_FATAL(bignum_reserve(piece, hi - lo), BN_OK);
    memcpy(piece->limbs, x->limbs + lo, (hi - lo) * sizeof *x->limbs);
    piece->size = hi - lo;
    while (piece->size && piece->limbs[piece->size - 1] == 0)
        piece->size--;
}

static void make_operand(bignum *x, size_t n, int ones)
{
    bignum_init(x);
    CU_ASSERT_EQUAL_FATAL(bignum_reserve(x, n), BN_OK);
    for (size_t i = 0; i < n; i++)
        x->limbs[i] = ones ? ~(bn_limb)0 : rnd();
    if (x->limbs[n - 1] == 0)
        x->limbs[n - 1] = 1;
    x->size = n;
}

static void to_mpz(mpz_t z, const bignum *x)
{
    mpz_import(z, x->size, -1, sizeof(bn_limb), 0, 0, x->limbs);
}

/* Runs one group product; returns how many members failed (and checks, when
 * none did, the pieces against GMP). */
static unsigned long refused; /* allocations the last group product had refused */
/* The last group product's words: the most a member received from the others, and the most
 * a member sent to itself in each exchange. */
static size_t busiest_in, self_words[HUB_CALLS];

/* fail_alloc: the allocation (counted from the members' start) to refuse, 0 none. */
static unsigned group_product(unsigned g, const bignum *a, const bignum *b, enum holding how,
                              int whole, int fail_member, unsigned fail_call,
                              unsigned long fail_alloc)
{
    hub h;
    memset(&h, 0, sizeof h);
    h.g = g;
    h.fail_member = fail_member;
    h.fail_call = fail_call;
    pthread_barrier_init(&h.bar, NULL, g);
    member m[MAX_MEMBERS];
    pthread_t th[MAX_MEMBERS];
    for (unsigned q = 0; q < g; q++) {
        size_t lo, hi;
        memset(&m[q], 0, sizeof m[q]);
        m[q].h = &h;
        m[q].rank = q;
        m[q].whole = whole;
        hold_range(how, a->size, q, g, &lo, &hi);
        piece_of(&m[q].a, &m[q].a_at, a, lo, hi);
        /* b held the other way round, so pieces of a and b differ */
        hold_range(how, b->size, g - 1 - q, g, &lo, &hi);
        piece_of(&m[q].b, &m[q].b_at, b, lo, hi);
        bignum_init(&m[q].r);
    }
    unsigned long before = test_alloc_failures();
    test_alloc_fail_at(fail_alloc, 0);
    for (unsigned q = 0; q < g; q++)
        CU_ASSERT_EQUAL_FATAL(pthread_create(&th[q], NULL, member_main, &m[q]), 0);
    for (unsigned q = 0; q < g; q++)
        pthread_join(th[q], NULL);
    test_alloc_fail_at(0, 0);
    refused = test_alloc_failures() - before;
    CU_ASSERT_FALSE(h.mismatched);
    busiest_in = 0;
    memset(self_words, 0, sizeof self_words);
    for (unsigned q = 0; q < g; q++) {
        busiest_in = h.words_in[q] > busiest_in ? h.words_in[q] : busiest_in;
        for (unsigned c = 0; c < HUB_CALLS; c++)
            self_words[c] = h.to_self[q][c] > self_words[c] ? h.to_self[q][c] : self_words[c];
    }
    unsigned failed = 0;
    for (unsigned q = 0; q < g; q++)
        failed += m[q].status != BN_OK;
    if (!failed) {
        mpz_t za, zb, want, got, piece;
        mpz_inits(za, zb, want, got, piece, NULL);
        to_mpz(za, a);
        to_mpz(zb, b);
        mpz_mul(want, za, zb);
        size_t end = 0;
        for (unsigned q = 0; q < g; q++) {
            if (!m[q].r.size)
                continue;
            /* disjoint, rising with the members; all on member 0 when whole */
            CU_ASSERT(m[q].r_at >= end);
            CU_ASSERT(!whole || q == 0);
            end = m[q].r_at + m[q].r.size;
            to_mpz(piece, &m[q].r);
            mpz_mul_2exp(piece, piece, 64 * m[q].r_at);
            mpz_add(got, got, piece);
        }
        int same = mpz_cmp(got, want) == 0;
        CU_ASSERT(same);
        if (!same)
            printf("\n  %u members, %zu x %zu limbs, held %s%s: wrong product\n", g, a->size,
                   b->size, holding_name(how), whole ? ", whole" : "");
        mpz_clears(za, zb, want, got, piece, NULL);
    }
    for (unsigned q = 0; q < g; q++) {
        bignum_clear(&m[q].a);
        bignum_clear(&m[q].b);
        bignum_clear(&m[q].r);
    }
    pthread_barrier_destroy(&h.bar);
    return failed;
}

#define ASSERT_NO_LEAK()                                                                           \
    do {                                                                                           \
        CU_ASSERT_EQUAL(test_alloc_live_blocks(), 0);                                              \
        CU_ASSERT_EQUAL(test_alloc_problems(), 0);                                                 \
    } while (0)

/* Sizes past the transform threshold with lengths 2^k and 3 2^k, and one below it. */
static void test_group_products_match_gmp(void)
{
    static const unsigned groups[] = {1, 2, 3, 4, 5, 6, 7, 16};
    const size_t t = BN_NTT_THRESHOLD;
    const size_t sizes[][2] = {{t / 2, t / 3}, {4 * t, 3 * t}, {6 * t, 2 * t + 7}, {9 * t, t}};
    for (size_t gi = 0; gi < sizeof groups / sizeof *groups; gi++)
        for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++)
            for (int ones = 0; ones < 2; ones++) {
                bignum a, b;
                make_operand(&a, sizes[si][0], ones);
                make_operand(&b, sizes[si][1], ones);
                for (int how = 0; how < HOLD_COUNT; how++)
                    for (int whole = 0; whole < 2; whole++)
                        CU_ASSERT_EQUAL(group_product(groups[gi], &a, &b, how, whole, -1, 0, 0), 0);
                bignum_clear(&a);
                bignum_clear(&b);
            }
    ASSERT_NO_LEAK();
}

/* Large enough that a member fills only its own columns' share of the
 * radix-3 step's and the lead stages' tables (lengths 3 2^k), with uneven
 * holdings, against GMP. */
static void test_a_large_split_transform_matches_gmp(void)
{
    /* a build whose transforms hold fewer coefficients (the tiny thresholds' 2000) would
     * share it by slices, through thousands of small transforms: nothing this test is for */
    if (bn_ntt_max_limbs() < 1200000)
        return;
    bignum a, b;
    make_operand(&a, 700000, 0);
    make_operand(&b, 500000, 0);
    CU_ASSERT_EQUAL(group_product(5, &a, &b, HOLD_UNEVEN, 0, -1, 0, 0), 0);
    bignum_clear(&a);
    bignum_clear(&b);
    ASSERT_NO_LEAK();
}

/* The split transform in the wrapped layout (four members on, where one member's product
 * would wrap: 1059, 4199 and 3099 coefficients, and one past 8 times the threshold): the first
 * three make the small product's primes and share the columns and blocks by what that leaves
 * them, against GMP, random and all-ones operands, every holding, whole or not. The plan
 * splits the transform below the product's length from four members, the next one at three. */
static void test_a_split_transform_in_the_wrapped_layout_matches_gmp(void)
{
    size_t N = bn_ntt_shape_for(8 * BN_NTT_THRESHOLD).n, W = N + N / 16;
    const size_t sizes[][2] = {{560, 500}, {2200, 2000}, {1700, 1400}, {W / 2 + 1, W - W / 2}};
    static const unsigned members[] = {4, 5, 6, 7, 8, 9, 12, 16};
    bn_group_force(BN_GROUP_TRANSFORM);
    for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
        if (sizes[si][0] + sizes[si][1] > bn_ntt_max_limbs())
            continue; /* the tiny thresholds' build: beyond one transform */
        ntt_shape big;
        CU_ASSERT_TRUE(bn_ntt_wrap(sizes[si][0], sizes[si][1], &big) > 0);
        for (int ones = 0; ones < 2; ones++) {
            bignum a, b;
            make_operand(&a, sizes[si][0], ones);
            make_operand(&b, sizes[si][1], ones);
            for (size_t k = 0; k < sizeof members / sizeof *members; k++)
                for (int how = 0; how < HOLD_COUNT; how++)
                    for (int whole = 0; whole < 2; whole++)
                        CU_ASSERT_EQUAL(group_product(members[k], &a, &b, how, whole, -1, 0, 0),
                                        0);
            bignum_clear(&a);
            bignum_clear(&b);
        }
    }
    /* the wrapped plan splits the transform below the coefficients, from four members */
    ntt_shape below;
    size_t d = bn_ntt_wrap(W / 2 + 1, W - W / 2, &below);
    CU_ASSERT_TRUE(d > 0 && below.n < W);
    for (unsigned g = 4; g <= 16; g++)
        CU_ASSERT_EQUAL(bn_group_transform_points(g, W / 2 + 1, W - W / 2), below.n);
    CU_ASSERT_EQUAL(bn_group_transform_points(3, W / 2 + 1, W - W / 2),
                    bn_ntt_shape_for(W - 1).n); /* three: the plain layout */
    /* a member failing at any of the six exchanges, a small one (0) or not (7 of eight, 3 of
     * four), stops all; refused allocations anywhere (the small product's among them) fail
     * their member */
    bignum a, b;
    make_operand(&a, 2200, 0);
    make_operand(&b, 2000, 0);
    if (a.size + b.size <= bn_ntt_max_limbs()) {
        for (unsigned call = 0; call < 6; call++) {
            for (unsigned who = 0; who < 8; who += 7)
                CU_ASSERT_EQUAL(group_product(8, &a, &b, HOLD_EVEN, 0, (int)who, call, 0), 8);
            for (unsigned who = 0; who < 4; who += 3)
                CU_ASSERT_EQUAL(group_product(4, &a, &b, HOLD_EVEN, 0, (int)who, call, 0), 4);
        }
        unsigned long seen = 0;
        for (unsigned long n = 1; n < 160; n += 2) {
            unsigned failed = group_product(8, &a, &b, HOLD_EVEN, 0, -1, 0, n);
            CU_ASSERT_EQUAL(failed != 0, refused != 0);
            seen += refused != 0;
            CU_ASSERT_EQUAL(test_alloc_live_blocks(), 2); /* a and b only */
        }
        CU_ASSERT(seen > 10);
    }
    bignum_clear(&a);
    bignum_clear(&b);
    bn_group_force(BN_GROUP_CHOOSE);
    ASSERT_NO_LEAK();
}

/* Each member's threads share its steps (cpu_hybrid's ranks of several threads): three a
 * member, every way forced (primes at two and three members, the split transform from four,
 * in the wrapped layout too, slices) and by the first member, against GMP, random and
 * all-ones operands, holdings even and uneven. The trades' copies are parts for the threads
 * as well: a run listed twice or left out would make a wrong product. */
static void test_members_threads_share_every_step(void)
{
    const size_t t = BN_NTT_THRESHOLD;
    const size_t sizes[][2] = {{2200, 2000}, {4 * t, 3 * t}, {560, 500}};
    static const int ways[] = {BN_GROUP_PRIMES, BN_GROUP_TRANSFORM, BN_GROUP_SLICES};
    helper_threads = 3;
    for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++)
        for (int ones = 0; ones < 2; ones++) {
            bignum a, b;
            make_operand(&a, sizes[si][0], ones);
            make_operand(&b, sizes[si][1], ones);
            for (size_t w = 0; w < sizeof ways / sizeof *ways; w++)
                for (unsigned g = ways[w] == BN_GROUP_PRIMES ? 2 : 4;
                     g <= (ways[w] == BN_GROUP_PRIMES ? 3u : 6u); g++)
                    for (int how = 0; how < HOLD_COUNT; how += HOLD_UNEVEN) {
                        bn_group_force(ways[w]);
                        CU_ASSERT_EQUAL(group_product(g, &a, &b, how, 0, -1, 0, 0), 0);
                    }
            bignum_clear(&a);
            bignum_clear(&b);
        }
    /* too small to split: the first member's copies of every member's pieces (its own too)
     * are parts for its threads as well */
    bignum a, b;
    make_operand(&a, t / 2, 0);
    make_operand(&b, t / 3, 0);
    bn_group_force(BN_GROUP_CHOOSE);
    for (unsigned g = 2; g <= 4; g++)
        for (int how = 0; how < HOLD_COUNT; how += HOLD_UNEVEN)
            CU_ASSERT_EQUAL(group_product(g, &a, &b, how, 0, -1, 0, 0), 0);
    bignum_clear(&a);
    bignum_clear(&b);
    /* long enough that a split prime's sums and the copies come in several parts */
    make_operand(&a, 40000, 0);
    make_operand(&b, 36000, 0);
    bn_group_force(BN_GROUP_PRIMES);
    CU_ASSERT_EQUAL(group_product(2, &a, &b, HOLD_EVEN, 0, -1, 0, 0), 0);
    bn_group_force(BN_GROUP_TRANSFORM);
    CU_ASSERT_EQUAL(group_product(5, &a, &b, HOLD_UNEVEN, 0, -1, 0, 0), 0);
    bignum_clear(&a);
    bignum_clear(&b);
    bn_group_force(BN_GROUP_CHOOSE);
    helper_threads = 0;
    ASSERT_NO_LEAK();
}

/* By primes at every size it takes, against GMP, random and all-ones operands, every holding,
 * whole or not: transform lengths 2^k (4096; 3500 x 500 limbs: the longer past 3/4 of it, so
 * that a quarter's fold adds four terms) and 3 2^k (6144), and wrapped ones (a small
 * product beside the main one: 1059 coefficients, 1024 < 1059 <= 1024 + 1024/8; 4199 above
 * 4096 likewise; 3099 above 3072). A split prime's members add their parts, one of them with
 * its small product's share: two members halve the middle prime, four the last, five the
 * last two, six all three; seven to eleven make halves and quarters (seven: a half and two
 * quarters of the last prime), twelve to sixteen quarters, members past twelve none. */
static void test_by_primes_at_every_size_matches_gmp(void)
{
    const size_t t = BN_NTT_THRESHOLD;
    const size_t sizes[][2] = {{4 * t, 3 * t}, {9 * t, t},    {7 * t, t},
                               {560, 500},     {2200, 2000}, {1700, 1400}};
    for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
        if (sizes[si][0] + sizes[si][1] > bn_ntt_max_limbs())
            continue; /* the tiny thresholds' build: beyond one transform */
        for (int ones = 0; ones < 2; ones++) {
            bignum a, b;
            make_operand(&a, sizes[si][0], ones);
            make_operand(&b, sizes[si][1], ones);
            for (unsigned g = 2; g <= BN_GROUP_PRIMES_MEMBERS; g++) {
                CU_ASSERT(bn_group_primes_fit(g, a.size, b.size));
                for (int how = 0; how < HOLD_COUNT; how++)
                    for (int whole = 0; whole < 2; whole++)
                        CU_ASSERT_EQUAL(group_product(g, &a, &b, how, whole, -1, 0, 0), 0);
            }
            bignum_clear(&a);
            bignum_clear(&b);
        }
    }
    ASSERT_NO_LEAK();
}

/* Every way where it is not the one chosen: by slices, by the split transform and by primes
 * at two to sixteen members, forced (bn_group_force), against GMP. */
static void test_every_way_forced_matches_gmp(void)
{
    static const int ways[] = {BN_GROUP_SLICES, BN_GROUP_TRANSFORM, BN_GROUP_PRIMES};
    const size_t t = BN_NTT_THRESHOLD;
    for (int ones = 0; ones < 2; ones++) {
        bignum a, b;
        make_operand(&a, 6 * t, ones);
        make_operand(&b, 2 * t + 7, ones);
        for (size_t w = 0; w < sizeof ways / sizeof *ways; w++) {
            bn_group_force(ways[w]);
            for (unsigned g = 2; g <= MAX_MEMBERS; g++)
                for (int how = 0; how < HOLD_COUNT; how++)
                    CU_ASSERT_EQUAL(group_product(g, &a, &b, how, 0, -1, 0, 0), 0);
        }
        bn_group_force(BN_GROUP_CHOOSE);
        bignum_clear(&a);
        bignum_clear(&b);
    }
    ASSERT_NO_LEAK();
}

/* A member that comes failed to any of the exchanges stops every member
 * there: all return an error, none hangs, nothing leaks. Three members share
 * the product by its primes as chosen, five, nine and sixteen forced (four
 * exchanges: the places, the operands, the residues, the overflows); seven
 * split the transform, forced, and sixteen as chosen (six). */
static void test_a_failed_member_stops_the_group(void)
{
    bignum a, b;
    make_operand(&a, 8 * BN_NTT_THRESHOLD, 0);
    make_operand(&b, 5 * BN_NTT_THRESHOLD, 0);
    static const struct {
        unsigned g;
        int way;
        unsigned exchanges, step;
    } runs[] = {{3, BN_GROUP_CHOOSE, 4, 2},
                {5, BN_GROUP_PRIMES, 4, 2},
                {9, BN_GROUP_PRIMES, 4, 2},
                {16, BN_GROUP_PRIMES, 4, 5},
                {7, BN_GROUP_TRANSFORM, 6, 2},
                {16, BN_GROUP_CHOOSE, 6, 5}};
    for (size_t k = 0; k < sizeof runs / sizeof *runs; k++) {
        unsigned g = runs[k].g;
        bn_group_force(runs[k].way);
        for (unsigned call = 0; call < runs[k].exchanges; call++)
            for (unsigned who = 0; who < g; who += runs[k].step)
                CU_ASSERT_EQUAL(group_product(g, &a, &b, HOLD_EVEN, 0, (int)who, call, 0), g);
        /* past the last exchange: nothing fails */
        CU_ASSERT_EQUAL(group_product(g, &a, &b, HOLD_EVEN, 0, 0, runs[k].exchanges, 0), 0);
    }
    bn_group_force(BN_GROUP_CHOOSE);
    bignum_clear(&a);
    bignum_clear(&b);
    ASSERT_NO_LEAK();
}

/* Allocations failing anywhere: the failing member says BN_ENOMEM, the
 * others stop at the next exchange, and nothing leaks; by primes (2 and 12
 * members, 12 forced) and by the transform (7, forced). */
static void test_allocation_failure_anywhere_is_reported_and_harmless(void)
{
    bignum a, b;
    make_operand(&a, 4 * BN_NTT_THRESHOLD, 0);
    make_operand(&b, 4 * BN_NTT_THRESHOLD, 0);
    static const struct {
        unsigned g;
        int way;
        unsigned long last; /* past every member's allocations */
    } runs[] = {{2, BN_GROUP_CHOOSE, 120},
                {7, BN_GROUP_TRANSFORM, 120},
                {12, BN_GROUP_PRIMES, 400}};
    for (size_t k = 0; k < sizeof runs / sizeof *runs; k++) {
        unsigned long seen = 0;
        bn_group_force(runs[k].way);
        for (unsigned long n = 1; n < runs[k].last; n += 3) {
            unsigned failed = group_product(runs[k].g, &a, &b, HOLD_EVEN, 0, -1, 0, n);
            /* a refused allocation fails its member at least, and only then one fails */
            CU_ASSERT_EQUAL(failed != 0, refused != 0);
            seen += refused != 0;
            CU_ASSERT_EQUAL(test_alloc_live_blocks(), 2); /* a and b only */
        }
        CU_ASSERT(seen > 10); /* the refusals fell inside the product, not past it */
    }
    bn_group_force(BN_GROUP_CHOOSE);
    bignum_clear(&a);
    bignum_clear(&b);
    ASSERT_NO_LEAK();
}

/* The way chosen, as measured (bignum_group.c, way_for): two and three members by primes,
 * four to sixteen by the split transform, whether the product fills a transform length N
 * exactly or takes the wrapped layout (its coefficients just past it: N + N/16); below the threshold
 * one member alone, past one transform by slices. bn_group_words charges the way chosen, and
 * a forced way overrides it. */
static void test_the_way_chosen_follows_what_each_costs(void)
{
    size_t N = bn_ntt_shape_for(8 * BN_NTT_THRESHOLD).n;
    size_t exact[2] = {N / 2 + 1, N - N / 2}, wrapped[2] = {(N + N / 16) / 2 + 1,
                                                             N + N / 16 - (N + N / 16) / 2};
    ntt_shape big;
    CU_ASSERT_FALSE_FATAL(bn_ntt_wrap(exact[0], exact[1], &big) > 0);
    CU_ASSERT_TRUE_FATAL(bn_ntt_wrap(wrapped[0], wrapped[1], &big) > 0);
    for (unsigned g = 2; g <= 16; g++) {
        int small_group = g <= 3;
        CU_ASSERT_EQUAL(bn_group_way(g, exact[0], exact[1]),
                        small_group ? BN_GROUP_PRIMES : BN_GROUP_TRANSFORM);
        CU_ASSERT_EQUAL(bn_group_way(g, wrapped[0], wrapped[1]),
                        small_group ? BN_GROUP_PRIMES : BN_GROUP_TRANSFORM);
    }
    CU_ASSERT_EQUAL(bn_group_way(1, exact[0], exact[1]), 0);
    CU_ASSERT_EQUAL(bn_group_way(4, BN_NTT_THRESHOLD - 1, exact[1]), 0);
    size_t beyond = bn_ntt_max_limbs();
    CU_ASSERT_EQUAL(bn_group_way(4, beyond, beyond), BN_GROUP_SLICES);
    /* the words charged: by primes at 3 (wrapped), by the transform at 4 (exact) */
    unsigned ex = 0;
    double L = (double)(wrapped[0] + wrapped[1]);
    CU_ASSERT_DOUBLE_EQUAL(bn_group_words(3, wrapped[0], wrapped[1], &ex), 4.0 / 3 * L, 1e-6 * L);
    CU_ASSERT_EQUAL(ex, 4);
    L = (double)(exact[0] + exact[1]); /* N coefficients: a transform of N */
    /* at least an even share's (more where the blocks or columns part unevenly: the tiny
     * thresholds' build; what the busiest receives is checked against the hub below) */
    CU_ASSERT(bn_group_words(4, exact[0], exact[1], &ex) >= (2 * L + 9 * (double)N) * 3 / 16 - 1);
    CU_ASSERT_EQUAL(ex, 6);
    CU_ASSERT_EQUAL(bn_group_words(1, exact[0], exact[1], &ex), 0);
    CU_ASSERT_EQUAL(ex, 0);
    bn_group_force(BN_GROUP_PRIMES);
    CU_ASSERT_EQUAL(bn_group_way(16, exact[0], exact[1]), BN_GROUP_PRIMES);
    CU_ASSERT_DOUBLE_EQUAL(bn_group_words(16, exact[0], exact[1], &ex), 15.0 / 16 * L + 11 * L / 16,
                           1e-6 * L);
    bn_group_force(BN_GROUP_TRANSFORM);
    CU_ASSERT_EQUAL(bn_group_way(2, wrapped[0], wrapped[1]), BN_GROUP_TRANSFORM);
    /* where the transform is too short to split among sixteen but quarters fit (the tiny
     * thresholds' build, the smallest product shared), primes stand in for it */
    size_t t = BN_NTT_THRESHOLD;
    int unsplit = bn_group_way(16, t, t) != BN_GROUP_TRANSFORM;
    bn_group_force(BN_GROUP_CHOOSE);
    if (unsplit && bn_group_primes_fit(16, t, t))
        CU_ASSERT_EQUAL(bn_group_way(16, t, t), BN_GROUP_PRIMES);
}

/* The words bn_group_words charges are those the busiest member receives from the others,
 * as the hub counts them (beside the places' and the overflows' few words; by the transform
 * also its runs' carries, a few percent at this size): every way, at 2 to 16 members, a
 * product that fills a transform and one that takes the wrapped layout, operands held
 * evenly. And what a member holds of what it wants stays out of the exchanges: its operands
 * and residues by primes, its columns of its blocks by the transform. */
static void test_the_words_charged_are_those_received(void)
{
    size_t N = bn_ntt_shape_for(8 * BN_NTT_THRESHOLD).n, W = N + N / 16;
    const size_t sizes[][2] = {{N / 2 + 1, N - N / 2}, {W / 2 + 1, W - W / 2}};
    static const int ways[] = {BN_GROUP_CHOOSE, BN_GROUP_PRIMES, BN_GROUP_TRANSFORM};
    unsigned checked = 0;
    for (size_t si = 0; si < 2; si++) {
        bignum a, b;
        make_operand(&a, sizes[si][0], 0);
        make_operand(&b, sizes[si][1], 0);
        for (size_t w = 0; w < sizeof ways / sizeof *ways; w++) {
            bn_group_force(ways[w]);
            for (unsigned g = 2; g <= MAX_MEMBERS; g++) {
                int way = bn_group_way(g, a.size, b.size);
                if (way != BN_GROUP_PRIMES && way != BN_GROUP_TRANSFORM)
                    continue; /* the tiny thresholds' build: beyond one transform */
                unsigned ex = 0;
                double want = bn_group_words(g, a.size, b.size, &ex) +
                              (g - 1) * (4.0 + BN_GROUP_OVERFLOW_WORDS + 5);
                CU_ASSERT_EQUAL(group_product(g, &a, &b, HOLD_EVEN, 0, -1, 0, 0), 0);
                /* within a few percent, or (the tiny thresholds' build) a few words a member */
                double off = (double)busiest_in / want - 1;
                int near = (off > -0.01 && off < (way == BN_GROUP_PRIMES ? 0.01 : 0.04)) ||
                           fabs((double)busiest_in - want) <= 2.0 * g;
                CU_ASSERT(near);
                if (!near)
                    printf("\n  %u members, %zu x %zu limbs, way %d: %zu words, %.0f charged",
                           g, a.size, b.size, way, busiest_in, want);
                /* by primes the operands and the residues; by the transform the forward's
                 * blocks and the inverse's columns */
                unsigned first = way == BN_GROUP_PRIMES ? 1 : 2;
                CU_ASSERT(self_words[first] == 0 && self_words[first + 1] == 0);
                checked++;
            }
        }
        bn_group_force(BN_GROUP_CHOOSE);
        bignum_clear(&a);
        bignum_clear(&b);
    }
    CU_ASSERT(checked > 0);
    ASSERT_NO_LEAK();
}

/* Where g members share by primes: halves need a transform of M >= 8 points (m M, m 1 or 3),
 * quarters (seven members on) M >= 16; three whole primes any; never past
 * BN_GROUP_PRIMES_MEMBERS nor beyond one transform. 6 x 5 limbs: 12 points (M = 4); 12 x 9:
 * 24 (M = 8); 8 x 8: 16 (M = 16). */
static void test_by_primes_needs_parts_that_fit(void)
{
    CU_ASSERT_TRUE(bn_group_primes_fit(3, 6, 5));
    CU_ASSERT_FALSE(bn_group_primes_fit(2, 6, 5));
    CU_ASSERT_FALSE(bn_group_primes_fit(6, 5, 6));
    CU_ASSERT_TRUE(bn_group_primes_fit(6, 12, 9));
    CU_ASSERT_FALSE(bn_group_primes_fit(7, 12, 9));
    CU_ASSERT_FALSE(bn_group_primes_fit(16, 9, 12));
    for (unsigned g = 2; g <= BN_GROUP_PRIMES_MEMBERS; g++)
        CU_ASSERT_TRUE(bn_group_primes_fit(g, 8, 8));
    CU_ASSERT_FALSE(bn_group_primes_fit(1, 8, 8));
    CU_ASSERT_FALSE(bn_group_primes_fit(BN_GROUP_PRIMES_MEMBERS + 1, 8, 8));
    size_t most = bn_ntt_max_limbs();
    CU_ASSERT_TRUE(bn_group_primes_fit(12, most / 2, most - most / 2));
    CU_ASSERT_FALSE(bn_group_primes_fit(12, most / 2 + 1, most - most / 2));
}

/* Parts made by one thread, against the whole prime's residues (both times the transform's
 * length, compared modulo the prime): four quarters, two halves, and a half with the two
 * quarters it leaves (half q, quarters q + 1 and q + 3), one part of each with the small
 * product; lengths 2^k, 3 2^k, wrapped, a square, and operands past 3/4 of the length (1000
 * of 1024, 3500 of 4096: a quarter's fold adds four terms). */
static void test_parts_of_a_prime_add_up_to_it(void)
{
    static const ntt_part_share cover[][4] = {
        {{0, 4, 0, 1}, {0, 4, 1, 0}, {0, 4, 2, 0}, {0, 4, 3, 0}},
        {{0, 4, 0, 0}, {0, 4, 1, 0}, {0, 4, 2, 1}, {0, 4, 3, 0}},
        {{0, 2, 0, 1}, {0, 2, 1, 0}},
        {{0, 2, 0, 0}, {0, 4, 1, 0}, {0, 4, 3, 1}},
        {{0, 2, 1, 1}, {0, 4, 0, 0}, {0, 4, 2, 0}},
    };
    const size_t sizes[][2] = {{700, 600}, {1700, 1400}, {560, 500}, {900, 900},
                               {40, 30},   {1000, 50},   {3500, 500}};
    for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
        size_t an = sizes[si][0], bn = sizes[si][1];
        if (an + bn > bn_ntt_max_limbs())
            continue;
        bignum a, b;
        make_operand(&a, an, 0);
        make_operand(&b, bn, 0);
        const bn_limb *bp = si == 3 ? a.limbs : b.limbs; /* 900 x 900: a square */
        size_t words = bn_ntt_scratch_helped(an, bn);
        bn_limb *whole = bignum_alloc_limbs(words), *part = bignum_alloc_limbs(words);
        bn_limb *sum = bignum_alloc_limbs(an + bn);
        CU_ASSERT_FATAL(whole && part && sum);
        for (int p = 0; p < 3; p++) {
            bn_limb *res[3];
            size_t n, pn;
            bn_ntt_prime_residues(1u << p, NULL, a.limbs, an, bp, bn, whole, NULL, res, &n);
            const bn_limb *want = res[p];
            bn_limb prime = bn_ntt_prime(p);
            for (size_t c = 0; c < sizeof cover / sizeof *cover; c++) {
                memset(sum, 0, (an + bn) * sizeof *sum);
                for (int k = 0; k < 4 && cover[c][k].parts; k++) {
                    ntt_part_share share = cover[c][k];
                    share.prime = p;
                    bn_ntt_prime_residues(0, &share, a.limbs, an, bp, bn, part, NULL, res, &pn);
                    CU_ASSERT_EQUAL(pn, n);
                    for (size_t j = 0; j < an + bn - 1; j++) {
                        CU_ASSERT(res[p][j] < 2 * prime);
                        sum[j] = (sum[j] + res[p][j]) % prime;
                    }
                }
                size_t bad = 0;
                for (size_t j = 0; j < an + bn - 1; j++)
                    bad += sum[j] != want[j] % prime;
                CU_ASSERT_EQUAL(bad, 0);
                if (bad)
                    printf("\n  prime %d, %zu x %zu limbs, cover %zu: %zu coefficients wrong\n",
                           p, an, bn, c, bad);
            }
        }
        bignum_free_limbs(whole, words);
        bignum_free_limbs(part, words);
        bignum_free_limbs(sum, an + bn);
        bignum_clear(&a);
        bignum_clear(&b);
    }
    ASSERT_NO_LEAK();
}

int main(void)
{
    uint64_t seed = test_seed("test_bignum_group", 20261204);
    rng_state = seed;
    printf("test_bignum_group: seed %" PRIu64 " (set CS_TEST_SEED to repeat or vary); ntt "
           "threshold %d\n",
           seed, BN_NTT_THRESHOLD);
    test_alloc_install();
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("bignum_group", NULL, NULL);
    CU_add_test(s, "group products match GMP", test_group_products_match_gmp);
    CU_add_test(s, "every way, forced, matches GMP", test_every_way_forced_matches_gmp);
    CU_add_test(s, "by primes at every size matches GMP", test_by_primes_at_every_size_matches_gmp);
    CU_add_test(s, "by primes needs parts that fit", test_by_primes_needs_parts_that_fit);
    CU_add_test(s, "parts of a prime add up to it", test_parts_of_a_prime_add_up_to_it);
    CU_add_test(s, "a large split transform matches GMP", test_a_large_split_transform_matches_gmp);
    CU_add_test(s, "a split transform in the wrapped layout matches GMP", test_a_split_transform_in_the_wrapped_layout_matches_gmp);
    CU_add_test(s, "members' threads share every step", test_members_threads_share_every_step);
    CU_add_test(s, "the way chosen follows what each costs", test_the_way_chosen_follows_what_each_costs);
    CU_add_test(s, "the words charged are those received", test_the_words_charged_are_those_received);
    CU_add_test(s, "a failed member stops the group", test_a_failed_member_stops_the_group);
    CU_add_test(s, "allocation failure anywhere is reported and harmless",
                test_allocation_failure_anywhere_is_reported_and_harmless);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    test_alloc_uninstall();
    return failed ? 1 : 0;
}
