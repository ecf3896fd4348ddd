/* OpenMP threads over items and over the fixed tree, each thread pinned and checked. */
#include "omp_team.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handout.h"
#include "message.h"
#include "profile.h"
#include "thread_room.h"
#include "tree.h"

int cs_static_next(void *ctx, unsigned tid, uint64_t *lo, uint64_t *hi)
{
    cs_static_source *s = ctx;
    if (s->given[tid])
        return 0;
    s->given[tid] = 1;
    *lo = cs_static_start(s->items, s->workers, s->base + tid);
    *hi = cs_static_start(s->items, s->workers, s->base + tid + 1);
    return *lo < *hi;
}

void cs_owned_start(cs_owned_source *s)
{
    for (unsigned t = 0; t < s->threads; t++)
        s->next[t] = cs_static_start(s->items, s->threads, t);
}

int cs_owned_next(void *ctx, unsigned tid, uint64_t *lo, uint64_t *hi)
{
    cs_owned_source *s = ctx;
    for (unsigned k = 0; k < s->threads; k++) {
        unsigned t = (tid + k) % s->threads;
        uint64_t end = cs_static_start(s->items, s->threads, t + 1);
        if (__atomic_load_n(&s->next[t], __ATOMIC_RELAXED) >= end)
            continue;
        uint64_t i = __atomic_fetch_add(&s->next[t], 1, __ATOMIC_RELAXED);
        if (i < end) {
            *lo = i;
            *hi = i + 1;
            return 1;
        }
    }
    return 0;
}

int cs_guided_next(void *ctx, unsigned tid, uint64_t *lo, uint64_t *hi)
{
    (void)tid;
    cs_guided_source *s = ctx;
    uint64_t cur = __atomic_load_n(&s->next, __ATOMIC_RELAXED), take;
    do {
        if (cur >= s->end)
            return 0;
        take = cs_guided_share(s->end - cur, s->threads);
    } while (!__atomic_compare_exchange_n(&s->next, &cur, cur + take, 1, __ATOMIC_RELAXED,
                                          __ATOMIC_RELAXED));
    *lo = cur;
    *hi = cur + take;
    return 1;
}

/* The first failure among the threads, kept whole. */
struct first_error {
    int rc;
    cs_err err;
};

static void keep_error(struct first_error *f, int rc, const cs_err *err)
{
    /* rc is read by other threads as they go (failed()); err only after the team. */
#pragma omp critical(cs_team_error)
    if (__atomic_load_n(&f->rc, __ATOMIC_ACQUIRE) == CS_OK) {
        f->err = *err;
        __atomic_store_n(&f->rc, rc, __ATOMIC_RELEASE);
    }
}

/* OpenMP may give fewer threads than asked (OMP_THREAD_LIMIT): that would
 * leave static blocks unrun, so it is an error, said once. */
static void check_team_size(struct first_error *f, unsigned want)
{
    int got = omp_get_num_threads();
    if (got != (int)want) {
        cs_err e;
        cs_err_set(&e, "OpenMP started %d threads, not %u (is OMP_THREAD_LIMIT set?)", got, want);
        keep_error(f, CS_EINVAL, &e);
    }
}

static int failed(const struct first_error *f)
{
    return __atomic_load_n(&f->rc, __ATOMIC_ACQUIRE) != CS_OK;
}

/* Each thread of a team that runs items first: is the team whole, and am I pinned? */
static unsigned thread_start(const cs_team *t, struct first_error *f)
{
    unsigned tid = (unsigned)omp_get_thread_num();
    check_team_size(f, t->threads);
    if (t->pin)
        cs_pin_bind_self(t->pin, tid);
    return tid;
}

void cs_team_bind(const cs_team *t)
{
    if (!t->pin)
        return;
#pragma omp parallel num_threads(t->threads)
    {
        unsigned tid = (unsigned)omp_get_thread_num();
        if (tid < t->threads) {
            cs_pin_bind_self(t->pin, tid);
            cs_pin_check_self(t->pin, tid);
        }
    }
}

