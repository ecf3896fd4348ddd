/* cs_profile: work, span, parallelism and predicted speedups from a --profile file. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "args.h"
#include "build_info.h"
#include "message.h"
#include "options.h"
#include "profile_file.h"
#include "span.h"
#include "stencil_profile.h"

static const unsigned default_workers[] = {2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

/* A finite number in [min, max] (min < x when open_min) from all of text; else the message
 * naming the option and -1. */
static int parse_real(const char *opt, const char *text, double min, int open_min, double max,
                      const char *what, double *out)
{
    char *end;
    errno = 0;
    double x = strtod(text, &end);
    if (!*text || *end || errno || !(x >= min && x <= max) || (open_min && x == min)) {
        cs_error("--%s '%s': %s", opt, cs_show(text), what);
        return -1;
    }
    *out = x;
    return 0;
}

/* One --workers item: a count ("16") or a layout of ranks x threads ("4x4"), 1 to 65536
 * workers in all. Returns 0, or -1 after the message naming the item. */
static int parse_layout(const char *item, cs_layout *out)
{
    const char *x = strchr(item, 'x');
    if (!x) {
        uint64_t w;
        if (cs_parse_u64("workers", item, 1, 65536, &w) != 0)
            return -1;
        *out = (cs_layout){(unsigned)w, 0};
        return 0;
    }
    char *end = NULL;
    unsigned long long r = 0, t = 0;
    errno = 0;
    if (isdigit((unsigned char)item[0]))
        r = strtoull(item, &end, 10);
    if (r && end == x && isdigit((unsigned char)x[1]))
        t = strtoull(x + 1, &end, 10);
    if (errno || !r || !t || *end || r > 65536 || t > 65536 || r * t > 65536) {
        cs_error("--workers '%s': a layout is RANKSxTHREADS, 1 to 65536 workers in all",
                 cs_show(item));
        return -1;
    }
    *out = (cs_layout){(unsigned)(r * t), (unsigned)t};
    return 0;
}

/* --workers LIST, comma-separated, at most `cap` items. Returns how many, or -1. */
static int parse_layouts(const char *text, cs_layout *out, unsigned cap)
{
    unsigned n = 0;
    for (const char *at = text;;) {
        size_t len = strcspn(at, ",");
        if (len == 0) {
            cs_error("--workers '%s': empty item in the list", cs_show(text));
            return -1;
        }
        if (n == cap) {
            cs_error("--workers '%s': too many items, at most %u", cs_show(text), cap);
            return -1;
        }
        char *item = strndup(at, len);
        if (!item) {
            cs_error("--workers: out of memory");
            return -1;
        }
        int rc = parse_layout(item, &out[n++]);
        free(item);
        if (rc != 0)
            return -1;
        if (!at[len])
            return (int)n;
        at += len + 1;
    }
}

/* --group-cost G:F,...: from G ranks on, a shared node costs F times its parts; G rising
 * from 2, F from 0.1 to 100. Returns 0, or -1 after the message naming the item. */
static int parse_group_cost(const char *text, cs_group_cost *c)
{
    c->count = 0;
    for (const char *at = text;;) {
        size_t len = strcspn(at, ",");
        if (len == 0) {
            cs_error("--group-cost '%s': empty item in the list", cs_show(text));
            return -1;
        }
        char *item = strndup(at, len), *end = NULL;
        if (!item) {
            cs_error("--group-cost: out of memory");
            return -1;
        }
        unsigned long long g = 0;
        double f = 0.0;
        errno = 0;
        if (isdigit((unsigned char)item[0]))
            g = strtoull(item, &end, 10);
        int ok = end && *end == ':' && !errno && g >= 2 && g <= 65536;
        if (ok) { /* digits and a point only: no spaces, signs, hex or exponents */
            char *fend;
            ok = strspn(end + 1, "0123456789.") == strlen(end + 1);
            f = strtod(end + 1, &fend);
            ok = ok && end[1] && !*fend && !errno && f >= 0.1 && f <= 100.0;
        }
        if (!ok || c->count == CS_GROUP_COST_MAX || (c->count && g <= c->ranks[c->count - 1])) {
            if (!ok)
                cs_error("--group-cost '%s': an item is RANKS:FACTOR, ranks from 2 to 65536, "
                         "a factor from 0.1 to 100", cs_show(item));
            else if (c->count == CS_GROUP_COST_MAX)
                cs_error("--group-cost '%s': at most %d items", cs_show(text), CS_GROUP_COST_MAX);
            else
                cs_error("--group-cost '%s': ranks must rise from item to item", cs_show(text));
            free(item);
            return -1;
        }
        free(item);
        c->ranks[c->count] = (unsigned)g;
        c->factor[c->count++] = f;
        if (!at[len])
            return 0;
        at += len + 1;
    }
}

