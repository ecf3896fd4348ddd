/* bignum_mul_helped against GMP: transform products whose steps a caller's runners run in any order, on threads, in other floating point modes. */
#define _GNU_SOURCE /* feenableexcept: helpers that trap inexact results */
#include <CUnit/Basic.h>
#include <fenv.h>
#include <gmp.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <xmmintrin.h>
#endif

#include "bignum.h"
#include "bignum_impl.h"
#include "bignum_ntt.h"
#include "test_alloc.h"
#include "test_seed.h"

/*
 * bignum_mul_helped hands its steps to run(ctx, parts, fn, arg), whose only
 * promise is that each part runs once, in some order, on some thread. So the
 * runners here run the parts backwards, in a random permutation, and on three
 * threads at once (also in other floating point modes), and every product
 * must equal GMP's and bignum_mul's, at every transform build (scalar, AVX2,
 * AVX-512) and at the shapes where the transforms differ: lengths 2^k and
 * 3 2^k, products just past a length (the wrapped layout), unbalanced
 * operands, squares, all-ones operands (the largest coefficients and CRT
 * carries). Operands come from a fixed seed (CS_TEST_SEED overrides it). The
 * leak-checking allocator is installed for the whole suite; its red zones also
 * catch a step writing past the scratch it was given.
 */

static uint64_t rng_state;

static uint64_t rnd(void) { return test_xorshift(&rng_state); }

static size_t rnd_below(size_t n) { return (size_t)(rnd() % n); }

enum shape { SHAPE_UNIFORM, SHAPE_ONES };

static const char *shape_name(enum shape s) { return s == SHAPE_ONES ? "all ones" : "uniform"; }

/* x = n limbs of the shape, the top one non-zero. */
static void make_operand(bignum *x, size_t n, enum shape shape)
{
    CU_ASSERT_EQUAL_FATAL(bignum_reserve(x, n), BN_OK);
    for (size_t i = 0; i < n; i++)
        x->limbs[i] = shape == SHAPE_ONES ? ~(bn_limb)0 : rnd();
    if (n && x->limbs[n - 1] == 0)
        x->limbs[n - 1] = 1;
    x->size = n;
}

static void bignum_to_mpz(mpz_t z, const bignum *x)
{
    mpz_import(z, x->size, -1, sizeof(bn_limb), 0, 0, x->limbs);
}

/* x is normalized and equals z. */
static int bignum_equals_mpz(const bignum *x, const mpz_t z)
{
    if (x->size && x->limbs[x->size - 1] == 0)
        return 0;
    mpz_t t;
    mpz_init(t);
    bignum_to_mpz(t, x);
    int eq = mpz_cmp(t, z) == 0;
    mpz_clear(t);
    return eq;
}

/* zr = a b by GMP: the oracle. */
static void gmp_product(mpz_t zr, const bignum *a, const bignum *b)
{
    mpz_t za, zb;
    mpz_inits(za, zb, NULL);
    bignum_to_mpz(za, a);
    bignum_to_mpz(zb, b);
    mpz_mul(zr, za, zb);
    mpz_clears(za, zb, NULL);
}

/* a (an limbs of the shape) and b (bn uniform ones), or a alone for a square
 * (bn 0); zr their product by GMP. Returns the second factor, b or a. */
static const bignum *operands_by_gmp(bignum *a, bignum *b, size_t an, size_t bn, enum shape shape,
                                     mpz_t zr)
{
    make_operand(a, an, shape);
    if (bn)
        make_operand(b, bn, SHAPE_UNIFORM);
    const bignum *second = bn ? b : a;
    gmp_product(zr, a, second);
    return second;
}

/* Every test ends with nothing allocated through the hooks and no red zone hit. */
#define ASSERT_NO_LEAK()                                                                           \
    do {                                                                                           \
        CU_ASSERT_EQUAL(test_alloc_live_blocks(), 0);                                              \
        CU_ASSERT_EQUAL(test_alloc_problems(), 0);                                                 \
    } while (0)

/* Whether bignum_mul_helped is documented to give this product's steps to the
 * helpers: from the transform threshold on, also beyond one transform. */
static int takes_helpers(size_t an, size_t bn, int square)
{
    size_t lo = an < bn ? an : bn;
    return lo >= (size_t)(square ? BN_SQR_NTT_THRESHOLD : BN_NTT_THRESHOLD);
}

/* ---- runners --------------------------------------------------------------- */

enum order { ORDER_REVERSE, ORDER_RANDOM, ORDER_THREADS, ORDER_COUNT };

static const char *order_name(enum order o)
{
    return o == ORDER_REVERSE ? "reverse" : o == ORDER_RANDOM ? "random order" : "three threads";
}

#define HELPER_THREADS 3

/* What a runner saw over the run calls of one or more products. */
typedef struct runner {
    enum order order;
    int round_mode;          /* threads: the rounding mode helpers set before their parts */
    int traps;               /* threads: the floating point exceptions helpers trap (FE_*) */
    unsigned runs;           /* run calls */
    unsigned long parts;     /* parts asked for, over all calls */
    unsigned bad_runs;       /* calls in which some part did not run exactly once */
    unsigned fewest;         /* the fewest parts in one call after the first (the tables') */
    atomic_uint helper_failures; /* helpers that could not set the floating point mode */
    atomic_uint mode_lost;   /* parts after which a helper's floating point mode had changed */
    atomic_uint running;     /* parts running now */
    atomic_uint overlap;     /* the most parts seen running at once */
} runner;

static void runner_init(runner *rr, enum order order, int round_mode)
{
    memset(rr, 0, sizeof *rr);
    rr->order = order;
    rr->round_mode = round_mode;
    rr->traps = 0;
    rr->fewest = ~0u;
    atomic_init(&rr->helper_failures, 0);
    atomic_init(&rr->mode_lost, 0);
    atomic_init(&rr->running, 0);
    atomic_init(&rr->overlap, 0);
}

/* The floating point control a step must leave as it found it: MXCSR without
 * its sticky exception flags (where there is one), and the C rounding mode. */
static unsigned fp_control(void)
{
#if defined(__x86_64__)
    return (_mm_getcsr() & ~0x3fu) << 16 | (unsigned)fegetround();
#else
    return (unsigned)fegetround();
#endif
}

/* One run call's parts, shared with the helper threads. */
typedef struct batch {
    runner *rr;
    unsigned parts;
    void (*fn)(void *arg, unsigned part);
    void *arg;
    atomic_uint *ran;        /* times each part ran */
    atomic_uint next;        /* the next part to take */
} batch;

