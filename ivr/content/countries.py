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


def region_of_caller(number):
    """The country of a caller's number when it is a valid foreign one, else None."""
    try:
        parsed = phonenumbers.parse(number or "", None)
    except phonenumbers.NumberParseException:
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
