#!/usr/bin/env python3
"""io_hostile: raw HTTP clients (and servers) that behave as io_server's tests and benchmark need.

  ask PORT REQUEST...        send the requests at once on one connection, read each answer
                             by HTTP's framing, print one line per answer and any bytes left
  ask-then-close PORT REQUEST...
                             the same, the client's write side shut 0.2 s after sending
                             (a half-close), while the first answer is still under way
  head PORT SIZE             one GET whose head is exactly SIZE bytes; print its status line
  query PORT SIZE            the same, its size in a query of empty pairs (a=&a=&...&bytes=1)
  hold PORT N [REQUEST]      N connections, each sends REQUEST (or nothing) and never reads;
                             prints 'holding N', then waits until it is killed
  vanish PORT N REQUEST      N connections send REQUEST and close at once; prints 'vanished N'
  serve MODE                 a lying server on a free port ('listening on URL'); MODE is
                             overflow (a Content-Length past 2^63) or runs-on (more body than
                             X-Corescale-Bytes says)
  load PORT PID SECONDS N [NICE]
                             N hostile clients at once for SECONDS (big bodies, big heads, slow
                             readers, vanishing clients; at nice NICE) while a normal client asks
                             every 10 ms; prints the server's peak memory and the normal latencies
  normal PORT SECONDS        that normal client alone: latencies in ms on one line, then failures
REQUEST is a request head with \\r\\n written as \\r\\n; 'GET /x' alone is completed to a request.
Only the standard library: it runs on the system python3.
"""
import os
import selectors
import signal
import socket
import sys
import subprocess
import time


def connect(port, timeout=10.0):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def request_bytes(text):
    text = text.encode().decode("unicode_escape")
    if "\r\n" not in text:  # 'GET /x' completed to a whole HTTP/1.1 request
        text += " HTTP/1.1\r\nHost: t\r\n\r\n"
    return text.encode("latin-1")


class Reader:
    """Reads HTTP/1.1 answers from a socket, by the framing the answer itself declares."""

    def __init__(self, sock):
        # a bytearray: appending to it is not a copy of all read so far, as with bytes
        self.sock, self.buf, self.closed = sock, bytearray(), False

    def fill(self):
        data = self.sock.recv(65536)
        if not data:
            self.closed = True
        self.buf += data
        return bool(data)

    def head(self):
        while b"\r\n\r\n" not in self.buf:
            if len(self.buf) > 65536 or not self.fill():
                return None
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        head = bytes(head)
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
            return ("malformed", lines[0][:60], {})
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return (int(parts[1]), lines[0], headers)

    def body(self, status, headers, head_only):
        if head_only or status in (204, 304) or 100 <= status < 200:
            return b""
        if "content-length" in headers:
            n = int(headers["content-length"])
            while len(self.buf) < n and self.fill():
                pass
        else:
            while self.fill():
                pass
            n = len(self.buf)
        body, self.buf = bytes(self.buf[:n]), self.buf[n:]
        return body


def cmd_ask(port, *requests, half_close=False):
    sock = connect(port)
    sock.sendall(b"".join(request_bytes(r) for r in requests))
    if half_close:  # once the server has them all and is sending the first answer
        time.sleep(0.2)
        sock.shutdown(socket.SHUT_WR)
    reader = Reader(sock)
    for i, r in enumerate(requests, 1):
        got = reader.head()
        if got is None:
            print(f"answer {i}: none (connection closed)")
            return 1
        status, line, headers = got
        if status == "malformed":
            print(f"answer {i}: malformed status line '{line}'")
            return 1
        body = reader.body(status, headers, request_bytes(r).startswith(b"HEAD "))
        shown = ", ".join(f"{k} {headers[k]}" for k in ("content-length", "retry-after", "connection")
                          if k in headers)
        print(f"answer {i}: {line}; {shown}; body {len(body)} bytes: {body[:200]!r}")
    sock.settimeout(0.3)
    try:
        extra = reader.buf + (b"" if reader.closed else sock.recv(65536))
    except socket.timeout:
        extra = reader.buf
    print(f"left over: {len(extra)} bytes")
    return 0


def cmd_ask_then_close(port, *requests):
    return cmd_ask(port, *requests, half_close=True)


def cmd_head(port, size):
    start = b"GET /bytes/1 HTTP/1.1\r\nHost: t\r\nX-Pad: "
    pad = int(size) - len(start) - 4
    if pad < 0:
        raise SystemExit("io_hostile: head SIZE is too small for a request")
    sock = connect(port)
    sock.sendall(start + b"p" * pad + b"\r\n\r\n")
    got = Reader(sock).head()
    print(got[1] if got else "none (connection closed)")
    return 0


