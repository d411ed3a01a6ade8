"""The web phone: a keypad in the browser that hears exactly what a caller would.

GET /phone is one page (templates/phone.html) that behaves like Twilio: it asks
POST /phone/twiml for the TwiML of a webhook, plays the <Play>s in order, shows the
<Say>s, and sends the keys pressed at a <Gather>. /phone/twiml gets that TwiML from
the line itself, with an internal request signed like Twilio's, so the page previews
the real answers, not a copy of the flow.

Who may use it: any logged-in staff member (the admin at /admin), and anyone when
PHONE_ENABLED or IVR_DEVELOPMENT is set. Anyone else is sent to the log-in (the
page) or gets a 401 (/phone/twiml). Read per request, so a flag or a log-in takes
effect at once.
"""
import re
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request
from flask_login import current_user

from ..call import twilio_request
from ..call.twilio_request import DEFAULT_CALLER
from ..content.tree import KEYPAD

bp = Blueprint("phone", __name__, url_prefix="/phone", template_folder="templates")

MAX_DIGITS = 32
MAX_PATH = 512
# A caller's number as Twilio sends it: E.164, or a word such as "anonymous".
CALLER_PATTERN = re.compile(r"^[+0-9A-Za-z:._-]{0,64}$")
CALL_SID_PATTERN = re.compile(r"^CA[0-9a-f]{32}$")
VOICE_PREFIX = "/voice"


class BadRequest(ValueError):
    pass


def enabled(app=None):
    """Open to everyone (development, or PHONE_ENABLED)."""
    config = (app or current_app).config
    return bool(config.get("PHONE_ENABLED") or config.get("IVR_DEVELOPMENT"))


@bp.before_request
def only_for_staff():
    if enabled():
        return None
    manager = getattr(current_app, "login_manager", None)  # the staff log-in (ivr.staff.web)
    if manager is None:
        abort(404)
    return None if current_user.is_authenticated else manager.unauthorized()


@bp.route("", methods=["GET"])
def page():
    return render_template("phone.html", default_caller=DEFAULT_CALLER, line_name=current_app.config["LINE_NAME"])


def _error(message, status=400):
    return jsonify({"error": message}), status


def voice_path(raw):
    """The webhook path (and query) the page asks for, when it is one of the line's.

    Only a plain path under /voice: no scheme or host, no dot segments, no fragment,
    nothing that could make the internal request reach another part of the app.
    """
    if not isinstance(raw, str) or not raw or len(raw) > MAX_PATH:
        raise BadRequest("path must be a non-empty string naming a /voice webhook")
    if any(ord(c) < 0x21 or ord(c) > 0x7E for c in raw) or "\\" in raw:
        raise BadRequest("path must be plain printable ASCII without spaces")
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc or parts.fragment or "#" in raw:
        raise BadRequest("path must be a path on this line, not a URL")
    path = parts.path
    if not (path == VOICE_PREFIX or path.startswith(VOICE_PREFIX + "/")):
        raise BadRequest("only paths under /voice are allowed")
    segments = path.split("/")[1:]
    if any(segment in ("", ".", "..") for segment in segments) or "%" in path:
        raise BadRequest("path must not contain empty, dot or escaped segments")
    return path + (f"?{parts.query}" if parts.query else "")


def _read_body():
    if not request.is_json:
        raise BadRequest("send a JSON body (Content-Type: application/json)")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    path = voice_path(body.get("path"))
    digits = body.get("digits")
    if digits is not None:
        if not isinstance(digits, str) or len(digits) > MAX_DIGITS or any(c not in KEYPAD for c in digits):
            raise BadRequest("digits must be null or a string of keypad keys (0-9, *, #)")
    caller = body.get("caller")
    if caller is None or caller == "":
        caller = DEFAULT_CALLER
    if not isinstance(caller, str) or not CALLER_PATTERN.match(caller):
        raise BadRequest("caller must be a phone number such as +31612345678")
    call_sid = body.get("call_sid")
    if call_sid is None or call_sid == "":
        call_sid = twilio_request.new_call_sid()
    if not isinstance(call_sid, str) or not CALL_SID_PATTERN.match(call_sid):
        raise BadRequest("call_sid must be CA followed by 32 lower-case hex digits")
    return path, digits, caller, call_sid


def fetch_twiml(path, params):
    """The line's answer to a webhook POST, asked of the app itself as Twilio would.

    The internal request keeps this request's host, so <Play> URLs built from
    request.url_root (no PUBLIC_BASE_URL) point where the browser can fetch them.
    """
    app = current_app._get_current_object()
    base = request.url_root
    headers = {}
    token = app.config["TWILIO_AUTH_TOKEN"]
    if token:
        signed_url = twilio_request.public_url(base.rstrip("/") + path, path, app.config["PUBLIC_BASE_URL"])
        headers["X-Twilio-Signature"] = twilio_request.sign(token, signed_url, params)
    client = app.test_client()
    return client.post(path, data=params, headers=headers, base_url=base)


@bp.route("/twiml", methods=["POST"])
def twiml():
    try:
        path, digits, caller, call_sid = _read_body()
    except BadRequest as exc:
        return _error(str(exc))
    reply = fetch_twiml(path, twilio_request.params(call_sid, caller, digits))
    # TwiML is text/xml; a refusal (403, 404) keeps the webhook's own error page type.
    return Response(reply.get_data(), status=reply.status_code, content_type=reply.content_type or "text/xml")


def init_app(app):
    app.register_blueprint(bp)
