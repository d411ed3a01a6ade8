"""What a webhook accepts, read strictly before anything trusts it.

Twilio POSTs a small application/x-www-form-urlencoded body in UTF-8, each parameter
once. Anything else (another content type, a huge body, bytes that are not UTF-8, a
parameter given twice) is refused with a 4xx and a short reason, before the
signature check and before the flow: a repeated parameter could be signed in one
copy and read in another, and werkzeug's lenient parsing could hide what was sent.
"""
from urllib.parse import parse_qsl

from flask import abort, request

FORM_TYPE = "application/x-www-form-urlencoded"
# Twilio's voice webhook form is about 1 KB; this leaves room for every optional field.
MAX_BYTES = 32 * 1024


def pairs(raw, what):
    """The (name, value) pairs of a query string or form body, in order; a 400 when
    it is not UTF-8, raw or percent-encoded."""
    try:
        return parse_qsl(raw.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        abort(400, description=f"The {what} is not UTF-8.")


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
    names = [name for name, _ in pairs(request.query_string, "query string") + pairs(body, "form")]
    if len(names) != len(set(names)):
        # The names are not echoed: they are the sender's text.
        abort(400, description="Each parameter is sent once, in the query string or in the form.")
