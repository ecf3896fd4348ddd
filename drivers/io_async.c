/* io_async: one thread, libcurl's multi socket interface driven by a libevent loop, C in flight. */
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch_easy.h"
#include "fetch_nofile.h"
#include "fetch_plan.h"
#include "fetch_run.h"
#include "message.h"
#include "options.h"

#define DEFAULT_CONCURRENCY 10
/* Handles per multi handle. libcurl 7.x walks its whole connection cache each
 * time a finished transfer is removed (to find connect-only connections), so
 * one multi of C connections costs O(C) a request and O(C^2) a wave; small
 * multis on the same loop keep that walk short. */
#define HANDLES_PER_MULTI 32

/* The event watching one of libcurl's sockets. */
struct watch {
    struct event *ev;
    int what; /* CURL_POLL_IN/OUT/INOUT being watched */
    struct watch *prev, *next;
};

struct async;

/* One multi handle, its timer, and the handles that belong to it. */
struct shard {
    struct async *a;
    CURLM *multi;
    struct event *timer;
};

struct async {
    struct event_base *base;
    struct shard *shards;
    unsigned shard_count;
    unsigned concurrency;
    fetch_easy *handles;        /* handle h belongs to shard h / HANDLES_PER_MULTI */
    unsigned *idle, idle_count; /* handles not in a transfer: at most C ever are */
    unsigned char *used;        /* per handle: has made a transfer before */
    struct watch *watches;
    /* per run */
    const fetch_urls *urls;
    double *ms;
    fetch_tally *tally;
    uint64_t next, done;
    int broken;
};

static struct shard *shard_of(struct async *a, unsigned h)
{
    return &a->shards[h / HANDLES_PER_MULTI];
}

static void start_more(struct async *a)
{
    while (a->next < a->urls->count && a->idle_count > 0 && !a->broken) {
        uint64_t i = a->next++;
        if (fetch_urls_reserved(a->urls, i)) {
            fetch_easy_skip_reserved(i, a->ms, a->tally);
            a->done++;
            continue;
        }
        unsigned h = a->idle[--a->idle_count];
        fetch_easy *e = &a->handles[h];
        fetch_easy_prepare(e, a->urls, i);
        /* A handle's first transfer comes while every other handle is busy or
         * also new, so no idle connection can exist: skip the cache search. */
        curl_easy_setopt(e->curl, CURLOPT_FRESH_CONNECT, a->used[h] ? 0L : 1L);
        a->used[h] = 1;
        CURLMcode mc = curl_multi_add_handle(shard_of(a, h)->multi, e->curl);
        if (mc != CURLM_OK) {
            cs_error("request %llu: libcurl refused the transfer: %s",
                     (unsigned long long)i + 1, curl_multi_strerror(mc));
            a->broken = 1;
        }
    }
    if (a->done == a->urls->count || a->broken)
        event_base_loopbreak(a->base);
}

/* Every finished transfer is counted and its handle freed for the next URL. */
static void drain(struct shard *sh)
{
    struct async *a = sh->a;
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(sh->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        CURL *easy = msg->easy_handle;
        CURLcode code = msg->data.result;
        fetch_easy *e = NULL;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&e);
        fetch_easy_finish(e, code, a->ms, a->tally);
        curl_multi_remove_handle(sh->multi, easy);
        a->idle[a->idle_count++] = (unsigned)(e - a->handles);
        a->done++;
    }
    start_more(a);
}

/* libcurl moves the transfers on a socket (or all, on its timer). If it
 * cannot, the run ends: no transfer is left waiting for a loop that no
 * longer drives it. */
static void act(struct shard *sh, curl_socket_t fd, int flags)
{
    int running;
    CURLMcode mc = curl_multi_socket_action(sh->multi, fd, flags, &running);
    if (mc != CURLM_OK) {
        cs_error("libcurl's multi interface failed: %s", curl_multi_strerror(mc));
        sh->a->broken = 1;
    }
    drain(sh);
}

static void on_socket_event(evutil_socket_t fd, short kind, void *arg)
{
    int flags = ((kind & EV_READ) ? CURL_CSELECT_IN : 0) | ((kind & EV_WRITE) ? CURL_CSELECT_OUT : 0);
    act(arg, fd, flags);
}

