/* The --profile recorder: every task of a repetition, its worker, its times and what it waited for. */
#ifndef CS_PROFILE_H
#define CS_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "kernel.h"
#include "span.h"

/*
 * Hooks sit where the drivers run items, combine, and move partials. While
 * no repetition is being recorded (no --profile, warm-ups) each hook is one
 * load and one branch. While recording, each thread appends to its own
 * buffer, reserved before the repetition for two tasks per item, so the hot
 * path takes no lock and rarely allocates.
 *
 * Task ids are fixed by the tree, so a hook needs no bookkeeping of who made
 * which partial: item i is cs_prof_node(i, i + 1), the task that completes
 * node [lo, hi) of the tree is cs_prof_node(lo, hi) (nodes are told apart by
 * cs_tree_mid, which is distinct for every node). Everything else (a helped
 * combine's parts and first segment, messages, a shared root's pieces) gets
 * a fresh id, unique per rank and thread.
 */
typedef uint64_t cs_task_id; /* 0: none */

extern int cs_prof_recording; /* read by the hooks; set between repetitions only */

cs_task_id cs_prof_node(uint64_t lo, uint64_t hi);
/* The MPI shared root's pieces (mpi_tree.c): 0 the split, 1 and 2 the two products. */
cs_task_id cs_prof_piece(unsigned n);

/* A combine shared by a group of ranks (mpi_tree.c): member m's share of node
 * [lo, hi), and with member CS_PROF_GROUP_START the fork its shares depend on. */
cs_task_id cs_prof_group_part(uint64_t lo, uint64_t hi, unsigned member);
#define CS_PROF_GROUP_START 0xfffffu

/* The clock at a task's start, or 0 without a cost when not recording. */
static inline double cs_prof_start(void)
{
    return cs_prof_recording ? cs_clock_now() : 0.0;
}

/* Item `item` ran from start until now on this thread. */
void cs_prof_item(uint64_t item, double start);

/* A task from start until now: `id` (0: a fresh one), its dependencies in
 * order (the first is the one already on this worker's rank, for the
 * replay). Returns its id, 0 when not recording. */
cs_task_id cs_prof_task(enum cs_task_kind kind, cs_task_id id, double start, uint64_t bytes,
                        const cs_task_id *deps, unsigned count);

/* A partial packed (from start until now) and posted to rank `to` under
 * `tag`, made by `producer`; and one received from `from` (waited for since
 * start, unpacked by now). Sends and receives pair up in order per
 * (sender, receiver, tag) when the graph is built, as MPI delivers them. */
cs_task_id cs_prof_send(cs_task_id producer, int to, int tag, double start, uint64_t bytes);
cs_task_id cs_prof_recv(int from, int tag, double start, uint64_t bytes);

/* left op right, recorded as node `id` with children deps[0], deps[1].
 * helpers: the team's threads, or NULL to combine on this thread. While
 * recording, a kernel with combine_helped is always called through it (with
 * helpers that run each part here when none are given: the same bits, by the
 * kernel contract), so that even a one-worker profile shows the parts a
 * helped combine is made of: a chain of segments, each forking parts that
 * the next segment joins. Without recording: combine_helped with helpers,
 * else combine, exactly as before. */
int cs_prof_combine(const cs_kernel *k, const cs_problem *p, cs_partial *left, cs_partial *right,
                    const cs_helpers *helpers, const cs_task_id deps[2], cs_task_id id,
                    cs_partial **out, cs_err *err);

/* ---- the recorder's life, for the case loop ---------------------------------------------- */

typedef struct cs_profile cs_profile;

/* One per process; rank stamps its tasks. NULL when out of memory. */
cs_profile *cs_profile_new(int rank);
void cs_profile_free(cs_profile *pr);

/* Recording on from t0 (the repetition's start on this rank's clock) for a
 * case of `items` items; off again at rep_end. */
void cs_profile_rep_begin(cs_profile *pr, double t0, uint64_t items);
void cs_profile_rep_end(cs_profile *pr);

/* This process's tasks of the repetition as bytes (malloc'd), to gather on
 * the root, which adds them with import. Returns 0, -1 out of memory or a
 * malformed buffer. */
int cs_profile_export(cs_profile *pr, uint8_t **buf, size_t *len);
int cs_profile_import(cs_profile *pr, const uint8_t *buf, size_t len);

/* On the root: the repetition's graph (every imported rank's tasks and its
 * own), messages paired, tasks numbered so that dependencies come first and
 * the items are tasks 1..items in item order. g's text fields and layout are
 * the caller's to fill before or after. Returns 0, -1 out of memory or a
 * dependency on a task nobody recorded. */
int cs_profile_graph(cs_profile *pr, cs_graph *g);

#endif
