"""Twilio request signatures: every webhook must come from Twilio when a token is set."""
from functools import wraps

from flask import abort, current_app, request

from . import form, twilio_request


def request_url(req, base_url):
    """The URL Twilio signed for this request (see twilio_request.public_url): the path
    and query exactly as the request line sent them (req.url would re-quote them, and
    Twilio signs "?page=%C2%B2" as it sent it)."""
    target = raw_target(req.environ)
    if not target:  # a server that keeps no raw target: rebuilt from parts
        query = req.query_string.decode("latin-1")
        target = req.script_root + req.path + (f"?{query}" if query else "")
    return signed_url(req.scheme, req.host, req.script_root, target, base_url)


def raw_target(environ):
    """The path and query as the request line sent them, when the server kept it."""
    target = environ.get("RAW_URI") or environ.get("REQUEST_URI") or ""
    return target if target.startswith("/") else ""


def signed_url(scheme, host, script_root, target, base_url):
    """The URL Twilio signed, from the request's scheme, host and raw target."""
    path_and_query = target.removeprefix(script_root)
    return twilio_request.public_url(f"{scheme}://{host}{target}", path_and_query, base_url)


def twilio_only(view):
    """Refuse a webhook that is not a plain Twilio form (4xx, see form.check), and
    (403) one whose X-Twilio-Signature does not match, when a token is set."""

    @wraps(view)
    def checked(*args, **kwargs):
        form.check()  # after it, request.form holds each name once, as signed
        token = current_app.config["TWILIO_AUTH_TOKEN"]
        if token:
            url = request_url(request, current_app.config["PUBLIC_BASE_URL"])
            if not twilio_request.is_signed(token, url, request.form.to_dict(), request.headers.get("X-Twilio-Signature")):
                abort(403, description="This request is not signed by Twilio.")
        return view(*args, **kwargs)

    return checked
