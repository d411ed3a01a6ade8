"""The nearest office on the phone: a postcode typed (or a province picked), the office
read out with its next consulting hours from now, then: be put through (only while
open, only a verified number), get it by SMS, hear it again.

Plain functions of the content, a Speech and an OfficeLookup (ivr/call/office_lookup);
no Flask. Call state travels in the URLs (`pc` a postcode, `prov` a province, `typed`
what the caller typed when it was not in the data). What is said about hours is
worked out in `office_words`; it depends on the clock, so the views key their cache on
what it says, never on the URL alone.
"""
from datetime import datetime
from zoneinfo import ZoneInfo

from ..content.registry import PROVINCE_PAGE
from ..content.utterance import Utterance as U
from . import twiml
from .office_words import can_dial, hours_said
from .paths import key_path, language_path, node_path, office_path

POSTCODE_LENGTH = 4
NODE = "find_office"  # the tree's postcode node: where "back" and "another postcode" go
DIAL_TIMEOUT = 20  # seconds an office's phone rings before the caller is offered the SMS
LOCAL = ZoneInfo("Europe/Amsterdam")  # offices' hours are Dutch local time
KEY_CONNECT, KEY_SMS, KEY_OTHER, KEY_UNKNOWN, KEY_AREA, KEY_MORE = "1", "2", "3", "1", "2", "7"


def pairs(code):
    """A postcode as people read it back: two numbers ("10 11")."""
    return [U("postcode_pair", (("pair", code[:2]),)), U("postcode_pair", (("pair", code[2:]),))]


