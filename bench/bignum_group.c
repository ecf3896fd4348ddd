/* One 70-million-bit product shared by MPI ranks (bignum_mul_group) beside the same product made by one rank. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "bignum.h"
#include "bignum_impl.h"
#include "build_info.h"
#include "clock.h"
#include "heap.h"
#include "message.h"
#include "mpi_check.h"
#include "operands.h"
#include "options.h"

/*
 * mpirun -np P bench/bignum_group [--bits B] [--reps R]
 *
 * Each round times, in turn, bignum_mul of the two operands on rank 0 alone
 * (the others wait), and bignum_mul_group over all P ranks as it chooses,
 * then each way (by the three primes, for 2 to 16 ranks; by slices of one
 * operand; by the split transform), each starting
 * with an even share of each operand's limbs and leaving with its share of
 * the product: the wall time from a common barrier to the last rank's end,
 * and how much of it the slowest rank spent in the exchanges, with the bytes
 * each rank sent to others. Medians over the rounds; the speedup is the
 * serial median over the shared one, and its efficiency that over P. The
 * shared product's value is checked once against the serial one (gathered
 * whole on rank 0), so a wrong product cannot be timed.
 *
 * Each rank also takes its thread's CPU seconds outside the exchanges: the
 * work it did. The busiest rank's, times P, over rank 0's alone is what the
 * way costs beside one rank's product (cs_profile --group-cost), and unlike
 * the wall times it holds when more ranks than cores take turns: a rank's CPU
 * clock stops while it waits for a core (caches it finds colder aside; so
 * that waiting ranks do not spin there, they sleep: wait_asleep). Each rank's
 * median for the chosen way, and the factor were they even, say how much of
 * it is the members' imbalance.
 */

#define DEFAULT_BITS 70000000ULL
#define DEFAULT_REPS 5

typedef struct options {
    unsigned long long bits;
    int reps;
    int chosen_only; /* time only the way bignum_mul_group chooses */
} options;

/* The exchange: Alltoallv over the job, timed, after a flag reduction that
 * tells every rank whether any came failed (the time there is waiting). */
typedef struct wire {
    double exchange_s, wait_s, cpu_s; /* cpu_s: this thread's CPU seconds in them */
    unsigned long long bytes;
    int quiet; /* oversubscribed: wait asleep (wait_asleep) */
} wire;

/* Waits for r to complete asleep between tests of it, as a rank does where the ranks outnumber
 * the cores: one that spins in MPI while it waits takes turns on a core with one at work, and
 * each turn leaves the worker's caches colder, which its CPU seconds would charge to the way
 * (four ranks on two cores, a 73.5-Mbit product: 3,000 to 4,000 involuntary switches per
 * rank, against 70 to 130 asleep). Where every rank has a core, the blocking calls stand, the
 * ones the ways are measured with. */
static int wait_asleep(MPI_Request *r)
{
    for (;;) {
        int done = 0;
        int rc = MPI_Test(r, &done, MPI_STATUS_IGNORE);
        if (rc != MPI_SUCCESS || done)
            return rc;
        nanosleep(&(struct timespec){0, 20000}, NULL);
    }
}

/* The others wait in a collective a rank leaves failed: it ends the job (cs_mpi_check). */
static void barrier(int quiet)
{
    if (!quiet) {
        cs_mpi_check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");
        return;
    }
    MPI_Request r;
    cs_mpi_check(MPI_Ibarrier(MPI_COMM_WORLD, &r), "MPI_Ibarrier");
    cs_mpi_check(wait_asleep(&r), "MPI_Test of MPI_Ibarrier");
}

