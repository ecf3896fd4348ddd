/* A rank that cannot take part any more ends the job, after saying why. */
#include "mpi_check.h"

#include <mpi.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "message.h"

void cs_mpi_fatal(const char *fmt, ...)
{
    int rank = -1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    char why[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    cs_error("rank %d: %s", rank, why);
    MPI_Abort(MPI_COMM_WORLD, CS_EXIT_FAIL);
    exit(CS_EXIT_FAIL); /* MPI_Abort does not return; this says so to the compiler */
}

void cs_mpi_check(int rc, const char *call)
{
    if (rc == MPI_SUCCESS)
        return;
    char text[MPI_MAX_ERROR_STRING] = "";
    int len = 0;
    MPI_Error_string(rc, text, &len);
    cs_mpi_fatal("%s failed: %s", call, text);
}
