"""The seam between what the line says and how it sounds.

The call flow hands a list of utterances to a Speech; the Speech adds TwiML verbs for
them. Two implement it: `SaySpeech` here (Twilio reads the text, <Say>) and
`PlaySpeech` in `play` (pre-generated audio, <Play>).
"""
from typing import Protocol


class Speech(Protocol):
    generation: int  # changes when what the speech plays changes (a new audio build)

    def can_speak(self, lang) -> bool:
        """Whether every prompt of `lang` can be said now."""

    def add(self, parent, lang, utterances) -> None:
        """Append TwiML that says `utterances` in `lang` to `parent` (a Gather or Response)."""


class SaySpeech:
    """Twilio's own voices: a language is speakable when its catalogue names one."""

    generation = 0

    def __init__(self, content):
        self.content = content

    def can_speak(self, lang):
        catalogue = self.content.catalogues.get(lang)
        return bool(catalogue and catalogue.language.say_language)

    def add(self, parent, lang, utterances):
        language = self.content.catalogues[lang].language
        attrs = {"language": language.say_language}
        if language.say_voice:
            attrs["voice"] = language.say_voice
        for utterance in utterances:
            parent.say(self.content.text(lang, utterance), **attrs)


def offered_languages(content, speech):
    """The languages the line offers, in menu order: those it can speak."""
    return [code for code in content.catalogues if speech.can_speak(code)]
