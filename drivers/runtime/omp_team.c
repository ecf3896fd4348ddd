/* OpenMP threads over items and over the fixed tree, each thread pinned and checked. */
#include "omp_team.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "tree.h"

uint64_t cs_static_start(uint64_t items, unsigned workers, unsigned w)
{
    return (uint64_t)((unsigned __int128)items * w / workers);
}

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

uint64_t cs_guided_share(uint64_t left, unsigned workers)
{
    uint64_t share = left / (2 * (uint64_t)workers);
    return share ? share : 1;
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
                int rc = k->item_run(p, i, &leaves[i], &mine);
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

struct tree_job {
    const cs_kernel *k;
    const cs_problem *p;
    cs_partial **leaves;
    unsigned task_depth; /* nodes at this depth or deeper combine serially */
    struct first_error f;
};

static int tree_node(struct tree_job *j, uint64_t lo, uint64_t hi, unsigned depth,
                     cs_partial **out)
{
    cs_err mine = {{0}};
    int rc;
    if (hi - lo <= 2 || depth >= j->task_depth) {
        rc = cs_tree_combine(j->k, j->p, j->leaves, lo, hi, out, &mine);
        if (rc != CS_OK)
            keep_error(&j->f, rc, &mine);
        return rc;
    }
    uint64_t mid = cs_tree_mid(lo, hi);
    cs_partial *left = NULL, *right = NULL;
    int left_rc = CS_OK;
#pragma omp task default(none) shared(left, left_rc) firstprivate(j, lo, mid, depth)
    left_rc = tree_node(j, lo, mid, depth + 1, &left);
    int right_rc = tree_node(j, mid, hi, depth + 1, &right);
#pragma omp taskwait
    if (left_rc != CS_OK || right_rc != CS_OK) {
        if (left)
            j->k->partial_free(left);
        if (right)
            j->k->partial_free(right);
        return left_rc != CS_OK ? left_rc : right_rc;
    }
    rc = j->k->combine(j->p, left, right, out, &mine);
    if (rc != CS_OK)
        keep_error(&j->f, rc, &mine);
    return rc;
}

int cs_team_tree(const cs_team *t, const cs_kernel *k, const cs_problem *p, cs_partial **leaves,
                 const uint64_t *lo, const uint64_t *hi, unsigned count, cs_partial **out,
                 cs_err *err)
{
    struct tree_job j = {k, p, leaves, 0, {CS_OK, {{0}}}};
    /* About eight tasks per thread: enough to balance, few enough to be cheap. */
    while (t->threads > 1 && (1u << j.task_depth) < 8 * t->threads)
        j.task_depth++;
    for (unsigned i = 0; i < count; i++)
        out[i] = NULL;
#pragma omp parallel num_threads(t->threads)
    {
        if (t->pin)
            cs_pin_bind_self(t->pin, (unsigned)omp_get_thread_num());
#pragma omp single
        for (unsigned i = 0; i < count; i++) {
#pragma omp task default(none) shared(j, out) firstprivate(i, lo, hi)
            tree_node(&j, lo[i], hi[i], 0, &out[i]);
        }
    }
    if (j.f.rc != CS_OK) {
        for (unsigned i = 0; i < count; i++)
            if (out[i])
                k->partial_free(out[i]);
        *err = j.f.err;
    }
    return j.f.rc;
}
