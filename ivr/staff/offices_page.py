"""/admin/offices (editors and admins): every office with what the line may say of
it, and one office's form: address, coordinates, phone, desk languages, consulting
hours per weekday (spreekuur and juridisch spreekuur apart), closures, and when each
field was verified against what. A refused form is a 400 that says which field and
why, and changes nothing; every change is audited (records.save). The offices
themselves, and the form as plain data, are ivr.offices'.
"""
from datetime import date

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from ..config import EXTENSION
from ..offices import directory, form, hours, records
from ..offices.rules import DAYS, KINDS, OfficeError
from ..store import db
from ..store.models import CHECKED_FIELDS, HOURS_KINDS, SAY_HOURS
from .web import refuse_with_pages, requires

bp = Blueprint("offices", __name__, url_prefix="/admin/offices")
NEW = {"slug": "", "kind": "council", "say_hours": "never", "active": True}


@bp.route("", methods=["GET"])
@requires("offices")
def page():
    rows = []
    for office in records.all_offices(db.request_session()):
        info = directory.info(office)
        rows.append({"office": office, "info": info, "said": hours.describe(info) if office.active else "inactive"})
    return render_template("admin/offices.html", title="Offices", rows=rows)


def _form_page(values, slug=None, errors=(), status=200):
    return render_template("admin/office.html", title=values.get("name") or "New office", values=values,
                           slug=slug, errors=list(errors), days=DAYS, kinds=KINDS, hours_kinds=HOURS_KINDS,
                           say_hours=SAY_HOURS, checked=CHECKED_FIELDS, today=date.today()), status


def _save(slug, is_new):
    session = db.request_session()
    try:
        raw = form.parse(request.form, slug)
        if is_new and records.exists(session, slug):
            raise OfficeError(f"slug: there is already an office {slug!r}")
        office, _ = records.save(session, raw, current_user.name)
    except OfficeError as exc:
        session.rollback()
        values = {**form.values(NEW), **request.form.to_dict(), "slug": slug,
                  "active": request.form.get("active") == "on",
                  "closure_rows": _closure_rows_posted() or form.BLANK_CLOSURES}
        return _form_page(values, None if is_new else slug, [str(exc)], 400)
    session.commit()
    directory.of(current_app).refresh()  # this process at once; others within REFRESH_SECONDS
    # Its name and place as audio for the line (said with <Say> until made; none while Redis is down).
    current_app.extensions[EXTENSION].jobs.enqueue("ivr.jobs.office_audio.make", office.id, description="office audio")
    return redirect(url_for("offices.page") + f"#office-{office.slug}")


def _closure_rows_posted():
    return sum(1 for key in request.form if key.startswith("closure_starts_"))


@bp.route("/new", methods=["GET"])
@requires("offices")
def new():
    return _form_page(form.values(NEW))


@bp.route("/new", methods=["POST"])
@requires("offices")
def add():
    return _save((request.form.get("slug") or "").strip().lower(), is_new=True)


def _stored(slug):
    try:
        return records.find(db.request_session(), slug)
    except OfficeError as exc:
        abort(404, description=str(exc))


@bp.route("/<slug>", methods=["GET"])
@requires("offices")
def edit(slug):
    office = _stored(slug)
    return _form_page(form.values(records.as_dict(office)), office.slug)


@bp.route("/<slug>", methods=["POST"])
@requires("offices")
def change(slug):
    return _save(_stored(slug).slug, is_new=False)


refuse_with_pages(bp)


def init_app(app):
    app.register_blueprint(bp)
