"""Cached webhook answers given before Flask (through ivr.web.FastAnswers).

Most of a call's webhooks ask for TwiML the line has made before (the cache of
ivr.services), and Flask's request machinery (routing, the request context, the
staff layer's session and CSRF hooks, the response object) cost more than the answer
itself. This answers such a request from the raw WSGI environ with the very checks
the views make, shared with them: the trusted Host (werkzeug's own get_host), the
strict form check (ivr.call.form.refusal), Twilio's signature when a token is set,
and the statistics and log line of ivr.call.answers. Whatever is not plainly a
well-formed, signed webhook whose answer is cached (a refusal, an unusual request, a
cache miss) goes to Flask untouched, which answers or refuses it as it always has;
nothing is counted twice, as the fast path counts only what it answers.
"""
import io
import re

from . import answers, form, office_answers, signature, twilio_request

# The webhooks' routes (ivr.call.webhooks), static ones first as werkzeug ranks them;
# a segment of anything but these ASCII characters is left to Flask's router.
STATIC = {"/voice": answers.incoming, "/voice/language": answers.language_menu,
          "/voice/language/key": answers.language_key}
NODE = re.compile(r"/voice/([A-Za-z0-9_-]+)/([A-Za-z0-9_-]+)(/key)?")
# The office finder's first page (its key holds what it says, so the clock is kept).
OFFICE = re.compile(r"/voice/([A-Za-z0-9_-]+)/office")
# Segments other blueprints own under /voice (the office finder's other pages, the staff
# line, calls back): never a cached node answer, so not worth the fast path's checks.
OTHER_VIEWS = frozenset({"office", "staff", "callback"})
TWIML_TYPE = ("Content-Type", "text/xml; charset=utf-8")  # what Flask's Response(mimetype="text/xml") says


def route(path):
    """(webhook, its path values) for a path the fast path may answer, else None."""
    if path in STATIC:
        return STATIC[path], {}
    office = OFFICE.fullmatch(path)
    if office is not None:
        return office_answers.office, {"lang": office[1]}
    found = NODE.fullmatch(path)
    if found is None or found[1] in OTHER_VIEWS or found[2] in OTHER_VIEWS:
        return None
    return (answers.key if found[3] else answers.node), {"lang": found[1], "node_id": found[2]}


def answer(services, config, environ, host):
    """(headers, body) of the cached TwiML when the request is a webhook that passes
    every check, else None. `host` is the request's, already found trusted."""
    found = route(environ.get("PATH_INFO", "")) if environ.get("REQUEST_METHOD") == "POST" else None
    target, length = signature.raw_target(environ), environ.get("CONTENT_LENGTH") or "0"
    stream = environ.get("wsgi.input")
    # Only the plain case: no script root, the raw target kept, a declared length,
    # and a body already read whole (ivr.wsgi.BodyDeadline, the test client).
    if (found is None or environ.get("SCRIPT_NAME") or not target or not (length.isascii() and length.isdigit())
            or "HTTP_TRANSFER_ENCODING" in environ or not isinstance(stream, io.BytesIO)):
        return None
    size = int(length)
    try:
        query = environ.get("QUERY_STRING", "").encode("latin-1")
    except UnicodeEncodeError:
        return None
    if size > form.MAX_BYTES:
        return None
    start = stream.tell()
    body = stream.read(size + 1)
    stream.seek(start)  # Flask reads it again when it is the one to answer
    mimetype = environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower()
    if len(body) != size or form.refusal(size, mimetype, body, query):
        return None
    sent = answers.Sent(form.values(query), form.values(body))
    scheme, token = environ.get("wsgi.url_scheme", "http"), config["TWILIO_AUTH_TOKEN"]
    if token:
        url = signature.signed_url(scheme, host, "", target, config["PUBLIC_BASE_URL"])
        if not twilio_request.is_signed(token, url, sent.form, environ.get("HTTP_X_TWILIO_SIGNATURE")):
            return None
    webhook, path = found
    if webhook is answers.incoming and services.callbacks and services.callbacks.is_missed_call_line(
            sent.form.get("To", "")):
        return None  # a missed call: rejected and queued by the view (ivr.callbacks), never a cached answer
    answer = webhook(services, sent, **path)
    base_url = config["PUBLIC_BASE_URL"] or f"{scheme}://{host}/"
    text = services.twiml_cache.get(answers.cache_key(services, answer, base_url))
    if text is None:
        return None
    answer.count()
    body = text.encode()
    return [TWIML_TYPE, ("Content-Length", str(len(body)))], body
