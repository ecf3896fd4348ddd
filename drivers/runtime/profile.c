/* The --profile recorder: per-thread buffers while a repetition runs, one graph after it. */
#define _GNU_SOURCE /* qsort_r */
#include "profile.h"

#include <stdlib.h>
#include <string.h>

#include "row.h"
#include "tree.h"

int cs_prof_recording;

/* Raw ids: the top two bits say what names the task. */
#define ID_ITEM (1ull << 62)
#define ID_NODE (2ull << 62)
#define ID_FRESH (3ull << 62)
#define ID_TAG (3ull << 62)

cs_task_id cs_prof_node(uint64_t lo, uint64_t hi)
{
    return hi - lo == 1 ? ID_ITEM | lo : ID_NODE | cs_tree_mid(lo, hi);
}

cs_task_id cs_prof_piece(unsigned n)
{
    return ID_NODE | 1ull << 61 | n;
}

cs_task_id cs_prof_group_part(uint64_t lo, uint64_t hi, unsigned member)
{
    return ID_NODE | 1ull << 60 | (uint64_t)(member & 0xfffffu) << 40 | cs_tree_mid(lo, hi);
}

/* One recorded task, as this process holds it and as it travels to the root. */
struct raw {
    cs_task_id id;
    double start, end;
    uint64_t bytes;
    int32_t kind, rank, thread, peer, tag;
    uint32_t dep_at, deps; /* into its buffer's dep array */
};

struct tbuf {
    struct raw *task;
    cs_task_id *dep;
    uint32_t count, cap, dep_count, dep_cap;
    uint32_t seq;   /* fresh ids made this repetition */
    int thread;
    struct tbuf *next;
};

struct cs_profile {
    int rank;
    double t0;
    uint64_t items;
    struct tbuf *threads; /* every thread that recorded, newest first */
    int thread_count;
    int lock;
    /* other ranks' tasks (root), times already relative */
    struct raw *imported;
    cs_task_id *imported_dep;
    uint32_t imported_count, imported_dep_count;
};

static cs_profile *active;
static unsigned generation; /* a new recorder's threads make new buffers */
static __thread struct tbuf *mine;
static __thread unsigned mine_of;

static int reserve(struct tbuf *b, uint32_t tasks, uint32_t deps)
{
    if (tasks > b->cap) {
        struct raw *t = realloc(b->task, tasks * sizeof *t);
        if (!t)
            return -1;
        b->task = t;
        b->cap = tasks;
    }
    if (deps > b->dep_cap) {
        cs_task_id *d = realloc(b->dep, deps * sizeof *d);
        if (!d)
            return -1;
        b->dep = d;
        b->dep_cap = deps;
    }
    return 0;
}

/* This thread's buffer: made and listed once per thread (the only lock). */
static struct tbuf *buffer(void)
{
    if (mine && mine_of == generation)
        return mine;
    struct tbuf *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    cs_profile *pr = active;
    while (__atomic_test_and_set(&pr->lock, __ATOMIC_ACQUIRE))
        ;
    b->thread = pr->thread_count++;
    b->next = pr->threads;
    pr->threads = b;
    __atomic_clear(&pr->lock, __ATOMIC_RELEASE);
    mine = b;
    mine_of = generation;
    return b;
}

static cs_task_id record(enum cs_task_kind kind, cs_task_id id, double start, double end,
                         uint64_t bytes, const cs_task_id *deps, unsigned count, int peer, int tag)
{
    struct tbuf *b = buffer();
    if (!b)
        return 0;
    if (b->count == b->cap && reserve(b, 2 * b->cap + 64, b->dep_cap) != 0)
        return 0;
    if (b->dep_count + count > b->dep_cap &&
        reserve(b, b->cap, 2 * (b->dep_cap + count) + 64) != 0)
        return 0;
    if (!id)
        id = ID_FRESH | (uint64_t)active->rank << 40 | (uint64_t)b->thread << 28 | ++b->seq;
    struct raw *t = &b->task[b->count++];
    memset(t, 0, sizeof *t); /* the padding too: records travel to the root as bytes */
    t->id = id, t->start = start, t->end = end, t->bytes = bytes;
    t->kind = kind, t->rank = active->rank, t->thread = b->thread, t->peer = peer, t->tag = tag;
    t->dep_at = b->dep_count, t->deps = count;
    for (unsigned i = 0; i < count; i++)
        b->dep[b->dep_count++] = deps[i];
    return id;
}

