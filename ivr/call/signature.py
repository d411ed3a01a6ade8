"""Twilio request signatures: every webhook must come from Twilio when a token is set."""
from functools import wraps

from flask import abort, current_app, request

from . import twilio_request


def request_url(req, base_url):
    """The URL Twilio signed for this request (see twilio_request.public_url)."""
    query = req.query_string.decode("latin-1")
    return twilio_request.public_url(req.url, req.path + (f"?{query}" if query else ""), base_url)


def twilio_only(view):
    """Refuse (403) a webhook whose X-Twilio-Signature does not match, when a token is set."""

    @wraps(view)
    def checked(*args, **kwargs):
        token = current_app.config["TWILIO_AUTH_TOKEN"]
        if token:
            url = request_url(request, current_app.config["PUBLIC_BASE_URL"])
            if not twilio_request.is_signed(token, url, request.form.to_dict(), request.headers.get("X-Twilio-Signature")):
                abort(403, description="This request is not signed by Twilio.")
        return view(*args, **kwargs)

    return checked
