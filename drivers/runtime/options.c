/* One option table for every driver; each driver accepts the groups it names. */
#include "options.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "build_info.h"
#include "cache.h"
#include "message.h"

enum option_id {
    OPT_KERNEL = 256, OPT_N, OPT_CHUNKS, OPT_CLASS, OPT_RESULT_FILE, OPT_PROFILE,
    OPT_REPEAT, OPT_WARMUP, OPT_CSV, OPT_JSON, OPT_QUIET, OPT_HELP, OPT_VERSION,
    OPT_THREADS, OPT_SCHEDULE, OPT_BIND, OPT_SHOW_BINDING,
    OPT_URL, OPT_URL_FILE, OPT_REQUESTS, OPT_DELAY_MS, OPT_BYTES, OPT_TIMEOUT_MS,
    OPT_CONNECT_TIMEOUT_MS, OPT_ALLOW_FAILURES, OPT_CONCURRENCY, OPT_LISTEN,
    /* io_server's bounds */
    OPT_STEPS, OPT_DECOMP, OPT_OVERLAP,
    OPT_MAX_BODY, OPT_MAX_DELAY_MS, OPT_MAX_MEMORY, OPT_MAX_HEADER, OPT_MAX_CONNECTIONS,
};

struct option_spec {
    const char *name;
    int has_arg;
    int id;
    unsigned group;
    const char *arg;  /* argument name in --help */
    const char *help;
};

