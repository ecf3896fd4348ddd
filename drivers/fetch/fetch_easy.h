/* One libcurl handle set up the project's way, and what a finished transfer counts as. */
#ifndef FETCH_EASY_H
#define FETCH_EASY_H

#include <curl/curl.h>
#include <stdint.h>

#include "fetch_fault.h"
#include "fetch_urls.h"

/* What a worker adds up over the requests it made. Plain bytes (MPI). */
typedef struct fetch_tally {
    uint64_t requests; /* finished, failed or not */
    uint64_t bytes;    /* body bytes received */
    uint64_t checked;  /* pattern bodies found whole and right */
    fetch_faults faults;
} fetch_tally;

void fetch_tally_init(fetch_tally *t);
void fetch_tally_merge(fetch_tally *into, const fetch_tally *from);

/* Bounds every transfer carries. */
typedef struct fetch_limits {
    uint64_t timeout_ms, connect_timeout_ms;
} fetch_limits;

/* A handle and the state of its current transfer. Reused request after
 * request, so its connection is kept alive. */
typedef struct fetch_easy {
    CURL *curl;
    uint64_t index;    /* request being made */
    uint64_t received; /* body bytes so far */
    int pattern;       /* the answer says its body is the pattern */
    int bad_body;      /* ...and a byte differed, at bad_offset */
    uint64_t bad_offset;
    int length_bad;    /* the Content-Length overflows or is not a number (length_text) */
    char length_text[24];
    int64_t announced; /* the Content-Length, -1 if none */
    int64_t meant;     /* FETCH_BODY_SIZE_HEADER's value, -1 if none */
    char errbuf[CURL_ERROR_SIZE];
} fetch_easy;

/* curl_global_init once per process, before any thread starts. */
int fetch_easy_global_init(void);
void fetch_easy_global_cleanup(void);

/* Returns 0, or -1 with a message. */
int fetch_easy_init(fetch_easy *e, const fetch_limits *lim);
void fetch_easy_cleanup(fetch_easy *e);

/* Points the handle at request i and clears the transfer state. */
void fetch_easy_prepare(fetch_easy *e, const fetch_urls *u, uint64_t i);
/* Counts a finished transfer (result code from libcurl) into t and its
 * latency into ms[e->index]. */
void fetch_easy_finish(fetch_easy *e, CURLcode code, double *ms, fetch_tally *t);
/* Request i's host is reserved (.invalid): counted as unknown-host without
 * asking a resolver. */
void fetch_easy_skip_reserved(uint64_t i, double *ms, fetch_tally *t);

/* The whole of request i on this thread: prepare, perform, finish. */
void fetch_easy_run_one(fetch_easy *e, const fetch_urls *u, uint64_t i, double *ms,
                        fetch_tally *t);

#endif
