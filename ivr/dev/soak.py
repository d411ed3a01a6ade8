"""`make soak`: the line as production runs it, called for a while, broken on purpose.

Starts the Procfile's web process (its gunicorn config) with a real Redis and built
audio, on loopback, and drives N signed simulated callers for T seconds: each call
follows the line's TwiML as Twilio does, pressing random keys, and fetches every
<Play> audio. Meanwhile it kills Redis (and starts it again, empty), freezes it
(SIGSTOP, then SIGCONT) and kills a web worker (SIGKILL; the master starts another).
It prints requests, errors, p50/p99 latency by phase and the workers' peak memory,
and exits 1 on any 5xx, any call that hears silence (a <Play> that does not answer
200, a document without a way on) or any caller number in the server's log.
Every process it starts is stopped however it ends.
"""
import argparse
import os
import random
import secrets
import signal
import sys
import threading
import time
from pathlib import Path

import portpicker

from .. import config
from ..store.redis import EmbeddedRedis
from . import procfile, simulator
from .devserver import stopped_by_signals
from .soak_report import Tally, report

TOKEN = "soak-token"
ENGINES = "recording,espeak"  # offline: the soak never needs the internet
KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "*", "#", "", "212#", "31#", "999#"]
MAX_PRESSES = 12  # then the caller hangs up and calls again


class Redis(EmbeddedRedis):
    """The embedded Redis, killed and started again on the same port (the web
    process keeps its REDIS_URL), frozen and thawed."""

    def restart(self):
        return self.start()  # EmbeddedRedis keeps the port it had

    def signal(self, sig):
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, sig)

    def stop(self):
        self.signal(signal.SIGCONT)  # a stopped process would not see SIGTERM
        super().stop()


class Caller(threading.Thread):
    """One caller: calls again and again until the deadline, random keys each time."""

    def __init__(self, base, number, tally, until, seed):
        super().__init__(daemon=True, name=f"caller-{number}")
        self.base, self.tally, self.until = base, tally, until
        self.caller = self.number(number)
        self.random = random.Random(seed)

    @staticmethod
    def number(i):
        return f"+3161{i:07d}"

    def keys(self):
        presses = iter(range(MAX_PRESSES))

        def next_keys():
            if time.monotonic() > self.until or next(presses, None) is None:
                return None
            return self.random.choice(KEYS)

        return next_keys

    def run(self):
        session = self.tally.session()
        while time.monotonic() < self.until:
            call = simulator.Call(base_url=self.base, caller=self.caller, token=TOKEN, session=session, timeout=10)
            events, began = [], time.monotonic()
            try:
                simulator.run(call, self.keys(), events.append)
            except simulator.CallError as exc:
                self.tally.call_failed(exc, began, time.monotonic())
                continue
            self.tally.call_ended(events, began, time.monotonic())


class Faults(threading.Thread):
    """The faults, each at its share of the run: Redis killed, restarted, frozen,
    thawed; a worker killed."""

    def __init__(self, redis, server, started, seconds, tally):
        super().__init__(daemon=True, name="faults")
        self.redis, self.server, self.tally = redis, server, tally
        freeze = min(5.0, seconds / 6)
        self.plan = [
            (0.15 * seconds, "Redis killed (SIGKILL)", lambda: self.redis.signal(signal.SIGKILL)),
            (0.15 * seconds + freeze, "Redis started again, empty", self.restart_redis),
            (0.45 * seconds, f"Redis frozen (SIGSTOP) for {freeze:.0f} s", lambda: self.redis.signal(signal.SIGSTOP)),
            (0.45 * seconds + freeze, "Redis thawed (SIGCONT)", lambda: self.redis.signal(signal.SIGCONT)),
            (0.70 * seconds, "a web worker killed (SIGKILL)", self.kill_worker),
        ]
        self.started = started
        self.stop = threading.Event()

    def restart_redis(self):
        self.redis.process.wait(5)
        self.redis.restart()

    def kill_worker(self):
        workers = procfile.worker_pids(self.server)
        if not workers:
            return "no worker found"
        self.tally.killed()
        os.kill(workers[0], signal.SIGKILL)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            now = procfile.worker_pids(self.server)
            if len(now) >= len(workers) and workers[0] not in now:
                return f"worker {workers[0]} killed; the master started {set(now) - set(workers)}"
            time.sleep(0.1)
        return f"worker {workers[0]} killed; NOT replaced within 15 s"

    def run(self):
        for at, what, act in self.plan:
            if self.stop.wait(max(0.0, self.started + at - time.monotonic())):
                return
            self.tally.phase(what)
            outcome = act()
            self.tally.fault(at, outcome if isinstance(outcome, str) else what)


