/* Large blocks stay in the heap for reuse (see heap.h for why). */
#include "heap.h"

#include <limits.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

void cs_heap_keep(void)
{
#ifdef __GLIBC__
    /* One arena for every thread: a thread's own arena cannot hold a block
     * beyond its 64 MiB heaps, and glibc (2.36) maps such a block directly
     * whatever M_MMAP_MAX says, and unmaps it on free (the transform scratch
     * of the product's top combines, from class A up: 75 ms of page faults
     * for a 100 MiB block, every time). The drivers allocate a few blocks
     * per item and per combine, so sharing one lock costs nothing seen. */
    mallopt(M_ARENA_MAX, 1);
    /* No block from mmap: every one comes from the heap and returns to it. */
    mallopt(M_MMAP_MAX, 0);
    /* and the heap's free top is not given back to the kernel either */
    mallopt(M_TRIM_THRESHOLD, INT_MAX);
#endif
}
