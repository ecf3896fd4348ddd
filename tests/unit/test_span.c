/* Work, span and the replay against closed forms; the profile file back and forth. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bignum_impl.h"
#include "omp_team.h"
#include "profile_file.h"
#include "handout.h"
#include "span.h"

/* ---- building graphs by hand ------------------------------------------------------------ */

struct builder {
    cs_graph g;
    double clock;
};

static void start(struct builder *b, const char *driver, const char *schedule, unsigned threads)
{
    memset(b, 0, sizeof *b);
    snprintf(b->g.driver, sizeof b->g.driver, "%s", driver);
    snprintf(b->g.kernel, sizeof b->g.kernel, "toy");
    snprintf(b->g.case_name, sizeof b->g.case_name, "n=1");
    snprintf(b->g.class_name, sizeof b->g.class_name, "S");
    snprintf(b->g.schedule, sizeof b->g.schedule, "%s", schedule);
    b->g.rep = b->g.reps = b->g.ranks = 1;
    b->g.threads = threads;
    b->g.task = calloc(4096, sizeof *b->g.task);
    b->g.dep = calloc(8192, sizeof *b->g.dep);
}

/* Adds a task lasting `seconds` (laid end to end: the recorded times do not matter to
 * the analysis, only durations and dependencies). Returns its index. */
static uint32_t add(struct builder *b, enum cs_task_kind kind, int rank, double seconds,
                    uint64_t bytes, const uint32_t *deps, unsigned count)
{
    cs_task *t = &b->g.task[b->g.count];
    *t = (cs_task){kind, rank, 0, b->clock, b->clock + seconds, bytes, b->g.dep_count, count};
    b->clock += seconds;
    for (unsigned i = 0; i < count; i++)
        b->g.dep[b->g.dep_count++] = deps[i];
    if (kind == CS_TASK_ITEM)
        b->g.items++;
    return b->g.count++;
}

/* n items of 1 s each, their indices in out. */
static void one_second_items(struct builder *b, uint32_t *out, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        out[i] = add(b, CS_TASK_ITEM, 0, 1.0, 0, NULL, 0);
}

static const cs_message_model no_messages = {1e-6, 1e9, 0};

static cs_span_stats stats(const cs_graph *g, const cs_message_model *m)
{
    cs_span_stats s;
    CU_ASSERT_EQUAL_FATAL(cs_span_stats_of(g, m, &s), 0);
    return s;
}

#define NEAR(a, b) CU_ASSERT_DOUBLE_EQUAL((a), (b), 1e-9 * (1 + fabs(b)))

/* ---- closed forms -------------------------------------------------------------------------- */

static void test_chain_span_is_work_and_replay_is_work(void)
{
    struct builder b;
    start(&b, "cpu_omp", "dynamic", 1);
    uint32_t prev = add(&b, CS_TASK_COMBINE, 0, 0.5, 0, NULL, 0);
    for (int i = 1; i < 20; i++)
        prev = add(&b, CS_TASK_COMBINE, 0, 0.25 * (1 + i % 3), 0, &prev, 1);
    cs_span_stats s = stats(&b.g, &no_messages);
    NEAR(s.span_s, s.work_s);
    for (unsigned p = 1; p <= 64; p *= 2)
        NEAR(cs_span_replay(&b.g, &no_messages, p), s.work_s);
    cs_graph_free(&b.g);
}

static void independent(const char *schedule)
{
    for (unsigned n = 1; n <= 37; n += 6) {
        struct builder b;
        start(&b, "cpu_omp", schedule, 1);
        for (unsigned i = 0; i < n; i++)
            add(&b, CS_TASK_ITEM, 0, 0.125, 0, NULL, 0);
        cs_span_stats s = stats(&b.g, &no_messages);
        NEAR(s.work_s, n * 0.125);
        NEAR(s.span_s, 0.125);
        for (unsigned p = 1; p <= 40; p++)
            NEAR(cs_span_replay(&b.g, &no_messages, p), ((n + p - 1) / p) * 0.125);
        cs_graph_free(&b.g);
    }
}

static void test_independent_tasks_static(void) { independent("static"); }
static void test_independent_tasks_dynamic(void) { independent("dynamic"); }

/* Leaves are items [lo, hi); returns the node's task. */
static uint32_t tree(struct builder *b, unsigned lo, unsigned hi, uint32_t *leaf)
{
    if (hi - lo == 1)
        return leaf[lo];
    unsigned mid = lo + (hi - lo + 1) / 2;
    uint32_t kids[2] = {tree(b, lo, mid, leaf), tree(b, mid, hi, leaf)};
    return add(b, CS_TASK_COMBINE, 0, 1.0, 0, kids, 2);
}

static void test_balanced_tree_span_is_depth_plus_one(void)
{
    for (unsigned depth = 0; depth <= 8; depth++) {
        struct builder b;
        start(&b, "cpu_omp", "dynamic", 1);
        unsigned leaves = 1u << depth;
        uint32_t leaf[256];
        one_second_items(&b, leaf, leaves);
        tree(&b, 0, leaves, leaf);
        cs_span_stats s = stats(&b.g, &no_messages);
        NEAR(s.work_s, 2.0 * leaves - 1);
        NEAR(s.span_s, depth + 1.0);
        NEAR(cs_span_replay(&b.g, &no_messages, 1), 2.0 * leaves - 1);
        /* As many workers as leaves: every level at once. */
        NEAR(cs_span_replay(&b.g, &no_messages, leaves), depth + 1.0);
        /* Two workers: the levels with at least two nodes take half as long, the root one.
         * Deeper trees at two workers have whole units (the team tests below). */
        if (depth >= 1 && depth <= 2)
            NEAR(cs_span_replay(&b.g, &no_messages, 2), (2.0 * leaves - 2) / 2 + 1);
        cs_graph_free(&b.g);
    }
}

/* A helped combine: a segment, k parts forked from it, a segment joining them. */
static void test_fork_join_with_k_parts(void)
{
    for (unsigned k = 1; k <= 12; k++) {
        struct builder b;
        start(&b, "cpu_omp", "dynamic", 1);
        uint32_t first = add(&b, CS_TASK_COMBINE, 0, 1.0, 0, NULL, 0), parts[12];
        for (unsigned i = 0; i < k; i++)
            parts[i] = add(&b, CS_TASK_PART, 0, 2.0, 0, &first, 1);
        add(&b, CS_TASK_SEGMENT, 0, 0.5, 0, parts, k);
        cs_span_stats s = stats(&b.g, &no_messages);
        NEAR(s.work_s, 1.5 + 2.0 * k);
        NEAR(s.span_s, 3.5);
        for (unsigned p = 1; p <= 16; p++)
            NEAR(cs_span_predict(&b.g, &no_messages, &s, p), 1.5 + 2.0 * ((k + p - 1) / p));
        cs_graph_free(&b.g);
    }
}

/* ---- the team's tree (cs_team_tree): units whole, the top helped once units are all taken -- */

/* One combine as a helped chain: a first segment of `a` s, k parts of `b` s, a last
 * segment of `c` s (k == 0: a plain combine of `a` s). Returns its last task. */
static uint32_t helped(struct builder *b, uint32_t left, uint32_t right, double a, unsigned k,
                       double part, double c)
{
    uint32_t kids[2] = {left, right}, parts[64];
    uint32_t first = add(b, CS_TASK_COMBINE, 0, a, 0, kids, 2);
    if (!k)
        return first;
    for (unsigned i = 0; i < k; i++)
        parts[i] = add(b, CS_TASK_PART, 0, part, 0, &first, 1);
    return add(b, CS_TASK_SEGMENT, 0, c, 0, parts, k);
}

