/* Pinning workers to cores with hwloc: plan, bind, check where they ran, report. */
#ifndef CS_PIN_H
#define CS_PIN_H

#include <stddef.h>

#include "kernel.h"
#include "options.h"

/*
 * A process plans once: `total` workers are spread with hwloc_distrib over a
 * CPU set (by default the one this process was given by taskset, mpirun or
 * Slurm), each set reduced to one PU (hwloc_bitmap_singlify) so a worker
 * cannot wander between SMT siblings; this process keeps the workers
 * [first, first + count). Each worker binds itself (cs_pin_bind_self), and
 * after its work checks where it last ran (cs_pin_check_self).
 *
 * "Not supported here" (no binding on this system, a synthetic topology) is
 * told apart from "broken" (the system refused a set it should accept, or a
 * bound worker was found running elsewhere): different warning words.
 */

typedef struct cs_pin cs_pin;

/* Warning bits; cs_pin_warning_words() spells them for the CSV column. */
enum cs_pin_warning {
    CS_PIN_WARN_OVERSUBSCRIBED = 1u << 0, /* more workers than cores (or PUs) */
    CS_PIN_WARN_SMT = 1u << 1,            /* workers on SMT siblings of one core */
    CS_PIN_WARN_UNSUPPORTED = 1u << 2,    /* binding or checking not supported here */
    CS_PIN_WARN_BROKEN = 1u << 3,         /* binding refused, or a worker ran elsewhere */
};

/* Loads the topology of this machine, or of `synthetic` ("core:4 pu:2"; for
 * tests: nothing can be bound there). The environment variable
 * HWLOC_SYNTHETIC is honoured by hwloc itself. */
int cs_pin_open(cs_pin **out, const char *synthetic, cs_err *err);
void cs_pin_close(cs_pin *pin);

/* The CPU set this process may run on, as a list ("0-3,8"). */
const char *cs_pin_process_set(const cs_pin *pin);
/* Physical cores and PUs in a set given as a list (NULL: the process's set);
 * 0 for a set that is empty or malformed. */
unsigned cs_pin_cores_in(const cs_pin *pin, const char *set);
unsigned cs_pin_pus_in(const cs_pin *pin, const char *set);
/* Physical cores the system allows at all (the cgroup), whatever this process's binding. */
unsigned cs_pin_cores_allowed(const cs_pin *pin);

/*
 * Ranks of one node: given every local rank's process set, where should rank
 * `me` plan? Sets that are pairwise disjoint (mpirun or Slurm gave each rank
 * its own cores) are each rank's own: *share is me's set, *slots_before 0,
 * *ranks_sharing 1. Otherwise every rank plans over the union, workers
 * numbered rank by rank: *slots_before = me, *ranks_sharing = count.
 * *share and *node (the union, or NULL not to ask) are malloc'd lists.
 * Returns CS_OK, or CS_EINVAL for a malformed set.
 */
int cs_pin_node_share(const char *const *sets, unsigned count, unsigned me, char **share,
                      char **node, unsigned *slots_before, unsigned *ranks_sharing, cs_err *err);

/* Plans `total` workers over `set` (NULL: the process's set) with binding
 * `bind`; this process keeps workers [first, first + count). */
int cs_pin_plan(cs_pin *pin, enum cs_bind bind, const char *set, unsigned total, unsigned first,
                unsigned count, cs_err *err);

/* Called by worker w (0 <= w < count) on its own thread: binds it. A worker
 * that cannot be bound runs on unpinned: the warnings say so (unsupported, or
 * broken with the failure's text), never the return of this call. */
void cs_pin_bind_self(cs_pin *pin, unsigned w);
/* Called by worker w after its work: where did it last run? */
void cs_pin_check_self(cs_pin *pin, unsigned w);

/* Warning bits so far (plan, binding and checks). */
unsigned cs_pin_warnings(const cs_pin *pin);
/* "oversubscribed;smt" for bits (empty for none) into buf. */
void cs_pin_warning_words(unsigned bits, char *buf, size_t size);
/* One stderr warning per bit, with what it means for the timings; failure is
 * cs_pin_failure()'s text (or NULL). */
void cs_pin_warn(unsigned bits, unsigned workers, unsigned cores, const char *failure);

/* The planned PU of worker w (an OS index), or -1 when not pinned. */
int cs_pin_worker_pu(const cs_pin *pin, unsigned w);
/* The PU where worker w was last seen running, or -1 when unknown. */
int cs_pin_worker_ran_on(const cs_pin *pin, unsigned w);
/* "core L#1 (PU P#1), ran on PU P#1" for --show-binding. */
void cs_pin_worker_report(const cs_pin *pin, unsigned w, char *buf, size_t size);
/* "core: 0->P#0 1->P#1" for the header (workers numbered from `first`); long
 * lists end in "...". */
void cs_pin_describe(const cs_pin *pin, char *buf, size_t size);
/* The first binding failure's message ("" when none): names the set and errno. */
const char *cs_pin_failure(const cs_pin *pin);

#endif
