/* The latency-injecting HTTP server (libevent's evhttp on one thread), embeddable in a client. */
#ifndef FETCH_SERVER_H
#define FETCH_SERVER_H

#include <stddef.h>
#include <stdint.h>

/* Endpoints (any path not listed serves the defaults), for GET and HEAD:
 *   /              --delay-ms and --bytes
 *   /delay/MS      wait MS milliseconds (at most the max_delay_ms bound) before answering
 *   /bytes/N       a body of N pattern bytes (more than max_body: 413)
 *   /status/CODE   answer CODE (200..599; 204 and 304 carry no body)
 *   /stats         the counters below, as "name value" lines; not counted itself,
 *                  except as a connection
 * and on any path the query ?delay_ms=&bytes=&status=&short=1&corrupt=1
 * (short: announce the length, send half of it, close; corrupt: one byte of
 * the pattern changed). Bad values get 400 with the reason. */

#define FETCH_SERVER_MAX_DELAY_MS 60000u
#define FETCH_SERVER_MAX_BYTES (64ull << 20)

/* A body is produced while the client reads it, at most this many bytes ahead of
 * it; each one being sent holds min(its size, this) of the memory bound. */
#define FETCH_SERVER_WINDOW (32u << 10)

/* The bounds, and their defaults (a 0 in the config takes the default). */
#define FETCH_SERVER_DEFAULT_MAX_MEMORY (64ull << 20)  /* bodies in flight: 2048 windows */
#define FETCH_SERVER_DEFAULT_MAX_HEADER (8u << 10)     /* a request head, request line included */
#define FETCH_SERVER_DEFAULT_MAX_CONNECTIONS 10000u
#define FETCH_SERVER_MAX_CONNECTIONS 1000000u

typedef struct fetch_server_limits {
    uint64_t max_body;        /* largest body sent (bytes=) or received; 0: 64 MiB */
    uint64_t max_delay_ms;    /* longest delay; 0: 60000 */
    uint64_t max_memory;      /* bodies being built or sent, reserved at arrival; beyond: 503 */
    uint64_t max_header;      /* largest request head; beyond: 431 */
    uint64_t max_connections; /* open at once; beyond: 503 and close */
} fetch_server_limits;

typedef struct fetch_server_config {
    const char *address;   /* numeric or "localhost"; NULL: 127.0.0.1 */
    unsigned port;         /* 0: the system picks one */
    uint64_t delay_ms, bytes; /* what / serves */
    int backlog;           /* listen(2) backlog; 0: 16384 (the kernel may cap it) */
    fetch_server_limits limits;
} fetch_server_config;

/* Fills the zeros in lim with the defaults. Then returns 0, or -1 with a message
 * naming the option (--max-memory ...) when the bounds contradict each other or
 * the served defaults (delay_ms, bytes). */
int fetch_server_limits_resolve(fetch_server_limits *lim, uint64_t delay_ms, uint64_t bytes);

typedef struct fetch_server_stats {
    uint64_t served;          /* answers sent, 400s included, /stats not */
    uint64_t by_class[6];     /* by status class: [2] 2xx ... [5] 5xx */
    uint64_t rejected;        /* 400s for bad parameters */
    uint64_t bytes;           /* body bytes handed out */
    uint64_t inflight;        /* arrived, not yet answered */
    uint64_t inflight_max;    /* the most ever at once */
    uint64_t connections;     /* connections accepted, /stats ones included */
    uint64_t open, open_max;  /* connections open now, and the most at once */
    uint64_t memory, memory_max; /* body bytes reserved now, and the most at once */
    uint64_t too_large;       /* 413: a body over max_body */
    uint64_t header_too_large;/* 431: a head over max_header */
    uint64_t busy;            /* 503: the memory bound was reached */
    uint64_t refused;         /* 503 at connect: the connection bound was reached */
    uint64_t malformed;       /* 400/405/501/505 for the request itself, not its parameters */
    uint64_t dropped;         /* answers abandoned: the client went, or stopped reading */
    uint64_t accept_pauses;   /* accepting paused for want of descriptors */
    uint64_t max_memory;      /* the bound itself, for the reader of /stats */
} fetch_server_stats;

typedef struct fetch_server fetch_server;

/* Binds and listens; serves nothing until run or started. Returns 0, or a
 * cs exit code after a message: CS_EXIT_USAGE when the address cannot be
 * used or the limits do not hold together (the message names it),
 * CS_EXIT_FAIL for anything else. */
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
