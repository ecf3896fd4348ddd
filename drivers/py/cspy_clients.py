"""The fetch peers' three ways to make requests: one Session, a thread pool, asyncio."""
import asyncio
import threading
import time

import cspy_fetch as fetch


def _requests_result(session, url, o, requests):
    """One GET with requests, judged as fetch_easy.c judges a transfer."""
    t0 = time.perf_counter()
    try:
        r = session.get(url, timeout=(o["connect-timeout-ms"] / 1000.0, o["timeout-ms"] / 1000.0),
                        allow_redirects=False)
        body = r.content
        ms = (time.perf_counter() - t0) * 1000.0
        return fetch.judge(ms, r.status_code, r.headers, body, r.headers.get("Content-Length"))
    except Exception as e:  # every failure is one request's fault, sorted by kind
        return fetch.Result((time.perf_counter() - t0) * 1000.0, 0, _requests_fault(e, requests),
                            str(e).replace("\n", " ")[:200])


def _requests_fault(e, requests):
    x = requests.exceptions
    if isinstance(e, (x.ConnectTimeout, x.ReadTimeout, x.Timeout)):
        return "timeout"
    if isinstance(e, x.ChunkedEncodingError) or "IncompleteRead" in repr(e):
        return "short-body"
    if isinstance(e, x.ConnectionError):
        text = str(e)
        if "Name or service not known" in text or "NameResolution" in text:
            return "unknown-host"
        return "refused" if "refused" in text else "other"
    return "other"


def _session(requests):
    s = requests.Session()
    s.trust_env = False  # where the URL says, never through an environment proxy
    s.headers["User-Agent"] = "corescale-py"
    return s


class Serial(fetch.Model):
    """One requests.Session, one request at a time, the connection kept alive."""

    def __init__(self, name, o):
        super().__init__(name, 1, 1, 1, "one requests.Session, one request at a time")

    def start(self, o):
        self.requests = fetch.need("requests", "python3-requests")
        self.o, self.session = o, _session(self.requests)

    def run(self, urls):
        return [_requests_result(self.session, u, self.o, self.requests) for u in urls]

    def stop(self):
        if hasattr(self, "session"):
            self.session.close()


class Threads(fetch.Model):
    """A ThreadPoolExecutor of requests, a Session per thread (a Session is not shared)."""

    def __init__(self, name, o):
        t = o.get("threads", 10)
        super().__init__(name, 1, t, t, "ThreadPoolExecutor, %d threads, a Session each" % t)

    def start(self, o):
        from concurrent.futures import ThreadPoolExecutor
        self.requests = fetch.need("requests", "python3-requests")
        self.o, self.local, self.sessions = o, threading.local(), []
        self.pool = ThreadPoolExecutor(max_workers=self.threads)

    def _one(self, url):
        s = getattr(self.local, "session", None)
        if s is None:
            s = self.local.session = _session(self.requests)
            self.sessions.append(s)
        return _requests_result(s, url, self.o, self.requests)

    def run(self, urls):
        return list(self.pool.map(self._one, urls))

    def stop(self):
        if hasattr(self, "pool"):
            self.pool.shutdown()
            for s in self.sessions:
                s.close()


class Async(fetch.Model):
    """aiohttp on one event loop, at most --concurrency requests in flight."""

    def __init__(self, name, o):
        c = o.get("concurrency", 10)
        super().__init__(name, 1, 1, c, "asyncio and aiohttp, at most %d in flight" % c)

    def start(self, o):
        self.aiohttp = fetch.need("aiohttp", "python3-aiohttp")
        self.o, self.loop = o, asyncio.new_event_loop()
        self.session = self.loop.run_until_complete(self._open())

    async def _open(self):
        a = self.aiohttp
        return a.ClientSession(
            connector=a.TCPConnector(limit=self.workers),
            timeout=a.ClientTimeout(total=self.o["timeout-ms"] / 1000.0,
                                    connect=self.o["connect-timeout-ms"] / 1000.0),
            headers={"User-Agent": "corescale-py"}, auto_decompress=False)

    async def _one(self, gate, url):
        a = self.aiohttp
        async with gate:
            t0 = time.perf_counter()
            try:
                async with self.session.get(url, allow_redirects=False) as r:
                    body = await r.read()
                ms = (time.perf_counter() - t0) * 1000.0
                return fetch.judge(ms, r.status, r.headers, body, r.headers.get("Content-Length"))
            except Exception as e:  # every failure is one request's fault, sorted by kind
                if isinstance(e, asyncio.TimeoutError):
                    kind = "timeout"
                elif isinstance(e, a.ClientPayloadError):
                    kind = "short-body"
                elif isinstance(e, a.ClientConnectorError):
                    kind = "unknown-host" if "Name or service" in str(e) else "refused"
                else:
                    kind = "other"
                return fetch.Result((time.perf_counter() - t0) * 1000.0, 0, kind,
                                    (str(e) or type(e).__name__).replace("\n", " ")[:200])

    async def _all(self, urls):
        gate = asyncio.Semaphore(self.workers)
        return await asyncio.gather(*(self._one(gate, u) for u in urls))

    def run(self, urls):
        return self.loop.run_until_complete(self._all(urls))

    def stop(self):
        if hasattr(self, "session"):
            self.loop.run_until_complete(self.session.close())
            self.loop.close()