static const struct option_spec specs[] = {
    {"kernel", 1, OPT_KERNEL, CS_OPTS_KERNEL, "NAME", "the work to run (default product; see below)"},
    {"n", 1, OPT_N, CS_OPTS_KERNEL, "LIST", "sizes, comma-separated (the kernel says what n means)"},
    {"class", 1, OPT_CLASS, CS_OPTS_KERNEL, "S|W|A|B|C|auto", "a problem class's sizes (default W; C is big: see below; auto: triad's smallest class with arrays 4x the last-level cache)"},
    {"chunks", 1, OPT_CHUNKS, CS_OPTS_KERNEL, "C", "work items per case (default: the kernel's)"},
    {"result-file", 1, OPT_RESULT_FILE, CS_OPTS_KERNEL, "FILE", "write 'n=N VALUE' per case"},
    {"profile", 1, OPT_PROFILE, CS_OPTS_KERNEL, "FILE", "record each timed run's tasks into FILE; print work, span and predicted speedups"},
    {"steps", 1, OPT_STEPS, CS_OPTS_KERNEL, "S", "time steps of a stencil kernel (heat, heat3d; default 100)"},
    {"threads", 1, OPT_THREADS, CS_OPTS_THREADS, "T", NULL},
    {"schedule", 1, OPT_SCHEDULE, CS_OPTS_SCHEDULE, "KIND", "static, dynamic or guided (default dynamic)"},
    {"decomp", 1, OPT_DECOMP, CS_OPTS_DECOMP, "rows|blocks", "a stencil's blocks to workers: strips of block rows, or\n"
     "                               2D boxes of blocks, less halo per worker (default blocks)"},
    {"overlap", 0, OPT_OVERLAP, CS_OPTS_OVERLAP, NULL, "a stencil's halos travel while each block's inside updates"},
    {"bind", 1, OPT_BIND, CS_OPTS_BIND, "core|pu|none", "pin workers (default core)"},
    {"show-binding", 0, OPT_SHOW_BINDING, CS_OPTS_BIND, NULL, "print worker -> core"},
    {"url", 1, OPT_URL, CS_OPTS_FETCH, "URL", "fetch this URL --requests times"},
    {"url-file", 1, OPT_URL_FILE, CS_OPTS_FETCH, "FILE", "URLs one per line, '#' comments"},
    {"requests", 1, OPT_REQUESTS, CS_OPTS_FETCH, "N", "requests of --url or the embedded server (default 100);\n" "                               refused with only URL arguments or --url-file"},
    {"delay-ms", 1, OPT_DELAY_MS, CS_OPTS_FETCH | CS_OPTS_SERVER, "MS", "the embedded server's delay (default 100)"},
    {"bytes", 1, OPT_BYTES, CS_OPTS_FETCH | CS_OPTS_SERVER, "N", "the embedded server's body size (default 1024)"},
    {"listen", 1, OPT_LISTEN, CS_OPTS_SERVER, "ADDR:PORT", "where to listen: a numeric address ([..] for IPv6) or localhost\n" "                               (default 127.0.0.1:0; port 0 picks one)"},
    /* io_server's bounds: what a hostile client can make it hold */
    {"max-body", 1, OPT_MAX_BODY, CS_OPTS_SERVER, "N", "largest body sent (bytes=) or received; more: 413 (default 67108864)"},
    {"max-delay-ms", 1, OPT_MAX_DELAY_MS, CS_OPTS_SERVER, "MS", "longest delay a request may ask for; more: 400 (default 60000)"},
    {"max-memory", 1, OPT_MAX_MEMORY, CS_OPTS_SERVER, "N", "body bytes in flight, each body holding up to 32768; more: 503 (default 67108864)"},
    {"max-header", 1, OPT_MAX_HEADER, CS_OPTS_SERVER, "N", "largest request head in bytes; more: 431 (default 8192)"},
    {"max-connections", 1, OPT_MAX_CONNECTIONS, CS_OPTS_SERVER, "C", "connections open at once; more: 503 and close (default 10000)"},
    {"timeout-ms", 1, OPT_TIMEOUT_MS, CS_OPTS_FETCH, "MS", "bound on each request (default 30000)"},
    {"connect-timeout-ms", 1, OPT_CONNECT_TIMEOUT_MS, CS_OPTS_FETCH, "MS", "bound on each connect (default 5000)"},
    {"allow-failures", 0, OPT_ALLOW_FAILURES, CS_OPTS_FETCH, NULL, "exit 0 even when requests failed"},
    {"concurrency", 1, OPT_CONCURRENCY, CS_OPTS_CONCURRENCY, "C", "most requests in flight (default 10)"},
    {"repeat", 1, OPT_REPEAT, CS_OPTS_COMMON, "R", "timed repetitions (default 3)"},
    {"warmup", 1, OPT_WARMUP, CS_OPTS_COMMON, "W", "untimed repetitions first (default 1)"},
    {"csv", 1, OPT_CSV, CS_OPTS_COMMON, "FILE", "append one row per case per repetition"},
    {"json", 1, OPT_JSON, CS_OPTS_COMMON, "FILE", "append the same rows as JSON, one object a line"},
    {"quiet", 0, OPT_QUIET, CS_OPTS_COMMON | CS_OPTS_SERVER, NULL, "no header or table, errors only"},
    {"help", 0, OPT_HELP, CS_OPTS_COMMON | CS_OPTS_SERVER, NULL, "this help"},
    {"version", 0, OPT_VERSION, CS_OPTS_COMMON | CS_OPTS_SERVER, NULL, "version and build"},
};
#define SPEC_COUNT (sizeof specs / sizeof specs[0])

