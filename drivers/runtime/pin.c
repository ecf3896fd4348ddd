/* Worker pinning with hwloc: spread, singlify, bind, check, and say what happened. */
#include "pin.h"

#include <errno.h>
#include <hwloc.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "message.h"

struct pin_worker {
    hwloc_bitmap_t set; /* NULL when not pinned */
    int pu, core;       /* planned PU (OS index) and core (logical index), or -1 */
    int ran_on;         /* PU last seen running on, or -1 */
};

struct cs_pin {
    hwloc_topology_t topo;
    int this_system, can_bind, can_check;
    hwloc_bitmap_t process_set;
    char *process_list;
    enum cs_bind bind;
    unsigned first, count;
    struct pin_worker *workers;
    unsigned warnings; /* updated by workers at once: atomic OR */
    int failure_taken; /* the first failure wins the message */
    char failure[256];
};

static void note_warning(cs_pin *pin, unsigned bit)
{
    __atomic_fetch_or(&pin->warnings, bit, __ATOMIC_RELAXED);
}

static void note_failure(cs_pin *pin, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note_failure(cs_pin *pin, const char *fmt, ...)
{
    note_warning(pin, CS_PIN_WARN_BROKEN);
    int expected = 0;
    if (!__atomic_compare_exchange_n(&pin->failure_taken, &expected, 1, 0, __ATOMIC_ACQ_REL,
                                     __ATOMIC_RELAXED))
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pin->failure, sizeof pin->failure, fmt, ap);
    va_end(ap);
}

/* The set this process may run on: its binding (taskset, mpirun, Slurm)
 * within what the system allows; the whole machine when that is unknown. */
static hwloc_bitmap_t process_cpuset(hwloc_topology_t topo, int this_system)
{
    hwloc_bitmap_t set = hwloc_bitmap_alloc();
    if (!set)
        return NULL;
    hwloc_const_bitmap_t allowed = hwloc_topology_get_allowed_cpuset(topo);
    if (!this_system || hwloc_get_cpubind(topo, set, HWLOC_CPUBIND_PROCESS) != 0)
        hwloc_bitmap_copy(set, allowed);
    hwloc_bitmap_and(set, set, allowed);
    if (hwloc_bitmap_iszero(set))
        hwloc_bitmap_copy(set, allowed);
    return set;
}

int cs_pin_open(cs_pin **out, const char *synthetic, cs_err *err)
{
    cs_pin *pin = calloc(1, sizeof *pin);
    if (!pin) {
        cs_err_set(err, "out of memory for the topology");
        return CS_ENOMEM;
    }
    if (hwloc_topology_init(&pin->topo) != 0) {
        free(pin);
        cs_err_set(err, "hwloc cannot start: %s", strerror(errno));
        return CS_ENOMEM;
    }
    if (synthetic && hwloc_topology_set_synthetic(pin->topo, synthetic) != 0) {
        cs_err_set(err, "hwloc rejects the synthetic topology '%s'", synthetic);
        hwloc_topology_destroy(pin->topo);
        free(pin);
        return CS_EINVAL;
    }
    if (hwloc_topology_load(pin->topo) != 0) {
        cs_err_set(err, "hwloc cannot read this machine's topology: %s", strerror(errno));
        hwloc_topology_destroy(pin->topo);
        free(pin);
        return CS_EINVAL;
    }
    pin->this_system = hwloc_topology_is_thissystem(pin->topo);
    const struct hwloc_topology_support *s = hwloc_topology_get_support(pin->topo);
    pin->can_bind = pin->this_system && s->cpubind->set_thisthread_cpubind;
    pin->can_check = pin->this_system && s->cpubind->get_thisthread_last_cpu_location;
    pin->process_set = process_cpuset(pin->topo, pin->this_system);
    if (!pin->process_set || hwloc_bitmap_list_asprintf(&pin->process_list, pin->process_set) < 0) {
        cs_pin_close(pin);
        cs_err_set(err, "out of memory for the process's CPU set");
        return CS_ENOMEM;
    }
    pin->bind = CS_BIND_NONE;
    *out = pin;
    return CS_OK;
}

