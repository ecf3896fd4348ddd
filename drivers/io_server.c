/* io_server: the latency-injecting HTTP server the fetch clients are measured against. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build_info.h"
#include "fetch_nofile.h"
#include "fetch_server.h"
#include "message.h"
#include "options.h"

/* Descriptors beyond the connection bound: the listener, the loop, the refusals. */
#define SPARE_DESCRIPTORS 512

/* "ADDR:PORT", "[V6]:PORT" or ":PORT" into address and port. ADDR must be a numeric
 * IPv4 or IPv6 address or "localhost": a name would be sent to the resolver. Every
 * message names the whole value as given. */
static int parse_listen(const char *text, char *address, size_t size, unsigned *port)
{
    const char *colon = strrchr(text, ':');
    const char *shown = cs_show(text);
    if (!colon) {
        cs_error("--listen '%s': give ADDR:PORT (port 0 picks one)", shown);
        return -1;
    }
    const char *a = text, *end = colon;
    int bracketed = *a == '[' && end > a && end[-1] == ']';
    if (bracketed) {
        a++;
        end--;
    }
    size_t len = (size_t)(end - a);
    if (len == 0) {
        a = "127.0.0.1";
        len = strlen(a);
    }
    if (len >= size) {
        cs_error("--listen '%s': the address is too long", shown);
        return -1;
    }
    memcpy(address, a, len);
    address[len] = '\0';
    unsigned char bin[sizeof(struct in6_addr)];
    int v4 = inet_pton(AF_INET, address, bin) == 1, v6 = inet_pton(AF_INET6, address, bin) == 1;
    if (!(v4 && !bracketed) && !v6 && strcmp(address, "localhost") != 0) {
        cs_error("--listen '%s': '%s' is not a numeric IPv4 address, a bracketed IPv6 address "
                 "or localhost", shown, cs_show(address));
        return -1;
    }
    if (v6 && !bracketed) {
        cs_error("--listen '%s': an IPv6 address goes in brackets, [%s]:PORT", shown,
                 cs_show(address));
        return -1;
    }
    const char *digits = colon + 1;
    int ok = *digits != '\0' && strlen(digits) <= 5;
    for (const char *c = digits; ok && *c; c++)
        ok = *c >= '0' && *c <= '9';
    if (!ok || strtoul(digits, NULL, 10) > 65535) {
        cs_error("--listen '%s': the port '%s' is not a number from 0 to 65535", shown,
                 cs_show(digits));
        return -1;
    }
    *port = (unsigned)strtoul(digits, NULL, 10);
    return 0;
}

static void print_served(const fetch_server *s)
{
    fetch_server_stats st;
    fetch_server_get_stats(s, &st);
    printf("# served %llu (2xx %llu, 3xx %llu, 4xx %llu, 5xx %llu; bad parameters %llu), "
           "%llu body bytes, at most %llu in flight, %llu connection%s\n",
           (unsigned long long)st.served, (unsigned long long)st.by_class[2],
           (unsigned long long)st.by_class[3], (unsigned long long)st.by_class[4],
           (unsigned long long)st.by_class[5], (unsigned long long)st.rejected,
           (unsigned long long)st.bytes, (unsigned long long)st.inflight_max,
           (unsigned long long)st.connections, st.connections == 1 ? "" : "s");
    printf("# bounds hit: 413 %llu, 431 %llu, 503 busy %llu, 503 refused %llu; malformed %llu, "
           "dropped %llu, accept pauses %llu; at most %llu connections and %llu body bytes "
           "held at once\n",
           (unsigned long long)st.too_large, (unsigned long long)st.header_too_large,
           (unsigned long long)st.busy, (unsigned long long)st.refused,
           (unsigned long long)st.malformed, (unsigned long long)st.dropped,
           (unsigned long long)st.accept_pauses, (unsigned long long)st.open_max,
           (unsigned long long)st.memory_max);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    static const cs_program_info info = {
        .name = "io_server",
        .purpose = "Serve HTTP with injected latency for the fetch clients (libevent, one thread).\n"
                   "Endpoints: / (--delay-ms, --bytes), /delay/MS, /bytes/N, /status/CODE, /stats;\n"
                   "on any path ?delay_ms=&bytes=&status=&short=1&corrupt=1 (GET and HEAD).\n"
                   "Bounded: bodies over --max-body get 413, heads over --max-header 431; past\n"
                   "--max-memory or --max-connections, 503 with Retry-After. Clients that go\n"
                   "are dropped with their work; out of descriptors, accepting pauses.\n"
                   "Stops on SIGINT/SIGTERM.",
        .groups = CS_OPTS_SERVER,
    };
    cs_message_init(info.name);
    cs_options o;
    enum cs_parse_result parsed = cs_options_parse(&o, &info, argc, argv);
    if (parsed != CS_PARSE_RUN)
        return parsed == CS_PARSE_DONE ? CS_EXIT_OK : CS_EXIT_USAGE;
    char address[256] = "127.0.0.1";
    unsigned port = 0;
    if (o.listen && parse_listen(o.listen, address, sizeof address, &port) != 0) {
        cs_options_free(&o);
        return CS_EXIT_USAGE;
    }
    fetch_server_config cfg = {.address = address, .port = port, .delay_ms = o.delay_ms,
                               .bytes = o.bytes,
                               .limits = {.max_body = o.max_body, .max_delay_ms = o.max_delay_ms,
                                          .max_memory = o.max_memory, .max_header = o.max_header,
                                          .max_connections = o.max_connections}};
    /* Checked before anything is bound: contradictory bounds are a usage error. */
    if (fetch_server_limits_resolve(&cfg.limits, o.delay_ms, o.bytes) != 0) {
        cs_options_free(&o);
        return CS_EXIT_USAGE;
    }
    uint64_t limit = fetch_nofile_raise(cfg.limits.max_connections + SPARE_DESCRIPTORS);
    fetch_server *s = NULL;
    int code = fetch_server_new(&cfg, &s);
    if (code != CS_EXIT_OK) {
        cs_options_free(&o);
        return code;
    }
    if (!o.quiet) {
        printf("# %s (corescale %s, revision %s), built with %s\n", info.name, CS_VERSION,
               CS_REVISION, CS_COMPILER);
        printf("# / answers after %llu ms with %llu pattern bytes; descriptor limit %llu\n",
               (unsigned long long)o.delay_ms, (unsigned long long)o.bytes,
               (unsigned long long)limit);
        const fetch_server_limits *l = &cfg.limits;
        printf("# bounds: body %llu bytes, delay %llu ms, bodies in flight %llu bytes, "
               "head %llu bytes, %llu connections\n",
               (unsigned long long)l->max_body, (unsigned long long)l->max_delay_ms,
               (unsigned long long)l->max_memory, (unsigned long long)l->max_header,
               (unsigned long long)l->max_connections);
    }
    /* Always printed: scripts read the port from it. */
    printf("listening on %s\n", fetch_server_url(s));
    fflush(stdout);
    code = fetch_server_run(s, 1) == 0 ? CS_EXIT_OK : CS_EXIT_FAIL;
    if (!o.quiet)
        print_served(s);
    fetch_server_free(s);
    cs_options_free(&o);
    return code;
}