void cs_prof_item(uint64_t item, double start)
{
    if (cs_prof_recording)
        record(CS_TASK_ITEM, ID_ITEM | item, start, cs_clock_now(), 0, NULL, 0, -1, -1);
}

cs_task_id cs_prof_task(enum cs_task_kind kind, cs_task_id id, double start, uint64_t bytes,
                        const cs_task_id *deps, unsigned count)
{
    if (!cs_prof_recording)
        return 0;
    return record(kind, id, start, cs_clock_now(), bytes, deps, count, -1, -1);
}

cs_task_id cs_prof_send(cs_task_id producer, int to, int tag, double start, uint64_t bytes)
{
    if (!cs_prof_recording)
        return 0;
    return record(CS_TASK_SEND, 0, start, cs_clock_now(), bytes, &producer, producer ? 1 : 0,
                  to, tag);
}

cs_task_id cs_prof_recv(int from, int tag, double start, uint64_t bytes)
{
    if (!cs_prof_recording)
        return 0;
    cs_task_id unpaired = 0; /* its send's id, filled in when the graph is built */
    return record(CS_TASK_RECV, 0, start, cs_clock_now(), bytes, &unpaired, 1, from, tag);
}

/* ---- helped combines: segments and parts -------------------------------------------------- */

struct helped {
    const cs_helpers *inner; /* NULL: parts run here, one after another */
    cs_task_id deps[2];      /* the combine's children */
    uint64_t bytes;          /* its operands' (kernel's partial_bytes), on its first segment */
    cs_task_id segment;      /* the segment the current parts depend on; 0 before the first */
    double segment_start;
    cs_task_id *parts;
    unsigned part_count, part_cap;
    void (*fn)(void *arg, unsigned part);
    void *arg;
    int failed;
};

static void run_part(void *ctx, unsigned i)
{
    struct helped *h = ctx;
    double t0 = cs_clock_now();
    h->fn(h->arg, i);
    h->parts[i] = record(CS_TASK_PART, 0, t0, cs_clock_now(), 0, &h->segment, 1, -1, -1);
}

/* The segment that ends here: the combine's first (on its children) or a later one
 * (on the parts before it). */
static cs_task_id close_segment(struct helped *h, cs_task_id id, double end)
{
    /* Parts whose ids could not be kept: the segment depends on id 0, which no
     * task has, so the graph is refused rather than its span silently shortened. */
    static const cs_task_id lost = 0;
    if (!h->segment)
        return record(CS_TASK_COMBINE, id, h->segment_start, end, h->bytes, h->deps, 2, -1, -1);
    if (h->failed)
        return record(CS_TASK_SEGMENT, id, h->segment_start, end, 0, &lost, 1, -1, -1);
    return record(CS_TASK_SEGMENT, id, h->segment_start, end, 0, h->parts, h->part_count, -1, -1);
}

static void run_parts(void *ctx, unsigned parts, void (*fn)(void *arg, unsigned part), void *arg)
{
    struct helped *h = ctx;
    h->segment = close_segment(h, 0, cs_clock_now());
    if (parts > h->part_cap) {
        cs_task_id *grown = realloc(h->parts, parts * sizeof *grown);
        if (!grown) { /* the work must still run; the record is lost */
            h->failed = 1;
            free(h->parts);
            h->parts = NULL;
            h->part_cap = 0;
        } else {
            h->parts = grown;
            h->part_cap = parts;
        }
    }
    h->fn = fn;
    h->arg = arg;
    h->part_count = h->parts ? parts : 0;
    if (!h->parts) {
        if (h->inner)
            h->inner->run(h->inner->ctx, parts, fn, arg);
        else
            for (unsigned i = 0; i < parts; i++)
                fn(arg, i);
    } else if (h->inner) {
        h->inner->run(h->inner->ctx, parts, run_part, h);
    } else {
        for (unsigned i = 0; i < parts; i++)
            run_part(h, i);
    }
    h->segment_start = cs_clock_now();
}

