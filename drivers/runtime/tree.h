/* The fixed combine tree over item indices, evaluated on one thread. */
#ifndef CS_TREE_H
#define CS_TREE_H

#include "kernel.h"

/* Combines leaves[lo..hi) into *out along cs_tree_mid splits. Consumes the
 * leaves (each slot is set to NULL), also on failure. */
int cs_tree_combine(const cs_kernel *k, const cs_problem *p, cs_partial **leaves, uint64_t lo,
                    uint64_t hi, cs_partial **out, cs_err *err);

/* Frees whatever partials remain in leaves[0..count). */
void cs_tree_free_leaves(const cs_kernel *k, cs_partial **leaves, uint64_t count);

#endif
