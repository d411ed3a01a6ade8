"""The call flow: what the line answers to each webhook, as TwiML.

Plain functions of the content, a Speech and the request's values; no Flask. Every
<Gather> is followed by a <Redirect> back to the same place with one more silent try
(`_ask`, the one place that writes a Gather), so silence re-prompts, and the third
silence ends with a goodbye, never a drop.
"""
from twilio.twiml.voice_response import VoiceResponse

from ..content import countries
from ..content.utterance import Utterance as U
from .paths import key_path, language_key_path, language_path, node_path
from .speech import offered_languages

MAX_ENTRY_DIGITS = 6  # the longest dialling code a caller needs to type ("1876")


def redirect(path):
    response = VoiceResponse()
    response.redirect(path, method="POST")
    return response


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

    def _ask(self, action, again, said, entry=False):
        """A Gather that says `said` ([(lang, utterances)]) and posts keys to `action`,
        then the way on when nothing is pressed: a Redirect to `again`. A menu takes
        one key; an entry (a dialling code) takes digits up to #."""
        response = VoiceResponse()
        if entry:
            gather = response.gather(action=action, method="POST", finish_on_key="#",
                                     timeout=self.entry_timeout, action_on_empty_result=False)
        else:
            gather = response.gather(action=action, method="POST", num_digits=1, finish_on_key="",
                                     timeout=self.gather_timeout, action_on_empty_result=False)
        for lang, utterances in said:
            if utterances:
                self.speech.add(gather, lang, utterances)
        response.redirect(again, method="POST")
        return response

    def _goodbye(self, languages):
        response = VoiceResponse()
        for lang in languages:
            self.speech.add(response, lang, [U("goodbye")])
        response.hangup()
        return response

    def _unavailable(self):
        """Nothing can be spoken (no audio built, say): end politely in Twilio's default voice."""
        response = VoiceResponse()
        response.say("Sorry, this line is not available at the moment. Goodbye.")
        response.hangup()
        return response

    def _welcome_languages(self, offered):
        wanted = [lang for lang in self.tree.welcome if lang in offered]
        return wanted or offered[:1]

    @staticmethod
    def _lead(tries, intro):
        return list(intro) + ([U("no_input")] if tries else [])

    # -- the language menu ---------------------------------------------------
    @staticmethod
    def _pages(offered):
        """Languages per page: all on one page up to nine, else eight and "more"."""
        if len(offered) <= 9:
            return [offered]
        return [offered[i : i + 8] for i in range(0, len(offered), 8)]

    def incoming(self):
        offered = self.languages()
        if not offered:
            return self._unavailable()
        if len(offered) == 1:
            response = VoiceResponse()
            self.speech.add(response, offered[0], [U("welcome")])
            response.redirect(node_path(offered[0], self.tree.start), method="POST")
            return response
        return self.language_menu(0, 0, greet=True)

    def language_menu(self, page=0, tries=0, intro=(), greet=False):
        offered = self.languages()
        if not offered:
            return self._unavailable()
        welcome = self._welcome_languages(offered)
        if tries >= self.max_tries:
            return self._goodbye(welcome)
        pages = self._pages(offered)
        page = page if 0 <= page < len(pages) else 0
        lead = list(intro) + ([U("welcome")] if greet else []) + ([U("no_input")] if tries else [])
        said = [(lang, lead) for lang in welcome]
        said += [(lang, [U("language_offer", (("key", str(index)),))]) for index, lang in enumerate(pages[page], start=1)]
        if page + 1 < len(pages):
            said.append((welcome[0], [U("language_more", (("key", "9"),))]))
        return self._ask(language_key_path(page), language_path(page, tries + 1), said)

    def choose_language(self, digits, page=0):
        pages = self._pages(self.languages())
        page = page if 0 <= page < len(pages) else 0
        on_page = pages[page] if pages else []
        if digits == "9" and page + 1 < len(pages):
            return self.language_menu(page + 1)
        if digits == self.keys["back"] and page > 0:
            return self.language_menu(page - 1)
        if len(digits) == 1 and digits in "123456789" and int(digits) <= len(on_page):
            return redirect(node_path(on_page[int(digits) - 1], self.tree.start))
        return self.language_menu(page, 0, intro=[U("invalid_key")])

    # -- nodes ---------------------------------------------------------------
    def unknown(self, lang):
        """A URL naming a language or node the line no longer has: start again there."""
        if lang in self.languages():
            response = VoiceResponse()
            self.speech.add(response, lang, [U("not_available")])
            response.redirect(node_path(lang, self.tree.start), method="POST")
            return response
        return redirect(language_path())

    def uses_caller(self, node_id):
        """Whether a node's answer depends on the caller's number."""
        node = self.tree.get(node_id)
        return bool(node and node.caller_country)

    @staticmethod
    def caller_region(caller):
        return countries.region_of_caller(caller) if caller else None

    def knows(self, lang, node_id):
        return lang in self.languages() and self.tree.get(node_id) is not None

    def node(self, lang, node_id, part=0, tries=0, caller="", cc="", intro=()):
        if not self.knows(lang, node_id):
            return self.unknown(lang)
        node = self.tree.get(node_id)
        if tries >= self.max_tries:
            return self._goodbye([lang])
        lead = self._lead(tries, intro)
        if node.type == "menu":
            return self._menu(lang, node, lead, tries, self.caller_region(caller) if node.caller_country else None)
        if node.type == "answer":
            return self._answer(lang, node, self.content.chunks(node), part, tries, lead, repeat=not tries and not intro)
        if node.type == "country":
            if cc not in countries.all_regions():
                return redirect(node_path(lang, node.parent if self.tree.get(node.parent) else self.tree.start))
            chunks = [self.content.safe_list.answer(cc)]
            return self._answer(lang, node, chunks, 0, tries, lead, repeat=not tries and not intro, cc=cc)
        return self._entry(lang, node, lead, tries)

    def _menu(self, lang, node, lead, tries, own_country):
        said = list(lead)
        if own_country:
            # Offered first, before the menu's own choices: the country's name, then
            # the offer (one recording per country name, not per sentence).
            said.append(U("country_name", (("country", own_country),)))
            said.append(U(node.caller_country["prompt"], (("key", node.caller_country["key"]),)))
        said += [U(p) for p in node.prompts]
        return self._ask(key_path(lang, node.id), node_path(lang, node.id, tries=tries + 1), [(lang, said)])

    def _answer(self, lang, node, chunks, part, tries, lead, repeat, cc=""):
        """One chunk of an answer, then its choices; a re-prompt repeats only the choices."""
        if not chunks:  # a list in facts/ emptied by hand: the check reports it
            return self.unknown(lang)
        part = part if 0 <= part < len(chunks) else 0
        said = list(lead) + (list(chunks[part]) if repeat else [])
        if part + 1 < len(chunks):
            said.append(U("chunk_more"))
        else:
            said += [U(p) for p in node.prompts] + [U("answer_end")]
        return self._ask(key_path(lang, node.id, part, cc), node_path(lang, node.id, part, tries + 1, cc), [(lang, said)])

    def _entry(self, lang, node, lead, tries):
        said = lead + [U(p) for p in node.prompts]
        return self._ask(key_path(lang, node.id), node_path(lang, node.id, tries=tries + 1), [(lang, said)], entry=True)

    # -- keys ----------------------------------------------------------------
    def key(self, lang, node_id, digits, part=0, caller="", cc=""):
        if not self.knows(lang, node_id):
            return self.unknown(lang)
        node = self.tree.get(node_id)
        digits = (digits or "").strip()
        if node.type == "dial_code":
            return self._dial_code_key(lang, node, digits)
        go = self._global_key(lang, node, digits, part, cc)
        if go is not None:
            return go
        if node.type in ("answer", "country"):
            chunk_count = 1 if node.type == "country" else len(self.content.chunks(node))
            if part + 1 < chunk_count:
                if digits == self.keys["next"]:
                    return redirect(node_path(lang, node.id, part + 1, cc=cc))
                return self.node(lang, node.id, part, caller=caller, cc=cc, intro=[U("invalid_key")])
        target = node.options.get(digits)
        if target is None and node.caller_country and digits == node.caller_country.get("key"):
            own = countries.region_of_caller(caller)
            if own:
                return redirect(node_path(lang, node.caller_country["target"], cc=own))
        if target is not None:
            return redirect(node_path(lang, target))
        return self.node(lang, node.id, part, caller=caller, cc=cc, intro=[U("invalid_key")])

    def _global_key(self, lang, node, digits, part, cc):
        keys = self.keys
        if digits == keys["repeat"]:
            return redirect(node_path(lang, node.id, part, cc=cc))
        if digits == keys["back"]:
            return redirect(node_path(lang, node.parent or self.tree.start))
        if digits == keys["main"]:
            return redirect(node_path(lang, self.tree.start))
        if digits == keys["language"]:
            return redirect(language_path())
        return None

    def _dial_code_key(self, lang, node, digits):
        # A dialling code never starts with 0 and no code is "9" alone, so the
        # global keys keep their meaning here when typed on their own.
        if digits in (self.keys["back"], self.keys["main"], self.keys["repeat"]):
            return self._global_key(lang, node, digits, 0, "")
        if not digits:
            return self.node(lang, node.id, intro=[U("dial_code_empty")])
        region = countries.region_for_dialling_code(digits) if len(digits) <= MAX_ENTRY_DIGITS else None
        if region is None:
            return self.node(lang, node.id, intro=[U("dial_code_unknown")])
        return redirect(node_path(lang, node.result, cc=region))
