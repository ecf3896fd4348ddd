/* URL lists: parsed with libcurl's URL parser, so a bad URL stops the run before any request. */
#include "fetch_urls.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "message.h"

void fetch_urls_init(fetch_urls *u)
{
    memset(u, 0, sizeof *u);
}

void fetch_urls_free(fetch_urls *u)
{
    for (uint32_t i = 0; i < u->text_count; i++)
        free(u->text[i]);
    free(u->text);
    free(u->reserved_host);
    free(u->which);
    fetch_urls_init(u);
}

/* RFC 6761: names under .invalid never resolve, so clients answer at once
 * without asking a resolver: the run stays offline and quick. */
static int host_is_reserved(const char *host)
{
    size_t len = strlen(host);
    while (len > 0 && host[len - 1] == '.')
        len--;
    static const char tld[] = "invalid";
    size_t tl = sizeof tld - 1;
    if (len < tl || strncasecmp(host + len - tl, tld, tl) != 0)
        return 0;
    return len == tl || host[len - tl - 1] == '.';
}

/* What no request can use, before libcurl's parser sees it: control bytes (they
 * would reach a terminal raw), a length no server takes, no scheme. */
static const char *url_shape_problem(const char *url)
{
    size_t len = strlen(url);
    for (const unsigned char *c = (const unsigned char *)url; *c; c++)
        if (*c < 0x20 || *c == 0x7f)
            return "a control byte in the URL";
    if (len > FETCH_URL_MAX)
        return "longer than " FETCH_URL_MAX_TEXT " bytes";
    if (!strstr(url, "://"))
        return "no scheme: give http:// or https://";
    return NULL;
}

/* "http:///path": libcurl reads "path" as the host; the authority is empty. */
static int authority_is_empty(const char *url)
{
    const char *auth = strstr(url, "://") + 3;
    size_t auth_len = strcspn(auth, "/?#");
    const char *at = memchr(auth, '@', auth_len);
    const char *host = at ? at + 1 : auth;
    size_t host_len = auth_len - (size_t)(host - auth);
    return host_len == 0 || host[0] == ':';
}

