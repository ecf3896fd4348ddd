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
     * Threads' own arenas cannot hold blocks beyond their 64 MiB heaps; such
     * requests fall back to the main heap, which grows as needed. */
    mallopt(M_MMAP_MAX, 0);
    /* and the heap's free top is not given back to the kernel either */
    mallopt(M_TRIM_THRESHOLD, INT_MAX);
#endif
}