def build_audio(audio_dir, log):
    from ..audio.build import build
    from ..audio.store import AudioStore
    from ..content import load_content

    settings = {**config.DEFAULTS, "AUDIO_DIR": str(audio_dir), "AUDIO_ENGINES": ENGINES}
    report = build(load_content(settings), AudioStore(audio_dir), settings, progress=False, log=lambda *_: None)
    log(f"audio: {report.synthesised} made, {len(report.manifest)} ready in {audio_dir}")


def memory_sampler(server, tally, stop):
    """The workers' peak resident memory (VmHWM), sampled while they live (a killed
    worker's peak counts too)."""
    while not stop.wait(0.5):
        for pid in procfile.worker_pids(server):
            tally.memory(pid, peak_rss_mb(pid))


def peak_rss_mb(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def soak(opts, log=print):
    work = Path(opts.dir)
    audio_dir = Path(opts.audio_dir) if opts.audio_dir else work / "audio"
    build_audio(audio_dir, log)
    tally = Tally()
    log_path = work / "web.log"  # the web process's access and error log, kept to read after
    with Redis(work / "redis", persist=False) as redis_server:
        port = portpicker.pick_unused_port()
        base = f"http://127.0.0.1:{port}"
        env = {"TWILIO_AUTH_TOKEN": TOKEN, "SECRET_KEY": secrets.token_hex(32), "PUBLIC_BASE_URL": base, "REDIS_URL": redis_server.url,
               "AUDIO_DIR": str(audio_dir), "AUDIO_ENGINES": ENGINES, "AUDIO_ENABLED": "1",
               "WEB_CONCURRENCY": str(opts.workers), "IVR_DEVELOPMENT": "0"}
        with open(log_path, "wb") as web_log, procfile.serve(env, log=web_log, port=port) as server:
            log(f"soak: {opts.callers} callers for {opts.seconds:g} s against the Procfile's web process "
                f"({opts.workers} workers) at {base}, Redis {redis_server.url}"
                + ("" if opts.faults else ", no faults"))
            started = time.monotonic()
            until = started + opts.seconds
            tally.start(started)
            stop = threading.Event()
            threads = [Caller(base, i, tally, until, opts.seed + i) for i in range(opts.callers)]
            if opts.faults:
                threads.append(Faults(redis_server, server, started, opts.seconds, tally))
            threads.append(threading.Thread(target=memory_sampler, args=(server, tally, stop), daemon=True))
            for thread in threads:
                thread.start()
            try:
                last = until + 15  # a call's last requests time out in 10 s
                for thread in threads[: opts.callers]:
                    thread.join(max(0.0, last - time.monotonic()))
            finally:
                stop.set()
                for thread in threads[opts.callers:]:
                    if isinstance(thread, Faults):
                        thread.stop.set()
                served = log_path.stat().st_size  # what it logged while serving, not while stopping
        callers = {Caller.number(i) for i in range(opts.callers)}
        text = log_path.read_bytes()
        tally.read_log(text.decode(errors="replace"), callers, text[:served].decode(errors="replace"))
    log(f"web log    {log_path}")
    return report(tally, log)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m ivr.dev.soak", description=__doc__.splitlines()[0])
    parser.add_argument("--callers", type=int, default=20, help="simultaneous callers")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long they call")
    parser.add_argument("--workers", type=int, default=2, help="web workers (WEB_CONCURRENCY)")
    parser.add_argument("--no-faults", dest="faults", action="store_false", help="call only; break nothing")
    parser.add_argument("--seed", type=int, default=7, help="the callers' random keys")
    parser.add_argument("--dir", default=str(config.ROOT / "instance" / "soak"), help="where Redis and the audio live")
    parser.add_argument("--audio-dir", default=None, help="built audio to use (default: built under --dir)")
    opts = parser.parse_args(argv)
    with stopped_by_signals():
        return 0 if soak(opts) else 1
    return 1  # stopped by a signal


if __name__ == "__main__":
    sys.exit(main())