int cs_team_prepare(const cs_team *t, const cs_kernel *k, cs_problem *p, unsigned workers,
                    unsigned base, cs_err *err)
{
    if (!k->item_prepare)
        return CS_OK;
    uint64_t items = k->item_count(p);
    struct first_error f = {CS_OK, {{0}}};
#pragma omp parallel num_threads(t->threads)
    {
        unsigned tid = thread_start(t, &f);
        uint64_t lo = cs_static_start(items, workers, base + tid);
        uint64_t hi = cs_static_start(items, workers, base + tid + 1);
        cs_err mine = {{0}};
        for (uint64_t i = lo; i < hi && !failed(&f); i++) {
            int rc = k->item_prepare(p, i, &mine);
            if (rc != CS_OK)
                keep_error(&f, rc, &mine);
        }
    }
    if (f.rc != CS_OK)
        *err = f.err;
    return f.rc;
}

int cs_team_run(const cs_team *t, const cs_kernel *k, cs_problem *p, const cs_source *src,
                cs_partial **leaves, cs_err *err)
{
    struct first_error f = {CS_OK, {{0}}};
#pragma omp parallel num_threads(t->threads)
    {
        unsigned tid = thread_start(t, &f);
        cs_err mine = {{0}};
        uint64_t lo, hi;
        while (src->next(src->ctx, tid, &lo, &hi))
            for (uint64_t i = lo; i < hi && !failed(&f); i++) {
                double t0 = cs_prof_start();
                int rc = k->item_run(p, i, &leaves[i], &mine);
                cs_prof_item(i, t0);
                if (rc != CS_OK)
                    keep_error(&f, rc, &mine);
            }
        if (t->pin)
            cs_pin_check_self(t->pin, tid);
    }
    if (f.rc != CS_OK)
        *err = f.err;
    return f.rc;
}

/* A combine's parts, run by whichever of the team's threads are free: as
 * tasks inside the team's region (its tree), or in a region of their own (a
 * rank's nodes that span ranks, combined outside any region).
 *
 * Inside the region the parts are not one task each: libgomp runs a whole
 * taskloop on the encountering thread, undeferred, when the team's
 * outstanding tasks would exceed 64 per thread, and a large transform product
 * has hundreds of parts per call (over 512 parts on 8 threads ran on one
 * thread while seven idled: measured on 16 cores). So at most one task per
 * thread is made, and each task takes parts from a shared counter until none
 * is left: the balance is still part by part. A taskloop, not tasks and a
 * taskwait: its implicit taskgroup is what ThreadSanitizer's OpenMP support
 * (Archer) sees order the parts before the combine goes on; with a taskwait
 * it reported the reuse of task memory as races. */
struct part_pool {
    void (*fn)(void *arg, unsigned part);
    void *arg;
    unsigned parts;
    unsigned next; /* the next part to run, taken atomically */
};

static void pool_drain(struct part_pool *pool)
{
    unsigned i;
    while ((i = __atomic_fetch_add(&pool->next, 1, __ATOMIC_RELAXED)) < pool->parts)
        pool->fn(pool->arg, i);
}

/* Tasks for a pool of parts: one per thread at most, far below libgomp's limit. */
static unsigned part_tasks(unsigned parts, unsigned threads)
{
    return parts < threads ? parts : threads;
}

static void team_run_parts(void *ctx, unsigned parts, void (*fn)(void *arg, unsigned part),
                           void *arg)
{
    const cs_team *t = ctx;
    if (omp_in_parallel()) {
        struct part_pool pool = {fn, arg, parts, 0};
        unsigned tasks = part_tasks(parts, t->threads);
#pragma omp taskloop grainsize(1) default(none) firstprivate(tasks) shared(pool)
        for (unsigned k = 0; k < tasks; k++)
            pool_drain(&pool);
        return;
    }
#pragma omp parallel for num_threads(t->threads) schedule(dynamic, 1) default(none) \
    shared(parts, fn, arg)
    for (unsigned i = 0; i < parts; i++)
        fn(arg, i);
}

