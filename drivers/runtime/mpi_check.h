/* When a rank cannot take part any more: say why, on which rank, and end the job. */
#ifndef CS_MPI_CHECK_H
#define CS_MPI_CHECK_H

/*
 * Every rank of a job waits on its partners, so a rank that cannot go on
 * (a failed MPI call, no memory for the protocol's own bookkeeping) would
 * leave the others waiting forever. It says why and aborts the job with exit
 * status 1 instead. Failures of the work itself (a kernel's item, combine or
 * verification) are not fatal: they travel through the protocol and the job
 * agrees on them.
 */

/* rc is an MPI call's result; anything but MPI_SUCCESS ends the job. */
void cs_mpi_check(int rc, const char *call);

/* "rank R: <why>", then MPI_Abort. */
void cs_mpi_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
