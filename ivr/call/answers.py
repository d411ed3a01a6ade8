"""What each voice webhook answers, worked out from the request's values alone (no
Flask), so the web views (ivr.call.webhooks) and the fast path before them
(ivr.call.fastpath) answer alike: an Answer is the TwiML cache key, how to make the
TwiML when it is not cached, and what the request counts (statistics, a log line, a
remembered language), done once the answer is given, never twice.
"""
import logging
import re
from typing import Callable, NamedTuple

from ..content import countries
from ..content.tree import KEYPAD
from . import paths, stats, twiml
from .language_menu import Place

# The web process's log lines name this room's web side, as they always did.
log = logging.getLogger("ivr.call.webhooks")

INVALID = "?"  # stands for input no keypad can send; the flow treats it as a wrong key
MAX_COUNTER = 99
COUNTER = re.compile(r"[0-9]{1,3}")  # ASCII only: str.isdigit() also takes ², ① and ٣
# What a status line may show: Twilio's own forms of these values, nothing a sender made up.
CALL_SID = re.compile(r"CA[0-9a-f]{32}")


class Answer(NamedTuple):
    key: tuple  # what the TwiML depends on, besides the build and the base URL
    make: Callable  # the TwiML, when the cache lacks it
    count: Callable = lambda: None  # what the request counts, once it is answered


class Sent:
    """A webhook request's values: its query's and its form's, each name once
    (ivr.call.form has checked it); any mappings with .get (werkzeug's, or dicts)."""

    __slots__ = ("args", "form")

    def __init__(self, args, form):
        self.args, self.form = args, form

    def counter(self, name):
        """A small non-negative integer from the query string; anything else is 0."""
        raw = self.args.get(name, "")
        return min(int(raw), MAX_COUNTER) if COUNTER.fullmatch(raw) else 0

    def flag(self, name):
        """A 0/1 flag from the query string."""
        return 1 if self.counter(name) else 0

    def digits(self):
        raw = self.form.get("Digits", "")
        return raw if all(c in KEYPAD for c in raw) else INVALID

    def caller(self):
        return self.form.get("From", "")

    def shown(self, name, valid):
        """A form value for a log line when it has Twilio's form (`valid(value)`), else
        "-": without a token anyone can POST, and a log line never holds a phone number."""
        raw = self.form.get(name, "")
        return raw if valid(raw) else "-"

    def sid(self):
        """The CallSid when it has Twilio's form, else "" (it names a call, not a caller)."""
        raw = self.form.get("CallSid", "")
        return raw if CALL_SID.fullmatch(raw) else ""

    def place(self):
        """Where a caller pressed # (carried through the language menu's URLs)."""
        return Place(self.args.get("at", ""), self.counter("part"), self.args.get("cc", ""))


def cache_key(services, answer, base_url):
    """The TwiML cache's key: the build, the <Play> URLs' base and the answer's own key."""
    return (services.speech.generation, base_url if services.manifest is not None else "", *answer.key)


def incoming(services, sent):
    if paths.is_staff_line(services.settings, sent.form.get("To", "")):
        # Not a caller: the staff line's own flow, and nothing counted.
        return Answer(("staff-line",), lambda: twiml.redirect(paths.STAFF_PATH))
    caller = sent.caller()
    # Read once for both: the keyed hash (when there is a key) and the caller's country.
    parsed = countries.parse_caller(caller) if caller and services.callers.secret else None
    hashed = services.callers.hash(caller, parsed)
    region, remembered = services.flow.caller_region(caller, parsed), services.callers.language(hashed)

    def count():
        log.info("call %s incoming country=%s", sent.shown("CallSid", CALL_SID.fullmatch), region or "-")
        services.stats.incoming(hashed, remembered)  # a remembered language counts as chosen

    return Answer(("incoming", region, remembered), lambda: services.flow.language.incoming(region, remembered), count)


def language_menu(services, sent):
    menu = services.flow.language
    page, tries, place, region = sent.counter("page"), sent.counter("tries"), sent.place(), services.flow.caller_region(sent.caller())
    return Answer(("language", page, tries, place, region), lambda: menu.menu(page, tries, region, place))


def language_key(services, sent):
    menu = services.flow.language
    digits, page, place, region = sent.digits(), sent.counter("page"), sent.place(), services.flow.caller_region(sent.caller())
    chosen = menu.chosen(digits, page, region)

    def count():
        if chosen:  # remembered as soon as it is chosen (under a keyed hash, never the number)
            services.callers.remember(services.callers.hash(sent.caller()), chosen)
            services.stats.add(f"lang:{chosen}")

    return Answer(("language-key", digits, page, place, region), lambda: menu.choose(digits, page, region, place), count)


def _caller(flow, node_id, sent):
    """The caller's number, read only where a menu offers the caller's own country."""
    return sent.caller() if flow.uses_caller(node_id) else ""


def node(services, sent, lang, node_id):
    flow = services.flow
    part, tries, cc, new = sent.counter("part"), sent.counter("tries"), sent.args.get("cc", ""), sent.flag("new")
    caller = _caller(flow, node_id, sent)
    return Answer(
        ("node", lang, node_id, part, tries, cc, flow.caller_place(node_id, caller), new),
        lambda: flow.node(lang, node_id, part, tries, caller, cc, new=new),
        lambda: stats.node(services, sent.sid(), lang, node_id, part, tries, cc),
    )


def key(services, sent, lang, node_id):
    flow = services.flow
    digits, part, cc, new = sent.digits(), sent.counter("part"), sent.args.get("cc", ""), sent.flag("new")
    caller = _caller(flow, node_id, sent)
    return Answer(
        ("key", lang, node_id, digits, part, cc, flow.caller_place(node_id, caller), new),
        lambda: flow.key(lang, node_id, digits, part, caller, cc, new=new),
        lambda: stats.key(services, sent.sid(), lang, node_id, digits, part),
    )
