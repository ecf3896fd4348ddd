/* The fixed combine tree over item indices, evaluated on one thread. */
#ifndef CS_TREE_H
#define CS_TREE_H

#include "kernel.h"

/* Combines leaves[lo..hi) into *out along cs_tree_mid splits. Consumes the
 * leaves (each slot is set to NULL), also on failure. */
int cs_tree_combine(const cs_kernel *k, const cs_problem *p, cs_partial **leaves, uint64_t lo,
                    uint64_t hi, cs_partial **out, cs_err *err);

/* The static mapping every driver shares: of `workers` workers over `items`
 * items, worker w owns [w*items/workers, (w+1)*items/workers). First touch
 * (item_prepare), --schedule static and the profile's replay follow it. */
uint64_t cs_static_start(uint64_t items, unsigned workers, unsigned w);

/* The depth of the tree at which a team of `threads` cuts it into units
 * (subtrees one thread combines alone): the smallest d with 2^d >= 8 threads,
 * about eight units per thread, enough to balance and few enough to be
 * cheap; 0 (one unit, the whole tree) for one thread. cs_team_tree and the
 * profile's replay of it both use it. */
unsigned cs_tree_unit_depth(unsigned threads);

/* Frees whatever partials remain in leaves[0..count). */
void cs_tree_free_leaves(const cs_kernel *k, cs_partial **leaves, uint64_t count);

#endif