static void batch_run_part(batch *b, unsigned part)
{
    runner *rr = b->rr;
    atomic_fetch_add(&b->ran[part], 1);
    unsigned now = atomic_fetch_add(&rr->running, 1) + 1, most = atomic_load(&rr->overlap);
    while (now > most && !atomic_compare_exchange_weak(&rr->overlap, &most, now))
        ;
    b->fn(b->arg, part);
    atomic_fetch_sub(&rr->running, 1);
}

/*
 * Three helper threads for the whole suite, woken for each batch: threads
 * started per run call wait their turn behind every other process on a busy
 * machine, which made the suite's time the machine's load, not its work.
 */
typedef struct helper_pool {
    pthread_mutex_t lock;
    pthread_cond_t work, done;
    batch *current;           /* the batch being run */
    unsigned long generation; /* batches posted so far */
    unsigned busy;            /* helpers not yet through the current batch */
    int stop;
    pthread_t threads[HELPER_THREADS];
    int started;
} helper_pool;

static helper_pool pool = {.lock = PTHREAD_MUTEX_INITIALIZER, .work = PTHREAD_COND_INITIALIZER,
                           .done = PTHREAD_COND_INITIALIZER};

/* Whether this build can make a thread trap floating point exceptions. */
static int traps_supported(void)
{
#if defined(__GLIBC__)
    return 1;
#else
    return 0;
#endif
}

/* This thread traps exactly `traps` (0: none, the default). */
static int set_traps(int traps)
{
#if defined(__GLIBC__)
    feclearexcept(FE_ALL_EXCEPT);
    if (fedisableexcept(FE_ALL_EXCEPT) < 0)
        return 0;
    return traps == 0 || feenableexcept(traps) >= 0;
#else
    return traps == 0;
#endif
}

/* A step that computes with this thread's trapping mode ends here. */
static void on_sigfpe(int sig)
{
    (void)sig;
    static const char msg[] = "\ntest_bignum_helped: SIGFPE: a step computed in its helper's own "
                              "floating point mode (inexact results trapping)\n";
    ssize_t ignored = write(2, msg, sizeof msg - 1);
    (void)ignored;
    _exit(1);
}

/* A helper's share of one batch, in the batch's floating point mode. */
static void helper_take_parts(batch *b)
{
    runner *rr = b->rr;
    if (fesetround(rr->round_mode) != 0 || !set_traps(rr->traps)) {
        atomic_fetch_add(&rr->helper_failures, 1); /* its parts are left to the others */
        return;
    }
    for (unsigned part; (part = atomic_fetch_add(&b->next, 1)) < b->parts;) {
        unsigned before = fp_control();
        batch_run_part(b, part);
        if (fp_control() != before)
            atomic_fetch_add(&rr->mode_lost, 1);
    }
}

static void *helper_main(void *arg)
{
    (void)arg;
    unsigned long seen = 0;
    pthread_mutex_lock(&pool.lock);
    for (;;) {
        while (!pool.stop && pool.generation == seen)
            pthread_cond_wait(&pool.work, &pool.lock);
        if (pool.stop)
            break;
        seen = pool.generation;
        batch *b = pool.current;
        pthread_mutex_unlock(&pool.lock);
        helper_take_parts(b);
        pthread_mutex_lock(&pool.lock);
        if (--pool.busy == 0)
            pthread_cond_signal(&pool.done);
    }
    pthread_mutex_unlock(&pool.lock);
    return NULL;
}

static int pool_start(void)
{
    for (; pool.started < HELPER_THREADS; pool.started++)
        if (pthread_create(&pool.threads[pool.started], NULL, helper_main, NULL) != 0)
            return -1;
    return 0;
}

static void pool_stop(void)
{
    pthread_mutex_lock(&pool.lock);
    pool.stop = 1;
    pthread_cond_broadcast(&pool.work);
    pthread_mutex_unlock(&pool.lock);
    for (int i = 0; i < pool.started; i++)
        pthread_join(pool.threads[i], NULL);
}

/* Every helper goes through the batch; returns when all have. */
static void run_on_threads(batch *b)
{
    pthread_mutex_lock(&pool.lock);
    pool.current = b;
    pool.busy = HELPER_THREADS;
    pool.generation++;
    pthread_cond_broadcast(&pool.work);
    while (pool.busy > 0)
        pthread_cond_wait(&pool.done, &pool.lock);
    pool.current = NULL;
    pthread_mutex_unlock(&pool.lock);
    /* parts no helper could take (none could set the mode): run here, so that
     * the run call keeps its promise and the failure shows as a count */
    for (unsigned part; (part = atomic_fetch_add(&b->next, 1)) < b->parts;)
        batch_run_part(b, part);
}

/* bignum_helpers.run: each part once, in the runner's order; then checks that
 * every part index below parts ran exactly once. */
static void runner_run(void *ctx, unsigned parts, void (*fn)(void *arg, unsigned part), void *arg)
{
    runner *rr = ctx;
    rr->runs++;
    rr->parts += parts;
    if (rr->runs > 1 && parts < rr->fewest)
        rr->fewest = parts;
    batch b = {.rr = rr, .parts = parts, .fn = fn, .arg = arg};
    atomic_init(&b.next, 0);
    b.ran = calloc(parts ? parts : 1, sizeof *b.ran);
    unsigned *perm = malloc((parts ? parts : 1) * sizeof *perm);
    if (!b.ran || !perm) {
        fprintf(stderr, "test_bignum_helped: out of memory for %u parts\n", parts);
        abort();
    }
    for (unsigned i = 0; i < parts; i++) {
        atomic_init(&b.ran[i], 0);
        perm[i] = i;
    }
    switch (rr->order) {
    case ORDER_REVERSE:
        for (unsigned i = parts; i-- > 0;)
            batch_run_part(&b, i);
        break;
    case ORDER_RANDOM:
        for (unsigned i = parts; i > 1; i--) { /* Fisher-Yates */
            unsigned j = (unsigned)rnd_below(i), t = perm[i - 1];
            perm[i - 1] = perm[j];
            perm[j] = t;
        }
        for (unsigned i = 0; i < parts; i++)
            batch_run_part(&b, perm[i]);
        break;
    default:
        run_on_threads(&b);
        break;
    }
    for (unsigned i = 0; i < parts; i++)
        if (atomic_load(&b.ran[i]) != 1) {
            rr->bad_runs++;
            break;
        }
    free(b.ran);
    free(perm);
}

/* ---- checks -------------------------------------------------------------- */

/* The most parts the three-thread runner was seen running at once. */
static unsigned threads_overlap;

static void note_overlap(runner *rr)
{
    unsigned seen = atomic_load(&rr->overlap);
    if (rr->order == ORDER_THREADS && seen > threads_overlap)
        threads_overlap = seen;
}