/* A layout of several ranks asks for a profile of ranks. */
static int check_layouts(const cs_graph *g, unsigned block, const cs_layout *l, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (l[i].threads && l[i].threads != l[i].workers && !cs_graph_has_ranks(g)) {
            char name[32];
            cs_layout_format(l[i], name, sizeof name);
            cs_error("--workers '%s': block %u is %s's, one process; a layout of ranks needs a "
                     "cpu_mpi or cpu_hybrid profile", name, block, g->driver);
            return -1;
        }
    return 0;
}

/* --serial is one case's time: every block must be a repetition of the first one's case. */
static int check_one_case(const cs_graph *blocks, unsigned b)
{
    const cs_graph *a = &blocks[0], *g = &blocks[b];
    if (strcmp(a->kernel, g->kernel) == 0 && strcmp(a->case_name, g->case_name) == 0)
        return 0;
    cs_error("--serial: block %u is %s %s, block 1 %s %s; a serial time is one case's, so give "
             "a profile of one case", b + 1, g->kernel, g->case_name, a->kernel, a->case_name);
    return -1;
}

static void usage(void)
{
    printf("Usage: cs_profile [--workers LIST] [--latency S] [--bandwidth B] [--group-cost G:F,...]\n"
           "                  [--serial S] FILE\n"
           "Read a profile a CPU driver wrote with --profile FILE and print, per case and\n"
           "repetition, what the drivers print after each case: work (the compute tasks'\n"
           "seconds), span (the longest chain of dependent tasks, messages at the fitted\n"
           "cost), parallelism (work / span) and the time, speedup and efficiency the\n"
           "task graph allows on more workers (a replay under the drivers' rules;\n"
           "results/README.md, \"Profiles\"). A stencil's blocks (heat) give work, span and\n"
           "the halo exchange from their steps' sums.\n\n"
           "Options:\n"
           "  --workers LIST   worker counts to predict, comma-separated (default\n"
           "                   2,4,8,...,1024); for a cpu_mpi or cpu_hybrid profile also\n"
           "                   RANKSxTHREADS (e.g. 4x4): so many ranks of so many threads,\n"
           "                   where a plain count keeps the recorded threads per rank\n"
           "                   (a profile recorded with one thread per rank predicts any)\n"
           "  --latency S      a message's fixed cost in seconds (0 to 1), and\n"
           "  --bandwidth B    its bytes per second (e.g. 1.2e10), for the network the\n"
           "                   prediction is for (bench/mpi_pingpong measures both);\n"
           "                   otherwise fitted to the run's messages, or 2e-06 s and\n"
           "                   5e+09 B/s where it has too few\n"
           "  --group-cost G:F,...  for a cpu_mpi or cpu_hybrid profile: a node shared\n"
           "                   by G or more ranks (up to the next G) costs F times the\n"
           "                   parts one rank recorded (default 1: the ways ranks share a\n"
           "                   product do no more work than one rank); mpirun -np G\n"
           "                   bench/bignum_group prints its G:F\n"
           "  --serial S       a measured cpu_serial time of the case, in seconds: the\n"
           "                   speedups are against it, as the drivers' rows are, and not\n"
           "                   against the work (a profile records every combine through\n"
           "                   its helped path, which may cost more than the plain one);\n"
           "                   for a cpu_mpi or cpu_hybrid profile one rank recorded, a\n"
           "                   node a rank of one thread holds alone (and multiplies\n"
           "                   unhelped) then costs what cpu_serial's combines did per\n"
           "                   second the profile recorded\n"
           "  --help           this help\n"
           "  --version        version and build\n\n"
           "Options are long only, never abbreviated, each given once.\n"
           "Exit status: 0 done, 1 the file is malformed (the message names the line),\n"
           "2 the command line was wrong or the file cannot be opened.\n");
}

