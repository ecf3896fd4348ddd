/* Failed requests counted by kind, with the first example of each kind kept for people. */
#ifndef FETCH_FAULT_H
#define FETCH_FAULT_H

#include <stdint.h>
#include <stdio.h>

enum fetch_fault {
    FETCH_OK = 0,
    FETCH_REFUSED,      /* nothing listens there (or the connect failed) */
    FETCH_UNKNOWN_HOST, /* the name does not resolve */
    FETCH_TIMEOUT,      /* --timeout-ms or --connect-timeout-ms ran out */
    FETCH_STATUS,       /* an answer, but not 2xx */
    FETCH_SHORT_BODY,   /* the connection ended before Content-Length bytes came */
    FETCH_BAD_BODY,     /* a pattern body whose bytes are not the pattern */
    FETCH_BAD_LENGTH,   /* a Content-Length that overflows, or more body than was announced */
    FETCH_OTHER,        /* any other transfer error */
    FETCH_FAULT_KINDS
};

#define FETCH_FAULT_MSG 200
#define FETCH_NO_INDEX UINT64_MAX

/* Plain bytes (no pointers), so MPI ranks can send it as it is. */
typedef struct fetch_faults {
    uint64_t count[FETCH_FAULT_KINDS];
    uint64_t first_index[FETCH_FAULT_KINDS]; /* request index, FETCH_NO_INDEX if none */
    char first_msg[FETCH_FAULT_KINDS][FETCH_FAULT_MSG];
} fetch_faults;

/* "refused", "unknown-host", ...: the names the summary and tests use. */
const char *fetch_fault_name(enum fetch_fault kind);

void fetch_faults_init(fetch_faults *f);
/* Counts one failed request; keeps msg if it is the kind's earliest request. */
void fetch_faults_add(fetch_faults *f, enum fetch_fault kind, uint64_t index, const char *msg);
/* into += from; the earliest example of each kind wins. */
void fetch_faults_merge(fetch_faults *into, const fetch_faults *from);
uint64_t fetch_faults_total(const fetch_faults *f);

/* "# faults: refused 2, timeout 1" then one "#   <kind>: first at request I (URL): msg"
 * line per kind that occurred; nothing when there were none. */
void fetch_faults_print(FILE *out, const fetch_faults *f, const char *const *urls);

#endif
