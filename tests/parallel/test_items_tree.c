/* Items and the tree under threads: every item once, every combine a node of cs_tree_mid. */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <omp.h>

#include "handout.h"
#include "kernel.h"
#include "omp_team.h"
#include "tree.h"

/*
 * A toy kernel that watches the driver: each item counts how often it ran;
 * a partial is a range [lo, hi) of items with a hash of how it was combined;
 * combine checks that its two inputs are the halves of the tree node
 * [lo, hi) split at cs_tree_mid, so any other shape is caught where it happens.
 */
struct cs_problem {
    uint64_t items;
    unsigned *runs;      /* per item, atomically */
    unsigned bad_joins;  /* combines that were not a tree node, atomically */
    unsigned joins;
};
struct cs_partial {
    uint64_t lo, hi, shape;
};

static int toy_new(uint64_t n, uint64_t chunks, cs_problem **out, cs_err *err)
{
    (void)chunks;
    (void)err;
    cs_problem *p = calloc(1, sizeof *p);
    p->items = n;
    p->runs = calloc(n, sizeof *p->runs);
    *out = p;
    return CS_OK;
}
static void toy_free(cs_problem *p)
{
    free(p->runs);
    free(p);
}
static uint64_t toy_items(const cs_problem *p) { return p->items; }
static int toy_run(cs_problem *p, uint64_t i, cs_partial **out, cs_err *err)
{
    (void)err;
    __atomic_fetch_add(&p->runs[i], 1, __ATOMIC_RELAXED);
    cs_partial *x = malloc(sizeof *x);
    *x = (cs_partial){i, i + 1, i * 0x9e3779b97f4a7c15ULL + 1};
    *out = x;
    return CS_OK;
}
static int toy_combine(const cs_problem *pc, cs_partial *a, cs_partial *b, cs_partial **out,
                       cs_err *err)
{
    (void)err;
    cs_problem *p = (cs_problem *)pc;
    __atomic_fetch_add(&p->joins, 1, __ATOMIC_RELAXED);
    if (a->hi != b->lo || cs_tree_mid(a->lo, b->hi) != a->hi)
        __atomic_fetch_add(&p->bad_joins, 1, __ATOMIC_RELAXED);
    /* Neither commutative nor associative: a different shape, a different hash. */
    a->shape = (a->shape * 31 + 7) ^ (b->shape * 0xff51afd7ed558ccdULL + (a->hi - a->lo));
    a->hi = b->hi;
    free(b);
    *out = a;
    return CS_OK;
}
static void toy_partial_free(cs_partial *x) { free(x); }

static const cs_kernel toy = {
    .name = "toy", .problem_new = toy_new, .problem_free = toy_free, .item_count = toy_items,
    .item_run = toy_run, .combine = toy_combine, .partial_free = toy_partial_free,
};

/*
 * The same toy with combine_helped: each helped combine hands out HELP_PARTS
 * parts, which count their runs and record the thread that ran them, then
 * combines as toy_combine does. A part that ran twice or never, or a helped
 * combine anywhere but the top of the tree, is caught.
 */
#define HELP_PARTS 8
#define MAX_PARTS 1024 /* help.parts may ask for up to this many */
#define MAX_HELPED 64

static struct {
    unsigned helped;                   /* helped combines, atomically */
    unsigned bad_parts;                /* parts not run exactly once */
    unsigned deepest_width;            /* the widest node count at a helped depth */
    unsigned part_threads[MAX_HELPED]; /* per helped combine: bit t set when thread t ran a part */
    int fail_helped;                   /* make helped combines fail */
    int wait_for_two; /* parts wait (3 s at most) until two threads have run parts */
    unsigned parts;   /* parts per helped combine; 0: HELP_PARTS */
} help;

struct help_call {
    unsigned runs[MAX_PARTS];
    unsigned *threads;
    double deadline; /* for wait_for_two: the end of the wait, from the call's start */
};

