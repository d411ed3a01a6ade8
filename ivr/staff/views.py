"""The admin at /admin: log in and out, a home page that lists what the staff member
may do, and for admins /admin/staff (add, disable, enable, change a role) and
/admin/audit (the audit log). Plain HTML forms, no script; every POST carries its
CSRF token (web.csrf), every change goes through accounts and is audited.

Later rooms of the admin add their page to AREAS (a permission, a title, an
endpoint, a sentence) so the home page offers it to the roles that may use it.
"""
from dataclasses import dataclass

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from ..store import db
from ..store.models import ROLES
from . import accounts, audit
from .accounts import DUTIES, Policy, StaffError
from .forms import ActionForm, AddStaffForm, LoginForm, RoleForm
from .web import local_target, log_in, log_out, refuse_with_pages, requires

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates",
               static_folder="static", static_url_path="/static")


@dataclass(frozen=True)
class Area:
    permission: str
    title: str
    endpoint: str
    about: str


AREAS = [
    Area("phone", "Web phone", "phone.page",
         "Call the line in the browser: hear what a caller hears, with each prompt's words, engine and length."),
    Area("recordings", "Prompts and recordings", "prompts.page",
         "Every prompt in every language: its text, its audio and what is missing; upload or undo a recording."),
    Area("staff", "Staff", "admin.staff", "Add staff, change their roles, disable accounts."),
    Area("audit", "Audit log", "admin.audit", "Who changed what, and when."),
    Area("stats", "Statistics", "stats.page",
         "What the line is used for: calls by language, the way to each answer, where callers give up."),
    Area("offices", "Offices", "offices.page",
         "Where callers are sent: each office's address, phone, consulting hours, closures and when they were verified."),
]


def _errors(form):
    return [message for messages in form.errors.values() for message in messages]


# -- logging in and out -----------------------------------------------------------------------
@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    home = url_for("admin.home")
    target = local_target(request.args.get("next"), home)
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(target)
        return render_template("admin/login.html", form=form)
    if not form.validate():
        return render_template("admin/login.html", form=form, errors=_errors(form)), 400
    outcome = accounts.authenticate(db.request_session(), form.name.data, form.password.data,
                                    Policy.from_settings(current_app.config))
    if outcome.ok:
        log_in(outcome.staff)
        return redirect(target)
    if outcome.status == "locked":
        minutes = outcome.minutes_left()
        message = (f"Too many wrong passwords: this account is locked for {minutes} more "
                   f"minute{'s' if minutes != 1 else ''}. Try again then, or ask an admin.")
        status = 429
    elif outcome.status == "disabled":
        message, status = "This account is disabled. Ask an admin if you need it again.", 403
    else:
        message, status = "Wrong name or password.", 401
    return render_template("admin/login.html", form=form, errors=[message]), status


@bp.route("/logout", methods=["POST"])
def logout():
    log_out()
    return redirect(url_for("admin.login"))


# -- the home page ------------------------------------------------------------------------------
@bp.route("/", methods=["GET"])
@bp.route("", methods=["GET"])  # the first registered: url_for gives /admin
@requires("phone")
def home():
    areas = [area for area in AREAS if current_user.may(area.permission)]
    return render_template("admin/home.html", areas=areas, duty=DUTIES.get(current_user.role, ""))


# -- staff (admins) ----------------------------------------------------------------------------------
def _staff_page(form=None, errors=(), status=200):
    members = accounts.list_staff(db.request_session())
    return render_template("admin/staff.html", members=members, form=form or AddStaffForm(), roles=ROLES,
                           errors=list(errors), now=db.utcnow()), status


@bp.route("/staff", methods=["GET"])
@requires("staff")
def staff():
    return _staff_page()


@bp.route("/staff", methods=["POST"])
@requires("staff")
def add_staff():
    form = AddStaffForm()
    if not form.validate():
        return _staff_page(form, _errors(form), 400)
    try:
        accounts.create_staff(db.request_session(), form.name.data, form.role.data, form.password.data,
                              actor=current_user.name)
    except StaffError as exc:
        db.request_session().rollback()
        return _staff_page(form, [str(exc)], 400)
    return redirect(url_for("admin.staff"))


def _change(name, change, *args):
    if not ActionForm().validate():
        abort(400, description="The form was incomplete.")
    try:
        change(db.request_session(), name, *args, actor=current_user.name)
    except StaffError as exc:
        db.request_session().rollback()
        return _staff_page(errors=[str(exc)], status=400)
    return redirect(url_for("admin.staff"))


@bp.route("/staff/<name>/disable", methods=["POST"])
@requires("staff")
def disable_staff(name):
    return _change(name, accounts.disable)


@bp.route("/staff/<name>/enable", methods=["POST"])
@requires("staff")
def enable_staff(name):
    return _change(name, accounts.enable)


@bp.route("/staff/<name>/role", methods=["POST"])
@requires("staff")
def role_staff(name):
    form = RoleForm()
    if not form.validate():
        return _staff_page(errors=[f"Role: {message}" for message in _errors(form)], status=400)
    return _change(name, accounts.set_role, form.role.data)


# -- the audit log (admins) ----------------------------------------------------------------------------
@bp.route("/audit", methods=["GET"], endpoint="audit")
@requires("audit")
def audit_log():
    raw = request.args.get("page", "1")
    if not raw.isdigit() or int(raw) < 1 or len(raw) > 6:
        abort(400, description="page must be a whole number from 1.")
    page = int(raw)
    entries, pages = audit.recent(db.request_session(), page)
    if page > pages:
        abort(404, description=f"There are {pages} pages of the audit log.")
    return render_template("admin/audit.html", entries=entries, page=page, pages=pages)


refuse_with_pages(bp)


def init_app(app):
    from . import prompts

    app.register_blueprint(bp)
    app.register_blueprint(prompts.bp)