int fetch_url_check(const char *url, const char *where, int *reserved_host)
{
    const char *problem = url_shape_problem(url);
    if (problem) {
        cs_error("%s '%s': %s", where, cs_show(url), problem);
        return -1;
    }
    CURLU *h = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL;
    int rc = -1;
    if (!h) {
        cs_error("%s '%s': out of memory parsing it", where, cs_show(url));
        return -1;
    }
    CURLUcode uc = curl_url_set(h, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME);
    if (uc != CURLUE_OK && authority_is_empty(url)) {
        cs_error("%s '%s': no host", where, cs_show(url));
        goto out;
    }
    if (uc != CURLUE_OK) {
        cs_error("%s '%s': not a valid URL (%s)", where, cs_show(url), curl_url_strerror(uc));
        goto out;
    }
    if (curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) {
        cs_error("%s '%s': no scheme: give http:// or https://", where, cs_show(url));
        goto out;
    }
    if (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0) {
        cs_error("%s '%s': scheme '%s' is not http or https", where, cs_show(url),
                 cs_show(scheme));
        goto out;
    }
    if (authority_is_empty(url) || curl_url_get(h, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
        host[0] == '\0') {
        cs_error("%s '%s': no host", where, cs_show(url));
        goto out;
    }
    if (curl_url_get(h, CURLUPART_PORT, &port, 0) == CURLUE_OK && strcmp(port, "0") == 0) {
        cs_error("%s '%s': port 0 cannot be connected to", where, cs_show(url));
        goto out;
    }
    if (reserved_host)
        *reserved_host = host_is_reserved(host);
    rc = 0;
out:
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(h);
    return rc;
}

static int grow(void **p, uint64_t *cap, uint64_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    uint64_t n = *cap ? *cap : 16;
    while (n < need)
        n *= 2;
    if (n > SIZE_MAX / size)
        return -1;
    void *q = realloc(*p, (size_t)n * size);
    if (!q)
        return -1;
    *p = q;
    *cap = n;
    return 0;
}

static int add_text(fetch_urls *u, const char *url, int reserved)
{
    if (u->text_count == UINT32_MAX)
        return -1;
    uint64_t cap = u->text_cap;
    if (grow((void **)&u->text, &cap, (uint64_t)u->text_count + 1, sizeof *u->text) != 0)
        return -1;
    cap = u->text_cap;
    if (grow((void **)&u->reserved_host, &cap, (uint64_t)u->text_count + 1, 1) != 0)
        return -1;
    u->text_cap = (uint32_t)(cap > UINT32_MAX ? UINT32_MAX : cap);
    char *copy = strdup(url);
    if (!copy)
        return -1;
    u->text[u->text_count] = copy;
    u->reserved_host[u->text_count] = (uint8_t)reserved;
    u->text_count++;
    return 0;
}

int fetch_urls_add(fetch_urls *u, const char *url, uint64_t times, const char *where)
{
    int reserved = 0;
    if (fetch_url_check(url, where, &reserved) != 0)
        return CS_EXIT_USAGE;
    /* The same URL twice in a row is stored once. */
    int same = u->text_count > 0 && strcmp(u->text[u->text_count - 1], url) == 0;
    if (!same && add_text(u, url, reserved) != 0)
        goto oom;
    if (grow((void **)&u->which, &u->cap, u->count + times, sizeof *u->which) != 0)
        goto oom;
    for (uint64_t i = 0; i < times; i++)
        u->which[u->count++] = u->text_count - 1;
    return CS_EXIT_OK;
oom:
    cs_error("%s '%s': out of memory for %llu requests", where, cs_show(url),
             (unsigned long long)times);
    return CS_EXIT_FAIL;
}

int fetch_urls_read_file(fetch_urls *u, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        cs_error("--url-file '%s': cannot open: %s", cs_show(path), strerror(errno));
        return CS_EXIT_USAGE;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    unsigned long lineno = 0;
    uint64_t before = u->count;
    int code = CS_EXIT_OK;
    while (code == CS_EXIT_OK && (got = getline(&line, &cap, f)) >= 0) {
        lineno++;
        char *s = line, *e = line + got;
        while (s < e && (*s == ' ' || *s == '\t'))
            s++;
        while (e > s && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
            e--;
        *e = '\0';
        if (*s == '\0' || *s == '#')
            continue;
        char where[1200];
        snprintf(where, sizeof where, "--url-file '%s' line %lu: URL", cs_show(path), lineno);
        code = fetch_urls_add(u, s, 1, where);
    }
    if (code == CS_EXIT_OK && ferror(f)) {
        cs_error("--url-file '%s': cannot read: %s", cs_show(path), strerror(errno));
        code = CS_EXIT_USAGE;
    }
    if (code == CS_EXIT_OK && u->count == before) {
        cs_error("--url-file '%s': no URL in the file", cs_show(path));
        code = CS_EXIT_USAGE;
    }
    free(line);
    fclose(f);
    return code;
}

int fetch_urls_from_options(fetch_urls *u, const cs_options *o)
{
    int code = CS_EXIT_OK;
    for (size_t i = 0; i < o->url_count && code == CS_EXIT_OK; i++) {
        /* Options end at the first URL, so a later one arrives here. */
        if (o->urls[i][0] == '-') {
            cs_error("URL '%s': an option after a URL; give the options first",
                     cs_show(o->urls[i]));
            return CS_EXIT_USAGE;
        }
        code = fetch_urls_add(u, o->urls[i], 1, "URL");
    }
    if (code == CS_EXIT_OK && o->url_file)
        code = fetch_urls_read_file(u, o->url_file);
    if (code == CS_EXIT_OK && o->url)
        code = fetch_urls_add(u, o->url, o->requests, "--url");
    return code;
}

const char **fetch_urls_table(const fetch_urls *u)
{
    const char **t = malloc((size_t)(u->count ? u->count : 1) * sizeof *t);
    if (!t)
        return NULL;
    for (uint64_t i = 0; i < u->count; i++)
        t[i] = fetch_urls_at(u, i);
    return t;
}

/* Layout: u64 text_count, u64 count, then each text NUL-terminated, then
 * count u32 indices. Native byte order: the ranks of one job share it. */
int fetch_urls_pack(const fetch_urls *u, uint8_t **buf, size_t *len)
{
    size_t n = 16 + (size_t)u->count * sizeof(uint32_t);
    for (uint32_t i = 0; i < u->text_count; i++)
        n += strlen(u->text[i]) + 1;
    uint8_t *b = malloc(n), *p = b;
    if (!b) {
        cs_error("out of memory packing %llu URLs", (unsigned long long)u->count);
        return CS_EXIT_FAIL;
    }
    uint64_t head[2] = {u->text_count, u->count};
    memcpy(p, head, 16);
    p += 16;
    for (uint32_t i = 0; i < u->text_count; i++) {
        size_t l = strlen(u->text[i]) + 1;
        memcpy(p, u->text[i], l);
        p += l;
    }
    if (u->count) /* an empty list has no index array at all */
        memcpy(p, u->which, (size_t)u->count * sizeof(uint32_t));
    *buf = b;
    *len = n;
    return CS_EXIT_OK;
}

int fetch_urls_unpack(fetch_urls *u, const uint8_t *buf, size_t len)
{
    fetch_urls_init(u);
    uint64_t head[2];
    if (len < 16)
        goto corrupt;
    memcpy(head, buf, 16);
    const uint8_t *p = buf + 16, *end = buf + len;
    if (head[0] > UINT32_MAX || head[1] > (uint64_t)(end - p) / sizeof(uint32_t))
        goto corrupt;
    for (uint64_t i = 0; i < head[0]; i++) {
        const uint8_t *nul = memchr(p, '\0', (size_t)(end - p));
        if (!nul)
            goto corrupt;
        int reserved = 0;
        if (fetch_url_check((const char *)p, "URL", &reserved) != 0) {
            fetch_urls_free(u);
            return CS_EXIT_USAGE;
        }
        if (add_text(u, (const char *)p, reserved) != 0)
            goto oom;
        p = nul + 1;
    }
    if ((size_t)(end - p) != head[1] * sizeof(uint32_t))
        goto corrupt;
    if (grow((void **)&u->which, &u->cap, head[1], sizeof *u->which) != 0)
        goto oom;
    if (head[1]) /* no requests: grow allocated nothing to copy into */
        memcpy(u->which, p, (size_t)head[1] * sizeof(uint32_t));
    u->count = head[1];
    for (uint64_t i = 0; i < u->count; i++)
        if (u->which[i] >= u->text_count)
            goto corrupt;
    return CS_EXIT_OK;
corrupt:
    cs_error("a packed URL list of %zu bytes is malformed", len);
    fetch_urls_free(u);
    return CS_EXIT_FAIL;
oom:
    cs_error("out of memory unpacking a URL list of %zu bytes", len);
    fetch_urls_free(u);
    return CS_EXIT_FAIL;
}
