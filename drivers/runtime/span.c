/* Work, span and a list-scheduling replay of a recorded task graph. */
#include "span.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bignum_impl.h"
#include "handout.h"
#include "span_team.h"
#include "tree.h"

static const char *const kind_names[CS_TASK_KINDS] = {
    "item", "combine", "part", "segment", "split", "join", "send", "recv",
};

const char *cs_task_kind_name(enum cs_task_kind k)
{
    return (unsigned)k < CS_TASK_KINDS ? kind_names[k] : "?";
}

int cs_task_kind_parse(const char *name)
{
    for (int k = 0; k < CS_TASK_KINDS; k++)
        if (strcmp(name, kind_names[k]) == 0)
            return k;
    return -1;
}

int cs_task_is_work(enum cs_task_kind k)
{
    return k != CS_TASK_SEND && k != CS_TASK_RECV;
}

void cs_graph_free(cs_graph *g)
{
    free(g->task);
    free(g->dep);
    g->task = NULL;
    g->dep = NULL;
    g->count = g->dep_count = 0;
}

static double duration(const cs_task *t)
{
    return t->end > t->start ? t->end - t->start : 0.0;
}

static double message_cost(const cs_message_model *m, uint64_t bytes)
{
    return m->latency_s + (double)bytes / m->bandwidth;
}

/* ---- the message model ---------------------------------------------------------------- */

cs_message_model cs_message_fit(const cs_graph *g)
{
    cs_message_model m = {CS_DEFAULT_LATENCY_S, CS_DEFAULT_BANDWIDTH, 0};
    double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0, xmin = INFINITY, xmax = -INFINITY;
    for (uint32_t i = 0; i < g->count; i++) {
        const cs_task *r = &g->task[i];
        if (r->kind != CS_TASK_RECV || r->deps != 1)
            continue;
        const cs_task *s = &g->task[g->dep[r->dep_at]];
        if (s->kind != CS_TASK_SEND)
            continue;
        double ready = s->start > r->start ? s->start : r->start;
        double x = (double)r->bytes, y = r->end > ready ? r->end - ready : 0.0;
        n++, sx += x, sy += y, sxx += x * x, sxy += x * y;
        xmin = x < xmin ? x : xmin;
        xmax = x > xmax ? x : xmax;
    }
    if (n < 2 || xmax <= xmin)
        return m;
    double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    double intercept = (sy - slope * sx) / n;
    if (slope <= 0) { /* size does not show: a constant cost */
        slope = 0;
        intercept = sy / n;
    } else if (intercept < 0) { /* through the origin instead */
        intercept = 0;
        slope = sxy / sxx;
    }
    m.latency_s = intercept;
    m.bandwidth = slope > 0 ? 1.0 / slope : 1e30;
    m.fitted_from = (unsigned)n;
    return m;
}

/* ---- the exchanges of a node its ranks multiply together ---------------------------------
 *
 * A profile records on each combine (its first segment) the bytes of its operands. A one-rank
 * profile replayed at p ranks spreads a node whose items would run on g >= 2 of them over
 * those ranks, as mpi_tree.c's groups do (bignum_mul_group); what they would exchange is
 * charged by the model: bignum says which way g ranks take for the product and the words its
 * busiest rank receives in how many exchanges (bn_group_words, with each way's terms), the
 * operands taken as halves (a node of the fixed tree) held evenly. The seconds: exchanges x
 * latency + 8 words / bandwidth. Left out: products too small to share (member 0 makes them
 * alone) and products beyond one transform (by slices).
 */
double cs_group_exchange_s(const cs_message_model *m, unsigned g, uint64_t operand_bytes)
{
    if (g < 2 || operand_bytes == 0)
        return 0.0;
    size_t L = (size_t)(operand_bytes / 8), half = L / 2;
    unsigned exchanges = 0;
    double words = bn_group_words(g, L - half, half, &exchanges);
    return exchanges * m->latency_s + 8 * words / m->bandwidth;
}

/* ---- work and span ---------------------------------------------------------------------- */

int cs_span_stats_of(const cs_graph *g, const cs_message_model *m, cs_span_stats *out)
{
    memset(out, 0, sizeof *out);
    /* finish[i]: task i's end on the longest chain, messages costed; bare[i] without them */
    double *finish = malloc(2 * (g->count ? g->count : 1) * sizeof *finish);
    if (!finish)
        return -1;
    double *bare = finish + (g->count ? g->count : 1);
    int rc = 0;
    for (uint32_t i = 0; i < g->count; i++) {
        const cs_task *t = &g->task[i];
        double before = 0, bare_before = 0, cost;
        for (uint32_t d = 0; d < t->deps; d++) {
            uint32_t j = g->dep[t->dep_at + d];
            if (j >= i) {
                rc = -1;
                continue;
            }
            before = finish[j] > before ? finish[j] : before;
            bare_before = bare[j] > bare_before ? bare[j] : bare_before;
        }
        if (cs_task_is_work(t->kind)) {
            cost = duration(t);
            out->work_s += cost;
            if (i >= g->items)
                out->tree_work_s += cost;
        } else {
            /* A message is an edge: the recv carries its cost, the send none. */
            cost = t->kind == CS_TASK_RECV ? message_cost(m, t->bytes) : 0.0;
        }
        finish[i] = before + cost;
        bare[i] = bare_before + (cs_task_is_work(t->kind) ? cost : 0.0);
        out->span_s = finish[i] > out->span_s ? finish[i] : out->span_s;
        out->compute_span_s = bare[i] > out->compute_span_s ? bare[i] : out->compute_span_s;
        out->counts[t->kind < CS_TASK_KINDS ? t->kind : 0]++;
    }
    free(finish);
    return rc;
}