static void print_help(const cs_program_info *info)
{
    printf("Usage: %s [OPTION]...%s\n%s\n\nOptions:\n", info->name,
           (info->groups & CS_OPTS_FETCH) ? " [URL]..." : "", info->purpose);
    for (size_t i = 0; i < SPEC_COUNT; i++) {
        const struct option_spec *s = &specs[i];
        if (!(s->group & info->groups))
            continue;
        char left[48];
        snprintf(left, sizeof left, "--%s%s%s", s->name, s->arg ? " " : "", s->arg ? s->arg : "");
        const char *help = s->help;
        if (s->id == OPT_THREADS)
            help = info->threads_default ? info->threads_default : "worker threads";
        /* a client's server is the embedded one: given URLs leave these nothing to do */
        const char *refused = (info->groups & CS_OPTS_FETCH) &&
                                      (s->id == OPT_DELAY_MS || s->id == OPT_BYTES)
                                  ? "; refused when URLs are given"
                                  : "";
        if (info->groups & CS_OPTS_SERVER)
            help = s->id == OPT_DELAY_MS ? "delay of / (default 100)"
                   : s->id == OPT_BYTES  ? "body size of / (default 1024)"
                                         : help;
        printf("  %-28s %s%s\n", left, help, refused);
    }
    if (info->groups & CS_OPTS_KERNEL) {
        printf("\nKernels (--kernel NAME), with the sizes of each --class:\n");
        for (size_t k = 0; k < cs_kernel_count(); k++) {
            const cs_kernel *kn = cs_kernel_at(k);
            printf("  %-8s %s; n is the %s; default chunks %llu\n", kn->name, kn->what,
                   kn->n_meaning, (unsigned long long)kn->default_chunks);
            printf("  %-8s S=%s W=%s A=%s B=%s C=%s\n", "", kn->class_sizes[CS_CLASS_S],
                   kn->class_sizes[CS_CLASS_W], kn->class_sizes[CS_CLASS_A],
                   kn->class_sizes[CS_CLASS_B], kn->class_sizes[CS_CLASS_C]);
            if (kn->class_c_cost)
                printf("  %-8s C costs %s\n", "", kn->class_c_cost);
        }
    }
    printf("\nOptions are long only (--name VALUE or --name=VALUE), never abbreviated, each given "
           "once;\na bad one is refused before any work.\n");
    printf("\nExit status: 0 done and verified, 1 the run failed, 2 the command line was wrong.\n");
}

static void print_version(const cs_program_info *info)
{
    printf("%s (corescale) %s, revision %s\nbuilt with %s, flags: %s\n", info->name, CS_VERSION,
           CS_REVISION, CS_COMPILER, CS_FLAGS);
}

static int bad(const char *opt, const char *text, const char *reason)
{
    /* "repeat" is an option, shown as --repeat; "N_LIST" a positional argument's name */
    cs_error("%s%s '%s': %s", isupper((unsigned char)opt[0]) ? "" : "--", opt, cs_show(text),
             reason);
    return -1;
}

int cs_parse_u64(const char *opt, const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
    if (*text == '\0')
        return bad(opt, text, "empty, a number is needed");
    for (const char *c = text; *c; c++)
        if (!isdigit((unsigned char)*c))
            return bad(opt, text, *text == '-' ? "must not be negative" : "not a whole number");
    errno = 0;
    unsigned long long v = strtoull(text, NULL, 10);
    if (errno == ERANGE || v > max) {
        char why[96];
        snprintf(why, sizeof why, "too large (at most %llu)", (unsigned long long)max);
        return bad(opt, text, why);
    }
    if (v < min) {
        char why[96];
        snprintf(why, sizeof why, "too small (at least %llu)", (unsigned long long)min);
        return bad(opt, text, why);
    }
    *out = v;
    return 0;
}

int cs_parse_u64_list(const char *opt, const char *text, uint64_t min, uint64_t max,
                      uint64_t **out, size_t *count)
{
    size_t cap = 1;
    for (const char *c = text; *c; c++)
        cap += (*c == ',');
    uint64_t *v = malloc(cap * sizeof *v);
    char *copy = strdup(text);
    if (!v || !copy) {
        free(v);
        free(copy);
        cs_error("%s%s: out of memory", isupper((unsigned char)opt[0]) ? "" : "--", opt);
        return -1;
    }
    size_t k = 0;
    char *item = copy;
    for (;;) {
        char *comma = strchr(item, ',');
        if (comma)
            *comma = '\0';
        if (*item == '\0') {
            bad(opt, text, "empty item in the list");
            goto fail;
        }
        if (cs_parse_u64(opt, item, min, max, &v[k]) != 0)
            goto fail;
        k++;
        if (!comma)
            break;
        item = comma + 1;
    }
    free(copy);
    *out = v;
    *count = k;
    return 0;
fail:
    free(copy);
    free(v);
    return -1;
}

