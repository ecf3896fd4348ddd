/* Raising the soft descriptor limit, up to what the hard limit allows. */
#include "fetch_nofile.h"

#include <errno.h>
#include <string.h>
#include <sys/resource.h>

#include "message.h"

uint64_t fetch_nofile_raise(uint64_t want)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
        cs_warn("cannot read the descriptor limit: %s", strerror(errno));
        return 0;
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
        rlim_t target = want;
        if (rl.rlim_max != RLIM_INFINITY && target > rl.rlim_max)
            target = rl.rlim_max;
        struct rlimit raised = {target, rl.rlim_max};
        if (target > rl.rlim_cur && setrlimit(RLIMIT_NOFILE, &raised) == 0)
            rl.rlim_cur = target;
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want)
        cs_warn("descriptor limit %llu (hard %llu) is below the %llu this run may need",
                (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max,
                (unsigned long long)want);
    return rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : (uint64_t)rl.rlim_cur;
}
