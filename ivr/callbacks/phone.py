"""Asking for a call back on the phone (main menu 7, or 7 at the end of an answer):
the caller's number read back in groups, confirmed (1) or another typed (2), a
topic from a short list, then when to expect the call. A withheld number is asked
for. Plain functions of the content and a Speech; the views are in `webhooks`.

A typed number travels between the steps sealed (`n=`), never in clear in a URL.
"""
from ..call import twiml
from ..call.paths import callback_path, node_path
from ..content.utterance import Utterance as U
from . import numbers
from .requests import TOPICS

CONFIRM, ANOTHER = "1", "2"
GROUP_PAUSE = 1  # seconds of silence between the groups of a number
EXPECTED = {"today": "callback_expect_today", "next_day": "callback_expect_next_day",
            "later": "callback_expect_later"}
REFUSED = {"open": "callback_refused_open", "limit": "callback_refused_limit",
           "unavailable": "callback_unavailable"}


def digits_said(number):
    """The number as pieces to say: each group's digits, one utterance a digit."""
    return [[U("callback_digit", (("key", digit),)) for digit in group] for group in numbers.groups(number)]


class CallbackPhone:
    def __init__(self, content, speech, settings, sealer):
        self.content = content
        self.speech = speech
        self.sealer = sealer
        self.start_node = content.tree.start
        self.keys = content.tree.keys
        self.timeout = int(settings["GATHER_TIMEOUT"])
        self.entry_timeout = int(settings["ENTRY_TIMEOUT"])
        self.max_tries = int(settings["MAX_SILENT_TRIES"])

    def _back(self, back):
        return back if self.content.tree.get(back or "") is not None else self.start_node

    def unavailable(self, lang, back, reason="unavailable"):
        return twiml.say_then(self.speech, lang, [U(REFUSED[reason])], node_path(lang, self._back(back)))

    def sealed(self, number):
        return self.sealer.seal(number)

    def opened(self, token):
        """The number a step's `n=` stands for, or None (no key opens it, or none given)."""
        return numbers.from_caller(self.sealer.open(token)) if token and self.sealer.enabled else None

    # -- the number --------------------------------------------------------------------------
    def start(self, lang, caller, back, enabled):
        if not enabled:
            return self.unavailable(lang, back)
        number = numbers.from_caller(caller)
        if number is None:
            return self.type_number(lang, back)
        return self.confirm(lang, number, "", back)

    def confirm(self, lang, number, token, back, tries=0, intro=()):
        if tries >= self.max_tries:
            return twiml.goodbye(self.speech, [lang])
        lead = list(intro) + ([U("no_input")] if tries else []) + [U("callback_number_is")]
        said = [(lang, lead)] + [(lang, group) for group in digits_said(number)]
        said.append((lang, [U("callback_number_confirm")]))
        return twiml.ask(self.speech, callback_path(lang, "confirm/key", n=token, back=back),
                         callback_path(lang, "confirm", n=token, back=back, tries=tries + 1), said, self.timeout,
                         pause=GROUP_PAUSE)

    def confirm_key(self, lang, number, token, back, digits):
        if digits == CONFIRM:
            return twiml.redirect(callback_path(lang, "topic", n=token, back=back))
        if digits == ANOTHER:
            return twiml.redirect(callback_path(lang, "type", back=back))
        away = self._away(lang, back, digits)
        return away or self.confirm(lang, number, token, back, intro=[U("invalid_key")])

    def type_number(self, lang, back, tries=0, intro=()):
        if tries >= self.max_tries:
            return twiml.goodbye(self.speech, [lang])
        said = list(intro) + ([U("no_input")] if tries else []) + [U("callback_type_number")]
        return twiml.ask(self.speech, callback_path(lang, "type/key", back=back),
                         callback_path(lang, "type", back=back, tries=tries + 1), [(lang, said)],
                         self.entry_timeout, entry=True)

    def typed(self, lang, back, digits):
        away = self._away(lang, back, digits)
        if away:
            return away
        number = numbers.from_keypad(digits)
        if number is None:
            return self.type_number(lang, back, intro=[U("callback_number_invalid")])
        return twiml.redirect(callback_path(lang, "confirm", n=self.sealed(number), back=back))

    def _away(self, lang, back, digits):
        """Star goes back where the caller came from, 0 to the main menu."""
        if digits == self.keys["back"]:
            return twiml.redirect(node_path(lang, self._back(back)))
        if digits == self.keys["main"]:
            return twiml.redirect(node_path(lang, self.start_node))
        return None

    # -- the topic, then the request ----------------------------------------------------------
    def topic(self, lang, token, back, tries=0, intro=()):
        if tries >= self.max_tries:
            return twiml.goodbye(self.speech, [lang])
        said = list(intro) + ([U("no_input")] if tries else []) + [U("callback_topics")]
        return twiml.ask(self.speech, callback_path(lang, "topic/key", n=token, back=back),
                         callback_path(lang, "topic", n=token, back=back, tries=tries + 1), [(lang, said)],
                         self.timeout)

    @staticmethod
    def chosen_topic(digits):
        keys = [str(n) for n in range(1, len(TOPICS) + 1)]
        return TOPICS[keys.index(digits)] if digits in keys else None

    def topic_key(self, lang, token, back, digits):
        """TwiML for a key that chooses no topic (None when it chooses one)."""
        if self.chosen_topic(digits):
            return None
        return self._away(lang, back, digits) or self.topic(lang, token, back, intro=[U("invalid_key")])

    def taken(self, lang, back, taken):
        """What the caller hears once the request is made (or refused), then the main menu."""
        if taken.outcome == "queued":
            said = [U("callback_queued"), U(EXPECTED[taken.expected])]
            return twiml.say_then(self.speech, lang, said, node_path(lang, self.start_node))
        return self.unavailable(lang, back, taken.outcome)