cs_helpers cs_team_helpers(const cs_team *t)
{
    cs_helpers h = {t->threads >= 2 ? team_run_parts : NULL, (void *)t};
    return h;
}

int cs_team_combine_node(const cs_team *t, int helped, const cs_kernel *k, const cs_problem *p,
                         cs_partial *left, cs_partial *right, const cs_task_id children[2],
                         cs_task_id node, cs_partial **out, cs_err *err)
{
    cs_helpers h = {team_run_parts, (void *)t};
    int help = helped && t->threads >= 2 && k->combine_helped;
    return cs_prof_combine(k, p, left, right, help ? &h : NULL, children, node, out, err);
}

int cs_team_combine(const cs_team *t, int helped, const cs_kernel *k, const cs_problem *p,
                    cs_partial *left, cs_partial *right, cs_partial **out, cs_err *err)
{
    cs_task_id none[2] = {0, 0};
    return cs_team_combine_node(t, helped, k, p, left, right, none, 0, out, err);
}

/*
 * The tree's top, down to a depth that gives every thread several subtrees
 * ("units", each combined serially by one thread), is a set of nodes that a
 * thread combines as soon as both children exist: the thread that brings a
 * node its second child combines it and climbs on, the first goes for the
 * next unit. No thread waits for a particular task, so none idles while a
 * node is ready. Units are taken from the last: siblings still finish close
 * together, and where items grow with their index the largest go first, so
 * the chain of combines left at the end is the cheapest one. Once no unit is
 * left to take, every combine is helped: its parts become tasks that threads
 * with nothing left to do pick up at the region's closing barrier.
 */
struct top_node {
    uint64_t lo, hi;     /* the tree node [lo, hi), for the profile's task ids */
    int parent;          /* index in nodes, -1 at a subtree's root */
    unsigned side;       /* which child of the parent: 0 left, 1 right */
    unsigned tree;       /* which subtree (out[tree]) */
    cs_partial *part[2]; /* the children's partials, NULL when one failed */
    int arrived;         /* children delivered, taken atomically */
};

struct top_unit {
    uint64_t lo, hi;
    int parent;
    unsigned side, tree;
};

struct tree_job {
    const cs_team *t;
    const cs_kernel *k;
    const cs_problem *p;
    cs_partial **leaves;
    cs_partial **out;
    unsigned task_depth;  /* nodes at this depth, or of two leaves or one, are units */
    struct top_node *nodes;
    struct top_unit *units;
    unsigned node_count, unit_count, next_unit;
    struct first_error f;
};

/* Nodes above task_depth, and the units below them, numbered left to right. */
static void plan_top(struct tree_job *j, uint64_t lo, uint64_t hi, unsigned depth, int parent,
                     unsigned side, unsigned tree)
{
    if (hi - lo <= 2 || depth >= j->task_depth) {
        struct top_unit u = {lo, hi, parent, side, tree};
        j->units[j->unit_count++] = u;
        return;
    }
    int me = (int)j->node_count++;
    struct top_node nd = {lo, hi, parent, side, tree, {NULL, NULL}, 0};
    j->nodes[me] = nd;
    uint64_t mid = cs_tree_mid(lo, hi);
    plan_top(j, lo, mid, depth + 1, me, 0, tree);
    plan_top(j, mid, hi, depth + 1, me, 1, tree);
}

/* Delivers x (NULL after a failure) to its parent, and combines every node
 * this thread completes on the way up. */
