/* The fixed combine tree, serially: the reference every parallel driver matches. */
#include "tree.h"

#include <stddef.h>

#include "profile.h"

int cs_tree_combine(const cs_kernel *k, const cs_problem *p, cs_partial **leaves, uint64_t lo,
                    uint64_t hi, cs_partial **out, cs_err *err)
{
    if (hi - lo == 1) {
        *out = leaves[lo];
        leaves[lo] = NULL;
        return CS_OK;
    }
    uint64_t mid = cs_tree_mid(lo, hi);
    cs_partial *left = NULL, *right = NULL;
    int rc = cs_tree_combine(k, p, leaves, lo, mid, &left, err);
    if (rc != CS_OK) {
        cs_tree_free_leaves(k, leaves + mid, hi - mid);
        return rc;
    }
    rc = cs_tree_combine(k, p, leaves, mid, hi, &right, err);
    if (rc != CS_OK) {
        k->partial_free(left);
        return rc;
    }
    cs_task_id children[2] = {cs_prof_node(lo, mid), cs_prof_node(mid, hi)};
    return cs_prof_combine(k, p, left, right, NULL, children, cs_prof_node(lo, hi), out, err);
}

void cs_tree_free_leaves(const cs_kernel *k, cs_partial **leaves, uint64_t count)
{
    for (uint64_t i = 0; i < count; i++) {
        if (leaves[i])
            k->partial_free(leaves[i]);
        leaves[i] = NULL;
    }
}

uint64_t cs_static_start(uint64_t items, unsigned workers, unsigned w)
{
    return (uint64_t)((unsigned __int128)items * w / workers);
}

unsigned cs_tree_unit_depth(unsigned threads)
{
    unsigned d = 0;
    while (threads > 1 && ((uint64_t)1 << d) < 8 * (uint64_t)threads)
        d++;
    return d;
}
