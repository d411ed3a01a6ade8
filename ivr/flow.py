"""The call flow: what the line answers to each webhook, as TwiML.

Plain functions of the content, a Speech and the request's values; no Flask. Every
<Gather> is followed by a <Redirect> back to the same place with one more silent try,
so silence re-prompts, and the third silence ends with a goodbye, never a drop.
State travels in the URLs (language, node, part, tries), so any worker can answer.
"""
from urllib.parse import urlencode

from twilio.twiml.voice_response import VoiceResponse

from . import countries
from .speech import offered_languages
from .utterance import Utterance

U = Utterance
# Prompts the flow itself says, besides those the menu tree names.
SYSTEM_PROMPTS = (
    "welcome", "language_offer", "language_more", "chunk_more", "answer_end", "no_input",
    "invalid_key", "not_available", "goodbye", "dial_code_empty", "dial_code_unknown",
)
MAX_ENTRY_DIGITS = 6  # the longest dialling code a caller needs to type ("1876")


# -- paths ------------------------------------------------------------------
def _path(base, **params):
    query = urlencode({k: v for k, v in params.items() if v not in (None, "", 0)})
    return f"{base}?{query}" if query else base


def language_path(page=0, tries=0):
    return _path("/voice/language", page=page, tries=tries)


def language_key_path(page=0):
    return _path("/voice/language/key", page=page)


def node_path(lang, node_id, part=0, tries=0, cc=""):
    return _path(f"/voice/{lang}/{node_id}", part=part, tries=tries, cc=cc)


def key_path(lang, node_id, part=0, cc=""):
    return _path(f"/voice/{lang}/{node_id}/key", part=part, cc=cc)


