/* cs_profile: work, span, parallelism and predicted speedups from a --profile file. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "build_info.h"
#include "message.h"
#include "options.h"
#include "profile_file.h"
#include "span.h"

static const unsigned default_workers[] = {2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

static void usage(void)
{
    printf("Usage: cs_profile [--workers LIST] FILE\n"
           "Read a profile a CPU driver wrote with --profile FILE and print, per case and\n"
           "repetition, what the drivers print after each case: work (the compute tasks'\n"
           "seconds), span (the longest chain of dependent tasks, messages at the fitted\n"
           "cost), parallelism (work / span) and the time, speedup and efficiency the\n"
           "task graph allows on more workers (a replay under the drivers' rules;\n"
           "results/README.md, \"Profiles\").\n\n"
           "Options:\n"
           "  --workers LIST   worker counts to predict, comma-separated (default "
           "2,4,8,...,1024)\n"
           "  --help           this help\n"
           "  --version        version and build\n\n"
           "Exit status: 0 done, 1 the file is malformed (the message names the line),\n"
           "2 the command line was wrong or the file cannot be opened.\n");
}

int main(int argc, char **argv)
{
    cs_message_init("cs_profile");
    static const struct option longopts[] = {
        {"workers", 1, NULL, 'w'}, {"help", 0, NULL, 'h'}, {"version", 0, NULL, 'v'}, {0, 0, 0, 0}};
    uint64_t *list = NULL;
    size_t count = 0;
    int id;
    opterr = 0;
    while ((id = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
        switch (id) {
        case 'w':
            free(list);
            if (cs_parse_u64_list("workers", optarg, 1, 65536, &list, &count) != 0)
                return CS_EXIT_USAGE;
            break;
        case 'h':
            usage();
            free(list);
            return CS_EXIT_OK;
        case 'v':
            printf("cs_profile (corescale) %s, revision %s\n", CS_VERSION, CS_REVISION);
            free(list);
            return CS_EXIT_OK;
        default:
            if (optopt)
                cs_error("option '%s' needs a value (see --help)", argv[optind - 1]);
            else
                cs_error("unknown option '%s' (see --help)", argv[optind - 1]);
            free(list);
            return CS_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        cs_error(optind == argc ? "no profile file given (see --help)"
                                : "unexpected argument '%s': one profile file only (see --help)",
                 argv[argc - 1]);
        free(list);
        return CS_EXIT_USAGE;
    }
    const char *path = argv[optind];
    unsigned workers[1024];
    unsigned n = 0;
    if (list) {
        if (count > 1024) {
            cs_error("--workers: %zu counts, at most 1024", count);
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
        cs_error("'%s': cannot open: %s", path, strerror(errno));
        return CS_EXIT_USAGE;
    }
    cs_graph *blocks = NULL;
    unsigned blocks_n = 0;
    char why[256];
    int rc = cs_profile_read(f, &blocks, &blocks_n, why, sizeof why);
    fclose(f);
    if (rc != 0) {
        cs_error("'%s': %s", path, why);
        return CS_EXIT_FAIL;
    }
    printf("# cs_profile %s: %u block%s\n", path, blocks_n, blocks_n == 1 ? "" : "s");
    for (unsigned b = 0; b < blocks_n; b++) {
        char prefix[96];
        snprintf(prefix, sizeof prefix, "# profile %s %s", blocks[b].kernel, blocks[b].case_name);
        cs_span_print(stdout, prefix, &blocks[b], workers, n);
        cs_graph_free(&blocks[b]);
    }
    free(blocks);
    return CS_EXIT_OK;
}
