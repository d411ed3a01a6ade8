"""The admin at /admin through Flask's test client: logging in and out, the lock after
five wrong passwords, roles (403), CSRF on every form (400 without the token), the
session cookie's flags, staff management and the audit log, SECRET_KEY in production,
and the web phone for logged-in staff."""
import html
import re
import time

import pytest
from sqlalchemy import select

from ivr import create_app
from ivr.app import SecretKeyMissing
from ivr.staff import web
from ivr.store import db
from ivr.store.models import AuditEntry

from support import STAFF_PASSWORD, csrf_token, log_in


def text(reply):
    """The page's words, without tags, spaces squeezed."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", reply.get_data(as_text=True))).strip())


def audit_actions(app):
    with db.of(app).session() as session:
        return session.execute(select(AuditEntry.actor, AuditEntry.action, AuditEntry.target)
                               .order_by(AuditEntry.id)).all()


# -- logging in and out -----------------------------------------------------------------------
def test_pages_send_the_anonymous_to_the_log_in(staff_app):
    client = staff_app.test_client()
    for path in ("/admin", "/admin/staff", "/admin/audit?page=2"):
        reply = client.get(path)
        assert reply.status_code == 302 and reply.headers["Location"].startswith("/admin/login?next=/admin")
    page = client.get("/admin/login")
    assert page.status_code == 200 and 'name="csrf_token"' in page.get_data(as_text=True)
    assert "Return information line" in text(page)


def test_log_in_then_home_then_log_out(staff_app, staff):
    staff("ada", "admin")
    client = staff_app.test_client()
    reply = log_in(client, "Ada", STAFF_PASSWORD)
    assert reply.status_code == 302 and reply.headers["Location"] == "/admin"
    home = client.get("/admin")
    assert home.status_code == 200
    words = text(home)
    assert "Hello, ada" in words and "You are an admin" in words
    assert "Staff" in words and "Audit log" in words and "Web phone" in words
    assert client.get("/admin/logout").status_code == 405  # a link cannot log anyone out
    out = client.post("/admin/logout", data={"csrf_token": csrf_token(client, "/admin")})
    assert out.status_code == 302 and out.headers["Location"] == "/admin/login"
    assert client.get("/admin").status_code == 302
    assert ("ada", "staff.login", "ada") in audit_actions(staff_app)


def test_admin_pages_need_no_script_no_inline_style_and_nothing_from_elsewhere(staff_app, logged_in):
    """So a strict Content-Security-Policy (default-src 'self') leaves them working."""
    client = logged_in("admin")
    for path in ("/admin", "/admin/staff", "/admin/audit", "/admin/login"):
        page = client.get(path).get_data(as_text=True)
        assert "<script" not in page and "<style" not in page and " style=" not in page, path
        assert not re.search(r'(src|href)\s*=\s*["\']?(https?:)?//', page), path
    css = client.get("/admin/static/admin.css")
    assert css.status_code == 200 and css.mimetype == "text/css" and b"url(" not in css.data


def test_the_home_page_offers_each_role_its_own_work(staff_app, logged_in):
    editor = text(logged_in("editor").get("/admin"))
    assert "Editors change prompts and recordings." in editor
    assert "Web phone" in editor and "Audit log" not in editor and "Add staff" not in editor
    assert "Statistics" in editor
    agent = text(logged_in("agent").get("/admin"))
    assert "Agents work callback requests." in agent and "Audit log" not in agent and "Statistics" not in agent


@pytest.mark.parametrize("name, password", [("ada", "wrong password"), ("nobody", STAFF_PASSWORD), ("", "")])
def test_wrong_names_and_passwords_are_refused_alike(staff_app, staff, name, password):
    staff("ada", "admin")
    client = staff_app.test_client()
    reply = log_in(client, name, password)
    assert reply.status_code in (400, 401)
    words = text(reply)
    assert ("Wrong name or password." in words) if name else ("Enter your name." in words)
    assert client.get("/admin").status_code == 302


def test_five_wrong_passwords_lock_the_account_and_say_so(staff_app, staff):
    staff("ada", "editor")
    client = staff_app.test_client()
    statuses = [log_in(client, "ada", f"wrong {n}").status_code for n in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    locked = log_in(client, "ada", STAFF_PASSWORD)
    assert locked.status_code == 429
    assert "Too many wrong passwords: this account is locked for 15 more minutes." in text(locked)
    assert client.get("/admin").status_code == 302
    assert ("ada", "staff.locked", "ada") in audit_actions(staff_app)


def test_a_disabled_account_is_told_and_its_session_ends_at_once(staff_app, staff, logged_in):
    staff("boss", "admin")
    client = logged_in("editor", "ada")
    assert client.get("/admin").status_code == 200
    with db.of(staff_app).session() as session:
        from ivr.staff import accounts

        accounts.disable(session, "ada", actor="boss")
    assert client.get("/admin").status_code == 302  # logged out by the next request
    reply = log_in(staff_app.test_client(), "ada", STAFF_PASSWORD)
    assert reply.status_code == 403 and "This account is disabled" in text(reply)


def test_a_log_in_lasts_session_hours(staff_app, logged_in, monkeypatch):
    client = logged_in("editor")
    assert client.get("/admin").status_code == 200
    later = time.time() + staff_app.config["SESSION_HOURS"] * 3600 + 1
    monkeypatch.setattr(web.time, "time", lambda: later)
    assert client.get("/admin").status_code == 302


@pytest.mark.parametrize("target, expected", [
    ("/phone", "/phone"), ("/admin/audit?page=1", "/admin/audit?page=1"),
    ("//evil.example/x", "/admin"), ("https://evil.example/", "/admin"), ("/\\evil.example", "/admin"),
])
def test_after_the_log_in_only_pages_of_this_site(staff_app, staff, target, expected):
    staff("ada", "admin")
    client = staff_app.test_client()
    token = csrf_token(client)
    reply = client.post("/admin/login", query_string={"next": target},
                        data={"name": "ada", "password": STAFF_PASSWORD, "csrf_token": token})
    assert reply.status_code == 302 and reply.headers["Location"] == expected


# -- roles ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["editor", "agent"])
def test_only_admins_manage_staff_and_read_the_audit_log(logged_in, role):
    client = logged_in(role)
    token = csrf_token(client, "/admin")
    for reply in (client.get("/admin/staff"), client.get("/admin/audit"),
                  client.post("/admin/staff", data={"name": "eve", "role": "admin", "password": STAFF_PASSWORD,
                                                    "csrf_token": token}),
                  client.post(f"/admin/staff/{role}-one/role", data={"role": "admin", "csrf_token": token})):
        assert reply.status_code == 403
        assert f"Your role ({role}) does not allow this page." in text(reply)


# -- CSRF ----------------------------------------------------------------------------------------
def test_a_form_without_its_token_is_refused(staff_app, staff, logged_in):
    staff("ada", "admin")
    anonymous = staff_app.test_client()
    refused = anonymous.post("/admin/login", data={"name": "ada", "password": STAFF_PASSWORD})
    assert refused.status_code == 400 and "security token is missing" in text(refused)
    forged = anonymous.post("/admin/login", data={"name": "ada", "password": STAFF_PASSWORD, "csrf_token": "forged"})
    assert forged.status_code == 400
    client = logged_in("admin", "boss")
    for path, data in [("/admin/staff", {"name": "eve", "role": "admin", "password": STAFF_PASSWORD}),
                       ("/admin/staff/ada/disable", {}), ("/admin/staff/ada/role", {"role": "agent"}),
                       ("/admin/logout", {})]:
        assert client.post(path, data=data).status_code == 400, path
    assert client.get("/admin").status_code == 200  # still logged in: the logout was refused too
    assert [a for _, a, _ in audit_actions(staff_app)].count("staff.add") == 2  # the fixtures' two only


def test_twilio_webhooks_and_the_phone_need_no_token(staff_app):
    staff_app.config["PHONE_ENABLED"] = True
    client = staff_app.test_client()
    assert client.post("/voice").status_code == 200
    assert client.post("/phone/twiml", json={"path": "/voice"}).status_code == 200


# -- the session cookie --------------------------------------------------------------------------
def test_the_calls_path_sets_no_cookie_and_varies_on_none(staff_app, logged_in):
    """Webhooks (and the audio Twilio fetches) neither set a cookie nor vary on one,
    even for a browser that has a staff session."""
    for client in (staff_app.test_client(), logged_in("editor")):
        for reply in (client.post("/voice"), client.post("/voice/en/main"), client.post("/voice/status")):
            assert reply.status_code in (200, 204)
            assert "Set-Cookie" not in reply.headers and "Cookie" not in reply.headers.get("Vary", "")


def session_cookie(reply):
    cookies = [c for c in reply.headers.getlist("Set-Cookie") if "session=" in c.split(";")[0]]
    assert len(cookies) == 1, reply.headers.getlist("Set-Cookie")
    return [part.strip() for part in cookies[0].split(";")]


def test_the_session_cookie_is_http_only_and_same_site(staff_app, staff):
    staff("ada", "admin")
    flags = session_cookie(log_in(staff_app.test_client(), "ada", STAFF_PASSWORD))
    assert flags[0].startswith("ivr_session=") and "HttpOnly" in flags and "SameSite=Lax" in flags
    assert "Secure" not in flags  # plain http for local runs


@pytest.mark.parametrize("settings, serving", [({"PUBLIC_BASE_URL": "https://line.example.org"}, False),
                                               ({"TWILIO_AUTH_TOKEN": "t", "SECRET_KEY": "k"}, True)])
def test_the_session_cookie_is_secure_over_https_and_in_production(db_url, staff, settings, serving):
    app = create_app({"TESTING": True, "AUDIO_ENABLED": False, "DATABASE_URL": db_url, "SECRET_KEY": "k",
                      "IVR_DEVELOPMENT": False, **settings}, serving=serving)
    staff("ada", "admin")
    client = app.test_client()
    token = csrf_token(client, base_url="https://line.example.org")
    reply = client.post("/admin/login", base_url="https://line.example.org",
                        headers={"Referer": "https://line.example.org/admin/login"},
                        data={"name": "ada", "password": STAFF_PASSWORD, "csrf_token": token})
    flags = session_cookie(reply)
    assert flags[0].startswith("__Host-ivr_session=") and {"Secure", "HttpOnly", "SameSite=Lax", "Path=/"} <= set(flags)
    assert not any(flag.startswith("Domain") for flag in flags)


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "t")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("IVR_DEVELOPMENT", raising=False)
    with pytest.raises(SecretKeyMissing, match="SECRET_KEY is not set"):
        create_app(serving=True)
    monkeypatch.setenv("IVR_DEVELOPMENT", "1")
    assert len(create_app(serving=True).config["SECRET_KEY"]) == 64  # made up for this development run


# -- staff and the audit log (admins) -------------------------------------------------------------
def test_an_admin_adds_changes_and_disables_staff(staff_app, logged_in):
    client = logged_in("admin", "boss")
    token = csrf_token(client, "/admin/staff")
    added = client.post("/admin/staff", data={"name": "Eve", "role": "editor", "password": STAFF_PASSWORD,
                                              "csrf_token": token})
    assert added.status_code == 302
    assert client.post("/admin/staff/eve/role", data={"role": "agent", "csrf_token": token}).status_code == 302
    assert client.post("/admin/staff/eve/disable", data={"csrf_token": token}).status_code == 302
    rows = {cells[1]: cells for cells in re.findall(r"<tr>\s*<td>(\d+)</td>\s*<th scope=\"row\">([^<]+)</th>(.*?)</tr>",
                                                    client.get("/admin/staff").get_data(as_text=True), re.S)}
    assert set(rows) == {"boss", "eve"}
    assert 'value="agent" selected' in rows["eve"][2] and "disabled" in rows["eve"][2]
    assert "Enable eve" in rows["eve"][2]
    assert client.post("/admin/staff/eve/enable", data={"csrf_token": token}).status_code == 302
    actions = [(a, b, c) for a, b, c in audit_actions(staff_app) if a == "boss" and b != "staff.login"]
    assert actions == [("boss", "staff.add", "eve"), ("boss", "staff.role", "eve"),
                       ("boss", "staff.disable", "eve"), ("boss", "staff.enable", "eve")]
    log = text(client.get("/admin/audit"))
    assert "boss staff.enable eve" in log and "from: editor" in log


@pytest.mark.parametrize("data, message", [
    ({"name": "x", "role": "editor", "password": STAFF_PASSWORD}, "A name is 2 to 32 characters"),
    ({"name": "eve", "role": "editor", "password": "short"}, "A password is 10 to 256 characters long."),
    ({"name": "eve", "role": "boss", "password": STAFF_PASSWORD}, "Not a valid choice"),
    ({"name": "boss", "role": "editor", "password": STAFF_PASSWORD}, "There is already a staff member called 'boss'."),
    ({"name": "", "role": "editor", "password": STAFF_PASSWORD}, "Enter a name."),
])
def test_bad_staff_input_is_a_400_with_a_reason(staff_app, logged_in, data, message):
    client = logged_in("admin", "boss")
    reply = client.post("/admin/staff", data={**data, "csrf_token": csrf_token(client, "/admin/staff")})
    assert reply.status_code == 400 and message in text(reply)
    assert [b for _, b, _ in audit_actions(staff_app)].count("staff.add") == 1


def test_changes_that_cannot_be_made_are_a_4xx_with_a_reason(logged_in):
    client = logged_in("admin", "boss")
    token = csrf_token(client, "/admin/staff")
    last = client.post("/admin/staff/boss/disable", data={"csrf_token": token})
    assert last.status_code == 400 and "At least one enabled admin must remain" in text(last)
    nobody = client.post("/admin/staff/nobody/disable", data={"csrf_token": token})
    assert nobody.status_code == 400 and "There is no staff member called 'nobody'." in text(nobody)
    bad_role = client.post("/admin/staff/boss/role", data={"role": "king", "csrf_token": token})
    assert bad_role.status_code == 400 and "Not a valid choice" in text(bad_role)


@pytest.mark.parametrize("page, status", [("abc", 400), ("0", 400), ("-1", 400), ("9999999", 400), ("2", 404), ("1", 200)])
def test_audit_pages_are_checked(logged_in, page, status):
    reply = logged_in("admin").get(f"/admin/audit?page={page}")
    assert reply.status_code == status


# -- the web phone for logged-in staff -------------------------------------------------------------
def test_the_phone_is_for_logged_in_staff(staff_app, logged_in):
    anonymous = staff_app.test_client()
    page = anonymous.get("/phone")
    assert page.status_code == 302 and page.headers["Location"] == "/admin/login?next=/phone"
    refused = anonymous.post("/phone/twiml", json={"path": "/voice"})
    assert refused.status_code == 401 and "Log in" in refused.get_json()["error"]
    client = logged_in("agent")
    page = client.get("/phone")
    assert page.status_code == 200
    assert "<title>Web phone – Return information line</title>" in page.get_data(as_text=True)
    assert "Back to the admin" in text(page)
    assert client.post("/phone/twiml", json={"path": "/voice"}).status_code == 200
