"""Numbers, amounts and dates written for the ear, heard through eSpeak NG's phonemes:
what the engine will say, in every language it speaks, without listening to audio."""
import re

import pytest

from ivr import config
from ivr.audio import engines, espeak
from ivr.content import load_content, registry
from ivr.content.utterance import Utterance

CONTENT = load_content(config.DEFAULTS)
SPOKEN = [code for code, catalogue in CONTENT.catalogues.items() if catalogue.speech.get("espeak")]
NUMBERS = [fact for fact in CONTENT.figures.values() if fact.kind in ("money", "number")]
# A run of digits with any separator inside it ("1 800", "1,800", "1.800").
NUMBER = re.compile(r"\d(?:[\d\s\u00a0\u202f.,]*\d)?")


def phonemes(text, lang):
    return espeak.phonemes(text, engines.Espeak.parse(engines.voice(CONTENT.catalogues[lang], "espeak"))[0])


def test_the_test_can_hear_a_separator():
    """The bug this guards against: French and Russian write 1 800, read "un huit cents"."""
    assert phonemes("1\u202f800", "fr") != phonemes("1800", "fr")
    assert phonemes("1\u00a0800", "ru") != phonemes("1800", "ru")


@pytest.mark.parametrize("lang", SPOKEN)
def test_every_amount_is_read_as_one_number(lang):
    for fact in NUMBERS:
        text = fact.spoken(CONTENT.catalogues[lang])
        found = NUMBER.findall(text)
        assert found == [str(fact.value)], (lang, fact.name, text)
        assert phonemes(found[0], lang) == phonemes(str(fact.value), lang)


@pytest.mark.parametrize("lang", SPOKEN)
def test_every_prompt_naming_a_figure_says_it_whole(lang):
    """In the sentence itself: each figure's digits appear whole, and the engine reads
    them as it reads the plain number."""
    catalogue = CONTENT.catalogues[lang]
    for prompt, entry in catalogue.entries.items():
        named = [f for f in NUMBERS if "{" + f.name + "}" in entry.text]
        if not named:
            continue
        text = CONTENT.text(lang, Utterance(prompt))
        runs = NUMBER.findall(text)
        for fact in named:
            assert str(fact.value) in runs, (lang, prompt, text)


@pytest.mark.parametrize("lang", SPOKEN)
def test_every_date_has_the_languages_own_words(lang):
    catalogue = CONTENT.catalogues[lang]
    for date in registry.spoken_dates(CONTENT):
        words = catalogue.dates.get(date.isoformat())
        assert words, f"{lang}: no [dates] entry for {date.isoformat()}"
        heard = phonemes(words, lang)
        assert heard and "g'E" not in heard  # Russian "г." read out as a letter