static int parse_choice(const char *opt, const char *text, const char *const *names, int count,
                        int *out)
{
    for (int i = 0; i < count; i++)
        if (strcmp(text, names[i]) == 0) {
            *out = i;
            return 0;
        }
    char why[128] = "must be one of ";
    for (int i = 0; i < count; i++) {
        strncat(why, names[i], sizeof why - strlen(why) - 1);
        strncat(why, i + 1 < count ? ", " : "", sizeof why - strlen(why) - 1);
    }
    return bad(opt, text, why);
}

static const char *const schedule_names[] = {"static", "dynamic", "guided"};
static const char *const bind_names[] = {"core", "pu", "none"};
static const char *const class_names[] = {"S", "W", "A", "B", "C"};
static const char *const decomp_names[] = {"blocks", "rows"};

const char *cs_schedule_name(enum cs_schedule s)
{
    return schedule_names[s];
}

const char *cs_bind_name(enum cs_bind b)
{
    return bind_names[b];
}

const char *cs_decomp_name(enum cs_decomp d)
{
    return decomp_names[d];
}

static void set_defaults(cs_options *o)
{
    memset(o, 0, sizeof *o);
    o->kernel = cs_kernel_find("product");
    o->repeat = 3;
    o->warmup = 1;
    o->schedule = CS_SCHEDULE_DYNAMIC;
    o->bind = CS_BIND_CORE;
    o->requests = 100;
    o->delay_ms = 100;
    o->bytes = 1024;
    o->timeout_ms = 30000;
    o->connect_timeout_ms = 5000;
}

/* Sizes come from --n or --class (default W), checked against the kernel. */
static int resolve_sizes(cs_options *o, const char *n_text, const char *class_text)
{
    const cs_kernel *k = o->kernel;
    if (n_text && class_text) {
        cs_error("--n '%s' and --class '%s' both choose sizes: give one", cs_show(n_text),
                 cs_show(class_text));
        return -1;
    }
    if (n_text) {
        snprintf(o->class_name, sizeof o->class_name, "custom");
        return cs_parse_u64_list("n", n_text, k->n_min, k->n_max, &o->n, &o->n_count);
    }
    int cls = CS_CLASS_W;
    if (class_text && strcasecmp(class_text, "auto") == 0) {
        char why[256];
        cls = (int)cs_class_auto(k, why, sizeof why);
        cs_note("%s", why);
    } else if (class_text) {
        static const char letters[] = "SWABC"; /* in cs_class order */
        int upper = toupper((unsigned char)class_text[0]);
        const char *found = class_text[0] && !class_text[1] ? strchr(letters, upper) : NULL;
        if (!found)
            return bad("class", class_text, "must be one of S, W, A, B, C, auto");
        cls = (int)(found - letters);
    }
    snprintf(o->class_name, sizeof o->class_name, "%s", class_names[cls]);
    return cs_parse_u64_list("class", k->class_sizes[cls], k->n_min, k->n_max, &o->n,
                             &o->n_count);
}

static int add_url(cs_options *o, const char *url)
{
    char **grown = realloc(o->urls, (o->url_count + 1) * sizeof *grown);
    if (!grown) {
        cs_error("out of memory for URLs");
        return -1;
    }
    o->urls = grown;
    o->urls[o->url_count++] = (char *)url;
    return 0;
}