def cmd_query(port, size):
    start, end = b"GET /?", b"bytes=1 HTTP/1.1\r\nHost: t\r\n\r\n"
    pairs = (int(size) - len(start) - len(end)) // 3
    if pairs < 0:
        raise SystemExit("io_hostile: query SIZE is too small for a request")
    sock = connect(port)
    sock.sendall(start + b"a=&" * pairs + end)
    got = Reader(sock).head()
    print(got[1] if got else "none (connection closed)")
    return 0


def cmd_hold(port, n, request=""):
    socks = []
    for _ in range(int(n)):
        s = connect(port)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a reader that takes little
        if request:
            s.sendall(request_bytes(request))
        socks.append(s)
    print(f"holding {len(socks)}", flush=True)
    while True:
        signal.pause()


def cmd_vanish(port, n, request):
    for _ in range(int(n)):
        s = connect(port)
        s.sendall(request_bytes(request))
        s.close()
    print(f"vanished {n}", flush=True)
    return 0


def cmd_serve(mode):
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(64)
    print(f"listening on http://127.0.0.1:{lsock.getsockname()[1]}/", flush=True)
    while True:
        conn, _ = lsock.accept()
        conn.settimeout(5)
        try:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                data += chunk
            if mode == "overflow":
                head = "Content-Length: 99999999999999999999999\r\n"
            else:  # runs-on: the server meant 5 bytes, sends 10 and closes
                head = "X-Corescale-Body: pattern-v1\r\nX-Corescale-Bytes: 5\r\n"
            conn.sendall(("HTTP/1.1 200 OK\r\n" + head + "Connection: close\r\n\r\n").encode()
                         + PATTERN10)
        except OSError:
            pass
        conn.close()


# The first ten bytes of io_server's pattern body (drivers/fetch/fetch_body.c).
def pattern_byte(i):
    alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    x = ((i % 4093) * 0x9E3779B1) & 0xFFFFFFFF
    x ^= x >> 15
    x = (x * 0x85EBCA77) & 0xFFFFFFFF
    x ^= x >> 13
    return alphabet[x % len(alphabet)]


PATTERN10 = bytes(pattern_byte(i) for i in range(10))


# ---- load: the benchmark's hostile crowd and its one normal client ----

def rss_kib(pid):
    """VmHWM (peak) and VmRSS (now) of the server, from /proc."""
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmHWM:", "VmRSS:")):
                out[line.split(":")[0]] = int(line.split()[1])
    return out


def normal_client(port, seconds, latencies, failures):
    """One keep-alive connection, a 1 KiB answer every 10 ms, each timed."""
    sock, reader = None, None
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        t0 = time.perf_counter()
        try:
            if sock is None:
                sock = connect(port, timeout=5)
                reader = Reader(sock)
            sock.sendall(b"GET /bytes/1024?delay_ms=0 HTTP/1.1\r\nHost: t\r\n\r\n")
            got = reader.head()
            if got is None or got[0] != 200:
                raise OSError(f"answer {got[1] if got else 'none'}")
            body = reader.body(got[0], got[2], False)
            if len(body) != 1024:
                raise OSError("short body")
            latencies.append((time.perf_counter() - t0) * 1000)
        except OSError as e:
            failures.append(str(e))
            if sock:
                sock.close()
            sock = None
        time.sleep(max(0.0, 0.010 - (time.perf_counter() - t0)))


KINDS = ("big-body", "big-head", "slow-reader", "vanish")


def hostile_open(port, kind, i):
    s = socket.socket()
    s.setblocking(False)
    if kind == "slow-reader":
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    try:
        s.connect(("127.0.0.1", port))
    except BlockingIOError:
        pass
    if kind == "big-body":  # the largest body, corrupted so it cannot be shared, after a delay
        req = b"GET /delay/300?bytes=67108864&corrupt=1 HTTP/1.1\r\nHost: t\r\n\r\n"
    elif kind == "big-head":  # a 1 MiB head, sent as fast as the server takes it
        req = b"GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + b"h" * (1 << 20)
    elif kind == "slow-reader":
        req = b"GET /bytes/67108864 HTTP/1.1\r\nHost: t\r\n\r\n"
    else:
        req = b"GET /delay/300?bytes=67108864&corrupt=1 HTTP/1.1\r\nHost: t\r\n\r\n"
    return {"sock": s, "kind": kind, "slot": i, "out": memoryview(req), "read": 0}


