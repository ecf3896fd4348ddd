/*
 * Fuzz target: the command line every driver reads. The first byte picks a
 * driver's option groups, the rest is argv, one argument per NUL-ended
 * piece. Whatever the parser accepts must be what the drivers may run: at
 * least one size, each within the kernel's range, at least one repetition,
 * URLs only where the driver fetches (whether each URL is one is
 * fetch_urls' to say: fuzz_urls).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "options.h"

#define MAX_ARGS 48

static const cs_program_info programs[] = {
    {.name = "cpu_serial", .purpose = "fuzz", .groups = CS_OPTS_COMMON | CS_OPTS_KERNEL},
    {.name = "cpu_omp", .purpose = "fuzz", .threads_default = "cores",
     .groups = CS_OPTS_COMMON | CS_OPTS_KERNEL | CS_OPTS_THREADS | CS_OPTS_SCHEDULE | CS_OPTS_BIND},
    {.name = "cpu_mpi", .purpose = "fuzz", .fault_hook = 1,
     .groups = CS_OPTS_COMMON | CS_OPTS_KERNEL | CS_OPTS_SCHEDULE | CS_OPTS_BIND},
    {.name = "io_serial", .purpose = "fuzz", .groups = CS_OPTS_COMMON | CS_OPTS_FETCH},
    {.name = "io_threads", .purpose = "fuzz", .threads_default = "cores",
     .groups = CS_OPTS_COMMON | CS_OPTS_FETCH | CS_OPTS_THREADS},
    {.name = "io_async", .purpose = "fuzz", .groups = CS_OPTS_COMMON | CS_OPTS_FETCH | CS_OPTS_CONCURRENCY},
    {.name = "io_server", .purpose = "fuzz", .groups = CS_OPTS_SERVER},
};
#define PROGRAMS (sizeof programs / sizeof *programs)

static void check_accepted(const cs_options *o, const cs_program_info *info)
{
    if (info->groups & CS_OPTS_KERNEL) {
        if (!o->kernel || o->n_count == 0)
            cs_fuzz_fail("%s: accepted without a kernel or a size", info->name);
        for (size_t i = 0; i < o->n_count; i++)
            if (o->n[i] < o->kernel->n_min || o->n[i] > o->kernel->n_max)
                cs_fuzz_fail("%s: accepted n=%llu for %s, outside [%llu, %llu]", info->name,
                             (unsigned long long)o->n[i], o->kernel->name,
                             (unsigned long long)o->kernel->n_min,
                             (unsigned long long)o->kernel->n_max);
    }
    if ((info->groups & CS_OPTS_COMMON) && o->repeat == 0)
        cs_fuzz_fail("%s: accepted --repeat 0", info->name);
    if (!(info->groups & CS_OPTS_FETCH) && o->url_count)
        cs_fuzz_fail("%s: accepted URLs, which it never fetches", info->name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const cs_program_info *info = &programs[data[0] % PROGRAMS];
    /* argv: the program's name, then the pieces; the text is copied so that
     * every argument ends in a NUL of its own */
    char *text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    char *argv[MAX_ARGS + 2];
    int argc = 0;
    argv[argc++] = (char *)info->name;
    for (size_t at = 0; at < size - 1 && argc <= MAX_ARGS; at += strlen(text + at) + 1)
        argv[argc++] = text + at;
    argv[argc] = NULL;
    cs_options o;
    if (cs_options_parse(&o, info, argc, argv) == CS_PARSE_RUN) {
        check_accepted(&o, info);
        cs_options_free(&o);
    }
    free(text);
    return 0;
}
