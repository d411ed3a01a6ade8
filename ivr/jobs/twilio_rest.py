"""Twilio's REST API, as the jobs use it: messages, calls, recordings.

TWILIO_API_BASE sends every request to another server speaking the same API: the fake
Twilio on loopback (ivr.dev.fake_twilio) in the tests and in `make run`. Credentials
are an API key and secret when given (Twilio's advice), else the account's SID and
auth token.
"""
import logging
from urllib.parse import urlsplit, urlunsplit

import requests
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

# Seconds a REST request may take; a job that times out is retried, a caller never waits.
TIMEOUT = 15
# Twilio's client logs each request's URL and query, which can hold a phone number
# (a call list filtered by To): only its warnings reach the line's log.
QUIET = logging.getLogger("ivr.twilio_rest")
QUIET.setLevel(logging.WARNING)
MEDIA_LIMIT = 12 * 1024 * 1024  # a recording is at most 60 s; anything this big is not one


class NotConfigured(RuntimeError):
    """The settings name no Twilio account: nothing can be sent."""


def credentials(settings):
    """(username, password, account SID) for the REST API."""
    sid = settings["TWILIO_ACCOUNT_SID"]
    if not sid:
        raise NotConfigured("TWILIO_ACCOUNT_SID is not set: the line cannot send SMS, call back or fetch recordings")
    if settings["TWILIO_API_KEY"]:
        return settings["TWILIO_API_KEY"], settings["TWILIO_API_SECRET"], sid
    if not settings["TWILIO_AUTH_TOKEN"]:
        raise NotConfigured("set TWILIO_API_KEY and TWILIO_API_SECRET, or TWILIO_AUTH_TOKEN, to use Twilio's REST API")
    return sid, settings["TWILIO_AUTH_TOKEN"], sid


def redirected(url, base):
    """`url` on `base` instead of Twilio's own host (unchanged when `base` is empty)."""
    if not base:
        return url
    parts, to = urlsplit(url), urlsplit(base)
    if not (parts.hostname or "").endswith("twilio.com"):
        return url
    return urlunsplit((to.scheme, to.netloc, parts.path, parts.query, ""))


class RedirectingHttpClient(TwilioHttpClient):
    def __init__(self, base):
        super().__init__(timeout=TIMEOUT, logger=QUIET)
        self.base = base

    def request(self, method, url, *args, **kwargs):
        return super().request(method, redirected(url, self.base), *args, **kwargs)


def client(settings):
    """A twilio.rest.Client for these settings (raises NotConfigured without an account)."""
    username, password, sid = credentials(settings)
    return Client(username, password, account_sid=sid, http_client=RedirectingHttpClient(settings["TWILIO_API_BASE"]))


def fetch_media(settings, url, extension=".wav"):
    """The bytes of a recording Twilio holds at `url` (a RecordingUrl, without extension).
    Twilio's own client returns text, so this is a plain authenticated GET; it never
    follows a URL off Twilio's host (or the configured base) with the credentials."""
    username, password, _ = credentials(settings)
    target = redirected(url, settings["TWILIO_API_BASE"])
    host = urlsplit(target).hostname or ""
    allowed = urlsplit(settings["TWILIO_API_BASE"]).hostname if settings["TWILIO_API_BASE"] else None
    if not (host == allowed or host == "twilio.com" or host.endswith(".twilio.com")):
        raise ValueError("a recording is fetched only from Twilio")
    response = requests.get(target + extension, auth=(username, password), timeout=TIMEOUT, stream=True)
    response.raise_for_status()
    body = response.raw.read(MEDIA_LIMIT + 1, decode_content=True)
    if len(body) > MEDIA_LIMIT:
        raise ValueError("the recording is larger than any recording of 60 seconds")
    return body
