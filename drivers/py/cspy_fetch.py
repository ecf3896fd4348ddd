"""The fetch peers' loop: the C fetch drivers' URLs, body checks, table, rows and verdict.

With no URL a peer starts io_server (from its own directory) with --delay-ms and --bytes and
fetches its URL --requests times: the C drivers serve the same URL from a server embedded in
themselves, the peers from the same server in a process of its own.
"""
import math
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse

import cspy_options as opt
import cspy_row as row

BODY_HEADER, BODY_MARK, BODY_PERIOD = "X-Corescale-Body", "pattern-v1", 4093
ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
FAULTS = ["ok", "refused", "unknown-host", "timeout", "status", "short-body", "bad-body", "other"]


def body_byte(i):
    """drivers/fetch/fetch_body.c fetch_body_byte: the byte at offset i of a pattern body."""
    x = (i % BODY_PERIOD) * 0x9E3779B1 & 0xffffffff
    x ^= x >> 15
    x = x * 0x85EBCA77 & 0xffffffff
    x ^= x >> 13
    return ALPHABET[x % len(ALPHABET)]


PERIOD = bytes(body_byte(i) for i in range(BODY_PERIOD))


def body_mismatch(data):
    """None if data is the pattern from offset 0, else the first offset that differs."""
    want = (PERIOD * (len(data) // BODY_PERIOD + 1))[:len(data)]
    if data == want:
        return None
    return next(i for i in range(len(data)) if data[i] != want[i])


class Result:
    """One request's outcome: its latency, body bytes, fault kind and why."""
    __slots__ = ("ms", "bytes", "fault", "why", "checked")

    def __init__(self, ms, nbytes, fault="ok", why="", checked=False):
        self.ms, self.bytes, self.fault, self.why, self.checked = ms, nbytes, fault, why, checked


def judge(ms, status, headers, body, announced):
    """The checks fetch_easy.c makes of a finished transfer."""
    if status < 200 or status > 299:
        return Result(ms, len(body), "status", "HTTP status %d" % status)
    if announced is not None and int(announced) != len(body):
        return Result(ms, len(body), "short-body",
                      "%d body bytes of the %s announced" % (len(body), announced))
    if headers.get(BODY_HEADER, "").strip().startswith(BODY_MARK):
        at = body_mismatch(body)
        if at is not None:
            return Result(ms, at, "bad-body", "body byte %d differs from the pattern" % at)
        return Result(ms, len(body), checked=True)
    return Result(ms, len(body))


def percentile(sorted_ms, q):
    """fetch_latency.c: nearest rank, every figure a latency some request really had."""
    rank = min(max(math.ceil(q * len(sorted_ms) / 100.0 - 1e-9), 1), len(sorted_ms))
    return sorted_ms[rank - 1]


def check_url(url, where):
    parts = urllib.parse.urlsplit(url)
    if not parts.scheme:
        raise opt.Usage("%s '%s': no scheme: give http:// or https://" % (where, url))
    if parts.scheme not in ("http", "https"):
        raise opt.Usage("%s '%s': scheme '%s' is not http or https" % (where, url, parts.scheme))
    if not parts.hostname:
        raise opt.Usage("%s '%s': no host" % (where, url))


def urls_given(o, positional):
    """The URL list as the C drivers build it: arguments, then --url-file, then --url x N."""
    urls = []
    for u in positional:
        if u.startswith("--"):
            raise opt.Usage("URL '%s': an option after a URL; give the options first" % u)
        check_url(u, "URL")
        urls.append(u)
    if "url-file" in o:
        path = o["url-file"]
        try:
            with open(path) as f:
                lines = [ln.strip() for ln in f]
        except OSError as e:
            raise opt.Usage("--url-file '%s': cannot open: %s" % (path, e.strerror))
        found = [ln for ln in lines if ln and not ln.startswith("#")]
        if not found:
            raise opt.Usage("--url-file '%s': no URL in the file" % path)
        for u in found:
            check_url(u, "--url-file '%s': URL" % path)
        urls += found
    if "url" in o:
        check_url(o["url"], "--url")
        urls += [o["url"]] * o["requests"]
    return urls


class Server:
    """io_server in a child process, for as long as the peer runs."""

    def __init__(self, o):
        here = os.path.dirname(os.path.abspath(sys.argv[0]))
        path = os.path.join(here, "io_server")
        if not os.access(path, os.X_OK):
            raise RuntimeError("io_server is not built beside this peer (%s)" % path)
        self.proc = subprocess.Popen(
            [path, "--listen", "127.0.0.1:0", "--delay-ms", str(o["delay-ms"]), "--bytes",
             str(o["bytes"]), "--quiet"], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
            text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("listening on "):
            self.stop()
            raise RuntimeError("io_server did not start (it said %r)" % line.strip())
        self.url = line.split()[-1]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def need(module, package):
    """Imports a module the peer cannot run without, or says which Debian package gives it."""
    try:
        return __import__(module)
    except ImportError:
        raise RuntimeError("the Python module '%s' is missing for %s: install %s "
                           "(scripts/deps.sh does)" % (module, sys.executable, package))


class Model:
    """How requests are made: start() before the repetitions, run(urls) -> [Result], stop()."""

    def __init__(self, name, ranks, threads, workers, text):
        self.name, self.ranks, self.threads, self.workers, self.text = \
            name, ranks, threads, workers, text

    def start(self, o):
        pass

    def stop(self):
        pass


def print_header(model, o, n, source):
    print("# %s (corescale %s)" % (model.name, row.version()))
    print("# fetch %d requests: %s" % (n, source))
    print("# workers %d (%s); timeout %d ms, connect timeout %d ms" % (
        model.workers, model.text, o["timeout-ms"], o["connect-timeout-ms"]))
    print("# interpreter %s, %s" % (row.interpreter(), row.interpreter_flags()))
    print("# host %s, %s; repeat %d, warmup %d; latency over every request, failed ones "
          "included" % (row.host_name(), row.utc_now(), o["repeat"], o["warmup"]))
    print("# %4s %9s %7s %12s %10s %11s %9s %9s %9s %9s" % (
        "rep", "requests", "errors", "bytes", "wall_s", "req_per_s", "p50_ms", "p90_ms",
        "p99_ms", "max_ms"))
    sys.stdout.flush()


def run_reps(model, o, rows, urls, case):
    """Warm-up and timed repetitions; returns (failed, requests, faults by kind)."""
    failed, requests, checked, first, counts = 0, 0, 0, {}, {}
    walls = []
    for rep in range(o["warmup"] + o["repeat"]):
        t0 = time.perf_counter()
        results = model.run(urls)
        wall = time.perf_counter() - t0
        errors = sum(r.fault != "ok" for r in results)
        failed += errors
        requests += len(results)
        checked += sum(r.checked for r in results)
        for i, r in enumerate(results):
            if r.fault != "ok":
                counts[r.fault] = counts.get(r.fault, 0) + 1
                first.setdefault(r.fault, (i, r.why))
        if rep < o["warmup"]:
            continue
        ms = sorted(r.ms for r in results)
        nbytes = sum(r.bytes for r in results)
        stats = {"req_per_s": len(results) / wall if wall > 0 else 0.0,
                 "p50_ms": percentile(ms, 50), "p90_ms": percentile(ms, 90),
                 "p99_ms": percentile(ms, 99), "max_ms": ms[-1]}
        walls.append(wall)
        if not o.get("quiet"):
            print("  %4d %9d %7d %12d %10.6f %11.1f %9.3f %9.3f %9.3f %9.3f" % (
                rep - o["warmup"] + 1, len(results), errors, nbytes, wall, stats["req_per_s"],
                stats["p50_ms"], stats["p90_ms"], stats["p99_ms"], stats["max_ms"]))
            sys.stdout.flush()
        if rows is not None:
            fields = {"driver": model.name, "kernel": "fetch", "case": case, "class": "",
                      "ranks": model.ranks, "threads": model.threads, "workers": model.workers,
                      "bind": "none", "rep": rep - o["warmup"] + 1, "wall_s": wall,
                      "verified": errors == 0,
                      "digest": "ok=%d;checked=%d" % (len(results) - errors,
                                                      sum(r.checked for r in results)),
                      "warnings": "short-run" if wall < row.SHORT_RUN_S else "",
                      "requests": len(results), "errors": errors, "bytes": nbytes}
            fields.update(stats)
            row.rows_write(rows, fields)
    if not o.get("quiet"):
        print("# wall_s min %.6f med %.6f max %.6f" % (min(walls), statistics.median(walls),
                                                        max(walls)))
        if counts:
            print("# faults: " + ", ".join("%s %d" % (k, counts[k]) for k in FAULTS if k in counts))
        for kind, (i, why) in sorted(first.items()):
            print("#   %s: first at request %d (%s): %s" % (kind, i, urls[i], why))
        total = o["warmup"] + o["repeat"]
        if failed == 0:
            print("# verdict: all %d requests of %d repetitions succeeded; %d pattern bodies "
                  "checked" % (requests, total, checked))
        else:
            print("# verdict: %d of %d requests of %d repetitions FAILED" % (failed, requests,
                                                                            total))
    return failed, requests, counts


def main(prog, make_model, argv):
    """A fetch peer's main(): parse, plan the URLs, start io_server if needed, run, report."""
    return opt.closed_stdout_ends(lambda: run_peer(prog, make_model, argv))


def run_peer(prog, make_model, argv):
    opt.set_program(prog.name)
    try:
        o, positional = opt.parse(prog, argv)
        import cspy_cpu
        if o is None:  # then positional says whether --version was asked for
            return cspy_cpu.answer_help(prog, positional)
        cspy_cpu.reexec(o, argv)
        urls = urls_given(o, positional)
        model = make_model(o)
        rows = row.rows_open(o)
    except opt.Usage as e:
        opt.error(str(e))
        return opt.EXIT_USAGE
    server = None
    try:
        if urls:
            case = "requests=%d;urls=%d" % (len(urls), len(set(urls)))
            source = "%d distinct URL%s" % (len(set(urls)), "" if len(set(urls)) == 1 else "s")
        else:
            server = Server(o)
            urls = [server.url] * o["requests"]
            case = "requests=%d;delay_ms=%d;bytes=%d" % (o["requests"], o["delay-ms"], o["bytes"])
            source = "io_server %s (delay %d ms, body %d bytes)" % (server.url, o["delay-ms"],
                                                                    o["bytes"])
        model.start(o)
        try:
            if not o.get("quiet"):
                print_header(model, o, len(urls), source)
            failed, requests, counts = run_reps(model, o, rows, urls, case)
        finally:
            model.stop()
    except RuntimeError as e:
        opt.error(str(e))
        return opt.EXIT_FAIL
    finally:
        if server:
            server.stop()
    if failed:
        said = ", ".join("%s %d" % (k, counts[k]) for k in FAULTS if k in counts)
        if o.get("allow-failures"):
            opt.warn("%d of %d requests failed (%s); accepted by --allow-failures" % (
                failed, requests, said))
        else:
            opt.error("%d of %d requests failed (%s)" % (failed, requests, said))
            return opt.EXIT_FAIL
    return opt.EXIT_OK


def program(name, purpose, extra):
    return opt.Program(name, purpose, opt.FETCH + extra + opt.COMMON, fetch=True, help_of={
        "delay-ms": "io_server's delay when no URL is given (default 100)",
        "bytes": "io_server's body size when no URL is given (default 1024)",
        "threads": "pool size (default 10)"},
        epilog="With no URL it starts io_server (beside it in build/drivers/) and fetches its "
               "URL --requests times.\nNeeds the Python modules named above (Debian: "
               "python3-requests, python3-aiohttp; scripts/deps.sh).")
