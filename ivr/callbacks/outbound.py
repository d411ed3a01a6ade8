"""The call back itself, as TwiML: the caller greeted in their language (asked first
when a missed call left none), told why they are called, then bridged with a <Dial>
to the office or the agents' phone; the agent first hears a whisper (<Number url=>)
with the caller's language and topic. Plain functions; the views are in `webhooks`.
"""
from urllib.parse import urlencode

from babel import Locale, UnknownLocaleError
from twilio.twiml.voice_response import Dial, VoiceResponse

from ..call import twiml
from ..call.speech import offered_languages
from ..content.utterance import Utterance as U

DIAL_SECONDS = 30  # how long the office or agent's phone rings before the caller hears sorry


def path(step, request_id, attempt=0):
    query = urlencode({k: v for k, v in (("r", request_id), ("a", attempt)) if v})
    return f"/voice/callback/{step}?{query}"


class Outbound:
    def __init__(self, content, speech, settings):
        self.content = content
        self.speech = speech
        self.settings = settings
        self.timeout = int(settings["GATHER_TIMEOUT"])
        self.max_tries = int(settings["MAX_SILENT_TRIES"])

    def languages(self):
        return offered_languages(self.content, self.speech)

    def answer(self, request, attempt, connect_to, tries=0):
        """The first words of the call back. `connect_to` is the number to bridge to."""
        offered = self.languages()
        if request.lang in offered:
            return self.greet(request.lang, request, attempt, connect_to)
        if tries >= self.max_tries or not offered:
            return twiml.goodbye(self.speech, offered[:1]) if offered else twiml.unavailable()
        # A missed call from a stranger: each language offers itself, as on the line.
        said = [(offered[0], [U("callback_greeting")])]
        said += [(lang, [U("language_offer", (("key", str(n)),))]) for n, lang in enumerate(offered[:9], 1)]
        return twiml.ask(self.speech, path("answer/language", request.id, attempt),
                         path("answer", request.id, attempt) + f"&tries={tries + 1}", said, self.timeout)

    def chosen(self, digits):
        offered = self.languages()[:9]
        return offered[int(digits) - 1] if len(digits) == 1 and digits.isdigit() and 0 < int(digits) <= len(offered) else None

    def greet(self, lang, request, attempt, connect_to):
        response = VoiceResponse()
        greeting = [] if request.lang is None else [U("callback_greeting")]
        self.speech.add(response, lang, greeting + [U("callback_connecting")])
        dial = Dial(action=path("dialled", request.id, attempt), method="POST", timeout=DIAL_SECONDS,
                    caller_id=self.settings["TWILIO_PHONE_NUMBER"] or None)
        dial.number(connect_to, url=path("whisper", request.id), method="POST")
        response.append(dial)
        return response

    def dialled(self, lang, bridged):
        """After the <Dial>: a goodbye when the caller was helped, else an apology."""
        if bridged:
            return twiml.goodbye(self.speech, [lang])
        response = VoiceResponse()
        self.speech.add(response, lang, [U("callback_sorry")])
        response.hangup()
        return response

    def whisper(self, request):
        """What the agent hears before the bridge, in the staff's language (<Say>)."""
        staff = self.content.reference
        language = staff.language
        said = self.content.text(language.code, U("callback_whisper"))
        if request.lang:
            name = language_name(request.lang, language.locale, self.content.catalogues.get(request.lang))
        else:
            name = self.content.text(language.code, U("callback_whisper_no_language"))
        text = f"{said} {name}. {self.content.text(language.code, U(f'callback_about_{request.topic}'))}"
        response = VoiceResponse()
        response.say(text, language=language.say_language or "en-GB")
        return response


def language_name(code, locale, catalogue=None):
    """A language's name in the staff's language ("Arabic"), else its name in itself
    (Dari: CLDR has no code "prs"), else its code."""
    try:
        names = Locale.parse(locale).languages
    except (UnknownLocaleError, ValueError):
        names = {}
    found = names.get(code) or (catalogue and names.get(catalogue.language.locale))
    return found or (catalogue.language.name if catalogue else code)
