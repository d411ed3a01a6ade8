"""The current build, as a web worker sees it: for every utterance in every language,
the audio key to play when its text is still the one in the catalogue.

A language is complete when every utterance it can say has current audio. Where the
build comes from: Redis holds the one every host plays (the manifest and its version),
a host's audio/ is only a durable copy. A worker loads Redis's build when it has one,
else its disk's, and looks again every few seconds (`refresh`): a new version in Redis
(a build anywhere) or a new file on disk (a build on this host) is loaded without a
restart; `generation` changes with every load so TwiML made from the old build is not
reused. A serving worker (`serve_in_background`) also refills a Redis that lost the
build (restarted empty) from its disk copy.

Audio that no tier can serve whole (a corrupt or missing file) is `bad`: the line
speaks those prompts with <Say> rather than <Play> a URL that answers 404, logs each,
and checks them again every few seconds. A key turns bad when the audio route cannot
serve it, or when a serving worker checks a build it loads (in a background thread:
the TwiML path reads no file).
"""
import logging
import threading
import time
from collections import defaultdict

from ..content import registry
from .store import UNAVAILABLE

log = logging.getLogger(__name__)

REFRESH_SECONDS = 5  # how often a worker looks for a newer manifest and re-checks bad audio
EVERY_KEY = "every key"  # a check of the whole build


