/* MPI ranks with pinned OpenMP teams as a cs_exec: start, pin, run, agree, finish. */
#include "mpi_exec.h"

#include <fcntl.h>
#include <limits.h>
#include <mpi.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "message.h"
#include "mpi_check.h"
#include "mpi_halo.h"
#include "mpi_handout.h"
#include "mpi_tree.h"
#include "omp_team.h"
#include "pin.h"
#include "row.h"
#include "stencil_plan.h"
#include "thread_room.h"

#define SET_TEXT 256    /* a process's CPU list, as exchanged */
#define REPORT_TEXT 200 /* one worker's --show-binding line */
#define PLACE_TEXT 96   /* one rank's placement, for the header */

struct fault {
    const char *spec;  /* CS_FAULT as given, or NULL */
    unsigned long long fired; /* times this rank injected it */
    int rank;      /* -1: none */
    uint64_t item; /* UINT64_MAX: the first item the rank ran */
    int wrong;     /* double the partial instead of failing */
    int shared;    /* fail inside the first combine the rank shares with others */
};

struct cs_mpi {
    int rank, size, local_rank, local_size;
    MPI_Comm work; /* hand-out and partials, apart from cpu_run's collectives */
    MPI_Comm node; /* the ranks sharing this machine */
    cs_team team;
    enum cs_schedule schedule;
    enum cs_decomp decomp; /* a stencil's blocks to ranks */
    int overlap;
    unsigned node_workers, node_cores;
    unsigned known;     /* warning bits over all ranks so far */
    unsigned warned;    /* those already said on stderr */
    char warnings[128]; /* the CSV column (ex->warnings) */
    char binding[512];  /* the header's binding text */
    struct fault fault;
    int fault_malformed;
};

/* The status agreement: every rank learns the worst status of any rank. */
static int worst_over_ranks(int value)
{
    int worst = value;
    cs_mpi_check(MPI_Allreduce(&value, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD),
                 "MPI_Allreduce");
    return worst;
}

/* CS_FAULT=RANK:ITEM[:wrong], ITEM a number or '*' (the first item RANK ran), or
 * RANK:shared (RANK fails midway through the first combine it shares with other
 * ranks, as an allocation would). Returns 0 (unset, or read into f), or -1 when it
 * is malformed. */
static int read_fault(struct fault *f)
{
    memset(f, 0, sizeof *f);
    f->rank = -1;
    f->spec = getenv("CS_FAULT");
    if (!f->spec)
        return 0;
    const char *c = f->spec;
    unsigned long long rank = 0, item = 0;
    int digits = 0;
    for (; *c >= '0' && *c <= '9' && digits < 10; c++, digits++)
        rank = rank * 10 + (unsigned long long)(*c - '0');
    if (digits == 0 || *c != ':' || rank > INT_MAX)
        return -1;
    c++;
    if (strcmp(c, "shared") == 0) {
        f->shared = 1;
        f->rank = (int)rank;
        return 0;
    }
    if (*c == '*') {
        item = UINT64_MAX;
        c++;
    } else {
        for (digits = 0; *c >= '0' && *c <= '9' && digits < 19; c++, digits++)
            item = item * 10 + (unsigned long long)(*c - '0');
        if (digits == 0)
            return -1;
    }
    if (*c != '\0' && strcmp(c, ":wrong") != 0)
        return -1;
    f->wrong = *c != '\0';
    f->item = item;
    f->rank = (int)rank;
    return 0;
}

/* At the start: a malformed CS_FAULT or one for a rank the job lacks is a usage error,
 * so a test cannot believe it injected a fault that can never fire. */
static int check_fault(cs_mpi *m)
{
    int bad = m->fault_malformed || (m->fault.spec && m->fault.rank >= m->size);
    if (!worst_over_ranks(bad))
        return 0;
    if (m->rank == 0 && m->fault_malformed)
        cs_error("CS_FAULT '%s': give RANK:ITEM, RANK:ITEM:wrong (ITEM a number, or * for "
                 "the first item the rank runs) or RANK:shared", cs_show(m->fault.spec));
    else if (m->rank == 0)
        cs_error("CS_FAULT '%s': there is no rank %d in a job of %d rank%s", cs_show(m->fault.spec),
                 m->fault.rank, m->size, m->size == 1 ? "" : "s");
    return -1;
}

