"""A caller's number: checked with phonenumbers (Dutch, or international with 00 or +)
and cut into the groups people read it in, each group said digit by digit."""
import re

import phonenumbers

from ..store.callers import WITHHELD

HOME = "NL"
INTERNATIONAL_PREFIX = "00"
MAX_TYPED = 17  # 00 + 15 digits: the longest number E.164 allows
LONGEST_GROUP = 4  # a longer run is said in pairs ("12345678" -> 12 34 56 78)


def _parsed(text):
    try:
        parsed = phonenumbers.parse(text, HOME)
    except phonenumbers.NumberParseException:
        return None
    return parsed if phonenumbers.is_valid_number(parsed) else None


def e164(parsed):
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def from_caller(raw):
    """Twilio's From as an E.164 number to call back, or None (withheld, not valid)."""
    raw = (raw or "").strip()
    if not raw or raw.lower() in WITHHELD or not raw.startswith("+"):
        return None
    parsed = _parsed(raw)
    return e164(parsed) if parsed else None


def from_keypad(digits):
    """Digits a caller typed ("0612345678", "0031612345678", "00212612345678") as an
    E.164 number, or None when it is no valid number."""
    digits = (digits or "").strip()
    if not digits.isascii() or not digits.isdigit() or len(digits) > MAX_TYPED:
        return None
    if digits.startswith(INTERNATIONAL_PREFIX):
        digits = "+" + digits[len(INTERNATIONAL_PREFIX):]
    parsed = _parsed(digits)
    return e164(parsed) if parsed else None


def _split(group):
    if len(group) <= LONGEST_GROUP:
        return [group]
    head = len(group) % 2
    parts = [group[:head + 2]] if head else []
    rest = group[len(parts[0]) if parts else 0:]
    return parts + [rest[i:i + 2] for i in range(0, len(rest), 2)]


def groups(number):
    """How the number is read back: a Dutch number as dialled here ("06", "12", "34",
    "56", "78"), a foreign one with 00 and its country code first ("00", "212", "6", ...),
    as its country writes it, long runs in pairs."""
    parsed = phonenumbers.parse(number, HOME)
    if phonenumbers.region_code_for_number(parsed) == HOME:
        written = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
        lead = []
    else:
        written = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        written = written.lstrip("+")
        lead = [INTERNATIONAL_PREFIX]
    runs = [run for run in re.split(r"\D+", written) if run]
    return lead + [part for run in runs for part in _split(run)]


def last_digits(number, shown=2):
    """The end of a number ("…78"), for a list that must not show it whole."""
    return "…" + number[-shown:] if number else ""