/*
 * a b (a^2 when square; bn is then ignored) of the shape, by bignum_mul_helped
 * with each runner at each transform build: every product equals GMP's and
 * bignum_mul's, each runner ran every part exactly once, and the helpers were
 * used exactly when the product takes them. A square's parts are compared with
 * those of the same product of two distinct copies: the second operand's
 * forward steps fewer (none where a block loads both).
 */
static void check_helped(size_t an, size_t bn, enum shape shape, int square)
{
    if (square)
        bn = an;
    int helped = takes_helpers(an, bn, square);
    bignum a, b, plain, r;
    bignum_init(&a), bignum_init(&b), bignum_init(&plain), bignum_init(&r);
    make_operand(&a, an, shape);
    if (square) {
        CU_ASSERT_EQUAL_FATAL(bignum_copy(&b, &a), BN_OK); /* same value, its own limbs */
    } else {
        make_operand(&b, bn, shape);
    }
    const bignum *second = square ? &a : &b;
    mpz_t za, zb, zr;
    mpz_inits(za, zb, zr, NULL);
    bignum_to_mpz(za, &a);
    bignum_to_mpz(zb, &b);
    mpz_mul(zr, za, zb);
    CU_ASSERT_EQUAL(bignum_mul(&plain, &a, second), BN_OK);
    CU_ASSERT(bignum_equals_mpz(&plain, zr));
    unsigned long square_parts = 0;
    for (int level = BN_NTT_SCALAR; level <= BN_NTT_AVX512; level++) {
        bn_ntt_limit(level);
        for (int o = 0; o < ORDER_COUNT; o++) {
            runner rr;
            runner_init(&rr, (enum order)o, FE_TONEAREST);
            bignum_helpers h = {runner_run, &rr};
            bignum_clear(&r); /* nothing of an earlier product left to be mistaken for this one */
            int st = bignum_mul_helped(&r, &a, second, &h);
            int ok = st == BN_OK && bignum_equals_mpz(&r, zr) && bignum_cmp(&r, &plain) == 0;
            if (!ok)
                fprintf(stderr, "\n  %s %zu x %zu (%s), level %d, %s: differs from GMP\n",
                        square ? "square" : "product", an, bn, shape_name(shape), level,
                        order_name((enum order)o));
            CU_ASSERT(ok);
            CU_ASSERT_EQUAL(rr.bad_runs, 0);
            CU_ASSERT_EQUAL(atomic_load(&rr.helper_failures), 0);
            CU_ASSERT_EQUAL(atomic_load(&rr.mode_lost), 0);
            CU_ASSERT_EQUAL(rr.runs > 0, helped);
            note_overlap(&rr);
            square_parts = rr.parts;
        }
    }
    bn_ntt_limit(BN_NTT_AVX512);
    if (square && helped) {
        runner rr;
        runner_init(&rr, ORDER_REVERSE, FE_TONEAREST);
        bignum_helpers h = {runner_run, &rr};
        CU_ASSERT_EQUAL(bignum_mul_helped(&r, &a, &b, &h), BN_OK);
        CU_ASSERT(bignum_equals_mpz(&r, zr));
        /* the second operand's forward parts, where its transform has top stages
         * of its own; below that, blocks take both operands in one part */
        CU_ASSERT(rr.parts >= square_parts);
    }
    mpz_clears(za, zb, zr, NULL);
    bignum_clear(&a), bignum_clear(&b), bignum_clear(&plain), bignum_clear(&r);
}

/* The transform lengths: 48, 64, 96, 128, 192, ... (3 2^k after 2^(k+1)). */
static size_t next_length(size_t n) { return (n & (n - 1)) == 0 ? n + n / 2 : n / 3 * 4; }

/* The product shapes around one length N whose differences matter to the
 * transforms: exactly N coefficients, just past N (a main transform of N
 * wrapped around, completed by a small one of the low limbs), unbalanced,
 * squares; uniform and all ones. Shapes the helpers do not take are skipped
 * (bignum_mul's own tests cover them). */
static void check_shapes_at_length(size_t N)
{
    size_t shapes[][3] = {
        /* an, bn, square (an + bn - 1 coefficients) */
        {N + 1 - N / 2, N / 2, 0},                     /* N */
        {N + 1 - N / 2, N / 2, 0},                     /* N, all ones below */
        {N + 2 - (N + 1) / 2, (N + 1) / 2, 0},         /* N + 1: wrapped by one */
        {N + N / 16 + 1 - (N + N / 16) / 2, (N + N / 16) / 2, 0},
        {N + N / 8 + 1 - (N + N / 8) / 2, (N + N / 8) / 2, 0},
        {N + 1 - N / 8, N / 8, 0},                     /* unbalanced, N */
        {N, N / 8 + 1, 0},                             /* unbalanced, wrapped by N / 8 */
        {N / 2, 0, 1},                                 /* squares: N - 1 */
        {N / 2 + N / 16, 0, 1},                        /* N + N / 8 - 1, wrapped */
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        size_t an = shapes[i][0], bn = shapes[i][1];
        int square = (int)shapes[i][2];
        if (!takes_helpers(an, square ? an : bn, square))
            continue;
        /* all ones: at N, the widest wrap, and the first square */
        enum shape shape = i == 1 || i == 4 || i == 7 ? SHAPE_ONES : SHAPE_UNIFORM;
        check_helped(an, bn, shape, square);
    }
}

/* ---- tests --------------------------------------------------------------- */

static void test_helped_products_match_gmp_at_every_transform_shape(void)
{
    size_t max = bn_ntt_max_limbs(), most = max < 16384 ? max : 16384;
    size_t lengths = 0;
    for (size_t N = 48; N + N / 8 + 2 <= most; N = next_length(N), lengths++)
        check_shapes_at_length(N);
    CU_ASSERT(lengths >= 5);
    /* two long transforms, several levels of the blocked recursion deep */
    static const size_t longer[] = {3 << 14, 1 << 16};
    size_t long_ones = 0;
    for (size_t i = 0; i < sizeof longer / sizeof longer[0]; i++) {
        size_t N = longer[i];
        if (N + 1 > max)
            break;
        check_helped(N + 1 - N / 2, N / 2, SHAPE_UNIFORM, 0);
        check_helped(N + 1 - N / 2, N / 2, SHAPE_ONES, 0);
        long_ones++;
    }
    /* beyond one transform (cheap only where a transform is short): pieces of
     * a, then b cut in two, every runner and build */
    if (max <= 100000) {
        check_helped(2 * max + 5, max / 3, SHAPE_UNIFORM, 0);
        check_helped(max / 2 + 3, max / 2 + 1, SHAPE_ONES, 0);
        check_helped(max / 2 + 9, 0, SHAPE_ONES, 1);
    }
    /* Parts of milliseconds overlap on three threads; those of the tiny
     * build's short transforms may all be done before a second helper wakes.
     * On a machine busy with other work a helper may wake only after the
     * others finished a whole product: a few more long products, then. */
    for (int again = 0; long_ones && threads_overlap < 2 && again < 8; again++)
        check_helped((3 << 14) + 1 - (3 << 13), 3 << 13, SHAPE_UNIFORM, 0);
    if (long_ones)
        CU_ASSERT(threads_overlap >= 2);
    ASSERT_NO_LEAK();
}