/* At the end: a fault that never fired (its rank never ran that item) fails the job. */
static int fault_fired(cs_mpi *m)
{
    unsigned long long fired = m->fault.fired, all = fired;
    cs_mpi_check(MPI_Allreduce(&fired, &all, 1, MPI_UNSIGNED_LONG_LONG, MPI_SUM, MPI_COMM_WORLD),
                 "MPI_Allreduce");
    if (!m->fault.spec || all > 0)
        return 0;
    if (m->rank == 0) {
        char item[48] = "any item";
        if (m->fault.shared)
            snprintf(item, sizeof item, "combine shared with other ranks");
        else if (m->fault.item != UINT64_MAX)
            snprintf(item, sizeof item, "item %llu", (unsigned long long)m->fault.item);
        cs_error("CS_FAULT '%s': never fired: rank %d ran no %s", cs_show(m->fault.spec),
                 m->fault.rank, item);
    }
    return -1;
}

cs_mpi *cs_mpi_start(int *argc, char ***argv, const char *program)
{
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        cs_error("MPI cannot start (is this run under mpirun?)");
        return NULL;
    }
    cs_mpi *m = calloc(1, sizeof *m);
    if (!m)
        cs_mpi_fatal("out of memory starting %s", program);
    cs_mpi_check(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN),
                 "MPI_Comm_set_errhandler");
    cs_mpi_check(MPI_Comm_rank(MPI_COMM_WORLD, &m->rank), "MPI_Comm_rank");
    cs_mpi_check(MPI_Comm_size(MPI_COMM_WORLD, &m->size), "MPI_Comm_size");
    if (provided < MPI_THREAD_FUNNELED) {
        if (m->rank == 0)
            cs_error("this MPI library cannot run threads beside MPI (it provides level %d)",
                     provided);
        MPI_Abort(MPI_COMM_WORLD, CS_EXIT_FAIL);
    }
    cs_mpi_check(MPI_Comm_dup(MPI_COMM_WORLD, &m->work), "MPI_Comm_dup");
    cs_mpi_check(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, m->rank,
                                     MPI_INFO_NULL, &m->node),
                 "MPI_Comm_split_type");
    cs_mpi_check(MPI_Comm_rank(m->node, &m->local_rank), "MPI_Comm_rank");
    cs_mpi_check(MPI_Comm_size(m->node, &m->local_size), "MPI_Comm_size");
    m->fault_malformed = read_fault(&m->fault) != 0;
    return m;
}


enum cs_parse_result cs_mpi_parse(cs_mpi *m, cs_options *o, const cs_program_info *info,
                                  int argc, char **argv)
{
    /* Every rank parses the same argv; only rank 0's words reach the user. */
    int saved_out = -1, saved_err = -1;
    if (m->rank != 0) {
        int null = open("/dev/null", O_WRONLY);
        fflush(stdout);
        fflush(stderr);
        saved_out = dup(STDOUT_FILENO);
        saved_err = dup(STDERR_FILENO);
        if (null >= 0) {
            dup2(null, STDOUT_FILENO);
            dup2(null, STDERR_FILENO);
            close(null);
        }
    }
    enum cs_parse_result mine = cs_options_parse(o, info, argc, argv);
    if (m->rank != 0) {
        fflush(stdout);
        fflush(stderr);
        if (saved_out >= 0)
            dup2(saved_out, STDOUT_FILENO), close(saved_out);
        if (saved_err >= 0)
            dup2(saved_err, STDERR_FILENO), close(saved_err);
        cs_message_set_silent(1);
    }
    enum cs_parse_result all = (enum cs_parse_result)worst_over_ranks((int)mine);
    if (mine == CS_PARSE_RUN && all != CS_PARSE_RUN)
        cs_options_free(o);
    return all;
}

/* ---- pinning and warnings ------------------------------------------------ */

/* Warnings join the CSV column at once, and reach stderr once work starts
 * (so that a usage error stays the only message). */