static void free_workers(cs_pin *pin)
{
    for (unsigned w = 0; pin->workers && w < pin->count; w++)
        hwloc_bitmap_free(pin->workers[w].set);
    free(pin->workers);
    pin->workers = NULL;
    pin->count = 0;
}

void cs_pin_close(cs_pin *pin)
{
    if (!pin)
        return;
    free_workers(pin);
    hwloc_bitmap_free(pin->process_set);
    free(pin->process_list);
    hwloc_topology_destroy(pin->topo);
    free(pin);
}

const char *cs_pin_process_set(const cs_pin *pin)
{
    return pin->process_list;
}

/* A list string as a bitmap within this machine; NULL when malformed or empty. */
static hwloc_bitmap_t parse_set(const cs_pin *pin, const char *list)
{
    hwloc_bitmap_t set = hwloc_bitmap_alloc();
    if (!set)
        return NULL;
    if (!list)
        hwloc_bitmap_copy(set, pin->process_set);
    else if (hwloc_bitmap_list_sscanf(set, list) != 0) {
        hwloc_bitmap_free(set);
        return NULL;
    }
    hwloc_bitmap_and(set, set, hwloc_topology_get_topology_cpuset(pin->topo));
    if (hwloc_bitmap_iszero(set)) {
        hwloc_bitmap_free(set);
        return NULL;
    }
    return set;
}

/* Objects of a type that share at least one PU with set. */
static unsigned count_touching(const cs_pin *pin, hwloc_const_bitmap_t set, hwloc_obj_type_t type)
{
    unsigned n = 0;
    for (hwloc_obj_t o = hwloc_get_next_obj_by_type(pin->topo, type, NULL); o;
         o = hwloc_get_next_obj_by_type(pin->topo, type, o))
        n += (unsigned)hwloc_bitmap_intersects(o->cpuset, set);
    return n;
}

unsigned cs_pin_pus_in(const cs_pin *pin, const char *list)
{
    hwloc_bitmap_t set = parse_set(pin, list);
    unsigned n = set ? count_touching(pin, set, HWLOC_OBJ_PU) : 0;
    hwloc_bitmap_free(set);
    return n;
}

unsigned cs_pin_cores_in(const cs_pin *pin, const char *list)
{
    hwloc_bitmap_t set = parse_set(pin, list);
    if (!set)
        return 0;
    /* Some machines report no Core objects: then every PU is a core. */
    unsigned n = hwloc_get_nbobjs_by_type(pin->topo, HWLOC_OBJ_CORE) > 0
                     ? count_touching(pin, set, HWLOC_OBJ_CORE)
                     : count_touching(pin, set, HWLOC_OBJ_PU);
    hwloc_bitmap_free(set);
    return n;
}

unsigned cs_pin_cores_allowed(const cs_pin *pin)
{
    hwloc_const_bitmap_t allowed = hwloc_topology_get_allowed_cpuset(pin->topo);
    unsigned n = hwloc_get_nbobjs_by_type(pin->topo, HWLOC_OBJ_CORE) > 0
                     ? count_touching(pin, allowed, HWLOC_OBJ_CORE)
                     : count_touching(pin, allowed, HWLOC_OBJ_PU);
    return n;
}