/* 4 items of 1 s at 4 workers: [0,2) and [2,4) are units (two leaves each), the root is
 * the top. Each unit is one block of a + k b + c on the worker that took it, parts and
 * all (the old replay spread both units' parts over the four workers); the root starts
 * when both are done and every unit is taken, so its parts spread over all four. */
static void test_units_whole_root_spread(void)
{
    const double a = 0.5, part = 1.0, c = 0.25;
    for (unsigned k = 1; k <= 9; k++) {
        struct builder b;
        start(&b, "cpu_omp", "dynamic", 1);
        uint32_t leaf[4];
        one_second_items(&b, leaf, 4);
        uint32_t left = helped(&b, leaf[0], leaf[1], a, k, part, c);
        uint32_t right = helped(&b, leaf[2], leaf[3], a, k, part, c);
        helped(&b, left, right, a, k, part, c);
        cs_span_stats s = stats(&b.g, &no_messages);
        double chain = a + k * part + c;
        NEAR(s.work_s, 4.0 + 3 * chain);
        NEAR(cs_span_predict(&b.g, &no_messages, &s, 1), s.work_s);
        NEAR(cs_span_predict(&b.g, &no_messages, &s, 4),
             1.0 + chain + a + ((k + 3) / 4) * part + c);
        cs_graph_free(&b.g);
    }
}

/* 8 items of 1 s at 2 workers: the units are [0,2) [2,4) [4,6) [6,8), taken from the last.
 * [4,6) and [6,8) are chains of 6 s (1 + four parts of 1 + 1), [4,8) and the root too;
 * [0,2), [2,4) and [0,4) are plain combines of 0.5 s. Items end at 4. Worker 0 takes
 * [6,8), worker 1 [4,6), both done at 10; worker 0 delivers first and takes [2,4) (to
 * 10.5) then [0,2) (to 11), combines [0,4) (to 11.5) and finds nothing left. Worker 1
 * combines [4,8) at 10, while [0,2) is still not taken: unhelped, one block to 16, though
 * worker 0 is idle from 11.5 (helped, its parts would spread and the run end at 18.5; the
 * old replay, every combine's parts anywhere, said 19). The root, helped, 16 to 20: 1 +
 * four parts on two workers (2) + 1. */
static void test_top_unhelped_while_units_left(void)
{
    struct builder b;
    start(&b, "cpu_omp", "dynamic", 1);
    uint32_t leaf[8];
    one_second_items(&b, leaf, 8);
    uint32_t n01 = helped(&b, leaf[0], leaf[1], 0.5, 0, 0, 0);
    uint32_t n23 = helped(&b, leaf[2], leaf[3], 0.5, 0, 0, 0);
    uint32_t n03 = helped(&b, n01, n23, 0.5, 0, 0, 0);
    uint32_t n45 = helped(&b, leaf[4], leaf[5], 1.0, 4, 1.0, 1.0);
    uint32_t n67 = helped(&b, leaf[6], leaf[7], 1.0, 4, 1.0, 1.0);
    uint32_t n47 = helped(&b, n45, n67, 1.0, 4, 1.0, 1.0);
    helped(&b, n03, n47, 1.0, 4, 1.0, 1.0);
    cs_span_stats s = stats(&b.g, &no_messages);
    NEAR(s.work_s, 8.0 + 3 * 0.5 + 4 * 6.0);
    NEAR(cs_span_predict(&b.g, &no_messages, &s, 1), s.work_s);
    NEAR(cs_span_predict(&b.g, &no_messages, &s, 2), 20.0);
    cs_graph_free(&b.g);
}

/* The product's shape at many workers: 64 items, every combine helped with parts; one
 * worker is the work, and more lie between max(T1/p, Tinf) and the work. */
static void test_team_replay_bounds(void)
{
    struct builder b;
    start(&b, "cpu_serial", "none", 1);
    uint32_t level[64];
    for (unsigned i = 0; i < 64; i++)
        level[i] = add(&b, CS_TASK_ITEM, 0, 0.01 * (1 + i % 5), 0, NULL, 0);
    for (unsigned n = 64; n > 1; n /= 2)
        for (unsigned i = 0; i < n / 2; i++)
            level[i] = helped(&b, level[2 * i], level[2 * i + 1], 0.001 * n, 1 + i % 7,
                              0.0005 * n, 0.002);
    cs_span_stats s = stats(&b.g, &no_messages);
    NEAR(cs_span_predict(&b.g, &no_messages, &s, 1), s.work_s);
    for (unsigned p = 2; p <= 256; p *= 2) {
        /* the replay itself, not cs_span_predict, which clamps to the bounds */
        double t = cs_span_replay(&b.g, &no_messages, p);
        CU_ASSERT(t >= s.work_s / p - 1e-12);
        CU_ASSERT(t >= s.span_s - 1e-12);
        CU_ASSERT(t <= s.work_s + 1e-12);
    }
    cs_graph_free(&b.g);
}

/* Two items on two ranks, the right one's partial sent to the left one's rank. */
static void test_message_edge_costs_latency_and_bytes(void)
{
    struct builder b;
    start(&b, "cpu_mpi", "static", 1);
    uint32_t left = add(&b, CS_TASK_ITEM, 0, 1.0, 0, NULL, 0);
    uint32_t right = add(&b, CS_TASK_ITEM, 1, 1.0, 0, NULL, 0);
    uint32_t send = add(&b, CS_TASK_SEND, 1, 0.0, 4000, &right, 1);
    uint32_t recv = add(&b, CS_TASK_RECV, 0, 0.0, 4000, &send, 1);
    uint32_t kids[2] = {left, recv};
    add(&b, CS_TASK_COMBINE, 0, 1.0, 0, kids, 2);
    cs_message_model m = {0.5, 2000.0, 1}; /* 0.5 s + 4000 B / 2000 B/s = 2.5 s */
    cs_span_stats s = stats(&b.g, &m);
    NEAR(s.work_s, 3.0);
    NEAR(s.span_s, 1.0 + 2.5 + 1.0);
    /* One rank: no message to pay; two: the right item's rank is the second. */
    NEAR(cs_span_replay(&b.g, &m, 1), 3.0);
    NEAR(cs_span_replay(&b.g, &m, 2), 1.0 + 2.5 + 1.0);
    /* The prediction's floor is the compute tasks' span (2 s), not the span with the
     * message (4.5 s): a layout that keeps both ends on one rank does not pay it, nor does
     * one worker. */
    NEAR(cs_span_predict(&b.g, &m, &s, 1), 3.0);
    NEAR(cs_span_predict_layout(&b.g, &m, &s, (cs_layout){2, 2}, NULL), 2.0);
    NEAR(cs_span_predict_layout(&b.g, &m, &s, (cs_layout){2, 1}, NULL), 4.5);
    /* The same graph from a threads driver pays for no message in the replay. */
    snprintf(b.g.driver, sizeof b.g.driver, "cpu_omp");
    NEAR(cs_span_replay(&b.g, &m, 2), 2.0);
    cs_graph_free(&b.g);
}

/* cpu_mpi: a combine whose items ran on two ranks is shared by both (mpi_tree.c's groups), so
 * its parts run on either; one whose items ran on one rank keeps its parts there. */
