/* Fault tallies: counts per kind and the earliest example, mergeable across workers. */
#include "fetch_fault.h"

#include <string.h>

static const char *const names[FETCH_FAULT_KINDS] = {
    "ok", "refused", "unknown-host", "timeout", "status", "short-body", "bad-body", "bad-length", "other",
};

const char *fetch_fault_name(enum fetch_fault kind)
{
    return kind >= 0 && kind < FETCH_FAULT_KINDS ? names[kind] : "invalid";
}

void fetch_faults_init(fetch_faults *f)
{
    memset(f, 0, sizeof *f);
    for (int k = 0; k < FETCH_FAULT_KINDS; k++)
        f->first_index[k] = FETCH_NO_INDEX;
}

static void keep_example(fetch_faults *f, int kind, uint64_t index, const char *msg)
{
    if (index >= f->first_index[kind])
        return;
    f->first_index[kind] = index;
    snprintf(f->first_msg[kind], sizeof f->first_msg[kind], "%s", msg ? msg : "");
}

void fetch_faults_add(fetch_faults *f, enum fetch_fault kind, uint64_t index, const char *msg)
{
    if (kind <= FETCH_OK || kind >= FETCH_FAULT_KINDS)
        return;
    f->count[kind]++;
    keep_example(f, kind, index, msg);
}

void fetch_faults_merge(fetch_faults *into, const fetch_faults *from)
{
    for (int k = 1; k < FETCH_FAULT_KINDS; k++) {
        into->count[k] += from->count[k];
        if (from->first_index[k] != FETCH_NO_INDEX)
            keep_example(into, k, from->first_index[k], from->first_msg[k]);
    }
}

uint64_t fetch_faults_total(const fetch_faults *f)
{
    uint64_t total = 0;
    for (int k = 1; k < FETCH_FAULT_KINDS; k++)
        total += f->count[k];
    return total;
}

void fetch_faults_print(FILE *out, const fetch_faults *f, const char *const *urls)
{
    if (fetch_faults_total(f) == 0)
        return;
    fprintf(out, "# faults:");
    const char *sep = " ";
    for (int k = 1; k < FETCH_FAULT_KINDS; k++)
        if (f->count[k]) {
            fprintf(out, "%s%s %llu", sep, names[k], (unsigned long long)f->count[k]);
            sep = ", ";
        }
    fputc('\n', out);
    for (int k = 1; k < FETCH_FAULT_KINDS; k++)
        if (f->count[k])
            fprintf(out, "#   %s: first at request %llu (%s): %s\n", names[k],
                    (unsigned long long)f->first_index[k] + 1,
                    urls ? urls[f->first_index[k]] : "?", f->first_msg[k]);
}