static void note_warnings(cs_mpi *m, unsigned bits_all_ranks)
{
    m->known |= bits_all_ranks;
    cs_pin_warning_words(m->known, m->warnings, sizeof m->warnings);
}

static void say_warnings(cs_mpi *m)
{
    unsigned fresh = m->known & ~m->warned;
    if (fresh && m->rank == 0) {
        cs_pin_warn(fresh, m->node_workers, m->node_cores, cs_pin_failure(m->team.pin));
        unsigned machine = cs_pin_cores_allowed(m->team.pin);
        if ((fresh & CS_PIN_WARN_OVERSUBSCRIBED) && m->node_cores < machine)
            cs_warn("mpirun gave this node's ranks %u of its %u cores; corescale pins ranks "
                    "itself, so run mpirun --bind-to none (or --map-by slot:PE=THREADS)",
                    m->node_cores, machine);
    }
    m->warned |= fresh;
}

/* A broken binding found on another rank is said there: its detail lives there. */
static void say_local_breakage(cs_mpi *m, unsigned local_before)
{
    unsigned bits = cs_pin_warnings(m->team.pin);
    if (m->rank != 0 && (bits & CS_PIN_WARN_BROKEN) && !(local_before & CS_PIN_WARN_BROKEN)) {
        cs_message_set_silent(0);
        cs_warn("rank %d: %s", m->rank, cs_pin_failure(m->team.pin));
        cs_message_set_silent(1);
    }
}

static unsigned bits_over_ranks(unsigned bits)
{
    unsigned all = bits;
    cs_mpi_check(MPI_Allreduce(&bits, &all, 1, MPI_UNSIGNED, MPI_BOR, MPI_COMM_WORLD),
                 "MPI_Allreduce");
    return all;
}

/* Where this rank's workers plan: its own cores, or a slice of the node's. */
static int plan_pinning(cs_mpi *m, const cs_options *o, unsigned *threads, cs_err *err)
{
    char mine[SET_TEXT] = "", *all = malloc((size_t)m->local_size * SET_TEXT);
    const char **sets = malloc((size_t)m->local_size * sizeof *sets);
    char *share = NULL, *node = NULL;
    int rc = CS_OK;
    if (!all || !sets) {
        cs_err_set(err, "out of memory for the node's CPU sets");
        rc = CS_ENOMEM;
        goto out;
    }
    if (strlen(cs_pin_process_set(m->team.pin)) >= SET_TEXT) {
        cs_err_set(err, "this process's CPU list is longer than %d characters", SET_TEXT - 1);
        rc = CS_EINVAL;
    } else
        snprintf(mine, sizeof mine, "%s", cs_pin_process_set(m->team.pin));
    cs_mpi_check(MPI_Allgather(mine, SET_TEXT, MPI_CHAR, all, SET_TEXT, MPI_CHAR, m->node),
                 "MPI_Allgather");
    for (int r = 0; r < m->local_size; r++)
        sets[r] = all + (size_t)r * SET_TEXT;
    unsigned before = 0, sharing = 1;
    if (rc == CS_OK)
        rc = cs_pin_node_share(sets, (unsigned)m->local_size, (unsigned)m->local_rank, &share,
                               &node, &before, &sharing, err);
    /* Every rank must run the same number of threads: the smallest share. */
    unsigned want = *threads;
    if (!want && rc == CS_OK) {
        unsigned cores = cs_pin_cores_in(m->team.pin, share) / sharing;
        want = cores ? cores : 1;
    }
    int least = (int)(want ? want : 1);
    cs_mpi_check(MPI_Allreduce(MPI_IN_PLACE, &least, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD),
                 "MPI_Allreduce");
    *threads = (unsigned)least;
    if (rc == CS_OK)
        rc = cs_pin_plan(m->team.pin, o->bind, share, sharing * *threads, before * *threads,
                         *threads, err);
    if (rc == CS_OK) {
        m->node_workers = (unsigned)m->local_size * *threads;
        m->node_cores = cs_pin_cores_in(m->team.pin, node);
    }
out:
    free(all);
    free(sets);
    free(share);
    free(node);
    return rc;
}

