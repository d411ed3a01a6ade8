"""What the whole web app does around its rooms: which Host it trusts, the headers
every answer carries, and the log lines of the web process.

- Hosts: with PUBLIC_BASE_URL set, only its host (and the machine's own loopback
  names, for health checks and local tries) is served; any other Host is a 400, so
  no URL the line builds can name a host an attacker chose. No redirect is made from
  the request's host either: paths are matched as sent (no 308 for `//`).
- Headers: every answer is `nosniff` with no referrer; an HTML page also gets a
  Content-Security-Policy (its inline script and style allowed by a per-response
  nonce, `csp_nonce()` in templates) and is never framed.
- Logs: the web process writes the line's own INFO lines (one per call event, never a
  phone number) to stderr, where gunicorn and the platform collect them.
"""
import logging
import secrets
import sys
from urllib.parse import urlsplit

from flask import abort, g, request
from werkzeug.exceptions import SecurityError
from werkzeug.wsgi import get_host

LOOPBACK = ("localhost", "127.0.0.1")
LOGGER = "ivr"
# gunicorn's own error-log form, so the two read as one log.
LOG_FORMAT = "%(asctime)s [%(process)d] [%(levelname)s] %(name)s: %(message)s"
LOG_DATES = "[%Y-%m-%d %H:%M:%S %z]"
# No page of the line takes a large body (webhooks allow far less, see call.form).
MAX_BODY_BYTES = 1024 * 1024
EVERY_ANSWER = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


def trusted_hosts(public_base_url):
    """The Host names served when the line has a public URL; None (any) without one,
    as in local development."""
    host = urlsplit(public_base_url).hostname if public_base_url else None
    return [host, *LOOPBACK] if host else None


def csp_nonce():
    """This response's nonce for inline <script> and <style> (made when a template asks)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def allow_blob_media():
    """This page plays audio its own script made (a take recorded in the browser,
    previewed from a blob: URL): only such a page's policy allows blob: media."""
    g.csp_blob_media = True


def content_security_policy(nonce, media_origin, blob_media=False):
    """Only this page's own inline code, this line's own stylesheets (the admin's),
    requests to this line, and audio from it (and from its own script, blob_media)."""
    inline = f" 'nonce-{nonce}'" if nonce else ""
    script = inline or " 'none'"
    media = (f" {media_origin}" if media_origin else "") + (" blob:" if blob_media else "")
    return "; ".join((
        "default-src 'none'",
        f"script-src{script}",
        f"style-src 'self'{inline}",
        "connect-src 'self'",
        f"media-src 'self'{media}",
        "img-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ))


def _origin(url):
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def init_app(app):
    app.url_map.merge_slashes = False  # `//` would be a 308 to an absolute URL
    if app.config["MAX_CONTENT_LENGTH"] is None:
        app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    if app.config["TRUSTED_HOSTS"] is None:
        app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config["PUBLIC_BASE_URL"])
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.before_request
    def known_host():
        # werkzeug turns a Host with characters no host has into "": URLs built on it would be broken.
        if not request.host:
            abort(400, description="The Host header is missing or malformed.")

    @app.after_request
    def headers(response):
        if response.mimetype == "text/html":
            media = _origin(app.config["PUBLIC_BASE_URL"])
            response.headers["Content-Security-Policy"] = content_security_policy(
                g.get("csp_nonce"), media, g.get("csp_blob_media", False))
            response.headers["X-Frame-Options"] = "DENY"
        return response


class FastAnswers:
    """Answers the line's most frequent requests before Flask: each of `answerers`
    (the cached webhook TwiML, audio from a worker's memory) is a function of
    (environ, host) giving (headers, body), or None to leave the request to Flask.
    The Host is checked first as Flask checks it (werkzeug's get_host against
    TRUSTED_HOSTS, read on every request): any Host Flask would refuse goes to Flask."""

    def __init__(self, wsgi_app, config, answerers):
        self.wsgi_app, self.config, self.answerers = wsgi_app, config, answerers

    def __call__(self, environ, start_response):
        try:
            host = get_host(environ, self.config["TRUSTED_HOSTS"])
        except SecurityError:
            host = ""
        for answerer in self.answerers if host else ():
            found = answerer(environ, host)
            if found is not None:
                start_response("200 OK", found[0])
                return [found[1]]
        return self.wsgi_app(environ, start_response)


def with_every_answer_headers(wsgi_app):
    """EVERY_ANSWER's headers on every response, added where the server writes them:
    a webhook costs a list extend, not a pass over werkzeug's Headers."""
    every = list(EVERY_ANSWER.items())

    def app(environ, start_response):
        def start(status, headers, exc_info=None):
            headers.extend(every)
            return start_response(status, headers, exc_info)

        return wsgi_app(environ, start)

    return app


def log_to_stderr():
    """INFO lines of the `ivr` loggers on stderr. Under gunicorn nothing else would
    show them (it configures only its own loggers); where the root logger already
    has a handler (a logging config, pytest), the lines go there instead."""
    logger = logging.getLogger(LOGGER)
    logger.setLevel(logging.INFO)
    if logging.getLogger().handlers or any(getattr(h, "ivr", False) for h in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(LOG_FORMAT, LOG_DATES))
    handler.ivr = True
    logger.addHandler(handler)
