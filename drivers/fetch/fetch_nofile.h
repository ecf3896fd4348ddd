/* The descriptor limit: many concurrent connections need more than the usual 1024. */
#ifndef FETCH_NOFILE_H
#define FETCH_NOFILE_H

#include <stdint.h>

/* Raises the soft RLIMIT_NOFILE towards want (never above the hard limit,
 * never lowering it). Returns the soft limit now in force; warns when it
 * stays below want, naming both numbers. */
uint64_t fetch_nofile_raise(uint64_t want);

/* For a worker count the user chose (what: "--concurrency 1000"): raises the limit
 * towards need + some room, and refuses (returns -1 after a message naming what, the
 * descriptors needed and the limit) when even need cannot be had: such a run would
 * only count refused connections. Returns 0 otherwise. */
int fetch_nofile_need(const char *what, uint64_t need);

#endif
