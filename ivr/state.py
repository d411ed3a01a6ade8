"""What one app holds for its lifetime: content, Redis, audio, speech and the call flow."""
import logging
import threading

from flask import current_app, request

from . import connection
from .content import load_content
from .flow import Flow
from .speech import SaySpeech

EXTENSION = "ivr"
log = logging.getLogger(__name__)


class TwimlCache:
    """Finished TwiML by request values. Bounded: a caller can send any digits."""

    def __init__(self, size=4096):
        self.size = size
        self.items = {}

    def get(self, key):
        return self.items.get(key)

    def put(self, key, text):
        if len(self.items) >= self.size:
            self.items.clear()
        self.items[key] = text
        return text


class State:
    def __init__(self, settings):
        from .audio.library import Library
        from .audio.speech import PlaySpeech

        self.settings = settings
        self.content = load_content(settings)
        url = settings.get("REDIS_URL", "")
        if url:
            connection.validate(url)
        self.library = Library(
            settings["AUDIO_DIR"],
            connect=(lambda: connection.connect(url)) if url else None,
            memory_bytes=int(settings["AUDIO_MEMORY_MB"]) * 1024 * 1024,
        )
        self.say = SaySpeech(self.content)
        self.play_speech = None
        self.speech = self.say
        if settings["AUDIO_ENABLED"]:
            self.play_speech = PlaySpeech(
                self.content, self.library, self.say, _base_url, preview=settings["AUDIO_PREVIEW"]
            )
            self.speech = self.play_speech
        self.flow = Flow(self.content, self.speech, settings)
        self.twiml_cache = TwimlCache()

    def speech_generation(self):
        """Changes when a new audio build is loaded, so cached TwiML is not reused."""
        if self.play_speech is None:
            return 0
        self.play_speech.refresh()
        return self.play_speech.generation

    def base_url(self):
        return _base_url() if self.play_speech is not None else ""

    def warm_in_background(self):
        """A worker that starts with an empty Redis fills it from disk, off the request path."""
        if not self.settings.get("REDIS_URL") or self.play_speech is None:
            return None
        manifest = self.play_speech.manifest
        thread = threading.Thread(target=self.library.warm, args=(manifest,), daemon=True, name="audio-warm")
        thread.start()
        return thread


def _base_url():
    # Built from the parts: request.url_root re-parses the whole URL on every call.
    return current_app.config["PUBLIC_BASE_URL"] or f"{request.scheme}://{request.host}{request.script_root}/"


def init_app(app):
    app.extensions[EXTENSION] = State(app.config)
    if not app.testing:
        app.extensions[EXTENSION].warm_in_background()


def get():
    return current_app.extensions[EXTENSION]
