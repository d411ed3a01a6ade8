"""What one app holds for its lifetime: the content, the audio store and the current
build, the speech, the call flow and the cache of finished TwiML.

Plain objects made from the settings: the web app keeps one in
`app.extensions["ivr"]`, and the `ivr` commands make their own without Flask.
(Call state is not here: it travels in the webhook URLs.)
"""
import threading

from cachetools import LRUCache

from .audio.manifest import Manifest
from .audio.store import AudioStore
from .call import office_lookup
from .call.flow import Flow
from .call.play import PlaySpeech
from .call.speech import SaySpeech, offered_languages
from .content import load_content
from .config import EXTENSION
from .store import redis as redis_store
from .stats.counting import Counter
from .store.callers import CallerMemory
from .store.queue import Jobs
from .store.sealed import Sealer

TWIML_CACHE_SIZE = 4096  # documents; bounded because a caller can send any digits


class TwimlCache:
    """Finished TwiML by request values, least recently used dropped first. Request
    threads share it (the dev server, threaded workers), hence the lock."""

    def __init__(self, size=TWIML_CACHE_SIZE):
        self._items = LRUCache(maxsize=size)
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            return self._items.get(key)

    def put(self, key, text):
        with self._lock:
            self._items[key] = text
        return text


class Services:
    def __init__(self, settings, base_url=None):
        """`base_url` is a function giving the absolute URL prefix for <Play> (the web
        layer passes one that reads the request); without it, PUBLIC_BASE_URL."""
        self.settings = settings
        self.content = load_content(settings)
        url = settings.get("REDIS_URL", "")
        if url:
            redis_store.validate(url)
        self.store = AudioStore(
            settings["AUDIO_DIR"],
            connect=(lambda: redis_store.connect(url)) if url else None,
            memory_bytes=int(settings["AUDIO_MEMORY_MB"]) * 1024 * 1024,
        )
        self.say = SaySpeech(self.content)
        self.manifest = None
        self.speech = self.say
        if settings["AUDIO_ENABLED"]:
            self.manifest = Manifest(self.content, self.store)
            base_url = base_url or (lambda: settings["PUBLIC_BASE_URL"])
            self.speech = PlaySpeech(self.content, self.manifest, self.say, base_url, preview=settings["AUDIO_PREVIEW"])
        self.callers = CallerMemory(settings["CALLER_HASH_KEY"], settings["LANGUAGE_MEMORY_DAYS"], self.store.breaker)
        # The offices (ivr/offices) behind the office finder; None without them.
        self.offices = office_lookup.load(settings, self._database())
        self.flow = Flow(self.content, self.speech, settings, self.offices)
        self.stats = Counter(settings, self.store.breaker)
        self.twiml_cache = TwimlCache()
        # Background work (SMS, calls back, recordings by phone) goes to the worker.
        self.jobs = Jobs(settings, self.store.breaker)
        self.sealer = Sealer(settings["NUMBER_KEYS"])
        # Calls back (ivr.callbacks.line.Callbacks): set by the application factory,
        # since the callbacks room builds on this one.
        self.callbacks = None

    def _database(self):
        """The database the offices' directory reads (made only when there are offices)."""
        from .store import db

        return db.Database(self.settings["DATABASE_URL"]) if office_lookup.available() else None

    def offered(self):
        return offered_languages(self.content, self.speech)

    def warm_in_background(self):
        """A serving web process's background work: fill an empty Redis from this
        host's disk (the manifest and the audio), check every file of the build, and
        from now on do both by itself (a Redis restarted empty, a new build).
        Returns the warming thread, if one started."""
        if self.manifest is None:
            return None
        self.manifest.serve_in_background()
        if not self.settings.get("REDIS_URL"):
            return None
        return self.store.warm_in_background(self.manifest.entries)


def of(app):
    """The Services of `app` (for tests and tools that hold the app itself)."""
    return app.extensions[EXTENSION]
