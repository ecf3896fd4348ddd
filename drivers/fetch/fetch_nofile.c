/* Raising the soft descriptor limit, up to what the hard limit allows. */
#include "fetch_nofile.h"

#include <errno.h>
#include <string.h>
#include <sys/resource.h>

#include "message.h"

/* The soft limit raised towards want, never above the hard one; 0 when unreadable. */
static uint64_t raise_quietly(uint64_t want, struct rlimit *rl)
{
    if (getrlimit(RLIMIT_NOFILE, rl) != 0)
        return 0;
    if (rl->rlim_cur != RLIM_INFINITY && rl->rlim_cur < want) {
        rlim_t target = want;
        if (rl->rlim_max != RLIM_INFINITY && target > rl->rlim_max)
            target = rl->rlim_max;
        struct rlimit raised = {target, rl->rlim_max};
        if (target > rl->rlim_cur && setrlimit(RLIMIT_NOFILE, &raised) == 0)
            rl->rlim_cur = target;
    }
    return rl->rlim_cur == RLIM_INFINITY ? UINT64_MAX : (uint64_t)rl->rlim_cur;
}

uint64_t fetch_nofile_raise(uint64_t want)
{
    struct rlimit rl;
    uint64_t limit = raise_quietly(want, &rl);
    if (limit == 0) {
        cs_warn("cannot read the descriptor limit: %s", strerror(errno));
        return 0;
    }
    if (limit < want)
        cs_warn("descriptor limit %llu (hard %llu) is below the %llu this run may need",
                (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max,
                (unsigned long long)want);
    return limit;
}

int fetch_nofile_need(const char *what, uint64_t need)
{
    struct rlimit rl;
    uint64_t limit = raise_quietly(need + 48, &rl);
    if (limit == 0 || limit >= need)
        return 0;
    cs_error("%s: needs about %llu descriptors, more than this process may open (%llu, ulimit -n)",
             what, (unsigned long long)need, (unsigned long long)limit);
    return -1;
}