int cs_prof_combine(const cs_kernel *k, const cs_problem *p, cs_partial *left, cs_partial *right,
                    const cs_helpers *helpers, const cs_task_id deps[2], cs_task_id id,
                    cs_partial **out, cs_err *err)
{
    if (!cs_prof_recording)
        return helpers ? k->combine_helped(p, left, right, helpers, out, err)
                       : k->combine(p, left, right, out, err);
    struct helped h = {.inner = helpers, .deps = {deps[0], deps[1]}};
    if (k->partial_bytes) /* before the combine consumes them, outside its time */
        h.bytes = (left ? k->partial_bytes(left) : 0) + (right ? k->partial_bytes(right) : 0);
    h.segment_start = cs_clock_now();
    int rc;
    if (k->combine_helped) {
        cs_helpers recorded = {run_parts, &h};
        rc = k->combine_helped(p, left, right, &recorded, out, err);
    } else {
        rc = k->combine(p, left, right, out, err);
    }
    close_segment(&h, id, cs_clock_now());
    free(h.parts);
    return rc;
}

/* ---- the recorder's life ---------------------------------------------------------------- */

cs_profile *cs_profile_new(int rank)
{
    cs_profile *pr = calloc(1, sizeof *pr);
    if (pr)
        pr->rank = rank;
    generation++;
    return pr;
}

void cs_profile_free(cs_profile *pr)
{
    if (!pr)
        return;
    if (active == pr) {
        cs_prof_recording = 0;
        active = NULL;
    }
    for (struct tbuf *b = pr->threads, *next; b; b = next) {
        next = b->next;
        free(b->task);
        free(b->dep);
        free(b);
    }
    free(pr->imported);
    free(pr->imported_dep);
    free(pr);
}

void cs_profile_rep_begin(cs_profile *pr, double t0, uint64_t items)
{
    active = pr;
    pr->t0 = t0;
    pr->items = items;
    pr->imported_count = pr->imported_dep_count = 0;
    buffer(); /* the calling thread first: it is thread 0 */
    for (struct tbuf *b = pr->threads; b; b = b->next) {
        b->count = b->dep_count = b->seq = 0;
        /* Reserved for the worst a thread does (every item and combine); a
         * failed reservation only means growing while recording. */
        uint64_t want = 2 * items + 64;
        want = want < UINT32_MAX / 4 ? want : UINT32_MAX / 4;
        reserve(b, (uint32_t)want, (uint32_t)(2 * want));
    }
    __atomic_store_n(&cs_prof_recording, 1, __ATOMIC_RELEASE);
}

void cs_profile_rep_end(cs_profile *pr)
{
    (void)pr;
    __atomic_store_n(&cs_prof_recording, 0, __ATOMIC_RELEASE);
}

/* Ranks on one host share CLOCK_MONOTONIC: their tasks move to the root's
 * origin, so a message never arrives before it left because the ranks left
 * the starting barrier a few microseconds apart. Ranks on other hosts keep
 * their own origin (their barrier exit). */
struct wire_head {
    uint32_t count, dep_count;
    double t0;
    uint64_t host;
};

static uint64_t host_id(void)
{
    const char *h = cs_host_name();
    return cs_fnv1a64(CS_FNV1A64_INIT, h, strlen(h));
}

/* This process's tasks and their dependencies, counted. */
static void local_counts(const cs_profile *pr, uint32_t *count, uint32_t *deps)
{
    *count = *deps = 0;
    for (const struct tbuf *b = pr->threads; b; b = b->next)
        *count += b->count, *deps += b->dep_count;
}

/* This process's tasks into t, on its own origin (pr->t0), and their
 * dependencies into d, each task's dep_at moved to its place in d. t need
 * not be aligned: the wire's buffer is bytes. */
static void flatten_local(const cs_profile *pr, struct raw *t, cs_task_id *d)
{
    uint32_t at = 0;
    for (const struct tbuf *b = pr->threads; b; b = b->next) {
        for (uint32_t i = 0; i < b->count; i++) {
            struct raw r = b->task[i];
            r.start -= pr->t0;
            r.end -= pr->t0;
            r.dep_at += at;
            memcpy(t++, &r, sizeof r);
        }
        if (b->dep_count)
            memcpy(d + at, b->dep, b->dep_count * sizeof *d);
        at += b->dep_count;
    }
}