static int handle(cs_options *o, int id, const char *name, const char *arg,
                  const char **n_text, const char **class_text)
{
    uint64_t v;
    int choice;
    switch (id) {
    case OPT_KERNEL:
        o->kernel = cs_kernel_find(arg);
        if (!o->kernel) {
            char why[160];
            snprintf(why, sizeof why, "unknown kernel (known: %s)", cs_kernel_names());
            return bad(name, arg, why);
        }
        return 0;
    case OPT_N: *n_text = arg; return 0;
    case OPT_CLASS: *class_text = arg; return 0;
    case OPT_CHUNKS:
        if (cs_parse_u64(name, arg, 1, UINT64_MAX, &o->chunks)) return -1;
        return 0;
    case OPT_RESULT_FILE:
        if (!*arg)
            return bad(name, arg, "empty, a file name is needed");
        o->result_path = arg;
        return 0;
    case OPT_PROFILE:
        if (!*arg)
            return bad(name, arg, "empty, a file name is needed");
        o->profile_path = arg;
        return 0;
    case OPT_REPEAT:
        if (cs_parse_u64(name, arg, 1, 1000000, &v)) return -1;
        o->repeat = (unsigned)v;
        return 0;
    case OPT_WARMUP:
        if (cs_parse_u64(name, arg, 0, 1000000, &v)) return -1;
        o->warmup = (unsigned)v;
        return 0;
    case OPT_CSV:
        if (!*arg)
            return bad(name, arg, "empty, a file name is needed");
        o->csv_path = arg;
        return 0;
    case OPT_JSON:
        if (!*arg)
            return bad(name, arg, "empty, a file name is needed");
        o->json_path = arg;
        return 0;
    case OPT_QUIET: o->quiet = 1; return 0;
    case OPT_THREADS:
        if (cs_parse_u64(name, arg, 1, 4096, &v)) return -1;
        o->threads = (unsigned)v;
        return 0;
    case OPT_SCHEDULE:
        if (parse_choice(name, arg, schedule_names, 3, &choice)) return -1;
        o->schedule = (enum cs_schedule)choice;
        o->schedule_given = 1;
        return 0;
    case OPT_BIND:
        if (parse_choice(name, arg, bind_names, 3, &choice)) return -1;
        o->bind = (enum cs_bind)choice;
        return 0;
    case OPT_SHOW_BINDING: o->show_binding = 1; return 0;
    case OPT_STEPS: return cs_parse_u64(name, arg, 1, UINT64_MAX, &o->steps);
    case OPT_DECOMP:
        if (parse_choice(name, arg, decomp_names, 2, &choice)) return -1;
        o->decomp = (enum cs_decomp)choice;
        return 0;
    case OPT_OVERLAP: o->overlap = 1; return 0;
    case OPT_URL: o->url = arg; return 0;
    case OPT_URL_FILE:
        if (!*arg)
            return bad(name, arg, "empty, a file name is needed");
        o->url_file = arg;
        return 0;
    case OPT_REQUESTS: return cs_parse_u64(name, arg, 1, 10000000, &o->requests);
    case OPT_DELAY_MS: return cs_parse_u64(name, arg, 0, 60000, &o->delay_ms);
    case OPT_BYTES: return cs_parse_u64(name, arg, 0, 64ull << 20, &o->bytes);
    case OPT_TIMEOUT_MS: return cs_parse_u64(name, arg, 1, 3600000, &o->timeout_ms);
    case OPT_CONNECT_TIMEOUT_MS: return cs_parse_u64(name, arg, 1, 3600000, &o->connect_timeout_ms);
    case OPT_ALLOW_FAILURES: o->allow_failures = 1; return 0;
    case OPT_LISTEN:
        if (!*arg)
            return bad(name, arg, "empty: give ADDR:PORT (port 0 picks one)");
        o->listen = arg;
        return 0;
    case OPT_MAX_BODY: return cs_parse_u64(name, arg, 1, 64ull << 20, &o->max_body);
    case OPT_MAX_DELAY_MS: return cs_parse_u64(name, arg, 1, 60000, &o->max_delay_ms);
    case OPT_MAX_MEMORY: return cs_parse_u64(name, arg, 1, 1ull << 40, &o->max_memory);
    case OPT_MAX_HEADER: return cs_parse_u64(name, arg, 64, 1u << 20, &o->max_header);
    case OPT_MAX_CONNECTIONS: return cs_parse_u64(name, arg, 1, 1000000, &o->max_connections);
    case OPT_CONCURRENCY:
        if (cs_parse_u64(name, arg, 1, 100000, &v)) return -1;
        o->concurrency = (unsigned)v;
        return 0;
    }
    return -1;
}

