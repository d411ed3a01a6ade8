"""What a webhook accepts, read strictly before anything trusts it.

Twilio POSTs a small application/x-www-form-urlencoded body in UTF-8, each parameter
once. Anything else (another content type, a huge body, bytes that are not UTF-8, a
parameter given twice) is refused with a 4xx and a short reason, before the
signature check and before the flow: a repeated parameter could be signed in one
copy and read in another, and werkzeug's lenient parsing could hide what was sent.
"""
import re
from urllib.parse import unquote_to_bytes

from flask import abort, request

# A percent-escape of a byte over 127: only then can escapes hide bytes that are not
# UTF-8 (Twilio's own escapes, %2B and %3A, are ASCII), so only then are they decoded.
HIGH_ESCAPE = re.compile(rb"%[89a-fA-F][0-9a-fA-F]")
# Each parameter's name: what stands before its "=" (or alone), between "&"s.
NAME = re.compile(rb"(?:^|&)([^&=]+)")

FORM_TYPE = "application/x-www-form-urlencoded"
# Twilio's voice webhook form is about 1 KB; this leaves room for every optional field.
MAX_BYTES = 32 * 1024


def names(raw, what):
    """The parameter names of a query string or form body, in order, decoded as
    werkzeug decodes them; a 400 when it is not UTF-8, raw or percent-encoded. Cheap:
    it splits bytes, and werkzeug parses the values itself when a view reads them."""
    try:
        raw.decode("utf-8")
        if HIGH_ESCAPE.search(raw):  # only then can escapes hide bytes that are not UTF-8
            unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        abort(400, description=f"The {what} is not UTF-8.")
    # Compared as bytes; only a name with an escape is decoded (as werkzeug will).
    return [unquote_to_bytes(name.replace(b"+", b" ")) if b"%" in name or b"+" in name else name
            for name in NAME.findall(raw)]


def check():
    """Refuse (4xx) a webhook request that is not a plain Twilio form. Run before
    request.form or request.args is read, so werkzeug never parses what is refused."""
    request.max_content_length = MAX_BYTES  # a larger body is a 413 when read
    if request.content_length and request.content_length > MAX_BYTES:
        abort(413, description=f"A webhook body is at most {MAX_BYTES} bytes.")
    body = request.get_data(cache=True)
    # The form type, or nothing at all (an empty POST, as the tests and curl send).
    if request.mimetype != FORM_TYPE and (body or request.mimetype):
        abort(415, description=f"A webhook body is a form ({FORM_TYPE}).")
    sent = names(request.query_string, "query string") + names(body, "form")
    if len(sent) != len(set(sent)):
        # The names are not echoed: they are the sender's text.
        abort(400, description="Each parameter is sent once, in the query string or in the form.")
