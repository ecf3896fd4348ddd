/* How items are handed out, as rules without threads or messages: the guided share, and rank
 * 0's grants to ranks. The drivers (omp_team.c, mpi_handout.c) and the profile's replay
 * (span.c) follow the same ones. */
#ifndef CS_HANDOUT_H
#define CS_HANDOUT_H

#include <stdint.h>

/* The guided share of `left` items among `workers` (at least 1). */
uint64_t cs_guided_share(uint64_t left, unsigned workers);

/* A rank other than 0 keeps up to CS_HANDOUT_RING grants queued, and asks for another
 * whenever fewer than CS_HANDOUT_DEPTH items a thread wait, CS_HANDOUT_DEPTH a thread at a
 * time. */
#define CS_HANDOUT_RING 4
#define CS_HANDOUT_DEPTH 4

/* How many of the `left` items one grant gets (at least one, at most left). Rank 0's own
 * threads (wanted 0) take one (dynamic) or the guided share. A rank asking for `wanted`
 * gets that many while plenty are left, but no more than its fair part of what is left
 * (left / workers, at least one per thread), so the hand-out still ends evenly; guided
 * gives at least the guided share. */
uint64_t cs_handout_take(int guided, uint64_t left, uint64_t wanted, unsigned workers,
                         unsigned threads);

/* Where a grant of `take` items for rank `to` comes from, given what is left of each rank's
 * block, [own_lo[r], own_hi[r]): its own block first, from the front (the items it
 * first-touched); when that is done, the back of the block with most left, at most half of
 * it, so the owner keeps going. Sets [*lo, *hi) and shrinks the block it came from. Some
 * item must be left. */
void cs_handout_cut(uint64_t *own_lo, uint64_t *own_hi, unsigned ranks, unsigned to,
                    uint64_t take, uint64_t *lo, uint64_t *hi);

/* Where each item's partial is combined, for ranks that multiply shared nodes together:
 * home[i] is the rank whose hand-out block holds item i, whichever rank ran it. Stolen items
 * go home, so that the groups follow the blocks, not the race of the hand-out: a thief left
 * holding stolen items is a member of every node above them, up to their block's, and a
 * group's members each do a fixed share of every step and meet at each exchange, so the
 * whole group waits while such a member is busy with its own nodes (predicted for product B
 * at 16 ranks, its items then cut by counts: 0.64 of cpu_serial with a thief's runs of a
 * sixteenth of a block and more kept, 0.75 with every item home). Rank r's block is the
 * hand-out's: [cs_static_start(items, ranks * threads, r * threads), ... (r + 1) * threads). */
void cs_handout_home(uint64_t items, unsigned ranks, unsigned threads, int *home);

#endif
