"""Defaults in one place. Every setting can come from the environment (same name)."""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DEFAULTS = {
    # Where content lives: menus (the tree), prompts (words), facts (figures with dates).
    "MENUS_DIR": str(ROOT / "menus"),
    "PROMPTS_DIR": str(ROOT / "prompts"),
    "FACTS_DIR": str(ROOT / "facts"),
    "AUDIO_DIR": str(ROOT / "audio"),
    # Twilio signs every webhook with the account's auth token; unset means unsigned.
    "TWILIO_AUTH_TOKEN": "",
    # The URL Twilio used to reach us, when a proxy rewrites host or scheme.
    "PUBLIC_BASE_URL": "",
    # A start without a token must say explicitly that it is a development run.
    "IVR_DEVELOPMENT": False,
    # Seconds the caller has to press a key before a re-prompt.
    "GATHER_TIMEOUT": 6,
    # Seconds for typing a multi-digit entry (a dialling code).
    "ENTRY_TIMEOUT": 10,
    # Silent tries before the line says goodbye and hangs up.
    "MAX_SILENT_TRIES": 3,
    # Facts not verified for this many days are reported by the content check.
    "FACT_MAX_AGE_DAYS": 365,
    # A chunk of an answer should not take longer than this to speak.
    "MAX_CHUNK_SECONDS": 40,
    # Redis: an external server (redis://, redis+cluster://, redis+sentinel://).
    # Empty: `make run` starts an embedded one under instance/; the app alone runs from disk.
    "REDIS_URL": "",
    # The audio sources this deployment uses, best first; a catalogue's [speech]
    # may reorder them for its language, or use fewer.
    "AUDIO_ENGINES": "recording,gtts,espeak",
    # Prompts synthesised at once by the audio build.
    "AUDIO_JOBS": 4,
    # Seconds gTTS may take to answer before the build moves on to the next engine.
    "GTTS_TIMEOUT": 10,
    # Megabytes of the most played audio each web worker keeps in its own memory.
    "AUDIO_MEMORY_MB": 32,
    # Staff preview: offer a language before all of its audio exists (gaps are <Say>).
    "AUDIO_PREVIEW": False,
    # Play pre-generated audio; off, the line speaks with Twilio's <Say> voices only.
    "AUDIO_ENABLED": True,
    # The web phone at /phone (on in development; staff log-in comes later).
    "PHONE_ENABLED": False,
}

_BOOL = {"IVR_DEVELOPMENT", "AUDIO_PREVIEW", "AUDIO_ENABLED", "PHONE_ENABLED"}
_INT = {"GATHER_TIMEOUT", "ENTRY_TIMEOUT", "MAX_SILENT_TRIES", "FACT_MAX_AGE_DAYS", "MAX_CHUNK_SECONDS", "AUDIO_JOBS", "GTTS_TIMEOUT", "AUDIO_MEMORY_MB"}


def from_environment(environ=os.environ):
    """The defaults, overridden by environment variables of the same name."""
    settings = dict(DEFAULTS)
    for name in DEFAULTS:
        raw = environ.get(name)
        if raw is None:
            continue
        if name in _BOOL:
            settings[name] = raw.strip().lower() in {"1", "true", "yes", "on"}
        elif name in _INT:
            settings[name] = int(raw)
        else:
            settings[name] = raw
    return settings
