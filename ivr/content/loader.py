"""All content, loaded once: the menu tree, the prompt catalogues and the facts.

`Content.text(lang, utterance)` is the one place a prompt becomes words: the
catalogue's text with facts and slots written the way that language writes them.
What an answer says (its chunks) is worked out in `answers`.
"""
import datetime as dt
from dataclasses import dataclass, field

from . import answers, clock_words, countries
from .catalogue import load_catalogues
from .facts import load_figures, load_table
from .regions import Regions, load_regions
from .safe_countries import load_safe_list
from .tree import load_tree

CONSULTING_HOURS_FILE = "consulting_hours.toml"
ORGANISATIONS_FILE = "organisations.toml"
UNSAFE_RETURN_FILE = "unsafe_return.toml"

# Runtime slots a prompt may name, besides facts. The audio build (which must know
# every text in advance) enumerates each slot's values.
SLOTS = ("country", "date", "key", "start", "until", "day", "pair", "province", "office", "place")
# Names said as the catalogue's [places] table spells them for its voice (else as is):
# provinces (by their data id), and an office's name and place, which staff type.
PLACE_SLOTS = ("province", "office", "place")


@dataclass
class Content:
    tree: object
    catalogues: dict
    figures: dict
    safe_list: object
    organisations: list = field(default_factory=list)
    unsafe_return: dict = field(default_factory=dict)
    consulting_hours: dict = field(default_factory=dict)
    regions: Regions = field(default_factory=Regions)
    _fact_values: dict = field(default_factory=dict, repr=False)
    _chunks: dict = field(default_factory=dict, repr=False)

    @property
    def reference(self):
        """The reference catalogue that the others are checked against (English)."""
        for code, catalogue in self.catalogues.items():
            if catalogue.language.reference and code == "en":
                return catalogue
        return next(c for c in self.catalogues.values() if c.language.reference)

    def slot_text(self, lang, name, value):
        catalogue = self.catalogues[lang]
        if name == "country":
            return countries.country_name(value, catalogue.language.locale)
        if isinstance(value, dt.date):
            return catalogue.spoken_date(value)
        if name in ("start", "until"):
            return clock_words.time_words(lang, value, "from" if name == "start" else "until")
        if name == "day":
            return clock_words.day_words(lang, catalogue.language.locale, value)
        if name == "pair":
            return clock_words.pair_words(lang, value)
        if name in PLACE_SLOTS:
            province = self.regions.get(value) if name == "province" else None
            text = province.name if province else str(value)
            return catalogue.places.get(text, text)
        return str(value)

    def fact_values(self, lang):
        """The facts as this language says them (made once: facts change on deploy)."""
        cached = self._fact_values.get(lang)
        if cached is None:
            catalogue = self.catalogues[lang]
            cached = self._fact_values[lang] = {name: fact.spoken(catalogue) for name, fact in self.figures.items()}
        return cached

    def values(self, lang, slots=()):
        values = dict(self.fact_values(lang))
        values.update((name, self.slot_text(lang, name, value)) for name, value in slots)
        return values

    def text(self, lang, utterance):
        """The words of one utterance in one language. A prompt a catalogue lacks (an
        error the check reports) is said from the reference rather than fail a call."""
        catalogue = self.catalogues[lang]
        if not catalogue.has(utterance.prompt):
            catalogue, lang = self.reference, self.reference.language.code
        try:
            return catalogue.render(utterance.prompt, self.values(lang, utterance.slots))
        except (KeyError, ValueError, IndexError):
            # A placeholder with no value (the check reports it): the words without it.
            return catalogue.text(utterance.prompt).replace("{", "").replace("}", "")

    def chunks(self, node):
        """An answer node's chunks as lists of utterances (see `answers.chunks`), worked
        out once: content does not change after it is loaded, and every webhook of an
        answer asks how many parts it has. Read them; do not change them."""
        made = self._chunks.get(node.id)
        if made is None:
            made = self._chunks[node.id] = answers.chunks(self, node)
        return made


def load_content(settings):
    facts_dir = settings["FACTS_DIR"]
    return Content(
        tree=load_tree(settings["MENUS_DIR"]),
        catalogues=load_catalogues(settings["PROMPTS_DIR"]),
        figures=load_figures(facts_dir),
        safe_list=load_safe_list(facts_dir),
        organisations=list(load_table(facts_dir, ORGANISATIONS_FILE).get("organisation") or []),
        unsafe_return=load_table(facts_dir, UNSAFE_RETURN_FILE),
        consulting_hours=load_table(facts_dir, CONSULTING_HOURS_FILE),
        regions=load_regions(settings["MENUS_DIR"]),
    )