/* "core: r0{P#0} r1{P#1}": each rank's planned PUs, gathered for the header. */
static void gather_binding(cs_mpi *m, enum cs_bind bind)
{
    char place[PLACE_TEXT];
    size_t len = (size_t)snprintf(place, sizeof place, "r%d{", m->rank);
    for (unsigned w = 0; w < m->team.threads && len < sizeof place; w++) {
        int pu = cs_pin_worker_pu(m->team.pin, w);
        if (pu >= 0)
            len += (size_t)snprintf(place + len, sizeof place - len, "%sP#%d", w ? "," : "", pu);
        else
            len += (size_t)snprintf(place + len, sizeof place - len, "%s-", w ? "," : "");
    }
    if (len + 2 >= sizeof place)
        snprintf(place + sizeof place - 5, 5, "...}");
    else
        snprintf(place + len, sizeof place - len, "}");
    char *all = m->rank == 0 ? malloc((size_t)m->size * PLACE_TEXT) : NULL;
    if (m->rank == 0 && !all)
        cs_mpi_fatal("out of memory for the ranks' binding text");
    cs_mpi_check(MPI_Gather(place, PLACE_TEXT, MPI_CHAR, all, PLACE_TEXT, MPI_CHAR, 0,
                            MPI_COMM_WORLD),
                 "MPI_Gather");
    if (m->rank != 0)
        return;
    if (bind == CS_BIND_NONE) {
        snprintf(m->binding, sizeof m->binding, "none (not pinned)");
    } else {
        size_t at = (size_t)snprintf(m->binding, sizeof m->binding, "%s%s:", cs_bind_name(bind),
                                     (cs_pin_warnings(m->team.pin) & CS_PIN_WARN_UNSUPPORTED)
                                         ? " (not supported here)"
                                         : "");
        for (int r = 0; r < m->size; r++) {
            const char *one = all + (size_t)r * PLACE_TEXT;
            if (at + strlen(one) + 6 >= sizeof m->binding) {
                snprintf(m->binding + at, sizeof m->binding - at, " ...");
                break;
            }
            at += (size_t)snprintf(m->binding + at, sizeof m->binding - at, " %s", one);
        }
    }
    free(all);
}

/* ---- the exec ---------------------------------------------------------------- */

static int mpi_agree(void *ctx, int status)
{
    (void)ctx;
    return worst_over_ranks(status);
}

static void mpi_barrier(void *ctx)
{
    (void)ctx;
    cs_mpi_check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");
}

static int mpi_prepare(void *ctx, const cs_kernel *k, cs_problem *p, cs_err *err)
{
    cs_mpi *m = ctx;
    say_warnings(m);
    int rc = cs_team_prepare(&m->team, k, p, (unsigned)m->size * m->team.threads,
                             (unsigned)m->rank * m->team.threads, err);
    if (rc != CS_OK && m->rank != 0)
        cs_error("rank %d: preparing items: %s", m->rank, err->msg);
    int all = worst_over_ranks(rc);
    if (all != CS_OK && rc == CS_OK)
        cs_err_set(err, "another rank failed (its message says why)");
    return all;
}

/* CS_FAULT: this rank's copy of one item fails, or comes out doubled. */
static int inject_fault(cs_mpi *m, const cs_kernel *k, cs_problem *p, cs_partial **leaves,
                        uint64_t items, cs_err *err)
{
    struct fault *f = &m->fault;
    uint64_t item = f->item;
    for (uint64_t i = 0; item == UINT64_MAX && i < items; i++)
        item = leaves[i] ? i : item;
    if (f->shared || f->rank != m->rank || item >= items || !leaves[item])
        return CS_OK;
    cs_partial *x = leaves[item];
    f->fired++;
    if (!f->wrong) {
        k->partial_free(x);
        leaves[item] = NULL;
        cs_err_set(err, "item %llu failed (injected by CS_FAULT)", (unsigned long long)item);
        return CS_ENOMEM;
    }
    uint8_t *buf = NULL;
    size_t len = 0;
    cs_partial *copy = NULL;
    int rc = k->pack(p, x, &buf, &len, err);
    if (rc == CS_OK)
        rc = k->unpack(p, buf, len, &copy, err);
    free(buf);
    leaves[item] = NULL;
    if (rc == CS_OK)
        rc = k->combine(p, x, copy, &leaves[item], err);
    else
        k->partial_free(x);
    return rc;
}