/* a b by bignum_mul_helped with a counting runner: equals GMP, and the runner
 * was called exactly when `expect_runs`. */
static void check_runner_use(const bignum *a, const bignum *b, int expect_runs)
{
    mpz_t za, zb, zr;
    mpz_inits(za, zb, zr, NULL);
    bignum_to_mpz(za, a);
    bignum_to_mpz(zb, b);
    mpz_mul(zr, za, zb);
    runner rr;
    runner_init(&rr, ORDER_REVERSE, FE_TONEAREST);
    bignum_helpers h = {runner_run, &rr};
    bignum r;
    bignum_init(&r);
    CU_ASSERT_EQUAL(bignum_mul_helped(&r, a, b, &h), BN_OK);
    int ok = bignum_equals_mpz(&r, zr) && (rr.runs > 0) == expect_runs && rr.bad_runs == 0;
    if (!ok)
        fprintf(stderr, "\n  %s %zu x %zu: %s, runner called %u times (expected %s)\n",
                a == b ? "square" : "product", a->size, b->size,
                bignum_equals_mpz(&r, zr) ? "equals GMP" : "differs from GMP", rr.runs,
                expect_runs ? "some" : "none");
    CU_ASSERT(ok);
    bignum_clear(&r);
    mpz_clears(za, zb, zr, NULL);
}

static void check_sizes_runner_use(size_t an, size_t bn, int expect_runs)
{
    bignum a, b;
    bignum_init(&a), bignum_init(&b);
    make_operand(&a, an, SHAPE_UNIFORM);
    make_operand(&b, bn, SHAPE_UNIFORM);
    check_runner_use(&a, &b, expect_runs);
    check_runner_use(&b, &a, expect_runs); /* either operand may be the shorter */
    bignum_clear(&a), bignum_clear(&b);
}

static void check_square_runner_use(size_t n, int expect_runs)
{
    bignum a;
    bignum_init(&a);
    make_operand(&a, n, SHAPE_ONES);
    check_runner_use(&a, &a, expect_runs);
    bignum_clear(&a);
}

static void test_helpers_are_used_for_every_transform_product(void)
{
    const size_t t = BN_NTT_THRESHOLD, st = BN_SQR_NTT_THRESHOLD, max = bn_ntt_max_limbs();
    bignum zero;
    bignum_init(&zero);
    bignum a;
    bignum_init(&a);
    make_operand(&a, 2 * t, SHAPE_UNIFORM);
    check_runner_use(&a, &zero, 0); /* zero times anything */
    check_runner_use(&zero, &a, 0);
    check_runner_use(&zero, &zero, 0);
    bignum_clear(&a);
    check_sizes_runner_use(t - 1, t - 1, 0); /* below the threshold: bignum_mul's */
    check_sizes_runner_use(4 * t, t - 1, 0);
    check_sizes_runner_use(t, t, 1);         /* at it */
    check_sizes_runner_use(3 * t + 1, t, 1);
    check_square_runner_use(st - 1, 0);
    check_square_runner_use(st, 1);
    if (st > t) /* a square between the thresholds: not helped, its product of copies is */
        check_sizes_runner_use(st - 1, st - 1, 1);
    if (max > 100000) {
        printf("(beyond one transform skipped: it holds %zu limbs here) ", max);
    } else {
        check_sizes_runner_use(max - t, t, 1); /* one transform, the longest */
        check_sizes_runner_use(max + 1 - t, t, 1); /* beyond: pieces of a */
        check_sizes_runner_use(max / 2 + 1, max / 2 + 1, 1); /* beyond: b cut in two */
        check_sizes_runner_use(3 * max, t, 1);
        check_sizes_runner_use(3 * max + 7, max - t + 3, 1);
        check_square_runner_use(max / 2, 1);
        check_square_runner_use(max / 2 + 1, 1);
    }
    ASSERT_NO_LEAK();
}

/*
 * Where a helped transform of 2^k points has top stages, its last inverse
 * group, the unwrapping of the wrapped layout and Garner's step run as one
 * round in the vector build, each row's run of columns with a carry of its
 * own, and the wrapped coefficients N + k with one beside it. So products
 * just past such a length N = 16 S (S the sub-transform length; groups of
 * S columns, 16 rows) wrap by amounts that end inside a run, at its edges,
 * at the end of the first row and inside the second: every carry boundary
 * of both kinds. All ones gives the largest carries.
 */
static void test_helped_products_just_past_a_grouped_length_match_gmp(void)
{
    const size_t S = BN_NTT_SUB_POINTS, N = 16 * S;
    if (N + N / 8 + 1 > bn_ntt_max_limbs()) {
        printf("(skipped: one transform holds %zu limbs here) ", bn_ntt_max_limbs());
        return;
    }
    const size_t wraps[] = {1, 5, 63, 64, 65, 257, S - 1, S, S + 9, N / 8};
    size_t checked = 0;
    for (size_t i = 0; i < sizeof wraps / sizeof wraps[0]; i++) {
        size_t d = wraps[i];
        if (d > N / 8)
            continue;
        size_t bn = (N + d) / 2, an = N + d + 1 - bn; /* N + d coefficients */
        enum shape shape = d == S + 9 || d == N / 8 ? SHAPE_ONES : SHAPE_UNIFORM;
        check_helped(an, bn, shape, 0);
        checked++;
    }
    CU_ASSERT(checked >= 5);
    /* Longer: at 128 S points a group has 128 rows, the layout of the
     * largest products (a part's three primes fill its stack buffer), with a
     * wrap into the second row. Once, on three threads, in the widest build. */
    size_t L = 128 * S, d = S + 9;
    if (L + L / 8 + 1 <= bn_ntt_max_limbs()) {
        size_t bn = (L + d) / 2, an = L + d + 1 - bn;
        bignum a, b, r;
        bignum_init(&a), bignum_init(&b), bignum_init(&r);
        make_operand(&a, an, SHAPE_ONES);
        make_operand(&b, bn, SHAPE_ONES);
        mpz_t zr;
        mpz_init(zr);
        gmp_product(zr, &a, &b);
        runner rr;
        runner_init(&rr, ORDER_THREADS, FE_TONEAREST);
        bignum_helpers h = {runner_run, &rr};
        CU_ASSERT_EQUAL(bignum_mul_helped(&r, &a, &b, &h), BN_OK);
        CU_ASSERT(bignum_equals_mpz(&r, zr));
        CU_ASSERT_EQUAL(rr.bad_runs, 0);
        mpz_clear(zr);
        bignum_clear(&a), bignum_clear(&b), bignum_clear(&r);
    }
    ASSERT_NO_LEAK();
}