static void test_parts_of_a_node_spanning_ranks_run_on_its_ranks(void)
{
    for (int spanning = 0; spanning < 2; spanning++) {
        struct builder b;
        start(&b, "cpu_mpi", "static", 1);
        /* static blocks over 2 simulated ranks: items 0, 1 on rank 0, items 2, 3 on rank 1 */
        uint32_t it[4];
        one_second_items(&b, it, 4);
        uint32_t kids[2] = {it[spanning ? 1 : 0], it[spanning ? 2 : 1]}, fork;
        fork = add(&b, CS_TASK_COMBINE, 0, 0.0, 0, kids, 2);
        uint32_t parts[4];
        for (int k = 0; k < 4; k++)
            parts[k] = add(&b, CS_TASK_PART, 0, 1.0, 0, &fork, 1);
        uint32_t seg = add(&b, CS_TASK_SEGMENT, 0, 0.0, 0, parts, 4);
        uint32_t rest[2] = {seg, it[spanning ? 0 : 2]};
        add(&b, CS_TASK_COMBINE, 0, 0.0, 0, rest, 2);
        /* items 2 s a rank; four 1 s parts: two at once on two ranks, one at a time on one */
        double t = cs_span_replay(&b.g, &no_messages, 2);
        CU_ASSERT_DOUBLE_EQUAL(t, spanning ? 2.0 + 2.0 : 2.0 + 4.0, 1e-3);
        cs_graph_free(&b.g);
    }
}

/* A layout sets the threads per rank. Four 1 s items recorded on one rank of one thread
 * (static, so item i runs on simulated worker i at 4 workers), then node [1, 3) (or [0, 2))
 * cut into four 1 s parts, then the rest at no cost. As 2x2, items 0 and 1 are rank 0's:
 * [1, 3) spans both ranks and its parts take all four workers (1 + 1 s), while [0, 2) is
 * rank 0's alone and its parts take its two (1 + 2 s). As 4 workers of the recorded one
 * thread per rank (4x1), both nodes span two ranks of one worker: 1 + 2 s. As 1x4 every
 * part runs at once: 1 + 1 s. A one-process profile takes 1x4 as 4 workers, 2x2 not. */
static double layout_replay(const char *driver, int spanning, cs_layout l,
                            const cs_replay_cost *cost)
{
    struct builder b;
    start(&b, driver, "static", 1);
    uint32_t it[4];
    one_second_items(&b, it, 4);
    uint32_t kids[2] = {it[spanning ? 1 : 0], it[spanning ? 2 : 1]};
    uint32_t fork = add(&b, CS_TASK_COMBINE, 0, 0.0, 0, kids, 2), parts[4];
    for (int k = 0; k < 4; k++)
        parts[k] = add(&b, CS_TASK_PART, 0, 1.0, 0, &fork, 1);
    uint32_t seg = add(&b, CS_TASK_SEGMENT, 0, 0.0, 0, parts, 4);
    uint32_t rest[2] = {seg, it[spanning ? 0 : 2]};
    uint32_t top = add(&b, CS_TASK_COMBINE, 0, 0.0, 0, rest, 2);
    if (!spanning) {
        uint32_t last[2] = {top, it[3]};
        add(&b, CS_TASK_COMBINE, 0, 0.0, 0, last, 2);
    }
    double t = cs_span_replay_layout(&b.g, &no_messages, l, cost);
    cs_graph_free(&b.g);
    return t;
}

static void test_layout_sets_threads_per_rank(void)
{
    const cs_layout two_by_two = {4, 2}, four = {4, 0}, four_by_one = {4, 1}, one_by_four = {4, 4};
    CU_ASSERT_DOUBLE_EQUAL(layout_replay("cpu_hybrid", 1, two_by_two, NULL), 2.0, 1e-3);
    CU_ASSERT_DOUBLE_EQUAL(layout_replay("cpu_hybrid", 0, two_by_two, NULL), 3.0, 1e-3);
    CU_ASSERT_DOUBLE_EQUAL(layout_replay("cpu_hybrid", 1, four, NULL), 3.0, 1e-3);
    CU_ASSERT_DOUBLE_EQUAL(layout_replay("cpu_hybrid", 1, four_by_one, NULL), 3.0, 1e-3);
    CU_ASSERT_DOUBLE_EQUAL(layout_replay("cpu_mpi", 0, one_by_four, NULL), 2.0, 1e-3);
    CU_ASSERT_DOUBLE_EQUAL(layout_replay("cpu_omp", 1, one_by_four, NULL), layout_replay("cpu_omp", 1, four, NULL), 1e-9);
    CU_ASSERT_EQUAL(layout_replay("cpu_omp", 1, two_by_two, NULL), -1.0);
    const cs_layout uneven = {6, 4};
    CU_ASSERT_EQUAL(layout_replay("cpu_hybrid", 1, uneven, NULL), -1.0);
    char name[32];
    cs_layout_format(two_by_two, name, sizeof name);
    CU_ASSERT_STRING_EQUAL(name, "2x2");
    cs_layout_format(four, name, sizeof name);
    CU_ASSERT_STRING_EQUAL(name, "4");
}

/* --group-cost: the spanning node of layout_replay, shared by 2 ranks of 2 threads, costs 1.5
 * times its four 1 s parts (1 + 1.5 s); the node one rank holds costs them once (1 + 2 s). A
 * factor holds from its ranks to the next stated ones. */
static void test_shared_nodes_cost_the_ways_factor(void)
{
    const cs_group_cost cost = {2, {2, 8}, {1.5, 2.5}};
    const cs_replay_cost shared = {&cost, 0.0};
    const cs_layout two_by_two = {4, 2};
    CU_ASSERT_DOUBLE_EQUAL(layout_replay("cpu_hybrid", 1, two_by_two, &shared), 2.5, 1e-3);
    CU_ASSERT_DOUBLE_EQUAL(layout_replay("cpu_hybrid", 0, two_by_two, &shared), 3.0, 1e-3);
    const unsigned g[] = {0, 1, 2, 7, 8, 100};
    const double want[] = {1.0, 1.0, 1.5, 1.5, 2.5, 2.5};
    for (unsigned k = 0; k < 6; k++)
        CU_ASSERT_DOUBLE_EQUAL(cs_group_cost_factor(&cost, g[k]), want[k], 0);
    CU_ASSERT_DOUBLE_EQUAL(cs_group_cost_factor(NULL, 8), 1.0, 0);
}

/* A node a rank of one thread holds alone is priced at `unhelped` times its recorded parts
 * (layout_replay's node [0, 2), rank 0's at 2x1: 2 + 4 x 0.5 s, not 2 + 4 s). A shared node
 * keeps its recorded parts, under the ways' factor ([1, 3) at 2x1: 2 + 4 x 1.5 / 2 s); ranks
 * of two threads multiply helped, as recorded, and so does one process (cpu_omp at one
 * thread: the four items, then the four parts). cpu_serial's time prices it: its combines'
 * seconds over the profile's. */
