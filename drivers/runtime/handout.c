/* The hand-out's rules: the guided share and rank 0's grants. */
#include "handout.h"

#include "tree.h" /* cs_static_start */

uint64_t cs_guided_share(uint64_t left, unsigned workers)
{
    uint64_t share = left / (2 * (uint64_t)workers);
    return share ? share : 1;
}

uint64_t cs_handout_take(int guided, uint64_t left, uint64_t wanted, unsigned workers,
                         unsigned threads)
{
    uint64_t share = cs_guided_share(left, workers), take;
    if (guided)
        take = wanted > share ? wanted : share;
    else if (wanted == 0)
        take = 1;
    else {
        uint64_t fair = left / workers, least = threads;
        fair = fair > least ? fair : least;
        take = wanted < fair ? wanted : fair;
    }
    return take < left ? take : left;
}

void cs_handout_cut(uint64_t *own_lo, uint64_t *own_hi, unsigned ranks, unsigned to,
                    uint64_t take, uint64_t *lo, uint64_t *hi)
{
    if (own_lo[to] < own_hi[to]) {
        uint64_t mine = own_hi[to] - own_lo[to];
        *lo = own_lo[to];
        *hi = own_lo[to] += take < mine ? take : mine;
        return;
    }
    unsigned from = 0;
    for (unsigned r = 1; r < ranks; r++)
        if (own_hi[r] - own_lo[r] > own_hi[from] - own_lo[from])
            from = r;
    uint64_t theirs = own_hi[from] - own_lo[from], half = theirs > 1 ? theirs / 2 : 1;
    *hi = own_hi[from];
    *lo = own_hi[from] -= take < half ? take : half;
}

void cs_handout_home(uint64_t items, unsigned ranks, unsigned threads, int *home)
{
    unsigned workers = ranks * threads;
    for (unsigned r = 0; r < ranks; r++) {
        uint64_t hi = cs_static_start(items, workers, (r + 1) * threads);
        for (uint64_t i = cs_static_start(items, workers, r * threads); i < hi; i++)
            home[i] = (int)r;
    }
}
