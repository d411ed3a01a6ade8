"""The audio store: on disk in audio/ (this host's durable copy) and in Redis (what
every host's web workers read). Files are named by content key, so a key's bytes
never change. Hand-written, as no library fits: it is a two-tier store with digest
checks behind a circuit breaker, over one small Redis vocabulary (GET, SET, a hash).

The manifest says, for every utterance in every language, which key to play, what
text it says, which engine made it, and the SHA-256 of its bytes, so a corrupt file
is never served. Redis holds everything a host needs to play the current build (the
manifest, its version, every file), so a host needs nothing on its disk; a host's
disk copy fills Redis again when it comes back empty. Every Redis call goes through
the breaker (ivr.store.breaker): a Redis that is gone or frozen costs one timeout,
then audio comes from disk and calls go on.
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

from ..store import keys
from ..store.breaker import Breaker
from . import encoding
from .memory import MemoryCache

log = logging.getLogger(__name__)

KEY_PATTERN = re.compile(r"^[0-9a-f]{32}$")
MANIFEST_FILE = "manifest.json"
# Audio and the manifest are public: a web process running as another user reads them.
FILE_MODE = 0o644
BATCH = 200  # keys per Redis round trip when warming the whole build
CHECK_BATCH = 20  # keys read and hashed between two rests when checking it (a millisecond or two)
MAX_REST = 0.05  # seconds: the longest rest between two batches of background work
UNAVAILABLE = object()  # what manifest_version() says when Redis cannot be asked


def content_key(**inputs):
    """The content address: a hash of everything that decides the audio."""
    blob = json.dumps(inputs, sort_keys=True, ensure_ascii=False, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:32]


def digest(data):
    return hashlib.sha256(data).hexdigest()


def manifest_version(manifest):
    """A build's identity in Redis: the SHA-256 of its manifest."""
    return digest(json.dumps(manifest, ensure_ascii=False, sort_keys=True).encode("utf-8"))


def _text(value):
    return value.decode() if isinstance(value, bytes) else value


