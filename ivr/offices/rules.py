"""What an office's fields must be. `clean(raw)` turns a mapping from a file or a form
into the canonical office dict (or raises OfficeError naming the field and why), so
the admin, `ivr offices import` and the check refuse the same things.

The canonical dict: slug, name, kind, place, street, postcode, lat, lon, phone (E.164
or None), languages, say_hours, active, notes, hours [{day, kind, opens, closes}],
closures [{starts, ends, reason}], checks {field: {verified, source}}.
"""
import datetime as dt
import re

import phonenumbers

from ..store.models import CHECKED_FIELDS, HOURS_KINDS, SAY_HOURS

KINDS = ("council", "reception")
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$")
POSTCODE = re.compile(r"^([1-9][0-9]{3})(?: ?([A-Z]{2}))?$")
LANGUAGE = re.compile(r"^[a-z]{2,3}$")
TIME = re.compile(r"^([01]?[0-9]|2[0-3])[:.]([0-5][0-9])$")
# The Netherlands with a margin (Rottum to Vaals, Cadzand to Bad Nieuweschans), so a
# swapped latitude and longitude or a typo is caught.
LAT_RANGE, LON_RANGE = (50.70, 53.60), (3.30, 7.25)
LIMITS = {"name": 200, "place": 100, "street": 200, "notes": 2000, "reason": 200, "source": 500}


class OfficeError(ValueError):
    pass


def _table(value, where):
    if not isinstance(value, dict):
        raise OfficeError(f"{where}: a table of fields, not {type(value).__name__}")
    return value


def _rows(value, where):
    if value is None:
        return []
    if not isinstance(value, list):
        raise OfficeError(f"{where}: a list")
    return [_table(row, f"{where} {i + 1}") for i, row in enumerate(value)]


def _text(raw, field, required=True):
    value = raw.get(field)
    value = "" if value is None else str(value).strip()
    if required and not value:
        raise OfficeError(f"{field}: required")
    if len(value) > LIMITS.get(field, 200):
        raise OfficeError(f"{field}: at most {LIMITS.get(field, 200)} characters")
    return value or None


def postcode(value):
    """"9561" or "9561 AB" (letters upper case, one space); OfficeError otherwise."""
    match = POSTCODE.match(str(value or "").strip().upper().replace("  ", " "))
    if not match:
        raise OfficeError(f"postcode: four digits, optionally two letters (9561 or 9561 AB), not {str(value)[:20]!r}")
    return match.group(1) + (f" {match.group(2)}" if match.group(2) else "")


def phone(value):
    """An E.164 number valid in phonenumbers (Dutch by default), or None when empty."""
    text = str(value or "").strip()
    if not text:
        return None
    try:
        number = phonenumbers.parse(text, "NL")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise OfficeError("phone: not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def coordinate(value, field, bounds):
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise OfficeError(f"{field}: a number in degrees, e.g. 52.87") from None
    if not bounds[0] <= number <= bounds[1]:
        raise OfficeError(f"{field}: {number} is outside the Netherlands ({bounds[0]} to {bounds[1]})")
    return round(number, 6)


def clock(value, field):
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0)
    match = TIME.match(str(value or "").strip())
    if not match:
        raise OfficeError(f"{field}: a time such as 09:00 or 16:30")
    return dt.time(int(match.group(1)), int(match.group(2)))


def day(value, field):
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise OfficeError(f"{field}: a day written YYYY-MM-DD") from None


