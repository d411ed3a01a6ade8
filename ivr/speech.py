"""The seam between what the line says and how it sounds.

The call flow hands a list of utterances to a Speech; the Speech adds TwiML verbs for
them. `SaySpeech` has Twilio read the text (<Say>); pre-generated audio (<Play>) is
another Speech with the same two methods.
"""


class SaySpeech:
    """Twilio's own voices: a language is speakable when its catalogue names one."""

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