/* Where a path leads: the file itself when it exists, else its folder and name, so
 * "f", "./f" and a link to f compare equal. */
struct place {
    int exists;
    dev_t dev;
    ino_t ino;
    char *resolved; /* the folder's real path + "/" + the name, when the file does not exist */
};

static void place_of(const char *path, struct place *p)
{
    struct stat st;
    memset(p, 0, sizeof *p);
    if (stat(path, &st) == 0) {
        p->exists = 1;
        p->dev = st.st_dev;
        p->ino = st.st_ino;
        return;
    }
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, (size_t)(slash - path) + 1) : strdup(".");
    char *real = dir ? realpath(dir, NULL) : NULL;
    const char *base = slash ? slash + 1 : path;
    size_t need = real ? strlen(real) + strlen(base) + 2 : 0;
    if (real && (p->resolved = malloc(need)))
        snprintf(p->resolved, need, "%s/%s", real, base);
    free(real);
    free(dir);
}

static int same_place(const struct place *a, const struct place *b)
{
    if (a->exists || b->exists)
        return a->exists && b->exists && a->dev == b->dev && a->ino == b->ino;
    return a->resolved && b->resolved && strcmp(a->resolved, b->resolved) == 0;
}

/* --csv, --json, --result-file and --profile each write their own file: two naming one file
 * would interleave into garbage. */
static int check_outputs_differ(const cs_options *o)
{
    enum { OUTPUTS = 4 };
    const char *names[OUTPUTS] = {"csv", "json", "result-file", "profile"};
    const char *paths[OUTPUTS] = {o->csv_path, o->json_path, o->result_path, o->profile_path};
    struct place places[OUTPUTS];
    int rc = 0;
    for (int i = 0; i < OUTPUTS; i++)
        if (paths[i])
            place_of(paths[i], &places[i]);
    for (int i = 0; i < OUTPUTS && rc == 0; i++)
        for (int j = i + 1; j < OUTPUTS && rc == 0 && paths[i]; j++)
            if (paths[j] && same_place(&places[i], &places[j])) {
                cs_error("--%s '%s' and --%s '%s' name the same file: give each its own",
                         names[i], cs_show(paths[i]), names[j], cs_show(paths[j]));
                rc = -1;
            }
    for (int i = 0; i < OUTPUTS; i++)
        if (paths[i])
            free(places[i].resolved);
    return rc;
}

/* --delay-ms and --bytes shape the embedded server's answers, and --requests repeats
 * --url or the embedded server's URL: with URLs given otherwise, they would do nothing. */
static int check_fetch_applies(const cs_options *o, const cs_args *a, const size_t *spec_of,
                               size_t used)
{
    int given_urls = o->url_count > 0 || o->url_file || o->url;
    for (size_t i = 0; i < used && given_urls; i++) {
        if (!cs_args_given(a, i))
            continue;
        int id = specs[spec_of[i]].id;
        const char *name = specs[spec_of[i]].name, *value = a->first[i];
        if (id == OPT_DELAY_MS || id == OPT_BYTES) {
            cs_error("--%s '%s': applies only to the embedded server, and URLs are given "
                     "(ask a server for it in the URL, e.g. /delay/MS or /bytes/N)",
                     name, cs_show(value));
            return -1;
        }
        if (id == OPT_REQUESTS && !o->url) {
            cs_error("--%s '%s': repeats --url or the embedded server's URL; the URLs given "
                     "are fetched once each (repeat them in the list instead)",
                     name, cs_show(value));
            return -1;
        }
    }
    return 0;
}

/* --steps, --decomp and --overlap shape a stencil's run, --schedule a reduction's: given
 * for the other shape they would do nothing. */
