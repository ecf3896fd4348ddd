/* A pinned team of OpenMP threads: prepares items, runs them, combines the tree. */
#ifndef CS_OMP_TEAM_H
#define CS_OMP_TEAM_H

#include <stdint.h>

#include "kernel.h"
#include "options.h"
#include "pin.h"
#include "profile.h"
#include "tree.h" /* cs_static_start, cs_tree_unit_depth */

/*
 * Items come to the threads from a source. Whatever the source, a worker runs
 * whole items into leaves[item]; which thread ran an item never changes its
 * partial, and the tree (cs_tree_mid) alone decides how partials combine, so
 * results do not depend on the thread count.
 */
typedef struct cs_source {
    /* Items [*lo, *hi) for thread tid, or 0 when the source is exhausted. A
     * source is always drained to the end, even after a failure, so that a
     * source fed by messages (MPI) completes its protocol. */
    int (*next)(void *ctx, unsigned tid, uint64_t *lo, uint64_t *hi);
    void *ctx;
} cs_source;

/* Static: thread tid of this team is global worker base + tid of `workers`. */
typedef struct cs_static_source {
    uint64_t items;
    unsigned workers, base;
    uint8_t *given; /* per thread: its block was handed out (team-sized, zeroed) */
} cs_static_source;
int cs_static_next(void *ctx, unsigned tid, uint64_t *lo, uint64_t *hi);

/* Dynamic, keeping first touch: thread t runs the items of its own static
 * block (the ones it prepared) front to back, one at a time; then it takes
 * items one at a time from the other threads' blocks, the next thread's
 * first, so the work still balances to the item. next[t] (team-sized) starts
 * at cs_static_start(items, threads, t) and is taken atomically. */
typedef struct cs_owned_source {
    uint64_t items;
    unsigned threads;
    uint64_t *next;
} cs_owned_source;
void cs_owned_start(cs_owned_source *s);
int cs_owned_next(void *ctx, unsigned tid, uint64_t *lo, uint64_t *hi);

/* Guided: a shared counter over [next, end) hands out a shrinking share of
 * what is left (at least one), in index order, as OpenMP's guided does. */
typedef struct cs_guided_source {
    uint64_t next, end; /* next is taken atomically */
    unsigned threads;
} cs_guided_source;
int cs_guided_next(void *ctx, unsigned tid, uint64_t *lo, uint64_t *hi);

typedef struct cs_team {
    unsigned threads;
    cs_pin *pin; /* NULL: no pinning or checks */
} cs_team;

/* Binds every thread of the team and checks where each runs: done once before
 * the first case, so the header can say whether binding works. */
void cs_team_bind(const cs_team *t);

/* item_prepare on the threads that own each item under the static mapping:
 * thread tid prepares global worker base+tid's block of `workers`. */
int cs_team_prepare(const cs_team *t, const cs_kernel *k, cs_problem *p, unsigned workers,
                    unsigned base, cs_err *err);

/* Runs every item the source hands out into leaves[item]. Each thread binds
 * itself first and checks where it ran last. On failure the first error is
 * returned; partials already made stay in leaves for the caller to free. */
int cs_team_run(const cs_team *t, const cs_kernel *k, cs_problem *p, const cs_source *src,
                cs_partial **leaves, cs_err *err);

/* One combine, with the team's threads helping when `helped` and the kernel
 * can use them (combine_helped); otherwise combine on this thread. Inside
 * the team's region or outside any. */
int cs_team_combine(const cs_team *t, int helped, const cs_kernel *k, const cs_problem *p,
                    cs_partial *left, cs_partial *right, cs_partial **out, cs_err *err);
/* The same, for --profile: the combine is task `node` on `children` (profile.h). */
int cs_team_combine_node(const cs_team *t, int helped, const cs_kernel *k, const cs_problem *p,
                         cs_partial *left, cs_partial *right, const cs_task_id children[2],
                         cs_task_id node, cs_partial **out, cs_err *err);

/* The team's threads lent to one step's parts (kernel.h): run is NULL when the team
 * has one thread. Outside the team's region. */
cs_helpers cs_team_helpers(const cs_team *t);

/* Combines subtrees [lo[i], hi[i]) of leaves into out[i] along cs_tree_mid:
 * below a depth that gives every thread several subtrees, each subtree
 * serially by one thread; above it, each node by the thread that brings it
 * its second child. Once every subtree is taken, threads that run out of
 * work help each combine left (cs_team_combine). Consumes the leaves. */
int cs_team_tree(const cs_team *t, const cs_kernel *k, const cs_problem *p, cs_partial **leaves,
                 const uint64_t *lo, const uint64_t *hi, unsigned count, cs_partial **out,
                 cs_err *err);

/* Whether a team of `threads` can start here: within OpenMP's thread limit, and the
 * system lets that many threads run (thread_room.h). Returns 0, or -1 after a message
 * naming the count (as --threads when given) and the limit. */
int cs_team_room(unsigned threads, int given);

#endif
