"""Twilio request signatures: every webhook must come from Twilio when a token is set."""
from functools import wraps

from flask import abort, current_app, request
from twilio.request_validator import RequestValidator


def public_url(req, base_url):
    """The URL Twilio signed: our public base (behind a proxy) plus path and query."""
    if not base_url:
        return req.url
    query = req.query_string.decode("latin-1")
    return base_url.rstrip("/") + req.path + (f"?{query}" if query else "")


def is_valid(token, url, params, signature):
    return RequestValidator(token).validate(url, params, signature or "")


def twilio_only(view):
    """Refuse (403) a webhook whose X-Twilio-Signature does not match, when a token is set."""

    @wraps(view)
    def checked(*args, **kwargs):
        token = current_app.config["TWILIO_AUTH_TOKEN"]
        if token:
            url = public_url(request, current_app.config["PUBLIC_BASE_URL"])
            if not is_valid(token, url, request.form.to_dict(), request.headers.get("X-Twilio-Signature")):
                abort(403, description="This request is not signed by Twilio.")
        return view(*args, **kwargs)

    return checked
