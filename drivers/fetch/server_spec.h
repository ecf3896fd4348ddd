/* What io_server is asked to answer: a request target's path and query, read against the bounds. */
#ifndef SERVER_SPEC_H
#define SERVER_SPEC_H

#include <stddef.h>
#include <stdint.h>

#include "fetch_server.h"

typedef struct server_spec {
    uint64_t delay_ms, bytes;
    int status, short_body, corrupt;
    int stats; /* the target is /stats */
} server_spec;

/* Reads target[0..len) (origin or absolute form) into sp, which holds the defaults.
 * Returns 0, or the status to answer with and the reason in why: 400 for a malformed
 * or out-of-range value, 413 for bytes over lim->max_body. */
int server_spec_parse(const char *target, size_t len, const fetch_server_limits *lim,
                      server_spec *sp, char *why, size_t whylen);

#endif
