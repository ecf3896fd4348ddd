/* Halos between MPI ranks: each step, one message each way to every rank that owns a neighbouring block. */
#ifndef CS_MPI_HALO_H
#define CS_MPI_HALO_H

#include <mpi.h>
#include <stdint.h>

#include "kernel.h"
#include "omp_steps.h"
#include "stencil_plan.h"

/*
 * Every face between a block of this rank and a block of another is a link.
 * The links to one peer travel together: the sender packs its faces in the
 * order of the receiving block and face, which is the order the receiver
 * unpacks them in, so the two sides agree without telling each other. post
 * (receives first, then pack and send) and finish (wait, unpack) are the
 * cs_halo_exchange a team runs on its first thread. MPI failures end the job
 * (mpi_check.h).
 */
typedef struct cs_mpi_halo cs_mpi_halo;

/* The links of `rank` under plan (one part a rank), on a duplicate of comm.
 * Collective. NULL when out of memory (after which the job is ended). */
cs_mpi_halo *cs_mpi_halo_new(MPI_Comm comm, const cs_kernel *k, cs_problem *p,
                             const cs_block_plan *plan, int rank);
void cs_mpi_halo_free(cs_mpi_halo *h);

cs_halo_exchange cs_mpi_halo_exchange(cs_mpi_halo *h);
/* Bytes this rank has sent so far. */
uint64_t cs_mpi_halo_bytes_sent(const cs_mpi_halo *h);
/* Peers this rank exchanges with. */
unsigned cs_mpi_halo_peers(const cs_mpi_halo *h);

#endif
