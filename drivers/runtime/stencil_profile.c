/* --profile for a stencil: work, span and predicted times from each block's every step. */
#include "stencil_profile.h"

#include <stdlib.h>
#include <string.h>

void cs_step_stats_of(const cs_step_record *rec, cs_step_stats *out)
{
    *out = (cs_step_stats){0, 0, 0};
    for (uint64_t s = 0; s < rec->steps; s++) {
        double slowest = 0.0;
        for (uint64_t b = 0; b < rec->blocks; b++) {
            double t = rec->block_s[b * rec->steps + s];
            out->work_s += t;
            slowest = t > slowest ? t : slowest;
        }
        out->span_s += slowest;
        out->exchange_s += rec->exchange_s[s];
    }
}

double cs_step_predict(const cs_step_record *rec, const cs_block_grid *g, enum cs_decomp d,
                       const cs_step_stats *s, unsigned parts)
{
    cs_block_plan plan;
    cs_err err;
    if (cs_block_plan_make(g, d, parts, &plan, &err) != CS_OK)
        return -1.0;
    double *load = calloc(parts, sizeof *load), total = 0.0;
    if (!load) {
        cs_block_plan_free(&plan);
        return -1.0;
    }
    for (uint64_t st = 0; st < rec->steps; st++) {
        for (unsigned q = 0; q < parts; q++)
            load[q] = 0.0;
        for (uint64_t b = 0; b < rec->blocks; b++)
            load[plan.part[b]] += rec->block_s[b * rec->steps + st];
        double busiest = 0.0;
        for (unsigned q = 0; q < parts; q++)
            busiest = load[q] > busiest ? load[q] : busiest;
        total += busiest;
    }
    free(load);
    cs_block_plan_free(&plan);
    double brent = s->work_s / parts;
    total = total < brent ? brent : total;
    return total < s->span_s ? s->span_s : total;
}

void cs_step_print(FILE *f, const char *prefix, const cs_step_record *rec, const cs_block_grid *g,
                   enum cs_decomp d, const unsigned *workers, unsigned count)
{
    cs_step_stats s;
    cs_step_stats_of(rec, &s);
    fprintf(f, "%s: work %.6f s, span %.6f s (parallelism %.1f), halo exchange %.6f s; %llu "
               "blocks x %llu steps\n", prefix, s.work_s, s.span_s,
            s.span_s > 0 ? s.work_s / s.span_s : 0.0, s.exchange_s,
            (unsigned long long)rec->blocks, (unsigned long long)rec->steps);
    fprintf(f, "%s: predicted speedup under --decomp %s (the cut alone: no exchange, no memory "
               "contention):", prefix, cs_decomp_name(d));
    for (unsigned i = 0; i < count && workers[i] <= rec->blocks; i++) { /* more would idle */
        double t = cs_step_predict(rec, g, d, &s, workers[i]);
        if (t > 0)
            fprintf(f, " p=%u %.2f", workers[i], s.work_s / t);
    }
    fprintf(f, "\n");
}

int cs_step_write(FILE *f, const char *head, const cs_step_record *rec)
{
    fprintf(f, "# stencil %s blocks=%llu steps=%llu\n# step work_s slowest_block_s exchange_s\n",
            head, (unsigned long long)rec->blocks, (unsigned long long)rec->steps);
    for (uint64_t s = 0; s < rec->steps; s++) {
        double work = 0.0, slowest = 0.0;
        for (uint64_t b = 0; b < rec->blocks; b++) {
            double t = rec->block_s[b * rec->steps + s];
            work += t;
            slowest = t > slowest ? t : slowest;
        }
        fprintf(f, "# step %llu %.9f %.9f %.9f\n", (unsigned long long)s, work, slowest,
                rec->exchange_s[s]);
    }
    return ferror(f) ? -1 : 0;
}

static void summary_line(FILE *out, const char *head, const cs_step_stats *s, unsigned long steps)
{
    fprintf(out, "# stencil %s\n#   work %.6f s, span %.6f s (parallelism %.1f), halo exchange "
                 "%.6f s over %lu steps (the file keeps each step's sums, not each block's "
                 "times: the driver's own output has the predictions)\n",
            head, s->work_s, s->span_s, s->span_s > 0 ? s->work_s / s->span_s : 0.0,
            s->exchange_s, steps);
}

unsigned cs_step_summarise(FILE *f, FILE *out)
{
    char line[1024], head[900] = "";
    cs_step_stats s = {0, 0, 0};
    unsigned long steps = 0;
    unsigned blocks = 0;
    int open = 0;
    while (fgets(line, sizeof line, f)) {
        double work, slowest, exchange;
        unsigned long k;
        if (strncmp(line, "# stencil ", 10) == 0) {
            if (open)
                summary_line(out, head, &s, steps);
            snprintf(head, sizeof head, "%.*s", (int)strcspn(line + 10, "\n"), line + 10);
            s = (cs_step_stats){0, 0, 0};
            steps = 0;
            open = 1;
            blocks++;
        } else if (open && sscanf(line, "# step %lu %lf %lf %lf", &k, &work, &slowest,
                                  &exchange) == 4) {
            s.work_s += work;
            s.span_s += slowest;
            s.exchange_s += exchange;
            steps++;
        } else if (strncmp(line, "# block ", 8) == 0 && open) {
            summary_line(out, head, &s, steps);
            open = 0;
        }
    }
    if (open)
        summary_line(out, head, &s, steps);
    return blocks;
}
