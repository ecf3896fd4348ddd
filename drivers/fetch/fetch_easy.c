/* libcurl handles: bounded, proxy-free, body-checking; results sorted into fault kinds. */
#include "fetch_easy.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "build_info.h"
#include "fetch_body.h"
#include "message.h"

void fetch_tally_init(fetch_tally *t)
{
    t->requests = t->bytes = t->checked = 0;
    fetch_faults_init(&t->faults);
}

void fetch_tally_merge(fetch_tally *into, const fetch_tally *from)
{
    into->requests += from->requests;
    into->bytes += from->bytes;
    into->checked += from->checked;
    fetch_faults_merge(&into->faults, &from->faults);
}

int fetch_easy_global_init(void)
{
    CURLcode c = curl_global_init(CURL_GLOBAL_ALL);
    if (c != CURLE_OK) {
        cs_error("cannot initialise libcurl: %s", curl_easy_strerror(c));
        return -1;
    }
    return 0;
}

void fetch_easy_global_cleanup(void)
{
    curl_global_cleanup();
}

/* A header's value as a length: digits only, within int64; -1 if not, -2 if it overflows.
 * libcurl reads an overflowing Content-Length as none and takes whatever comes until
 * the connection closes: such a body must not count as a success. */
static int64_t header_length(const char *v, const char *end, char *text, size_t textlen)
{
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
        end--;
    size_t shown = (size_t)(end - v) < textlen - 1 ? (size_t)(end - v) : textlen - 1;
    for (size_t i = 0; i < shown; i++)
        text[i] = (v[i] >= 0x20 && v[i] < 0x7f) ? v[i] : '?';
    text[shown] = '\0';
    if (v == end)
        return -1;
    int64_t n = 0;
    for (; v < end; v++) {
        if (*v < '0' || *v > '9')
            return -1;
        if (n > (INT64_MAX - (*v - '0')) / 10)
            return -2;
        n = n * 10 + (*v - '0');
    }
    return n;
}

static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
    fetch_easy *e = arg;
    size_t len = size * n;
    static const char mark[] = FETCH_BODY_HEADER ":";
    static const char length[] = "Content-Length:";
    static const char meant[] = FETCH_BODY_SIZE_HEADER ":";
    /* A new status line starts a new answer (after a 100 Continue, say). */
    if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
        e->pattern = e->length_bad = 0;
        e->announced = e->meant = -1;
    } else if (len > sizeof length - 1 && strncasecmp(data, length, sizeof length - 1) == 0) {
        int64_t v = header_length(data + sizeof length - 1, data + len, e->length_text,
                                  sizeof e->length_text);
        e->length_bad = v < 0;
        e->announced = v;
    } else if (len > sizeof meant - 1 && strncasecmp(data, meant, sizeof meant - 1) == 0) {
        char text[24];
        e->meant = header_length(data + sizeof meant - 1, data + len, text, sizeof text);
    } else if (len > sizeof mark - 1 && strncasecmp(data, mark, sizeof mark - 1) == 0) {
        const char *v = data + sizeof mark - 1, *end = data + len;
        while (v < end && (*v == ' ' || *v == '\t'))
            v++;
        size_t ml = sizeof FETCH_BODY_MARK - 1;
        e->pattern = (size_t)(end - v) >= ml && memcmp(v, FETCH_BODY_MARK, ml) == 0;
    }
    return len;
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    fetch_easy *e = arg;
    size_t len = size * n;
    if (e->pattern && !fetch_body_matches((const unsigned char *)data, len, e->received)) {
        size_t at = 0;
        while (at < len && (unsigned char)data[at] == fetch_body_byte(e->received + at))
            at++;
        e->bad_body = 1;
        e->bad_offset = e->received + at;
        e->received += at;
        return 0; /* stop the transfer: the body is wrong */
    }
    e->received += len;
    return len;
}

int fetch_easy_init(fetch_easy *e, const fetch_limits *lim)
{
    memset(e, 0, sizeof *e);
    e->curl = curl_easy_init();
    if (!e->curl) {
        cs_error("cannot create a libcurl handle");
        return -1;
    }
    CURL *c = e->curl;
    int bad = 0;
    bad |= curl_easy_setopt(c, CURLOPT_ERRORBUFFER, e->errbuf) != CURLE_OK;
    bad |= curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK; /* threads */
    bad |= curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)lim->timeout_ms) != CURLE_OK;
    bad |= curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)lim->connect_timeout_ms) != CURLE_OK;
    /* The traffic goes where the URL says, never through an environment proxy. */
    bad |= curl_easy_setopt(c, CURLOPT_PROXY, "") != CURLE_OK;
    bad |= curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK;
    bad |= curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK;
    bad |= curl_easy_setopt(c, CURLOPT_USERAGENT, "corescale/" CS_VERSION) != CURLE_OK;
    bad |= curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header) != CURLE_OK;
    bad |= curl_easy_setopt(c, CURLOPT_HEADERDATA, e) != CURLE_OK;
    bad |= curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body) != CURLE_OK;
    bad |= curl_easy_setopt(c, CURLOPT_WRITEDATA, e) != CURLE_OK;
    bad |= curl_easy_setopt(c, CURLOPT_PRIVATE, e) != CURLE_OK;
    if (bad) {
        cs_error("cannot set up a libcurl handle (libcurl %s lacks an option)",
                 curl_version_info(CURLVERSION_NOW)->version);
        curl_easy_cleanup(c);
        e->curl = NULL;
        return -1;
    }
    return 0;
}

