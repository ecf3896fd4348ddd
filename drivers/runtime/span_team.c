/* The fixed tree's combines replayed by cs_team_tree's rules (omp_team.c) on p simulated threads.
 *
 * What the team does with p threads, and so what this replays:
 *  - task_depth is the smallest d with 2^d >= 8p (0 when p == 1). A node at
 *    depth >= task_depth, or over <= 2 items, is the root of a unit: one
 *    thread combines the whole subtree serially, unhelped (cs_tree_combine),
 *    so here a unit is one block of its combines' summed seconds, helped
 *    chains included: their parts ran on that thread too.
 *  - Units are taken from the last to the first by whichever thread is free.
 *  - A node above the units (the top) is combined by the thread that
 *    delivers its second child, at once, and that thread climbs on; the
 *    thread that delivers the first goes for the next unit.
 *  - A top combine is helped only if, when it starts, every unit has been
 *    taken: then its chain runs as recorded, its segments on its thread, each
 *    run() call's parts on that thread and on threads with nothing left to
 *    do. Otherwise it is one block on its thread.
 * Simplifications: a thread that owns a helped combine runs only its own
 * parts while it waits for them (libgomp's taskgroup end does likewise);
 * ties in time go to the lower thread number.
 */
#include "span_team.h"

#include <stdlib.h>

#include "kernel.h"
#include "tree.h"

#define NONE UINT32_MAX

static double seconds(const cs_task *t)
{
    return t->end > t->start ? t->end - t->start : 0.0;
}

/* ---- the chains: which combine each part and segment belongs to ------------------------ */

struct chains {
    uint32_t *head;  /* per task: the combine that starts its chain; NONE for items */
    uint32_t *next;  /* per task: the chain's next task in graph order; NONE at its end */
    uint32_t *last;  /* per chain head: its last task (what the parent depends on) */
    double *sum;     /* per chain head: the chain's seconds */
    uint64_t *lo, *hi; /* per chain head: the tree node it combines */
    uint32_t count;  /* chains */
};

static void chains_free(struct chains *c)
{
    free(c->head), free(c->next), free(c->last), free(c->sum), free(c->lo), free(c->hi);
}

/* The node a combine's dependency completes: an item, or the end of a child chain. */
static int dep_node(const cs_graph *g, const struct chains *c, uint32_t d, uint64_t *lo,
                    uint64_t *hi)
{
    if (d < g->items) {
        *lo = d, *hi = d + 1;
        return 0;
    }
    uint32_t h = c->head[d];
    if (h == NONE || c->last[h] != d)
        return -1;
    *lo = c->lo[h], *hi = c->hi[h];
    return 0;
}

/* A combine starts a chain over the node its two children make. */
static int add_combine(const cs_graph *g, struct chains *c, uint32_t i)
{
    const cs_task *t = &g->task[i];
    uint64_t llo, lhi, rlo, rhi;
    if (t->deps != 2 || dep_node(g, c, g->dep[t->dep_at], &llo, &lhi) != 0 ||
        dep_node(g, c, g->dep[t->dep_at + 1], &rlo, &rhi) != 0 || lhi != rlo)
        return -1;
    c->head[i] = c->last[i] = i;
    c->sum[i] = seconds(t);
    c->lo[i] = llo, c->hi[i] = rhi;
    c->count++;
    return 0;
}

/* A part (on its segment) or a segment (on its parts) joins its first dependency's chain. */
static int add_link(const cs_graph *g, struct chains *c, uint32_t i)
{
    const cs_task *t = &g->task[i];
    if (!t->deps)
        return -1;
    uint32_t d = g->dep[t->dep_at];
    uint32_t h = d < g->items ? NONE : c->head[d];
    if (h == NONE)
        return -1;
    c->head[i] = h;
    c->next[c->last[h]] = i;
    c->last[h] = i;
    c->sum[h] += seconds(t);
    return 0;
}

