/* The command line shared by every driver: one parser, the same names everywhere. */
#ifndef CS_OPTIONS_H
#define CS_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "kernel.h"

/* Which options a driver accepts; --help lists exactly these. */
enum cs_option_group {
    CS_OPTS_COMMON = 1u << 0,  /* --repeat --warmup --csv --quiet --help --version */
    CS_OPTS_KERNEL = 1u << 1,  /* --kernel --n --chunks --class --result-file */
    CS_OPTS_THREADS = 1u << 2, /* --threads */
    CS_OPTS_SCHEDULE = 1u << 3,/* --schedule */
    CS_OPTS_BIND = 1u << 4,    /* --bind --show-binding */
    CS_OPTS_FETCH = 1u << 5,   /* URLs, --url-file --url --requests --delay-ms --bytes
                                  --timeout-ms --connect-timeout-ms --allow-failures */
    CS_OPTS_CONCURRENCY = 1u << 6, /* --concurrency */
    CS_OPTS_DECOMP = 1u << 8,  /* --decomp: how a stencil's blocks go to the workers */
    CS_OPTS_OVERLAP = 1u << 9, /* --overlap: halos travel while the inside updates */
    CS_OPTS_SERVER = 1u << 7,  /* --listen --delay-ms --bytes --quiet --help --version (io_server),
                                  --max-body --max-delay-ms --max-memory --max-header --max-connections */
};

enum cs_schedule { CS_SCHEDULE_STATIC, CS_SCHEDULE_DYNAMIC, CS_SCHEDULE_GUIDED };
enum cs_bind { CS_BIND_CORE, CS_BIND_PU, CS_BIND_NONE };
/* A stencil's blocks to workers: 2D (or 3D) boxes of blocks, or strips of block rows. */
enum cs_decomp { CS_DECOMP_BLOCKS, CS_DECOMP_ROWS };

typedef struct cs_options {
    /* kernels */
    const cs_kernel *kernel;
    uint64_t *n;          /* sizes to run, in order */
    size_t n_count;
    char class_name[8];   /* "S", "W", "A", "B", "C", or "custom" for --n */
    uint64_t chunks;      /* 0: the kernel's default */
    const char *result_path;
    const char *profile_path; /* --profile: record the task graph (profile.h) */
    uint64_t steps;       /* --steps, stencil kernels; 0: the kernel's default */
    enum cs_decomp decomp;
    int overlap;
    /* common */
    unsigned repeat, warmup;
    const char *csv_path;
    const char *json_path; /* --json: the rows as JSON Lines */
    int quiet;
    /* workers */
    unsigned threads;     /* 0: the driver's default */
    enum cs_schedule schedule;
    int schedule_given;
    enum cs_bind bind;
    int show_binding;
    /* fetch */
    char **urls;          /* positional URLs, then --url repeated --requests times */
    size_t url_count;
    const char *url;
    const char *url_file;
    uint64_t requests;    /* default 100 */
    uint64_t delay_ms;    /* default 100: the embedded server's delay */
    uint64_t bytes;       /* default 1024: the embedded server's body size */
    uint64_t timeout_ms;  /* default 30000 */
    uint64_t connect_timeout_ms; /* default 5000 */
    int allow_failures;
    unsigned concurrency; /* 0: the driver's default */
    /* server */
    const char *listen;   /* "ADDR:PORT"; NULL: the server's default */
    /* io_server's bounds (fetch_server_limits); 0: not given, the server's default */
    uint64_t max_body, max_delay_ms, max_memory, max_header, max_connections;
    unsigned groups;      /* the driver's cs_option_group bits: what applies to it */
} cs_options;

typedef struct cs_program_info {
    const char *name;    /* "cpu_serial" */
    const char *purpose; /* one line: what this driver is */
    unsigned groups;     /* cs_option_group bits */
    const char *threads_default; /* what --threads means when absent, for --help */
    int fault_hook;      /* honours CS_FAULT (mpi_exec.h); the others refuse it when set */
} cs_program_info;

enum cs_parse_result {
    CS_PARSE_RUN = 0,   /* options are good: run */
    CS_PARSE_DONE = 1,  /* --help or --version printed: exit 0 */
    CS_PARSE_USAGE = 2, /* a message was printed: exit 2 */
};

/* Parses and validates argv into o (defaults first). Messages name the
 * program, the option and the value. Free with cs_options_free. */
enum cs_parse_result cs_options_parse(cs_options *o, const cs_program_info *info, int argc,
                                      char **argv);
void cs_options_free(cs_options *o);

/* Number parsing with the project's messages, for drivers' own checks.
 * Returns 0, or prints "<prog>: --<opt> '<text>': <reason>" and returns -1. An opt
 * in capitals names a positional argument and is shown as it is: "N_LIST '5x': ...". */
int cs_parse_u64(const char *opt, const char *text, uint64_t min, uint64_t max, uint64_t *out);
/* A comma list of numbers; rejects empty items. *out is malloc'd. */
int cs_parse_u64_list(const char *opt, const char *text, uint64_t min, uint64_t max,
                      uint64_t **out, size_t *count);

const char *cs_schedule_name(enum cs_schedule s);
const char *cs_bind_name(enum cs_bind b);
const char *cs_decomp_name(enum cs_decomp d);

#endif