int cs_profile_export(cs_profile *pr, uint8_t **buf, size_t *len)
{
    struct wire_head head = {0, 0, pr->t0, host_id()};
    local_counts(pr, &head.count, &head.dep_count);
    size_t size = sizeof head + head.count * sizeof(struct raw) + head.dep_count * sizeof(cs_task_id);
    uint8_t *out = malloc(size);
    if (!out)
        return -1;
    memcpy(out, &head, sizeof head);
    struct raw *t = (struct raw *)(out + sizeof head);
    flatten_local(pr, t, (cs_task_id *)(t + head.count));
    *buf = out;
    *len = size;
    return 0;
}

int cs_profile_import(cs_profile *pr, const uint8_t *buf, size_t len)
{
    struct wire_head head;
    if (len < sizeof head)
        return -1;
    memcpy(&head, buf, sizeof head);
    if (len != sizeof head + head.count * sizeof(struct raw) + head.dep_count * sizeof(cs_task_id))
        return -1;
    struct raw *t = realloc(pr->imported, (pr->imported_count + head.count + 1) * sizeof *t);
    if (!t)
        return -1;
    pr->imported = t;
    double shift = head.host == host_id() ? head.t0 - pr->t0 : 0.0;
    cs_task_id *d = realloc(pr->imported_dep,
                            (pr->imported_dep_count + head.dep_count + 1) * sizeof *d);
    if (!d)
        return -1;
    pr->imported_dep = d;
    const uint8_t *at = buf + sizeof head;
    for (uint32_t i = 0; i < head.count; i++, at += sizeof(struct raw)) {
        struct raw r;
        memcpy(&r, at, sizeof r);
        if ((uint64_t)r.dep_at + r.deps > head.dep_count)
            return -1;
        r.dep_at += pr->imported_dep_count;
        r.start += shift;
        r.end += shift;
        pr->imported[pr->imported_count + i] = r;
    }
    if (head.dep_count)
        memcpy(pr->imported_dep + pr->imported_dep_count, at, head.dep_count * sizeof *d);
    pr->imported_count += head.count;
    pr->imported_dep_count += head.dep_count;
    return 0;
}

/* ---- the graph ------------------------------------------------------------------------------ */

struct all {
    struct raw *task;
    cs_task_id *dep;
    uint32_t count, dep_count;
};

static int by_id(const void *a, const void *b, void *ctx)
{
    const struct all *all = ctx;
    cs_task_id x = all->task[*(const uint32_t *)a].id, y = all->task[*(const uint32_t *)b].id;
    return (x > y) - (x < y);
}

/* A message's stream: (sender, receiver, tag). MPI keeps each stream in order. */
static int stream_cmp(const struct raw *x, const struct raw *y)
{
    int xs = x->kind == CS_TASK_SEND ? x->rank : x->peer;
    int ys = y->kind == CS_TASK_SEND ? y->rank : y->peer;
    int xd = x->kind == CS_TASK_SEND ? x->peer : x->rank;
    int yd = y->kind == CS_TASK_SEND ? y->peer : y->rank;
    if (xs != ys)
        return xs < ys ? -1 : 1;
    if (xd != yd)
        return xd < yd ? -1 : 1;
    return (x->tag > y->tag) - (x->tag < y->tag);
}

/* By stream, then in the order the rank made them (list order within a rank). */
static int by_stream(const void *a, const void *b, void *ctx)
{
    const struct all *all = ctx;
    uint32_t ia = *(const uint32_t *)a, ib = *(const uint32_t *)b;
    int c = stream_cmp(&all->task[ia], &all->task[ib]);
    return c ? c : (ia > ib) - (ia < ib);
}

