"""What a webhook accepts, read strictly before anything trusts it.

Twilio POSTs a small application/x-www-form-urlencoded body in UTF-8, each parameter
once. Anything else (another content type, a huge body, bytes that are not UTF-8, a
parameter given twice) is refused with a 4xx and a short reason, before the
signature check and before the flow: a repeated parameter could be signed in one
copy and read in another, and werkzeug's lenient parsing could hide what was sent.
"""
import re
from urllib.parse import unquote, unquote_to_bytes

import werkzeug.urls  # noqa: F401  (registers the "werkzeug.url_quote" decoding errors handler)

from flask import abort, request

# A percent-escape of a byte over 127: only then can escapes hide bytes that are not
# UTF-8 (Twilio's own escapes, %2B and %3A, are ASCII), so only then are they decoded.
HIGH_ESCAPE = re.compile(rb"%[89a-fA-F][0-9a-fA-F]")
# Each parameter's name: what stands before its "=" (or alone), between "&"s.
NAME = re.compile(rb"(?:^|&)([^&=]+)")

FORM_TYPE = "application/x-www-form-urlencoded"
# Twilio's voice webhook form is about 1 KB; this leaves room for every optional field.
MAX_BYTES = 32 * 1024


class Refused(Exception):
    """A request that is not a plain Twilio form: its status and a short reason."""

    def __init__(self, code, description):
        super().__init__(description)
        self.code, self.description = code, description


def names(raw, what):
    """The parameter names of a query string or form body, in order, decoded as
    werkzeug decodes them; Refused (400) when it is not UTF-8, raw or percent-encoded.
    Cheap: it splits bytes, and werkzeug parses the values itself when a view reads them."""
    try:
        raw.decode("utf-8")
        if HIGH_ESCAPE.search(raw):  # only then can escapes hide bytes that are not UTF-8
            unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, f"The {what} is not UTF-8.") from None
    # Compared as bytes; only a name with an escape is decoded (as werkzeug will).
    return [unquote_to_bytes(name.replace(b"+", b" ")) if b"%" in name or b"+" in name else name
            for name in NAME.findall(raw)]


def refusal(content_length, mimetype, body, query_string):
    """Why a webhook request is not a plain Twilio form (Refused), or None: the whole
    check, on the request's raw parts (the web view and the fast path share it)."""
    if content_length and content_length > MAX_BYTES:
        return Refused(413, f"A webhook body is at most {MAX_BYTES} bytes.")
    # The form type, or nothing at all (an empty POST, as the tests and curl send).
    if mimetype != FORM_TYPE and (body or mimetype):
        return Refused(415, f"A webhook body is a form ({FORM_TYPE}).")
    try:
        sent = names(query_string, "query string") + names(body, "form")
    except Refused as refused:
        return refused
    if len(sent) != len(set(sent)):
        # The names are not echoed: they are the sender's text.
        return Refused(400, "Each parameter is sent once, in the query string or in the form.")
    return None


def check():
    """Refuse (4xx) a webhook request that is not a plain Twilio form. Run before
    request.form or request.args is read, so werkzeug never parses what is refused."""
    request.max_content_length = MAX_BYTES  # a larger body is a 413 when read
    length = request.content_length
    body = b"" if length and length > MAX_BYTES else request.get_data(cache=True)  # too large: left unread
    refused = refusal(length, request.mimetype, body, request.query_string)
    if refused:
        abort(refused.code, description=refused.description)


def _unquote(text):
    return unquote(text.replace("+", " "), errors="werkzeug.url_quote") if "%" in text or "+" in text else text


def values(raw):
    """{name: value} of a checked query string or form body (bytes, each name once):
    exactly what werkzeug's parse (urllib's parse_qsl, blank values kept) gives, with
    only the parts that hold an escape unquoted."""
    found = {}
    for part in raw.decode().split("&"):
        if part:
            name, _, value = part.partition("=")
            found.setdefault(_unquote(name), _unquote(value))  # the first, as werkzeug's .get gives
    return found