/* The root's row: each phase is the slowest rank's. */
struct run_phases {
    double compute_s, combine_s, comm_s;
};

/* How this rank's leaves came about: the phases before the tree. */
struct leaves_made {
    int status;
    cs_err err;
    double compute_s, comm_s;
    uint64_t comm_bytes;
};

/* A reduction's items, as the hand-out gives them. */
static void run_items(cs_mpi *m, const cs_kernel *k, cs_problem *p, cs_partial **leaves,
                      cs_handout *h, struct leaves_made *made)
{
    cs_source src = cs_handout_source(h);
    double t0 = cs_clock_now();
    made->status = cs_team_run(&m->team, k, p, &src, leaves, &made->err);
    made->compute_s = cs_clock_now() - t0;
}

/*
 * A stencil: the rank owns its --decomp share of the blocks for every step,
 * its team steps them, and the halos travel as mpi_halo.h says. compute_s is
 * the stepping less the first thread's time in the exchange (comm_s):
 * with --overlap that is only the wait the inside did not cover. The blocks'
 * diagnostics are its leaves.
 */
static void run_steps(cs_mpi *m, const cs_kernel *k, cs_problem *p, cs_partial **leaves,
                      int *owner, const cs_step_record *rec, struct leaves_made *made)
{
    cs_block_grid g;
    k->stencil->block_grid(p, &g);
    cs_block_plan plan;
    if (cs_block_plan_make(&g, m->decomp, (unsigned)m->size, &plan, &made->err) != CS_OK)
        cs_mpi_fatal("%s", made->err.msg);
    cs_block_plan_warn_idle(&plan, &g, m->decomp, k->name); /* said by rank 0 alone */
    for (uint64_t b = 0; b < plan.blocks; b++)
        owner[b] = (int)plan.part[b];
    const uint64_t *mine = plan.order + plan.start[m->rank];
    uint64_t count = plan.start[m->rank + 1] - plan.start[m->rank];
    uint64_t *start = malloc(((size_t)m->team.threads + 1) * sizeof *start);
    if (!start)
        cs_mpi_fatal("out of memory for the team's share of %llu blocks",
                     (unsigned long long)count);
    for (unsigned t = 0; t <= m->team.threads; t++)
        start[t] = cs_static_start(count, m->team.threads, t);
    cs_step_share share = {mine, start};
    cs_mpi_halo *halo = cs_mpi_halo_new(m->work, k, p, &plan, m->rank);
    cs_halo_exchange exchange = cs_mpi_halo_exchange(halo);
    double t0 = cs_clock_now(), exchange_s = 0.0;
    made->status = cs_team_start_blocks(&m->team, k, p, &share, &made->err);
    /* a rank whose blocks could not start must not leave the others waiting for its halos */
    if (worst_over_ranks(made->status) == CS_OK) {
        cs_team_steps(&m->team, k, p, &share, &exchange, m->overlap, rec, &exchange_s);
        made->status = cs_stencil_leaves(k, p, mine, count, leaves, &made->err);
    } else if (made->status == CS_OK) {
        made->status = CS_EINVAL;
        cs_err_set(&made->err, "another rank's blocks could not start (its message says why)");
    }
    made->compute_s = cs_clock_now() - t0 - exchange_s;
    made->comm_s = exchange_s;
    made->comm_bytes = cs_mpi_halo_bytes_sent(halo);
    cs_mpi_halo_free(halo);
    if (rec) { /* every rank timed its own blocks; the exchange is the slowest rank's */
        void *bs = m->rank == 0 ? MPI_IN_PLACE : rec->block_s;
        void *es = m->rank == 0 ? MPI_IN_PLACE : rec->exchange_s;
        cs_mpi_check(MPI_Reduce(bs, rec->block_s, (int)(rec->blocks * rec->steps), MPI_DOUBLE,
                                MPI_SUM, 0, m->work), "MPI_Reduce");
        cs_mpi_check(MPI_Reduce(es, rec->exchange_s, (int)rec->steps, MPI_DOUBLE, MPI_MAX, 0,
                                m->work), "MPI_Reduce");
    }
    free(start);
    cs_block_plan_free(&plan);
}

