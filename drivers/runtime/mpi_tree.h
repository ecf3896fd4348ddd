/* The fixed combine tree across MPI ranks: the same nodes as cs_tree_combine, rank to rank. */
#ifndef CS_MPI_TREE_H
#define CS_MPI_TREE_H

#include <mpi.h>
#include <stdint.h>

#include "kernel.h"
#include "omp_team.h"

/*
 * Every rank knows which rank ran each item. A node whose items all ran on
 * one rank is combined there (by its OpenMP team, cs_team_tree); a node
 * spanning ranks is combined by the rank that ran its first item, which
 * receives the right half's packed partial from the rank that holds it.
 * Every rank walks the spanning nodes in the same post-order, so the sends
 * and receives pair up without deadlock, and the arithmetic is exactly
 * cs_tree_mid's. Single-rank right halves owed to another rank are combined
 * first and sent at once (non-blocking), before the rank's other subtrees, so
 * their receiver need not wait for the sender's walk. When the kernel can
 * split a combine (split, join), the root's two owners share it. Finally
 * the root's owner sends it to rank 0.
 *
 * A rank that has failed (before or during the tree) still walks the whole
 * tree, sending a "failed" mark instead of each partial it owes, so no rank
 * waits forever and the failure reaches rank 0.
 */

/* How the tree went on this rank, and what it cost. */
typedef struct cs_mpi_tree_outcome {
    int status;          /* CS_OK, or the first failure this rank made or heard of */
    int origin;          /* the failure started on this rank: err says why */
    cs_err err;
    double combine_s;    /* seconds combining partials, and waiting for a partner
                            still combining (the tree's own critical path) */
    double comm_s;       /* seconds packing, receiving and unpacking partials */
    uint64_t comm_bytes; /* packed partial bytes this rank sent */
    int fail_shared;     /* in: fail midway through this rank's first shared combine
                            (CS_FAULT); out: 0 once that happened */
} cs_mpi_tree_outcome;

/* Combines the items' partials along cs_tree_mid across the ranks of comm.
 * owner[i] is the rank that ran item i (the same map on every rank); on that
 * rank leaves[i] holds its partial; for a kernel whose ranks multiply shared nodes
 * together, stolen items go home first (cs_handout_home) and the tree
 * follows the homes. out->status on entry is this rank's state
 * so far (set origin and err with a failure). Consumes the leaves. On rank 0
 * *root is the root's partial, NULL after a failure; NULL elsewhere. */
void cs_mpi_tree_combine(MPI_Comm comm, const cs_team *team, const cs_kernel *k,
                         const cs_problem *p, const int *owner, uint64_t items,
                         cs_partial **leaves, cs_partial **root, cs_mpi_tree_outcome *out);

#endif