class OfficeFinder:
    def __init__(self, content, speech, settings, lookup, clock=None):
        self.content = content
        self.speech = speech
        self.lookup = lookup
        self.keys = content.tree.keys
        self.regions = content.regions
        self.gather_timeout = int(settings["GATHER_TIMEOUT"])
        self.entry_timeout = int(settings["ENTRY_TIMEOUT"])
        self.max_tries = int(settings["MAX_SILENT_TRIES"])
        self.clock = clock or (lambda: datetime.now(LOCAL))  # tests move it

    # -- the postcode ----------------------------------------------------------
    def ask(self, lang, tries=0, caller="", new=0, intro=()):
        if tries >= self.max_tries:
            return twiml.goodbye(self.speech, [lang])
        said = list(intro) + ([U("no_input")] if tries else [])
        own = self.regions.of_caller(caller)
        if own:
            said.append(U("postcode_area", (("province", own.id),)))
        said.append(U("postcode_ask"))
        return twiml.ask(self.speech, key_path(lang, NODE, new=new), node_path(lang, NODE, tries=tries + 1, new=new),
                         [(lang, said)], self.entry_timeout, entry=True)

    def typed(self, lang, digits, caller="", new=0):
        """Where the digits typed at the postcode lead: an office, the provinces, or
        the question again with what was wrong."""
        keys = self.keys
        if digits == keys["back"]:
            return twiml.redirect(node_path(lang, self.content.tree.get(NODE).parent or self.content.tree.start, new=new))
        if digits == keys["main"]:
            return twiml.redirect(node_path(lang, self.content.tree.start, new=new))
        if digits == keys["repeat"]:
            return twiml.redirect(node_path(lang, NODE, new=new))
        if digits == KEY_UNKNOWN:
            return twiml.redirect(office_path(lang, "provinces", new=new))
        own = self.regions.of_caller(caller)
        if digits == KEY_AREA and own:
            return twiml.redirect(office_path(lang, prov=own.id, new=new))
        if len(digits) != POSTCODE_LENGTH or not digits.isdigit() or digits.startswith("0"):
            return self.ask(lang, caller=caller, new=new, intro=[U("postcode_unknown")])
        if self.lookup.known(digits):
            return twiml.redirect(office_path(lang, pc=digits, new=new))
        closest = self.lookup.closest(digits)
        if closest is None:
            return self.ask(lang, caller=caller, new=new, intro=[U("postcode_unknown")])
        return twiml.redirect(office_path(lang, pc=closest, typed=digits, new=new))

    # -- the provinces: two pages of six, the caller's own first --------------------
    def pages(self, caller):
        listed = self.regions.ordered(self.regions.of_caller(caller))
        return [listed[i:i + PROVINCE_PAGE] for i in range(0, len(listed), PROVINCE_PAGE)]

    def provinces(self, lang, page=0, tries=0, caller="", new=0, intro=()):
        if tries >= self.max_tries:
            return twiml.goodbye(self.speech, [lang])
        pages = self.pages(caller)
        page = page if 0 <= page < len(pages) else 0
        said = list(intro) + ([U("no_input")] if tries else []) + ([U("province_ask")] if page == 0 else [])
        for key, province in enumerate(pages[page], 1):
            # "Groningen, press 1. Friesland, 2.": "press" once, as the main menu says it.
            said += [U("province_name", (("province", province.id),)),
                     U("province_key" if key == 1 else "province_number", (("key", str(key)),))]
        if len(pages) > 1:
            said.append(U("province_more"))
        return twiml.ask(self.speech, office_path(lang, "provinces/key", page=page, new=new),
                         office_path(lang, "provinces", page=page, tries=tries + 1, new=new),
                         [(lang, said)], self.gather_timeout)

    def province_key(self, lang, digits, page=0, caller="", new=0):
        pages = self.pages(caller)
        page = page if 0 <= page < len(pages) else 0
        if digits == KEY_MORE and len(pages) > 1:
            return twiml.redirect(office_path(lang, "provinces", page=(page + 1) % len(pages), new=new))
        if digits.isdigit() and 1 <= int(digits) <= len(pages[page]):
            return twiml.redirect(office_path(lang, prov=pages[page][int(digits) - 1].id, new=new))
        if digits in (self.keys["back"], self.keys["repeat"]):
            return twiml.redirect(node_path(lang, NODE, new=new) if digits == self.keys["back"]
                                  else office_path(lang, "provinces", page=page, new=new))
        if digits == self.keys["main"]:
            return twiml.redirect(node_path(lang, self.content.tree.start, new=new))
        if digits == self.keys["language"]:
            return twiml.redirect(language_path(at=NODE))
        return self.provinces(lang, page, caller=caller, new=new, intro=[U("invalid_key")])

    # -- the office ----------------------------------------------------------------
    def resolve(self, pc="", prov="", at=None):
        """(office, km) for a postcode or a province id, or None."""
        if pc:
            return self.lookup.find(pc, at) if len(pc) == POSTCODE_LENGTH and pc.isdigit() else None
        return self.lookup.for_province(prov, at) if self.regions.get(prov) else None

    def answer(self, lang, office, status, today, place, part=0, tries=0, new=0, intro=()):
        """The office, its hours as `status` says them, and the choices; `part` 1 is
        the choices alone (after a silence, a text message, a call that ended).
        `place` is the query that found it (pc, prov, typed)."""
        if tries >= self.max_tries:
            return twiml.goodbye(self.speech, [lang])
        said = list(intro) + ([U("no_input")] if tries else [])
        if not part and not tries:
            pc, prov, typed = place
            if typed:
                said += [U("postcode_closest")] + pairs(typed) + [U("postcode_instead")] + pairs(pc)
            elif pc:
                said += [U("postcode_typed")] + pairs(pc)
            said.append(U("office_is", (("office", office.name), ("place", office.place))))
            said += hours_said(office, status, today)
        if can_dial(office, status):
            said.append(U("office_connect"))
        said.append(U("office_choices"))
        return twiml.ask(self.speech, office_path(lang, "key", **_query(place), new=new),
                         office_path(lang, part=1, tries=tries + 1, **_query(place), new=new),
                         [(lang, said)], self.gather_timeout)

    def connect(self, lang, office, place, new=0):
        """Put the caller through; when nobody answers, Twilio posts to `dialled`."""
        response = twiml.VoiceResponse()
        self.speech.add(response, lang, [U("office_connecting")])
        response.dial(office.phone, timeout=DIAL_TIMEOUT, action=office_path(lang, "dialled", **_query(place), new=new),
                      method="POST")
        # Twilio goes to the dial's action when it ends; this way on is for anything else.
        response.redirect(office_path(lang, part=1, **_query(place), new=new), method="POST")
        return response

    def again(self, lang, place, new=0, intro=()):
        """The office's choices again, after `intro` (a text message sent, nobody answered)."""
        return twiml.say_then(self.speech, lang, list(intro), office_path(lang, part=1, **_query(place), new=new))

    def key(self, lang, digits, office, status, place, new=0):
        """What a key pressed after the office does, except the text message (the view
        queues it: it needs the caller's number)."""
        keys = self.keys
        if digits == KEY_CONNECT and can_dial(office, status):
            return self.connect(lang, office, place, new)
        if digits == keys["repeat"]:
            return twiml.redirect(office_path(lang, **_query(place), new=new))
        if digits in (keys["back"], KEY_OTHER):
            return twiml.redirect(node_path(lang, NODE, new=new))
        if digits == keys["main"]:
            return twiml.redirect(node_path(lang, self.content.tree.start, new=new))
        if digits == keys["language"]:
            return twiml.redirect(language_path(at=NODE))
        return twiml.say_then(self.speech, lang, [U("invalid_key")], office_path(lang, part=1, **_query(place), new=new))


def _query(place):
    pc, prov, typed = place
    return {"pc": pc, "prov": prov, "typed": typed}
