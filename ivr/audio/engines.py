"""Speech engines that turn a prompt's text into audio, ahead of time.

gTTS (Google's voices, needs the internet) and eSpeak NG (offline, shipped by the
espeakng-loader wheel). Which engines a language uses, in which order and with
which voice, is the [speech] table of its catalogue, e.g.
    [speech]
    engines = ["recording", "gtts", "espeak"]
    gtts = "nl"
    espeak = "nl"
A language with no voice for an engine is simply not spoken by it.
"""
import io

import requests

from . import encoding, espeak


class EngineUnavailable(RuntimeError):
    """The engine cannot be used at all now (no network): try the next one."""


class Gtts:
    name = "gtts"

    def __init__(self, timeout=10):
        self.timeout = timeout

    def settings(self, voice):
        import gtts

        return {"engine": self.name, "voice": voice, "tld": "com", "slow": False, "version": gtts.__version__}

    def synthesize(self, text, voice):
        from gtts import gTTS, gTTSError

        buffer = io.BytesIO()
        try:
            gTTS(text, lang=voice, tld="com", timeout=self.timeout).write_to_fp(buffer)
        except (gTTSError, requests.RequestException) as exc:
            raise EngineUnavailable(f"gTTS cannot be reached: {exc}") from exc
        return encoding.decode(buffer.getvalue(), "mp3")


class Espeak:
    name = "espeak"
    RATE = 145  # words a minute: a little slower than eSpeak's default, for the phone
    PITCH = 50

    def settings(self, voice):
        return {"engine": self.name, "voice": voice, "rate": self.RATE, "pitch": self.PITCH, "version": espeak.version()}

    def synthesize(self, text, voice):
        pcm, rate = espeak.synthesize(text, voice, rate=self.RATE, pitch=self.PITCH)
        return encoding.from_pcm(pcm, rate)


RECORDING = "recording"


def make_engines(settings):
    return {"gtts": Gtts(timeout=float(settings["GTTS_TIMEOUT"])), "espeak": Espeak()}


def order(catalogue, settings):
    """The sources a language's audio comes from, best first: the catalogue's order,
    limited to the sources this deployment enables (AUDIO_ENGINES)."""
    enabled = [name.strip() for name in settings["AUDIO_ENGINES"].split(",") if name.strip()]
    wanted = catalogue.speech.get("engines") or enabled
    return [name for name in wanted if name in enabled]


def voice(catalogue, engine_name):
    """The language's voice for an engine, or None when that engine cannot speak it."""
    return catalogue.speech.get(engine_name) or None