def cmd_normal(port, seconds):
    """The normal client alone, in a process of its own so that the crowd's work does not
    delay its clock; prints each latency in ms, then each failure."""
    latencies, failures = [], []
    normal_client(port, float(seconds), latencies, failures)
    print(" ".join(f"{x:.3f}" for x in latencies))
    print("\n".join(failures))
    return 0


def cmd_load(port, pid, seconds, n, nice="0"):
    port, pid, seconds, n = int(port), int(pid), float(seconds), int(n)
    sel = selectors.DefaultSelector()
    conns = {}
    counts = {k: 0 for k in KINDS}

    def start(i):  # slot i keeps its kind: a client of the kind comes back when one ends
        c = hostile_open(port, KINDS[i % len(KINDS)], i)
        conns[c["sock"].fileno()] = c
        counts[c["kind"]] += 1
        sel.register(c["sock"], selectors.EVENT_READ | selectors.EVENT_WRITE, c)

    later = []  # (when, slot): a vanished client comes back 50 ms after it went
    idle = []   # slow readers: asked, and now never read

    def finish(c):
        sel.unregister(c["sock"])
        del conns[c["sock"].fileno()]
        c["sock"].close()
        if c["kind"] == "vanish":
            later.append((time.monotonic() + 0.05, c["slot"]))
        else:
            start(c["slot"])

    for i in range(n):
        start(i)
    client = subprocess.Popen([sys.executable, __file__, "normal", str(port), str(seconds)],
                              stdout=subprocess.PIPE, text=True)
    os.nice(int(nice))  # the crowd only: the normal client keeps its priority
    end = time.monotonic() + seconds
    peak, samples, next_sample = 0, [], 0.0
    while time.monotonic() < end:
        for key, events in sel.select(timeout=0.05):
            c = key.data
            s = c["sock"]
            try:
                if events & selectors.EVENT_WRITE and c["out"]:
                    sent = s.send(c["out"])
                    c["out"] = c["out"][sent:]
                    if not c["out"]:
                        if c["kind"] == "vanish":
                            finish(c)
                            continue
                        if c["kind"] == "slow-reader":
                            sel.unregister(s)
                            del conns[s.fileno()]
                            idle.append(s)
                            continue
                        sel.modify(s, selectors.EVENT_READ, c)
                if events & selectors.EVENT_READ:
                    data = s.recv(1 << 20)
                    c["read"] += len(data)
                    if not data:
                        finish(c)
            except OSError:
                finish(c)
        now = time.monotonic()
        while later and later[0][0] <= now:
            start(later.pop(0)[1])
        if now >= next_sample:
            mem = rss_kib(pid)
            samples.append(mem["VmRSS"])
            peak = max(peak, mem["VmHWM"])
            next_sample = now + 0.1
    out = client.communicate()[0].split("\n")
    latencies = [float(x) for x in out[0].split()]
    failures = [x for x in out[1:] if x]
    for c in list(conns.values()):
        c["sock"].close()
    for s in idle:
        s.close()
    lat = sorted(latencies)

    def pct(p):
        return lat[min(len(lat) - 1, int(p / 100 * len(lat)))] if lat else float("nan")

    print(f"hostile clients: {n} at once, {sum(counts.values())} opened in {seconds:.0f} s "
          f"({', '.join(f'{k} {v}' for k, v in counts.items())})")
    print(f"server memory: peak {peak / 1024:.1f} MiB (VmHWM), largest sample "
          f"{max(samples) / 1024:.1f} MiB (VmRSS)")
    print(f"normal requests: {len(lat)} answered, {len(failures)} failed; latency ms "
          f"p50 {pct(50):.2f} p99 {pct(99):.2f} max {lat[-1] if lat else float('nan'):.2f}; "
          f"over 50 ms: {sum(1 for x in lat if x > 50)}")
    if failures:
        print(f"first failure: {failures[0]}")
    return 0


COMMANDS = {"ask": cmd_ask, "ask-then-close": cmd_ask_then_close, "head": cmd_head, "query": cmd_query, "hold": cmd_hold, "vanish": cmd_vanish,
            "serve": cmd_serve, "load": cmd_load, "normal": cmd_normal}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.stderr.write(__doc__)
        sys.exit(2)
    args = sys.argv[2:]
    if sys.argv[1] != "serve" and args:
        args[0] = int(args[0])
    sys.exit(COMMANDS[sys.argv[1]](*args))