int cs_pin_node_share(const char *const *sets, unsigned count, unsigned me, char **share,
                      char **node, unsigned *slots_before, unsigned *ranks_sharing, cs_err *err)
{
    hwloc_bitmap_t *maps = calloc(count, sizeof *maps), all = hwloc_bitmap_alloc();
    int rc = CS_OK, disjoint = 1;
    if (!maps || !all) {
        cs_err_set(err, "out of memory comparing CPU sets");
        rc = CS_ENOMEM;
        goto out;
    }
    for (unsigned r = 0; r < count; r++) {
        maps[r] = hwloc_bitmap_alloc();
        if (!maps[r] || hwloc_bitmap_list_sscanf(maps[r], sets[r]) != 0 ||
            hwloc_bitmap_iszero(maps[r])) {
            cs_err_set(err, "rank %u's CPU set '%s' is not a CPU list", r, sets[r]);
            rc = CS_EINVAL;
            goto out;
        }
        if (hwloc_bitmap_intersects(all, maps[r]))
            disjoint = 0;
        hwloc_bitmap_or(all, all, maps[r]);
    }
    *share = NULL;
    if (hwloc_bitmap_list_asprintf(share, disjoint ? maps[me] : all) < 0 ||
        (node && hwloc_bitmap_list_asprintf(node, all) < 0)) {
        free(*share);
        *share = NULL;
        cs_err_set(err, "out of memory for a CPU set");
        rc = CS_ENOMEM;
        goto out;
    }
    *slots_before = disjoint ? 0 : me;
    *ranks_sharing = disjoint ? 1 : count;
out:
    for (unsigned r = 0; maps && r < count; r++)
        hwloc_bitmap_free(maps[r]);
    free(maps);
    hwloc_bitmap_free(all);
    return rc;
}

static hwloc_obj_t core_of_pu(const cs_pin *pin, int pu)
{
    hwloc_obj_t o = hwloc_get_pu_obj_by_os_index(pin->topo, (unsigned)pu);
    hwloc_obj_t core = o ? hwloc_get_ancestor_obj_by_type(pin->topo, HWLOC_OBJ_CORE, o) : NULL;
    return core ? core : o;
}

/* Oversubscribed when two workers got one PU; smt when two PUs of one core. */
static unsigned crowding(const cs_pin *pin, hwloc_bitmap_t *sets, unsigned total)
{
    unsigned bits = 0;
    for (unsigned i = 0; i < total; i++)
        for (unsigned j = i + 1; j < total; j++) {
            if (hwloc_bitmap_isequal(sets[i], sets[j]))
                bits |= CS_PIN_WARN_OVERSUBSCRIBED;
            else if (core_of_pu(pin, hwloc_bitmap_first(sets[i])) ==
                     core_of_pu(pin, hwloc_bitmap_first(sets[j])))
                bits |= CS_PIN_WARN_SMT;
        }
    return bits;
}

/* hwloc_distrib over a copy of the topology cut down to set. */
static int distribute(cs_pin *pin, enum cs_bind bind, hwloc_const_bitmap_t set,
                      hwloc_bitmap_t *sets, unsigned total, cs_err *err)
{
    hwloc_topology_t part;
    if (hwloc_topology_dup(&part, pin->topo) != 0) {
        cs_err_set(err, "out of memory copying the topology");
        return CS_ENOMEM;
    }
    if (hwloc_topology_restrict(part, set, 0) != 0) {
        int e = errno;
        hwloc_topology_destroy(part);
        cs_err_set(err, "hwloc cannot restrict the topology to the CPU set: %s", strerror(e));
        return CS_EINVAL;
    }
    int until = bind == CS_BIND_PU ? INT_MAX : hwloc_get_type_or_below_depth(part, HWLOC_OBJ_CORE);
    hwloc_obj_t root = hwloc_get_root_obj(part);
    int rc = hwloc_distrib(part, &root, 1, sets, total, until, 0);
    hwloc_topology_destroy(part);
    for (unsigned w = 0; w < total; w++)
        if (!sets[w]) {
            cs_err_set(err, "out of memory distributing %u workers", total);
            return CS_ENOMEM;
        }
    if (rc != 0) {
        cs_err_set(err, "hwloc cannot distribute %u workers", total);
        return CS_EINVAL;
    }
    for (unsigned w = 0; w < total; w++)
        hwloc_bitmap_singlify(sets[w]);
    return CS_OK;
}

