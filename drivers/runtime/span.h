/* Work and span of a recorded task graph, and its replay on p simulated workers. */
#ifndef CS_SPAN_H
#define CS_SPAN_H

#include <stdint.h>
#include <stdio.h>

/*
 * A profile block is one repetition of one case as a graph of tasks
 * (results/README.md, "Profiles"). Compute tasks (item, combine, part,
 * segment, split, join) are work; send and recv are a message: the edge
 * from a producer on one rank to its consumer on another, costing
 * latency + bytes / bandwidth.
 */
enum cs_task_kind {
    CS_TASK_ITEM,    /* one item_run */
    CS_TASK_COMBINE, /* a combine of the fixed tree (a helped one's first serial segment) */
    CS_TASK_PART,    /* one part a helped combine handed to its helpers */
    CS_TASK_SEGMENT, /* a helped combine's serial work after a fork-join of parts */
    CS_TASK_SPLIT,   /* MPI shared root: the right owner cuts its half in two */
    CS_TASK_JOIN,    /* MPI shared root: the two products joined */
    CS_TASK_SEND,    /* a partial packed and posted (deps: its producer) */
    CS_TASK_RECV,    /* that partial received and unpacked (deps: its send) */
    CS_TASK_KINDS
};

const char *cs_task_kind_name(enum cs_task_kind k);
/* -1 when name is no kind. */
int cs_task_kind_parse(const char *name);
int cs_task_is_work(enum cs_task_kind k);

typedef struct cs_task {
    enum cs_task_kind kind;
    int rank, thread;
    double start, end;    /* seconds from the repetition's start */
    uint64_t bytes;       /* send, recv: the message's bytes; else 0 */
    uint32_t dep_at, deps; /* deps are dep[dep_at .. dep_at + deps) of the graph */
} cs_task;

/* Tasks in an order where every dependency comes first: task i is id i + 1. */
typedef struct cs_graph {
    char driver[32], kernel[32], case_name[32], class_name[8], schedule[16];
    unsigned rep, reps, ranks, threads; /* recorded layout: ranks x threads workers */
    uint64_t items;
    cs_task *task;
    uint32_t *dep; /* indices into task (0-based) */
    uint32_t count, dep_count;
} cs_graph;

void cs_graph_free(cs_graph *g);

/* Is g a profile of ranks (cpu_mpi, cpu_hybrid), whose workers are ranks of threads? */
int cs_graph_has_ranks(const cs_graph *g);

/* How messages cost: seconds = latency_s + bytes / bandwidth (bytes per second). */
typedef struct cs_message_model {
    double latency_s, bandwidth;
    unsigned fitted_from; /* messages it was fitted from; 0: the defaults */
} cs_message_model;

#define CS_DEFAULT_LATENCY_S 2e-6
#define CS_DEFAULT_BANDWIDTH 5e9

/* Least squares of each matched message's observed time (recv end - the later
 * of send start and recv start: packing, moving, unpacking, no waiting) over
 * its bytes; the defaults when fewer than two sizes were seen. */
cs_message_model cs_message_fit(const cs_graph *g);

/* A node of the product's tree multiplied by g ranks together (bignum_mul_group): the
 * seconds one of them spends in its exchanges, by the model, from the node's operands'
 * bytes (what a profile records on its combine); 0 for g < 2. The words are bignum's
 * (bn_group_words, for the way bignum_mul_group takes). */
double cs_group_exchange_s(const cs_message_model *m, unsigned g, uint64_t operand_bytes);

typedef struct cs_span_stats {
    double work_s;    /* T1: the compute tasks' seconds */
    double span_s;    /* Tinf: the longest chain, messages at the model's cost */
    double compute_span_s; /* the longest chain with messages free: the predictions' floor */
    double tree_work_s; /* the work after the items: the combines' (and their parts') */
    uint32_t counts[CS_TASK_KINDS];
} cs_span_stats;

/* Returns 0, or -1 when a dependency is not earlier than its task. */
int cs_span_stats_of(const cs_graph *g, const cs_message_model *m, cs_span_stats *out);

/* What a prediction is for: `workers` in all and, for a profile of ranks (cpu_mpi,
 * cpu_hybrid), `threads` of them per rank; 0 keeps the recorded threads per rank. A
 * one-process profile (cpu_serial, cpu_omp) takes threads 0 or equal to workers. */
