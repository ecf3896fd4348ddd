/* Building a plan: the URL list, or the classic hundred requests against the embedded server. */
#include "fetch_plan.h"

#include <stdio.h>
#include <string.h>

#include "message.h"

void fetch_plan_init(fetch_plan *p)
{
    memset(p, 0, sizeof *p);
    fetch_urls_init(&p->urls);
}

void fetch_plan_free(fetch_plan *p)
{
    fetch_server_free(p->server);
    fetch_urls_free(&p->urls);
    p->server = NULL;
}

static int build_embedded(fetch_plan *p, const cs_options *o)
{
    /* Its only client is this process, bounded by its own options: the server's
     * connection and memory bounds must never refuse it. */
    fetch_server_config cfg = {.address = "127.0.0.1", .port = 0, .delay_ms = o->delay_ms,
                               .bytes = o->bytes,
                               .limits = {.max_connections = FETCH_SERVER_MAX_CONNECTIONS,
                                          .max_memory = UINT64_MAX / 2}};
    if (fetch_server_new(&cfg, &p->server) != 0 || fetch_server_start(p->server) != 0)
        return CS_EXIT_FAIL;
    const char *url = fetch_server_url(p->server);
    int code = fetch_urls_add(&p->urls, url, o->requests, "the embedded server's URL");
    if (code != CS_EXIT_OK)
        return code;
    snprintf(p->source, sizeof p->source,
             "the embedded server %s (delay %llu ms, body %llu bytes)", url,
             (unsigned long long)o->delay_ms, (unsigned long long)o->bytes);
    snprintf(p->case_name, sizeof p->case_name, "requests=%llu;delay_ms=%llu;bytes=%llu",
             (unsigned long long)o->requests, (unsigned long long)o->delay_ms,
             (unsigned long long)o->bytes);
    return CS_EXIT_OK;
}

static void describe_given(fetch_plan *p, const cs_options *o)
{
    size_t at = 0;
    char *s = p->source;
    size_t n = sizeof p->source;
    at += (size_t)snprintf(s + at, n - at, "%u distinct URL%s from", p->urls.text_count,
                           p->urls.text_count == 1 ? "" : "s");
    const char *sep = " ";
    if (o->url_count && at < n) {
        at += (size_t)snprintf(s + at, n - at, "%s%zu argument%s", sep, o->url_count,
                               o->url_count == 1 ? "" : "s");
        sep = ", ";
    }
    if (o->url_file && at < n) {
        at += (size_t)snprintf(s + at, n - at, "%s--url-file %s", sep, cs_show(o->url_file));
        sep = ", ";
    }
    if (o->url && at < n)
        snprintf(s + at, n - at, "%s--url %s x%llu", sep, o->url, (unsigned long long)o->requests);
    snprintf(p->case_name, sizeof p->case_name, "requests=%llu;urls=%u",
             (unsigned long long)p->urls.count, p->urls.text_count);
}

int fetch_plan_build(fetch_plan *p, const cs_options *o)
{
    fetch_plan_init(p);
    int code = fetch_urls_from_options(&p->urls, o);
    if (code != CS_EXIT_OK)
        return code;
    if (p->urls.count == 0)
        return build_embedded(p, o);
    describe_given(p, o);
    return CS_EXIT_OK;
}