/* Returns 0, 1 when the tasks are not the fixed tree's chains, -1 out of memory. */
static int chains_of(const cs_graph *g, struct chains *c)
{
    size_t n = g->count + 1;
    c->head = malloc(n * sizeof *c->head);
    c->next = malloc(n * sizeof *c->next);
    c->last = malloc(n * sizeof *c->last);
    c->sum = calloc(n, sizeof *c->sum);
    c->lo = calloc(n, sizeof *c->lo);
    c->hi = calloc(n, sizeof *c->hi);
    c->count = 0;
    if (!c->head || !c->next || !c->last || !c->sum || !c->lo || !c->hi)
        return -1;
    for (uint32_t i = 0; i < g->count; i++)
        c->head[i] = c->next[i] = c->last[i] = NONE;
    for (uint32_t i = (uint32_t)g->items; i < g->count; i++) {
        enum cs_task_kind k = g->task[i].kind;
        int rc = k == CS_TASK_COMBINE                         ? add_combine(g, c, i)
                 : k == CS_TASK_PART || k == CS_TASK_SEGMENT ? add_link(g, c, i)
                                                              : -1;
        if (rc != 0)
            return 1;
    }
    /* One combine per node of a binary tree over the items. */
    return c->count == (g->items ? g->items - 1 : 0) ? 0 : 1;
}

/* ---- the plan: cs_team_tree's plan_top for p threads ----------------------------------- */

struct top_node {
    uint64_t lo, hi;
    int parent;     /* -1 at the root */
    int child[2];   /* >= 0 a top node, < 0 unit -child - 1 */
    uint32_t chain; /* the chain that combines it */
    unsigned arrived;
};

struct top_unit {
    uint64_t lo, hi;
    int parent;
    double block; /* its combines' seconds, run back to back by one thread */
};

struct plan {
    struct top_node *node;
    struct top_unit *unit;
    unsigned nodes, units, task_depth;
    int root; /* as child[] */
};

/* Nodes above task_depth and the units below them, left to right; returns the reference. */
static int plan_top(struct plan *pl, uint64_t lo, uint64_t hi, unsigned depth, int parent)
{
    if (hi - lo <= 2 || depth >= pl->task_depth) {
        pl->unit[pl->units] = (struct top_unit){lo, hi, parent, 0.0};
        return -(int)pl->units++ - 1;
    }
    int me = (int)pl->nodes++;
    pl->node[me] = (struct top_node){lo, hi, parent, {0, 0}, NONE, 0};
    uint64_t mid = cs_tree_mid(lo, hi);
    int left = plan_top(pl, lo, mid, depth + 1, me);
    int right = plan_top(pl, mid, hi, depth + 1, me);
    pl->node[me].child[0] = left, pl->node[me].child[1] = right;
    return me;
}

/* A chain to the top node it is, or into the block of the unit it is inside. */
static int place_chain(struct plan *pl, const struct chains *c, uint32_t h)
{
    uint64_t lo = c->lo[h], hi = c->hi[h];
    int at = pl->root;
    while (at >= 0) {
        struct top_node *nd = &pl->node[at];
        if (nd->lo == lo && nd->hi == hi) {
            if (nd->chain != NONE)
                return -1;
            nd->chain = h;
            return 0;
        }
        at = nd->child[lo >= cs_tree_mid(nd->lo, nd->hi)];
    }
    struct top_unit *u = &pl->unit[-at - 1];
    if (lo < u->lo || hi > u->hi)
        return -1;
    u->block += c->sum[h];
    return 0;
}

/* Returns 0, 1 when a chain is no node of the tree, -1 out of memory. */
static int plan_of(const cs_graph *g, const struct chains *c, unsigned p, struct plan *pl)
{
    pl->task_depth = cs_tree_unit_depth(p);
    /* A tree of n leaves has n - 1 inner nodes and at most n units. */
    size_t cap = (size_t)g->items + 1;
    pl->node = malloc(cap * sizeof *pl->node);
    pl->unit = malloc(cap * sizeof *pl->unit);
    pl->nodes = pl->units = 0;
    if (!pl->node || !pl->unit)
        return -1;
    pl->root = plan_top(pl, 0, g->items, 0, -1);
    for (uint32_t i = (uint32_t)g->items; i < g->count; i++)
        if (c->head[i] == i && place_chain(pl, c, i) != 0)
            return 1;
    /* n - 1 combines may still miss a top node and cover another twice (a
     * file that was edited, or another driver's): every top node needs its own */
    for (unsigned k = 0; k < pl->nodes; k++)
        if (pl->node[k].chain == NONE)
            return 1;
    return 0;
}

/* ---- the simulation ---------------------------------------------------------------------- */

enum thread_state {
    T_TAKE,    /* at free_at: takes the next unit */
    T_UNIT,    /* runs unit `arg`; then delivers it */
    T_BLOCK,   /* runs top node `arg` unhelped; then delivers it */
    T_SEGMENT, /* runs a segment of chain `arg`; then forks its parts or delivers */
    T_WAIT,    /* waits for the parts of chain `arg`, running them too */
    T_IDLE,    /* nothing left: runs any chain's parts */
};