int cs_pin_plan(cs_pin *pin, enum cs_bind bind, const char *list, unsigned total, unsigned first,
                unsigned count, cs_err *err)
{
    free_workers(pin);
    pin->warnings = 0;
    pin->failure_taken = 0;
    pin->failure[0] = '\0';
    if (count == 0 || first + count > total) {
        cs_err_set(err, "workers %u..%u are not among %u", first, first + count, total);
        return CS_EINVAL;
    }
    hwloc_bitmap_t set = parse_set(pin, list);
    if (!set) {
        cs_err_set(err, "the CPU set '%s' has no PU of this machine", list ? list : "?");
        return CS_EINVAL;
    }
    pin->workers = calloc(count, sizeof *pin->workers);
    hwloc_bitmap_t *sets = bind == CS_BIND_NONE ? NULL : calloc(total, sizeof *sets);
    int rc = CS_OK;
    if (!pin->workers || (bind != CS_BIND_NONE && !sets)) {
        cs_err_set(err, "out of memory planning %u workers", total);
        rc = CS_ENOMEM;
        goto out;
    }
    pin->bind = bind;
    pin->first = first;
    pin->count = count;
    for (unsigned w = 0; w < count; w++)
        pin->workers[w] = (struct pin_worker){NULL, -1, -1, -1};
    if (bind == CS_BIND_NONE) {
        unsigned cores = count_touching(pin, set, HWLOC_OBJ_CORE);
        unsigned pus = count_touching(pin, set, HWLOC_OBJ_PU);
        cores = cores ? cores : pus;
        if (total > pus)
            note_warning(pin, CS_PIN_WARN_OVERSUBSCRIBED);
        else if (total > cores)
            note_warning(pin, CS_PIN_WARN_SMT);
        goto out;
    }
    rc = distribute(pin, bind, set, sets, total, err);
    if (rc != CS_OK)
        goto out;
    note_warning(pin, crowding(pin, sets, total));
    for (unsigned w = 0; w < count; w++) {
        struct pin_worker *wk = &pin->workers[w];
        wk->set = sets[first + w];
        sets[first + w] = NULL;
        wk->pu = hwloc_bitmap_first(wk->set);
        hwloc_obj_t core = core_of_pu(pin, wk->pu);
        wk->core = core ? (int)core->logical_index : -1;
    }
    if (!pin->can_bind)
        note_warning(pin, CS_PIN_WARN_UNSUPPORTED);
out:
    for (unsigned w = 0; sets && w < total; w++)
        hwloc_bitmap_free(sets[w]);
    free(sets);
    hwloc_bitmap_free(set);
    if (rc != CS_OK)
        free_workers(pin);
    return rc;
}

void cs_pin_bind_self(cs_pin *pin, unsigned w)
{
    struct pin_worker *wk = &pin->workers[w];
    if (!wk->set || !pin->can_bind)
        return;
    if (hwloc_set_cpubind(pin->topo, wk->set, HWLOC_CPUBIND_THREAD) == 0)
        return;
    int e = errno; /* before anything else can change it */
    if (e == ENOSYS || e == EXDEV)
        note_warning(pin, CS_PIN_WARN_UNSUPPORTED);
    else
        note_failure(pin, "binding worker %u to PU %d failed: %s", pin->first + w, wk->pu,
                     strerror(e));
}

void cs_pin_check_self(cs_pin *pin, unsigned w)
{
    struct pin_worker *wk = &pin->workers[w];
    if (!pin->can_check)
        return;
    hwloc_bitmap_t where = hwloc_bitmap_alloc();
    if (!where)
        return;
    if (hwloc_get_last_cpu_location(pin->topo, where, HWLOC_CPUBIND_THREAD) == 0) {
        wk->ran_on = hwloc_bitmap_first(where);
        if (wk->set && pin->can_bind && !hwloc_bitmap_isincluded(where, wk->set))
            note_failure(pin, "worker %u was bound to PU %d but ran on PU %d",
                         pin->first + w, wk->pu, wk->ran_on);
    } else if (errno == ENOSYS) {
        note_warning(pin, wk->set ? CS_PIN_WARN_UNSUPPORTED : 0);
    }
    hwloc_bitmap_free(where);
}

