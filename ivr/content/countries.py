"""Countries: dialling codes to countries (phonenumbers) and names per language (Babel)."""
import re
from functools import lru_cache

import phonenumbers
from babel import Locale
from phonenumbers import PhoneMetadata

HOME_REGION = "NL"


def region_for_dialling_code(digits):
    """The country whose international dialling code the caller typed, or None.

    "212" is Morocco; "1876" is Jamaica (a code shared by several countries is told
    apart by the digits after it); "1" alone is the shared code's main country.
    """
    if not digits or not (digits.isascii() and digits.isdigit()) or len(digits) > 6:  # "²".isdigit()
        return None
    for length in (1, 2, 3):
        code, rest = digits[:length], digits[length:]
        regions = phonenumbers.region_codes_for_country_code(int(code))
        if not regions or regions == ("001",):
            continue
        if not rest:
            return phonenumbers.region_code_for_country_code(int(code))
        for region in regions:
            metadata = PhoneMetadata.metadata_for_region(region)
            pattern = metadata.leading_digits if metadata else None
            if pattern and re.match(f"(?:{pattern})$", rest):
                return region
        return None
    return None


@lru_cache(maxsize=None)
def _only_region(code):
    """The one country using a dialling code and its numbers' possible lengths, or
    None when several share it (their numbers must be told apart by a full parse)."""
    regions = [r for r in phonenumbers.region_codes_for_country_code(code) if r != "001"]
    if len(regions) != 1:
        return None
    desc = PhoneMetadata.metadata_for_region(regions[0]).general_desc
    # As phonenumbers.is_possible_number: a length possible anywhere, or only locally.
    return regions[0], frozenset((desc.possible_length or ()) + (desc.possible_length_local_only or ()))


def parse_caller(number):
    """phonenumbers' reading of a caller's number (E.164, as Twilio sends it), or None."""
    try:
        return phonenumbers.parse(number or "", None)
    except phonenumbers.NumberParseException:
        return None


def region_of_caller(number, parsed=None):
    """The country of a caller's number when it is a possible foreign one, else None.
    Every webhook that starts a call asks this, so Twilio's E.164 form ("+212...")
    of a code only one country uses is read from phonenumbers' metadata directly.
    `parsed`: parse_caller(number), when the caller has it already."""
    digits = (number or "")[1:]
    if number.startswith("+") and digits.isascii() and digits.isdigit():
        for length in (1, 2, 3):
            if phonenumbers.region_codes_for_country_code(int(digits[:length])):
                only = _only_region(int(digits[:length]))
                # A national number with a trunk prefix ("+40 0...") is left to phonenumbers.
                if only is not None and not digits[length:].startswith("0"):
                    region, lengths = only
                    possible = len(digits) - length in lengths
                    return region if possible and region != HOME_REGION else None
                break
    parsed = parse_caller(number) if parsed is None else parsed
    if parsed is None:
        return None
    region = phonenumbers.region_code_for_number(parsed)
    if not region or region == HOME_REGION or not phonenumbers.is_possible_number(parsed):
        return None
    return region


def sharing_code(region, named=None, most=3):
    """Other countries a caller may have meant when `region` is the main country of a
    dialling code several share (1: the United States, also Canada and Jamaica): the
    ones `named` for that code in menus/dialling.toml, at most `most`. Only named codes
    are spoken of: staff decide which shared codes are worth the caller's time."""
    code = phonenumbers.country_code_for_region(region)
    if str(code) not in (named or {}) or phonenumbers.region_code_for_country_code(code) != region:
        return []
    regions = phonenumbers.region_codes_for_country_code(code)
    return [r for r in named[str(code)] if r in regions and r != region][:most]


def all_regions():
    """Every country that has a dialling code."""
    return sorted(phonenumbers.SUPPORTED_REGIONS)


@lru_cache(maxsize=64)
def _territories(locale):
    return Locale.parse(locale).territories


def country_name(region, locale):
    return _territories(locale).get(region) or _territories("en").get(region, region)