static int check_shape_applies(const cs_options *o, const cs_args *a, const size_t *spec_of,
                               size_t used)
{
    const cs_kernel *k = o->kernel;
    for (size_t i = 0; i < used; i++) {
        if (!cs_args_given(a, i))
            continue;
        int id = specs[spec_of[i]].id;
        const char *name = specs[spec_of[i]].name, *value = a->first[i] ? a->first[i] : "";
        int stencil_only = id == OPT_STEPS || id == OPT_DECOMP || id == OPT_OVERLAP;
        if (stencil_only && !k->stencil) {
            cs_error("--%s%s%s%s: applies to stencil kernels (heat, heat3d); %s is a reduction, "
                     "its items are not a grid", name, *value ? " '" : "", *value ? cs_show(value) : "",
                     *value ? "'" : "", k->name);
            return -1;
        }
        if (id == OPT_SCHEDULE && k->stencil) {
            cs_error("--%s '%s': %s's blocks stay with the workers that own them (see --decomp); "
                     "--schedule applies to reduction kernels", name, cs_show(value), k->name);
            return -1;
        }
    }
    return 0;
}

enum cs_parse_result cs_options_parse(cs_options *o, const cs_program_info *info, int argc,
                                      char **argv)
{
    set_defaults(o);
    o->groups = info->groups;
    cs_arg_option table[SPEC_COUNT];
    size_t spec_of[SPEC_COUNT];
    size_t used = 0;
    for (size_t i = 0; i < SPEC_COUNT; i++)
        if (specs[i].group & info->groups) {
            table[used] = (cs_arg_option){specs[i].name, specs[i].has_arg, 0};
            spec_of[used++] = i;
        }
    cs_args a;
    cs_args_init(&a, argc, argv, table, used);

    const char *n_text = NULL, *class_text = NULL;
    int want_help = 0, want_version = 0;
    int at;
    const char *arg;
    while ((at = cs_args_next(&a, &arg)) != CS_ARGS_END) {
        if (at == CS_ARGS_ERROR)
            goto usage;
        if (at == CS_ARGS_POSITIONAL) {
            if (!(info->groups & CS_OPTS_FETCH)) {
                cs_error("unexpected argument '%s' (see --help)", cs_show(arg));
                goto usage;
            }
            if (add_url(o, arg) != 0)
                goto usage;
            continue;
        }
        const struct option_spec *s = &specs[spec_of[at]];
        if (s->id == OPT_HELP) { want_help = 1; continue; }
        if (s->id == OPT_VERSION) { want_version = 1; continue; }
        if (handle(o, s->id, s->name, arg, &n_text, &class_text) != 0)
            goto usage;
    }
    if (want_help) {
        print_help(info);
        cs_options_free(o);
        return CS_PARSE_DONE;
    }
    if (want_version) {
        print_version(info);
        cs_options_free(o);
        return CS_PARSE_DONE;
    }
    if ((info->groups & CS_OPTS_KERNEL) && resolve_sizes(o, n_text, class_text) != 0)
        goto usage;
    if ((info->groups & CS_OPTS_FETCH) && check_fetch_applies(o, &a, spec_of, used) != 0)
        goto usage;
    if ((info->groups & CS_OPTS_KERNEL) && check_shape_applies(o, &a, spec_of, used) != 0)
        goto usage;
    if (check_outputs_differ(o) != 0)
        goto usage;
    /* A test that sets the hook for a driver without one would pass without its fault. */
    if (!info->fault_hook && getenv("CS_FAULT")) {
        cs_error("CS_FAULT '%s': %s has no fault hook (cpu_mpi and cpu_hybrid have one); unset "
                 "it", cs_show(getenv("CS_FAULT")), info->name);
        goto usage;
    }
    return CS_PARSE_RUN;
usage:
    cs_options_free(o);
    return CS_PARSE_USAGE;
}

void cs_options_free(cs_options *o)
{
    free(o->n);
    free(o->urls);
    o->n = NULL;
    o->urls = NULL;
    o->n_count = o->url_count = 0;
}
