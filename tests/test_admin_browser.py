"""The admin and the web phone in a real browser (Debian's chromium via Playwright):
log in, see the home page, log out; a form without its CSRF token; the web phone for
a logged-in staff member, in production mode (no PHONE_ENABLED, no IVR_DEVELOPMENT)."""
import re

import pytest

from ivr import create_app

from support import OFFLINE_ENGINES, STAFF_PASSWORD, wait_for

SCREENSHOT = "/tmp/admin-home.png"


@pytest.fixture
def live_admin(db_url, built_audio, serve_app):
    """The line as production runs it (signed webhooks, a secret key, no open phone),
    with the session's built audio read from disk, on a loopback port."""
    app = create_app({"TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": "browser-test", "AUDIO_DIR": str(built_audio),
                      "AUDIO_ENGINES": OFFLINE_ENGINES, "REDIS_URL": "", "TWILIO_AUTH_TOKEN": "token",
                      "PHONE_ENABLED": False, "IVR_DEVELOPMENT": False})
    url = serve_app(app)
    app.config["PUBLIC_BASE_URL"] = url
    return app, url


def log_in(page, url, name, password=STAFF_PASSWORD, start="/admin"):
    page.goto(url + start)
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_log_in_see_the_home_page_log_out(live_admin, staff, page):
    app, url = live_admin
    staff("ada", "admin")
    page.goto(url + "/admin")
    assert page.url == url + "/admin/login?next=/admin"
    log_in(page, url, "ada", "not the password", start="/admin/login")
    assert page.get_by_role("alert").inner_text().strip() == "Wrong name or password."
    page.get_by_label("Name").fill("ada")
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    assert page.url == url + "/admin"
    assert page.get_by_role("heading", level=1).inner_text() == "Hello, ada"
    areas = page.locator(".areas h3").all_inner_texts()
    assert areas == ["Web phone", "Prompts and recordings", "Staff", "Audit log", "Statistics", "Offices"]
    # The stylesheet loaded (the page is not unstyled): the header bar is laid out in a row.
    assert page.evaluate("getComputedStyle(document.querySelector('.bar')).display") == "flex"
    page.screenshot(path=SCREENSHOT, full_page=True)
    page.get_by_role("link", name="Audit log").first.click()
    assert "staff.login" in page.locator("table").inner_text()
    page.get_by_role("button", name="Log out").click()
    assert page.url == url + "/admin/login"
    page.goto(url + "/admin/staff")
    assert page.url.startswith(url + "/admin/login")


def test_a_form_without_its_token_is_refused_in_the_browser(live_admin, staff, page):
    app, url = live_admin
    staff("ada", "admin")
    log_in(page, url, "ada")
    page.goto(url + "/admin/staff")
    form = page.locator("form[action='/admin/staff']")
    form.get_by_label("Name").fill("eve")
    form.get_by_label("First password").fill(STAFF_PASSWORD)
    page.evaluate("document.querySelector(\"form[action='/admin/staff'] input[name=csrf_token]\").remove()")
    with page.expect_response(lambda r: r.url.endswith("/admin/staff") and r.request.method == "POST") as answer:
        form.get_by_role("button", name="Add").click()
    assert answer.value.status == 400
    assert page.get_by_role("heading", level=1).inner_text() == "Form refused"
    page.goto(url + "/admin/staff")
    assert "eve" not in page.locator("tbody").inner_text()


def test_a_logged_in_staff_member_uses_the_web_phone(live_admin, staff, page):
    app, url = live_admin
    staff("ada", "editor")
    page.goto(url + "/phone?rate=8")
    assert page.url == url + "/admin/login?next=/phone?rate%3D8"
    page.get_by_label("Name").fill("ada")
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    assert re.fullmatch(re.escape(url) + r"/phone\?rate=8", page.url)
    assert page.get_by_role("heading", level=1).inner_text() == "Return information line: web phone"
    page.get_by_role("button", name="Call the line").click()
    wait_for(page, "window.phoneState === 'waiting'", timeout=60_000)
    wait_for(page, "window.phoneLog.filter(e => e.kind === 'play').every(e => e.text)", timeout=10_000)
    plays = page.evaluate("window.phoneLog.filter(e => e.kind === 'play')")
    assert plays and all(p["engine"] == "espeak" and p["seconds"] > 0 and p["text"] for p in plays)
    assert not page.evaluate("window.phoneLog.filter(e => e.kind === 'error')")
    first_row = page.locator("#transcript li.ev-play").first.inner_text()
    assert first_row.startswith("plays “" + plays[0]["text"]) and "espeak ·" in first_row
    page.get_by_role("button", name="Hang up").click()
    page.get_by_role("link", name="Back to the admin").click()
    assert page.url == url + "/admin"