typedef struct cs_layout {
    unsigned workers, threads;
} cs_layout;

/* "16" or "4x4": the layout as cs_profile --workers takes it. */
void cs_layout_format(cs_layout l, char *buf, size_t size);

/* What a node shared by g ranks costs, as a factor on its recorded parts' time (one rank's
 * helped product): the ways ranks share a product (bignum_mul_group) do more work in all
 * than one rank does, besides their exchanges. A factor holds from its ranks up to the next
 * stated ranks; below the first stated, 1. bench/bignum_group measures it. */
#define CS_GROUP_COST_MAX 16
typedef struct cs_group_cost {
    unsigned count;
    unsigned ranks[CS_GROUP_COST_MAX]; /* rising */
    double factor[CS_GROUP_COST_MAX];
} cs_group_cost;

/* The factor for a node shared by g ranks: 1 for g < 2 or none stated. */
double cs_group_cost_factor(const cs_group_cost *c, unsigned g);

/* What the replay of a profile of ranks charges besides the recorded times: `shared`, the
 * ways' factors for nodes shared by ranks (NULL: their parts' time); `unhelped`, what a node
 * a rank of one thread holds alone costs per second of its recorded parts (0: 1). A profile
 * records every combine helped, its transform cut into parts; a rank of one thread runs the
 * plain product (cs_team_combine_node), which costs less. */
typedef struct cs_replay_cost {
    const cs_group_cost *shared;
    double unhelped;
} cs_replay_cost;

/* The graph replayed on `workers` simulated workers (see span.c; cpu_omp and
 * cpu_serial profiles by cs_team_tree's rules, span_team.c): the finishing
 * time. With one worker it is the work. */
double cs_span_replay(const cs_graph *g, const cs_message_model *m, unsigned workers);
/* The same for a layout, charged as `cost` says (NULL: the recorded times); -1 for a
 * one-process profile given ranks. */
double cs_span_replay_layout(const cs_graph *g, const cs_message_model *m, cs_layout l,
                             const cs_replay_cost *cost);

/* The predicted time at p workers (or layout l): the replay, never below T1/p nor the
 * span of the compute tasks (messages are the replay's to charge, where a layout pays them),
 * the combines in both at cost's unhelped where the replay takes it and it is below 1. */
double cs_span_predict(const cs_graph *g, const cs_message_model *m, const cs_span_stats *s,
                       unsigned workers);
double cs_span_predict_layout(const cs_graph *g, const cs_message_model *m,
                              const cs_span_stats *s, cs_layout l,
                              const cs_replay_cost *cost);

/* What a user states of the machine a prediction is for (cs_profile --latency, --bandwidth,
 * --group-cost, --serial): a latency or bandwidth below zero is not stated, and the graph's
 * fit stands; serial_s, a measured cpu_serial time of the case, above 0 puts the speedups
 * against it instead of the prediction at one worker (the work), and for a profile one rank
 * of cpu_mpi or cpu_hybrid recorded prices the nodes a rank of one thread holds alone as
 * cpu_serial's combines were (cs_span_unhelped); shared.count 0: factor 1. */
typedef struct cs_span_given {
    double latency_s, bandwidth, serial_s;
    cs_group_cost shared;
} cs_span_given;
#define CS_SPAN_NOT_GIVEN ((cs_span_given){-1.0, -1.0, 0.0, {0}})

/* What a combine run unhelped costs per second of the profile's (helped) combines, from a
 * measured cpu_serial time of the case: (serial_s - the items' work) / the tree's work, as
 * cpu_serial runs the same items and then every combine unhelped. 0 where that is not above
 * 0 (a serial time below the items' work: not this case's). For a profile one rank recorded:
 * in one of several ranks the tree's work holds the shared nodes' parts, each rank's time in
 * the group's product, exchanges included, above one rank's helped product, so it reads low. */
double cs_span_unhelped(const cs_span_stats *s, double serial_s);

/* The table people read: `prefix` starts every line ("# profile n=63"). Messages
 * cost what `given` states, and what it does not, cs_message_fit's model. */
void cs_span_print(FILE *f, const char *prefix, const cs_graph *g, const cs_layout *layouts,
                   unsigned count, const cs_span_given *given);

#endif
