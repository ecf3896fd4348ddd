/* What a client run fetches: the URLs it was given, or the embedded server's. */
#ifndef FETCH_PLAN_H
#define FETCH_PLAN_H

#include "fetch_server.h"
#include "fetch_urls.h"
#include "options.h"

typedef struct fetch_plan {
    fetch_urls urls;
    fetch_server *server;  /* the embedded server, or NULL */
    char source[512];      /* for the header: where the URLs come from */
    char case_name[128];   /* the CSV case: "requests=100;delay_ms=100;bytes=1024" */
} fetch_plan;

void fetch_plan_init(fetch_plan *p);
/* URLs from the options, checked; with none, starts the embedded server on
 * loopback and fetches it --requests times. Returns a cs exit code. */
int fetch_plan_build(fetch_plan *p, const cs_options *o);
/* Stops the embedded server (if any) and frees the list. */
void fetch_plan_free(fetch_plan *p);

#endif