/* This thread's CPU seconds (the members run single-threaded: no helpers). */
static double thread_cpu_now(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return 0.0;
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int exchange(void *ctx, int failed, const uint64_t *send, const size_t *sw, uint64_t *recv,
                    const size_t *rw)
{
    wire *w = ctx;
    double t0 = cs_clock_now(), c0 = thread_cpu_now();
    int size, me;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Comm_rank(MPI_COMM_WORLD, &me);
    /* before the flag, so that a rank without them comes failed rather than missing the
     * Alltoallv the others wait in */
    int *c = malloc(4 * (size_t)size * sizeof *c);
    int any = failed || !c;
    MPI_Request req;
    if (!w->quiet) {
        cs_mpi_check(MPI_Allreduce(MPI_IN_PLACE, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD),
                     "MPI_Allreduce");
    } else {
        cs_mpi_check(MPI_Iallreduce(MPI_IN_PLACE, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD,
                                    &req), "MPI_Iallreduce");
        cs_mpi_check(wait_asleep(&req), "MPI_Test of MPI_Iallreduce");
    }
    double t1 = cs_clock_now();
    w->wait_s += t1 - t0;
    if (any) {
        free(c);
        w->cpu_s += thread_cpu_now() - c0;
        return 1;
    }
    size_t sat = 0, rat = 0;
    for (int q = 0; q < size; q++) {
        c[q] = (int)sw[q], c[size + q] = (int)sat;
        c[2 * size + q] = (int)rw[q], c[3 * size + q] = (int)rat;
        sat += sw[q], rat += rw[q];
        if (q != me)
            w->bytes += 8 * sw[q];
    }
    if (!w->quiet) {
        cs_mpi_check(MPI_Alltoallv(send, c, c + size, MPI_UINT64_T, recv, c + 2 * size,
                                   c + 3 * size, MPI_UINT64_T, MPI_COMM_WORLD), "MPI_Alltoallv");
    } else {
        cs_mpi_check(MPI_Ialltoallv(send, c, c + size, MPI_UINT64_T, recv, c + 2 * size,
                                    c + 3 * size, MPI_UINT64_T, MPI_COMM_WORLD, &req),
                     "MPI_Ialltoallv");
        cs_mpi_check(wait_asleep(&req), "MPI_Test of MPI_Ialltoallv");
    }
    free(c);
    w->exchange_s += cs_clock_now() - t1;
    w->cpu_s += thread_cpu_now() - c0;
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Each rank's median CPU seconds outside the exchanges in the chosen way (cpu[round][rank]),
 * and the factor the way would cost were they even: how much of it is the busiest rank's
 * excess, which balancing the members' shares would win back. */
static void print_members(double *cpu, int reps, int size, double alone)
{
    double *col = malloc((size_t)reps * sizeof *col), sum = 0;
    if (!col || size < 2)
        goto out;
    printf("# as chosen, each rank's cpu s:");
    for (int q = 0; q < size; q++) {
        for (int k = 0; k < reps; k++)
            col[k] = cpu[(size_t)k * size + q];
        double m = median(col, reps);
        sum += m;
        printf(" %.6f", m);
    }
    printf("; even, it would cost %d:%.2f\n", size, sum / alone);
out:
    free(col);
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: mpirun -np P bignum_group [--bits B] [--reps R] [--chosen-only]\n"
            "One product of two B-bit numbers (default %llu), made by rank 0 alone and\n"
            "shared by all P ranks (bignum_mul_group), R rounds (default %d): medians,\n"
            "speedup, efficiency, the exchanges' share and bytes, the busiest rank's CPU\n"
            "seconds outside them, and the factor cs_profile --group-cost takes, with\n"
            "each rank's CPU seconds in the chosen way and the factor were they even.\n"
            "The way bignum_mul_group chooses at P ranks is timed, then every way it can\n"
            "take; --chosen-only times the chosen one alone (for a profiler).\n",
            DEFAULT_BITS, DEFAULT_REPS);
}

static int parse_options(int argc, char **argv, options *o, int me)
{
    enum { OPT_BITS, OPT_REPS, OPT_CHOSEN, OPT_HELP };
    static const cs_arg_option table[] = {[OPT_BITS] = {"bits", 1, 0},
                                          [OPT_REPS] = {"reps", 1, 0},
                                          [OPT_CHOSEN] = {"chosen-only", 0, 0},
                                          [OPT_HELP] = {"help", 0, 0}};
    o->bits = DEFAULT_BITS;
    o->reps = DEFAULT_REPS;
    o->chosen_only = 0;
    cs_args a;
    cs_args_init(&a, argc, argv, table, sizeof table / sizeof table[0]);
    int id;
    const char *v;
    uint64_t n;
    while ((id = cs_args_next(&a, &v)) != CS_ARGS_END) {
        switch (id) {
        case OPT_BITS:
            if (cs_parse_u64("bits", v, 64 * 600, 1ULL << 34, &n))
                return CS_EXIT_USAGE;
            o->bits = n;
            break;
        case OPT_REPS:
            if (cs_parse_u64("reps", v, 1, 1000, &n))
                return CS_EXIT_USAGE;
            o->reps = (int)n;
            break;
        case OPT_CHOSEN: o->chosen_only = 1; break;
        case OPT_HELP:
            if (me == 0)
                usage(stdout);
            return -1;
        case CS_ARGS_POSITIONAL:
            cs_error("unexpected argument '%s': takes no arguments (see --help)", cs_show(v));
            return CS_EXIT_USAGE;
        default: return CS_EXIT_USAGE;
        }
    }
    return 0;
}

/* The ranks of this job on this rank's node (all of them say). */
static int ranks_on_this_node(void)
{
    MPI_Comm node;
    int n = 1;
    if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node) ==
        MPI_SUCCESS) {
        MPI_Comm_size(node, &n);
        MPI_Comm_free(&node);
    }
    return n;
}