unsigned cs_pin_warnings(const cs_pin *pin)
{
    return __atomic_load_n(&pin->warnings, __ATOMIC_RELAXED);
}

void cs_pin_warning_words(unsigned bits, char *buf, size_t size)
{
    static const char *const words[] = {"oversubscribed", "smt", "bind-unsupported",
                                        "bind-broken"};
    size_t len = 0;
    if (size)
        buf[0] = '\0';
    for (unsigned i = 0; i < sizeof words / sizeof words[0]; i++)
        if (bits & (1u << i)) {
            int n = snprintf(buf + len, size > len ? size - len : 0, "%s%s", len ? ";" : "",
                             words[i]);
            if (n > 0)
                len += (size_t)n;
        }
}

void cs_pin_warn(unsigned bits, unsigned workers, unsigned cores, const char *failure)
{
    if (bits & CS_PIN_WARN_OVERSUBSCRIBED)
        cs_warn("%u workers on %u core%s: oversubscribed; workers take turns, so timings do "
                "not show scaling", workers, cores, cores == 1 ? "" : "s");
    if (bits & CS_PIN_WARN_SMT)
        cs_warn("workers share physical cores as SMT siblings (smt); each runs slower than "
                "on a core of its own");
    if (bits & CS_PIN_WARN_UNSUPPORTED)
        cs_warn("binding threads is not supported here (bind-unsupported); workers run "
                "unpinned");
    if (bits & CS_PIN_WARN_BROKEN)
        cs_warn("binding is broken (bind-broken): %s", failure && *failure ? failure
                                                                          : "see the ranks' messages");
}

int cs_pin_worker_pu(const cs_pin *pin, unsigned w)
{
    return w < pin->count ? pin->workers[w].pu : -1;
}

int cs_pin_worker_ran_on(const cs_pin *pin, unsigned w)
{
    return w < pin->count ? pin->workers[w].ran_on : -1;
}

void cs_pin_worker_report(const cs_pin *pin, unsigned w, char *buf, size_t size)
{
    const struct pin_worker *wk = &pin->workers[w];
    char ran[32] = "not checked";
    if (wk->ran_on >= 0)
        snprintf(ran, sizeof ran, "ran on PU P#%d", wk->ran_on);
    if (!wk->set)
        snprintf(buf, size, "not pinned, %s", ran);
    else if (!pin->can_bind)
        snprintf(buf, size, "core L#%d (PU P#%d) planned, binding not supported here, %s",
                 wk->core, wk->pu, ran);
    else
        snprintf(buf, size, "core L#%d (PU P#%d), %s%s", wk->core, wk->pu, ran,
                 wk->ran_on >= 0 && wk->ran_on != wk->pu ? " (outside its PU)" : "");
}

void cs_pin_describe(const cs_pin *pin, char *buf, size_t size)
{
    if (pin->bind == CS_BIND_NONE) {
        snprintf(buf, size, "none (not pinned)");
        return;
    }
    size_t len = (size_t)snprintf(buf, size, "%s%s:", cs_bind_name(pin->bind),
                                  pin->can_bind ? "" : " (not supported here)");
    for (unsigned w = 0; w < pin->count && len < size; w++) {
        char one[32];
        snprintf(one, sizeof one, " %u->P#%d", pin->first + w, pin->workers[w].pu);
        if (len + strlen(one) + 4 >= size) {
            snprintf(buf + len, size - len, " ...");
            return;
        }
        len += (size_t)snprintf(buf + len, size - len, "%s", one);
    }
}

const char *cs_pin_failure(const cs_pin *pin)
{
    return pin->failure;
}
