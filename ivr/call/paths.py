"""The webhook URLs the flow sends Twilio to next. Call state travels in them, so any
worker answers: language, node, part of an answer, silent tries, country (`cc`),
`new` (a caller new to the line, who has not yet heard the keys that work
everywhere), and, in the language menu, where to come back to (`at`, `part`, `cc`)."""
from urllib.parse import urlencode


def _path(base, **params):
    query = urlencode({k: v for k, v in params.items() if v not in (None, "", 0)})
    return f"{base}?{query}" if query else base


def language_path(page=0, tries=0, at="", part=0, cc=""):
    return _path("/voice/language", page=page, tries=tries, at=at, part=part, cc=cc)


def language_key_path(page=0, at="", part=0, cc=""):
    return _path("/voice/language/key", page=page, at=at, part=part, cc=cc)


def node_path(lang, node_id, part=0, tries=0, cc="", new=0):
    return _path(f"/voice/{lang}/{node_id}", part=part, tries=tries, cc=cc, new=new)


def key_path(lang, node_id, part=0, cc="", new=0):
    return _path(f"/voice/{lang}/{node_id}/key", part=part, cc=cc, new=new)


def callback_path(lang, step="", **params):
    """A step of asking for a call back (ivr.callbacks.phone): /voice/callback/<lang>[/<step>]."""
    return _path(f"/voice/callback/{lang}" + (f"/{step}" if step else ""), **params)


def office_path(lang, what="", pc="", prov="", typed="", page=0, part=0, tries=0, new=0):
    """The office finder's pages (ivr/call/office_finder.py): the office found for a
    postcode or a province, its keys, the dialled call's end, the provinces."""
    base = f"/voice/{lang}/office" + (f"/{what}" if what else "")
    return _path(base, pc=pc, prov=prov, typed=typed, page=page, part=part, tries=tries, new=new)


# The staff recording line (ivr.staff.entrance): a call to one of STAFF_LINE_NUMBERS
# is sent there from /voice; the Twilio number may also point at it directly.
STAFF_PATH = "/voice/staff"


def staff_numbers(settings):
    return {number.strip() for number in settings["STAFF_LINE_NUMBERS"].split(",") if number.strip()}


def is_staff_line(settings, called):
    """Whether `called` (the Twilio number the call came in on) is the staff line."""
    return bool(called) and called in staff_numbers(settings)
