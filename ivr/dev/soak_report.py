"""What `make soak` counts while it runs, and the verdict it prints.

Every request the callers make is timed and filed under the phase of the run it
started in (steady, Redis killed, Redis frozen, ...), so the cost of each fault shows.
A request cut off by the SIGKILL of the worker that held it is counted apart: no
server can answer from a process killed mid-request (Twilio then speaks its own
error message); everything else that goes wrong fails the soak.
"""
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests

from . import simulator

KILL_WINDOW = 1.0  # seconds after a worker's SIGKILL in which a dropped connection is its doing


@dataclass
class Sample:
    kind: str  # webhook, audio
    phase: str
    began: float
    seconds: float
    status: int | None  # None: no answer (connection refused or reset, timeout)


@dataclass
class Tally:
    samples: list = field(default_factory=list)
    current: str = "steady"
    faults: list = field(default_factory=list)  # (seconds into the run, what happened)
    kills: list = field(default_factory=list)  # monotonic times of worker SIGKILLs
    calls: int = 0
    silent: list = field(default_factory=list)  # what a caller heard as silence
    failed: list = field(default_factory=list)  # calls that ended on an error
    cut: int = 0  # calls cut by a worker's SIGKILL
    peak_mb: dict = field(default_factory=dict)  # worker pid -> VmHWM
    numbers_in_log: int = 0
    tracebacks: int = 0
    started: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, when):
        self.started = when

    def session(self):
        return TimedSession(self)

    def record(self, url, began, status):
        path = urlsplit(url).path
        kind = "audio" if path.startswith("/audio/") else "webhook"
        with self.lock:
            self.samples.append(Sample(kind, self.current, began, time.monotonic() - began, status))

    def phase(self, name):
        with self.lock:
            self.current = name

    def killed(self):
        """A worker is about to be SIGKILLed: what it holds now is lost."""
        with self.lock:
            self.kills.append(time.monotonic())

    def fault(self, at, what):
        with self.lock:
            self.faults.append((at, what))

    def near_kill(self, began, ended):
        return any(began - 0.05 <= kill <= ended + KILL_WINDOW for kill in self.kills)

    def call_failed(self, why, began, ended):
        with self.lock:
            self.calls += 1
            if isinstance(why, simulator.Unreachable) or "failed: " in str(why):
                if self.near_kill(began, ended):
                    self.cut += 1
                    return
            self.failed.append(str(why))

    def call_ended(self, events, began, ended):
        with self.lock:
            self.calls += 1
            heard = [e.text for e in events if e.kind == "play" and e.text.startswith(simulator.SILENT_AUDIO)]
            heard += [e.text for e in events if e.kind == "end" and e.text.startswith(simulator.DEAD_END)]
            if heard and all("cannot be fetched" in h for h in heard) and self.near_kill(began, ended):
                self.cut += 1
            elif heard:
                self.silent.extend(heard)

    def memory(self, pid, mb):
        with self.lock:
            self.peak_mb[pid] = max(self.peak_mb.get(pid, 0.0), mb)

    def read_log(self, text, numbers, serving):
        """The server's log (access and error): no caller's number in any of it; the
        tracebacks of what it wrote while serving (`serving`, not while stopping)."""
        digits = {n.lstrip("+") for n in numbers}
        self.numbers_in_log = sum(text.count(d) for d in digits)
        self.tracebacks = serving.count("Traceback")


class TimedSession(requests.Session):
    """A caller's HTTP session that times every request into the tally."""

    def __init__(self, tally):
        super().__init__()
        self.tally = tally

    def request(self, method, url, *args, **kwargs):
        began = time.monotonic()
        try:
            reply = super().request(method, url, *args, **kwargs)
        except requests.RequestException:
            self.tally.record(url, began, None)
            raise
        self.tally.record(url, began, reply.status_code)
        return reply


def percentile_ms(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


def report(tally, log=print):
    """Print the figures; True when the line held (no 5xx, no silence, no failed
    call, no caller number in the log)."""
    samples = tally.samples
    by_kind = defaultdict(list)
    for s in samples:
        by_kind[s.kind].append(s)
    fivexx = [s for s in samples if s.status and s.status >= 500]
    other = [s for s in samples if s.status and s.status != 200 and s.status < 500]
    unanswered = [s for s in samples if s.status is None]
    cut = [s for s in unanswered if tally.near_kill(s.began, s.began + s.seconds)]
    log(f"requests   {len(samples)} (webhooks {len(by_kind['webhook'])}, audio {len(by_kind['audio'])})")
    log(f"errors     {len(fivexx)} 5xx, {len(other)} other non-200, {len(unanswered) - len(cut)} without an answer"
        f" (+{len(cut)} cut by the worker's SIGKILL)")
    log(f"calls      {tally.calls}: {len(tally.silent)} heard silence, {len(tally.failed)} failed, "
        f"{tally.cut} cut by the worker's SIGKILL")
    for kind, group in sorted(by_kind.items()):
        ok = [s.seconds for s in group if s.status == 200]
        log(f"latency    {kind:8} p50 {percentile_ms(ok, 0.5):7.1f} ms   p99 {percentile_ms(ok, 0.99):7.1f} ms"
            f"   max {percentile_ms(ok, 1.0):7.1f} ms")
    log("by phase   (webhooks)                          requests   p50 ms   p99 ms   max ms")
    phases = list(dict.fromkeys(s.phase for s in samples))
    for phase in phases:
        ok = [s.seconds for s in by_kind["webhook"] if s.phase == phase and s.status == 200]
        log(f"           {phase:40}{len(ok):>8} {percentile_ms(ok, 0.5):8.1f} {percentile_ms(ok, 0.99):8.1f}"
            f" {percentile_ms(ok, 1.0):8.1f}")
    for at, what in tally.faults:
        log(f"fault      at {at:5.1f} s: {what}")
    peak = max(tally.peak_mb.values(), default=0.0)
    log(f"memory     worker peak RSS {peak:.1f} MB ({len(tally.peak_mb)} workers seen)")
    log(f"log        {tally.numbers_in_log} caller numbers, {tally.tracebacks} tracebacks")
    problems = []
    if fivexx:
        problems.append(f"{len(fivexx)} answers were 5xx")
    if tally.silent:
        problems.append(f"callers heard silence {len(tally.silent)} times, e.g. {tally.silent[0]}")
    if tally.failed:
        problems.append(f"{len(tally.failed)} calls failed, e.g. {tally.failed[0][:200]}")
    if tally.numbers_in_log:
        problems.append("caller numbers reached the server's log")
    if not samples:
        problems.append("no request was made")
    log("RESULT     " + ("PASS" if not problems else "FAIL: " + "; ".join(problems)))
    return not problems