def hours(rows):
    """Consulting sessions, sorted; a session ends after it starts, and two of one
    day do not overlap (whatever their kind: one desk)."""
    out = []
    for i, row in enumerate(_rows(rows, "hours")):
        where = f"hours {i + 1}"
        weekday = str(row.get("day", "")).strip().lower()
        if weekday not in DAYS:
            raise OfficeError(f"{where}: day must be one of {', '.join(DAYS)}")
        kind = str(row.get("kind", "")).strip()
        if kind not in HOURS_KINDS:
            raise OfficeError(f"{where}: kind must be {' or '.join(HOURS_KINDS)}")
        opens, closes = clock(row.get("opens"), f"{where} opens"), clock(row.get("closes"), f"{where} closes")
        if closes <= opens:
            raise OfficeError(f"{where}: closes ({closes:%H:%M}) must be after opens ({opens:%H:%M})")
        out.append({"day": weekday, "kind": kind, "opens": opens, "closes": closes})
    out.sort(key=lambda r: (DAYS.index(r["day"]), r["opens"]))
    for a, b in zip(out, out[1:]):
        if a["day"] == b["day"] and b["opens"] < a["closes"]:
            raise OfficeError(f"hours: {a['day']} {a['opens']:%H:%M}-{a['closes']:%H:%M} and "
                              f"{b['opens']:%H:%M}-{b['closes']:%H:%M} overlap")
    return out


def closures(rows):
    out = []
    for i, row in enumerate(_rows(rows, "closure")):
        where = f"closure {i + 1}"
        starts, ends = day(row.get("starts"), f"{where} starts"), day(row.get("ends") or row.get("starts"), f"{where} ends")
        if ends < starts:
            raise OfficeError(f"{where}: ends before it starts")
        out.append({"starts": starts, "ends": ends, "reason": _text(row, "reason")})
    return sorted(out, key=lambda r: r["starts"])


def checks(table, today=None):
    out = {}
    for field, check in _table(table or {}, "checks").items():
        check = _table(check, f"checks {field}")
        if field not in CHECKED_FIELDS:
            raise OfficeError(f"verified: {field!r} is not a field (one of {', '.join(CHECKED_FIELDS)})")
        verified = day(check.get("verified"), f"{field} verified")
        if verified > (today or dt.date.today()):
            raise OfficeError(f"{field} verified: {verified} is in the future")
        source = _text(check, "source", required=False)
        if not source:
            raise OfficeError(f"{field} verified: say against which source")
        out[field] = {"verified": verified, "source": source}
    return out


def clean(raw, today=None):
    """The canonical office dict for `raw` (see the module doc), or OfficeError."""
    raw = _table(raw, "office")
    slug = str(raw.get("slug", "")).strip().lower()
    if not SLUG.match(slug):
        raise OfficeError("slug: 3 to 64 characters, a-z, digits and dashes (e.g. ter-apel)")
    kind = str(raw.get("kind", "")).strip()
    if kind not in KINDS:
        raise OfficeError(f"kind: one of {', '.join(KINDS)}")
    say = str(raw.get("say_hours") or "never").strip()
    if say not in SAY_HOURS:
        raise OfficeError(f"say_hours: one of {', '.join(SAY_HOURS)}")
    languages = raw.get("languages") or []
    if not isinstance(languages, (str, list)):
        raise OfficeError("languages: language codes such as nl, en, ar, separated by commas")
    if isinstance(languages, str):
        languages = [part for part in re.split(r"[\s,]+", languages) if part]
    languages = list(dict.fromkeys(str(code).strip().lower() for code in languages))
    if not all(LANGUAGE.match(code) for code in languages):
        raise OfficeError("languages: language codes such as nl, en, ar, separated by commas")
    office = {
        "slug": slug, "name": _text(raw, "name"), "kind": kind, "place": _text(raw, "place"),
        "street": _text(raw, "street", required=False), "postcode": postcode(raw.get("postcode")),
        "lat": coordinate(raw.get("lat"), "lat", LAT_RANGE), "lon": coordinate(raw.get("lon"), "lon", LON_RANGE),
        "phone": phone(raw.get("phone")), "languages": languages, "say_hours": say,
        "active": bool(raw.get("active", True)), "notes": _text(raw, "notes", required=False),
        "hours": hours(raw.get("hours")), "closures": closures(raw.get("closures")),
        "checks": checks(raw.get("checks"), today),
    }
    if say == "verified" and "hours" not in office["checks"]:
        raise OfficeError("say_hours: 'verified' needs the hours' verified date and source "
                          "(else choose 'check': said with 'please check before you go')")
    if say != "never" and not office["hours"]:
        raise OfficeError(f"say_hours: '{say}' needs consulting hours to say")
    return office