struct thread {
    double free_at;
    enum thread_state state;
    uint32_t arg;
};

struct sim {
    const cs_graph *g;
    const struct chains *c;
    struct plan *pl;
    unsigned p, next_unit;
    struct thread *t;
    /* per chain head, while helped: */
    uint32_t *cursor;  /* the segment running, or the next part to hand out */
    uint32_t *node_of; /* its top node */
    unsigned *owner;   /* the thread running its segments */
    double *ready, *phase_end; /* the open fork's parts: ready from, done by */
    uint32_t *open;    /* chains with parts not yet handed out */
    unsigned open_n;
    double finish;
};

static void busy_until(struct sim *s, unsigned w, double end, enum thread_state st, uint32_t arg)
{
    s->t[w].free_at = end;
    s->t[w].state = st;
    s->t[w].arg = arg;
    s->finish = end > s->finish ? end : s->finish;
}

/* run_units: the last unit not yet taken, or nothing left to take. */
static void take_unit(struct sim *s, unsigned w)
{
    if (s->next_unit >= s->pl->units) {
        s->t[w].state = T_IDLE;
        return;
    }
    uint32_t u = s->pl->units - 1 - s->next_unit++;
    busy_until(s, w, s->t[w].free_at + s->pl->unit[u].block, T_UNIT, u);
}

static void run_segment(struct sim *s, unsigned w, uint32_t h, uint32_t seg, double start)
{
    s->cursor[h] = seg;
    s->owner[h] = w;
    busy_until(s, w, start + seconds(&s->g->task[seg]), T_SEGMENT, h);
}

/* climb's rule: helped only once every unit is taken, else one block here. */
static void start_combine(struct sim *s, unsigned w, int node)
{
    uint32_t h = s->pl->node[node].chain;
    if (s->next_unit >= s->pl->units) {
        s->node_of[h] = (uint32_t)node;
        run_segment(s, w, h, h, s->t[w].free_at);
    } else {
        busy_until(s, w, s->t[w].free_at + s->c->sum[h], T_BLOCK, (uint32_t)node);
    }
}

/* A partial reaches `parent`: the second one's thread combines it, the first's takes a unit. */
static void deliver(struct sim *s, unsigned w, int parent)
{
    if (parent < 0 || s->pl->node[parent].arrived++ == 0)
        take_unit(s, w);
    else
        start_combine(s, w, parent);
}

/* A segment ended: fork the parts after it, or the next segment, or the chain is done. */
static void segment_done(struct sim *s, unsigned w)
{
    uint32_t h = s->t[w].arg, next = s->c->next[s->cursor[h]];
    if (next == NONE) {
        deliver(s, w, s->pl->node[s->node_of[h]].parent);
    } else if (s->g->task[next].kind != CS_TASK_PART) {
        run_segment(s, w, h, next, s->t[w].free_at);
    } else {
        s->cursor[h] = next;
        s->ready[h] = s->phase_end[h] = s->t[w].free_at;
        s->open[s->open_n++] = h;
        s->t[w].state = T_WAIT;
    }
}

/* The thread's next step at free_at. */
static void act(struct sim *s, unsigned w)
{
    switch (s->t[w].state) {
    case T_TAKE:
        take_unit(s, w);
        break;
    case T_UNIT:
        deliver(s, w, s->pl->unit[s->t[w].arg].parent);
        break;
    case T_BLOCK:
        deliver(s, w, s->pl->node[s->t[w].arg].parent);
        break;
    case T_SEGMENT:
        segment_done(s, w);
        break;
    default:
        break;
    }
}

static int has_step(enum thread_state st)
{
    return st == T_TAKE || st == T_UNIT || st == T_BLOCK || st == T_SEGMENT;
}

/* The thread whose next step comes first (lowest number on ties), or -1. */
static int next_step(const struct sim *s)
{
    int best = -1;
    for (unsigned w = 0; w < s->p; w++)
        if (has_step(s->t[w].state) && (best < 0 || s->t[w].free_at < s->t[best].free_at))
            best = (int)w;
    return best;
}

static double later(double a, double b)
{
    return a > b ? a : b;
}

/* The part that can start first, and where: any open chain's on an idle thread (the
 * earliest-ready chain on the thread free first is the best such pair), or a waiting
 * owner's own. Returns 0 when no part can be handed out. */