/* Every rank's share of the work, then the tree: returns this rank's status. */
static int mpi_run(void *ctx, const cs_kernel *k, cs_problem *p, cs_partial **result,
                   cs_phase *phase, cs_err *err)
{
    cs_mpi *m = ctx;
    uint64_t items = k->item_count(p);
    unsigned pins_before = cs_pin_warnings(m->team.pin);
    if (items > INT_MAX) {
        cs_err_set(err, "%llu items are more than MPI can count", (unsigned long long)items);
        return CS_EINVAL;
    }
    cs_partial **leaves = calloc(items, sizeof *leaves);
    /* a stencil's blocks stay with their owners (--decomp); a reduction's are handed out */
    int *stencil_owner = k->stencil ? malloc(items * sizeof *stencil_owner) : NULL;
    cs_handout *h = k->stencil ? NULL
                               : cs_handout_new(m->work, m->team.threads, items, m->schedule);
    if (!leaves || (!h && !stencil_owner))
        cs_mpi_fatal("out of memory for %llu items", (unsigned long long)items);
    cs_mpi_tree_outcome tree = {CS_OK, 0, {{0}}, 0, 0, 0, 0};

    struct leaves_made made = {CS_OK, {{0}}, 0, 0, 0};
    if (k->stencil)
        run_steps(m, k, p, leaves, stencil_owner, phase->record, &made);
    else
        run_items(m, k, p, leaves, h, &made);
    cs_err e = made.err;
    int rc = made.status;
    if (rc == CS_OK)
        rc = inject_fault(m, k, p, leaves, items, &e);
    if (rc != CS_OK)
        tree = (cs_mpi_tree_outcome){rc, 1, e, 0, 0, 0, 0};
    tree.fail_shared = m->fault.shared && m->fault.rank == m->rank;
    /* Compute ends when the last rank is done, so comm_s measures moving
     * partials, not waiting for a slower rank's items. */
    cs_mpi_check(MPI_Barrier(m->work), "MPI_Barrier");
    double t1 = cs_clock_now();
    /* Who ran what: every rank needs the whole map to walk the tree. */
    const int *owner = h ? cs_handout_owners(h) : stencil_owner;
    double map_s = cs_clock_now() - t1;
    cs_partial *root = NULL;
    cs_mpi_tree_combine(m->work, &m->team, k, p, owner, items, leaves, &root, &tree);
    if (m->fault.shared && m->fault.rank == m->rank && !tree.fail_shared)
        m->fault.fired++;
    cs_handout_free(h);
    free(stencil_owner);
    free(leaves);

    /* The root's row: the slowest rank's phases, every rank's bytes and warnings. */
    struct run_phases mine = {made.compute_s, tree.combine_s, made.comm_s + map_s + tree.comm_s},
                      worst = mine;
    uint64_t bytes = 0, sent = made.comm_bytes + tree.comm_bytes;
    cs_mpi_check(MPI_Reduce(&mine, &worst, 3, MPI_DOUBLE, MPI_MAX, 0, m->work), "MPI_Reduce");
    cs_mpi_check(MPI_Reduce(&sent, &bytes, 1, MPI_UINT64_T, MPI_SUM, 0, m->work),
                 "MPI_Reduce");
    say_local_breakage(m, pins_before);
    unsigned pins = cs_pin_warnings(m->team.pin), all_pins = pins;
    cs_mpi_check(MPI_Reduce(&pins, &all_pins, 1, MPI_UNSIGNED, MPI_BOR, 0, m->work),
                 "MPI_Reduce");
    if (m->rank == 0) {
        note_warnings(m, all_pins);
        say_warnings(m);
    }
    phase->compute_s = worst.compute_s;
    phase->combine_s = worst.combine_s;
    phase->comm_s = worst.comm_s;
    phase->comm_bytes = bytes;

    if (tree.status != CS_OK) {
        if (tree.origin && m->rank != 0)
            cs_error("rank %d: %s", m->rank, tree.err.msg);
        *err = tree.err;
    }
    *result = root;
    return tree.status;
}

