"""The CPU peers' loop: parse, warm up, time, verify, print, write rows; the model runs items."""
import os
import statistics
import sys
import time

import cspy_options as opt
import cspy_product as product
import cspy_row as row


class Model:
    """An execution model: how a list of calls f(*args) is run (serially, threads, processes).
    start() makes the pool before any repetition; map() returns the results in order."""

    def __init__(self, name, workers, ranks, threads, schedule, text, make_pool=None):
        self.name, self.workers, self.ranks, self.threads = name, workers, ranks, threads
        self.schedule, self.text, self.make_pool = schedule, text, make_pool
        self.pool = None

    def start(self):
        if self.make_pool:
            self.pool = self.make_pool(self.workers)

    def map(self, f, args):
        if self.pool is None:
            return [f(*a) for a in args]
        return list(self.pool.map(f, *zip(*args)))

    def stop(self):
        if self.pool is not None:
            self.pool.shutdown()


def run_items(model, n, items):
    """corescale's decomposition: the items and the fixed tree. With a pool, each worker runs
    whole subtrees (their items and their combines) and the levels above them are combined
    here: the top multiplications are the largest, so leaving the subtrees' combines to one
    process would leave most of the work serial. compute_s is the workers' phase."""
    t0 = time.perf_counter()
    if model.pool is None:
        leaves = [product.item_run(n, items, c) for c in range(items)]
        t1 = time.perf_counter()
        value = product.tree_combine(leaves)
    else:
        depth = max(1, (model.workers - 1).bit_length())  # 2^depth >= workers subtrees
        nodes = product.tree_cut(0, items, depth)
        parts = model.map(product.subtree_run, [(n, items, lo, hi) for lo, hi in nodes])
        t1 = time.perf_counter()
        value = product.tree_top(iter(parts), 0, items, depth)
    return [value], t1 - t0, time.perf_counter() - t1


def run_tasks(model, sizes):
    """The lesson's decomposition: one task per n, each the seed's plain triple loop."""
    t0 = time.perf_counter()
    values = model.map(product.seed_task, [(n,) for n in sizes])
    return values, time.perf_counter() - t0, 0.0


def print_header(model, o, form):
    print("# %s (corescale %s)" % (model.name, row.version()))
    print("# kernel product: big-integer product of i*j*k over the triple loop 1..n-1")
    print("# sizes n = %s (class %s); %s" % (",".join(map(str, o["sizes"])), o["class_name"], form))
    print("# workers %d (%s)" % (model.workers, model.text))
    print("# interpreter %s, %s" % (row.interpreter(), row.interpreter_flags()))
    print("# host %s, %s; repeat %d, warmup %d" % (row.host_name(), row.utc_now(), o["repeat"],
                                                  o["warmup"]))
    print("# %-14s %7s %-32s %-8s %10s %10s %10s" % ("case", "items", "result", "verified",
                                                       "wall_min", "wall_med", "wall_max"))
    sys.stdout.flush()


def warnings_of(model, wall):
    words = []
    if model.workers > (os.cpu_count() or 1):
        words.append("oversubscribed")
    if wall < row.SHORT_RUN_S:
        words.append("short-run")
    return ";".join(words)


def run_case(model, o, rows, case, sizes, items, run):
    """Warm-up and timed repetitions of one case; returns (ok, verified)."""
    reference = None
    digests, summaries, verified = [], [], True
    walls = []
    for rep in range(o["warmup"] + o["repeat"]):
        values, compute, combine = run()
        wall = compute + combine
        if reference is None:
            reference = values
            for n, v in zip(sizes, values):
                why = product.verify(n, v)
                if why:
                    opt.error("product %s: %s" % (case, why))
                    verified = False
                d, s = product.describe(v)
                digests.append(d)
                summaries.append(s)
        elif values != reference:
            opt.error("product %s: repetition %d differs from the first" % (case, rep + 1))
            verified = False
        if rep < o["warmup"]:
            continue
        walls.append(wall)
        if rows is not None:
            row.rows_write(rows, {
                "driver": model.name, "kernel": "product", "case": case,
                "class": o["class_name"], "ranks": model.ranks, "threads": model.threads,
                "workers": model.workers, "bind": "none", "chunks": items,
                "rep": rep - o["warmup"] + 1, "wall_s": wall, "compute_s": compute,
                "combine_s": combine, "comm_s": 0.0, "verified": verified,
                "digest": " + ".join(digests), "schedule": model.schedule,
                "warnings": warnings_of(model, wall)})
    if not o.get("quiet"):
        w = sorted(walls)
        print("  %-14s %7d %-32s %-8s %10.6f %10.6f %10.6f" % (
            case, items, "; ".join(summaries)[:32], "yes" if verified else "NO", w[0],
            statistics.median(w), w[-1]))
        sys.stdout.flush()
    return verified


