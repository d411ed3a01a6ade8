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
    RATE = 160  # words a minute: a little slower than eSpeak's default (175), for the phone
    PITCH = 50

    @classmethod
    def parse(cls, voice):
        """"ar@175" is the voice "ar" at 175 words a minute (a catalogue's espeak_rate)."""
        name, _, rate = voice.partition("@")
        return name, int(rate) if rate.isdigit() else cls.RATE

    def settings(self, voice):
        name, rate = self.parse(voice)
        return {"engine": self.name, "voice": name, "rate": rate, "pitch": self.PITCH, "version": espeak.version()}

    def synthesize(self, text, voice):
        name, rate = self.parse(voice)
        pcm, sample_rate = espeak.synthesize(text, name, rate=rate, pitch=self.PITCH)
        return encoding.from_pcm(pcm, sample_rate)


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
    """The language's voice for an engine, or None when that engine cannot speak it.
    An eSpeak voice may carry the catalogue's own rate (`espeak_rate`): some voices
    (Arabic) speak slowly at the rate that suits the others."""
    name = catalogue.speech.get(engine_name) or None
    rate = catalogue.speech.get(f"{engine_name}_rate")
    return f"{name}@{int(rate)}" if name and engine_name == Espeak.name and rate else name
