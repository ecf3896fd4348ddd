/* The latency-injecting HTTP server (libevent's evhttp on one thread), embeddable in a client. */
#ifndef FETCH_SERVER_H
#define FETCH_SERVER_H

#include <stddef.h>
#include <stdint.h>

/* Endpoints (any path not listed serves the defaults):
 *   /              --delay-ms and --bytes
 *   /delay/MS      wait MS milliseconds (at most 60000) before answering
 *   /bytes/N       a body of N pattern bytes (at most 64 MiB)
 *   /status/CODE   answer CODE (200..599)
 *   /stats         the counters below, as "name value" lines; not counted itself,
 *                  except as a connection
 * and on any path the query ?delay_ms=&bytes=&status=&short=1&corrupt=1
 * (short: announce the length, send half of it, close; corrupt: one byte of
 * the pattern changed). Bad values get 400 with the reason. */

#define FETCH_SERVER_MAX_DELAY_MS 60000u
#define FETCH_SERVER_MAX_BYTES (64ull << 20)

typedef struct fetch_server_config {
    const char *address;   /* numeric or "localhost"; NULL: 127.0.0.1 */
    unsigned port;         /* 0: the system picks one */
    uint64_t delay_ms, bytes; /* what / serves */
    int backlog;           /* listen(2) backlog; 0: 16384 (the kernel may cap it) */
} fetch_server_config;

typedef struct fetch_server_stats {
    uint64_t served;          /* answers sent, 400s included, /stats not */
    uint64_t by_class[6];     /* by status class: [2] 2xx ... [5] 5xx */
    uint64_t rejected;        /* 400s for bad parameters */
    uint64_t bytes;           /* body bytes handed out */
    uint64_t inflight;        /* arrived, not yet answered */
    uint64_t inflight_max;    /* the most ever at once */
    uint64_t connections;     /* connections accepted, /stats ones included */
} fetch_server_stats;

typedef struct fetch_server fetch_server;

/* Binds and listens; serves nothing until run or started. Returns 0, or a
 * cs exit code after a message: CS_EXIT_USAGE when the address cannot be
 * used (the message names it), CS_EXIT_FAIL for anything else. */
int fetch_server_new(const fetch_server_config *cfg, fetch_server **out);
/* "http://127.0.0.1:PORT/" */
const char *fetch_server_url(const fetch_server *s);
unsigned fetch_server_port(const fetch_server *s);

/* Serves on this thread until fetch_server_stop or, when stop_on_signals,
 * SIGINT/SIGTERM. Returns 0, or -1 with a message. */
int fetch_server_run(fetch_server *s, int stop_on_signals);
/* Serves on a thread of its own (the embedded server). 0 or -1. */
int fetch_server_start(fetch_server *s);
/* Ends serving; safe from any thread, before or while it runs. */
void fetch_server_stop(fetch_server *s);
/* A snapshot; safe from any thread. */
void fetch_server_get_stats(const fetch_server *s, fetch_server_stats *out);
/* Stops, joins the thread if any, answers nothing more, frees. */
void fetch_server_free(fetch_server *s);

#endif