/* This rank's even share of x's limbs, as a piece: value B^at. */
static int share_of(const bignum *x, int me, int size, bignum *piece, uint64_t *at)
{
    size_t lo = x->size * (size_t)me / (size_t)size, hi = x->size * (size_t)(me + 1) / (size_t)size;
    *at = lo;
    if (bignum_reserve(piece, hi - lo + 1))
        return -1;
    memcpy(piece->limbs, x->limbs + lo, (hi - lo) * sizeof *x->limbs);
    piece->size = hi - lo;
    while (piece->size && piece->limbs[piece->size - 1] == 0)
        piece->size--;
    return 0;
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int me, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &me);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    cs_message_init("bignum_group");
    options o;
    /* every rank reads the options; only rank 0 says what is wrong with them */
    int saved = dup(2);
    if (me != 0 && saved >= 0 && !freopen("/dev/null", "w", stderr))
        saved = -1;
    int rc = parse_options(argc, argv, &o, me);
    if (me != 0 && saved >= 0) {
        fflush(stderr);
        dup2(saved, 2);
    }
    if (saved >= 0)
        close(saved);
    if (rc) {
        MPI_Finalize();
        return rc < 0 ? CS_EXIT_OK : rc;
    }
    cs_heap_keep();
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    size_t limbs = (size_t)((o.bits + 63) / 64);
    bignum a, b, r, pa, pb, pr;
    bignum_init(&a), bignum_init(&b), bignum_init(&r);
    bignum_init(&pa), bignum_init(&pb), bignum_init(&pr);
    uint64_t a_at = 0, b_at = 0, r_at = 0;
    /* The way bignum_mul_group takes at this many ranks first, then each way it can take:
     * the primes are shared by two to sixteen ranks only. */
    enum { WAYS = 4 };
    static const int way[WAYS] = {BN_GROUP_CHOOSE, BN_GROUP_PRIMES, BN_GROUP_SLICES,
                                  BN_GROUP_TRANSFORM};
    static const char *way_name[WAYS] = {"as chosen", "by primes", "by slices", "by transform"};
    int runs[WAYS] = {1, !o.chosen_only && size <= BN_GROUP_PRIMES_MEMBERS, !o.chosen_only,
                      !o.chosen_only};
    double *serial = calloc((size_t)o.reps, sizeof(double));
    double *serial_cpu = calloc((size_t)o.reps, sizeof(double));
    double *shared = calloc((size_t)o.reps * WAYS, sizeof(double));
    double *xchg = calloc((size_t)o.reps * WAYS, sizeof(double));
    double *busiest = calloc((size_t)o.reps * WAYS, sizeof(double));
    double *member_cpu = calloc((size_t)o.reps * size, sizeof(double)); /* [round][rank] */
    unsigned long long bytes[WAYS] = {0};
    int ok = serial && serial_cpu && shared && xchg && busiest && member_cpu &&
             !cs_bench_random_bignum(&a, limbs, &seed) &&
             !cs_bench_random_bignum(&b, limbs, &seed) && !share_of(&a, me, size, &pa, &a_at) &&
             !share_of(&b, me, size, &pb, &b_at);
    int all_ok = ok;
    MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (!all_ok) {
        cs_error("out of memory for two %llu-bit operands", o.bits);
        MPI_Abort(MPI_COMM_WORLD, CS_EXIT_FAIL);
    }
    int local = ranks_on_this_node();
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int oversubscribed = cores > 0 && local > cores;
    wire w = {0, 0, 0, 0, oversubscribed};
    bignum_group g = {(unsigned)me, (unsigned)size, exchange, &w};
    if (me == 0) {
        printf("# bignum_group: %zu x %zu limbs (%llu bits each), %d rounds, %d ranks\n", limbs,
               limbs, o.bits, o.reps, size);
        printf("# corescale %s (%s), %s, %s\n", CS_VERSION, CS_REVISION, CS_COMPILER, CS_FLAGS);
        fflush(stdout);
    }
    /* Untimed: the serial product (the reference), and each way's gathered whole. */
    int wrong = me == 0 && bignum_mul(&r, &a, &b) != BN_OK;
    for (int v = 0; v < WAYS; v++) {
        if (!runs[v])
            continue;
        bn_group_force(way[v]);
        if (bignum_mul_group(&pr, &r_at, pa.size ? &pa : NULL, a_at, pb.size ? &pb : NULL, b_at,
                             1, &g, NULL) != BN_OK)
            wrong = 1;
        if (me == 0 && !wrong)
            wrong = r_at != 0 || bignum_cmp(&pr, &r) != 0;
    }
    MPI_Allreduce(MPI_IN_PLACE, &wrong, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (wrong) {
        cs_error("a shared product differs from bignum_mul's (or could not be made)");
        MPI_Abort(MPI_COMM_WORLD, CS_EXIT_FAIL);
    }
    /* Rounds: the serial product, then each way, in turn. */
    for (int k = 0; k < o.reps; k++) {
        barrier(oversubscribed);
        double t0 = cs_clock_now(), c0 = thread_cpu_now();
        if (me == 0 && bignum_mul(&r, &a, &b) != BN_OK)
            MPI_Abort(MPI_COMM_WORLD, CS_EXIT_FAIL);
        serial[k] = cs_clock_now() - t0;
        serial_cpu[k] = thread_cpu_now() - c0;
        for (int v = 0; v < WAYS; v++) {
            if (!runs[v])
                continue;
            bn_group_force(way[v]);
            barrier(oversubscribed);
            w = (wire){0, 0, 0, 0, oversubscribed};
            t0 = cs_clock_now(), c0 = thread_cpu_now();
            if (bignum_mul_group(&pr, &r_at, pa.size ? &pa : NULL, a_at, pb.size ? &pb : NULL,
                                 b_at, 0, &g, NULL) != BN_OK)
                MPI_Abort(MPI_COMM_WORLD, CS_EXIT_FAIL);
            double mine[3] = {cs_clock_now() - t0, w.exchange_s, thread_cpu_now() - c0 - w.cpu_s};
            double worst[3];
            MPI_Reduce(mine, worst, 3, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
            if (v == 0) /* every rank's, for how evenly the chosen way shares the work */
                MPI_Gather(&mine[2], 1, MPI_DOUBLE, member_cpu + (size_t)k * size, 1,
                           MPI_DOUBLE, 0, MPI_COMM_WORLD);
            shared[v * o.reps + k] = worst[0];
            xchg[v * o.reps + k] = worst[1];
            busiest[v * o.reps + k] = worst[2];
            bytes[v] = w.bytes;
        }
    }
    bn_group_force(BN_GROUP_CHOOSE);
    if (me == 0) {
        double s = median(serial, o.reps), sc = median(serial_cpu, o.reps);
        printf("%-30s %10s %9s %11s %12s %11s %10s\n", "", "median s", "speedup", "efficiency",
               "exchanges s", "busiest cpu", "rank 0 MB");
        printf("%-30s %10.4f %9s %11s %12s %11.4f\n", "bignum_mul, rank 0 alone", s, "1.00", "1.00",
               "-", sc);
        for (int v = 0; v < WAYS; v++) {
            if (!runs[v])
                continue;
            double p = median(shared + v * o.reps, o.reps), x = median(xchg + v * o.reps, o.reps);
            double c = median(busiest + v * o.reps, o.reps);
            printf("bignum_mul_group %-13s %10.4f %9.2f %11.2f %12.4f %11.4f %10.1f\n", way_name[v],
                   p, s / p, s / p / size, x, c, (double)bytes[v] / 1e6);
        }
        printf("# %d ranks; exchanges: the slowest rank's seconds in them; busiest cpu: the most "
               "CPU seconds a rank spent outside them; rank 0 MB: what rank 0 sent to the others "
               "in one product\n", size);
        if (oversubscribed)
            printf("# oversubscribed: %d ranks on %ld cores here take turns, so the wall times "
                   "(median, speedup, efficiency, exchanges) are not the ways'; the CPU seconds "
                   "and the factor below are, the waiting ranks asleep, not spinning\n", local,
                   cores);
        /* What the way taken costs beside one rank's product, exchanges aside (the replay
         * charges those by the message model): its busiest rank's work times the ranks, the
         * factor cs_profile takes. */
        double c = median(busiest, o.reps);
        if (size >= 2)
            printf("# for predictions: cs_profile --group-cost %d:%.2f (as chosen: the busiest "
                   "rank's %.6f cpu s x %d ranks / %.6f cpu s alone)\n", size, c * size / sc, c,
                   size, sc);
        print_members(member_cpu, o.reps, size, sc);
    }
    bignum_clear(&a), bignum_clear(&b), bignum_clear(&r);
    bignum_clear(&pa), bignum_clear(&pb), bignum_clear(&pr);
    free(serial), free(serial_cpu), free(shared), free(xchg), free(busiest), free(member_cpu);
    MPI_Finalize();
    return CS_EXIT_OK;
}
