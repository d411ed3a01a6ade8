"""Load for `make bench`: servers under gunicorn on loopback, client threads that
POST or GET for a bounded time and count, and the statistics of what came back.

A server runs in a session of its own so its whole process group (master and
workers) can be measured (CPU from /proc) and always stopped.
"""
import contextlib
import os
import statistics
import threading
import time
from dataclasses import dataclass, field
from http.client import HTTPConnection, HTTPException
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from . import procfile
from .procfile import ServerFailed  # noqa: F401  (the bench imports it from here)

WORKERS = 1  # workers per server (the Procfile's worker class); the same for both so the ratio is fair
START_TIMEOUT = 20.0  # seconds a server gets to answer before we give up
SETTLE_TIMEOUT = 30.0  # seconds servers get to finish their start-up work before timing starts anyway

# -- results -------------------------------------------------------------------
@dataclass
class Stats:
    latencies: list = field(default_factory=list, repr=False)  # seconds, answered 200
    errors: int = 0  # anything else: bad status, reset, timeout
    seconds: float = 0.0  # measured window
    # Server CPU seconds over all requests sent (warm-up included): unlike req/s it
    # hardly moves when other processes take the CPU, so it cross-checks the ratio.
    cpu_seconds: float = 0.0
    cpu_requests: int = 0

    def __add__(self, other):  # rounds of one target add up
        return Stats(self.latencies + other.latencies, self.errors + other.errors, self.seconds + other.seconds,
                     self.cpu_seconds + other.cpu_seconds, self.cpu_requests + other.cpu_requests)

    @property
    def cpu_per_request(self):
        return self.cpu_seconds / self.cpu_requests if self.cpu_requests and self.cpu_seconds else None

    @property
    def rps(self):
        return len(self.latencies) / self.seconds if self.seconds > 0 else 0.0

    def percentile_ms(self, fraction):
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000

    @property
    def p50_ms(self):
        return self.percentile_ms(0.50)

    @property
    def p99_ms(self):
        return self.percentile_ms(0.99)


# -- servers -------------------------------------------------------------------
@contextlib.contextmanager
def serve(app_spec, env=None, workers=WORKERS):
    """Run `app_spec` the way the Procfile's web process runs the line (its gunicorn
    config: worker class, timeouts), with `workers` workers, on a free loopback port;
    yield its base URL (a Server that knows its process group); always stop it."""
    with procfile.serve(env, app_spec=app_spec, timeout=START_TIMEOUT,
                        extra=["--workers", str(workers), "--log-level", "warning"]) as server:
        yield server


def group_cpu_seconds(pgid):
    """User + system CPU of every live process in a group (Linux /proc; None elsewhere)."""
    if pgid is None or not os.path.isdir("/proc"):
        return None
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError, IndexError, ValueError):
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid:  # fields after "(comm)": state ppid pgrp ... utime stime
                total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


# -- load ----------------------------------------------------------------------
def load(base_url, path, form, seconds=5.0, threads=8, warmup=1.0, max_requests=200_000, method="POST"):
    """POST `form` to `path` from `threads` clients for warmup + seconds; bounded by count too.

    Each thread keeps its own HTTPConnection (kept alive by the gevent workers; it
    reconnects by itself whenever the server closes it). Only requests started
    after the warm-up count.
    """
    url = urlsplit(base_url)
    body = urlencode(form).encode() if method == "POST" else None
    headers = {"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "TwilioProxy/1.1"}
    if method != "POST":
        headers = {"User-Agent": "TwilioProxy/1.1"}
    cap = max(1, max_requests // threads)
    latencies = [[] for _ in range(threads)]
    errors = [0] * threads
    last_done = [0.0] * threads
    sent = [0] * threads  # all answered requests, warm-up included, for CPU per request
    start = threading.Barrier(threads + 1)
    clock = {}

    def client(i):
        conn = HTTPConnection(url.hostname, url.port, timeout=10)
        start.wait()
        measure_from = clock["t0"] + warmup
        until = measure_from + seconds
        mine = latencies[i]
        try:
            while len(mine) < cap:
                began = time.perf_counter()
                if began >= until:
                    break
                try:
                    conn.request(method, path, body, headers)
                    resp = conn.getresponse()
                    resp.read()
                    ok = resp.status == 200
                except (OSError, HTTPException):
                    conn.close()
                    ok = False
                done = time.perf_counter()
                sent[i] += 1
                if began >= measure_from:
                    if ok:
                        mine.append(done - began)
                    else:
                        errors[i] += 1
                    last_done[i] = done
        finally:
            conn.close()

    workers = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(threads)]
    for w in workers:
        w.start()
    cpu_before = group_cpu_seconds(getattr(base_url, "pgid", None))
    clock["t0"] = time.perf_counter()  # set before the barrier releases anyone
    start.wait()
    for w in workers:
        w.join(warmup + seconds + 30)  # a stuck request times out after 10 s anyway
    cpu_after = group_cpu_seconds(getattr(base_url, "pgid", None))

    window = max(last_done) - (clock["t0"] + warmup) if any(last_done) else 0.0
    cpu = cpu_after - cpu_before if cpu_before is not None and cpu_after is not None else 0.0
    return Stats([x for lat in latencies for x in lat], sum(errors), window, cpu, sum(sent) if cpu else 0)


def warm_up(targets, seconds, threads, settle_timeout=SETTLE_TIMEOUT):
    """Unmeasured load on each (server, path, form) (first requests import and cache
    things), then wait until every server is idle: a worker's start-up work (checking
    the audio build, filling an empty Redis) is not what a benchmark measures.
    Returns the seconds waited."""
    for url, path, form in targets:
        load(url, path, form, seconds, threads, warmup=0)
    began = time.monotonic()
    for url, _, _ in targets:
        wait_until_idle(getattr(url, "pgid", None), began + settle_timeout)
    return time.monotonic() - began


def wait_until_idle(pgid, deadline, every=0.5, busy=0.02):
    """Until a process group uses at most `busy` of a CPU over `every` seconds (or
    the deadline passes; at once where /proc cannot tell)."""
    before = group_cpu_seconds(pgid)
    while before is not None and time.monotonic() < deadline:
        time.sleep(every)
        after = group_cpu_seconds(pgid)
        if after - before <= busy * every:
            return
        before = after


def paired(base, target, seconds, rounds, threads, warmup=0.2, method="POST"):
    """Alternate short rounds of the baseline and a target.

    base and target are (base_url, path, form); both get `seconds` in all, so drift
    and background load hit them alike. Returns the baseline's and the target's Stats
    over all rounds, and the median of the per-round rps ratios (one round disturbed
    by another process then does not move it).
    """
    totals, ratios = [Stats(), Stats()], []
    for _ in range(rounds):
        pair = [load(url, path, form, seconds / rounds, threads, warmup, method=method)
                for url, path, form in (base, target)]
        totals = [total + one for total, one in zip(totals, pair)]
        if pair[0].rps:
            ratios.append(pair[1].rps / pair[0].rps)
    return totals[0], totals[1], (statistics.median(ratios) if ratios else None)


def worker_peak_rss_mb(server):
    """The highest resident memory any of a server's gunicorn workers reached (VmHWM)."""
    peak = 0
    try:
        children = Path(f"/proc/{server.pgid}/task/{server.pgid}/children").read_text().split()
    except OSError:
        return None
    for pid in children:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except OSError:
            continue
    return peak / 1024 if peak else None
