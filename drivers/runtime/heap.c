/* Large blocks stay in the heap for reuse (see heap.h for why). */
#include "heap.h"

#include <limits.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

void cs_heap_keep(void)
{
#ifdef __GLIBC__
    /* No block from mmap: every one comes from the heap and returns to it.
     * Except on threads with an arena of their own: it cannot hold a block
     * beyond its 64 MiB heaps, and glibc (2.36) maps such a block directly
     * whatever M_MMAP_MAX says, and unmaps it on free (the transform scratch
     * of the product's top combines, from class A up). */
    mallopt(M_MMAP_MAX, 0);
    /* and the heap's free top is not given back to the kernel either */
    mallopt(M_TRIM_THRESHOLD, INT_MAX);
#endif
}