static void test_unhelped_combines_cost_what_serial_says(void)
{
    const cs_replay_cost half = {NULL, 0.5};
    const cs_layout two_by_one = {2, 1}, two_by_two = {4, 2}, one = {1, 0};
    CU_ASSERT_DOUBLE_EQUAL(layout_replay("cpu_mpi", 0, two_by_one, NULL), 6.0, 1e-3);
    CU_ASSERT_DOUBLE_EQUAL(layout_replay("cpu_mpi", 0, two_by_one, &half), 4.0, 1e-3);
    const cs_group_cost factor = {1, {2}, {1.5}};
    const cs_replay_cost shared = {&factor, 0.0}, shared_half = {&factor, 0.5};
    CU_ASSERT_DOUBLE_EQUAL(layout_replay("cpu_mpi", 1, two_by_one, &shared), 5.0, 1e-3);
    CU_ASSERT_DOUBLE_EQUAL(layout_replay("cpu_mpi", 1, two_by_one, &shared_half), 5.0, 1e-3);
    CU_ASSERT_DOUBLE_EQUAL(layout_replay("cpu_mpi", 0, two_by_two, &half), 3.0, 1e-3);
    CU_ASSERT_DOUBLE_EQUAL(layout_replay("cpu_omp", 0, one, NULL), 8.0, 1e-3);
    CU_ASSERT_DOUBLE_EQUAL(layout_replay("cpu_omp", 0, one, &half), 8.0, 1e-3);
    cs_span_stats s = {.work_s = 10.0, .tree_work_s = 4.0};
    CU_ASSERT_DOUBLE_EQUAL(cs_span_unhelped(&s, 8.0), 0.5, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(cs_span_unhelped(&s, 11.0), 1.25, 1e-12);
    CU_ASSERT_EQUAL(cs_span_unhelped(&s, 6.0), 0.0);
    CU_ASSERT_EQUAL(cs_span_unhelped(&s, 5.0), 0.0);
    s.tree_work_s = 0.0;
    CU_ASSERT_EQUAL(cs_span_unhelped(&s, 8.0), 0.0);
}

/* A layout of fewer workers than a recorded rank's threads replays as ranks of fewer: one
 * worker of a profile of two threads per rank is one rank of one thread, priced unhelped, and
 * its prediction is 1x1's (two 1 s items, then a node in four 1 s parts: 2 + 4 x 0.5 s), not
 * held at the floor of the recorded work. One process replays its combines as recorded even
 * where the team's rules give way to the greedy replay (a chain of combines, no items). */
static void test_unhelped_follows_the_rank_replayed(void)
{
    struct builder b;
    start(&b, "cpu_hybrid", "static", 2);
    uint32_t it[2] = {add(&b, CS_TASK_ITEM, 0, 1.0, 0, NULL, 0),
                      add(&b, CS_TASK_ITEM, 0, 1.0, 0, NULL, 0)};
    uint32_t fork = add(&b, CS_TASK_COMBINE, 0, 0.0, 0, it, 2), parts[4];
    for (int k = 0; k < 4; k++)
        parts[k] = add(&b, CS_TASK_PART, 0, 1.0, 0, &fork, 1);
    add(&b, CS_TASK_SEGMENT, 0, 0.0, 0, parts, 4);
    cs_span_stats s = stats(&b.g, &no_messages);
    const cs_replay_cost half = {NULL, 0.5};
    NEAR(cs_span_predict_layout(&b.g, &no_messages, &s, (cs_layout){1, 0}, &half), 4.0);
    NEAR(cs_span_predict_layout(&b.g, &no_messages, &s, (cs_layout){1, 1}, &half), 4.0);
    NEAR(cs_span_predict_layout(&b.g, &no_messages, &s, (cs_layout){2, 0}, &half), 3.0);
    cs_graph_free(&b.g);
    const char *drivers[] = {"cpu_omp", "cpu_mpi"};
    for (int k = 0; k < 2; k++) {
        start(&b, drivers[k], "dynamic", 1);
        uint32_t prev = add(&b, CS_TASK_COMBINE, 0, 1.0, 0, NULL, 0);
        for (int i = 1; i < 4; i++)
            prev = add(&b, CS_TASK_COMBINE, 0, 1.0, 0, &prev, 1);
        NEAR(cs_span_replay_layout(&b.g, &no_messages, (cs_layout){1, 0}, &half), k ? 2.0 : 4.0);
        cs_graph_free(&b.g);
    }
}

/* Four 1 s items on `threads` per rank, static; [0, 2) in left_k parts of left_s each, [2, 4)
 * in right_k parts of 1 s, then the root in root_k parts of 1 s (no part: a plain combine
 * at no cost). */
static void two_pairs(struct builder *b, const char *driver, unsigned threads, unsigned left_k,
                      double left_s, unsigned right_k, unsigned root_k)
{
    start(b, driver, "static", threads);
    uint32_t it[4];
    one_second_items(b, it, 4);
    uint32_t left = helped(b, it[0], it[1], 0.0, left_k, left_s, 0.0);
    uint32_t right = helped(b, it[2], it[3], 0.0, right_k, 1.0, 0.0);
    helped(b, left, right, 0.0, root_k, 1.0, 0.0);
}

/* A short last rank of one thread multiplies unhelped too: 3 workers of a profile of two
 * threads per rank are ranks of 2 and 1. Static over 3 workers, rank 0 runs items 0 and 1 and
 * rank 1 items 2 and 3 (2 s). [0, 2) is rank 0's, four 1 s parts on its two threads (2 s);
 * [2, 4) rank 1's, its four parts at u = 0.5 on its one (2 s, not 4); the root costs nothing. */
static void test_a_short_last_rank_multiplies_unhelped(void)
{
    struct builder b;
    two_pairs(&b, "cpu_hybrid", 2, 4, 1.0, 4, 0);
    const cs_replay_cost half = {NULL, 0.5};
    CU_ASSERT_DOUBLE_EQUAL(cs_span_replay_layout(&b.g, &no_messages, (cs_layout){3, 0}, &half), 4.0,
                           1e-3);
    CU_ASSERT_DOUBLE_EQUAL(cs_span_replay_layout(&b.g, &no_messages, (cs_layout){3, 0}, NULL), 6.0,
                           1e-3);
    cs_graph_free(&b.g);
}

/* A --group-cost factor below 1 lowers the floor as well as the shared node: two ranks of
 * one thread (static: items 0-1 rank 0's, 2-3 rank 1's, 1 s each), the root shared in eight
 * 1 s parts at 0.5, four a rank: 2 + 2 s. The floor at the recorded work, 12 s over 2, held
 * the prediction at 6 s. */
static void test_a_group_factor_below_one_lowers_the_floor(void)
{
    struct builder b;
    two_pairs(&b, "cpu_mpi", 1, 0, 0.0, 0, 8);
    cs_span_stats s = stats(&b.g, &no_messages);
    const cs_group_cost half = {1, {2}, {0.5}};
    const cs_replay_cost shared = {&half, 0.0};
    double t = cs_span_predict_layout(&b.g, &no_messages, &s, (cs_layout){2, 0}, &shared);
    CU_ASSERT_DOUBLE_EQUAL(t, 4.0, 1e-3);
    cs_graph_free(&b.g);
}

/* A shared node's parts are dealt to its group's ranks in even shares, and none is taken by
 * a rank for having idled long. Two ranks (static: items 0 and 1, 1 s each, rank 0's; 2 and 3 rank
 * 1's): rank 0 combines [0, 2) in one 10 s part while rank 1's [2, 4) costs nothing, so rank
 * 1 idles from 2 s; then the root, which both share, in ten 1 s parts from 12 s: five each,
 * 17 s. Counting rank 1 free from 2 s put all ten on it (22 s). */
static void test_shared_parts_wait_for_no_idle_rank(void)
{
    struct builder b;
    two_pairs(&b, "cpu_mpi", 1, 1, 10.0, 0, 10);
    CU_ASSERT_DOUBLE_EQUAL(cs_span_replay_layout(&b.g, &no_messages, (cs_layout){2, 1}, NULL), 17.0,
                           1e-3);
    cs_graph_free(&b.g);
}

/* A rank in two groups at once holds both up: each member does a fixed share of every step
 * and meets the others at each exchange (bignum_group.c), so a member busy elsewhere is not
 * relieved by the others. Three ranks (static: items 0-1 rank 0's, 2-3 rank 1's, 4-5 rank
 * 2's, 1 s each); [1, 3) is shared by ranks 0 and 1, [3, 5) by 1 and 2, each in four 1 s
 * parts from 2 s: two of each for rank 1, four in all, so 6 s. Giving a part to whichever
 * member is free first ended at 5 s (ranks 0 and 2 took five of the eight). */
static void test_a_rank_in_two_groups_holds_both_up(void)
{
    struct builder b;
    start(&b, "cpu_mpi", "static", 1);
    uint32_t it[6];
    one_second_items(&b, it, 6);
    helped(&b, it[1], it[2], 0.0, 4, 1.0, 0.0);
    helped(&b, it[3], it[4], 0.0, 4, 1.0, 0.0);
    CU_ASSERT_DOUBLE_EQUAL(cs_span_replay_layout(&b.g, &no_messages, (cs_layout){3, 1}, NULL), 6.0,
                           1e-3);
    cs_graph_free(&b.g);
}

/* Two ranks of one thread (static: items 0-1 rank 0's, 2-3 rank 1's, 1 s each), their pairs
 * plain combines at no cost: the fork of the root, which both share. */
static uint32_t shared_root_fork(struct builder *b)
{
    start(b, "cpu_mpi", "static", 1);
    uint32_t it[4];
    one_second_items(b, it, 4);
    uint32_t kids[2] = {helped(b, it[0], it[1], 0.0, 0, 0.0, 0.0),
                        helped(b, it[2], it[3], 0.0, 0, 0.0, 0.0)};
    return add(b, CS_TASK_COMBINE, 0, 0.0, 0, kids, 2);
}

/* A round of uneven parts is dealt for even shares of its seconds, as the ways split every
 * step evenly: shared_root_fork's root in parts of 3, 1, 3, 1, 3, 1 s
 * (12 s): 6 s a rank, so 8 s. Dealt in turn, rank 0 took the three 3 s parts (11 s); each in
 * the recorded order to the member with the least so far, 7 s and 5 s (9 s). */
static void test_uneven_parts_are_dealt_for_even_shares(void)
{
    struct builder b;
    uint32_t first = shared_root_fork(&b), parts[6];
    for (unsigned i = 0; i < 6; i++)
        parts[i] = add(&b, CS_TASK_PART, 0, i % 2 ? 1.0 : 3.0, 0, &first, 1);
    add(&b, CS_TASK_SEGMENT, 0, 0.0, 0, parts, 6);
    CU_ASSERT_DOUBLE_EQUAL(cs_span_replay_layout(&b.g, &no_messages, (cs_layout){2, 1}, NULL), 8.0,
                           1e-3);
    cs_graph_free(&b.g);
}

/* Each round of a shared node is dealt afresh: what a member took in the round before does
 * not count against it, as the members meet at every exchange. shared_root_fork's root in
 * two rounds: parts of 3 and 1 s (3 s), a segment at no cost, then
 * two of 1 s, one a rank (1 s): 6 s. Carrying the first round's 3 s against one member put
 * both 1 s parts on the other (7 s). */
static void test_each_round_of_a_node_is_dealt_afresh(void)
{
    struct builder b;
    uint32_t first = shared_root_fork(&b), parts[2];
    parts[0] = add(&b, CS_TASK_PART, 0, 3.0, 0, &first, 1);
    parts[1] = add(&b, CS_TASK_PART, 0, 1.0, 0, &first, 1);
    uint32_t seg = add(&b, CS_TASK_SEGMENT, 0, 0.0, 0, parts, 2);
    for (unsigned i = 0; i < 2; i++)
        parts[i] = add(&b, CS_TASK_PART, 0, 1.0, 0, &seg, 1);
    add(&b, CS_TASK_SEGMENT, 0, 0.0, 0, parts, 2);
    CU_ASSERT_DOUBLE_EQUAL(cs_span_replay_layout(&b.g, &no_messages, (cs_layout){2, 1}, NULL), 6.0,
                           1e-3);
    cs_graph_free(&b.g);
}

/* Largest part first: three ranks of one thread (static: items 0-1 rank 0's, 2-3 rank 1's,
 * 4-5 rank 2's, 1 s each; the pairs and [0, 4) plain combines at no cost), the root shared by
 * all three in six parts of 1 s, then one of 3 s (9 s): the 3 s part to one member, three 1 s
 * parts to each other, 3 s, so 5 s. Dealt in turn, or each in the recorded order to the
 * member with the least so far, one member took two 1 s parts and the 3 s one (7 s). */
static void test_a_large_last_part_is_dealt_first(void)
{
    struct builder b;
    start(&b, "cpu_mpi", "static", 1);
    uint32_t it[6];
    one_second_items(&b, it, 6);
    uint32_t left = helped(&b, helped(&b, it[0], it[1], 0.0, 0, 0.0, 0.0),
                           helped(&b, it[2], it[3], 0.0, 0, 0.0, 0.0), 0.0, 0, 0.0, 0.0);
    uint32_t kids[2] = {left, helped(&b, it[4], it[5], 0.0, 0, 0.0, 0.0)};
    uint32_t first = add(&b, CS_TASK_COMBINE, 0, 0.0, 0, kids, 2), parts[7];
    for (unsigned i = 0; i < 7; i++)
        parts[i] = add(&b, CS_TASK_PART, 0, i < 6 ? 1.0 : 3.0, 0, &first, 1);
    add(&b, CS_TASK_SEGMENT, 0, 0.0, 0, parts, 7);
    CU_ASSERT_DOUBLE_EQUAL(cs_span_replay_layout(&b.g, &no_messages, (cs_layout){3, 1}, NULL), 5.0,
                           1e-3);
    cs_graph_free(&b.g);
}

/* A part is dealt once, though it names its segment twice (a profile file may):
 * shared_root_fork's root in parts of 3, 1 and 1 s, the 3 s one depending on the fork
 * twice: 3 s to one member, 2 s to the other, so 5 s. Counted twice in the round, it left
 * the 3 s part with a 1 s one (6 s). */
static void test_a_part_naming_its_segment_twice_is_dealt_once(void)
{
    struct builder b;
    uint32_t first = shared_root_fork(&b);
    uint32_t twice[2] = {first, first}, parts[3];
    parts[0] = add(&b, CS_TASK_PART, 0, 3.0, 0, twice, 2);
    parts[1] = add(&b, CS_TASK_PART, 0, 1.0, 0, &first, 1);
    parts[2] = add(&b, CS_TASK_PART, 0, 1.0, 0, &first, 1);
    add(&b, CS_TASK_SEGMENT, 0, 0.0, 0, parts, 3);
    CU_ASSERT_DOUBLE_EQUAL(cs_span_replay_layout(&b.g, &no_messages, (cs_layout){2, 1}, NULL), 5.0,
                           1e-3);
    cs_graph_free(&b.g);
}

/* cpu_mpi's dynamic hand-out (mpi_handout.c) across 2 ranks of one worker: blocks [0, 10)
 * and [10, 20), rank 0's items 1 s, rank 1's 10 s but item 19, 20 s. Rank 0 takes one item
 * at a time; rank 1 asks for a grant before each item while fewer than 4 wait: [10, 14) at
 * 0, [14, 16) at 10, [16, 17) at 30. Rank 0, done with its block at 10, takes from the back
 * of the block with most left: item 19 (10 to 30), then 18 (30 to 40) and 17 (40 to 50);
 * rank 1 runs 10 to 16 back to back, to 70. Taking from the front, or asking only when the
 * queue is empty, ends elsewhere. Then the stolen items go home (cs_handout_home). */
static void test_ranks_take_from_the_back_of_a_block(void)
{
    struct builder b;
    start(&b, "cpu_mpi", "dynamic", 1);
    uint32_t level[20];
    for (int i = 0; i < 20; i++)
        level[i] = add(&b, CS_TASK_ITEM, 0, i < 10 ? 1.0 : i == 19 ? 20.0 : 10.0, 0, NULL, 0);
    for (unsigned n = 20; n > 1; n = (n + 1) / 2)
        for (unsigned i = 0; i < (n + 1) / 2; i++)
            level[i] = 2 * i + 1 < n ? add(&b, CS_TASK_COMBINE, 0, 0.0, 0, &level[2 * i], 2)
                                     : level[2 * i];
    CU_ASSERT_DOUBLE_EQUAL(cs_span_replay_layout(&b.g, &no_messages, (cs_layout){2, 1}, NULL), 70.0,
                           1e-3);
    /* The stolen 17, 18 and 19 go home to rank 1 before the tree, a message each (100 s
     * here): there at 150, 140 and 130, so [16, 20) is made on rank 1 at 150 and reaches
     * the root on rank 0 at 250. Left with their thief, [18, 20) was rank 0's at 70, [16, 20)
     * waited for it on rank 1 until 170, and the root until 270. */
    const cs_message_model slow = {100.0, 1e9, 1};
    CU_ASSERT_DOUBLE_EQUAL(cs_span_replay_layout(&b.g, &slow, (cs_layout){2, 1}, NULL), 250.0,
                           1e-3);
    cs_graph_free(&b.g);
}

/* The same two-rank node as above, its combine carrying its operands' bytes (as a one-rank
 * profile records them): the replay at 2 ranks. */
static double spanning_node_replay(uint64_t bytes, const cs_message_model *m, int spanning)
{
    struct builder b;
    start(&b, "cpu_mpi", "static", 1);
    uint32_t it[4];
    one_second_items(&b, it, 4);
    uint32_t kids[2] = {it[spanning ? 1 : 0], it[spanning ? 2 : 1]};
    uint32_t fork = add(&b, CS_TASK_COMBINE, 0, 0.0, bytes, kids, 2), parts[4];
    for (int k = 0; k < 4; k++)
        parts[k] = add(&b, CS_TASK_PART, 0, 1.0, 0, &fork, 1);
    uint32_t seg = add(&b, CS_TASK_SEGMENT, 0, 0.0, 0, parts, 4);
    uint32_t rest[2] = {seg, it[spanning ? 0 : 2]};
    add(&b, CS_TASK_COMBINE, 0, 0.0, 0, rest, 2);
    double t = cs_span_replay(&b.g, m, 2);
    cs_graph_free(&b.g);
    return t;
}

/* A node whose items ran on two ranks pays, before its parts, what its two ranks exchange
 * (cs_group_exchange_s); one on a single rank pays nothing, whatever its bytes. */
static void test_a_node_spanning_ranks_pays_its_exchanges(void)
{
    const cs_message_model m = {1e-3, 1e9, 1};
    const uint64_t bytes = 8000000; /* L = 1e6 limbs */
    double ex = cs_group_exchange_s(&m, 2, bytes);
    /* by primes, two members: L/2 of the operands, two primes' residues of L/2: 1.5e6 words */
    NEAR(ex, 4 * 1e-3 + 8 * 1.5e6 / 1e9);
    /* items 2 s a rank, the exchanges, four 1 s parts two at a time (and the latency of
     * messages from rank to rank, a few ms) */
    double shared = spanning_node_replay(bytes, &m, 1);
    CU_ASSERT_DOUBLE_EQUAL(shared, 2.0 + ex + 2.0, 0.01);
    /* within a latency: the parts' messages from rank to rank may overlap differently */
    CU_ASSERT_DOUBLE_EQUAL(shared - spanning_node_replay(0, &m, 1), ex, 1.5e-3);
    double alone = spanning_node_replay(bytes, &m, 0);
    CU_ASSERT_DOUBLE_EQUAL(alone, 2.0 + 4.0, 0.01);
    NEAR(alone, spanning_node_replay(0, &m, 0));
    /* more bytes cost more; more bandwidth less */
    const cs_message_model fast = {1e-3, 4e9, 1};
    CU_ASSERT(spanning_node_replay(2 * bytes, &m, 1) > spanning_node_replay(bytes, &m, 1) + 0.01);
    CU_ASSERT(spanning_node_replay(bytes, &fast, 1) < spanning_node_replay(bytes, &m, 1) - 0.008);
}

/* The words per way (bignum's bn_group_words), one rank's of g, for L = 1e6 limbs of
 * operands, which fill a transform of 2^20 points, and for L = 2^20 + 2^16 + 1, whose one
 * rank's product wraps around 2^20 (by the split transform from four ranks: bignum_group.c).
 * By the transform, 4 and 8 ranks hold even shares of its 2^k blocks; 6 and 7 do not, and
 * the busiest, a block more than an even share, receives more. */
static void test_group_exchanges_follow_the_way_for_the_group(void)
{
    const cs_message_model m = {0.0, 8.0, 1}; /* seconds = words */
    const uint64_t bytes = 8000000;
    const double L = 1e6, n = 1048576; /* 2^20 >= L - 1 > 3 2^18 */
    NEAR(cs_group_exchange_s(&m, 1, bytes), 0.0);
    NEAR(cs_group_exchange_s(&m, 2, 0), 0.0);
    NEAR(cs_group_exchange_s(&m, 2, bytes), L / 2 + L);                         /* primes */
    NEAR(cs_group_exchange_s(&m, 3, bytes), 2 * L / 3 + 2 * L / 3);
    NEAR(cs_group_exchange_s(&m, 4, bytes), (2 * L + 9 * n) * 3 / 16);          /* transform */
    NEAR(cs_group_exchange_s(&m, 8, bytes), (2 * L + 9 * n) * 7 / 64);
    unsigned ex = 0;
    NEAR(cs_group_exchange_s(&m, 6, bytes), bn_group_words(6, 500000, 500000, &ex));
    CU_ASSERT(cs_group_exchange_s(&m, 6, bytes) > 1.03 * (2 * L + 9 * n) * 5 / 36);
    NEAR(cs_group_exchange_s(&m, 7, bytes), bn_group_words(7, 500000, 500000, &ex));
    CU_ASSERT(cs_group_exchange_s(&m, 7, bytes) > 1.03 * (2 * L + 9 * n) * 6 / 49);
    const double W = 1048576 + 65536 + 1; /* wraps: by primes up to three ranks */
    NEAR(cs_group_exchange_s(&m, 3, 8 * (uint64_t)W), 2 * W / 3 + 2 * W / 3);
    /* from four ranks the split transform takes the wrapped layout too: bignum's words */
    NEAR(cs_group_exchange_s(&m, 4, 8 * (uint64_t)W), bn_group_words(4, 557057, 557056, &ex));
    NEAR(cs_group_exchange_s(&m, 7, 8 * (uint64_t)W), bn_group_words(7, 557057, 557056, &ex));
    /* latency once per exchange: four by primes, six by the transform */
    const cs_message_model slow = {1.0, 1e30, 1};
    NEAR(cs_group_exchange_s(&slow, 2, bytes), 4.0);
    NEAR(cs_group_exchange_s(&slow, 16, bytes), 6.0);
}

static void test_message_model_fits_latency_and_bandwidth(void)
{
    struct builder b;
    start(&b, "cpu_mpi", "static", 1);
    uint32_t item = add(&b, CS_TASK_ITEM, 0, 1.0, 0, NULL, 0);
    /* observed: recv end - the later of send start and recv start */
    for (unsigned i = 1; i <= 4; i++) {
        uint64_t bytes = 1000 * i;
        double cost = 1e-3 + bytes / 1e6;
        cs_task *st = &b.g.task[add(&b, CS_TASK_SEND, 0, 0.0, bytes, &item, 1)];
        uint32_t send = b.g.count - 1;
        uint32_t recv = add(&b, CS_TASK_RECV, 1, 0.0, bytes, &send, 1);
        b.g.task[recv].start = st->start - 5.0; /* waited long before the send */
        b.g.task[recv].end = st->start + cost;
    }
    cs_message_model m = cs_message_fit(&b.g);
    CU_ASSERT_EQUAL(m.fitted_from, 4);
    CU_ASSERT_DOUBLE_EQUAL(m.latency_s, 1e-3, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(m.bandwidth, 1e6, 1e-3);
    cs_graph_free(&b.g);
    /* No messages: the defaults. */
    start(&b, "cpu_mpi", "static", 1);
    add(&b, CS_TASK_ITEM, 0, 1.0, 0, NULL, 0);
    m = cs_message_fit(&b.g);
    CU_ASSERT_EQUAL(m.fitted_from, 0);
    CU_ASSERT_DOUBLE_EQUAL(m.latency_s, CS_DEFAULT_LATENCY_S, 0);
    cs_graph_free(&b.g);
}

/* The prediction is never below the work shared out, nor below the span. */
static void test_prediction_bounded_by_work_and_span(void)
{
    struct builder b;
    start(&b, "cpu_omp", "guided", 1);
    uint32_t leaf[100];
    for (unsigned i = 0; i < 100; i++)
        leaf[i] = add(&b, CS_TASK_ITEM, 0, 0.001 * (1 + i % 7), 0, NULL, 0);
    tree(&b, 0, 100, leaf);
    cs_span_stats s = stats(&b.g, &no_messages);
    for (unsigned p = 1; p <= 1024; p *= 2) {
        /* the replay itself, not cs_span_predict, which clamps to the bounds */
        double t = cs_span_replay(&b.g, &no_messages, p);
        CU_ASSERT(t >= s.work_s / p - 1e-12);
        CU_ASSERT(t >= s.span_s - 1e-12);
        CU_ASSERT(t <= s.work_s + 1e-12);
    }
    NEAR(cs_span_predict(&b.g, &no_messages, &s, 1), s.work_s);
    cs_graph_free(&b.g);
}

/* The replay's static blocks are the drivers' (cs_static_start). */
static void test_static_blocks_are_the_drivers(void)
{
    for (unsigned items = 1; items < 50; items += 7)
        for (unsigned p = 1; p <= 9; p++) {
            struct builder b;
            start(&b, "cpu_omp", "static", 1);
            /* item i lasts 2^-i-ish distinct: each block's sum identifies the block */
            for (unsigned i = 0; i < items; i++)
                add(&b, CS_TASK_ITEM, 0, 1.0 + i, 0, NULL, 0);
            double longest = 0;
            for (unsigned w = 0; w < p; w++) {
                double sum = 0;
                for (uint64_t i = cs_static_start(items, p, w); i < cs_static_start(items, p, w + 1);
                     i++)
                    sum += 1.0 + (double)i;
                longest = sum > longest ? sum : longest;
            }
            NEAR(cs_span_replay(&b.g, &no_messages, p), longest);
            cs_graph_free(&b.g);
        }
}

/* Every item's home is its hand-out block's rank (cs_handout_home), whoever ran it: blocks of
 * the ranks' threads together, so 10 items over 3 ranks of one thread are [0, 3), [3, 6),
 * [6, 10); of two threads, 6 workers' blocks two at a time: [0, 3), [3, 6), [6, 10) again
 * (starts 0, 1, 3, 5, 6, 8); 7 items over 2 ranks of 3 threads: [0, 3), [3, 7). */
static void test_every_item_goes_to_its_blocks_rank(void)
{
    static const int three[10] = {0, 0, 0, 1, 1, 1, 2, 2, 2, 2}, two[7] = {0, 0, 0, 1, 1, 1, 1};
    int home[10];
    for (unsigned threads = 1; threads <= 2; threads++) {
        memset(home, -1, sizeof home);
        cs_handout_home(10, 3, threads, home);
        for (int i = 0; i < 10; i++)
            CU_ASSERT_EQUAL(home[i], three[i]);
    }
    cs_handout_home(7, 2, 3, home);
    for (int i = 0; i < 7; i++)
        CU_ASSERT_EQUAL(home[i], two[i]);
    cs_handout_home(1, 4, 1, home); /* more ranks than items: the last rank's block holds it */
    CU_ASSERT_EQUAL(home[0], 3);
}

/* Static blocks have no thief, so nothing goes home, even with a short last rank: 62 items of
 * 1 s on 31 workers of ranks of 16 leave rank 0 items 0..31 (two a worker), though item 31
 * lies in cs_handout_home's second block ([31, 62) of 32 workers' blocks). Each rank's items
 * chain on their own rank; only the root's edge crosses ranks and pays a message: 2 s of items
 * and one 100 s latency, not a second for item 31 sent to rank 1. */
static void test_static_blocks_send_nothing_home(void)
{
    struct builder b;
    start(&b, "cpu_hybrid", "static", 16);
    uint32_t item[62];
    for (int i = 0; i < 62; i++)
        item[i] = add(&b, CS_TASK_ITEM, i < 32 ? 0 : 1, 1.0, 0, NULL, 0);
    uint32_t half[2];
    for (int h = 0; h < 2; h++) {
        uint32_t c = item[h ? 32 : 0];
        for (int i = (h ? 32 : 0) + 1; i < (h ? 62 : 32); i++) {
            uint32_t kids[2] = {c, item[i]};
            c = add(&b, CS_TASK_COMBINE, h, 0.0, 0, kids, 2);
        }
        half[h] = c;
    }
    add(&b, CS_TASK_COMBINE, 0, 0.0, 0, half, 2);
    cs_message_model slow = {100.0, 1e9, 1};
    double t = cs_span_replay_layout(&b.g, &slow, (cs_layout){31, 0}, NULL);
    CU_ASSERT(t > 100.0 && t < 150.0);
    cs_graph_free(&b.g);
}

/* ---- the file ------------------------------------------------------------------------------- */

static void test_file_round_trip(void)
{
    struct builder b;
    start(&b, "cpu_omp", "dynamic", 3);
    uint32_t leaf[5];
    for (unsigned i = 0; i < 5; i++)
        leaf[i] = add(&b, CS_TASK_ITEM, 0, 0.001, 0, NULL, 0);
    tree(&b, 0, 5, leaf);
    FILE *f = tmpfile();
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    cs_profile_write_start(f);
    CU_ASSERT_EQUAL(cs_profile_write_block(f, &b.g), 0);
    CU_ASSERT_EQUAL(cs_profile_write_block(f, &b.g), 0);
    rewind(f);
    cs_graph *blocks = NULL;
    unsigned count = 0;
    char why[256] = "";
    CU_ASSERT_EQUAL_FATAL(cs_profile_read(f, &blocks, &count, why, sizeof why), 0);
    CU_ASSERT_EQUAL(count, 2);
    for (unsigned k = 0; k < count; k++) {
        CU_ASSERT_EQUAL(blocks[k].count, b.g.count);
        CU_ASSERT_EQUAL(blocks[k].items, 5);
        CU_ASSERT_EQUAL(blocks[k].threads, 3);
        CU_ASSERT_STRING_EQUAL(blocks[k].driver, "cpu_omp");
        CU_ASSERT_STRING_EQUAL(blocks[k].case_name, "n=1");
        for (uint32_t i = 0; i < b.g.count; i++) {
            CU_ASSERT_EQUAL(blocks[k].task[i].kind, b.g.task[i].kind);
            CU_ASSERT_EQUAL(blocks[k].task[i].deps, b.g.task[i].deps);
            CU_ASSERT_DOUBLE_EQUAL(blocks[k].task[i].end, b.g.task[i].end, 1e-9);
        }
        CU_ASSERT_EQUAL(memcmp(blocks[k].dep, b.g.dep, b.g.dep_count * sizeof *b.g.dep), 0);
        cs_graph_free(&blocks[k]);
    }
    free(blocks);
    fclose(f);
    cs_graph_free(&b.g);
}

/* Each malformed text is refused with the number of its bad line. */
static void test_file_refuses_bad_lines(void)
{
    static const char head[] = "# corescale profile\n"
                               "# block driver=cpu_serial ranks=1 threads=1 items=2 tasks=3\n";
    static const struct {
        const char *body, *line;
    } cases[] = {
        {"1 item 0 0 0 1 0 -\n2 item 0 0 1 2 0 -\n3 combine 0 0 2 3 0 1,9\n", "line 5:"},
        {"1 item 0 0 0 1 0 -\n2 item 0 0 1 2 0 -\n3 combine 0 0 2 3 0 1,3\n", "line 5:"},
        {"1 item 0 0 0 1 0 -\n3 item 0 0 1 2 0 -\n", "line 4:"},
        {"1 item 0 0 0 1 0 -\n2 itme 0 0 1 2 0 -\n", "line 4:"},
        {"1 item 0 0 0 1 0\n", "line 3:"},
        {"1 item 0 0 1 0.5 0 -\n", "line 3:"},
        {"1 item 0 0 0 1 0 -\n2 combine 0 0 1 2 0 1\n", "line 4:"},
        {"1 item 0 0 0 1 0 -\n2 item 0 0 1 2 0 -\n3 combine 0 0 2 3 x 1,2\n", "line 5:"},
        {"1 item 0 0 0 1 0 -\n2 item 0 0 1 2 0 -\n", "line 5:"}, /* tasks=3, two given */
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        FILE *f = tmpfile();
        fputs(head, f);
        fputs(cases[c].body, f);
        rewind(f);
        cs_graph *blocks = NULL;
        unsigned count = 0;
        char why[256] = "";
        int rc = cs_profile_read(f, &blocks, &count, why, sizeof why);
        CU_ASSERT_EQUAL(rc, 1);
        if (strncmp(why, cases[c].line, strlen(cases[c].line)) != 0)
            printf("\ncase %zu: '%s', expected '%s...'\n", c, why, cases[c].line);
        CU_ASSERT_EQUAL(strncmp(why, cases[c].line, strlen(cases[c].line)), 0);
        fclose(f);
    }
    /* No block at all. */
    FILE *f = tmpfile();
    fputs("# nothing here\n", f);
    rewind(f);
    cs_graph *blocks = NULL;
    unsigned count = 0;
    char why[256] = "";
    CU_ASSERT_EQUAL(cs_profile_read(f, &blocks, &count, why, sizeof why), 1);
    fclose(f);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("span", NULL, NULL);
    CU_add_test(s, "a chain: span == work, replay == work", test_chain_span_is_work_and_replay_is_work);
    CU_add_test(s, "n equal tasks, static: ceil(n/p) t", test_independent_tasks_static);
    CU_add_test(s, "n equal tasks, dynamic: ceil(n/p) t", test_independent_tasks_dynamic);
    CU_add_test(s, "balanced tree: span == depth + 1", test_balanced_tree_span_is_depth_plus_one);
    CU_add_test(s, "fork-join with k parts", test_fork_join_with_k_parts);
    CU_add_test(s, "team: units whole, the root's parts spread", test_units_whole_root_spread);
    CU_add_test(s, "team: a top combine before the last unit is unhelped",
                test_top_unhelped_while_units_left);
    CU_add_test(s, "team: 1 worker is the work; bounded by T1/p and Tinf",
                test_team_replay_bounds);
    CU_add_test(s, "a node spanning ranks has its parts on its ranks",
                test_parts_of_a_node_spanning_ranks_run_on_its_ranks);
    CU_add_test(s, "a layout sets the threads per rank", test_layout_sets_threads_per_rank);
    CU_add_test(s, "a shared node costs the ways' factor", test_shared_nodes_cost_the_ways_factor);
    CU_add_test(s, "unhelped combines cost what cpu_serial says",
                test_unhelped_combines_cost_what_serial_says);
    CU_add_test(s, "unhelped follows the rank replayed, not the one recorded",
                test_unhelped_follows_the_rank_replayed);
    CU_add_test(s, "a shared node's parts wait for no idle rank",
                test_shared_parts_wait_for_no_idle_rank);
    CU_add_test(s, "a rank in two groups holds both up", test_a_rank_in_two_groups_holds_both_up);
    CU_add_test(s, "uneven parts are dealt for even shares",
                test_uneven_parts_are_dealt_for_even_shares);
    CU_add_test(s, "each round of a node is dealt afresh", test_each_round_of_a_node_is_dealt_afresh);
    CU_add_test(s, "a large last part is dealt first", test_a_large_last_part_is_dealt_first);
    CU_add_test(s, "a part naming its segment twice is dealt once",
                test_a_part_naming_its_segment_twice_is_dealt_once);
    CU_add_test(s, "a short last rank multiplies unhelped",
                test_a_short_last_rank_multiplies_unhelped);
    CU_add_test(s, "a group factor below one lowers the floor",
                test_a_group_factor_below_one_lowers_the_floor);
    CU_add_test(s, "ranks take from the back of a block (mpi_handout)",
                test_ranks_take_from_the_back_of_a_block);
    CU_add_test(s, "a message edge costs latency + bytes / bandwidth",
                test_message_edge_costs_latency_and_bytes);
    CU_add_test(s, "a node spanning ranks pays its exchanges",
                test_a_node_spanning_ranks_pays_its_exchanges);
    CU_add_test(s, "group exchanges follow the way for the group",
                test_group_exchanges_follow_the_way_for_the_group);
    CU_add_test(s, "message model fits latency and bandwidth",
                test_message_model_fits_latency_and_bandwidth);
    CU_add_test(s, "prediction between max(T1/p, Tinf) and T1", test_prediction_bounded_by_work_and_span);
    CU_add_test(s, "static blocks are cs_static_start's", test_static_blocks_are_the_drivers);
    CU_add_test(s, "every item goes to its block's rank", test_every_item_goes_to_its_blocks_rank);
    CU_add_test(s, "static blocks send nothing home", test_static_blocks_send_nothing_home);
    CU_add_test(s, "file round trip", test_file_round_trip);
    CU_add_test(s, "file refuses bad lines with their number", test_file_refuses_bad_lines);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
