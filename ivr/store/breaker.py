"""Redis behind a circuit breaker, so that a Redis in trouble costs a caller at most once.

A Redis that refuses connections, resets them, or is frozen (it accepts and never
answers, so only the socket timeout ends the wait) is noticed by the first call that
meets it. From then on every call skips Redis at once (the caller falls back to the
disk), and a background PING, every RETRY_SECONDS, finds out when it answers again:
no request ever waits on a Redis that is known to be down, however long it stays so.
"""
import logging
import threading
import time

import redis

log = logging.getLogger(__name__)

RETRY_SECONDS = 5  # while Redis is down, how often a background PING tries it again
# Any error from Redis: refused or reset (ConnectionError, OSError), frozen
# (TimeoutError), loading, a Cluster with no node or slot answering (its client's
# RedisClusterException is no RedisError), and also an error reply (a full Redis
# refusing writes): none may reach a caller as a 500.
ERRORS = (redis.exceptions.RedisError, redis.exceptions.RedisClusterException, OSError)


class Breaker:
    def __init__(self, client=None, connect=None):
        """`connect`, when given, makes the client on first use, so a worker starts
        even while Redis (a whole Cluster, say) is unreachable."""
        self._client = client
        self._connect = connect
        self._lock = threading.Lock()
        self._open = False
        self._retry_at = 0.0
        self._probing = False

    @property
    def is_open(self):
        return self._open

    def client(self):
        """The Redis client, or None while Redis is down (the breaker is open) or unset."""
        if self._open:
            self._probe_when_due()
            return None
        if self._client is None and self._connect is not None:
            try:
                with self._lock:
                    if self._client is None:
                        self._client = self._connect()
            except ERRORS as exc:
                self.failed(exc)
                return None
        return self._client

    def call(self, action, default=None):
        """`action(client)`, or `default` when Redis is down or fails now (which opens the breaker)."""
        client = self.client()
        if client is None:
            return default
        try:
            return action(client)
        except ERRORS as exc:
            self.failed(exc)
            return default

    def failed(self, exc):
        """Open the breaker (said once per outage)."""
        with self._lock:
            if self._open:
                return
            self._open = True
            self._retry_at = time.monotonic() + RETRY_SECONDS
        log.warning("Redis is unavailable (%s): skipped until it answers again", exc)

    def _probe_when_due(self):
        if time.monotonic() < self._retry_at:
            return
        with self._lock:
            if self._probing or not self._open:
                return
            self._probing = True
        threading.Thread(target=self._probe, daemon=True, name="redis-probe").start()

    def _probe(self):
        try:
            client = self._client or self._connect()
            client.ping()
        except Exception:  # noqa: BLE001 - whatever it says, Redis is not back yet
            with self._lock:
                self._retry_at = time.monotonic() + RETRY_SECONDS
                self._probing = False
            return
        with self._lock:
            self._client = client
            self._open = False
            self._probing = False
        log.warning("Redis answers again")
