/* The list of requests a client makes: URLs checked before any request, shared by index. */
#ifndef FETCH_URLS_H
#define FETCH_URLS_H

#include <stddef.h>
#include <stdint.h>

#include "options.h"

/* Request i fetches text[which[i]]. Distinct URLs are stored once, so
 * "--url U --requests 1000000" costs four bytes a request. */
typedef struct fetch_urls {
    char **text;            /* distinct URLs, owned */
    uint8_t *reserved_host; /* per text: the host is under .invalid (RFC 6761) */
    uint32_t text_count, text_cap;
    uint32_t *which;
    uint64_t count, cap;
} fetch_urls;

void fetch_urls_init(fetch_urls *u);
void fetch_urls_free(fetch_urls *u);

/* The longest URL taken: servers commonly refuse request lines beyond 8 KiB. */
#define FETCH_URL_MAX 8000
#define FETCH_URL_MAX_TEXT "8000"

/* Checks one URL: no control bytes, at most FETCH_URL_MAX bytes; it must parse, say
 * http or https, name a host (not empty: "http:///p" is refused) and a port that is
 * not 0.
 * where names its origin in the message: "URL", "--url", "--url-file 'f' line 3: URL".
 * Returns 0, or prints "<where> '<url>': <reason>" and returns -1.
 * *reserved_host (may be NULL) says the host is under .invalid. */
int fetch_url_check(const char *url, const char *where, int *reserved_host);

/* Appends url `times` times after checking it. Returns a cs exit code:
 * 0, CS_EXIT_USAGE (bad URL, message printed) or CS_EXIT_FAIL (memory). */
int fetch_urls_add(fetch_urls *u, const char *url, uint64_t times, const char *where);
/* Appends the URLs of FILE: one per line, blank lines and '#' lines skipped. */
int fetch_urls_read_file(fetch_urls *u, const char *path);
/* Positional URLs, then --url-file, then --url repeated --requests times.
 * No URL at all leaves u empty: the caller starts the embedded server. */
int fetch_urls_from_options(fetch_urls *u, const cs_options *o);

static inline const char *fetch_urls_at(const fetch_urls *u, uint64_t i)
{
    return u->text[u->which[i]];
}
static inline int fetch_urls_reserved(const fetch_urls *u, uint64_t i)
{
    return u->reserved_host[u->which[i]];
}
/* Every request's URL, in order, as a pointer array for printing (malloc'd;
 * the strings stay owned by u). NULL when out of memory. */
const char **fetch_urls_table(const fetch_urls *u);

/* Bytes for another process (MPI): pack into a malloc'd buffer; unpack
 * checks the buffer and every URL again. Both return a cs exit code. */
int fetch_urls_pack(const fetch_urls *u, uint8_t **buf, size_t *len);
int fetch_urls_unpack(fetch_urls *u, const uint8_t *buf, size_t len);

#endif
