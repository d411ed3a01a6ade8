"""Around the app in the web process: a request's body arrives in time, or not at all.

gunicorn's gevent workers drop a client that has not sent its headers within the
keep-alive time; this does the same for the body, which the app reads later. A
client that sends its headers and then stalls its body would otherwise hold its
connection (and, by the thousand, a worker's) for as long as it likes. Twilio sends
a webhook's few hundred bytes at once. gunicorn.conf.py wraps each worker's app in
this; it needs gevent (the Procfile's worker class), so nothing else imports it.
"""
import io

BODY_SECONDS = 5  # to send the whole body once the headers are in
MAX_BODY = 64 * 1024  # bytes; nothing the line accepts comes near it (webhooks stop at 32 KiB)
# A staff recording's upload (POST /admin/prompts/<lang>/<prompt>/record): larger and
# slower; the app refuses it over 10 MB with a message of its own.
UPLOAD_PREFIX, UPLOAD_SUFFIX = "/admin/prompts/", "/record"
UPLOAD_BODY, UPLOAD_SECONDS = 11 * 1024 * 1024, 120


class BodyDeadline:
    """Reads a request's body within BODY_SECONDS before the app sees it: a 408 when
    it does not come, a 413 when it is larger than MAX_BODY."""

    def __init__(self, app, seconds=BODY_SECONDS, limit=MAX_BODY):
        self.app, self.seconds, self.limit = app, seconds, limit

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith(UPLOAD_PREFIX) and path.endswith(UPLOAD_SUFFIX):
            return self.read(environ, start_response, UPLOAD_BODY, UPLOAD_SECONDS)
        return self.read(environ, start_response, self.limit, self.seconds)

    def read(self, environ, start_response, limit, seconds):
        if declared(environ) > limit:
            return refuse(start_response, "413 Content Too Large", "the request's body is too large")
        if declared(environ) or chunked(environ):
            import gevent

            try:
                with gevent.Timeout(seconds):
                    body = environ["wsgi.input"].read(limit + 1)
            except gevent.Timeout:
                return refuse(start_response, "408 Request Timeout", "the request's body did not arrive in time")
            if len(body) > limit:
                return refuse(start_response, "413 Content Too Large", "the request's body is too large")
            environ["wsgi.input"] = io.BytesIO(body)
        return self.app(environ, start_response)


def declared(environ):
    """The body's Content-Length (gunicorn has refused a malformed one already)."""
    length = environ.get("CONTENT_LENGTH") or "0"
    return int(length) if length.isdigit() else 0


def chunked(environ):
    return "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()


def refuse(start_response, status, reason):
    body = (reason + "\n").encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body))),
                            ("Connection", "close")])
    return [body]