/*
 * A group of top stages with at most BN_NTT_IN_PLACE_ROWS rows runs in place
 * (vector build), a larger one is gathered into a buffer first: the rule, at
 * its boundary; a streamed group is always gathered (its rows are written
 * past the caches from the buffer).
 */
static void test_groups_of_few_rows_run_in_place(void)
{
    unsigned stages = 0;
    while (((size_t)2 << stages) <= BN_NTT_IN_PLACE_ROWS)
        stages++;
    ntt_group few = {(size_t)BN_NTT_SUB_POINTS << stages, stages, 0, 0, 0};
    ntt_group more = few, streamed = few;
    more.stages++;
    more.len *= 2;
    streamed.stream = 1;
    CU_ASSERT_EQUAL((size_t)1 << few.stages, BN_NTT_IN_PLACE_ROWS);
    CU_ASSERT(ntt_group_in_place(&few));
    CU_ASSERT(!ntt_group_in_place(&more));
    CU_ASSERT(!ntt_group_in_place(&streamed));
}

/* a b (a squared when bn is 0) helped on three threads in both vector builds,
 * the only ones with groups in place: equal to GMP's product. */
static void check_helped_vector_builds(size_t an, size_t bn, enum shape shape)
{
    bignum a, b, r;
    bignum_init(&a), bignum_init(&b), bignum_init(&r);
    mpz_t zr;
    mpz_init(zr);
    const bignum *second = operands_by_gmp(&a, &b, an, bn, shape, zr);
    for (int level = BN_NTT_AVX2; level <= BN_NTT_AVX512; level++) {
        bn_ntt_limit(level);
        runner rr;
        runner_init(&rr, ORDER_THREADS, FE_TONEAREST);
        bignum_helpers h = {runner_run, &rr};
        bignum_clear(&r);
        int ok = bignum_mul_helped(&r, &a, second, &h) == BN_OK && bignum_equals_mpz(&r, zr);
        if (!ok)
            fprintf(stderr, "\n  %s %zu x %zu, level %d: differs from GMP\n",
                    bn ? "product" : "square", an, bn ? bn : an, level);
        CU_ASSERT(ok);
        CU_ASSERT_EQUAL(rr.bad_runs, 0);
    }
    bn_ntt_limit(BN_NTT_AVX512);
    mpz_clear(zr);
    bignum_clear(&a), bignum_clear(&b), bignum_clear(&r);
}

/*
 * Products on both sides of that boundary: the top group (one pass of the
 * top stages over blocks of BN_NTT_SUB_POINTS) of BN_NTT_IN_PLACE_ROWS rows,
 * then of twice as many; at length 2^k (the inverse's last group fused with
 * Garner's step), wrapped past it (the fused unwrapping reads the rows in
 * place), 3 2^k (radix-3 columns, then the group, not fused) and a square.
 */
static void test_helped_products_across_the_in_place_rows_match_gmp(void)
{
    size_t checked = 0;
    for (size_t rows = BN_NTT_IN_PLACE_ROWS; rows <= 2 * BN_NTT_IN_PLACE_ROWS; rows *= 2) {
        size_t M = rows * BN_NTT_SUB_POINTS, d = M / 8 - 3;
        if (3 * M + 1 > bn_ntt_max_limbs())
            break;
        check_helped_vector_builds(M + 1 - M / 2, M / 2, SHAPE_ONES);          /* M coefficients */
        check_helped_vector_builds(M + d + 1 - (M + d) / 2, (M + d) / 2, SHAPE_UNIFORM); /* + d */
        check_helped_vector_builds(3 * M + 1 - 3 * M / 2, 3 * M / 2, SHAPE_UNIFORM);    /* 3 M */
        check_helped_vector_builds(M / 2, 0, SHAPE_ONES);                      /* M - 1, a square */
        checked++;
    }
    CU_ASSERT_EQUAL(checked, 2);
    ASSERT_NO_LEAK();
}

/*
 * A product of a few hundred thousand limbs (of most of one transform in the
 * tiny build) is cut into many parts at every step: each run() call after
 * the first (the tables, whose parts are segments of very unequal size) has
 * at least 32, so that 32 threads could share every step; and from four
 * calls (tables, forward, blocks, the inverse's top fused with Garner's
 * step) to a few tens in all. Both a plain and a wrapped layout, a product and a square,
 * lengths 3 2^k and 2^k with more top stages than one pass of a group holds
 * in the tiny build (and 32 rows of one group in the normal one).
 */
static void test_large_products_give_many_parts_at_every_step(void)
{
    size_t max = bn_ntt_max_limbs();
    size_t wrapped = max > 100000 ? 200000 : max * 17 / 40; /* just past a length, wrapped */
    size_t plain = max > 100000 ? 196608 : 1000;             /* 2 n - 1 coefficients, one length */
    size_t deep = max > 100000 ? 131072 : 512;               /* 2^18 (2^10) points: more top stages */
    size_t sizes[][2] = {{wrapped, wrapped}, {plain + 1, plain}, {wrapped, 0}, {deep + 1, deep}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t an = sizes[i][0], bn = sizes[i][1];
        int square = bn == 0;
        bignum a, b, r;
        bignum_init(&a), bignum_init(&b), bignum_init(&r);
        mpz_t zr;
        mpz_init(zr);
        const bignum *second = operands_by_gmp(&a, &b, an, bn, SHAPE_UNIFORM, zr);
        runner rr;
        runner_init(&rr, ORDER_RANDOM, FE_TONEAREST);
        bignum_helpers h = {runner_run, &rr};
        CU_ASSERT_EQUAL(bignum_mul_helped(&r, &a, second, &h), BN_OK);
        CU_ASSERT(bignum_equals_mpz(&r, zr));
        CU_ASSERT_EQUAL(rr.bad_runs, 0);
        if (rr.fewest < 32 || rr.runs < 4 || rr.runs > 30)
            fprintf(stderr, "\n  %s %zu x %zu: %u run() calls, the fewest parts in one %u\n",
                    square ? "square" : "product", an, square ? an : bn, rr.runs, rr.fewest);
        CU_ASSERT(rr.fewest >= 32);
        CU_ASSERT(rr.runs >= 4 && rr.runs <= 30);
        mpz_clear(zr);
        bignum_clear(&a), bignum_clear(&b), bignum_clear(&r);
    }
    ASSERT_NO_LEAK();
}

