/* How the CPU drivers' heap treats large blocks: kept for reuse, not handed back. */
#ifndef CS_HEAP_H
#define CS_HEAP_H

/*
 * By default glibc maps every large block (the product's partials and
 * transform scratch, megabytes each) fresh from the kernel and unmaps it on
 * free, so each multiplication first takes a page fault per 4 KiB it
 * touches. Those faults cost a tenth of a serial run and, worse, serialize
 * the threads of one process on its memory map: two threads multiplying at
 * once ran 40% slower each. Kept in the heap, freed blocks are reused as
 * they are by any allocator that pools memory. Every CPU driver calls this,
 * cpu_serial included, so speedups compare like with like. A no-op where
 * the C library is not glibc.
 */
void cs_heap_keep(void);

#endif
