"""Every setting of the line, declared once: its name, type, default and meaning.

Each can come from the environment under the same name. `from_environment()` reads
them for a start; code receives the resulting mapping and never reads os.environ.
"""
import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Where an app keeps its Services (ivr.services): app.extensions[EXTENSION].
EXTENSION = "ivr"
TRUE = {"1", "true", "yes", "on"}


class SettingError(ValueError):
    pass


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    help: str

    def parse(self, raw):
        kind = type(self.default)
        if kind is bool:
            return raw.strip().lower() in TRUE
        if kind is int:
            try:
                return int(raw)
            except ValueError:
                raise SettingError(f"{self.name} must be a whole number, not {raw!r}") from None
        return raw


SETTINGS = (
    # Where content lives: menus (the tree), prompts (words), facts (figures with dates).
    Setting("MENUS_DIR", str(ROOT / "menus"), "the menu tree"),
    Setting("PROMPTS_DIR", str(ROOT / "prompts"), "one prompt catalogue per language"),
    Setting("FACTS_DIR", str(ROOT / "facts"), "figures and lists, each with its verified date"),
    Setting("AUDIO_DIR", str(ROOT / "audio"), "the built audio and staff recordings"),
    Setting("TWILIO_AUTH_TOKEN", "", "checks X-Twilio-Signature on every webhook; required in production"),
    Setting("PUBLIC_BASE_URL", "", "the URL Twilio uses to reach the line, when a proxy changes host or scheme"),
    Setting("IVR_DEVELOPMENT", False, "lets the production start run without a token (development only)"),
    Setting("GATHER_TIMEOUT", 6, "seconds the caller has to press a key before a re-prompt"),
    Setting("ENTRY_TIMEOUT", 10, "seconds for typing a multi-digit entry (a dialling code)"),
    Setting("MAX_SILENT_TRIES", 3, "silences before the line says goodbye and hangs up"),
    Setting("FACT_MAX_AGE_DAYS", 365, "facts verified longer ago are reported by the check"),
    Setting("MAX_CHUNK_SECONDS", 40, "longest part of an answer; longer ones are reported"),
    Setting("FIRST_ANSWER_SECONDS", 45, "a first-time caller hears any answer start within this many seconds"),
    Setting("RETURNING_ANSWER_SECONDS", 30, "a returning caller hears any answer start within this many seconds"),
    Setting("MAX_MENU_SECONDS", 15, "longest a menu may take to say in full"),
    Setting("REDIS_URL", "", "redis://, rediss://, unix://, redis+cluster:// or redis+sentinel://; empty: disk only"),
    Setting("AUDIO_ENGINES", "recording,gtts,espeak", "the audio sources this deployment uses, best first"),
    Setting("AUDIO_JOBS", 4, "prompts synthesised at once by the audio build"),
    Setting("GTTS_TIMEOUT", 10, "seconds gTTS may take before the build moves on"),
    Setting("AUDIO_MEMORY_MB", 32, "megabytes of the most played audio each web worker keeps in memory"),
    Setting("STALE_RECORDINGS", "use", "use | skip: play a staff recording made for an earlier text, or the engine instead"),
    Setting("AUDIO_PREVIEW", False, "offer a language before all its audio exists (gaps are <Say>)"),
    Setting("AUDIO_ENABLED", True, "play pre-generated audio; off, the line speaks with Twilio's <Say> only"),
    Setting("PHONE_ENABLED", False, "the web phone at /phone outside development"),
    Setting("CALLER_HASH_KEY", "", "secret for the keyed hash that stands for a caller's number; empty: remember no one"),
    Setting("LANGUAGE_MEMORY_DAYS", 90, "days a returning caller's language is remembered (under the keyed hash)"),
    Setting("PORT", 5000, "the port `make run` serves on (the Procfile's web process reads it too)"),
    Setting("INSTANCE_DIR", str(ROOT / "instance"), "where `make run` keeps its Redis data and the URL it serves on"),
    # Records (staff, audit log): a relational database; Redis stays the audio cache.
    Setting("DATABASE_URL", "", "postgresql://user:pass@host/db in production; empty: SQLite in instance/ivr.db"),
    Setting("SECRET_KEY", "", "signs the staff session cookies; required in production"),
    Setting("LINE_NAME", "Return information line", "the line's name on the staff pages"),
    Setting("LOCK_AFTER_FAILURES", 5, "wrong passwords (or phone PINs) in a row that lock a staff account"),
    Setting("LOCK_MINUTES", 15, "how long a locked staff account stays locked"),
    Setting("SESSION_HOURS", 12, "a staff log-in lasts this long, then the admin asks again"),
    Setting("STATS_ENABLED", True, "count calls (never a number) for /admin/stats and `ivr stats`"),
    Setting("STATS_THRESHOLD", 5, "a count under this is shown as \"fewer than N\", so no caller stands out"),
    Setting("STATS_REDIS_DAYS", 40, "days a day's counts stay in Redis (`ivr stats rollup` keeps them for good)"),
    # Twilio's REST API (SMS, calls back, recordings by phone), used only by the worker.
    Setting("TWILIO_ACCOUNT_SID", "", "the Twilio account (AC...): needed to send SMS, call back, fetch recordings"),
    Setting("TWILIO_API_KEY", "", "an API key (SK...) for the REST API; empty: the account SID and auth token"),
    Setting("TWILIO_API_SECRET", "", "the API key's secret"),
    Setting("TWILIO_API_BASE", "", "another server speaking Twilio's REST API (the fake on loopback in tests)"),
    Setting("TWILIO_PHONE_NUMBER", "", "the line's own number in E.164: SMS and calls back come from it"),
    Setting("NUMBER_KEYS", "", "Fernet keys, comma-separated, newest first: seal numbers kept for a callback or SMS"),
    Setting("JOB_RETRY_SECONDS", "30,120,600", "waits before each retry of a failed background job"),
    # Recording by phone: calls to these Twilio numbers (comma-separated E.164) are the
    # staff line (/voice/staff: staff number, PIN, then a prompt to record); none: off.
    Setting("STAFF_LINE_NUMBERS", "", "the Twilio number(s) that are the staff recording line; empty: no staff line"),
    Setting("CLOCK_SECONDS", 15, "how often the worker's clock looks for periodic work that is due"),
)
DEFAULTS = {s.name: s.default for s in SETTINGS}


def from_environment(environ=None):
    """The defaults, overridden by environment variables of the same name."""
    environ = os.environ if environ is None else environ
    settings = dict(DEFAULTS)
    for setting in SETTINGS:
        raw = environ.get(setting.name)
        if raw is not None:
            settings[setting.name] = setting.parse(raw)
    return settings
