/* Reading /delay/MS, /bytes/N, /status/CODE and ?delay_ms=&bytes=&status=&short=&corrupt=. */
#include "server_spec.h"

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

/* Digits only, min..max: "delay_ms '70000': must be 0..60000" otherwise. */
static int parse_value(const char *name, const char *text, uint64_t min, uint64_t max,
                       uint64_t *out, char *why, size_t whylen)
{
    uint64_t v = 0;
    if (*text == '\0') {
        snprintf(why, whylen, "%s '': a number is needed\n", name);
        return 400;
    }
    for (const char *c = text; *c; c++) {
        if (*c < '0' || *c > '9') {
            snprintf(why, whylen, "%s '%.40s': not a whole number\n", name, text);
            return 400;
        }
        if (v > (UINT64_MAX - 9) / 10) {
            v = UINT64_MAX;
            break;
        }
        v = v * 10 + (uint64_t)(*c - '0');
    }
    if (v > max || v < min) {
        snprintf(why, whylen, "%s '%.40s': must be %llu..%llu\n", name, text,
                 (unsigned long long)min, (unsigned long long)max);
        return 400;
    }
    *out = v;
    return 0;
}

/* A body size: well formed or 400; then over the bound, 413 (too large, not wrong). */
static int parse_bytes(const char *name, const char *text, const fetch_server_limits *lim,
                       uint64_t *out, char *why, size_t whylen)
{
    uint64_t v;
    int rc = parse_value(name, text, 0, UINT64_MAX, &v, why, whylen);
    if (rc != 0)
        return rc;
    if (v > lim->max_body) {
        snprintf(why, whylen, "%s '%.40s': more than this server's bound of %llu (--max-body)\n",
                 name, text, (unsigned long long)lim->max_body);
        return 413;
    }
    *out = v;
    return 0;
}

static int parse_path(const char *path, const fetch_server_limits *lim, server_spec *sp,
                      char *why, size_t whylen)
{
    uint64_t v;
    int rc = 0;
    if (strncmp(path, "/delay/", 7) == 0) {
        if ((rc = parse_value("delay", path + 7, 0, lim->max_delay_ms, &v, why, whylen)) == 0)
            sp->delay_ms = v;
    } else if (strncmp(path, "/bytes/", 7) == 0) {
        if ((rc = parse_bytes("bytes", path + 7, lim, &v, why, whylen)) == 0)
            sp->bytes = v;
    } else if (strncmp(path, "/status/", 8) == 0) {
        if ((rc = parse_value("status", path + 8, 200, 599, &v, why, whylen)) == 0)
            sp->status = (int)v;
    }
    return rc;
}

static int parse_query(const char *query, const fetch_server_limits *lim, server_spec *sp,
                       char *why, size_t whylen)
{
    if (!query || !*query)
        return 0;
    struct evkeyvalq kv;
    TAILQ_INIT(&kv);
    if (evhttp_parse_query_str(query, &kv) != 0) {
        snprintf(why, whylen, "query '%.80s': malformed\n", query);
        evhttp_clear_headers(&kv);
        return 400;
    }
    uint64_t v;
    const char *t;
    int rc = 0;
    if (rc == 0 && (t = evhttp_find_header(&kv, "delay_ms")) &&
        (rc = parse_value("delay_ms", t, 0, lim->max_delay_ms, &v, why, whylen)) == 0)
        sp->delay_ms = v;
    if (rc == 0 && (t = evhttp_find_header(&kv, "bytes")) &&
        (rc = parse_bytes("bytes", t, lim, &v, why, whylen)) == 0)
        sp->bytes = v;
    if (rc == 0 && (t = evhttp_find_header(&kv, "status")) &&
        (rc = parse_value("status", t, 200, 599, &v, why, whylen)) == 0)
        sp->status = (int)v;
    if (rc == 0 && (t = evhttp_find_header(&kv, "short")) &&
        (rc = parse_value("short", t, 0, 1, &v, why, whylen)) == 0)
        sp->short_body = (int)v;
    if (rc == 0 && (t = evhttp_find_header(&kv, "corrupt")) &&
        (rc = parse_value("corrupt", t, 0, 1, &v, why, whylen)) == 0)
        sp->corrupt = (int)v;
    if (rc == 0 && sp->corrupt && sp->bytes == 0) {
        /* Otherwise the fault asked for would silently not happen. */
        snprintf(why, whylen, "corrupt '1': no body byte to change (bytes is 0)\n");
        rc = 400;
    }
    evhttp_clear_headers(&kv);
    return rc;
}

int server_spec_parse(const char *target, size_t len, const fetch_server_limits *lim,
                      server_spec *sp, char *why, size_t whylen)
{
    char *copy = malloc(len + 1);
    if (!copy) {
        snprintf(why, whylen, "out of memory for the request target\n");
        return 503;
    }
    memcpy(copy, target, len);
    copy[len] = '\0';
    struct evhttp_uri *uri = evhttp_uri_parse_with_flags(copy, EVHTTP_URI_NONCONFORMANT);
    int rc = 0;
    if (!uri) {
        snprintf(why, whylen, "target '%.80s': malformed\n", copy);
        rc = 400;
    } else {
        const char *path = evhttp_uri_get_path(uri);
        if (!path || !*path)
            path = "/";
        sp->stats = strcmp(path, "/stats") == 0;
        if (!sp->stats && (rc = parse_path(path, lim, sp, why, whylen)) == 0)
            rc = parse_query(evhttp_uri_get_query(uri), lim, sp, why, whylen);
        evhttp_uri_free(uri);
    }
    free(copy);
    return rc;
}