/*
 * Helped transforms of BN_NTT_STREAM_POINTS points or more write their top
 * stages' rows past the caches (ntt_group's stream), from three threads at
 * once; the products must not change: the smallest such length (a plain
 * product, then a square: only x is written), and the length just below it,
 * which does not stream, each against GMP and bignum_mul (which streams
 * too). In the normal build that is the 70M-bit product's length, 2^21
 * points: there only the first product, against GMP (a sanitized build takes
 * tens of seconds for each product of that size).
 */
static void test_streamed_transforms_give_the_same_products(void)
{
    const size_t L = BN_NTT_STREAM_POINTS;
    if (L + 1 > bn_ntt_max_limbs()) {
        printf("(skipped: one transform holds %zu limbs here) ", bn_ntt_max_limbs());
        return;
    }
    /* an + bn - 1 coefficients: L; L (a square); 3 L / 4, the length below */
    const size_t sizes[][2] = {{L / 2 + 1, L / 2}, {L / 2, 0}, {3 * L / 8, 3 * L / 8}};
    int small = L <= 65536;
    for (size_t i = 0; i < (small ? sizeof sizes / sizeof sizes[0] : 1); i++) {
        size_t an = sizes[i][0], bn = sizes[i][1];
        int square = bn == 0;
        bignum a, b, plain, r;
        bignum_init(&a), bignum_init(&b), bignum_init(&plain), bignum_init(&r);
        mpz_t zr;
        mpz_init(zr);
        enum shape shape = i == 0 ? SHAPE_ONES : SHAPE_UNIFORM;
        const bignum *second = operands_by_gmp(&a, &b, an, bn, shape, zr);
        if (small)
            CU_ASSERT_EQUAL(bignum_mul(&plain, &a, second), BN_OK);
        runner rr;
        runner_init(&rr, ORDER_THREADS, FE_TONEAREST);
        bignum_helpers h = {runner_run, &rr};
        CU_ASSERT_EQUAL(bignum_mul_helped(&r, &a, second, &h), BN_OK);
        int ok = bignum_equals_mpz(&r, zr) && (!small || bignum_equals_mpz(&plain, zr));
        if (!ok)
            fprintf(stderr, "\n  %s %zu x %zu: differs from GMP\n", square ? "square" : "product",
                    an, square ? an : bn);
        CU_ASSERT(ok);
        CU_ASSERT_EQUAL(rr.bad_runs, 0);
        CU_ASSERT(rr.runs > 0);
        mpz_clear(zr);
        bignum_clear(&a), bignum_clear(&b), bignum_clear(&plain), bignum_clear(&r);
    }
    ASSERT_NO_LEAK();
}

/* With no helpers, bignum_mul_helped is bignum_mul: the same value, also for
 * products that would take helpers, and with r an operand. */
static void test_no_helpers_is_bignum_mul(void)
{
    static const size_t sizes[][2] = {{1, 1}, {BN_NTT_THRESHOLD + 9, BN_NTT_THRESHOLD},
                                      {4 * BN_NTT_THRESHOLD, BN_NTT_THRESHOLD + 1}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        bignum a, b, plain, r;
        bignum_init(&a), bignum_init(&b), bignum_init(&plain), bignum_init(&r);
        make_operand(&a, sizes[i][0], SHAPE_UNIFORM);
        make_operand(&b, sizes[i][1], SHAPE_ONES);
        CU_ASSERT_EQUAL(bignum_mul(&plain, &a, &b), BN_OK);
        CU_ASSERT_EQUAL(bignum_mul_helped(&r, &a, &b, NULL), BN_OK);
        CU_ASSERT_EQUAL(bignum_cmp(&r, &plain), 0);
        CU_ASSERT_EQUAL(bignum_mul_helped(&a, &a, &b, NULL), BN_OK);
        CU_ASSERT_EQUAL(bignum_cmp(&a, &plain), 0);
        CU_ASSERT_EQUAL(bignum_mul(&plain, &b, &b), BN_OK);
        CU_ASSERT_EQUAL(bignum_mul_helped(&b, &b, &b, NULL), BN_OK);
        CU_ASSERT_EQUAL(bignum_cmp(&b, &plain), 0);
        bignum_clear(&a), bignum_clear(&b), bignum_clear(&plain), bignum_clear(&r);
    }
    ASSERT_NO_LEAK();
}

/*
 * The vector steps' exactness is proved for MXCSR's defaults, rounding to
 * nearest with inexact results not trapping; the thread that starts a product
 * chooses the vector build in that mode, but helpers may run in any. Each step
 * must run in the proved mode and give the helper its own back. Helpers here
 * round upward, downward and toward zero (which alone cannot spoil the
 * arithmetic: each product's quotient estimate stays within 1/2 of the true
 * one in any rounding mode), and trap inexact results (a step that computes in
 * that mode dies of SIGFPE). Products must stay exact, each helper's mode must
 * survive every part, and the calling thread's must too.
 */
static void test_helpers_in_another_floating_point_mode_give_exact_products(void)
{
    if (!bn_ntt_avx2_usable() && !bn_ntt_avx512_usable()) {
        printf("(skipped: no vector transforms on this CPU or in this build) ");
        return;
    }
    static const struct {
        int round, traps;
        const char *name;
    } modes[] = {{FE_UPWARD, 0, "rounding upward"},
                 {FE_DOWNWARD, 0, "rounding downward"},
                 {FE_TOWARDZERO, 0, "rounding toward zero"},
                 {FE_UPWARD, FE_INEXACT, "rounding upward, trapping inexact results"}};
    size_t max = bn_ntt_max_limbs(), most = max < 8192 ? max : 8192, below = 48, N = 64;
    while (next_length(N) + next_length(N) / 8 + 2 <= most) {
        below = N;
        N = next_length(N);
    }
    /* the longest length here and the one below it, a wrapped one, a square; all ones */
    size_t cases[][3] = {{N + 1 - N / 2, N / 2, SHAPE_UNIFORM},
                         {below + 1 - below / 2, below / 2, SHAPE_UNIFORM},
                         {N + N / 8 + 1 - (N + N / 8) / 2, (N + N / 8) / 2, SHAPE_ONES},
                         {N / 2, 0, SHAPE_UNIFORM}};
    CU_ASSERT_EQUAL_FATAL(fegetround(), FE_TONEAREST);
    unsigned caller_before = fp_control();
    int levels = 0;
    for (int level = BN_NTT_AVX2; level <= BN_NTT_AVX512; level++) {
        if (level == BN_NTT_AVX512 && !bn_ntt_avx512_usable())
            break;
        levels++;
        bn_ntt_limit(level);
        for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
            if (modes[m].traps && !traps_supported()) {
                printf("(trapping skipped: no feenableexcept here) ");
                continue;
            }
            for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
                size_t an = cases[c][0], bn = cases[c][1];
                int square = bn == 0;
                if (!takes_helpers(an, square ? an : bn, square))
                    continue;
                bignum a, b, r;
                bignum_init(&a), bignum_init(&b), bignum_init(&r);
                make_operand(&a, an, (enum shape)cases[c][2]);
                if (!square)
                    make_operand(&b, bn, (enum shape)cases[c][2]);
                const bignum *second = square ? &a : &b;
                mpz_t zr;
                mpz_init(zr);
                gmp_product(zr, &a, second);
                runner rr;
                runner_init(&rr, ORDER_THREADS, modes[m].round);
                rr.traps = modes[m].traps;
                bignum_helpers h = {runner_run, &rr};
                CU_ASSERT_EQUAL(bignum_mul_helped(&r, &a, second, &h), BN_OK);
                int exact = bignum_equals_mpz(&r, zr);
                if (!exact)
                    fprintf(stderr, "\n  %s %zu x %zu, level %d, helpers %s: differs from GMP\n",
                            square ? "square" : "product", an, square ? an : bn, level,
                            modes[m].name);
                CU_ASSERT(exact);
                CU_ASSERT(rr.runs > 0);
                CU_ASSERT_EQUAL(rr.bad_runs, 0);
                CU_ASSERT_EQUAL(atomic_load(&rr.helper_failures), 0);
                CU_ASSERT_EQUAL(atomic_load(&rr.mode_lost), 0);
                CU_ASSERT_EQUAL(fp_control(), caller_before);
                mpz_clear(zr);
                bignum_clear(&a), bignum_clear(&b), bignum_clear(&r);
            }
        }
    }
    bn_ntt_limit(BN_NTT_AVX512);
    CU_ASSERT(levels > 0);
    ASSERT_NO_LEAK();
}

