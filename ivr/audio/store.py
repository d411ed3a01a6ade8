"""The audio store: on disk in audio/ (the durable copy) and in Redis (what the web
workers read). Files are named by content key, so a key's bytes never change.
Hand-written, as no library fits: it is a two-tier store with digest checks and a
circuit breaker, over one small Redis vocabulary (GET, SET, a manifest hash).

The manifest says, for every utterance in every language, which key to play, what
text it says, which engine made it, and the SHA-256 of its bytes, so a corrupt file
is never served. A Redis that has gone away is skipped for a while: audio then
comes from disk and calls go on.
"""
import hashlib
import json
import logging
import os
import re
import tempfile
import threading
import time
from pathlib import Path

import redis
from cachetools import LRUCache

from ..store import keys
from . import encoding

log = logging.getLogger(__name__)

KEY_PATTERN = re.compile(r"^[0-9a-f]{32}$")
MANIFEST_FILE = "manifest.json"
REDIS_RETRY_SECONDS = 5  # after a Redis error, use the disk alone this long
# A Redis Cluster client raises its own: RedisClusterException when no node answers,
# ClusterDownError (a ClusterError) while slots are not served.
REDIS_ERRORS = (
    redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, redis.exceptions.BusyLoadingError,
    redis.exceptions.ClusterError, redis.exceptions.RedisClusterException, OSError,
)


class MemoryCache:
    """The most played audio in this worker, bounded in bytes (an LRU cache that
    several request threads share, hence the lock)."""

    def __init__(self, budget):
        self.budget = budget
        self.items = LRUCache(maxsize=max(budget, 1), getsizeof=len)
        self.lock = threading.Lock()

    @property
    def used(self):
        return self.items.currsize

    def __contains__(self, key):
        return key in self.items

    def get(self, key):
        with self.lock:
            return self.items.get(key)

    def put(self, key, data):
        if len(data) > self.budget:
            return
        with self.lock:
            self.items[key] = data


def content_key(**inputs):
    """The content address: a hash of everything that decides the audio."""
    blob = json.dumps(inputs, sort_keys=True, ensure_ascii=False, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:32]


def digest(data):
    return hashlib.sha256(data).hexdigest()