/* The k-th receive of a stream took the k-th send: it depends on it. */
static int pair_messages(struct all *all)
{
    uint32_t *sends = malloc((all->count + 1) * sizeof *sends);
    uint32_t *recvs = malloc((all->count + 1) * sizeof *recvs);
    uint32_t ns = 0, nr = 0;
    if (!sends || !recvs) {
        free(sends), free(recvs);
        return -1;
    }
    for (uint32_t i = 0; i < all->count; i++) {
        if (all->task[i].kind == CS_TASK_SEND)
            sends[ns++] = i;
        else if (all->task[i].kind == CS_TASK_RECV)
            recvs[nr++] = i;
    }
    qsort_r(sends, ns, sizeof *sends, by_stream, all);
    qsort_r(recvs, nr, sizeof *recvs, by_stream, all);
    for (uint32_t s = 0, r = 0; r < nr;) {
        struct raw *rt = &all->task[recvs[r]];
        int c = s < ns ? stream_cmp(&all->task[sends[s]], rt) : 1;
        if (c < 0) {
            s++; /* a send nobody received (a failed run): no edge */
        } else if (c > 0) {
            rt->deps = 0; /* a receive without its send */
            r++;
        } else {
            all->dep[rt->dep_at] = all->task[sends[s]].id;
            rt->deps = 1;
            s++, r++;
        }
    }
    free(sends), free(recvs);
    return 0;
}

/* Gathers this process's buffers and the imported tasks into one list. */
static int collect(cs_profile *pr, struct all *all)
{
    uint32_t n, dn;
    local_counts(pr, &n, &dn);
    uint32_t count = n + pr->imported_count, deps = dn + pr->imported_dep_count;
    all->task = malloc((count + 1) * sizeof *all->task);
    all->dep = malloc((deps + 1) * sizeof *all->dep);
    if (!all->task || !all->dep)
        return -1;
    flatten_local(pr, all->task, all->dep);
    for (uint32_t i = 0; i < pr->imported_count; i++) {
        struct raw r = pr->imported[i];
        r.dep_at += dn;
        all->task[n++] = r;
    }
    if (pr->imported_dep_count)
        memcpy(all->dep + dn, pr->imported_dep, pr->imported_dep_count * sizeof *all->dep);
    all->count = n;
    all->dep_count = dn + pr->imported_dep_count;
    /* A rank on the root's host may leave the barrier that starts the repetition before the
     * root does (MPI orders no exits: three ranks on two cores did so every run), and its first
     * tasks then start before the root's origin. The origin moves back to the earliest start,
     * every time with it, so that none is negative: a profile's times count from 0. */
    double earliest = 0;
    for (uint32_t i = 0; i < n; i++)
        earliest = all->task[i].start < earliest ? all->task[i].start : earliest;
    for (uint32_t i = 0; i < n && earliest < 0; i++)
        all->task[i].start -= earliest, all->task[i].end -= earliest;
    /* Within one rank, buffers hold tasks in the order each thread made them;
     * sends and receives are all made by one thread per rank (MPI_THREAD_FUNNELED),
     * so list order per rank is MPI order once the list is stable by rank. */
    return 0;
}

/* Ready tasks by end time, for numbering in an order that respects dependencies. */
struct ready {
    uint32_t *v, n;
    const struct raw *task;
};

static int ready_less(const struct ready *r, uint32_t a, uint32_t b)
{
    double x = r->task[r->v[a]].end, y = r->task[r->v[b]].end;
    return x < y || (x == y && r->v[a] < r->v[b]);
}

static void ready_push(struct ready *r, uint32_t i)
{
    uint32_t k = r->n++;
    r->v[k] = i;
    while (k && ready_less(r, k, (k - 1) / 2)) {
        uint32_t up = (k - 1) / 2, t = r->v[k];
        r->v[k] = r->v[up], r->v[up] = t;
        k = up;
    }
}

static uint32_t ready_pop(struct ready *r)
{
    uint32_t top = r->v[0];
    r->v[0] = r->v[--r->n];
    for (uint32_t k = 0;;) {
        uint32_t l = 2 * k + 1, m = k;
        if (l < r->n && ready_less(r, l, m))
            m = l;
        if (l + 1 < r->n && ready_less(r, l + 1, m))
            m = l + 1;
        if (m == k)
            break;
        uint32_t t = r->v[k];
        r->v[k] = r->v[m], r->v[m] = t;
        k = m;
    }
    return top;
}

