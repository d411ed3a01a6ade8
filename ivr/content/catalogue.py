"""Prompt catalogues: the words of every prompt, one TOML file per language in prompts/.

A catalogue starts with a [language] table (its code, its own name, the locale for
numbers and dates, how Twilio can speak it), may say in [speech] which engines make
its audio and with which voice, and holds [prompts], text per prompt id.
Adding a language is adding a file: nothing in the code names a language.
"""
import string
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

# A reference text is written by staff in that language; every other entry is a
# translation and says whether a native speaker has checked it.
REFERENCE = "reference"
REVIEW_STATUSES = ("draft", "reviewed")


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # the language's name in itself, as the language menu speaks it
    locale: str  # Babel locale for numbers, dates and country names
    order: int  # place in the language menu
    reference: bool = False
    say_language: str = ""  # Twilio <Say> language, empty when Twilio has no voice
    say_voice: str = ""
    direction: str = "ltr"


@dataclass(frozen=True)
class Entry:
    text: str
    status: str


@dataclass
class Catalogue:
    language: Language
    entries: dict = field(default_factory=dict)
    formats: dict = field(default_factory=dict)  # e.g. money = "{amount} euro"
    speech: dict = field(default_factory=dict)  # engines and their voices for audio
    path: str = ""
    dates: dict = field(default_factory=dict)  # ISO date -> how the language says it
    places: dict = field(default_factory=dict)  # a Dutch place or office name -> how this voice says it
    sms: dict = field(default_factory=dict)  # the lines of a text message (ivr/jobs/sms.py), read not said

    def spoken_date(self, value):
        """A date written for the ear: the catalogue's own words for it when it has
        them ("первого июля две тысячи семнадцатого года"), else Babel's long form."""
        from babel.dates import format_date

        return self.dates.get(value.isoformat()) or format_date(value, format="long", locale=self.language.locale)

    def has(self, prompt_id):
        return prompt_id in self.entries

    def text(self, prompt_id):
        return self.entries[prompt_id].text

    def render(self, prompt_id, values):
        """The prompt's text with its placeholders filled from `values`."""
        return self.entries[prompt_id].text.format_map(values)


def placeholders(text):
    """The names of the {placeholders} in a prompt text."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        # An unbalanced brace: reported by the content check as a malformed text.
        return {"<malformed>"}


class CatalogueError(ValueError):
    pass


def load_catalogue(path):
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{path.name}: not valid TOML: {exc}") from exc
    meta = raw.get("language") or {}
    code = meta.get("code") or path.stem
    if code != path.stem:
        raise CatalogueError(f"{path.name}: [language] code {code!r} does not match the file name")
    for required in ("name", "locale", "order"):
        if required not in meta:
            raise CatalogueError(f"{path.name}: [language] lacks {required!r}")
    language = Language(
        code=code,
        name=meta["name"],
        locale=meta["locale"],
        order=int(meta["order"]),
        reference=bool(meta.get("reference", False)),
        say_language=meta.get("say_language", ""),
        say_voice=meta.get("say_voice", ""),
        direction=meta.get("direction", "ltr"),
    )
    entries = {}
    for prompt_id, value in (raw.get("prompts") or {}).items():
        if isinstance(value, str):
            entries[prompt_id] = Entry(value, REFERENCE if language.reference else "")
        elif isinstance(value, dict) and isinstance(value.get("text"), str):
            status = value.get("status", REFERENCE if language.reference else "")
            entries[prompt_id] = Entry(value["text"], status)
        else:
            raise CatalogueError(f"{path.name}: prompt {prompt_id!r} needs a text")
    dates = {str(k): str(v) for k, v in (raw.get("dates") or {}).items()}
    places, sms = _texts(raw.get("places")), _texts(raw.get("sms"))
    return Catalogue(language, entries, dict(raw.get("format") or {}), dict(raw.get("speech") or {}), str(path), dates,
                     places, sms)


def _texts(table):
    """A table of texts, each a string or, like a prompt, {text, status}."""
    return {str(k): str(v["text"] if isinstance(v, dict) and "text" in v else v) for k, v in (table or {}).items()}


def load_catalogues(directory):
    """Every catalogue in `directory`, by language code, in menu order."""
    catalogues = [load_catalogue(p) for p in sorted(Path(directory).glob("*.toml"))]
    catalogues.sort(key=lambda c: (c.language.order, c.language.code))
    return {c.language.code: c for c in catalogues}
