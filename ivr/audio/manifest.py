"""The current build, as a web worker sees it: for every utterance in every language,
the audio key to play when its text is still the one in the catalogue.

A language is complete when every utterance it can say has current audio. A worker
looks for a newer build every few seconds (`refresh`), so a build reaches every
worker without a restart; `generation` changes with every load so that TwiML made
from the old build is not reused.
"""
import threading
import time
from collections import defaultdict

from ..content import registry

REFRESH_SECONDS = 5  # how often a worker looks for a newer manifest


class Manifest:
    def __init__(self, content, store):
        self.content = content
        self.store = store
        self._lock = threading.Lock()
        self._checked = 0.0
        self._mtime = None
        self.generation = 0
        self.load()

    def load(self):
        entries = self.store.load_manifest()
        current, missing, planned = {}, defaultdict(list), defaultdict(int)
        for item in registry.items(self.content):
            planned[item.lang] += 1
            entry = entries.get(item.id)
            if entry and entry.get("text") == item.text:
                current[item.id] = entry["key"]
            else:
                missing[item.lang].append(item.id)
        self.entries = entries  # utterance id -> entry, whatever its text
        self.current = current  # utterance id -> key, for audio whose text is current
        self.missing = {lang: sorted(ids) for lang, ids in missing.items()}
        self.planned_counts = dict(planned)
        self.digests = {entry["key"]: entry.get("digest") for entry in entries.values()}
        self.texts = {entry["key"]: entry.get("text", "") for entry in entries.values()}
        self.by_key = {entry["key"]: entry for entry in entries.values()}  # engine, seconds: for the web phone
        self._mtime = self.store.manifest_mtime()
        self.generation += 1

    @property
    def manifest(self):
        """The entries by utterance id (the content check reads their seconds)."""
        return self.entries

    def refresh(self):
        """Pick up a new build without a restart (checked at most every few seconds)."""
        now = time.monotonic()
        if now - self._checked < REFRESH_SECONDS:
            return
        with self._lock:
            if now - self._checked < REFRESH_SECONDS:
                return
            self._checked = now
            if self.store.manifest_mtime() != self._mtime:
                self.load()

    def complete(self, lang):
        return lang in self.planned_counts and not self.missing.get(lang)

    def covered(self, lang):
        return self.planned_counts.get(lang, 0) - len(self.missing.get(lang, []))

    def digest(self, key):
        """The SHA-256 the build recorded for a key, or None for a key it never made."""
        return self.digests.get(key)