int main(int argc, char **argv)
{
    cs_message_init("cs_profile");
    enum { OPT_WORKERS, OPT_LATENCY, OPT_BANDWIDTH, OPT_SERIAL, OPT_GROUP_COST, OPT_HELP,
           OPT_VERSION };
    static const cs_arg_option table[] = {
        [OPT_WORKERS] = {"workers", 1, 0},     [OPT_LATENCY] = {"latency", 1, 0},
        [OPT_BANDWIDTH] = {"bandwidth", 1, 0}, [OPT_SERIAL] = {"serial", 1, 0},
        [OPT_GROUP_COST] = {"group-cost", 1, 0}, [OPT_HELP] = {"help", 0, 0},
        [OPT_VERSION] = {"version", 0, 0},
    };
    cs_span_given given = CS_SPAN_NOT_GIVEN;
    cs_layout workers[1024];
    int n = -1; /* workers given: how many */
    const char *path = NULL, *v;
    int id, help = 0, version = 0;
    cs_args a;
    cs_args_init(&a, argc, argv, table, sizeof table / sizeof table[0]);
    while ((id = cs_args_next(&a, &v)) != CS_ARGS_END) {
        switch (id) {
        case OPT_WORKERS:
            if ((n = parse_layouts(v, workers, sizeof workers / sizeof *workers)) < 0)
                return CS_EXIT_USAGE;
            break;
        case OPT_LATENCY:
            if (parse_real("latency", v, 0.0, 0, 1.0, "not a number of seconds from 0 to 1",
                           &given.latency_s) != 0)
                return CS_EXIT_USAGE;
            break;
        case OPT_BANDWIDTH:
            if (parse_real("bandwidth", v, 0.0, 1, 1e15,
                           "not a number of bytes per second above 0 (at most 1e15)",
                           &given.bandwidth) != 0)
                return CS_EXIT_USAGE;
            break;
        case OPT_SERIAL:
            if (parse_real("serial", v, 0.0, 1, 1e9, "not a number of seconds above 0",
                           &given.serial_s) != 0)
                return CS_EXIT_USAGE;
            break;
        case OPT_GROUP_COST:
            if (parse_group_cost(v, &given.shared) != 0)
                return CS_EXIT_USAGE;
            break;
        case OPT_HELP: help = 1; break;
        case OPT_VERSION: version = 1; break;
        case CS_ARGS_POSITIONAL:
            if (!path) {
                path = v;
                break;
            }
            cs_error("unexpected argument '%s': one profile file only (see --help)", cs_show(v));
            return CS_EXIT_USAGE;
        default:
            return CS_EXIT_USAGE;
        }
    }
    if (help || version) {
        if (help)
            usage();
        else
            printf("cs_profile (corescale) %s, revision %s\n", CS_VERSION, CS_REVISION);
        return CS_EXIT_OK;
    }
    if (!path || !*path) {
        cs_error(path ? "an empty profile file name (see --help)" : "no profile file given (see --help)");
        return CS_EXIT_USAGE;
    }
    if (n < 0) {
        n = 0;
        for (size_t i = 0; i < sizeof default_workers / sizeof *default_workers; i++)
            workers[n++] = (cs_layout){default_workers[i], 0};
    }
    FILE *f = fopen(path, "r");
    struct stat st;
    if (f && fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        f = NULL;
        errno = EISDIR;
    }
    if (!f) {
        cs_error("'%s': cannot open: %s", cs_show(path), strerror(errno));
        return CS_EXIT_USAGE;
    }
    /* A stencil's blocks (its steps' sums) first; a file of nothing else is done then. */
    unsigned stencils = cs_step_summarise(f, stdout);
    rewind(f);
    cs_graph *blocks = NULL;
    unsigned blocks_n = 0;
    char why[256];
    int rc = cs_profile_read(f, &blocks, &blocks_n, why, sizeof why);
    fclose(f);
    if (rc != 0 && stencils && strstr(why, "no '# block' header"))
        return CS_EXIT_OK;
    if (rc != 0) {
        cs_error("'%s': %s", cs_show(path), why);
        return CS_EXIT_FAIL;
    }
    for (unsigned b = 0; b < blocks_n; b++)
        if (check_layouts(&blocks[b], b + 1, workers, (unsigned)n) != 0 ||
            (given.serial_s > 0 && check_one_case(blocks, b) != 0)) {
            for (unsigned k = 0; k < blocks_n; k++)
                cs_graph_free(&blocks[k]);
            free(blocks);
            return CS_EXIT_USAGE;
        }
    printf("# cs_profile %s: %u block%s\n", path, blocks_n, blocks_n == 1 ? "" : "s");
    for (unsigned b = 0; b < blocks_n; b++) {
        char prefix[96];
        snprintf(prefix, sizeof prefix, "# profile %s %s", blocks[b].kernel, blocks[b].case_name);
        cs_span_print(stdout, prefix, &blocks[b], workers, (unsigned)n, &given);
        cs_graph_free(&blocks[b]);
    }
    free(blocks);
    return CS_EXIT_OK;
}
