"""Serving audio to Twilio: immutable files named by their content hash.

A key this worker cannot serve is looked up once more in a newer build (one made a
moment ago may have remade it) before the 404, and is then marked bad, so the next
TwiML speaks that prompt with <Say> instead of playing silence.

`from_memory` answers the common case before Flask (ivr.web.FastAnswers): a plain GET
of audio this worker holds in memory (checked against its digest when it came in).
"""
import re
from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, request

from ..config import EXTENSION
from . import encoding
from .store import KEY_PATTERN

bp = Blueprint("audio", __name__)

# The key is the content hash, so a URL's bytes never change: cache them for a year.
CACHE_CONTROL = "public, max-age=31536000, immutable"


AUDIO_PATH = re.compile(r"/audio/([0-9a-f]{32})\.wav")  # (encoding.EXTENSION; KEY_PATTERN's keys)


def _headers(manifest, key):
    """The headers of a key's answer (its ETag, the year's caching, what it says)."""
    # What the audio says, for the simulator and the web phone to show (UTF-8, %-encoded).
    headers = {"ETag": f'"{key}"', "Cache-Control": CACHE_CONTROL, "X-Ivr-Text": quote(manifest.texts.get(key, ""))}
    entry = manifest.by_key.get(key, {})  # which engine made it and how long it is, for the web phone
    headers.update({"X-Ivr-Engine": entry.get("engine", ""), "X-Ivr-Seconds": f"{entry.get('seconds', 0):.2f}"})
    return headers


def from_memory(services, environ):
    """(headers, body) for a GET of audio in this worker's memory that the build still
    names and that is not marked bad, with no If-None-Match; else None (Flask answers)."""
    manifest = services.manifest
    found = AUDIO_PATH.fullmatch(environ.get("PATH_INFO", ""))
    if (found is None or manifest is None or environ.get("REQUEST_METHOD") != "GET"
            or "HTTP_IF_NONE_MATCH" in environ or environ.get("SCRIPT_NAME")):
        return None
    key = found[1]
    manifest.refresh()
    data = services.store.memory.get(key) if manifest.digest(key) is not None and key not in manifest.bad else None
    if data is None:
        return None
    headers = [("Content-Type", encoding.CONTENT_TYPE), ("Content-Length", str(len(data))),
               *_headers(manifest, key).items()]
    return headers, data


@bp.route("/audio/<key>.<ext>", methods=["GET"])  # Flask answers HEAD from GET
def audio(key, ext):
    services = current_app.extensions[EXTENSION]
    manifest = services.manifest
    if ext != encoding.EXTENSION or not KEY_PATTERN.match(key) or manifest is None:
        abort(404, description="No such audio.")
    manifest.refresh()
    expected = manifest.digest(key)
    if expected is None and manifest.refresh(force=True):
        expected = manifest.digest(key)
    if expected is None:
        abort(404, description="No such audio.")
    headers = _headers(manifest, key)
    # A weak validator (W/"key") names the same bytes, and "*" any: both are a 304.
    if request.if_none_match.contains_weak(key):
        return Response(status=304, headers=headers)
    data = services.store.get(key, expected)
    if data is None and manifest.refresh(force=True) and manifest.digest(key) not in (None, expected):
        data = services.store.get(key, manifest.digest(key))
    if data is None:
        manifest.mark_bad(key)
        abort(404, description="This audio is not available.")
    if key in manifest.bad:
        manifest.mark_good(key)
    return Response(data, mimetype=encoding.CONTENT_TYPE, headers=headers)


def init_app(app):
    app.register_blueprint(bp)