def _write_atomically(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class AudioStore:
    def __init__(self, directory, redis_client=None, connect=None, memory_bytes=0):
        """`connect`, when given, makes the Redis client on first use, so a worker
        starts even while Redis (a whole Cluster, say) is unreachable. `memory_bytes`
        keeps that much of the most played audio in the worker itself: a key's bytes
        never change, so it can never be stale."""
        self.directory = Path(directory)
        self.memory = MemoryCache(memory_bytes)
        self.redis = redis_client
        self._connect = connect
        self._redis_down_until = 0.0
        self._lock = threading.Lock()

    # -- Redis, best effort ---------------------------------------------------
    def client(self):
        """The Redis client, or None while Redis is down (the breaker is open) or unset."""
        if time.monotonic() < self._redis_down_until:
            return None
        if self.redis is None and self._connect is not None:
            with self._lock:
                if self.redis is None:
                    try:
                        self.redis = self._connect()
                    except REDIS_ERRORS as exc:
                        self._redis_failed(exc)
                        return None
        return self.redis

    def _redis_failed(self, exc):
        log.warning("Redis is unavailable (%s); serving audio from disk for %ss", exc, REDIS_RETRY_SECONDS)
        self._redis_down_until = time.monotonic() + REDIS_RETRY_SECONDS

    # -- audio files ------------------------------------------------------------
    def path(self, key):
        if not KEY_PATTERN.match(key or ""):
            raise ValueError(f"not an audio key: {key!r}")
        return self.directory / f"{key}.{encoding.EXTENSION}"

    def read_disk(self, key, expected_digest=None):
        """The bytes on disk, or None when missing or not what the manifest says."""
        try:
            data = self.path(key).read_bytes()
        except (FileNotFoundError, ValueError):
            return None
        if expected_digest and digest(data) != expected_digest:
            log.error("audio %s on disk is corrupt: not served", key)
            return None
        return data

    def put(self, key, data):
        _write_atomically(self.path(key), data)
        client = self.client()
        if client is not None:
            try:
                client.set(keys.audio(key), data)
            except REDIS_ERRORS as exc:
                self._redis_failed(exc)

    def get(self, key, expected_digest=None):
        """Audio bytes: from this worker's memory, else Redis, else disk (and put
        back into Redis). Only bytes that match the expected digest are returned."""
        data = self.memory.get(key)
        if data is None:
            data = self._fetch(key, expected_digest)
            if data is not None:
                self.memory.put(key, data)
        return data

    def _fetch(self, key, expected_digest):
        client = self.client()
        if client is not None:
            try:
                data = client.get(keys.audio(key))
                if data is not None and (expected_digest is None or digest(data) == expected_digest):
                    return data
            except REDIS_ERRORS as exc:
                self._redis_failed(exc)
                client = None
        data = self.read_disk(key, expected_digest)
        if data is not None and client is not None:
            try:
                client.set(keys.audio(key), data)
            except REDIS_ERRORS as exc:
                self._redis_failed(exc)
        return data

    # -- the manifest ------------------------------------------------------------
    def load_manifest(self):
        """The manifest from disk; a host without it (a new worker) reads Redis's copy."""
        try:
            return json.loads((self.directory / MANIFEST_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return self._redis_manifest()
        except (json.JSONDecodeError, UnicodeDecodeError):
            log.error("audio/%s is unreadable: treating as empty", MANIFEST_FILE)
            return {}

    def _redis_manifest(self):
        client = self.client()
        if client is None:
            return {}
        try:
            raw = client.hgetall(keys.AUDIO_MANIFEST)
        except REDIS_ERRORS as exc:
            self._redis_failed(exc)
            return {}
        return {k.decode(): json.loads(v) for k, v in raw.items()}

    def manifest_mtime(self):
        try:
            return (self.directory / MANIFEST_FILE).stat().st_mtime_ns
        except FileNotFoundError:
            return 0

    def save_manifest(self, manifest):
        data = json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=0).encode("utf-8")
        _write_atomically(self.directory / MANIFEST_FILE, data)
        client = self.client()
        if client is not None:
            try:
                pipe = client.pipeline(transaction=False)
                pipe.delete(keys.AUDIO_MANIFEST)
                if manifest:
                    pipe.hset(keys.AUDIO_MANIFEST, mapping={k: json.dumps(v) for k, v in manifest.items()})
                pipe.incr(keys.AUDIO_MANIFEST_VERSION)
                pipe.execute()
            except REDIS_ERRORS as exc:
                self._redis_failed(exc)

    def warm(self, manifest, batch=200):
        """Copy into Redis the audio it lacks, from disk. One worker at a time does it.
        Returns how many files were copied (0 when another worker holds the lock)."""
        client = self.client()
        if client is None:
            return 0
        try:
            if not client.set(keys.AUDIO_WARM_LOCK, str(os.getpid()), nx=True, ex=120):
                return 0
            wanted = sorted({entry["key"]: entry.get("digest") for entry in manifest.values()}.items())
            copied = 0
            for start in range(0, len(wanted), batch):
                part = wanted[start : start + batch]
                present = client.exists(*[keys.audio(k) for k, _ in part]) if part else 0
                if present == len(part):
                    continue
                pipe = client.pipeline(transaction=False)
                for key, expected in part:
                    data = self.read_disk(key, expected)
                    if data is not None:
                        pipe.set(keys.audio(key), data, nx=True)
                        copied += 1
                pipe.execute()
            client.delete(keys.AUDIO_WARM_LOCK)
            return copied
        except REDIS_ERRORS as exc:
            self._redis_failed(exc)
            return 0
