/* Starting the threads a run asks for, once, before the work: a refusal is ours to report. */
#include "thread_room.h"

#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

struct gate {
    pthread_mutex_t lock;
    pthread_cond_t open;
    int opened;
};

static void *wait_at_gate(void *arg)
{
    struct gate *g = arg;
    pthread_mutex_lock(&g->lock);
    while (!g->opened)
        pthread_cond_wait(&g->open, &g->lock);
    pthread_mutex_unlock(&g->lock);
    return NULL;
}

/* OMP_STACKSIZE as OpenMP reads it: a size, K by default, or with B, K, M or G. 0: unset
 * or unreadable (the system's default stack then, as OpenMP would use). */
static size_t omp_stack_size(void)
{
    const char *s = getenv("OMP_STACKSIZE");
    if (!s)
        s = getenv("GOMP_STACKSIZE");
    if (!s)
        return 0;
    while (isspace((unsigned char)*s))
        s++;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s)
        return 0;
    while (isspace((unsigned char)*end))
        end++;
    unsigned long long unit = 1024;
    switch (toupper((unsigned char)*end)) {
    case 'B': unit = 1; break;
    case 'K': unit = 1024; break;
    case 'M': unit = 1024ull << 10; break;
    case 'G': unit = 1024ull << 20; break;
    case '\0': break;
    default: return 0;
    }
    return v > SIZE_MAX / unit ? 0 : (size_t)(v * unit);
}

static void describe_limits(char *why, size_t size, int err, size_t stack)
{
    struct rlimit nproc = {RLIM_INFINITY, RLIM_INFINITY}, as = {RLIM_INFINITY, RLIM_INFINITY};
    getrlimit(RLIMIT_NPROC, &nproc);
    getrlimit(RLIMIT_AS, &as);
    unsigned long long kernel_max = 0;
    FILE *f = fopen("/proc/sys/kernel/threads-max", "r");
    if (f) {
        if (fscanf(f, "%llu", &kernel_max) != 1)
            kernel_max = 0;
        fclose(f);
    }
    char nproc_text[32] = "unlimited", as_text[32] = "unlimited", stack_text[48] = "default";
    if (nproc.rlim_cur != RLIM_INFINITY)
        snprintf(nproc_text, sizeof nproc_text, "%llu", (unsigned long long)nproc.rlim_cur);
    if (as.rlim_cur != RLIM_INFINITY)
        snprintf(as_text, sizeof as_text, "%llu KiB", (unsigned long long)(as.rlim_cur / 1024));
    if (stack)
        snprintf(stack_text, sizeof stack_text, "%zu KiB (OMP_STACKSIZE)", stack / 1024);
    snprintf(why, size, "%s; limits: ulimit -u %s, ulimit -v %s, kernel threads-max %llu, "
             "stack per thread %s", strerror(err), nproc_text, as_text, kernel_max, stack_text);
}

unsigned cs_thread_room(unsigned want, char *why, size_t size)
{
    if (size)
        why[0] = '\0';
    if (want <= 1)
        return want;
    pthread_t *tids = calloc(want - 1, sizeof *tids);
    if (!tids) {
        snprintf(why, size, "out of memory for %u thread ids", want);
        return 1;
    }
    struct gate g = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    size_t stack = omp_stack_size();
    if (stack && pthread_attr_setstacksize(&attr, stack) != 0)
        stack = 0;
    unsigned started = 0;
    int err = 0;
    while (started < want - 1 && (err = pthread_create(&tids[started], &attr, wait_at_gate, &g)) == 0)
        started++;
    pthread_attr_destroy(&attr);
    pthread_mutex_lock(&g.lock);
    g.opened = 1;
    pthread_cond_broadcast(&g.open);
    pthread_mutex_unlock(&g.lock);
    for (unsigned i = 0; i < started; i++)
        pthread_join(tids[i], NULL);
    free(tids);
    if (started < want - 1)
        describe_limits(why, size, err, stack);
    return started + 1;
}
