"""Counting on the calls' path: at most one Redis pipeline round trip per webhook,
through the audio store's circuit breaker, so a Redis that is down or frozen never
slows a call (counting simply pauses). Never a phone number: unique callers are a
HyperLogLog of the keyed hash of the number (none without CALLER_HASH_KEY).
"""
from datetime import datetime, timezone

from ..store import keys
from ..store.callers import caller_hash

CALL_SECONDS = 4 * 3600  # how long a call's last place is kept for its status callback
MONTH_DAYS = 100  # a month's unique callers outlive the month for a while


def utc_now():
    return datetime.now(timezone.utc)


class Counter:
    def __init__(self, settings, breaker, clock=utc_now):
        self.enabled = bool(settings.get("STATS_ENABLED", True))
        self.secret = settings.get("CALLER_HASH_KEY", "")
        self.day_seconds = int(settings.get("STATS_REDIS_DAYS", 40)) * 86400
        self.breaker = breaker
        self.clock = clock

    def _send(self, fields=(), call=None, callers=None, amounts=None, heard=None):
        """One pipeline: +1 for each field of today's hash (+n for `amounts`), the
        call's last place, the caller's hash into today's and this month's HyperLogLog."""
        if not self.enabled:
            return
        now = self.clock()
        day, month = now.strftime("%Y-%m-%d"), now.strftime("%Y-%m")

        def action(client):
            pipe = client.pipeline(transaction=False)
            if fields or amounts:
                key = keys.stats_day(day)
                for name in fields:
                    pipe.hincrby(key, name, 1)
                for name, amount in (amounts or {}).items():
                    pipe.hincrby(key, name, amount)
                pipe.expire(key, self.day_seconds)
            if heard:  # a set of "<node>|<CallSid>": an answer heard twice in one call counts once
                key = keys.stats_heard(day)
                pipe.sadd(key, heard)
                pipe.expire(key, self.day_seconds)
            if call:
                pipe.set(keys.stats_call(call[0]), call[1], ex=CALL_SECONDS)
            if callers:
                for key, seconds in ((keys.stats_callers_day(day), self.day_seconds),
                                     (keys.stats_callers_month(month), MONTH_DAYS * 86400)):
                    pipe.pfadd(key, callers)
                    pipe.expire(key, seconds)
            pipe.execute()

        self.breaker.call(action)

    def add(self, *names):
        """+1 today for each counter name (a later feature's counters come this way)."""
        self._send(names)

    def incoming(self, number, language=None):
        """A call begins: counted, by hour, by remembered language, and as a caller."""
        hashed = caller_hash(self.secret, number) if self.enabled else None
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
