"""/admin/callbacks for agents (and admins): the open requests oldest first, with
language, topic, the nearest office when known and the waiting time; claim one
(atomic: two agents never hold the same request), call it (a tel: link), mark it
done or not answered, add a short note. The number is shown only to the agent
holding the request; every change is in the audit log (never the number or note).
"""
from datetime import datetime, timezone

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from ..config import EXTENSION
from ..staff.audit import record_audit
from ..staff.web import refuse_with_pages, requires
from ..store import db
from ..store.models import NOTE_LENGTH, Office
from . import requests
from .outbound import language_name

bp = Blueprint("callbacks", __name__, url_prefix="/admin/callbacks", template_folder="templates")
refuse_with_pages(bp)
TOPIC_NAMES = {"decision": "Decision or appeal", "return": "Return", "shelter": "Shelter or staying",
               "other": "Something else", requests.MISSED_CALL: "Missed call (ask)"}


def _now():
    return datetime.now(timezone.utc)


def _waited(since, now):
    minutes = int((now - since).total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours < 48 else f"{hours // 24} days"


def _rows(session, now):
    services = current_app.extensions[EXTENSION]
    rows = []
    for item in requests.open_requests(session):
        mine = item.claimed_by == current_user.name
        number = services.sealer.open(item.sealed_number) if mine and item.sealed_number else None
        rows.append(dict(
            id=item.id, waited=_waited(item.created_at, now), created=item.created_at,
            lang=language_name(item.lang, "en", services.content.catalogues.get(item.lang)) if item.lang else "not known (ask)",
            topic=TOPIC_NAMES.get(item.topic, item.topic),
            office=office_name(session, item.office_id), status=item.status, holder=item.claimed_by, mine=mine,
            number=number, tries=item.attempts, note=item.note or "",
        ))
    return rows


def office_name(session, office_id):
    """The nearest office's name and place, when the request names one (ivr.offices)."""
    office = session.get(Office, office_id) if office_id else None
    return f"{office.name}, {office.place}" if office else "—"


@bp.route("", methods=["GET"])
@requires("callbacks")
def page():
    now = _now()
    rows = _rows(db.request_session(), now)
    return render_template("admin/callbacks.html", rows=rows, note_length=NOTE_LENGTH, title="Calls back")


def _id(raw):
    if not raw.isdigit() or len(raw) > 9:
        abort(404, description="There is no such request.")
    found = requests.get(db.request_session(), int(raw))
    if found is None:
        abort(404, description="There is no such request.")
    return found.id


def _audit(action, request_id, **details):
    session = db.request_session()
    record_audit(session, current_user.name, action, f"callback {request_id}", details)
    session.commit()


@bp.route("/<raw>/claim", methods=["POST"])
@requires("callbacks")
def claim(raw):
    request_id = _id(raw)
    if not requests.claim(db.request_session(), request_id, current_user.name, _now()):
        return render_template("admin/message.html", title="Already taken",
                               message="Someone else has taken this request, or it is closed. Nothing was changed."), 409
    _audit("callback.claim", request_id)
    return redirect(url_for("callbacks.page") + f"#request-{request_id}")


@bp.route("/<raw>/release", methods=["POST"])
@requires("callbacks")
def release(raw):
    request_id = _id(raw)
    if not requests.release(db.request_session(), request_id, current_user.name):
        abort(409, description="You do not hold this request.")
    _audit("callback.release", request_id)
    return redirect(url_for("callbacks.page"))


@bp.route("/<raw>/finish", methods=["POST"])
@requires("callbacks")
def finish(raw):
    request_id = _id(raw)
    outcome = request.form.get("outcome", "")
    if outcome not in ("done", "no_answer"):
        abort(400, description="Choose done or no answer.")
    note = request.form.get("note", "").strip()
    if len(note) > NOTE_LENGTH:
        abort(400, description=f"A note is at most {NOTE_LENGTH} characters.")
    if not requests.finish(db.request_session(), request_id, current_user.name, outcome, _now(), note or None):
        abort(409, description="You do not hold this request, or it is closed already.")
    _audit(f"callback.{outcome}", request_id, note=bool(note))
    current_app.extensions[EXTENSION].callbacks.count(f"agent:{outcome}")
    return redirect(url_for("callbacks.page"))


@bp.route("/<raw>/note", methods=["POST"])
@requires("callbacks")
def note(raw):
    request_id = _id(raw)
    text = request.form.get("note", "").strip()
    if len(text) > NOTE_LENGTH:
        abort(400, description=f"A note is at most {NOTE_LENGTH} characters.")
    if not requests.set_note(db.request_session(), request_id, current_user.name, text):
        abort(409, description="Only the agent holding a request can write its note.")
    _audit("callback.note", request_id)
    return redirect(url_for("callbacks.page") + f"#request-{request_id}")


def init_app(app):
    app.register_blueprint(bp)