void fetch_easy_cleanup(fetch_easy *e)
{
    if (e->curl)
        curl_easy_cleanup(e->curl);
    e->curl = NULL;
}

void fetch_easy_prepare(fetch_easy *e, const fetch_urls *u, uint64_t i)
{
    e->index = i;
    e->received = 0;
    e->pattern = e->bad_body = e->length_bad = 0;
    e->bad_offset = 0;
    e->announced = e->meant = -1;
    e->errbuf[0] = '\0';
    curl_easy_setopt(e->curl, CURLOPT_URL, fetch_urls_at(u, i));
}

static enum fetch_fault classify(CURLcode code, int bad_body)
{
    switch (code) {
    case CURLE_OK: return FETCH_OK;
    case CURLE_COULDNT_CONNECT: return FETCH_REFUSED;
    case CURLE_COULDNT_RESOLVE_HOST: return FETCH_UNKNOWN_HOST;
    case CURLE_OPERATION_TIMEDOUT: return FETCH_TIMEOUT;
    case CURLE_PARTIAL_FILE: return FETCH_SHORT_BODY;
    case CURLE_WRITE_ERROR: return bad_body ? FETCH_BAD_BODY : FETCH_OTHER;
    default: return FETCH_OTHER;
    }
}

void fetch_easy_finish(fetch_easy *e, CURLcode code, double *ms, fetch_tally *t)
{
    curl_off_t us = 0;
    curl_easy_getinfo(e->curl, CURLINFO_TOTAL_TIME_T, &us);
    ms[e->index] = (double)us / 1000.0;
    t->requests++;
    t->bytes += e->received;
    enum fetch_fault kind = classify(code, e->bad_body);
    char msg[FETCH_FAULT_MSG];
    if (kind == FETCH_BAD_BODY)
        snprintf(msg, sizeof msg, "body byte %llu differs from the pattern",
                 (unsigned long long)e->bad_offset);
    else
        snprintf(msg, sizeof msg, "%.*s", (int)sizeof msg - 1,
                 e->errbuf[0] ? e->errbuf : curl_easy_strerror(code));
    if (kind == FETCH_OK) {
        long status = 0;
        curl_off_t length = -1;
        curl_easy_getinfo(e->curl, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_getinfo(e->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
        if (status < 200 || status > 299) {
            kind = FETCH_STATUS;
            snprintf(msg, sizeof msg, "HTTP status %ld", status);
        } else if (e->length_bad) {
            kind = FETCH_BAD_LENGTH;
            snprintf(msg, sizeof msg, "Content-Length '%s' is not a length a body can have",
                     e->length_text);
        } else if (length >= 0 && (uint64_t)length < e->received) {
            kind = FETCH_BAD_LENGTH;
            snprintf(msg, sizeof msg, "%llu body bytes, more than the %lld announced",
                     (unsigned long long)e->received, (long long)length);
        } else if (e->pattern && e->meant >= 0 && (uint64_t)e->meant < e->received) {
            kind = FETCH_BAD_LENGTH;
            snprintf(msg, sizeof msg, "%llu body bytes, more than the %lld the server meant",
                     (unsigned long long)e->received, (long long)e->meant);
        } else if (e->pattern && e->meant >= 0 && (uint64_t)e->meant > e->received) {
            kind = FETCH_SHORT_BODY;
            snprintf(msg, sizeof msg, "%llu body bytes of the %lld the server meant",
                     (unsigned long long)e->received, (long long)e->meant);
        } else if (length >= 0 && (uint64_t)length != e->received) {
            kind = FETCH_SHORT_BODY;
            snprintf(msg, sizeof msg, "%llu body bytes of the %lld announced",
                     (unsigned long long)e->received, (long long)length);
        } else if (e->pattern) {
            t->checked++;
        }
    }
    fetch_faults_add(&t->faults, kind, e->index, msg);
}

void fetch_easy_skip_reserved(uint64_t i, double *ms, fetch_tally *t)
{
    ms[i] = 0;
    t->requests++;
    fetch_faults_add(&t->faults, FETCH_UNKNOWN_HOST, i,
                     "host under .invalid: reserved, never resolves (not looked up)");
}

void fetch_easy_run_one(fetch_easy *e, const fetch_urls *u, uint64_t i, double *ms,
                        fetch_tally *t)
{
    if (fetch_urls_reserved(u, i)) {
        fetch_easy_skip_reserved(i, ms, t);
        return;
    }
    fetch_easy_prepare(e, u, i);
    CURLcode code = curl_easy_perform(e->curl);
    fetch_easy_finish(e, code, ms, t);
}