static int next_part(const struct sim *s, uint32_t *chain, unsigned *thread, double *start)
{
    int found = 0;
    uint32_t first = NONE;
    for (unsigned k = 0; k < s->open_n; k++) {
        uint32_t h = s->open[k];
        if (first == NONE || s->ready[h] < s->ready[first] ||
            (s->ready[h] == s->ready[first] && h < first))
            first = h;
    }
    if (first == NONE)
        return 0;
    for (unsigned w = 0; w < s->p; w++) {
        const struct thread *t = &s->t[w];
        uint32_t h = t->state == T_IDLE ? first : t->state == T_WAIT ? t->arg : NONE;
        if (h == NONE)
            continue;
        double at = later(s->ready[h], t->free_at);
        if (!found || at < *start)
            found = 1, *chain = h, *thread = w, *start = at;
    }
    return found;
}

static void close_fork(struct sim *s, uint32_t h);

static void hand_out(struct sim *s, uint32_t h, unsigned w, double start)
{
    uint32_t part = s->cursor[h];
    double end = start + seconds(&s->g->task[part]);
    busy_until(s, w, end, s->t[w].state, s->t[w].arg);
    s->phase_end[h] = later(s->phase_end[h], end);
    s->cursor[h] = s->c->next[part];
    if (s->cursor[h] == NONE || s->g->task[s->cursor[h]].kind != CS_TASK_PART)
        close_fork(s, h);
}

/* Every part of the fork is handed out: the owner's next segment follows the last one's end. */
static void close_fork(struct sim *s, uint32_t h)
{
    for (unsigned k = 0; k < s->open_n; k++)
        if (s->open[k] == h) {
            s->open[k] = s->open[--s->open_n];
            break;
        }
    unsigned o = s->owner[h];
    double start = later(s->phase_end[h], s->t[o].free_at);
    if (s->cursor[h] != NONE)
        run_segment(s, o, h, s->cursor[h], start);
    else /* a chain that ends on parts: done when they are */
        busy_until(s, o, start, T_BLOCK, s->node_of[h]);
}

/* Steps and parts in time order (a step first on ties: it may free a thread for parts). */
static int simulate(struct sim *s)
{
    for (;;) {
        int w = next_step(s);
        uint32_t h = NONE;
        unsigned pw = 0;
        double at = 0;
        int part = next_part(s, &h, &pw, &at);
        if (w < 0 && !part)
            break;
        if (w >= 0 && (!part || s->t[w].free_at <= at))
            act(s, (unsigned)w);
        else
            hand_out(s, h, pw, at);
    }
    for (unsigned w = 0; w < s->p; w++)
        if (s->t[w].state != T_IDLE)
            return -1;
    return 0;
}

static double run_plan(const cs_graph *g, const struct chains *c, struct plan *pl, unsigned p,
                       double barrier)
{
    size_t n = g->count + 1;
    struct sim s = {.g = g, .c = c, .pl = pl, .p = p, .finish = barrier};
    s.t = malloc(p * sizeof *s.t);
    s.cursor = malloc(n * sizeof *s.cursor);
    s.node_of = malloc(n * sizeof *s.node_of);
    s.owner = malloc(n * sizeof *s.owner);
    s.ready = malloc(n * sizeof *s.ready);
    s.phase_end = malloc(n * sizeof *s.phase_end);
    s.open = malloc(n * sizeof *s.open);
    double result = -1;
    if (s.t && s.cursor && s.node_of && s.owner && s.ready && s.phase_end && s.open) {
        for (unsigned w = 0; w < p; w++)
            s.t[w] = (struct thread){barrier, T_TAKE, 0};
        result = simulate(&s) == 0 ? s.finish : -1;
    }
    free(s.t), free(s.cursor), free(s.node_of), free(s.owner), free(s.ready), free(s.phase_end);
    free(s.open);
    return result;
}

double cs_span_team_replay(const cs_graph *g, unsigned p, double barrier)
{
    if (p == 0 || g->items > g->count)
        return -1;
    struct chains c = {0};
    struct plan pl = {0};
    int rc = chains_of(g, &c);
    if (rc == 0)
        rc = plan_of(g, &c, p, &pl);
    double result = rc < 0 ? -1 : rc > 0 ? CS_SPAN_NOT_TREE : run_plan(g, &c, &pl, p, barrier);
    chains_free(&c);
    free(pl.node), free(pl.unit);
    return result;
}
