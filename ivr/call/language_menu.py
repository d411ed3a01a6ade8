"""The start of a call: the welcome and the language menu.

A returning caller (their language remembered, see ivr.store.callers) hears a short
welcome in it and goes straight to the main menu. Anyone else hears the welcome in
the languages their country's callers likely speak (menus/languages.toml; else the
tree's `welcome` list), then each offered language named in itself with its key,
the likely ones first. A re-prompt says "I did not hear a key" in every language,
each before its own offer. Pressing # anywhere comes here with the caller's place
(`Place`), so after choosing they are back where they were.
"""
from typing import NamedTuple

from ..content.utterance import Utterance as U
from . import twiml
from .paths import language_key_path, language_path, node_path
from .speech import offered_languages

MAX_LEAD_LANGUAGES = 2  # the welcome in more languages than this costs every caller seconds


class Place(NamedTuple):
    """Where a caller pressed # (a node, the part of an answer, a country)."""

    at: str = ""
    part: int = 0
    cc: str = ""


class LanguageMenu:
    def __init__(self, content, speech, settings):
        self.content = content
        self.speech = speech
        self.tree = content.tree
        self.keys = content.tree.keys
        self.timeout = int(settings["GATHER_TIMEOUT"])
        self.max_tries = int(settings["MAX_SILENT_TRIES"])

    def languages(self, region=None):
        """The offered languages in menu order: the caller's likely ones first."""
        offered = offered_languages(self.content, self.speech)
        likely = [lang for lang in self.tree.likely.get(region or "", []) if lang in offered]
        return likely + [lang for lang in offered if lang not in likely]

    def lead(self, offered, region=None):
        """The languages said before any is chosen (the welcome, a goodbye)."""
        likely = [lang for lang in self.tree.likely.get(region or "", []) if lang in offered]
        wanted = likely or [lang for lang in self.tree.welcome if lang in offered]
        return (wanted or offered[:1])[:MAX_LEAD_LANGUAGES]

    @staticmethod
    def pages(offered):
        """Languages per page: all on one page up to nine, else eight and "more"."""
        if len(offered) <= 9:
            return [offered]
        return [offered[i : i + 8] for i in range(0, len(offered), 8)]

    def incoming(self, region=None, remembered=None):
        offered = self.languages(region)
        if not offered:
            return twiml.unavailable()
        if remembered in offered:
            return twiml.say_then(self.speech, remembered, [U("welcome_back")], node_path(remembered, self.tree.start))
        if len(offered) == 1:
            return twiml.say_then(self.speech, offered[0], [U("welcome")], node_path(offered[0], self.tree.start, new=1))
        return self.menu(0, 0, region, greet=True)

    def menu(self, page=0, tries=0, region=None, place=Place(), intro=(), greet=False):
        offered = self.languages(region)
        if not offered:
            return twiml.unavailable()
        lead = self.lead(offered, region)
        if tries >= self.max_tries:
            return twiml.goodbye(self.speech, lead)
        pages = self.pages(offered)
        page = page if 0 <= page < len(pages) else 0
        said = [(lang, [U("welcome")]) for lang in lead] if greet else []
        before = list(intro) + ([U("no_input")] if tries else [])
        for index, lang in enumerate(pages[page], start=1):
            said.append((lang, before + [U("language_offer", (("key", str(index)),))]))
        if page + 1 < len(pages):
            said.append((lead[0], [U("language_more", (("key", "9"),))]))
        return twiml.ask(self.speech, language_key_path(page, *place), language_path(page, tries + 1, *place),
                         said, self.timeout)

    def chosen(self, digits, page=0, region=None):
        """The language a key chooses on a page, or None."""
        pages = self.pages(self.languages(region))
        page = page if 0 <= page < len(pages) else 0
        on_page = pages[page] if pages else []
        if len(digits) == 1 and digits in "123456789" and int(digits) <= len(on_page):
            return on_page[int(digits) - 1]
        return None

    def choose(self, digits, page=0, region=None, place=Place()):
        pages = self.pages(self.languages(region))
        page = page if 0 <= page < len(pages) else 0
        if digits == "9" and page + 1 < len(pages):
            return self.menu(page + 1, region=region, place=place)
        if digits == self.keys["back"] and page > 0:
            return self.menu(page - 1, region=region, place=place)
        lang = self.chosen(digits, page, region)
        if lang is None:
            return self.menu(page, 0, region, place, intro=[U("invalid_key")])
        if place.at and self.tree.get(place.at) is not None:
            return twiml.redirect(node_path(lang, place.at, place.part, cc=place.cc))
        return twiml.redirect(node_path(lang, self.tree.start, new=1))
