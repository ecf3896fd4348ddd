/* mpi_pingpong: what a message costs between two ranks, in the terms cs_profile predicts with. */
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "clock.h"
#include "message.h"
#include "options.h"

/*
 * Ranks 0 and 1 send a message back and forth; half a round trip is one
 * message's time, t(bytes). Sizes go from 8 bytes to --max-bytes by factors
 * of 8; each size runs batches of round trips until a batch takes at least
 * BATCH_SECONDS, and the best of BATCHES batches stands (a neighbour's burst
 * only ever adds time). The model cs_profile takes is then
 *   latency   = t(8 bytes),
 *   bandwidth = the largest size / (t(largest) - latency),
 * printed as the options to pass it. Ranks past the first two only wait.
 */
#define BATCH_SECONDS 0.02
#define BATCHES 5
#define DEFAULT_MAX_BYTES (16u << 20)

static void usage(void)
{
    printf("usage: mpirun -np 2 mpi_pingpong [--max-bytes B]\n"
           "One message's time between ranks 0 and 1 (half a round trip, best of %d\n"
           "batches) for 8 bytes to B bytes (default %u, at most 1 GiB) by factors of 8;\n"
           "then the latency and bandwidth that cs_profile --latency --bandwidth takes.\n"
           "Run it with the ranks placed as the run to predict would place them (two\n"
           "hosts for a cluster: mpirun --host h1,h2 -np 2).\n"
           "Exit 0 done, 2 bad arguments or fewer than 2 ranks.\n",
           BATCHES, DEFAULT_MAX_BYTES);
}

/* -1 after --help, else 0 or the exit code. */
static int parse_options(int argc, char **argv, uint64_t *max_bytes)
{
    enum { OPT_MAX_BYTES, OPT_HELP };
    static const cs_arg_option table[] = {[OPT_MAX_BYTES] = {"max-bytes", 1, 0},
                                          [OPT_HELP] = {"help", 0, 0}};
    *max_bytes = DEFAULT_MAX_BYTES;
    cs_args a;
    cs_args_init(&a, argc, argv, table, sizeof table / sizeof table[0]);
    int id;
    const char *v;
    while ((id = cs_args_next(&a, &v)) != CS_ARGS_END) {
        switch (id) {
        case OPT_MAX_BYTES:
            if (cs_parse_u64("max-bytes", v, 64, 1u << 30, max_bytes))
                return CS_EXIT_USAGE;
            break;
        case OPT_HELP: usage(); return -1;
        case CS_ARGS_POSITIONAL:
            cs_error("unexpected argument '%s': takes no arguments (see --help)", cs_show(v));
            return CS_EXIT_USAGE;
        default: return CS_EXIT_USAGE;
        }
    }
    return 0;
}

/* Seconds per message of `rounds` round trips of `bytes` (ranks 0 and 1). */
static double batch(int me, char *buf, size_t bytes, long rounds)
{
    MPI_Barrier(MPI_COMM_WORLD);
    double t0 = cs_clock_now();
    for (long r = 0; r < rounds; r++) {
        if (me == 0) {
            MPI_Send(buf, (int)bytes, MPI_BYTE, 1, 0, MPI_COMM_WORLD);
            MPI_Recv(buf, (int)bytes, MPI_BYTE, 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        } else if (me == 1) {
            MPI_Recv(buf, (int)bytes, MPI_BYTE, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            MPI_Send(buf, (int)bytes, MPI_BYTE, 0, 0, MPI_COMM_WORLD);
        }
    }
    double seconds = cs_clock_now() - t0;
    /* rank 0's clock decides for both, so both run the same rounds next */
    MPI_Bcast(&seconds, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    return seconds / (2.0 * (double)rounds);
}

/* The best time of one message of `bytes`, round trips growing until a batch is long enough. */
static double one_way(int me, char *buf, size_t bytes)
{
    long rounds = 1;
    while (batch(me, buf, bytes, rounds) * 2.0 * (double)rounds < BATCH_SECONDS && rounds < (1L << 24))
        rounds *= 4;
    double best = 1e30;
    for (int b = 0; b < BATCHES; b++) {
        double t = batch(me, buf, bytes, rounds);
        if (t < best)
            best = t;
    }
    return best;
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int me, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &me);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    cs_message_init("mpi_pingpong");
    /* every rank reads the options; only rank 0 says what is wrong with them, and only
     * rank 0 prints the table */
    if (me != 0 && (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr)))
        MPI_Abort(MPI_COMM_WORLD, CS_EXIT_FAIL);
    uint64_t max_bytes;
    int rc = parse_options(argc, argv, &max_bytes);
    if (!rc && size < 2) {
        cs_error("%d rank: a ping-pong needs 2 (mpirun -np 2)", size);
        rc = CS_EXIT_USAGE;
    }
    if (rc) {
        MPI_Finalize();
        return rc < 0 ? CS_EXIT_OK : rc;
    }
    char *buf = calloc(1, max_bytes);
    int ok = buf != NULL, all_ok;
    MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (!all_ok) {
        cs_error("no memory for a message of %llu bytes", (unsigned long long)max_bytes);
        free(buf);
        MPI_Finalize();
        return CS_EXIT_FAIL;
    }
    printf("# mpi_pingpong: ranks 0 and 1 of %d; one message's time, best of %d batches\n", size,
           BATCHES);
    printf("%12s %14s %12s\n", "bytes", "one_way_us", "MB/s");
    double latency = 0, t = 0;
    uint64_t bytes = 8, last = 8;
    for (; bytes <= max_bytes; bytes *= 8) {
        t = one_way(me, buf, (size_t)bytes);
        if (bytes == 8)
            latency = t;
        last = bytes;
        printf("%12llu %14.3f %12.1f\n", (unsigned long long)bytes, t * 1e6, (double)bytes / t / 1e6);
        fflush(stdout);
    }
    /* A largest message no slower than the smallest leaves no time to move bytes in:
     * say so rather than print an infinite bandwidth. */
    if (t > latency) {
        double bandwidth = (double)last / (t - latency);
        printf("# latency %.3g s, bandwidth %.3g B/s (from 8 and %llu bytes)\n", latency,
               bandwidth, (unsigned long long)last);
        printf("cs_profile --latency %.3g --bandwidth %.3g\n", latency, bandwidth);
    } else {
        printf("# latency %.3g s; %llu bytes took no longer: raise --max-bytes\n", latency,
               (unsigned long long)last);
    }
    free(buf);
    MPI_Finalize();
    return CS_EXIT_OK;
}