int cs_profile_graph(cs_profile *pr, cs_graph *g)
{
    struct all all = {0};
    uint32_t *sorted = NULL, *index = NULL, *waiting = NULL, *succ = NULL, *succ_at = NULL;
    uint32_t *resolved = NULL;
    struct ready rq = {0};
    int rc = -1;
    if (collect(pr, &all) != 0)
        goto out;
    uint32_t n = all.count;
    sorted = malloc((n + 1) * sizeof *sorted);
    index = malloc((n + 1) * sizeof *index);
    waiting = calloc(n + 1, sizeof *waiting);
    succ_at = calloc(n + 2, sizeof *succ_at);
    resolved = malloc((all.dep_count + 1) * sizeof *resolved);
    succ = malloc((all.dep_count + 1) * sizeof *succ);
    rq.v = malloc((n + 1) * sizeof *rq.v);
    rq.task = all.task;
    if (!sorted || !index || !waiting || !succ_at || !resolved || !succ || !rq.v)
        goto out;
    if (pair_messages(&all) != 0)
        goto out;
    /* Raw id -> list index. */
    for (uint32_t i = 0; i < n; i++)
        sorted[i] = i;
    qsort_r(sorted, n, sizeof *sorted, by_id, &all);
    for (uint32_t i = 0; i < all.dep_count; i++)
        resolved[i] = UINT32_MAX;
    for (uint32_t i = 0; i < n; i++) {
        const struct raw *t = &all.task[i];
        for (uint32_t d = 0; d < t->deps; d++) {
            cs_task_id want = all.dep[t->dep_at + d];
            uint32_t lo = 0, hi = n;
            while (lo < hi) {
                uint32_t mid = lo + (hi - lo) / 2;
                if (all.task[sorted[mid]].id < want)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo == n || all.task[sorted[lo]].id != want)
                goto out; /* a dependency nobody recorded */
            resolved[t->dep_at + d] = sorted[lo];
            waiting[i]++;
            succ_at[sorted[lo] + 2]++;
        }
    }
    for (uint32_t i = 0; i < n; i++)
        succ_at[i + 2] += succ_at[i + 1];
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t d = 0; d < all.task[i].deps; d++) {
            uint32_t from = resolved[all.task[i].dep_at + d];
            succ[succ_at[from + 1]++] = i;
        }
    /* Numbering: the items first, in item order; then by end time, each task
     * once everything it depends on has its number. */
    g->task = malloc((n + 1) * sizeof *g->task);
    g->dep = malloc((all.dep_count + 1) * sizeof *g->dep);
    if (!g->task || !g->dep)
        goto out;
    uint32_t numbered = 0, items = 0;
    for (uint32_t i = 0; i < n; i++)
        if ((all.task[i].id & ID_TAG) == ID_ITEM)
            sorted[items++] = i;
    qsort_r(sorted, items, sizeof *sorted, by_id, &all);
    for (uint32_t i = 0; i < n; i++)
        if ((all.task[i].id & ID_TAG) != ID_ITEM && waiting[i] == 0)
            ready_push(&rq, i);
    uint32_t next_item = 0;
    while (next_item < items || rq.n) {
        uint32_t i = next_item < items ? sorted[next_item++] : ready_pop(&rq);
        index[i] = numbered;
        const struct raw *t = &all.task[i];
        cs_task *out = &g->task[numbered++];
        *out = (cs_task){(enum cs_task_kind)t->kind, t->rank, t->thread, t->start, t->end,
                         t->bytes, g->dep_count, t->deps};
        for (uint32_t d = 0; d < t->deps; d++)
            g->dep[g->dep_count++] = index[resolved[t->dep_at + d]];
        for (uint32_t k = succ_at[i]; k < succ_at[i + 1]; k++)
            if (--waiting[succ[k]] == 0 && (all.task[succ[k]].id & ID_TAG) != ID_ITEM)
                ready_push(&rq, succ[k]);
    }
    g->count = numbered;
    g->items = items;
    rc = numbered == n ? 0 : -1; /* fewer: a cycle, which no run makes */
out:
    free(all.task), free(all.dep), free(sorted), free(index), free(waiting), free(succ);
    free(succ_at), free(resolved), free(rq.v);
    if (rc != 0)
        cs_graph_free(g);
    return rc;
}