/* ---- the replay --------------------------------------------------------------------------
 *
 * The drivers' rules, as far as a model can follow them:
 *  - Items first, as every driver runs them (a barrier ends the items before
 *    the tree starts): --schedule static gives worker w the block
 *    [cs_static_start(w), cs_static_start(w + 1)) for the simulated p; dynamic runs
 *    its own block front to back, then takes single items from the other
 *    blocks, the next worker's first (cs_owned_next); guided hands a shrinking
 *    share of what is left, in index order, to whichever worker is free first.
 *    cpu_serial has no schedule: it replays as dynamic, the parallel drivers'
 *    default. Those are the threads' rules (omp_team.c); cpu_mpi and cpu_hybrid
 *    under dynamic and guided follow rank 0's hand-out instead (handout_items:
 *    blocks per rank, stolen from a block's back), since which rank ran an item
 *    decides which nodes its ranks share.
 *  - cpu_omp and cpu_serial profiles replay as one process (p threads, no
 *    message costs), their combines as cs_team_tree would run them with p
 *    threads (span_team.c): below a depth that gives each thread about eight
 *    subtrees, a subtree ("unit") is combined serially by the thread that
 *    takes it, its helped combines' parts and all, units taken from the
 *    last; a combine above them runs on the thread that brings its second
 *    child, its parts spread over idle threads only if every unit was taken
 *    when it started, else whole on that thread. A graph whose combines are
 *    not one per node of the fixed tree (hand-made ones) replays greedily,
 *    as the next rule says, on one rank.
 *  - cpu_mpi and cpu_hybrid profiles replay every other compute task
 *    greedily: the ready task that can start first goes to the worker free
 *    first, a task being ready when all it depends on is done (a combine:
 *    both children; a part: the segment before it; a segment: every part
 *    before it), so any combine's parts run on any free worker of its rank:
 *    no units, an optimistic reading of cs_team_tree inside each rank. The
 *    workers are ranks of the layout's threads (cs_layout: the recorded
 *    threads per rank unless it says); a tree task runs on
 *    the rank of its first dependency (a combine where its left child is, as
 *    cs_mpi_tree_combine does), except that the parts of a node whose items
 *    ran on several ranks are dealt to those ranks for even shares of each
 *    round's seconds, as the ranks of such a node multiply it together (its
 *    group, mpi_tree.c; for up to 64 ranks) and meet at every exchange
 *    (deal_round); items a thief took go home first (send_home). A profile
 *    from one rank, whose top combines are cut into hundreds of parts, so
 *    predicts ranks sharing them in even shares, without the exchanges'
 *    extra passes (--group-cost prices those), but with the exchanges
 *    themselves charged by the message model ahead of the node's work (the
 *    words bignum's bn_group_words gives for the way taken); one from P ranks keeps the
 *    P shares each group had, their exchanges in their times. A dependency
 *    from another rank costs
 *    latency + bytes / bandwidth, the bytes being those of the message that
 *    carried it in the recorded run (0 when it crossed no rank there).
 *    A rank of one thread multiplies the nodes it holds alone unhelped
 *    (cs_team_combine_node), cheaper than the helped path every profile
 *    records: given cpu_serial's time, they cost what its combines did per
 *    recorded second (cs_span_unhelped; cs_replay_cost).
 * Left out: memory bandwidth, clock changes, caches, the hand-out's and the
 * team's own overheads, and elsewhere that an unhelped combine may run faster
 * than the recorded helped one (a team's units): the replay is what the graph
 * allows, an upper bound on speedup.
 */

struct heap {
    double *key;
    uint32_t *val;
    uint32_t n, cap;
};

static int heap_less(const struct heap *h, uint32_t a, uint32_t b)
{
    return h->key[a] < h->key[b] || (h->key[a] == h->key[b] && h->val[a] < h->val[b]);
}

static void heap_swap(struct heap *h, uint32_t a, uint32_t b)
{
    double k = h->key[a];
    uint32_t v = h->val[a];
    h->key[a] = h->key[b], h->val[a] = h->val[b];
    h->key[b] = k, h->val[b] = v;
}