/* --profile: every rank's tasks, as bytes, to rank 0's recorder. */
static int mpi_gather_profile(void *ctx, cs_profile *pr)
{
    cs_mpi *m = ctx;
    uint8_t *buf = NULL;
    size_t len = 0;
    int ok = m->rank == 0 || (cs_profile_export(pr, &buf, &len) == 0 && len <= INT_MAX);
    int mine = ok ? (int)len : 0;
    int *lens = NULL, *at = NULL;
    uint8_t *all = NULL;
    if (m->rank == 0) {
        lens = calloc((size_t)m->size, sizeof *lens);
        at = calloc((size_t)m->size, sizeof *at);
        if (!lens || !at)
            cs_mpi_fatal("out of memory gathering the profile");
    }
    cs_mpi_check(MPI_Gather(&mine, 1, MPI_INT, lens, 1, MPI_INT, 0, MPI_COMM_WORLD), "MPI_Gather");
    size_t total = 0;
    for (int r = 0; m->rank == 0 && r < m->size; r++) {
        if (total + (size_t)lens[r] > INT_MAX)
            cs_mpi_fatal("the ranks' profiles are over %d bytes", INT_MAX);
        at[r] = (int)total;
        total += (size_t)lens[r];
    }
    if (m->rank == 0 && !(all = malloc(total ? total : 1)))
        cs_mpi_fatal("out of memory gathering %zu bytes of profile", total);
    cs_mpi_check(MPI_Gatherv(buf, mine, MPI_BYTE, all, lens, at, MPI_BYTE, 0, MPI_COMM_WORLD),
                 "MPI_Gatherv");
    int rc = ok ? 0 : -1;
    for (int r = 1; m->rank == 0 && r < m->size; r++)
        if (cs_profile_import(pr, all + at[r], (size_t)lens[r]) != 0)
            rc = -1; /* a rank's tasks are missing: the graph will say so */
    free(buf);
    free(all);
    free(lens);
    free(at);
    return rc;
}

/* Every rank's team must be able to start (thread_room.h); the fewest any rank could
 * start, and rank 0 says so once. Returns 0 or -1. */
static int threads_fit(cs_mpi *m, unsigned threads, int given)
{
    char why[256];
    int limit = omp_get_thread_limit();
    unsigned room = limit > 0 && threads > (unsigned)limit ? (unsigned)limit : 0;
    if (!room)
        room = cs_thread_room(threads, why, sizeof why);
    unsigned fewest = room;
    cs_mpi_check(MPI_Allreduce(&room, &fewest, 1, MPI_UNSIGNED, MPI_MIN, MPI_COMM_WORLD),
                 "MPI_Allreduce");
    if (fewest >= threads)
        return 0;
    if (m->rank == 0) {
        char what[48];
        snprintf(what, sizeof what, given ? "--threads %u" : "%u threads a rank (the default)",
                 threads);
        if (limit > 0 && threads > (unsigned)limit)
            cs_error("%s: more than OpenMP's thread limit here, %d (OMP_THREAD_LIMIT)", what,
                     limit);
        else
            cs_error("%s: only %u threads could be started on some rank (%s)", what, fewest,
                     room < threads ? why : "that rank's limits");
    }
    return -1;
}

