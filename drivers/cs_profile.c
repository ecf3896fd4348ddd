/* cs_profile: work, span, parallelism and predicted speedups from a --profile file. */
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

static void usage(void)
{
    printf("Usage: cs_profile [--workers LIST] [--latency S] [--bandwidth B] FILE\n"
           "Read a profile a CPU driver wrote with --profile FILE and print, per case and\n"
           "repetition, what the drivers print after each case: work (the compute tasks'\n"
           "seconds), span (the longest chain of dependent tasks, messages at the fitted\n"
           "cost), parallelism (work / span) and the time, speedup and efficiency the\n"
           "task graph allows on more workers (a replay under the drivers' rules;\n"
           "results/README.md, \"Profiles\"). A stencil's blocks (heat) give work, span and\n"
           "the halo exchange from their steps' sums.\n\n"
           "Options:\n"
           "  --workers LIST   worker counts to predict, comma-separated (default "
           "2,4,8,...,1024)\n"
           "  --latency S      a message's fixed cost in seconds (0 to 1), and\n"
           "  --bandwidth B    its bytes per second (e.g. 1.2e10), for the network the\n"
           "                   prediction is for (bench/mpi_pingpong measures both);\n"
           "                   otherwise fitted to the run's messages, or 2e-06 s and\n"
           "                   5e+09 B/s where it has too few\n"
           "  --help           this help\n"
           "  --version        version and build\n\n"
           "Options are long only, never abbreviated, each given once.\n"
           "Exit status: 0 done, 1 the file is malformed (the message names the line),\n"
           "2 the command line was wrong or the file cannot be opened.\n");
}

int main(int argc, char **argv)
{
    cs_message_init("cs_profile");
    enum { OPT_WORKERS, OPT_LATENCY, OPT_BANDWIDTH, OPT_HELP, OPT_VERSION };
    static const cs_arg_option table[] = {
        [OPT_WORKERS] = {"workers", 1, 0},     [OPT_LATENCY] = {"latency", 1, 0},
        [OPT_BANDWIDTH] = {"bandwidth", 1, 0}, [OPT_HELP] = {"help", 0, 0},
        [OPT_VERSION] = {"version", 0, 0},
    };
    cs_message_given given = CS_MESSAGE_NOT_GIVEN;
    uint64_t *list = NULL;
    size_t count = 0;
    const char *path = NULL, *v;
    int id, help = 0, version = 0;
    cs_args a;
    cs_args_init(&a, argc, argv, table, sizeof table / sizeof table[0]);
    while ((id = cs_args_next(&a, &v)) != CS_ARGS_END) {
        switch (id) {
        case OPT_WORKERS:
            if (cs_parse_u64_list("workers", v, 1, 65536, &list, &count) != 0)
                return CS_EXIT_USAGE;
            break;
        case OPT_LATENCY:
            if (parse_real("latency", v, 0.0, 0, 1.0, "not a number of seconds from 0 to 1",
                           &given.latency_s) != 0) {
                free(list);
                return CS_EXIT_USAGE;
            }
            break;
        case OPT_BANDWIDTH:
            if (parse_real("bandwidth", v, 0.0, 1, 1e15,
                           "not a number of bytes per second above 0 (at most 1e15)",
                           &given.bandwidth) != 0) {
                free(list);
                return CS_EXIT_USAGE;
            }
            break;
        case OPT_HELP: help = 1; break;
        case OPT_VERSION: version = 1; break;
        case CS_ARGS_POSITIONAL:
            if (!path) {
                path = v;
                break;
            }
            cs_error("unexpected argument '%s': one profile file only (see --help)", cs_show(v));
            free(list);
            return CS_EXIT_USAGE;
        default:
            free(list);
            return CS_EXIT_USAGE;
        }
    }
    if (help || version) {
        if (help)
            usage();
        else
            printf("cs_profile (corescale) %s, revision %s\n", CS_VERSION, CS_REVISION);
        free(list);
        return CS_EXIT_OK;
    }
    if (!path || !*path) {
        cs_error(path ? "an empty profile file name (see --help)" : "no profile file given (see --help)");
        free(list);
        return CS_EXIT_USAGE;
    }
    unsigned workers[1024];
    unsigned n = 0;
    if (list) {
        if (count > 1024) {
            cs_error("--workers '%s': %zu counts, at most 1024", cs_show(a.first[OPT_WORKERS]),
                     count);
            free(list);
            return CS_EXIT_USAGE;
        }
        for (size_t i = 0; i < count; i++)
            workers[n++] = (unsigned)list[i];
        free(list);
    } else {
        for (size_t i = 0; i < sizeof default_workers / sizeof *default_workers; i++)
            workers[n++] = default_workers[i];
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
    printf("# cs_profile %s: %u block%s\n", path, blocks_n, blocks_n == 1 ? "" : "s");
    for (unsigned b = 0; b < blocks_n; b++) {
        char prefix[96];
        snprintf(prefix, sizeof prefix, "# profile %s %s", blocks[b].kernel, blocks[b].case_name);
        cs_span_print(stdout, prefix, &blocks[b], workers, n, given);
        cs_graph_free(&blocks[b]);
    }
    free(blocks);
    return CS_EXIT_OK;
}