class Flow:
    def __init__(self, content, speech, settings):
        self.content = content
        self.speech = speech
        self.tree = content.tree
        self.keys = content.tree.keys
        self.gather_timeout = int(settings["GATHER_TIMEOUT"])
        self.entry_timeout = int(settings["ENTRY_TIMEOUT"])
        self.max_tries = int(settings["MAX_SILENT_TRIES"])

    # -- helpers ----------------------------------------------------------
    def languages(self):
        return offered_languages(self.content, self.speech)

    def _menu_gather(self, response, action, num_digits=1, **extra):
        return response.gather(
            action=action,
            method="POST",
            num_digits=num_digits,
            timeout=self.gather_timeout,
            action_on_empty_result=False,
            **extra,
        )

    def _goodbye(self, response, lang_list):
        for lang in lang_list:
            self.speech.add(response, lang, [U("goodbye")])
        response.hangup()
        return response

    def _welcome_languages(self, offered):
        wanted = [lang for lang in self.tree.welcome if lang in offered]
        return wanted or offered[:1]

    # -- the language menu ---------------------------------------------------
    def _pages(self, offered):
        """Languages per page: all on one page up to nine, else eight and "more"."""
        if len(offered) <= 9:
            return [offered]
        return [offered[i : i + 8] for i in range(0, len(offered), 8)]

    def incoming(self):
        offered = self.languages()
        response = VoiceResponse()
        if not offered:
            return self._unavailable()
        if len(offered) == 1:
            self.speech.add(response, offered[0], [U("welcome")])
            response.redirect(node_path(offered[0], self.tree.start), method="POST")
            return response
        return self.language_menu(0, 0, greet=True)

    def _unavailable(self):
        """Nothing can be spoken (no audio built, say): end politely in Twilio's default voice."""
        response = VoiceResponse()
        response.say("Sorry, this line is not available at the moment. Goodbye.")
        response.hangup()
        return response

    def language_menu(self, page=0, tries=0, intro=None, greet=False):
        offered = self.languages()
        if not offered:
            return self._unavailable()
        response = VoiceResponse()
        welcome = self._welcome_languages(offered)
        if tries >= self.max_tries:
            return self._goodbye(response, welcome)
        pages = self._pages(offered)
        page = page if 0 <= page < len(pages) else 0
        gather = self._menu_gather(response, language_key_path(page), finish_on_key="")
        for lang in welcome:
            lead = list(intro or [])
            if greet:
                lead.append(U("welcome"))
            if tries:
                lead.append(U("no_input"))
            if lead:
                self.speech.add(gather, lang, lead)
        for index, lang in enumerate(pages[page], start=1):
            self.speech.add(gather, lang, [U("language_offer", (("key", str(index)),))])
        if page + 1 < len(pages):
            self.speech.add(gather, welcome[0], [U("language_more", (("key", "9"),))])
        response.redirect(language_path(page, tries + 1), method="POST")
        return response

    def choose_language(self, digits, page=0):
        offered = self.languages()
        pages = self._pages(offered)
        page = page if 0 <= page < len(pages) else 0
        on_page = pages[page] if pages else []
        if digits == "9" and page + 1 < len(pages):
            return self.language_menu(page + 1)
        if digits == self.keys["back"] and page > 0:
            return self.language_menu(page - 1)
        if len(digits) == 1 and digits in "123456789" and int(digits) <= len(on_page):
            return self._redirect(node_path(on_page[int(digits) - 1], self.tree.start))
        return self.language_menu(page, 0, intro=[U("invalid_key")])

    # -- nodes ---------------------------------------------------------------
    def unknown(self, lang):
        """A URL naming a language or node the line no longer has: start again there."""
        response = VoiceResponse()
        if lang in self.languages():
            self.speech.add(response, lang, [U("not_available")])
            response.redirect(node_path(lang, self.tree.start), method="POST")
            return response
        return self._redirect(language_path())

    def uses_caller(self, node_id):
        """Whether a node's answer depends on the caller's number."""
        node = self.tree.get(node_id)
        return bool(node and node.caller_country)

    def caller_region(self, caller):
        return countries.region_of_caller(caller) if caller else None

    def knows(self, lang, node_id):
        return lang in self.languages() and self.tree.get(node_id) is not None

    def node(self, lang, node_id, part=0, tries=0, caller="", cc="", intro=None):
        if not self.knows(lang, node_id):
            return self.unknown(lang)
        node = self.tree.get(node_id)
        response = VoiceResponse()
        if tries >= self.max_tries:
            return self._goodbye(response, [lang])
        return getattr(self, f"_render_{node.type}")(response, lang, node, part, tries, caller, cc, list(intro or []))

    def _lead(self, tries, intro):
        return intro + ([U("no_input")] if tries else [])

    def _render_menu(self, response, lang, node, part, tries, caller, cc, intro):
        gather = self._menu_gather(response, key_path(lang, node.id), finish_on_key="")
        said = self._lead(tries, intro)
        own = countries.region_of_caller(caller) if node.caller_country else None
        if own:
            # Offered first, before the menu's own choices: the country's name, then
            # the offer (one recording per country name, not per sentence).
            said.append(U("country_name", (("country", own),)))
            said.append(U(node.caller_country["prompt"], (("key", node.caller_country["key"]),)))
        said += [U(p) for p in node.prompts]
        self.speech.add(gather, lang, said)
        response.redirect(node_path(lang, node.id, tries=tries + 1), method="POST")
        return response

    def _answer_choices(self, node, part, chunk_count):
        if part + 1 < chunk_count:
            return [U("chunk_more")]
        return [U(p) for p in node.prompts] + [U("answer_end")]

    def _render_answer(self, response, lang, node, part, tries, caller, cc, intro, chunks=None):
        chunks = chunks if chunks is not None else self.content.chunks(node)
        if not chunks:  # a list in facts/ emptied by hand: the check reports it
            return self.unknown(lang)
        part = part if 0 <= part < len(chunks) else 0
        gather = self._menu_gather(response, key_path(lang, node.id, part, cc), finish_on_key="")
        said = self._lead(tries, intro)
        if not tries and not intro:
            said += chunks[part]
        said += self._answer_choices(node, part, len(chunks))
        self.speech.add(gather, lang, said)
        response.redirect(node_path(lang, node.id, part, tries + 1, cc), method="POST")
        return response

    def _render_country(self, response, lang, node, part, tries, caller, cc, intro):
        if cc not in countries.all_regions():
            return self._back_to_parent(response, lang, node)
        chunks = [self.content.safe_list.answer(cc)]
        return self._render_answer(response, lang, node, 0, tries, caller, cc, intro, chunks)

    def _back_to_parent(self, response, lang, node):
        return self._redirect(node_path(lang, node.parent if self.tree.get(node.parent) else self.tree.start))

    def _render_dial_code(self, response, lang, node, part, tries, caller, cc, intro):
        gather = response.gather(
            action=key_path(lang, node.id),
            method="POST",
            finish_on_key="#",
            timeout=self.entry_timeout,
            action_on_empty_result=False,
        )
        said = self._lead(tries, intro) + [U(p) for p in node.prompts]
        self.speech.add(gather, lang, said)
        response.redirect(node_path(lang, node.id, tries=tries + 1), method="POST")
        return response

    # -- keys ----------------------------------------------------------------
    def key(self, lang, node_id, digits, part=0, caller="", cc=""):
        if not self.knows(lang, node_id):
            return self.unknown(lang)
        node = self.tree.get(node_id)
        digits = (digits or "").strip()
        if node.type == "dial_code":
            return self._dial_code_key(lang, node, digits, caller)
        go = self._global_key(lang, node, digits, part, cc)
        if go is not None:
            return go
        if node.type == "answer" or node.type == "country":
            chunk_count = 1 if node.type == "country" else len(self.content.chunks(node))
            if part + 1 < chunk_count:
                if digits == self.keys["next"]:
                    return self._redirect(node_path(lang, node.id, part + 1, cc=cc))
                return self.node(lang, node.id, part, caller=caller, cc=cc, intro=[U("invalid_key")])
        target = node.options.get(digits)
        if target is None and node.caller_country and digits == node.caller_country.get("key"):
            own = countries.region_of_caller(caller)
            if own:
                return self._redirect(node_path(lang, node.caller_country["target"], cc=own))
        if target is not None:
            return self._redirect(node_path(lang, target))
        return self.node(lang, node.id, part, caller=caller, cc=cc, intro=[U("invalid_key")])

    def _redirect(self, path):
        response = VoiceResponse()
        response.redirect(path, method="POST")
        return response

    def _global_key(self, lang, node, digits, part, cc):
        keys = self.keys
        if digits == keys["repeat"]:
            return self._redirect(node_path(lang, node.id, part, cc=cc))
        if digits == keys["back"]:
            return self._redirect(node_path(lang, node.parent or self.tree.start))
        if digits == keys["main"]:
            return self._redirect(node_path(lang, self.tree.start))
        if digits == keys["language"]:
            return self._redirect(language_path())
        return None

    def _dial_code_key(self, lang, node, digits, caller):
        # A dialling code never starts with 0 and no code is "9" alone, so the
        # global keys keep their meaning here when typed on their own.
        if digits in (self.keys["back"], self.keys["main"], self.keys["repeat"]):
            return self._global_key(lang, node, digits, 0, "")
        if not digits:
            return self.node(lang, node.id, intro=[U("dial_code_empty")])
        region = countries.region_for_dialling_code(digits) if len(digits) <= MAX_ENTRY_DIGITS else None
        if region is None:
            return self.node(lang, node.id, intro=[U("dial_code_unknown")])
        return self._redirect(node_path(lang, node.result, cc=region))
