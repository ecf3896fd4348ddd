/* Result rows: one CSV row per case per timed repetition, written whole. */
#ifndef CS_ROW_H
#define CS_ROW_H

#include <stdint.h>

/* Every driver writes the same columns (results/README.md documents them);
 * fields a driver does not measure stay empty. */
#define CS_ROW_COLUMNS                                                                     \
    "time_utc,host,driver,kernel,case,class,ranks,threads,workers,bind,chunks,rep,wall_s," \
    "compute_s,combine_s,comm_s,comm_bytes,verified,digest,version,compiler,flags,"        \
    "schedule,warnings,requests,errors,bytes,req_per_s,p50_ms,p90_ms,p99_ms,max_ms,"     \
    "work_s,span_s,scaling,ghz"

typedef struct cs_row {
    const char *driver, *kernel, *case_name, *class_name, *bind, *schedule;
    unsigned ranks, threads, workers;
    uint64_t chunks;   /* 0: empty */
    unsigned rep;
    double wall_s, compute_s, combine_s, comm_s; /* < 0: empty */
    uint64_t comm_bytes;
    int verified;      /* 1 yes, 0 no */
    const char *digest;
    const char *warnings; /* ';'-separated words, "" for none */
    int has_fetch;     /* the fetch columns below are filled */
    uint64_t requests, errors, bytes;
    double req_per_s, p50_ms, p90_ms, p99_ms, max_ms;
    int has_profile;   /* --profile: work_s and span_s below are filled */
    double work_s, span_s;
    /* scaling and ghz, the last two columns, are left empty by every driver: scripts/sweep.sh
     * fills them after the point (the clock probe it runs after the point ends after the driver). */
} cs_row;

/* Opens FILE for appending, writing the header if the file is empty (under a
 * lock, so concurrent runs write it once). Refuses a file whose header is not
 * corescale's. Returns a descriptor, or -1 with a message naming the file. */
int cs_csv_open(const char *path);
/* One write(2) of one whole row, so rows from concurrent runs never interleave.
 * Returns 0, or -1 with a message. */
int cs_csv_write(int fd, const cs_row *row);
void cs_csv_close(int fd);

/* --json FILE: the same rows as JSON Lines, one object a line with the CSV's columns as keys
 * (text columns as strings, the others as numbers, null when empty), appended with one write(2)
 * each. Refuses a file that does not start with '{'. */
int cs_json_open(const char *path);
int cs_json_write(int fd, const cs_row *row);

/* Where a driver's rows go: --csv, --json, both or neither. */
typedef struct cs_rows {
    int csv_fd, json_fd; /* -1: not wanted */
} cs_rows;
/* Opens what is named (NULL: not wanted); -1 with a message naming the file. */
int cs_rows_open(cs_rows *rows, const char *csv_path, const char *json_path);
int cs_rows_wanted(const cs_rows *rows);
/* The row to every file; -1 (with a message) when any write failed. */
int cs_rows_write(const cs_rows *rows, const cs_row *row);
void cs_rows_close(cs_rows *rows);

/* The host name without domain, for rows and headers. */
const char *cs_host_name(void);

#endif
