/* The descriptor limit: many concurrent connections need more than the usual 1024. */
#ifndef FETCH_NOFILE_H
#define FETCH_NOFILE_H

#include <stdint.h>

/* Raises the soft RLIMIT_NOFILE towards want (never above the hard limit,
 * never lowering it). Returns the soft limit now in force; warns when it
 * stays below want, naming both numbers. */
uint64_t fetch_nofile_raise(uint64_t want);

#endif