static void on_timeout(evutil_socket_t fd, short kind, void *arg)
{
    (void)fd;
    (void)kind;
    act(arg, CURL_SOCKET_TIMEOUT, 0);
}

static void unwatch(struct async *a, struct watch *w)
{
    if (w->prev)
        w->prev->next = w->next;
    else
        a->watches = w->next;
    if (w->next)
        w->next->prev = w->prev;
    event_free(w->ev);
    free(w);
}

/* libcurl says which sockets to watch for what; the loop watches them. */
static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
    (void)easy;
    struct shard *sh = userp;
    struct async *a = sh->a;
    struct watch *w = socketp;
    if (what == CURL_POLL_REMOVE) {
        if (w)
            unwatch(a, w);
        return 0;
    }
    short kind = (short)(EV_PERSIST | ((what & CURL_POLL_IN) ? EV_READ : 0) |
                         ((what & CURL_POLL_OUT) ? EV_WRITE : 0));
    if (!w) {
        w = calloc(1, sizeof *w);
        if (!w || !(w->ev = event_new(a->base, fd, kind, on_socket_event, sh))) {
            free(w);
            cs_error("out of memory watching a socket");
            a->broken = 1;
            return -1;
        }
        w->next = a->watches;
        if (a->watches)
            a->watches->prev = w;
        a->watches = w;
        curl_multi_assign(sh->multi, fd, w);
    } else if (w->what == what) {
        return 0; /* already watched for this: spare the loop two epoll_ctl calls */
    } else {
        event_del(w->ev);
        event_assign(w->ev, a->base, fd, kind, on_socket_event, sh);
    }
    w->what = what;
    event_add(w->ev, NULL);
    return 0;
}

static int on_timer(CURLM *multi, long timeout_ms, void *userp)
{
    (void)multi;
    struct shard *sh = userp;
    if (timeout_ms < 0) {
        evtimer_del(sh->timer);
        return 0;
    }
    struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    evtimer_add(sh->timer, &tv);
    return 0;
}

static int async_run(void *ctx, const fetch_urls *u, double *ms, fetch_tally *t)
{
    struct async *a = ctx;
    a->urls = u;
    a->ms = ms;
    a->tally = t;
    a->next = a->done = 0;
    a->broken = 0;
    start_more(a);
    if (a->done < u->count && !a->broken)
        event_base_dispatch(a->base);
    if (!a->broken && a->done < u->count) {
        cs_error("the event loop stopped with %llu of %llu requests unfinished",
                 (unsigned long long)(u->count - a->done), (unsigned long long)u->count);
        a->broken = 1;
    }
    return a->broken ? -1 : 0;
}

static int shard_init(struct shard *sh, struct async *a, long handles)
{
    sh->a = a;
    sh->multi = curl_multi_init();
    sh->timer = evtimer_new(a->base, on_timeout, sh);
    /* Keep as many idle connections as there can be transfers, for reuse. */
    return !sh->multi || !sh->timer ||
                   curl_multi_setopt(sh->multi, CURLMOPT_SOCKETFUNCTION, on_socket) != CURLM_OK ||
                   curl_multi_setopt(sh->multi, CURLMOPT_SOCKETDATA, sh) != CURLM_OK ||
                   curl_multi_setopt(sh->multi, CURLMOPT_TIMERFUNCTION, on_timer) != CURLM_OK ||
                   curl_multi_setopt(sh->multi, CURLMOPT_TIMERDATA, sh) != CURLM_OK ||
                   curl_multi_setopt(sh->multi, CURLMOPT_MAXCONNECTS, handles) != CURLM_OK
               ? -1
               : 0;
}

