/* The machine's last-level cache, as hwloc reports it: what a memory-bound case must outgrow. */
#ifndef CS_CACHE_H
#define CS_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "kernel.h"

/* Bytes of last-level cache on the whole machine (every instance of the deepest cache level,
 * summed: STREAM's rule counts all the caches a run may use), and in `what` how it is made up
 * ("1 x 32 MiB L3, hwloc"). 0 when hwloc finds no cache. Loaded once. */
uint64_t cs_llc_bytes(char *what, size_t size);

/* STREAM's rule: each array of a memory-bound case at least 4 times the last-level cache, or
 * the bandwidth measured is partly the cache's. */
#define CS_CACHE_RULE 4

/* Whether size n of kernel k breaks the rule (0 for kernels without arrays). */
int cs_cache_too_small(const cs_kernel *k, uint64_t n, uint64_t llc);

/* For --class auto: the smallest class whose every size meets the rule (W for a kernel without
 * arrays, C when none does), and in `why` one line saying so. */
enum cs_class cs_class_auto(const cs_kernel *k, char *why, size_t size);
/* The same for a cache of `llc` bytes described by `what` (0: unknown, class W). */
enum cs_class cs_class_auto_for(const cs_kernel *k, uint64_t llc, const char *what, char *why,
                                size_t size);

#endif