/* The vector twist (the group product's parts of a prime) against powers made one at a time
 * in 128-bit integers: every word of a run that is no multiple of the vectors' 32, words up to
 * 4p - 1 in, from a power other than 1, for each transform prime; what it leaves to the scalar
 * steps is the rest past the last 32, untouched. */
static void test_the_vector_twist_matches_powers_made_one_at_a_time(void)
{
    if (!bn_ntt_avx2_usable()) {
        printf("(skipped: no vector transforms on this CPU or in this build) ");
        CU_ASSERT_EQUAL(bn_ntt_vector_twist(NULL, 64, 0x3fffff5400001ULL, 1, 1), 0);
        return;
    }
    static const bn_limb primes[3] = {0x3fffff5400001ULL, 0x3ffffe5800001ULL,
                                      0x3ffffe4000001ULL};
    enum { COUNT = 1000 };
    bn_limb v[COUNT], want[COUNT];
    for (int i = 0; i < 3; i++) {
        bn_limb p = primes[i], first = rnd() % p, r = rnd() % p, power = first;
        for (size_t t = 0; t < COUNT; t++) {
            v[t] = t < 4 ? 4 * p - 1 - t : rnd() % (4 * p);
            want[t] = (bn_limb)((unsigned __int128)(v[t] % p) * power % p);
            power = (bn_limb)((unsigned __int128)power * r % p);
        }
        bn_limb tail = v[COUNT - 1];
        size_t done = bn_ntt_vector_twist(v, COUNT, p, first, r);
        CU_ASSERT_EQUAL(done, COUNT - COUNT % 32);
        size_t wrong = 0;
        for (size_t t = 0; t < done; t++)
            wrong += v[t] != want[t];
        CU_ASSERT_EQUAL(wrong, 0);
        CU_ASSERT_EQUAL(v[COUNT - 1], tail);
    }
}

/* r, an operand, or both: each allocation that can fail, failing in turn. */
enum alias { ALIAS_NONE, ALIAS_A, ALIAS_B, ALIAS_BOTH, ALIAS_COUNT };

static void test_allocation_failure_reports_enomem_and_changes_nothing(void)
{
    static const size_t sizes[][2] = {{2 * BN_NTT_THRESHOLD + 5, BN_NTT_THRESHOLD + 3},
                                      {BN_SQR_NTT_THRESHOLD + 1, BN_SQR_NTT_THRESHOLD + 1}};
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        for (int alias = 0; alias < ALIAS_COUNT; alias++) {
            int succeeded = 0, failures = 0;
            for (unsigned long k = 1; !succeeded && k < 100; k++) {
                bignum a, b, out, before;
                bignum_init(&a), bignum_init(&b), bignum_init(&out), bignum_init(&before);
                make_operand(&a, sizes[si][0], SHAPE_UNIFORM);
                make_operand(&b, sizes[si][1], SHAPE_UNIFORM);
                make_operand(&out, 3, SHAPE_UNIFORM);
                bignum *r = alias == ALIAS_A || alias == ALIAS_BOTH ? &a : alias == ALIAS_B ? &b : &out;
                const bignum *second = alias == ALIAS_BOTH ? &a : &b;
                mpz_t zr;
                mpz_init(zr);
                gmp_product(zr, &a, second);
                CU_ASSERT_EQUAL_FATAL(bignum_copy(&before, r), BN_OK);
                bn_limb *limbs = r->limbs;
                size_t alloc = r->alloc;
                runner rr;
                runner_init(&rr, ORDER_REVERSE, FE_TONEAREST);
                bignum_helpers h = {runner_run, &rr};
                size_t live = test_alloc_live_blocks();
                test_alloc_fail_at(k, 0);
                int st = bignum_mul_helped(r, &a, second, &h);
                test_alloc_fail_at(0, 0);
                if (st == BN_OK) {
                    succeeded = 1;
                    CU_ASSERT(bignum_equals_mpz(r, zr));
                    CU_ASSERT(rr.runs > 0);
                } else {
                    failures++;
                    CU_ASSERT_EQUAL(st, BN_ENOMEM);
                    CU_ASSERT_EQUAL(bignum_cmp(r, &before), 0);
                    CU_ASSERT(r->limbs == limbs && r->alloc == alloc);
                    CU_ASSERT_EQUAL(test_alloc_live_blocks(), live);
                }
                mpz_clear(zr);
                bignum_clear(&a), bignum_clear(&b), bignum_clear(&out), bignum_clear(&before);
            }
            CU_ASSERT(succeeded);
            CU_ASSERT(failures >= 1); /* the product allocates, so some call could fail */
        }
    }
    ASSERT_NO_LEAK();
}

/* r may be a, b or both, with and without room for the product; an operand
 * that is not r is left as it was. */