def main(prog, make_model, tasks, argv):
    """A CPU peer's main(): prog says what it is, make_model(options) how it runs."""
    opt.set_program(prog.name)
    try:
        o, want_version = opt.parse(prog, argv)
        if o is None:
            return answer_help(prog, want_version)
        reexec(o, argv)
        model = make_model(o)
        rows = row.rows_open(o)
    except opt.Usage as e:
        opt.error(str(e))
        return opt.EXIT_USAGE
    form = ("the lesson's decomposition: one task per n, each a plain triple loop" if tasks else
            "corescale's decomposition: items and the fixed tree, as cpu_serial")
    model.start()
    try:
        if not o.get("quiet"):
            print_header(model, o, form)
        ok = True
        if tasks:
            sizes = o["sizes"]
            case = "n=" + "+".join(map(str, sizes))
            ok = run_case(model, o, rows, case, sizes, len(sizes),
                          lambda: run_tasks(model, sizes))
        else:
            for n in o["sizes"]:
                items = product.item_count(n, o.get("chunks"))
                ok &= run_case(model, o, rows, "n=%d" % n, [n], items,
                               lambda n=n, items=items: run_items(model, n, items))
    finally:
        model.stop()
    if not o.get("quiet"):
        print("# verdict: %s" % ("every result equals ((n-1)!)^(3(n-1)^2)" if ok else
                                 "verification FAILED"))
    return opt.EXIT_OK if ok else opt.EXIT_FAIL


def answer_help(prog, version):
    """--help, or --version (which names the interpreter), as parse() left them: exit 0."""
    if version:
        print("%s (corescale) %s\n%s" % (prog.name, row.version(), row.interpreter()))
    else:
        opt.print_help(prog)
    return opt.EXIT_OK


def reexec(o, argv):
    """--python PATH: the same peer, the same options, on that interpreter."""
    if "python" not in o:
        return
    rest, skip = [], False
    for i, word in enumerate(argv):
        if skip:
            skip = False
            continue
        if word == "--python" or word.startswith("--python="):
            skip = word == "--python"
            continue
        rest.append(word)
    script = os.path.abspath(sys.argv[0])
    sys.stdout.flush()
    try:
        os.execv(o["python"], [o["python"], script] + rest)
    except OSError as e:
        raise opt.bad("python", o["python"], "cannot run: %s" % e.strerror)


# The three execution models: how many workers, and what each row says about them.
def _serial(name, o):
    return Model(name, 1, 1, 1, "", "one thread")


def _threads(name, o):
    from concurrent.futures import ThreadPoolExecutor
    t = o.get("threads", os.cpu_count() or 1)
    gil = "the GIL on: one runs Python at a time" if row.gil_enabled() else "the GIL off"
    return Model(name, t, 1, t, "dynamic", "ThreadPoolExecutor, %d threads, %s" % (t, gil),
                 lambda w: ThreadPoolExecutor(max_workers=w))


def _processes(name, o):
    from concurrent.futures import ProcessPoolExecutor
    w = o.get("workers", os.cpu_count() or 1)
    return Model(name, w, w, 1, "dynamic", "ProcessPoolExecutor, %d processes" % w,
                 lambda n: ProcessPoolExecutor(max_workers=n))


MODELS = {
    "serial": (_serial, [], "on one Python thread"),
    "threads": (_threads, ["threads"], "on a ThreadPoolExecutor (--threads, default the cores)"),
    "processes": (_processes, ["workers"],
                  "on a ProcessPoolExecutor (--workers, default the cores)"),
}


def run_peer(kind, tasks, argv=None):
    """The whole of a CPU peer: py_<kind>, or py_<kind>_tasks for the lesson's decomposition."""
    make, extra, where = MODELS[kind]
    name = "py_%s%s" % (kind, "_tasks" if tasks else "")
    if tasks:
        purpose = ("Run the product as the lesson's program did, %s: one task per n, each a\n"
                   "plain triple loop into one accumulator. Every result is checked against\n"
                   "((n-1)!)^(3(n-1)^2); one row per repetition covers all the sizes." % where)
        names = ["n", "class"] + extra + opt.COMMON
    else:
        purpose = ("Run the product %s, cut into cpu_serial's items and combined by its fixed\n"
                   "tree: the digest must equal cpu_serial's, bit for bit." % where)
        names = opt.KERNEL + extra + opt.COMMON
    prog = opt.Program(name, purpose, names, help_of={
        "threads": "worker threads (default the cores, %d here)" % (os.cpu_count() or 1),
        "workers": "worker processes (default the cores, %d here)" % (os.cpu_count() or 1)})
    args = sys.argv[1:] if argv is None else argv
    return opt.closed_stdout_ends(lambda: main(prog, lambda o: make(name, o), tasks, args))

