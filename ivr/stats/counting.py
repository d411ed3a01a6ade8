"""Counting on the calls' path without waiting on Redis: a webhook adds its counts to
the worker's batch in memory, and a background thread writes the batch every
FLUSH_SECONDS in one Redis pipeline, through the audio store's circuit breaker, so a
Redis that is down or frozen never slows a call (counting simply pauses; a batch that
cannot be written is dropped). Never a phone number: unique callers are a HyperLogLog
of the keyed hash of the number (none without CALLER_HASH_KEY).
"""
import os
import threading
import time
from collections import Counter as Tally
from datetime import datetime, timezone

from ..store import keys

CALL_SECONDS = 4 * 3600  # how long a call's last place is kept for its status callback
MONTH_DAYS = 100  # a month's unique callers outlive the month for a while
FLUSH_SECONDS = 1.0  # how often a worker writes its counts to Redis


def utc_now():
    return datetime.now(timezone.utc)


class Batch:
    """Counts not yet written: by day, counters, heard answers, callers; calls' places."""

    def __init__(self):
        self.counts, self.heard, self.callers, self.places = {}, {}, {}, {}

    def __bool__(self):
        return bool(self.counts or self.heard or self.callers or self.places)

    def write(self, client, day_seconds):
        """One pipeline: every count of the batch (an answer heard twice in one call
        is one member of the day's set, so it counts once)."""
        pipe = client.pipeline(transaction=False)
        for day, tally in self.counts.items():
            for name, amount in tally.items():
                pipe.hincrby(keys.stats_day(day), name, amount)
            pipe.expire(keys.stats_day(day), day_seconds)
        for day, members in self.heard.items():
            pipe.sadd(keys.stats_heard(day), *members)
            pipe.expire(keys.stats_heard(day), day_seconds)
        for (day, month), hashes in self.callers.items():
            for key, seconds in ((keys.stats_callers_day(day), day_seconds),
                                 (keys.stats_callers_month(month), MONTH_DAYS * 86400)):
                pipe.pfadd(key, *hashes)
                pipe.expire(key, seconds)
        for sid, place in self.places.items():
            pipe.set(keys.stats_call(sid), place, ex=CALL_SECONDS)
        pipe.execute()


class Counter:
    def __init__(self, settings, breaker, clock=utc_now, flush_seconds=FLUSH_SECONDS):
        self.enabled = bool(settings.get("STATS_ENABLED", True))
        self.day_seconds = int(settings.get("STATS_REDIS_DAYS", 40)) * 86400
        self.breaker = breaker
        self.clock = clock
        self.flush_seconds = flush_seconds
        self._lock = threading.Lock()
        self._batch = Batch()
        self._writer_pid = None  # the process whose writer thread runs (a forked worker starts its own)

    def _send(self, fields=(), call=None, callers=None, amounts=None, heard=None):
        """Into the batch: +1 for each field of today's hash (+n for `amounts`), the
        call's last place, the caller's hash for today's and this month's HyperLogLog."""
        if not self.enabled:
            return
        now = self.clock()
        day, month = now.strftime("%Y-%m-%d"), now.strftime("%Y-%m")
        with self._lock:
            batch = self._batch
            tally = batch.counts.setdefault(day, Tally())
            tally.update(fields)
            tally.update(amounts or {})
            if heard:
                batch.heard.setdefault(day, set()).add(heard)
            if callers:
                batch.callers.setdefault((day, month), set()).add(callers)
            if call:
                batch.places[call[0]] = call[1]
            if self._writer_pid != os.getpid():
                self._writer_pid = os.getpid()
                threading.Thread(target=self._write_forever, daemon=True, name="stats-writer").start()

    def _write_forever(self):
        while True:
            time.sleep(self.flush_seconds)
            self.flush()

    def flush(self):
        """Write the batch to Redis now (dropped when Redis cannot take it)."""
        with self._lock:
            batch, self._batch = self._batch, Batch()
        if batch:
            self.breaker.call(lambda client: batch.write(client, self.day_seconds))

    def add(self, *names):
        """+1 today for each counter name (a later feature's counters come this way)."""
        self._send(names)

    def incoming(self, hashed, language=None):
        """A call begins: counted, by hour, by remembered language, and as a caller
        (`hashed`: the keyed hash of the number, ivr.store.callers; never the number)."""
        fields = ["calls", f"hour:{self.clock().hour:02d}"] + ([f"lang:{language}"] if language else [])
        self._send(fields, callers=hashed)

    def node(self, sid, node_id, fields, last_part):
        """A node's webhook: its counters, and the call's last place (for a hang-up)."""
        self._send(fields, call=(sid, f"{node_id}|{int(last_part)}") if sid else None)

    def key(self, sid, node_id, heard, wrong):
        """A key at a node: an answer heard to its end (once a call), a wrong key."""
        self._send([f"wrong:{node_id}"] if wrong else [], heard=f"{node_id}|{sid}" if heard and sid else None)

    def status(self, sid, completed, duration):
        """The status callback (after the call, so off the caller's path): a hang-up at
        the call's last node, heard to its end when that was an answer's last part."""
        if not self.enabled or not completed:
            return
        self.flush()  # this worker's own last place of the call, if it holds it
        last = self.breaker.call(lambda client: client.getdel(keys.stats_call(sid))) if sid else None
        fields, heard = [], None
        if last:
            node_id, _, at_end = last.decode().partition("|")
            fields.append(f"hangup:{node_id}")
            heard = f"{node_id}|{sid}" if at_end == "1" else None
        amounts = None
        if duration is not None:
            fields.append("durations")
            amounts = {"duration_seconds": int(duration)}
        self._send(fields, amounts=amounts, heard=heard)