static int heap_push(struct heap *h, double key, uint32_t val)
{
    if (h->n == h->cap) {
        uint32_t cap = h->cap ? 2 * h->cap : 16;
        double *k = realloc(h->key, cap * sizeof *k);
        if (!k)
            return -1;
        h->key = k;
        uint32_t *v = realloc(h->val, cap * sizeof *v);
        if (!v)
            return -1;
        h->val = v;
        h->cap = cap;
    }
    uint32_t i = h->n++;
    h->key[i] = key, h->val[i] = val;
    while (i && heap_less(h, i, (i - 1) / 2)) {
        heap_swap(h, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
    return 0;
}

static void heap_pop(struct heap *h)
{
    h->n--;
    h->key[0] = h->key[h->n], h->val[0] = h->val[h->n];
    for (uint32_t i = 0;;) {
        uint32_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->n && heap_less(h, l, m))
            m = l;
        if (r < h->n && heap_less(h, r, m))
            m = r;
        if (m == i)
            break;
        heap_swap(h, i, m);
        i = m;
    }
}

int cs_graph_has_ranks(const cs_graph *g)
{
    return strcmp(g->driver, "cpu_mpi") == 0 || strcmp(g->driver, "cpu_hybrid") == 0;
}

/* The worker free first (lowest index on ties) among [lo, hi). */
static unsigned first_free(const double *free_at, unsigned lo, unsigned hi)
{
    unsigned best = lo;
    for (unsigned w = lo + 1; w < hi; w++)
        if (free_at[w] < free_at[best])
            best = w;
    return best;
}

/* Item i on worker w, from free_at[w] on. */
static void run_item(const cs_graph *g, uint64_t i, unsigned w, double *free_at, unsigned *worker,
                     double *end)
{
    free_at[w] += duration(&g->task[i]);
    worker[i] = w, end[i] = free_at[w];
}

/* Rank 0's hand-out (mpi_handout.c) for dynamic and guided across ranks of per_rank
 * workers, its messages taking no time, by its own rules (handout.h): blocks per rank,
 * a thief taking a block's tail. Rank 0's workers take from the pool themselves; another
 * rank keeps a queue of grants, which its workers take one item at a time, and before each
 * item it asks for one more grant while fewer than CS_HANDOUT_DEPTH items a worker wait and
 * fewer than CS_HANDOUT_RING grants are queued, as its pump does. Left out: that only a
 * rank's first thread asks, and only between rank 0's own items. Returns the barrier, or
 * -1 out of memory. */
struct handout {
    unsigned p, per_rank, ranks;
    int guided;
    uint64_t left;
    uint64_t *own_lo, *own_hi;   /* per rank: what is left of its block */
    uint64_t *ring;              /* per rank: CS_HANDOUT_RING grants, lo and hi */
    unsigned *head, *count;      /* per rank: its ring's first grant and how many */
    uint64_t *queued;            /* per rank: items in its ring */
};

/* One grant for rank r out of what is left: [*lo, *hi). Rank 0 wants none in advance. */
static void grant(struct handout *h, unsigned r, uint64_t *lo, uint64_t *hi)
{
    uint64_t wanted = r == 0 ? 0 : (uint64_t)CS_HANDOUT_DEPTH * h->per_rank;
    uint64_t take = cs_handout_take(h->guided, h->left, wanted, h->p, h->per_rank);
    cs_handout_cut(h->own_lo, h->own_hi, h->ranks, r, take, lo, hi);
    h->left -= *hi - *lo;
}

/* Rank r (not 0) asks once, if its queue is short: a grant onto its ring. */
static void pump(struct handout *h, unsigned r)
{
    if (!h->left || h->count[r] == CS_HANDOUT_RING ||
        h->queued[r] >= (uint64_t)CS_HANDOUT_DEPTH * h->per_rank)
        return;
    uint64_t *slot = h->ring + 2 * ((size_t)r * CS_HANDOUT_RING +
                                    (h->head[r] + h->count[r]) % CS_HANDOUT_RING);
    grant(h, r, &slot[0], &slot[1]);
    h->count[r]++;
    h->queued[r] += slot[1] - slot[0];
}

static double handout_items(const cs_graph *g, unsigned p, unsigned per_rank, double *free_at,
                            unsigned *worker, double *end)
{
    unsigned ranks = (p + per_rank - 1) / per_rank;
    struct handout h = {p, per_rank, ranks, strcmp(g->schedule, "guided") == 0, g->items,
                        malloc(ranks * sizeof *h.own_lo), malloc(ranks * sizeof *h.own_hi),
                        calloc(2 * (size_t)ranks * CS_HANDOUT_RING, sizeof *h.ring),
                        calloc(ranks, sizeof *h.head), calloc(ranks, sizeof *h.count),
                        calloc(ranks, sizeof *h.queued)};
    double *next = malloc(p * sizeof *next); /* when each worker asks next; INFINITY: done */
    double barrier = -1;
    if (!h.own_lo || !h.own_hi || !h.ring || !h.head || !h.count || !h.queued || !next)
        goto out;
    for (unsigned r = 0; r < ranks; r++) {
        h.own_lo[r] = cs_static_start(g->items, ranks, r);
        h.own_hi[r] = cs_static_start(g->items, ranks, r + 1);
    }
    for (unsigned w = 0; w < p; w++)
        next[w] = free_at[w];
    for (;;) {
        unsigned w = first_free(next, 0, p), r = w / per_rank;
        if (next[w] == INFINITY)
            break;
        uint64_t lo, hi;
        if (r == 0) { /* rank 0's threads take from the pool itself */
            if (!h.left) {
                next[w] = INFINITY;
                continue;
            }
            grant(&h, 0, &lo, &hi);
        } else {
            pump(&h, r);
            if (!h.count[r]) {
                next[w] = INFINITY;
                continue;
            }
            uint64_t *first = h.ring + 2 * ((size_t)r * CS_HANDOUT_RING + h.head[r]);
            lo = first[0]++;
            hi = lo + 1;
            h.queued[r]--;
            if (first[0] == first[1])
                h.head[r] = (h.head[r] + 1) % CS_HANDOUT_RING, h.count[r]--;
        }
        for (uint64_t i = lo; i < hi; i++)
            run_item(g, i, w, free_at, worker, end);
        next[w] = free_at[w];
    }
    barrier = 0;
    for (unsigned w = 0; w < p; w++)
        barrier = free_at[w] > barrier ? free_at[w] : barrier;
out:
    free(h.own_lo), free(h.own_hi), free(h.ring), free(h.head), free(h.count), free(h.queued);
    free(next);
    return barrier;
}

/* Items under the schedule: item_worker and end for tasks 0..items-1; per_rank is the
 * workers per rank of a profile of ranks, 0 for one process. Returns the barrier: when
 * the last item ends (-1 out of memory). */
static double replay_items(const cs_graph *g, unsigned p, unsigned per_rank, double *free_at,
                           unsigned *worker, double *end)
{
    uint64_t items = g->items;
    double barrier = 0;
    if (per_rank && strcmp(g->schedule, "static") != 0)
        return handout_items(g, p, per_rank, free_at, worker, end);
    if (strcmp(g->schedule, "static") == 0) {
        for (unsigned w = 0; w < p; w++) {
            uint64_t last = cs_static_start(items, p, w + 1);
            for (uint64_t i = cs_static_start(items, p, w); i < last; i++) {
                free_at[w] += duration(&g->task[i]);
                worker[i] = w, end[i] = free_at[w];
            }
        }
    } else if (strcmp(g->schedule, "guided") == 0) {
        for (uint64_t next = 0; next < items;) {
            unsigned w = first_free(free_at, 0, p);
            uint64_t take = cs_guided_share(items - next, p);
            for (uint64_t i = next; i < next + take; i++) {
                free_at[w] += duration(&g->task[i]);
                worker[i] = w, end[i] = free_at[w];
            }
            next += take;
        }
    } else { /* dynamic, and cpu_serial's none */
        uint64_t *next = malloc(p * sizeof *next);
        if (!next)
            return -1;
        for (unsigned t = 0; t < p; t++)
            next[t] = cs_static_start(items, p, t);
        for (uint64_t left = items; left; left--) {
            unsigned w = first_free(free_at, 0, p);
            uint64_t i = items;
            for (unsigned k = 0; k < p && i == items; k++) {
                unsigned t = (w + k) % p;
                if (next[t] < cs_static_start(items, p, t + 1))
                    i = next[t]++;
            }
            free_at[w] += duration(&g->task[i]);
            worker[i] = w, end[i] = free_at[w];
        }
        free(next);
    }
    for (unsigned w = 0; w < p; w++)
        barrier = free_at[w] > barrier ? free_at[w] : barrier;
    return barrier;
}

/* What task i really waits for: messages contracted to their producers. */
struct edge {
    uint32_t from;
    uint64_t bytes;
};

static int producer_of(const cs_graph *g, uint32_t j, struct edge *e)
{
    uint64_t bytes = 0;
    while (!cs_task_is_work(g->task[j].kind)) {
        const cs_task *t = &g->task[j];
        if (t->deps < 1)
            return 0;
        if (t->kind == CS_TASK_RECV)
            bytes = t->bytes;
        j = g->dep[t->dep_at];
    }
    e->from = j;
    e->bytes = bytes;
    return 1;
}

struct replay {
    const cs_graph *g;
    const cs_message_model *m;
    const cs_group_cost *shared; /* NULL: a shared node costs its parts' time */
    double unhelped;             /* a node a rank of one thread holds alone, per recorded
                                    second (layout_unhelped) */
    unsigned p, per_rank, ranks;
    double *free_at, *end;
    unsigned *worker;
    struct edge *edges;  /* per task: its contracted dependencies */
    uint32_t *edge_at, *edge_n;
    uint32_t *succ, *succ_at, *pending;
    struct heap *ready;  /* per rank */
    unsigned *rank_of;   /* per task, once ready */
    uint64_t *group;     /* per task, once ready: the ranks below it (ranks < 64) */
    unsigned *dealt_to;  /* per task: the rank a shared round's part goes to (deal_round) */
};

static unsigned rank_of_worker(const struct replay *r, unsigned w)
{
    return w / r->per_rank;
}

/* A rank's workers: per_rank, but for a short last rank (p not a multiple of per_rank). */
static unsigned rank_workers(const struct replay *r, unsigned rank)
{
    unsigned first = rank * r->per_rank;
    return r->p - first < r->per_rank ? r->p - first : r->per_rank;
}

double cs_group_cost_factor(const cs_group_cost *c, unsigned g)
{
    double f = 1.0;
    for (unsigned k = 0; c && g >= 2 && k < c->count && c->ranks[k] <= g; k++)
        f = c->factor[k];
    return f;
}

/* Whether a group (a mask of ranks) holds more than one: a node its ranks multiply together. */
static int spans_ranks(uint64_t group)
{
    return (group & (group - 1)) != 0;
}

/* Task i's seconds in the replay, once ready (its group known): a task of a node several
 * ranks share costs the ways' factor on what one rank's helped product recorded; one a
 * rank of one thread holds alone, `unhelped` times it, as that rank multiplies unhelped
 * (cs_team_combine_node). A shared node keeps the recorded time under its factor: at 2
 * ranks of product B that matched cpu_mpi's measured time, and pricing it unhelped too
 * ran ahead of it (results/README.md, "Profiles"). */
static double cost(const struct replay *r, uint32_t i)
{
    double d = duration(&r->g->task[i]);
    uint64_t group = r->group[i];
    int shared = spans_ranks(group);
    if (r->shared && shared)
        d *= cs_group_cost_factor(r->shared, (unsigned)__builtin_popcountll(group));
    if (!shared && rank_workers(r, r->rank_of[i]) == 1)
        d *= r->unhelped;
    return d;
}

/* When task i, its dependencies done, could start on `rank`: what it waits for from another
 * rank comes by message. */
static double ready_on(const struct replay *r, uint32_t i, unsigned rank, double barrier)
{
    double at = barrier;
    for (uint32_t k = 0; k < r->edge_n[i]; k++) {
        const struct edge *e = &r->edges[r->edge_at[i] + k];
        double t = r->end[e->from];
        if (rank_of_worker(r, r->worker[e->from]) != rank)
            t += message_cost(r->m, e->bytes);
        at = t > at ? t : at;
    }
    return at;
}

/* A part of a round to deal, and its seconds as recorded. */
struct dealt_part {
    double d;
    uint32_t i;
};

/* Largest first, then in the recorded order. */
static int larger_part_first(const void *x, const void *y)
{
    const struct dealt_part *a = x, *b = y;
    if (a->d != b->d)
        return a->d < b->d ? 1 : -1;
    return (a->i > b->i) - (a->i < b->i);
}

/* The ranks the parts of a node its group multiplies together go to. The ways give each
 * member a fixed, even share of every step, and the members meet at each exchange
 * (bignum_group.c): a member busy elsewhere (with a node of another group it belongs to)
 * holds the others up at the next exchange, and one that arrives early takes no more. So a
 * round's parts (those after one segment, seg) are dealt to the group's ranks, all at once,
 * for even shares of the round's seconds: largest first, each to the member that holds the
 * least of the round so far, ties in rank order from an offset the segment's id gives, so
 * that a round of fewer parts than members does not always load the lowest ranks. The parts
 * are the one-rank product's, cut for its threads, and uneven (in a round of product B's
 * root one part in eight costs three times the others): dealt in turn to four members, every
 * large one fell to the same member, a share the ways never give (--group-cost's factor, the
 * busiest member's, already holds the imbalance the ways do have). Sets dealt_to for each of
 * seg's parts not dealt before; returns 0, -1 out of memory. */
static int deal_round(struct replay *r, uint32_t seg, uint64_t group)
{
    const cs_graph *g = r->g;
    uint32_t first = r->succ_at[seg], count = r->succ_at[seg + 1] - first, n = 0;
    struct dealt_part *part = malloc((count ? count : 1) * sizeof *part);
    if (!part)
        return -1;
    for (uint32_t k = 0; k < count; k++) {
        uint32_t i = r->succ[first + k];
        /* once, though a part may name seg twice (a profile file may): twice in succ */
        if (g->task[i].kind == CS_TASK_PART && r->dealt_to[i] == UINT_MAX) {
            r->dealt_to[i] = 0; /* taken; its rank is set below */
            part[n++] = (struct dealt_part){duration(&g->task[i]), i};
        }
    }
    qsort(part, n, sizeof *part, larger_part_first);
    unsigned member[64], members = 0;
    double load[64] = {0}; /* each rank's seconds of the round */
    for (unsigned rk = 0; rk < 64; rk++)
        if (group >> rk & 1)
            member[members++] = rk;
    for (uint32_t k = 0; k < n; k++) {
        unsigned best = 0;
        for (unsigned j = 1; j < members; j++) {
            unsigned a = member[(seg + j) % members], b = member[(seg + best) % members];
            if (load[a] < load[b])
                best = j;
        }
        unsigned rk = member[(seg + best) % members];
        load[rk] += part[k].d;
        r->dealt_to[part[k].i] = rk;
    }
    free(part);
    return 0;
}

/* Task i's dependencies are all done: when and where can it start? */
static int make_ready(struct replay *r, uint32_t i, double barrier)
{
    unsigned rank = 0;
    const cs_task *task = &r->g->task[i];
    if (r->edge_n[i])
        rank = rank_of_worker(r, r->worker[r->edges[r->edge_at[i]].from]);
    /* the ranks that ran the items below it: a node's group */
    uint64_t group = 0;
    for (uint32_t k = 0; k < r->edge_n[i]; k++) {
        uint32_t from = r->edges[r->edge_at[i] + k].from;
        if (from < r->g->items) {
            unsigned rk = rank_of_worker(r, r->worker[from]);
            group |= rk < 64 ? 1ull << rk : 0;
        } else {
            group |= r->group[from];
        }
    }
    r->group[i] = group;
    if (task->kind == CS_TASK_PART && spans_ranks(group)) {
        uint32_t seg = r->edges[r->edge_at[i]].from; /* a part depends on one task */
        if (r->dealt_to[i] == UINT_MAX && seg >= r->g->items && deal_round(r, seg, group) != 0)
            return -1;
        if (r->dealt_to[i] != UINT_MAX)
            rank = r->dealt_to[i];
    }
    double at = ready_on(r, i, rank, barrier);
    /* a node its group multiplies together starts with what they exchange (the formulas
     * above), all of it ahead of its work: an exchange is a step every member waits for */
    if (task->kind == CS_TASK_COMBINE && spans_ranks(group))
        at += cs_group_exchange_s(r->m, (unsigned)__builtin_popcountll(group), task->bytes);
    r->rank_of[i] = rank;
    return heap_push(&r->ready[rank], at, i);
}

static double replay_tree(struct replay *r, double barrier)
{
    const cs_graph *g = r->g;
    uint32_t left = 0;
    double finish = barrier;
    for (uint32_t i = (uint32_t)g->items; i < g->count; i++) {
        if (!cs_task_is_work(g->task[i].kind))
            continue;
        left++;
        if (r->pending[i] == 0 && make_ready(r, i, barrier) != 0)
            return -1;
    }
    while (left) {
        int best_rank = -1;
        unsigned best_w = 0;
        double best_start = INFINITY;
        for (unsigned rk = 0; rk < r->ranks; rk++) {
            if (!r->ready[rk].n)
                continue;
            unsigned w = first_free(r->free_at, rk * r->per_rank, (rk + 1) * r->per_rank);
            double s = r->ready[rk].key[0] > r->free_at[w] ? r->ready[rk].key[0] : r->free_at[w];
            if (s < best_start)
                best_rank = (int)rk, best_w = w, best_start = s;
        }
        if (best_rank < 0)
            return -1; /* a dependency never done: not a graph in order */
        uint32_t i = r->ready[best_rank].val[0];
        heap_pop(&r->ready[best_rank]);
        r->end[i] = best_start + cost(r, i);
        r->worker[i] = best_w;
        r->free_at[best_w] = r->end[i];
        finish = r->end[i] > finish ? r->end[i] : finish;
        left--;
        for (uint32_t k = r->succ_at[i]; k < r->succ_at[i + 1]; k++) {
            uint32_t s = r->succ[k];
            if (--r->pending[s] == 0 && make_ready(r, s, barrier) != 0)
                return -1;
        }
    }
    return finish;
}

/* Stolen items go home before the tree (cs_handout_home, as mpi_tree.c sends them for
 * ranks that multiply shared nodes together; the replay treats every profile of ranks so):
 * each such item is its home rank's from its end plus a message's latency (a leaf's bytes
 * are not in the profile). Returns 0, -1 out of memory. */
static int send_home(struct replay *r)
{
    const cs_graph *g = r->g;
    /* static blocks have no thief; and replay_items lays them by worker, so with a short
     * last rank a rank's edge would lie across cs_handout_home's blocks and go "home" */
    if (!cs_graph_has_ranks(g) || r->ranks < 2 || g->items == 0 ||
        strcmp(g->schedule, "static") == 0)
        return 0;
    int *home = malloc(g->items * sizeof *home);
    if (!home)
        return -1;
    cs_handout_home(g->items, r->ranks, r->per_rank, home);
    for (uint64_t i = 0; i < g->items; i++)
        if ((unsigned)home[i] != rank_of_worker(r, r->worker[i])) {
            r->worker[i] = (unsigned)home[i] * r->per_rank;
            r->end[i] += message_cost(r->m, 0);
        }
    free(home);
    return 0;
}

static void replay_free(struct replay *r)
{
    free(r->free_at), free(r->end), free(r->worker), free(r->edges), free(r->edge_at);
    free(r->edge_n), free(r->succ), free(r->succ_at), free(r->pending), free(r->rank_of);
    free(r->group), free(r->dealt_to);
    if (r->ready)
        for (unsigned k = 0; k < r->ranks; k++)
            free(r->ready[k].key), free(r->ready[k].val);
    free(r->ready);
}

void cs_layout_format(cs_layout l, char *buf, size_t size)
{
    if (l.threads)
        snprintf(buf, size, "%ux%u", l.workers / l.threads, l.threads);
    else
        snprintf(buf, size, "%u", l.workers);
}

double cs_span_replay(const cs_graph *g, const cs_message_model *m, unsigned p)
{
    return cs_span_replay_layout(g, m, (cs_layout){p, 0}, NULL);
}

double cs_span_unhelped(const cs_span_stats *s, double serial_s)
{
    double combines = serial_s - (s->work_s - s->tree_work_s);
    return s->tree_work_s > 0 && combines > 0 ? combines / s->tree_work_s : 0.0;
}

/* A rank's threads in the replay of layout l: as asked, else as recorded, at most the
 * workers; one process: all of them. A profile recorded with one thread per rank replays as
 * ranks of many, since the parts a combine is cut into are the problem's, not the team's
 * (cs_prof_combine). */
static unsigned layout_per_rank(const cs_graph *g, cs_layout l)
{
    if (!cs_graph_has_ranks(g))
        return l.workers;
    unsigned per_rank = l.threads ? l.threads : (g->threads ? g->threads : 1);
    return per_rank < l.workers ? per_rank : l.workers;
}

/* What a node a rank of one thread holds alone costs per recorded second in layout l: c's
 * unhelped for a profile of ranks where some rank has one thread (all of them, or a short
 * last rank: 3 workers as ranks of 2), else 1 (one process replays as the team runs). */
static double layout_unhelped(const cs_graph *g, cs_layout l, const cs_replay_cost *c)
{
    unsigned per_rank = layout_per_rank(g, l);
    int alone = cs_graph_has_ranks(g) && (per_rank == 1 || l.workers % per_rank == 1);
    return alone && c && c->unhelped > 0 ? c->unhelped : 1.0;
}

double cs_span_replay_layout(const cs_graph *g, const cs_message_model *m, cs_layout l,
                             const cs_replay_cost *c)
{
    unsigned p = l.workers;
    if (p == 0 || g->items > g->count)
        return -1;
    if (l.threads && (p % l.threads || (!cs_graph_has_ranks(g) && l.threads != p)))
        return -1;
    struct replay r = {.g = g, .m = m, .shared = c ? c->shared : NULL,
                       .unhelped = layout_unhelped(g, l, c), .p = p,
                       .per_rank = layout_per_rank(g, l)};
    r.ranks = (p + r.per_rank - 1) / r.per_rank;
    size_t n = g->count + 1;
    r.free_at = calloc((size_t)r.ranks * r.per_rank, sizeof *r.free_at);
    r.end = calloc(n, sizeof *r.end);
    r.worker = calloc(n, sizeof *r.worker);
    r.edges = calloc(g->dep_count + 1, sizeof *r.edges);
    r.edge_at = calloc(n, sizeof *r.edge_at);
    r.edge_n = calloc(n, sizeof *r.edge_n);
    r.succ = calloc(g->dep_count + 1, sizeof *r.succ);
    r.succ_at = calloc(n + 1, sizeof *r.succ_at);
    r.pending = calloc(n, sizeof *r.pending);
    r.rank_of = calloc(n, sizeof *r.rank_of);
    r.ready = calloc(r.ranks, sizeof *r.ready);
    r.group = calloc(n, sizeof *r.group);
    r.dealt_to = malloc(n * sizeof *r.dealt_to);
    double result = -1;
    if (!r.free_at || !r.end || !r.worker || !r.edges || !r.edge_at || !r.edge_n || !r.succ ||
        !r.succ_at || !r.pending || !r.rank_of || !r.ready || !r.group || !r.dealt_to)
        goto out;
    for (size_t i = 0; i < n; i++)
        r.dealt_to[i] = UINT_MAX; /* no round dealt yet */
    /* With fewer ranks' worth of workers than a whole rank, the last rank is short:
     * its missing workers are never free. */
    for (unsigned w = p; w < r.ranks * r.per_rank; w++)
        r.free_at[w] = INFINITY;
    double barrier = replay_items(g, p, cs_graph_has_ranks(g) ? r.per_rank : 0, r.free_at, r.worker,
                                  r.end);
    if (barrier < 0)
        goto out;
    /* One process: the team's rules for the combines, unless the graph is no fixed tree. */
    if (!cs_graph_has_ranks(g)) {
        result = cs_span_team_replay(g, p, barrier);
        if (result != CS_SPAN_NOT_TREE)
            goto out;
        result = -1;
    }
    for (unsigned w = 0; w < p; w++)
        r.free_at[w] = barrier;
    if (send_home(&r) != 0)
        goto out;
    /* Contracted dependencies, and successors among the tree's tasks. */
    uint32_t at = 0;
    for (uint32_t i = (uint32_t)g->items; i < g->count; i++) {
        const cs_task *t = &g->task[i];
        r.edge_at[i] = at;
        if (!cs_task_is_work(t->kind))
            continue;
        for (uint32_t d = 0; d < t->deps; d++) {
            struct edge e;
            if (producer_of(g, g->dep[t->dep_at + d], &e) && e.from < i) {
                r.edges[at++] = e;
                r.edge_n[i]++;
                if (e.from >= g->items)
                    r.pending[i]++, r.succ_at[e.from + 1]++;
            }
        }
    }
    for (uint32_t i = 0; i < g->count; i++)
        r.succ_at[i + 1] += r.succ_at[i];
    uint32_t *fill = calloc(n, sizeof *fill);
    if (!fill)
        goto out;
    for (uint32_t i = (uint32_t)g->items; i < g->count; i++)
        for (uint32_t k = 0; k < r.edge_n[i]; k++) {
            uint32_t from = r.edges[r.edge_at[i] + k].from;
            if (from >= g->items)
                r.succ[r.succ_at[from] + fill[from]++] = i;
        }
    free(fill);
    result = replay_tree(&r, barrier);
out:
    replay_free(&r);
    return result;
}

double cs_span_predict(const cs_graph *g, const cs_message_model *m, const cs_span_stats *s,
                       unsigned workers)
{
    return cs_span_predict_layout(g, m, s, (cs_layout){workers, 0}, NULL);
}

double cs_span_predict_layout(const cs_graph *g, const cs_message_model *m,
                              const cs_span_stats *s, cs_layout l, const cs_replay_cost *c)
{
    double t = cs_span_replay_layout(g, m, l, c);
    if (t < 0)
        return t;
    /* The floor's span is the compute tasks' alone: a layout that puts a message's two
     * ends on one rank does not pay for it, and one worker pays for none. Where ranks of
     * one thread price their combines lower (c->unhelped < 1), or shared nodes cost less
     * than recorded (a --group-cost factor below 1), the floor takes the least. */
    double u = layout_unhelped(g, l, c);
    for (unsigned k = 0; c && c->shared && cs_graph_has_ranks(g) && k < c->shared->count; k++)
        u = c->shared->factor[k] < u ? c->shared->factor[k] : u;
    u = u < 1 ? u : 1.0;
    double floor = (s->work_s - (1 - u) * s->tree_work_s) / l.workers;
    floor = u * s->compute_span_s > floor ? u * s->compute_span_s : floor;
    return t > floor ? t : floor;
}

void cs_span_print(FILE *f, const char *prefix, const cs_graph *g, const cs_layout *layouts,
                   unsigned count, const cs_span_given *given)
{
    cs_message_model m = cs_message_fit(g);
    const char *fit = m.fitted_from ? "fitted to this run's messages" : "default";
    const char *latency_from = fit, *bandwidth_from = fit;
    if (given->latency_s >= 0) {
        m.latency_s = given->latency_s;
        latency_from = "given";
    }
    if (given->bandwidth > 0) {
        m.bandwidth = given->bandwidth;
        bandwidth_from = "given";
    }
    const cs_group_cost *shared = given->shared.count ? &given->shared : NULL;
    cs_span_stats s;
    if (cs_span_stats_of(g, &m, &s) != 0) {
        fprintf(f, "%s: the graph is out of order (a task depends on a later one)\n", prefix);
        return;
    }
    fprintf(f, "%s: rep %u of %u, %s, ranks %u x threads %u, schedule %s\n", prefix, g->rep,
            g->reps, g->driver, g->ranks, g->threads, g->schedule);
    fprintf(f, "%s: work %.6f s, span %.6f s, parallelism %.2f; %u tasks:", prefix, s.work_s,
            s.span_s, s.span_s > 0 ? s.work_s / s.span_s : 0.0, g->count);
    for (int k = 0; k < CS_TASK_KINDS; k++)
        if (s.counts[k])
            fprintf(f, " %u %s", s.counts[k], cs_task_kind_name((enum cs_task_kind)k));
    fprintf(f, "\n");
    if (s.counts[CS_TASK_RECV] || cs_graph_has_ranks(g)) {
        if (!strcmp(latency_from, bandwidth_from)) /* two literals need not share an address */
            fprintf(f, "%s: messages cost %.3g s + bytes / %.3g B/s (%s)\n", prefix,
                    m.latency_s, m.bandwidth, latency_from);
        else
            fprintf(f, "%s: messages cost %.3g s (%s) + bytes / %.3g B/s (%s)\n", prefix,
                    m.latency_s, latency_from, m.bandwidth, bandwidth_from);
    }
    /* Factors are for products one rank recorded: a profile of ranks holds each shared
     * node's members' own times, the ways' extra work in them. */
    if (shared && !cs_graph_has_ranks(g))
        fprintf(f, "%s: --group-cost not applied: %s runs one process, whose nodes no ranks "
                "share\n", prefix, g->driver);
    else if (shared && g->ranks > 1)
        fprintf(f, "%s: --group-cost not applied: %u ranks recorded their shared nodes, the "
                "ways' work in their times\n", prefix, g->ranks);
    if (shared && (!cs_graph_has_ranks(g) || g->ranks > 1))
        shared = NULL;
    if (shared) {
        fprintf(f, "%s: a node shared by ranks costs its parts' time x", prefix);
        for (unsigned k = 0; k < shared->count; k++)
            fprintf(f, "%s %.3g from %u ranks", k ? "," : "", shared->factor[k], shared->ranks[k]);
        fprintf(f, " (given)\n");
    }
    cs_replay_cost cost = {shared, 0.0};
    double t1 = cs_span_predict(g, &m, &s, 1);
    /* A profile records every combine helped, which may cost more than the plain one
     * cpu_serial runs: a measured serial time is the baseline the drivers' rows use, and
     * says what the combines cost where a thread runs them alone. */
    if (given->serial_s > 0) {
        fprintf(f, "%s: speedups against cpu_serial's %.6f s (given); the work is %.2fx that\n",
                prefix, given->serial_s, t1 / given->serial_s);
        t1 = given->serial_s;
        /* as for --group-cost, a profile of several ranks holds each shared node's members'
         * times, exchanges and the ways' work in them: they would read the ratio low */
        int one_rank = cs_graph_has_ranks(g) && g->ranks <= 1;
        cost.unhelped = one_rank ? cs_span_unhelped(&s, given->serial_s) : 0.0;
        if (cost.unhelped > 0)
            fprintf(f, "%s: a combine a rank of one thread holds alone runs unhelped, at %.3f "
                    "of its recorded time: cpu_serial's %.6f s less the items' %.6f s, over "
                    "the combines' %.6f s\n", prefix, cost.unhelped, given->serial_s,
                    s.work_s - s.tree_work_s, s.tree_work_s);
        else if (cs_graph_has_ranks(g) && !one_rank)
            fprintf(f, "%s: combines priced as recorded: %u ranks recorded their shared nodes, "
                    "exchanges and the ways' work in the combines' time\n", prefix, g->ranks);
        else if (cs_graph_has_ranks(g) && s.tree_work_s > 0)
            fprintf(f, "%s: combines priced as recorded: cpu_serial's %.6f s is not above the "
                    "items' work, %.6f s\n", prefix, given->serial_s, s.work_s - s.tree_work_s);
    }
    fprintf(f, "%s: predicted %8s %12s %9s %10s\n", prefix, "workers", "time_s", "speedup",
            "efficiency");
    for (unsigned i = 0; i < count; i++) {
        char name[32];
        cs_layout_format(layouts[i], name, sizeof name);
        double t = cs_span_predict_layout(g, &m, &s, layouts[i], &cost);
        double speedup = t > 0 ? t1 / t : 0.0;
        fprintf(f, "%s: predicted %8s %12.6f %9.2f %10.2f\n", prefix, name, t, speedup,
                speedup / layouts[i].workers);
    }
    /* A node's group is a mask of 64 ranks (make_ready): past them, sharing is not seen. */
    unsigned widest = 0;
    for (unsigned i = 0; i < count && cs_graph_has_ranks(g); i++) {
        unsigned per = layout_per_rank(g, layouts[i]);
        unsigned ranks = (layouts[i].workers + per - 1) / per;
        widest = ranks > widest ? ranks : widest;
    }
    if (widest > 64)
        fprintf(f, "%s: past 64 ranks (up to %u here) the replay does not see nodes shared by "
                "ranks 64 and up: their parts run on one rank, without their exchanges or "
                "--group-cost, so those rows are no prediction\n", prefix, widest);
}