static void climb(struct tree_job *j, int node, unsigned side, unsigned tree, cs_partial *x)
{
    while (node >= 0) {
        struct top_node *nd = &j->nodes[node];
        nd->part[side] = x;
        if (__atomic_fetch_add(&nd->arrived, 1, __ATOMIC_ACQ_REL) == 0)
            return; /* the sibling's thread combines this node */
        cs_partial *left = nd->part[0], *right = nd->part[1];
        x = NULL;
        if (left && right && !failed(&j->f)) {
            cs_err mine = {{0}};
            /* Once every unit is taken, threads run out of work one by one:
             * from then on combines are helped. Before, the others are busy
             * with units, and a helped combine run alone is slower. */
            int helped = __atomic_load_n(&j->next_unit, __ATOMIC_RELAXED) >= j->unit_count;
            uint64_t mid = cs_tree_mid(nd->lo, nd->hi);
            cs_task_id children[2] = {cs_prof_node(nd->lo, mid), cs_prof_node(mid, nd->hi)};
            int rc = cs_team_combine_node(j->t, helped, j->k, j->p, left, right, children,
                                          cs_prof_node(nd->lo, nd->hi), &x, &mine);
            if (rc != CS_OK)
                keep_error(&j->f, rc, &mine);
        } else {
            if (left)
                j->k->partial_free(left);
            if (right)
                j->k->partial_free(right);
        }
        side = nd->side;
        node = nd->parent;
    }
    j->out[tree] = x;
}

static void run_units(struct tree_job *j)
{
    unsigned u;
    while ((u = __atomic_fetch_add(&j->next_unit, 1, __ATOMIC_RELAXED)) < j->unit_count) {
        const struct top_unit *un = &j->units[j->unit_count - 1 - u];
        cs_partial *x = NULL;
        if (failed(&j->f)) {
            cs_tree_free_leaves(j->k, j->leaves + un->lo, un->hi - un->lo);
        } else {
            cs_err mine = {{0}};
            int rc = cs_tree_combine(j->k, j->p, j->leaves, un->lo, un->hi, &x, &mine);
            if (rc != CS_OK)
                keep_error(&j->f, rc, &mine);
        }
        climb(j, un->parent, un->side, un->tree, x);
    }
}

int cs_team_tree(const cs_team *t, const cs_kernel *k, const cs_problem *p, cs_partial **leaves,
                 const uint64_t *lo, const uint64_t *hi, unsigned count, cs_partial **out,
                 cs_err *err)
{
    struct tree_job j = {t, k, p, leaves, out, 0, NULL, NULL, 0, 0, 0, {CS_OK, {{0}}}};
    j.task_depth = cs_tree_unit_depth(t->threads);
    size_t per_tree = (size_t)1 << j.task_depth;
    j.nodes = malloc(count * per_tree * sizeof *j.nodes);
    j.units = malloc(count * per_tree * sizeof *j.units);
    for (unsigned i = 0; i < count; i++)
        out[i] = NULL;
    if (!j.nodes || !j.units) {
        free(j.nodes);
        free(j.units);
        for (unsigned i = 0; i < count; i++)
            cs_tree_free_leaves(k, leaves + lo[i], hi[i] - lo[i]);
        cs_err_set(err, "out of memory for the tree's top");
        return CS_ENOMEM;
    }
    for (unsigned i = 0; i < count; i++)
        plan_top(&j, lo[i], hi[i], 0, -1, 0, i);
#pragma omp parallel num_threads(t->threads)
    {
        if (t->pin)
            cs_pin_bind_self(t->pin, (unsigned)omp_get_thread_num());
        run_units(&j);
    }
    free(j.nodes);
    free(j.units);
    if (j.f.rc != CS_OK) {
        for (unsigned i = 0; i < count; i++)
            if (out[i])
                k->partial_free(out[i]);
        *err = j.f.err;
    }
    return j.f.rc;
}

int cs_team_room(unsigned threads, int given)
{
    char what[48];
    snprintf(what, sizeof what, given ? "--threads %u" : "%u threads (the default)", threads);
    int limit = omp_get_thread_limit();
    if (limit > 0 && threads > (unsigned)limit) {
        cs_error("%s: more than OpenMP's thread limit here, %d (OMP_THREAD_LIMIT)", what, limit);
        return -1;
    }
    char why[256];
    unsigned room = cs_thread_room(threads, why, sizeof why);
    if (room < threads) {
        cs_error("%s: only %u threads could be started here (%s)", what, room, why);
        return -1;
    }
    return 0;
}
