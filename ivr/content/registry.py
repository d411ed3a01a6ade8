"""The prompt registry: every prompt the line uses, and every value its runtime slots
can take. The content check uses it to demand each prompt in each language; the
audio build uses it to make audio for each text ahead of time; the <Play> speech to
find the audio of what it says."""
import itertools
import re
from dataclasses import dataclass

from . import clock_words, countries
from .catalogue import placeholders
from .answers import LIST_PROMPTS
from .loader import SLOTS
from .safe_countries import RESULT_PROMPTS
from .utterance import Utterance

# Prompts the call flow itself says, besides those the menu tree names.
SYSTEM_PROMPTS = (
    "welcome", "language_offer", "language_more", "chunk_more", "answer_end", "no_input",
    "invalid_key", "not_available", "goodbye", "dial_code_empty", "dial_code_unknown",
    "welcome_back", "keys_help", "dial_code_home", "dial_code_shared", "dial_code_shared_how",
)
# Asking for a call back, and the call back itself (ivr.callbacks).
CALLBACK_PROMPTS = (
    "main_menu_callback", "answer_end_callback", "callback_number_is", "callback_digit", "callback_number_confirm",
    "callback_type_number", "callback_number_invalid", "callback_topics", "callback_queued",
    "callback_expect_today", "callback_expect_next_day", "callback_expect_later", "callback_refused_open",
    "callback_refused_limit", "callback_unavailable", "callback_greeting", "callback_connecting", "callback_sorry",
)
# The office finder's words (ivr/call/office_finder.py), each said with its slots.
OFFICE_PROMPTS = (
    "answer_end_office", "postcode_ask", "postcode_area", "postcode_typed", "postcode_pair", "postcode_unknown",
    "postcode_closest", "postcode_instead", "province_ask", "province_name", "province_key", "province_number", "province_more", "office_is",
    "office_open_now", "office_next_hours", "office_from", "office_until", "office_legal", "office_hours_ask",
    "office_hours_check", "office_closed_for_now", "office_connect", "office_choices", "office_connecting",
    "office_no_answer", "sms_sending", "sms_failed", "sms_no_number", "office_none",
)
# Prompts whose slots staff type (an office's name and place): not enumerable ahead, so
# their audio is made when staff save the office (ivr/jobs/office_audio.py), kept by
# every build, and played while its text is current; <Say> until then.
MADE_WHEN_SAVED = ("office_is",)
PROVINCE_PAGE = 4  # provinces a page of the list names (keys 1-4; 7 for the others): under MAX_MENU_SECONDS
# Keys a {key} slot can name, by prompt: the language menu numbers its languages,
# and offers "more" on 9.
LANGUAGE_KEYS = tuple(str(n) for n in range(1, 10))
KEY_DOMAINS = {"language_offer": LANGUAGE_KEYS, "language_more": ("9",),
               "callback_digit": tuple("0123456789"),  # a number read back digit by digit
               "province_key": ("1",), "province_number": tuple(str(n) for n in range(2, PROVINCE_PAGE + 1))}
PAIRS = tuple(f"{n:02d}" for n in range(100))  # a postcode is said as two numbers: "10 11"


def used_prompts(content):
    """Every prompt id the line can say, with where it is used."""
    used = {p: "the call flow" for p in SYSTEM_PROMPTS}
    used.update({p: "safe-country answers" for p in RESULT_PROMPTS})
    used.update({p: "lists from facts/" for p in LIST_PROMPTS})
    for group in content.safe_list.groups():
        used[f"safe_group_{group}"] = "facts/safe_countries.toml"
    for node in content.tree.nodes.values():
        for prompt in node.prompts:
            used[prompt] = f"node {node.id}"
        # Its chunks, those made from lists in facts/ included.
        for utterance in [u for chunk in content.chunks(node) for u in chunk]:
            used.setdefault(utterance.prompt, f"node {node.id}")
        if node.caller_country.get("prompt"):
            used[node.caller_country["prompt"]] = f"node {node.id}"
    for prompt in OFFICE_PROMPTS:  # last, so the prompts' numbers staff know stay as they were
        used.setdefault(prompt, "the office finder")
    for prompt in CALLBACK_PROMPTS:
        used.setdefault(prompt, "calls back")
    return used


def spoken_dates(content):
    """Every date the line can say: date facts, and the safe list's verified dates."""
    safe = content.safe_list
    dates = {safe.verified} | {d.verified for d in safe.countries.values() if d.verified}
    dates |= {fact.value for fact in content.figures.values() if fact.kind == "date"}
    return sorted(dates)


def _domains(content):
    keys = dict(KEY_DOMAINS)
    for node in content.tree.nodes.values():
        if node.caller_country.get("prompt"):
            keys[node.caller_country["prompt"]] = (node.caller_country["key"],)
    safe = content.safe_list
    dates = sorted({safe.verified} | {d.verified for d in safe.countries.values() if d.verified})
    times = clock_words.QUARTER_HOURS
    # An office's name and place are typed by staff: made as audio when they save them.
    return keys, {"country": countries.all_regions(), "date": dates, "start": times, "until": times,
                  "day": clock_words.DAY_TOKENS, "pair": PAIRS, "province": [p.id for p in content.regions.provinces],
                  "office": (), "place": ()}


def utterances(content):
    """Every utterance the line can say (the same in every language)."""
    keys, domains = _domains(content)
    reference = content.reference
    said = []
    for prompt in used_prompts(content):
        if not reference.has(prompt):
            continue
        names = sorted(placeholders(reference.text(prompt)) & set(SLOTS))
        values = [keys.get(prompt, LANGUAGE_KEYS) if name == "key" else domains[name] for name in names]
        for combination in itertools.product(*values):
            said.append(Utterance(prompt, tuple(zip(names, combination))))
    return said


def utterance_id(lang, utterance):
    """A stable name for one utterance in one language, whatever the slot order."""
    slots = ";".join(
        f"{name}={value.isoformat() if hasattr(value, 'isoformat') else value}" for name, value in sorted(utterance.slots)
    )
    return f"{lang}|{utterance.prompt}|{slots}"


@dataclass(frozen=True)
class Item:
    """One utterance in one language, with its words."""

    id: str
    lang: str
    utterance: Utterance
    text: str


def items(content):
    """Everything the line can say, in every language whose catalogue has the prompt."""
    found = []
    for utterance in utterances(content):
        for lang, catalogue in content.catalogues.items():
            if catalogue.has(utterance.prompt):
                found.append(Item(utterance_id(lang, utterance), lang, utterance, content.text(lang, utterance)))
    return found


def record_first(content, lang):
    """(item id, Dutch word) for every prompt of `lang` whose words hold a Dutch name
    its engine garbles (menus/languages.toml): first in line for a staff recording.
    Dutch itself is read by a Dutch voice, so none there."""
    if content.catalogues[lang].language.locale.lower().startswith("nl"):
        return []
    found = []
    for item in items(content):
        if item.lang == lang:
            term = next((t for t in content.tree.record_first
                         if re.search(rf"\b{re.escape(t)}\b", item.text, re.IGNORECASE)), None)
            if term:
                found.append((item.id, term))
    return found


def numbers(content):
    """{utterance id less its language ("welcome|"): its number}: its place in the
    order of `utterances`, from 1, the same in every language, for staff to name a
    prompt by (on the phone, in the admin, in `ivr audio coverage`)."""
    return {utterance_id("", u)[1:]: n for n, u in enumerate(utterances(content), 1)}