static void test_result_may_alias_either_operand_or_both(void)
{
    const size_t an = 3 * BN_NTT_THRESHOLD + 2, bn = BN_SQR_NTT_THRESHOLD + 1;
    for (int order = ORDER_REVERSE; order < ORDER_COUNT; order++) {
        for (int room = 0; room <= 1; room++) {
            for (int alias = ALIAS_A; alias < ALIAS_COUNT; alias++) {
                bignum a, b, keep;
                bignum_init(&a), bignum_init(&b), bignum_init(&keep);
                make_operand(&a, an, SHAPE_UNIFORM);
                make_operand(&b, bn, alias == ALIAS_B ? SHAPE_ONES : SHAPE_UNIFORM);
                if (room) {
                    CU_ASSERT_EQUAL_FATAL(bignum_reserve(&a, 2 * an + 1), BN_OK);
                    CU_ASSERT_EQUAL_FATAL(bignum_reserve(&b, an + bn + 1), BN_OK);
                }
                mpz_t za, zb, zr;
                mpz_inits(za, zb, zr, NULL);
                bignum_to_mpz(za, &a);
                bignum_to_mpz(zb, &b);
                runner rr;
                runner_init(&rr, (enum order)order, FE_TONEAREST);
                bignum_helpers h = {runner_run, &rr};
                int st;
                if (alias == ALIAS_A) {
                    mpz_mul(zr, za, zb);
                    CU_ASSERT_EQUAL_FATAL(bignum_copy(&keep, &b), BN_OK);
                    st = bignum_mul_helped(&a, &a, &b, &h);
                    CU_ASSERT(bignum_equals_mpz(&a, zr));
                    CU_ASSERT_EQUAL(bignum_cmp(&b, &keep), 0);
                } else if (alias == ALIAS_B) {
                    mpz_mul(zr, za, zb);
                    CU_ASSERT_EQUAL_FATAL(bignum_copy(&keep, &a), BN_OK);
                    st = bignum_mul_helped(&b, &a, &b, &h);
                    CU_ASSERT(bignum_equals_mpz(&b, zr));
                    CU_ASSERT_EQUAL(bignum_cmp(&a, &keep), 0);
                } else {
                    mpz_mul(zr, zb, zb);
                    st = bignum_mul_helped(&b, &b, &b, &h);
                    CU_ASSERT(bignum_equals_mpz(&b, zr));
                }
                CU_ASSERT_EQUAL(st, BN_OK);
                CU_ASSERT(rr.runs > 0 && rr.bad_runs == 0 && atomic_load(&rr.helper_failures) == 0);
                mpz_clears(za, zb, zr, NULL);
                bignum_clear(&a), bignum_clear(&b), bignum_clear(&keep);
            }
        }
    }
    ASSERT_NO_LEAK();
}

/* Operands that claim more limbs than memory holds (their limbs are never
 * read): refused as BN_ENOMEM like bignum_mul refuses them, before any size
 * arithmetic can wrap, without asking the allocator or the helpers. */
static void test_impossible_sizes_are_refused_as_enomem(void)
{
    bn_limb one = 1, two = 2;
    static const size_t claims[] = {SIZE_MAX / 64, SIZE_MAX / 2 + 1};
    for (size_t i = 0; i < sizeof claims / sizeof claims[0]; i++) {
        bignum huge = {&one, claims[i], claims[i]}, other = {&two, claims[i], claims[i]};
        bignum r;
        bignum_init(&r);
        CU_ASSERT_EQUAL_FATAL(bignum_set_u64(&r, 77), BN_OK);
        runner rr;
        runner_init(&rr, ORDER_REVERSE, FE_TONEAREST);
        bignum_helpers h = {runner_run, &rr};
        unsigned long calls = test_alloc_calls();
        CU_ASSERT_EQUAL(bignum_mul_helped(&r, &huge, &huge, &h), BN_ENOMEM);
        CU_ASSERT_EQUAL(bignum_mul_helped(&r, &huge, &other, &h), BN_ENOMEM);
        CU_ASSERT_EQUAL(test_alloc_calls(), calls);
        CU_ASSERT_EQUAL(rr.runs, 0);
        CU_ASSERT(r.size == 1 && r.limbs[0] == 77);
        bignum_clear(&r);
    }
    ASSERT_NO_LEAK();
}

/* ---- suite --------------------------------------------------------------- */

int main(void)
{
    uint64_t seed = test_seed("test_bignum_helped", 20240607);
    rng_state = seed;
    printf("test_bignum_helped: seed %" PRIu64 " (set CS_TEST_SEED to repeat or vary); "
           "thresholds ntt %d, sqr %d; one transform holds %zu limbs; vector transforms: "
           "avx2 %s, avx512 %s\n",
           seed, BN_NTT_THRESHOLD, BN_SQR_NTT_THRESHOLD, bn_ntt_max_limbs(),
           bn_ntt_avx2_usable() ? "yes" : "no", bn_ntt_avx512_usable() ? "yes" : "no");
    signal(SIGFPE, on_sigfpe);
    if (pool_start() != 0) {
        fprintf(stderr, "test_bignum_helped: cannot start %d helper threads\n", HELPER_THREADS);
        pool_stop();
        return 1;
    }
    test_alloc_install();
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("bignum_helped", NULL, NULL);
    CU_add_test(s, "helped products match GMP at every transform shape", test_helped_products_match_gmp_at_every_transform_shape);
    CU_add_test(s, "helpers are used for every transform product", test_helpers_are_used_for_every_transform_product);
    CU_add_test(s, "helped products just past a grouped length match GMP", test_helped_products_just_past_a_grouped_length_match_gmp);
    CU_add_test(s, "groups of few rows run in place", test_groups_of_few_rows_run_in_place);
    CU_add_test(s, "helped products across the in-place rows match GMP", test_helped_products_across_the_in_place_rows_match_gmp);
    CU_add_test(s, "large products give many parts at every step", test_large_products_give_many_parts_at_every_step);
    CU_add_test(s, "streamed transforms give the same products", test_streamed_transforms_give_the_same_products);
    CU_add_test(s, "no helpers is bignum_mul", test_no_helpers_is_bignum_mul);
    CU_add_test(s, "helpers in another floating point mode give exact products", test_helpers_in_another_floating_point_mode_give_exact_products);
    CU_add_test(s, "the vector twist matches powers made one at a time", test_the_vector_twist_matches_powers_made_one_at_a_time);
    CU_add_test(s, "allocation failure reports ENOMEM and changes nothing", test_allocation_failure_reports_enomem_and_changes_nothing);
    CU_add_test(s, "the result may alias either operand or both", test_result_may_alias_either_operand_or_both);
    CU_add_test(s, "impossible sizes are refused as ENOMEM", test_impossible_sizes_are_refused_as_enomem);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    /* The suite's own allocations must all be back, with every red zone whole. */
    int leaked = test_alloc_report("test_bignum_helped");
    test_alloc_uninstall();
    pool_stop();
    return failed || leaked ? 1 : 0;
}
