"""The call flow: what the line answers to each webhook, as TwiML.

Plain functions of the content, a Speech and the request's values; no Flask. Every
question goes through `twiml.ask`, which follows each <Gather> with a <Redirect>
back to the same place with one more silent try, so silence re-prompts, and the
third silence ends with a goodbye, never a drop. The start of a call (welcome,
language menu) is `language_menu.LanguageMenu`, here as `flow.language`.
"""
from ..content import countries
from ..content.utterance import Utterance as U
from . import twiml
from .language_menu import LanguageMenu
from .office_finder import NODE as OFFICE_NODE, OfficeFinder
from .paths import callback_path, key_path, language_path, node_path

MAX_ENTRY_DIGITS = 6  # the longest dialling code a caller needs to type ("1876")
INTERNATIONAL_PREFIX = "00"  # what people in Europe dial before a country code
CALLBACK_KEY = "7"  # a call back (ivr.callbacks), from the main menu and an answer's end


class Flow:
    def __init__(self, content, speech, settings, offices=None):
        self.content = content
        self.speech = speech
        self.tree = content.tree
        self.keys = content.tree.keys
        self.gather_timeout = int(settings["GATHER_TIMEOUT"])
        self.entry_timeout = int(settings["ENTRY_TIMEOUT"])
        self.max_tries = int(settings["MAX_SILENT_TRIES"])
        self.language = LanguageMenu(content, speech, settings)
        # The nearest office (ivr/call/office_lookup.py); without office data the
        # postcode node says its chunks, where to ask in person.
        self.finder = OfficeFinder(content, speech, settings, offices)

    @property
    def offices(self):
        """The office finder when the line has office data, else None."""
        return self.finder if self.finder.lookup is not None else None

    def languages(self):
        return self.language.languages()

    def incoming(self):
        return self.language.incoming()

    # -- nodes ---------------------------------------------------------------
    def unknown(self, lang):
        """A URL naming a language or node the line no longer has: start again there."""
        if lang in self.languages():
            return twiml.say_then(self.speech, lang, [U("not_available")], node_path(lang, self.tree.start))
        return twiml.redirect(language_path())

    def uses_caller(self, node_id):
        """Whether a node's answer depends on the caller's number."""
        node = self.tree.get(node_id)
        return bool(node and (node.caller_country or (node.type == "postcode" and self.offices)))

    def caller_place(self, node_id, caller):
        """What of the caller's number a node's answer depends on (for the cache key):
        their country, or at the postcode their landline's province."""
        node = self.tree.get(node_id)
        if node is not None and node.type == "postcode":
            own = self.content.regions.of_caller(caller)
            return own.id if own else None
        return self.caller_region(caller)

    @staticmethod
    def caller_region(caller, parsed=None):
        return countries.region_of_caller(caller, parsed) if caller else None

    def knows(self, lang, node_id):
        # `lang in self.languages()`, without asking the speech about every language
        return lang in self.content.catalogues and self.speech.can_speak(lang) and self.tree.get(node_id) is not None

    def node(self, lang, node_id, part=0, tries=0, caller="", cc="", intro=(), new=0):
        if not self.knows(lang, node_id):
            return self.unknown(lang)
        node = self.tree.get(node_id)
        if tries >= self.max_tries:
            return twiml.goodbye(self.speech, [lang])
        lead = list(intro) + ([U("no_input")] if tries else [])
        repeat = not tries and not intro
        if node.type == "menu":
            own = self.caller_region(caller) if node.caller_country else None
            return self._menu(lang, node, lead, tries, own, new)
        if node.type == "postcode" and self.offices:
            return self.offices.ask(lang, tries, caller, new, intro)
        if node.type in ("answer", "postcode"):
            return self._answer(lang, node, self.content.chunks(node), part, tries, lead, repeat, new=new)
        if node.type == "country":
            if cc not in countries.all_regions():
                return twiml.redirect(node_path(lang, node.parent if self.tree.get(node.parent) else self.tree.start))
            return self._answer(lang, node, [self._country_answer(cc)], 0, tries, lead, repeat, cc, new)
        return self._entry(lang, node, lead, tries, new)

    def _menu(self, lang, node, lead, tries, own_country, new):
        said = list(lead)
        if own_country:
            # Offered first, before the menu's own choices: the country's name, then
            # the offer (one recording per country name, not per sentence).
            said.append(U("country_name", (("country", own_country),)))
            said.append(U(node.caller_country["prompt"], (("key", node.caller_country["key"]),)))
        said += [U(p) for p in node.prompts]
        if new and node.id == self.tree.start:
            # A caller new to the line hears that 7 calls them back; everyone hears it at
            # the end of every answer. (Said to all, it would put a returning caller's
            # way to an answer over RETURNING_ANSWER_SECONDS.)
            said.append(U("main_menu_callback"))
        return twiml.ask(self.speech, key_path(lang, node.id, new=new), node_path(lang, node.id, tries=tries + 1, new=new),
                         [(lang, said)], self.gather_timeout)

    def _answer(self, lang, node, chunks, part, tries, lead, repeat, cc="", new=0):
        """One chunk of an answer, then its choices; a re-prompt repeats only the choices.
        A caller new to the line hears the keys that work everywhere once, at the
        end of their first answer."""
        if not chunks:  # a list in facts/ emptied by hand: the check reports it
            return self.unknown(lang)
        part = part if 0 <= part < len(chunks) else 0
        said = list(lead) + (list(chunks[part]) if repeat else [])
        last = part + 1 >= len(chunks)
        if not last:
            said.append(U("chunk_more"))
        else:
            said += [U(p) for p in node.prompts] + [U("answer_end")] + self._office_offer(node) + [U("answer_end_callback")]
            said += [U("keys_help")] if new else []
        carry = 0 if last else new
        return twiml.ask(self.speech, key_path(lang, node.id, part, cc, carry), node_path(lang, node.id, part, tries + 1, cc, new),
                         [(lang, said)], self.gather_timeout)

    def _office_offer(self, node):
        """"For the nearest office, press 8", at the end of every answer but the office's own."""
        return [U("answer_end_office")] if self.offices and node.type != "postcode" else []

    def offers_office(self, node, digits, part):
        """Whether `digits` at this part of `node` is the nearest-office key."""
        if not (self.offices and digits == self.keys.get("office") and node.type in ("answer", "country")):
            return False
        return node.type == "country" or part + 1 >= len(self.content.chunks(node))

    def _country_answer(self, region):
        """What the line says of one country; for the main country of a shared dialling
        code, also which others use it and how to reach them."""
        said = list(self.content.safe_list.answer(region))
        others = countries.sharing_code(region, self.tree.shared_codes)
        if others:
            said.append(U("dial_code_shared"))
            said += [U("country_name", (("country", other),)) for other in others]
            said.append(U("dial_code_shared_how"))
        return said

    def _entry(self, lang, node, lead, tries, new):
        said = lead + [U(p) for p in node.prompts]
        return twiml.ask(self.speech, key_path(lang, node.id, new=new), node_path(lang, node.id, tries=tries + 1, new=new),
                         [(lang, said)], self.entry_timeout, entry=True)

    # -- keys ----------------------------------------------------------------
    def key(self, lang, node_id, digits, part=0, caller="", cc="", new=0):
        if not self.knows(lang, node_id):
            return self.unknown(lang)
        node = self.tree.get(node_id)
        digits = (digits or "").strip()
        if node.type == "dial_code":
            return self._dial_code_key(lang, node, digits, new)
        if node.type == "postcode" and self.offices:
            return self.offices.typed(lang, digits, caller, new)
        go = self._global_key(lang, node, digits, part, cc, new)
        if go is not None:
            return go
        if digits == CALLBACK_KEY and self._offers_callback(node, part):
            return twiml.redirect(callback_path(lang, back=node.id))
        if self.offers_office(node, digits, part) and node.id != OFFICE_NODE:
            return twiml.redirect(node_path(lang, OFFICE_NODE, new=new))
        if node.type in ("answer", "country", "postcode"):
            chunk_count = 1 if node.type == "country" else len(self.content.chunks(node))
            if part + 1 < chunk_count:
                if digits == self.keys["next"]:
                    return twiml.redirect(node_path(lang, node.id, part + 1, cc=cc, new=new))
                return self.node(lang, node.id, part, caller=caller, cc=cc, intro=[U("invalid_key")], new=new)
        target = node.options.get(digits)
        if target is None and node.caller_country and digits == node.caller_country.get("key"):
            own = countries.region_of_caller(caller)
            if own:
                return twiml.redirect(node_path(lang, node.caller_country["target"], cc=own, new=new))
        if target is not None:
            return twiml.redirect(node_path(lang, target, new=new))
        return self.node(lang, node.id, part, caller=caller, cc=cc, intro=[U("invalid_key")], new=new)

    def _offers_callback(self, node, part):
        """The main menu and the last part of every answer offer a call back."""
        if node.id == self.tree.start:
            return True
        if node.type == "country":
            return True
        return node.type == "answer" and part + 1 >= len(self.content.chunks(node))

    def _global_key(self, lang, node, digits, part, cc, new=0):
        keys = self.keys
        if digits == keys["repeat"]:
            return twiml.redirect(node_path(lang, node.id, part, cc=cc, new=new))
        if digits == keys["back"]:
            return twiml.redirect(node_path(lang, node.parent or self.tree.start, new=new))
        if digits == keys["main"]:
            return twiml.redirect(node_path(lang, self.tree.start, new=new))
        if digits == keys["language"]:
            return twiml.redirect(language_path(at=node.id, part=part, cc=cc))  # back here once chosen
        return None

    def _dial_code_key(self, lang, node, digits, new=0):
        # A dialling code never starts with 0 and no code is "9" alone, so the
        # global keys keep their meaning here when typed on their own.
        if digits in (self.keys["back"], self.keys["main"], self.keys["repeat"]):
            return self._global_key(lang, node, digits, 0, "", new)
        if digits.startswith(INTERNATIONAL_PREFIX):
            digits = digits[len(INTERNATIONAL_PREFIX):]
        if not digits:
            return self.node(lang, node.id, intro=[U("dial_code_empty")], new=new)
        region = countries.region_for_dialling_code(digits) if len(digits) <= MAX_ENTRY_DIGITS else None
        if region is None:
            return self.node(lang, node.id, intro=[U("dial_code_unknown")], new=new)
        if region == countries.HOME_REGION:
            return self.node(lang, node.id, intro=[U("dial_code_home")], new=new)
        return twiml.redirect(node_path(lang, node.result, cc=region, new=new))
