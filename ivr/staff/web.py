"""The admin's web machinery: who is logged in (Flask-Login over the signed session
cookie), CSRF on every form (Flask-WTF's CSRFProtect, for the whole app: a POST
without its token is a 400 unless its view is exempt), the cookie's flags, and
`requires(permission)` for views.

The logged-in member is read from the database on every request, so disabling an
account or changing a role takes effect at once; a log-in lasts SESSION_HOURS.
"""
import secrets
import time
from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlsplit

from flask import abort, current_app, jsonify, redirect, render_template, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect

from ..store import db
from ..store.models import Staff
from .accounts import permissions

login_manager = LoginManager()
login_manager.login_view = "admin.login"
login_manager.session_protection = "strong"  # a cookie replayed from another browser is dropped
csrf = CSRFProtect()
SINCE = "ivr_logged_in_at"  # session key: when this log-in began (epoch seconds)


@dataclass(frozen=True, eq=False)
class Member(UserMixin):
    """The logged-in staff member, as the pages need them (not a database row)."""

    id: int
    name: str
    role: str

    def get_id(self):
        return str(self.id)

    @property
    def permissions(self):
        return permissions(self.role)

    def may(self, permission):
        return permission in self.permissions


@login_manager.user_loader
def load_member(user_id):
    started = session.get(SINCE)
    hours = current_app.config["SESSION_HOURS"]
    if not isinstance(started, (int, float)) or time.time() - started > hours * 3600:
        return None
    try:
        staff = db.request_session().get(Staff, int(user_id))
    except ValueError:
        return None
    if staff is None or staff.disabled:
        return None
    return Member(staff.id, staff.name, staff.role)


@login_manager.unauthorized_handler
def unauthorized():
    """Pages send the browser to the log-in (and back afterwards); JSON gets a 401."""
    if request.is_json or request.accept_mimetypes.best == "application/json":
        return jsonify({"error": "Log in as staff first (at /admin/login)."}), 401
    target = request.full_path if request.query_string else request.path
    return redirect(url_for("admin.login", next=target))


def log_in(staff):
    session.clear()  # nothing from before the log-in survives it
    login_user(Member(staff.id, staff.name, staff.role))
    session[SINCE] = time.time()


def log_out():
    logout_user()
    session.clear()


def local_target(target, fallback):
    """Where to go after logging in: only a path on this site, never another site."""
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    parts = urlsplit(target)
    return fallback if parts.scheme or parts.netloc else target


def requires(permission):
    """A view for logged-in staff whose role grants `permission`; others get a 403."""

    def wrap(view):
        @wraps(view)
        def checked(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.may(permission):
                abort(403, description=f"Your role ({current_user.role}) does not allow this page.")
            return view(*args, **kwargs)

        return checked

    return wrap


def exempt(*blueprints):
    """Blueprints whose POSTs are not forms: Twilio's signed webhooks, JSON APIs."""
    for blueprint in blueprints:
        csrf.exempt(blueprint)


def refused(error):
    """A 400, 403 or 404 on a staff page: the reason, in the admin's own page."""
    return render_template("admin/message.html", title=error.name, message=error.description), error.code


def refuse_with_pages(blueprint):
    """The admin's refusal pages for a blueprint's 400, 403 and 404, and for a form
    without its CSRF token (the blueprint's own 400 handler would answer it first)."""
    for code in (400, 403, 404):
        blueprint.register_error_handler(code, refused)
    blueprint.register_error_handler(CSRFError, refused_form)


def refused_form(error):
    message = ("This form could not be accepted: its security token is missing or no longer valid. "
               "Go back, reload the page and try again.")
    return render_template("admin/message.html", title="Form refused", message=message,
                           detail=error.description), 400


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed cookie sessions, less their cost on the calls' path: a request
    without the cookie (every Twilio webhook and audio fetch) gets an empty session
    without building the signer, which doubled a cached webhook's time."""

    def open_session(self, app, request):
        # A look at the raw header, not the parsed cookies: the cheapest "no cookie".
        if app.secret_key and self.get_cookie_name(app) not in request.environ.get("HTTP_COOKIE", ""):
            return self.session_class()
        return super().open_session(app, request)


UPLOAD_BYTES = 10 * 1024 * 1024 + 64 * 1024  # a recording (recordings.MAX_BYTES) and its form


def _upload_limit():
    """A recording's upload may be larger than any other request (MAX_CONTENT_LENGTH)."""
    if request.method == "POST" and request.path.startswith("/admin/prompts/") and request.path.endswith("/record"):
        request.max_content_length = UPLOAD_BYTES


def init_app(app, serving=False):
    config = app.config
    production = serving and not config["IVR_DEVELOPMENT"]
    if not config.get("SECRET_KEY"):
        # Development and tests (create_app refuses a production start without one):
        # log-ins last as long as this process.
        config["SECRET_KEY"] = secrets.token_hex(32)
    secure = production or config["PUBLIC_BASE_URL"].startswith("https://")
    config.update(
        SESSION_COOKIE_NAME="__Host-ivr_session" if secure else "ivr_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        WTF_CSRF_TIME_LIMIT=None,  # a token lasts as long as its session (SESSION_HOURS)
    )
    app.session_interface = CookieSessions()
    login_manager.init_app(app)
    # "Remember me" is not offered. Without Flask-Login's remember-cookie hook, which
    # reads the session of every response, the webhooks and the audio (which never
    # read it) carry no "Vary: Cookie" that would stop caches keeping them.
    app.after_request_funcs[None].remove(login_manager._update_remember_cookie)
    app.before_request(_upload_limit)  # before the CSRF check, which reads the form
    csrf.init_app(app)
    app.register_error_handler(CSRFError, refused_form)