int cs_mpi_setup(cs_mpi *m, const cs_options *o, unsigned threads, const char *driver,
                 cs_exec *ex)
{
    cs_err err = {{0}};
    m->schedule = o->schedule;
    m->decomp = o->decomp;
    m->overlap = o->overlap;
    int rc = cs_pin_open(&m->team.pin, NULL, &err);
    if (worst_over_ranks(rc) != CS_OK) {
        if (rc != CS_OK)
            cs_error("rank %d: %s", m->rank, err.msg);
        return CS_EXIT_FAIL;
    }
    rc = plan_pinning(m, o, &threads, &err);
    if (worst_over_ranks(rc) != CS_OK) {
        if (rc != CS_OK)
            cs_error("rank %d: --bind '%s': %s", m->rank, cs_bind_name(o->bind), err.msg);
        return CS_EXIT_FAIL;
    }
    if (threads_fit(m, threads, (o->groups & CS_OPTS_THREADS) && o->threads) != 0)
        return CS_EXIT_USAGE;
    m->team.threads = threads;
    omp_set_dynamic(0);
    cs_team_bind(&m->team);
    say_local_breakage(m, 0);
    note_warnings(m, bits_over_ranks(cs_pin_warnings(m->team.pin)));
    gather_binding(m, o->bind);
    *ex = (cs_exec){
        .driver = driver, .ranks = (unsigned)m->size, .threads = threads,
        .workers = (unsigned)m->size * threads, .is_root = m->rank == 0,
        .binding = m->binding, .warnings = m->warnings, .ctx = m,
        .run = mpi_run, .prepare = mpi_prepare, .agree = mpi_agree, .barrier = mpi_barrier,
        .gather_profile = mpi_gather_profile, .rank = m->rank,
    };
    return CS_OK;
}

void cs_mpi_show_binding(cs_mpi *m)
{
    unsigned threads = m->team.threads;
    size_t mine_len = (size_t)threads * REPORT_TEXT;
    char *mine = calloc(threads, REPORT_TEXT);
    char *all = m->rank == 0 ? calloc((size_t)m->size, mine_len) : NULL;
    if (!mine || (m->rank == 0 && !all))
        cs_mpi_fatal("out of memory for the binding report");
    for (unsigned w = 0; w < threads; w++) {
        char report[160];
        cs_pin_worker_report(m->team.pin, w, report, sizeof report);
        snprintf(mine + (size_t)w * REPORT_TEXT, REPORT_TEXT, "rank %d thread %u on %s -> %s",
                 m->rank, w, cs_host_name(), report);
    }
    cs_mpi_check(MPI_Gather(mine, (int)mine_len, MPI_CHAR, all, (int)mine_len, MPI_CHAR, 0,
                            MPI_COMM_WORLD),
                 "MPI_Gather");
    if (m->rank == 0) {
        printf("# binding checked after the work: worker -> core, and where it last ran\n");
        for (size_t i = 0; i < (size_t)m->size * threads; i++)
            printf("#   %s\n", all + i * REPORT_TEXT);
        fflush(stdout);
    }
    free(mine);
    free(all);
}

int cs_mpi_finish(cs_mpi *m, int code)
{
    code = worst_over_ranks(code);
    cs_pin_close(m->team.pin);
    MPI_Comm_free(&m->work);
    MPI_Comm_free(&m->node);
    MPI_Finalize();
    free(m);
    return code;
}

int cs_mpi_main(int argc, char **argv, const cs_program_info *info)
{
    cs_message_init(info->name);
    cs_mpi *m = cs_mpi_start(&argc, &argv, info->name);
    if (!m)
        return CS_EXIT_FAIL;
    cs_options o;
    enum cs_parse_result parsed = cs_mpi_parse(m, &o, info, argc, argv);
    if (parsed != CS_PARSE_RUN)
        return cs_mpi_finish(m, parsed == CS_PARSE_DONE ? CS_EXIT_OK : CS_EXIT_USAGE);
    if (o.quiet)
        cs_message_set_silent(1);
    if (check_fault(m) != 0) {
        cs_options_free(&o);
        return cs_mpi_finish(m, CS_EXIT_USAGE);
    }

    unsigned threads = (info->groups & CS_OPTS_THREADS) ? o.threads : 1;
    cs_exec ex;
    int code = cs_mpi_setup(m, &o, threads, info->name, &ex);
    if (code == CS_EXIT_OK) {
        code = cs_cpu_run(&ex, &o);
        if (o.show_binding)
            cs_mpi_show_binding(m);
        if (code != CS_EXIT_USAGE && fault_fired(m) != 0 && code == CS_EXIT_OK)
            code = CS_EXIT_FAIL;
    }
    cs_options_free(&o);
    return cs_mpi_finish(m, code);
}
