/* io_serial: one handle, one request at a time, the connection kept alive: the baseline. */
#include "fetch_easy.h"
#include "fetch_nofile.h"
#include "fetch_plan.h"
#include "fetch_run.h"
#include "message.h"
#include "options.h"

static int serial_run(void *ctx, const fetch_urls *u, double *ms, fetch_tally *t)
{
    fetch_easy *e = ctx;
    for (uint64_t i = 0; i < u->count; i++)
        fetch_easy_run_one(e, u, i, ms, t);
    return 0;
}

int main(int argc, char **argv)
{
    static const cs_program_info info = {
        .name = "io_serial",
        .purpose = "Fetch URLs one at a time on one handle (keep-alive): the I/O baseline.\n"
                   "With no URL it serves --requests requests of --delay-ms itself, on loopback.",
        .groups = CS_OPTS_COMMON | CS_OPTS_FETCH,
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
    fetch_plan plan;
    fetch_easy e = {0};
    int code = fetch_plan_build(&plan, &o);
    if (code == CS_EXIT_OK) {
        fetch_nofile_raise(64);
        fetch_limits lim = {o.timeout_ms, o.connect_timeout_ms};
        code = fetch_easy_init(&e, &lim) == 0 ? CS_EXIT_OK : CS_EXIT_FAIL;
    }
    if (code == CS_EXIT_OK) {
        fetch_exec ex = {
            .driver = info.name, .ranks = 1, .threads = 1, .workers = 1,
            .workers_text = "one handle, one request at a time", .is_root = 1, .ctx = &e,
            .run = serial_run,
        };
        code = fetch_run(&ex, &o, &plan);
    }
    fetch_easy_cleanup(&e);
    fetch_plan_free(&plan);
    fetch_easy_global_cleanup();
    cs_options_free(&o);
    return code;
}