def _write_atomically(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        os.fchmod(handle, FILE_MODE)  # mkstemp makes it 0600
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
        self.breaker = Breaker(redis_client, connect)
        self._warming = threading.Lock()  # one warm at a time in this worker

    def client(self):
        """The Redis client, or None while Redis is down (the breaker is open) or unset."""
        return self.breaker.client()

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
            return None
        return data

    def put(self, key, data):
        _write_atomically(self.path(key), data)
        self.breaker.call(lambda r: r.set(keys.audio(key), data))

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
        data = self.breaker.call(lambda r: r.get(keys.audio(key)))
        if data is not None and (expected_digest is None or digest(data) == expected_digest):
            return data
        data = self.read_disk(key, expected_digest)
        if data is not None:  # Redis lacks it or holds a bad copy: this one is whole
            self.breaker.call(lambda r: r.set(keys.audio(key), data))
        return data

    def restore_disk(self, key, expected_digest):
        """Copy a key from Redis to this host's disk (a build on a host that has not
        got the last build's files). Whether the disk now holds it whole."""
        data = self.breaker.call(lambda r: r.get(keys.audio(key)))
        if data is None or digest(data) != expected_digest:
            return False
        _write_atomically(self.path(key), data)
        return True

    def unservable(self, wanted, batch=CHECK_BATCH):
        """The keys of `wanted` (key -> digest) that no tier can serve whole now:
        not in this worker's memory, not in Redis, not on disk."""
        items = [(key, expected) for key, expected in wanted.items() if key not in self.memory]
        bad = set()
        began = time.perf_counter()
        for start in range(0, len(items), batch):
            began = rest(began)
            part = items[start : start + batch]
            found = self.breaker.call(lambda r: _get_many(r, [k for k, _ in part])) or [None] * len(part)
            for (key, expected), data in zip(part, found):
                if (data is None or digest(data) != expected) and self.read_disk(key, expected) is None:
                    bad.add(key)
        return bad

    # -- the manifest: this host's disk copy and every host's in Redis ------------
    def disk_manifest(self):
        """The manifest on this host's disk, or None when it has none it can read."""
        try:
            return json.loads((self.directory / MANIFEST_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (json.JSONDecodeError, UnicodeDecodeError):
            log.error("audio/%s is unreadable: ignored", MANIFEST_FILE)
            return None

    def redis_manifest(self):
        """(version, entries) of the build Redis holds; None when it holds none or is down."""
        def read(client):
            return client.get(keys.AUDIO_MANIFEST_VERSION), client.hgetall(keys.AUDIO_MANIFEST)

        found = self.breaker.call(read)
        if found is None or (found[0] is None and not found[1]):
            return None
        try:
            return _text(found[0]), {_text(k): json.loads(v) for k, v in found[1].items()}
        except (ValueError, UnicodeDecodeError):
            log.error("the manifest in Redis is unreadable: ignored")
            return None

    def manifest_version(self):
        """The version of the build Redis holds: None when it holds none (a Redis
        restarted empty), UNAVAILABLE when Redis cannot be asked."""
        return self.breaker.call(lambda r: _text(r.get(keys.AUDIO_MANIFEST_VERSION)), UNAVAILABLE)

    def load_manifest(self):
        """This host's manifest, else Redis's, else none (what a build starts from)."""
        found = self.disk_manifest()
        if found is None:
            found = (self.redis_manifest() or (None, {}))[1]
        return found

    def manifest_mtime(self):
        try:
            return (self.directory / MANIFEST_FILE).stat().st_mtime_ns
        except FileNotFoundError:
            return 0

    def save_manifest(self, manifest):
        data = json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=0).encode("utf-8")
        _write_atomically(self.directory / MANIFEST_FILE, data)
        self.publish_manifest(manifest)

    def publish_manifest(self, manifest, only_if_absent=False):
        """Put `manifest` in Redis for every host: the entries first, the version last,
        so a worker that sees the new version finds the whole manifest (the hash is
        never emptied on the way). Returns the version, or None when not written."""
        version = manifest_version(manifest)

        def write(client):
            if only_if_absent and client.exists(keys.AUDIO_MANIFEST_VERSION, keys.AUDIO_MANIFEST):
                return None  # (a build may be writing it)
            stale = {_text(k) for k in client.hkeys(keys.AUDIO_MANIFEST)} - set(manifest)
            pipe = client.pipeline(transaction=False)
            if manifest:
                pipe.hset(keys.AUDIO_MANIFEST, mapping={k: json.dumps(v) for k, v in manifest.items()})
            if stale:
                pipe.hdel(keys.AUDIO_MANIFEST, *stale)
            pipe.execute()
            client.set(keys.AUDIO_MANIFEST_VERSION, version)
            return version

        return self.breaker.call(write)

    # -- filling an empty Redis from this host's disk ------------------------------
    def warm(self, manifest, batch=BATCH):
        """Copy into Redis what it lacks from this host's disk: the manifest when it
        has none, and the audio files. One worker at a time does it. Returns how many
        files were copied (0 when another worker holds the lock)."""
        return self.breaker.call(lambda client: self._warm(client, manifest, batch), 0)

    def _warm(self, client, manifest, batch):
        if not client.set(keys.AUDIO_WARM_LOCK, str(os.getpid()), nx=True, ex=120):
            return 0
        if manifest:
            self.publish_manifest(manifest, only_if_absent=True)
        wanted = sorted({entry["key"]: entry.get("digest") for entry in manifest.values()}.items())
        copied, began = 0, time.perf_counter()
        for start in range(0, len(wanted), batch):
            began = rest(began)
            part = wanted[start : start + batch]
            if client.exists(*[keys.audio(k) for k, _ in part]) == len(part):
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

    def warm_in_background(self, manifest):
        """warm() in a thread, unless this worker is warming already; the thread or None."""
        if not self._warming.acquire(blocking=False):
            return None

        def run():
            try:
                self.warm(manifest)
            finally:
                self._warming.release()

        thread = threading.Thread(target=run, daemon=True, name="audio-warm")
        thread.start()
        return thread


def rest(since):
    """Between two batches of background work (checking or copying a build): rest as long
    as the batch took, so it takes at most half of a worker busy with calls (under gevent
    the sleep lets requests run; hashing never yields). When the next batch begins."""
    time.sleep(min(time.perf_counter() - since, MAX_REST))
    return time.perf_counter()


def _get_many(client, names):
    """GET of many audio keys in one round trip (a pipeline: MGET cannot cross Cluster slots)."""
    pipe = client.pipeline(transaction=False)
    for name in names:
        pipe.get(keys.audio(name))
    return pipe.execute()