static int async_init(struct async *a, unsigned concurrency, const fetch_limits *lim)
{
    a->concurrency = concurrency;
    a->shard_count = (a->concurrency + HANDLES_PER_MULTI - 1) / HANDLES_PER_MULTI;
    a->base = event_base_new();
    a->shards = calloc(a->shard_count, sizeof *a->shards);
    a->handles = calloc(a->concurrency, sizeof *a->handles);
    a->idle = calloc(a->concurrency, sizeof *a->idle);
    a->used = calloc(a->concurrency, 1);
    if (!a->base || !a->shards || !a->handles || !a->idle || !a->used) {
        cs_error("--concurrency %u: out of memory for the event loop and handles", a->concurrency);
        return -1;
    }
    for (unsigned i = 0; i < a->shard_count; i++) {
        unsigned first = i * HANDLES_PER_MULTI;
        unsigned n = a->concurrency - first < HANDLES_PER_MULTI ? a->concurrency - first
                                                               : HANDLES_PER_MULTI;
        if (shard_init(&a->shards[i], a, (long)n) != 0) {
            cs_error("--concurrency %u: cannot set up libcurl's multi interface", a->concurrency);
            return -1;
        }
    }
    for (unsigned i = 0; i < a->concurrency; i++) {
        if (fetch_easy_init(&a->handles[i], lim) != 0)
            return -1;
        /* Taken from the top: the first wave fills shard 0 first. */
        a->idle[a->idle_count++] = a->concurrency - 1 - i;
    }
    return 0;
}

static void async_free(struct async *a)
{
    /* Cached connections close here, telling on_socket to drop their events. */
    for (unsigned i = 0; a->shards && i < a->shard_count; i++) {
        if (a->shards[i].multi)
            curl_multi_cleanup(a->shards[i].multi);
        if (a->shards[i].timer)
            event_free(a->shards[i].timer);
    }
    while (a->watches)
        unwatch(a, a->watches);
    for (unsigned i = 0; a->handles && i < a->concurrency; i++)
        fetch_easy_cleanup(&a->handles[i]);
    free(a->shards);
    free(a->handles);
    free(a->idle);
    free(a->used);
    if (a->base)
        event_base_free(a->base);
}

int main(int argc, char **argv)
{
    static const cs_program_info info = {
        .name = "io_async",
        .purpose = "Fetch URLs on one thread: libcurl's multi socket interface on a libevent loop,\n"
                   "at most --concurrency in flight, connections reused.\n"
                   "With no URL it serves --requests requests of --delay-ms itself, on loopback.",
        .groups = CS_OPTS_COMMON | CS_OPTS_FETCH | CS_OPTS_CONCURRENCY,
    };
    cs_message_init(info.name);
    cs_options o;
    enum cs_parse_result parsed = cs_options_parse(&o, &info, argc, argv);
    if (parsed != CS_PARSE_RUN)
        return parsed == CS_PARSE_DONE ? CS_EXIT_OK : CS_EXIT_USAGE;
    if (fetch_easy_global_init() != 0) {
        cs_options_free(&o);
        return CS_EXIT_FAIL;
    }
    struct async a = {0};
    fetch_plan plan;
    int code = fetch_plan_build(&plan, &o);
    if (code == CS_EXIT_OK) {
        unsigned c = o.concurrency ? o.concurrency : DEFAULT_CONCURRENCY;
        /* A connection per transfer, and as many again when the server is ours. */
        char what[48];
        snprintf(what, sizeof what, o.concurrency ? "--concurrency %u" : "concurrency %u", c);
        fetch_limits lim = {o.timeout_ms, o.connect_timeout_ms};
        if (fetch_nofile_need(what, (plan.server ? 2 : 1) * (uint64_t)c + 16) != 0)
            code = CS_EXIT_USAGE;
        else
            code = async_init(&a, c, &lim) == 0 ? CS_EXIT_OK : CS_EXIT_FAIL;
    }
    if (code == CS_EXIT_OK) {
        char text[64];
        snprintf(text, sizeof text, "concurrency %u on one thread, %u multi handle%s",
                 a.concurrency, a.shard_count, a.shard_count == 1 ? "" : "s");
        fetch_exec ex = {
            .driver = info.name, .ranks = 1, .threads = 1, .workers = a.concurrency,
            .workers_text = text, .is_root = 1, .ctx = &a, .run = async_run,
        };
        code = fetch_run(&ex, &o, &plan);
    }
    async_free(&a);
    fetch_plan_free(&plan);
    fetch_easy_global_cleanup();
    cs_options_free(&o);
    return code;
}
