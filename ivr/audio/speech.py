"""Pre-generated audio on the line: the Speech that answers with <Play>.

A language is offered when every utterance it can say has current audio (its text
unchanged since the build); AUDIO_PREVIEW relaxes that for staff. Any utterance
without current audio falls back, in order, to Twilio's <Say> voice for the
language, to the audio of its previous text, and last to <Say> in the default voice,
so the caller never hears silence; `ivr check` reports every such case.
"""
import threading
import time
from collections import defaultdict

from .. import repertoire
from . import encoding

REFRESH_SECONDS = 5  # how often a worker looks for a newer manifest


class PlaySpeech:
    def __init__(self, content, library, say, base_url, preview=False):
        self.content = content
        self.library = library
        self.say = say
        self.base_url = base_url  # a function: the absolute URL prefix for <Play>
        self.preview = preview
        self._lock = threading.Lock()
        self._checked = 0.0
        self._mtime = None
        self.generation = 0  # bumped by every load, so cached TwiML is made again
        self.load()

    # -- the manifest ------------------------------------------------------------
    def load(self):
        manifest = self.library.load_manifest()
        current, missing, planned = {}, defaultdict(list), defaultdict(int)
        for item in repertoire.items(self.content):
            planned[item.lang] += 1
            entry = manifest.get(item.id)
            if entry and entry.get("text") == item.text:
                current[item.id] = entry["key"]
            else:
                missing[item.lang].append(item.id)
        self.manifest = manifest
        self.current = current  # utterance id -> key, for audio whose text is current
        self.missing = {lang: sorted(ids) for lang, ids in missing.items()}
        self.planned_counts = dict(planned)
        self.digests = {entry["key"]: entry.get("digest") for entry in manifest.values()}
        self.texts = {entry["key"]: entry.get("text", "") for entry in manifest.values()}
        self._mtime = self.library.manifest_mtime()
        self.generation += 1

    def refresh(self):
        """Pick up a new build without a restart (checked at most every few seconds)."""
        now = time.monotonic()
        if now - self._checked < REFRESH_SECONDS:
            return
        with self._lock:
            if now - self._checked < REFRESH_SECONDS:
                return
            self._checked = now
            if self.library.manifest_mtime() != self._mtime:
                self.load()

    # -- the Speech seam ---------------------------------------------------------
    def coverage_complete(self, lang):
        return lang in self.planned_counts and not self.missing.get(lang)

    def can_speak(self, lang):
        self.refresh()
        if self.coverage_complete(lang):
            return True
        if not self.preview or lang not in self.content.catalogues:
            return False
        covered = self.planned_counts.get(lang, 0) - len(self.missing.get(lang, []))
        return covered > 0 or self.say.can_speak(lang)

    def url(self, key):
        return f"{self.base_url().rstrip('/')}/audio/{key}.{encoding.EXTENSION}"

    def add(self, parent, lang, utterances):
        for utterance in utterances:
            item_id = repertoire.utterance_id(lang, utterance)
            key = self.current.get(item_id)
            if key is not None:
                parent.play(self.url(key))
            elif self.say.can_speak(lang):
                self.say.add(parent, lang, [utterance])
            elif item_id in self.manifest:
                parent.play(self.url(self.manifest[item_id]["key"]))
            else:
                parent.say(self.content.text(lang, utterance))

    def digest(self, key):
        """The SHA-256 the manifest expects for a key, or None for an unknown key."""
        return self.digests.get(key)