class Manifest:
    def __init__(self, content, store):
        self.content = content
        self.store = store
        self.background = False  # a serving web process: checks and refills Redis by itself
        self._lock = threading.RLock()
        self._checked = 0.0
        self._mtime = None  # the disk manifest's, when last looked at
        self._version = None  # Redis's, when last looked at
        self._pending = None  # keys waiting for a check in the background
        self._checker = None
        self.generation = 0
        self.bad = frozenset()  # keys whose audio cannot be served now
        self.load()

    # -- which build -------------------------------------------------------------
    def load(self):
        """Load Redis's build, else this host's disk copy."""
        with self._lock:
            found = self.store.redis_manifest()
            if found is not None:
                self._version, entries = found
            else:
                entries = self.store.disk_manifest() or {}
            self._use(entries)

    def _use(self, entries):
        current, missing, planned = {}, defaultdict(list), defaultdict(int)
        for item in registry.items(self.content):
            planned[item.lang] += 1
            entry = entries.get(item.id)
            if entry and entry.get("text") == item.text:
                current[item.id] = entry["key"]
            else:
                missing[item.lang].append(item.id)
        # A prompt a catalogue lacks has no audio either: that language is incomplete.
        used = registry.used_prompts(self.content)
        for lang, catalogue in self.content.catalogues.items():
            for prompt in used:
                if not catalogue.has(prompt):
                    planned[lang] += 1
                    missing[lang].append(f"{lang}|{prompt}|")
        self.entries = entries  # utterance id -> entry, whatever its text
        self.current = current  # utterance id -> key, for audio whose text is current
        self.missing = {lang: sorted(ids) for lang, ids in missing.items()}
        self.planned_counts = dict(planned)
        self.digests = {entry["key"]: entry.get("digest") for entry in entries.values()}
        self.texts = {entry["key"]: entry.get("text", "") for entry in entries.values()}
        self.by_key = {entry["key"]: entry for entry in entries.values()}  # engine, seconds: for the web phone
        self._mtime = self.store.manifest_mtime()
        self.bad = frozenset(key for key in self.bad if key in self.digests)
        self.generation += 1
        if self.background:
            self._check_later(EVERY_KEY)

    @property
    def manifest(self):
        """The entries by utterance id (the content check reads their seconds)."""
        return self.entries

    def refresh(self, force=False):
        """Pick up a new build without a restart: looked for at most every few seconds,
        or now when `force`d (the audio route, before it answers 404). Whether a new
        build was loaded."""
        now = time.monotonic()
        if not force and now - self._checked < REFRESH_SECONDS:
            return False
        with self._lock:
            if not force and now - self._checked < REFRESH_SECONDS:
                return False
            self._checked = now
            loaded = self._look()
        if self.bad and not force:
            self._check_later(self.bad)
        return loaded

    def _look(self):
        version = self.store.manifest_version()  # through the breaker: a frozen Redis is skipped
        if version not in (UNAVAILABLE, None) and version != self._version:
            found = self.store.redis_manifest()
            if found is not None:
                self._version, entries = found
                self._use(entries)
                return True
        if self.store.manifest_mtime() != self._mtime:
            entries = self.store.disk_manifest()
            if entries is not None:  # a file that went away leaves the build in memory
                self._use(entries)
                return True
            self._mtime = self.store.manifest_mtime()
        if version is None and self.background and self.entries and self._mtime:
            # Redis answers but lost the build (restarted empty): this host's copy refills it.
            self.store.warm_in_background(self.entries)
        return False

    def serve_in_background(self):
        """From now on (a serving web process), check every build's audio when it is
        loaded, and refill a Redis that lost the build. Checks this one now."""
        self.background = True
        self._check_later(EVERY_KEY)

    # -- what a worker's lookups need ------------------------------------------------
    def complete(self, lang):
        return lang in self.planned_counts and not self.missing.get(lang)

    def covered(self, lang):
        return self.planned_counts.get(lang, 0) - len(self.missing.get(lang, []))

    def digest(self, key):
        """The SHA-256 the build recorded for a key, or None for a key it never made."""
        return self.digests.get(key)

    def items_of(self, keys):
        """The utterance ids that play any of `keys`."""
        return sorted(item_id for item_id, entry in self.entries.items() if entry["key"] in keys)

    # -- audio that cannot be served -------------------------------------------------
    def check_audio(self, keys=None):
        """Which of `keys` (default: every key of the build) no tier can serve now;
        those become bad, the others good. Reads every file: never on a request."""
        digests = self.digests
        wanted = {key: digests[key] for key in (digests if keys is None else keys) if key in digests}
        found = self.store.unservable(wanted)
        with self._lock:
            if digests is self.digests:  # else a new build came meanwhile: its own check follows
                self._set_bad((self.bad - set(wanted)) | found)
        return found

    def mark_bad(self, key):
        with self._lock:
            self._set_bad(self.bad | {key})

    def mark_good(self, key):
        with self._lock:
            self._set_bad(self.bad - {key})

    def _set_bad(self, bad):
        bad = frozenset(key for key in bad if key in self.digests)
        if bad == self.bad:
            return
        turned, healed = sorted(bad - self.bad), sorted(self.bad - bad)
        if turned:
            log.error("%d audio file(s) corrupt or missing on disk and in Redis, spoken with <Say> until "
                      "whole again (ivr audio build remakes them): %s", len(turned), self._named(turned))
        if healed:
            log.warning("%d audio file(s) can be served again: %s", len(healed), self._named(healed))
        self.bad = bad
        self.generation += 1  # TwiML made with or without these keys is not reused

    def _named(self, keys, shown=10):
        """'key (utterance ids), ...' for a log line, the first few."""
        ids = defaultdict(list)
        for item_id, entry in self.entries.items():
            ids[entry["key"]].append(item_id)
        named = [f"{key} ({', '.join(ids[key])})" for key in keys[:shown]]
        return "; ".join(named) + (f"; and {len(keys) - shown} more" if len(keys) > shown else "")

    def _check_later(self, keys):
        """Check `keys` (or EVERY_KEY) in one background thread per worker."""
        with self._lock:
            if keys == EVERY_KEY or self._pending == EVERY_KEY:
                self._pending = EVERY_KEY
            else:
                self._pending = (self._pending or set()) | set(keys)
            if self._checker is None:
                self._checker = threading.Thread(target=self._run_checks, daemon=True, name="audio-check")
                self._checker.start()

    def _run_checks(self):
        while True:
            with self._lock:
                keys, self._pending = self._pending, None
                if keys is None:
                    self._checker = None
                    return
            try:
                self.check_audio(None if keys == EVERY_KEY else keys)
            except Exception:  # noqa: BLE001 - a check must never end the worker's checking
                log.exception("checking the audio failed")
