/* The last-level cache from hwloc, STREAM's rule against it, and --class auto. */
#include "cache.h"

#include <hwloc.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t llc_bytes;
static char llc_what[96];
static int llc_loaded;

static void load(void)
{
    llc_loaded = 1;
    snprintf(llc_what, sizeof llc_what, "no cache reported by hwloc");
    hwloc_topology_t t;
    if (hwloc_topology_init(&t) != 0)
        return;
    if (hwloc_topology_load(t) == 0) {
        /* The deepest level is the last one data passes before memory. */
        static const hwloc_obj_type_t levels[] = {HWLOC_OBJ_L5CACHE, HWLOC_OBJ_L4CACHE,
                                                  HWLOC_OBJ_L3CACHE, HWLOC_OBJ_L2CACHE,
                                                  HWLOC_OBJ_L1CACHE};
        static const char *const names[] = {"L5", "L4", "L3", "L2", "L1"};
        for (size_t i = 0; i < sizeof levels / sizeof *levels; i++) {
            int count = hwloc_get_nbobjs_by_type(t, levels[i]);
            if (count <= 0)
                continue;
            uint64_t one = 0;
            for (int j = 0; j < count; j++) {
                hwloc_obj_t o = hwloc_get_obj_by_type(t, levels[i], (unsigned)j);
                llc_bytes += o->attr->cache.size;
                one = o->attr->cache.size;
            }
            snprintf(llc_what, sizeof llc_what, "%d x %.0f MiB %s, hwloc", count,
                     (double)one / (1 << 20), names[i]);
            break;
        }
    }
    hwloc_topology_destroy(t);
}

uint64_t cs_llc_bytes(char *what, size_t size)
{
    if (!llc_loaded)
        load();
    if (what)
        snprintf(what, size, "%s", llc_what);
    return llc_bytes;
}

int cs_cache_too_small(const cs_kernel *k, uint64_t n, uint64_t llc)
{
    return k->array_bytes && llc > 0 && k->array_bytes(n) < (double)CS_CACHE_RULE * (double)llc;
}

/* Whether every size of class c meets the rule. */
static int class_fits(const cs_kernel *k, enum cs_class c, uint64_t llc)
{
    const char *s = k->class_sizes[c];
    while (*s) {
        char *end;
        uint64_t n = strtoull(s, &end, 10);
        if (cs_cache_too_small(k, n, llc))
            return 0;
        s = *end == ',' ? end + 1 : end;
        if (end == s && *s) /* not a number: a kernel's table is wrong; take it as fitting */
            break;
    }
    return 1;
}

enum cs_class cs_class_auto(const cs_kernel *k, char *why, size_t size)
{
    char what[96];
    uint64_t llc = k->array_bytes ? cs_llc_bytes(what, sizeof what) : 0;
    return cs_class_auto_for(k, llc, what, why, size);
}

enum cs_class cs_class_auto_for(const cs_kernel *k, uint64_t llc, const char *what, char *why,
                                size_t size)
{
    static const char *const letters[] = {"S", "W", "A", "B", "C"};
    if (!k->array_bytes) {
        snprintf(why, size, "--class auto: class W for %s (no arrays for the cache to hold)", k->name);
        return CS_CLASS_W;
    }
    if (llc == 0) {
        snprintf(why, size, "--class auto: class W for %s (%s)", k->name, what);
        return CS_CLASS_W;
    }
    for (int c = CS_CLASS_S; c < CS_CLASS_COUNT; c++)
        if (class_fits(k, (enum cs_class)c, llc)) {
            snprintf(why, size,
                     "--class auto: class %s for %s, the smallest whose arrays are at least %dx "
                     "the last-level cache (%s)",
                     letters[c], k->name, CS_CACHE_RULE, what);
            return (enum cs_class)c;
        }
    snprintf(why, size,
             "--class auto: class C for %s, though even its arrays are under %dx the last-level "
             "cache (%s)",
             k->name, CS_CACHE_RULE, what);
    return CS_CLASS_C;
}