static void help_part(void *arg, unsigned part)
{
    struct help_call *c = arg;
    __atomic_fetch_add(&c->runs[part], 1, __ATOMIC_RELAXED);
    if (c->threads)
        __atomic_fetch_or(c->threads, 1u << (omp_get_thread_num() & 31), __ATOMIC_RELAXED);
    /* A free thread should pick a part up within moments, however loaded the
     * machine; if none does in 3 s, the check after the run fails. */
    while (help.wait_for_two && c->threads &&
           __builtin_popcount(__atomic_load_n(c->threads, __ATOMIC_RELAXED)) < 2 &&
           omp_get_wtime() < c->deadline) {
        struct timespec ts = {0, 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

static int toy_combine_helped(const cs_problem *pc, cs_partial *a, cs_partial *b,
                              const cs_helpers *h, cs_partial **out, cs_err *err)
{
    unsigned k = __atomic_fetch_add(&help.helped, 1, __ATOMIC_RELAXED);
    struct help_call c = {{0}, k < MAX_HELPED ? &help.part_threads[k] : NULL,
                          omp_get_wtime() + 3.0};
    unsigned parts = help.parts ? help.parts : HELP_PARTS;
    h->run(h->ctx, parts, help_part, &c);
    for (unsigned i = 0; i < parts; i++)
        if (c.runs[i] != 1)
            __atomic_fetch_add(&help.bad_parts, 1, __ATOMIC_RELAXED);
    if (help.fail_helped) {
        cs_err_set(err, "helped combine of [%llu, %llu) failed", (unsigned long long)a->lo,
                   (unsigned long long)b->hi);
        free(a);
        free(b);
        return CS_ENOMEM;
    }
    return toy_combine(pc, a, b, out, err);
}

static const cs_kernel toy_helped = {
    .name = "toy_helped", .problem_new = toy_new, .problem_free = toy_free,
    .item_count = toy_items, .item_run = toy_run, .combine = toy_combine,
    .combine_helped = toy_combine_helped, .partial_free = toy_partial_free,
};

static void help_reset(void) { memset(&help, 0, sizeof help); }

static const uint64_t item_counts[] = {1, 2, 3, 5, 7, 64, 100, 1000, 1024, 4099};
#define COUNTS (sizeof item_counts / sizeof item_counts[0])

/* ---- the static mapping ---------------------------------------------------- */

static void test_static_blocks_cover_every_item_once(void)
{
    for (size_t c = 0; c < COUNTS; c++)
        for (unsigned workers = 1; workers <= 70; workers++) {
            uint64_t items = item_counts[c], expect = 0;
            CU_ASSERT_EQUAL(cs_static_start(items, workers, 0), 0);
            CU_ASSERT_EQUAL(cs_static_start(items, workers, workers), items);
            for (unsigned w = 0; w < workers; w++) {
                uint64_t lo = cs_static_start(items, workers, w);
                uint64_t hi = cs_static_start(items, workers, w + 1);
                CU_ASSERT_EQUAL(lo, expect); /* contiguous: no gap, no overlap */
                CU_ASSERT(hi >= lo);
                uint64_t size = hi - lo, least = items / workers;
                CU_ASSERT(size == least || size == least + 1); /* balanced */
                expect = hi;
            }
        }
}

/* The source cpu_omp uses for kind 0 static, 1 dynamic, 2 guided. Its state
 * lives in statics, so one source at a time; given and next are team-sized. */
static cs_source make_source(int kind, uint64_t items, unsigned threads, uint8_t *given,
                             uint64_t *next)
{
    static cs_static_source fixed;
    static cs_owned_source owned;
    static cs_guided_source guided;
    switch (kind) {
    case 0:
        fixed = (cs_static_source){items, threads, 0, given};
        return (cs_source){cs_static_next, &fixed};
    case 1:
        owned = (cs_owned_source){items, threads, next};
        cs_owned_start(&owned);
        return (cs_source){cs_owned_next, &owned};
    default:
        guided = (cs_guided_source){0, items, threads};
        return (cs_source){cs_guided_next, &guided};
    }
}

/* Drains a source the way a team does, the threads from `first` on taking
 * turns (threads below `first` stall and never ask); taker[i] is who got i. */
static void drain_from(const cs_source *src, unsigned first, unsigned threads, unsigned *runs,
                       unsigned *taker)
{
    uint64_t lo, hi;
    for (int more = 1; more;) {
        more = 0;
        for (unsigned t = first; t < threads; t++)
            if (src->next(src->ctx, t, &lo, &hi)) {
                more = 1;
                for (uint64_t i = lo; i < hi; i++) {
                    runs[i]++;
                    if (taker)
                        taker[i] = t;
                }
            }
    }
}

static void drain(const cs_source *src, unsigned threads, unsigned *runs)
{
    drain_from(src, 0, threads, runs, NULL);
}

static void test_every_source_hands_out_every_item_once(void)
{
    for (size_t c = 0; c < COUNTS; c++)
        for (unsigned threads = 1; threads <= 9; threads++)
            for (int kind = 0; kind < 3; kind++) {
                uint64_t items = item_counts[c];
                unsigned *runs = calloc(items, sizeof *runs);
                uint8_t given[9] = {0};
                uint64_t next[9];
                cs_source src = make_source(kind, items, threads, given, next);
                drain(&src, threads, runs);
                for (uint64_t i = 0; i < items; i++)
                    CU_ASSERT_EQUAL_FATAL(runs[i], 1);
                free(runs);
            }
}

/* Threads that keep pace run exactly the blocks they prepared (first touch). */
static void test_dynamic_keeps_threads_on_their_own_blocks(void)
{
    for (unsigned threads = 1; threads <= 8; threads++) {
        uint64_t items = 12 * (uint64_t)threads;
        unsigned runs[96] = {0}, taker[96];
        uint64_t next[8];
        cs_source src = make_source(1, items, threads, NULL, next);
        drain_from(&src, 0, threads, runs, taker);
        for (uint64_t i = 0; i < items; i++)
            CU_ASSERT_EQUAL(taker[i], i / 12);
    }
}

/* A thread that stalls does not hold its block back: the others take it. */
static void test_dynamic_shares_out_a_stalled_threads_block(void)
{
    for (unsigned threads = 2; threads <= 8; threads++) {
        uint64_t items = 1000;
        unsigned *runs = calloc(items, sizeof *runs), *taker = calloc(items, sizeof *taker);
        uint64_t next[8];
        cs_source src = make_source(1, items, threads, NULL, next);
        drain_from(&src, 1, threads, runs, taker);
        for (uint64_t i = 0; i < items; i++) {
            CU_ASSERT_EQUAL_FATAL(runs[i], 1);
            CU_ASSERT_NOT_EQUAL(taker[i], 0);
        }
        free(runs);
        free(taker);
    }
}

static void test_guided_share_shrinks_and_never_stalls(void)
{
    CU_ASSERT_EQUAL(cs_guided_share(1000, 4), 125);
    CU_ASSERT_EQUAL(cs_guided_share(7, 4), 1);
    CU_ASSERT_EQUAL(cs_guided_share(1, 64), 1);
}

/* ---- teams of real threads --------------------------------------------------- */

static void test_team_runs_every_item_once_for_every_thread_count(void)
{
    for (size_t c = 0; c < COUNTS; c++)
        for (unsigned threads = 1; threads <= 8; threads++)
            for (int kind = 0; kind < 3; kind++) {
                cs_problem *p;
                cs_err err = {{0}};
                uint64_t items = item_counts[c];
                toy_new(items, 0, &p, &err);
                cs_partial **leaves = calloc(items, sizeof *leaves);
                uint8_t given[8] = {0};
                uint64_t next[8];
                cs_source src = make_source(kind, items, threads, given, next);
                cs_team team = {threads, NULL};
                CU_ASSERT_EQUAL_FATAL(cs_team_run(&team, &toy, p, &src, leaves, &err), CS_OK);
                for (uint64_t i = 0; i < items; i++) {
                    CU_ASSERT_EQUAL(p->runs[i], 1);
                    CU_ASSERT_PTR_NOT_NULL(leaves[i]);
                }
                cs_tree_free_leaves(&toy, leaves, items);
                free(leaves);
                toy_free(p);
            }
}

/* A toy case with every item already run: its leaves, one per item. */
static cs_partial **toy_leaves(uint64_t items, cs_problem **p)
{
    cs_err err = {{0}};
    toy_new(items, 0, p, &err);
    cs_partial **leaves = calloc(items, sizeof *leaves);
    for (uint64_t i = 0; i < items; i++)
        toy_run(*p, i, &leaves[i], &err);
    return leaves;
}

/* The serial tree's shape hash for `items` leaves. */
static uint64_t serial_shape(uint64_t items)
{
    cs_problem *p;
    cs_err err = {{0}};
    cs_partial **leaves = toy_leaves(items, &p), *root = NULL;
    cs_tree_combine(&toy, p, leaves, 0, items, &root, &err);
    uint64_t shape = root->shape;
    CU_ASSERT_EQUAL(p->bad_joins, 0);
    free(root);
    free(leaves);
    toy_free(p);
    return shape;
}

static void test_tree_shape_does_not_depend_on_threads(void)
{
    for (size_t c = 0; c < COUNTS; c++) {
        uint64_t items = item_counts[c], want = serial_shape(items);
        for (unsigned threads = 1; threads <= 8; threads++) {
            cs_problem *p;
            cs_err err = {{0}};
            cs_partial **leaves = toy_leaves(items, &p), *root = NULL;
            cs_team team = {threads, NULL};
            uint64_t lo = 0;
            CU_ASSERT_EQUAL_FATAL(cs_team_tree(&team, &toy, p, leaves, &lo, &items, 1, &root, &err),
                                  CS_OK);
            CU_ASSERT_EQUAL(p->bad_joins, 0);
            CU_ASSERT_EQUAL(p->joins, items - 1);
            CU_ASSERT_EQUAL(root->lo, 0);
            CU_ASSERT_EQUAL(root->hi, items);
            CU_ASSERT_EQUAL(root->shape, want);
            for (uint64_t i = 0; i < items; i++)
                CU_ASSERT_PTR_NULL(leaves[i]); /* consumed */
            free(root);
            free(leaves);
            toy_free(p);
        }
    }
}

/* Several subtrees at once (what a rank combines): each one is the serial node. */
static void test_team_combines_several_subtrees_as_tree_nodes(void)
{
    uint64_t items = 1000;
    uint64_t lo[3] = {0, 500, 750}, hi[3] = {500, 750, 1000};
    cs_problem *p;
    cs_err err = {{0}};
    cs_partial **leaves = toy_leaves(items, &p), *out[3];
    cs_team team = {4, NULL};
    CU_ASSERT_EQUAL_FATAL(cs_team_tree(&team, &toy, p, leaves, lo, hi, 3, out, &err), CS_OK);
    CU_ASSERT_EQUAL(p->bad_joins, 0);
    cs_partial *right = NULL, *root = NULL;
    toy_combine(p, out[1], out[2], &right, &err);
    toy_combine(p, out[0], right, &root, &err);
    CU_ASSERT_EQUAL(p->bad_joins, 0);
    CU_ASSERT_EQUAL(root->shape, serial_shape(items));
    free(root);
    free(leaves);
    toy_free(p);
}

/* Helped combines: the same shape; only at the tree's top (never inside a
 * subtree one thread combines alone), always at the root, never with one
 * thread; every part of each run exactly once. */
static void test_helped_combines_keep_the_shape_at_the_top_only(void)
{
    for (size_t c = 0; c < COUNTS; c++) {
        uint64_t items = item_counts[c], want = serial_shape(items);
        for (unsigned threads = 1; threads <= 6; threads++) {
            help_reset();
            cs_problem *p;
            cs_err err = {{0}};
            cs_partial **leaves = toy_leaves(items, &p), *root = NULL;
            cs_team team = {threads, NULL};
            uint64_t lo = 0;
            CU_ASSERT_EQUAL_FATAL(
                cs_team_tree(&team, &toy_helped, p, leaves, &lo, &items, 1, &root, &err), CS_OK);
            CU_ASSERT_EQUAL(p->bad_joins, 0);
            CU_ASSERT_EQUAL(root->shape, want);
            CU_ASSERT_EQUAL(help.bad_parts, 0);
            /* at most the nodes above the subtrees: about eight subtrees per thread */
            unsigned subtrees = 1;
            while (threads > 1 && subtrees < 8 * threads)
                subtrees *= 2;
            CU_ASSERT(help.helped <= subtrees - 1);
            if (threads > 1 && items >= 16)
                CU_ASSERT(help.helped >= 1); /* the root at least */
            free(root);
            free(leaves);
            toy_free(p);
        }
    }
}

/* Runs a 64-item tree on 2 threads whose helped combines each hand out `parts`
 * parts that wait (3 s at most) for a second thread; returns the threads that
 * ran parts of the root (bit t: thread t), and the count of parts not run
 * exactly once in *bad. */
static unsigned root_part_threads(unsigned parts, unsigned *bad)
{
    help_reset();
    help.wait_for_two = 1;
    help.parts = parts;
    uint64_t items = 64, lo = 0;
    cs_problem *p;
    cs_err err = {{0}};
    cs_partial **leaves = toy_leaves(items, &p), *root = NULL;
    cs_team team = {2, NULL};
    unsigned threads = 0;
    CU_ASSERT_EQUAL(cs_team_tree(&team, &toy_helped, p, leaves, &lo, &items, 1, &root, &err),
                    CS_OK);
    /* the root is the last helped combine */
    unsigned last = help.helped - 1;
    CU_ASSERT(help.helped >= 1 && last < MAX_HELPED);
    if (help.helped >= 1 && last < MAX_HELPED)
        threads = help.part_threads[last];
    *bad = help.bad_parts;
    free(root);
    free(leaves);
    toy_free(p);
    help_reset();
    return threads;
}

/* The root's parts are shared: threads with no units left pick them up. */
static void test_idle_threads_run_parts_of_the_root(void)
{
    unsigned bad;
    CU_ASSERT_EQUAL(root_part_threads(0, &bad), 3u); /* threads 0 and 1 both ran parts */
}

/* More parts than libgomp defers (it runs a taskloop of over 64 tasks per
 * thread on the encountering thread alone) are still shared: threads with no
 * units left run parts of the root, each part once. */
static void test_idle_threads_share_hundreds_of_parts(void)
{
    unsigned bad;
    CU_ASSERT_EQUAL(root_part_threads(600, &bad), 3u); /* 64 per thread of 2 is 128 */
    CU_ASSERT_EQUAL(bad, 0);
}

/* A failing helped combine fails the tree with its own message; nothing is
 * left behind (toy partials are plain mallocs: ASan sees a leak). */
static void test_a_failing_helped_combine_fails_the_tree(void)
{
    help_reset();
    help.fail_helped = 1;
    uint64_t items = 100, lo = 0;
    cs_problem *p;
    cs_err err = {{0}};
    cs_partial **leaves = toy_leaves(items, &p), *root = NULL;
    cs_team team = {3, NULL};
    CU_ASSERT_EQUAL(cs_team_tree(&team, &toy_helped, p, leaves, &lo, &items, 1, &root, &err),
                    CS_ENOMEM);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "helped combine of ["));
    for (uint64_t i = 0; i < items; i++)
        CU_ASSERT_PTR_NULL(leaves[i]);
    free(leaves);
    toy_free(p);
    help_reset();
}

/* Outside any parallel region (a rank combining a node that spans ranks),
 * the team's threads still run the parts, each once. */
static void test_a_combine_outside_the_team_region_is_helped(void)
{
    help_reset();
    help.wait_for_two = 1;
    cs_problem *p;
    cs_err err = {{0}};
    toy_new(2, 0, &p, &err);
    cs_partial *a, *b, *out = NULL;
    toy_run(p, 0, &a, &err);
    toy_run(p, 1, &b, &err);
    cs_team team = {2, NULL};
    CU_ASSERT_EQUAL_FATAL(cs_team_combine(&team, 1, &toy_helped, p, a, b, &out, &err), CS_OK);
    CU_ASSERT_EQUAL(help.helped, 1);
    CU_ASSERT_EQUAL(help.bad_parts, 0);
    CU_ASSERT_EQUAL(help.part_threads[0], 3u);
    CU_ASSERT(out->lo == 0 && out->hi == 2);
    free(out);
    /* not helped when told so, or with one thread */
    toy_run(p, 0, &a, &err);
    toy_run(p, 1, &b, &err);
    cs_team one = {1, NULL};
    CU_ASSERT_EQUAL_FATAL(cs_team_combine(&one, 1, &toy_helped, p, a, b, &out, &err), CS_OK);
    free(out);
    toy_run(p, 0, &a, &err);
    toy_run(p, 1, &b, &err);
    CU_ASSERT_EQUAL_FATAL(cs_team_combine(&team, 0, &toy_helped, p, a, b, &out, &err), CS_OK);
    free(out);
    CU_ASSERT_EQUAL(help.helped, 1);
    toy_free(p);
    help_reset();
}

/* ---- the kernels' own items --------------------------------------------------- */

/* Runs every item of a real kernel serially and combines: for kernels whose
 * partials are counts or exact sums, the whole must not depend on the cut. */
static void digest_for_chunks(const char *name, uint64_t n, uint64_t chunks, cs_digest *d)
{
    const cs_kernel *k = cs_kernel_find(name);
    cs_problem *p = NULL;
    cs_err err = {{0}};
    CU_ASSERT_EQUAL_FATAL(k->problem_new(n, chunks, &p, &err), CS_OK);
    uint64_t items = k->item_count(p);
    CU_ASSERT_EQUAL(items, chunks);
    cs_partial **leaves = calloc(items, sizeof *leaves), *root = NULL;
    for (uint64_t i = 0; i < items; i++) {
        if (k->item_prepare)
            CU_ASSERT_EQUAL(k->item_prepare(p, i, &err), CS_OK);
        CU_ASSERT_EQUAL(k->item_run(p, i, &leaves[i], &err), CS_OK);
    }
    CU_ASSERT_EQUAL(cs_tree_combine(k, p, leaves, 0, items, &root, &err), CS_OK);
    CU_ASSERT_EQUAL(k->verify(p, root, &err), CS_OK);
    CU_ASSERT_EQUAL(k->describe(p, root, d, &err), CS_OK);
    k->partial_free(root);
    free(leaves);
    k->problem_free(p);
}

static void test_kernel_items_cover_their_space_exactly_once(void)
{
    /* Counts (primes) and exact integer sums (triad) see a gap or an overlap. */
    static const char *const exact[] = {"primes", "triad"};
    static const uint64_t chunk_counts[] = {1, 2, 3, 7, 64, 999, 1000};
    for (size_t k = 0; k < 2; k++) {
        cs_digest want, got;
        digest_for_chunks(exact[k], 1000, 1, &want);
        for (size_t c = 1; c < sizeof chunk_counts / sizeof chunk_counts[0]; c++) {
            digest_for_chunks(exact[k], 1000, chunk_counts[c], &got);
            CU_ASSERT_STRING_EQUAL(got.digest, want.digest);
        }
    }
    /* pi's float sums differ by cut, but each must still verify. */
    cs_digest d;
    for (uint64_t chunks = 1; chunks <= 64; chunks *= 4)
        digest_for_chunks("pi", 100000, chunks, &d);
}

int main(void)
{
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("items_tree", NULL, NULL);
    CU_add_test(s, "static blocks cover every item once", test_static_blocks_cover_every_item_once);
    CU_add_test(s, "every source hands out every item once",
                test_every_source_hands_out_every_item_once);
    CU_add_test(s, "dynamic keeps threads on their own blocks",
                test_dynamic_keeps_threads_on_their_own_blocks);
    CU_add_test(s, "dynamic shares out a stalled thread's block",
                test_dynamic_shares_out_a_stalled_threads_block);
    CU_add_test(s, "guided share shrinks and never stalls", test_guided_share_shrinks_and_never_stalls);
    CU_add_test(s, "a team runs every item once for every thread count",
                test_team_runs_every_item_once_for_every_thread_count);
    CU_add_test(s, "tree shape does not depend on threads", test_tree_shape_does_not_depend_on_threads);
    CU_add_test(s, "a team combines several subtrees as tree nodes",
                test_team_combines_several_subtrees_as_tree_nodes);
    CU_add_test(s, "helped combines keep the shape, at the top only",
                test_helped_combines_keep_the_shape_at_the_top_only);
    CU_add_test(s, "idle threads run parts of the root", test_idle_threads_run_parts_of_the_root);
    CU_add_test(s, "idle threads share hundreds of parts", test_idle_threads_share_hundreds_of_parts);
    CU_add_test(s, "a failing helped combine fails the tree",
                test_a_failing_helped_combine_fails_the_tree);
    CU_add_test(s, "a combine outside the team region is helped",
                test_a_combine_outside_the_team_region_is_helped);
    CU_add_test(s, "kernel items cover their space exactly once",
                test_kernel_items_cover_their_space_exactly_once);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failures = CU_get_number_of_failures();
    CU_cleanup_registry();
    return failures ? 1 : 0;
}
