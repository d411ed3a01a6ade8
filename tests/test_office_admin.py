"""/admin/offices: editors and admins list and edit offices (hours per weekday by
kind, closures, languages, verified dates), agents cannot; a refused form is a 400
naming the field and changes nothing; a form without its CSRF token is refused;
every change is audited. The form's parsing without Flask; and in a real browser."""
import html
import re
from datetime import date, time

import pytest
from sqlalchemy import select

from ivr import create_app
from ivr.offices import directory, form, records
from ivr.offices.directory import Slot
from ivr.offices.rules import OfficeError
from ivr.store.models import AuditEntry

from support import STAFF_PASSWORD, csrf_token, log_in

TER_APEL = {"slug": "ter-apel", "name": "VluchtelingenWerk in Ter Apel", "kind": "reception", "place": "Ter Apel",
            "postcode": "9561", "lat": 52.8754, "lon": 7.0572,
            "checks": {"location": {"verified": date(2026, 11, 20), "source": "postcode centroid"}}}


@pytest.fixture
def stored(database):
    with database.transaction() as session:
        records.save(session, TER_APEL, "test")


def text(reply):
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", reply.get_data(as_text=True))))


def posted(client, slug="ter-apel", **changes):
    values = form.values(records_dict(client.application, slug))
    values = {k: ("on" if v else "") if k == "active" else v for k, v in values.items()}
    values.update(changes, csrf_token=csrf_token(client, f"/admin/offices/{slug}"))
    return client.post(f"/admin/offices/{slug}", data=values)


def records_dict(app, slug):
    from ivr.store import db

    with db.of(app).session() as session:
        return records.as_dict(records.find(session, slug))


def test_the_form_round_trips_an_office_without_flask():
    office = {**TER_APEL, "languages": ["nl", "ar"], "hours": [
        {"day": "tuesday", "kind": "spreekuur", "opens": time(9), "closes": time(12)},
        {"day": "tuesday", "kind": "juridisch", "opens": time(13, 30), "closes": time(16)}],
        "closures": [{"starts": date(2026, 12, 24), "ends": date(2026, 12, 31), "reason": "holidays"}]}
    values = form.values(office)
    assert values["hours_tuesday_spreekuur"] == "09:00-12:00" and values["hours_tuesday_juridisch"] == "13:30-16:00"
    back = form.parse({k: str(v) for k, v in values.items() if k != "active"} | {"active": "on"}, "ter-apel")
    assert [(h["day"], h["kind"], h["opens"], h["closes"]) for h in back["hours"]] == [
        ("tuesday", "spreekuur", "09:00", "12:00"), ("tuesday", "juridisch", "13:30", "16:00")]
    assert back["closures"] == [{"starts": "2026-12-24", "ends": "2026-12-31", "reason": "holidays"}]
    with pytest.raises(OfficeError, match="Monday spreekuur: write the hours as 09:00-12:00"):
        form.parse({"hours_monday_spreekuur": "9 tot 12"}, "x")
    with pytest.raises(OfficeError, match="closure 1: give its first day and a reason"):
        form.parse({"closure_reason_0": "why"}, "x")
    with pytest.raises(OfficeError, match="verified phone: give both"):
        form.parse({"verified_phone": "2026-11-01"}, "x")


def test_editors_and_admins_see_the_offices_agents_do_not(logged_in, stored):
    for role in ("editor", "admin"):
        client = logged_in(role)
        assert "VluchtelingenWerk in Ter Apel" in text(client.get("/admin/offices"))
        assert client.get("/admin/offices/ter-apel").status_code == 200
        assert "Offices" in text(client.get("/admin"))
    agent = logged_in("agent")
    for path in ("/admin/offices", "/admin/offices/ter-apel", "/admin/offices/new"):
        reply = agent.get(path)
        assert reply.status_code == 403 and "Your role (agent) does not allow this page." in text(reply)
    assert "Offices" not in text(agent.get("/admin"))


def test_an_editor_sets_hours_closures_and_verified_dates(logged_in, stored, database):
    client = logged_in("editor", "eddie")
    line = directory.of(client.application)
    assert line.offices()[0].hours == ()
    reply = posted(client, hours_tuesday_spreekuur="09:00-12:00", hours_thursday_juridisch="13:00-15:30",
                   say_hours="verified", verified_hours="2026-11-20", source_hours="the office's own page",
                   languages="nl, ar", closure_starts_0="2026-12-24", closure_ends_0="2026-12-31",
                   closure_reason_0="Christmas")
    assert reply.status_code == 302 and reply.headers["Location"] == "/admin/offices#office-ter-apel"
    office = records_dict(client.application, "ter-apel")
    assert [(h["day"], h["kind"], h["opens"], h["closes"]) for h in office["hours"]] == [
        ("tuesday", "spreekuur", time(9), time(12)), ("thursday", "juridisch", time(13), time(15, 30))]
    assert office["say_hours"] == "verified" and office["languages"] == ["nl", "ar"]
    assert office["closures"] == [{"starts": date(2026, 12, 24), "ends": date(2026, 12, 31), "reason": "Christmas"}]
    assert office["checks"]["hours"] == {"verified": date(2026, 11, 20), "source": "the office's own page"}
    (seen,) = line.offices()  # the line in this process sees it at once, not after its refresh
    assert seen.say_hours == "verified" and seen.hours[0] == Slot(1, "spreekuur", time(9), time(12))
    with database.session() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "office.change")).one()
    assert (entry.actor, entry.target) == ("eddie", "ter-apel")
    assert entry.details == {"fields": ["checks", "closures", "hours", "languages", "say_hours"]}
    page = client.get("/admin/offices/ter-apel").get_data(as_text=True)
    assert 'value="09:00-12:00"' in page


@pytest.mark.parametrize("changes, message", [
    ({"hours_tuesday_spreekuur": "09:00-12:00, 11:00-13:00"}, "overlap"),
    ({"hours_monday_spreekuur": "morning"}, "Monday spreekuur: write the hours as 09:00-12:00"),
    ({"lat": "7.05", "lon": "52.87"}, "lat: 7.05 is outside the Netherlands"),
    ({"phone": "0800"}, "phone: not a valid phone number"),
    ({"say_hours": "verified", "hours_tuesday_spreekuur": "09:00-12:00"}, "needs the hours' verified date"),
    ({"name": ""}, "name: required"),
    ({"verified_phone": "2999-01-01", "source_phone": "a call"}, "is in the future"),
])
def test_a_refused_form_is_a_400_that_says_why_and_changes_nothing(logged_in, stored, changes, message):
    client = logged_in("editor")
    before = records_dict(client.application, "ter-apel")
    reply = posted(client, **changes)
    assert reply.status_code == 400
    assert message in text(reply)
    assert records_dict(client.application, "ter-apel") == before


def test_a_form_without_its_token_is_refused(logged_in, stored):
    client = logged_in("editor")
    reply = client.post("/admin/offices/ter-apel", data={"name": "Renamed"})
    assert reply.status_code == 400 and "security token" in text(reply)
    assert records_dict(client.application, "ter-apel")["name"] == TER_APEL["name"]


def test_an_editor_adds_an_office_and_a_taken_slug_is_refused(logged_in, stored):
    client = logged_in("editor")
    values = {"slug": "utrecht", "name": "Office Utrecht", "kind": "council", "place": "Utrecht", "postcode": "3511 AB",
              "lat": "52.0907", "lon": "5.1214", "say_hours": "never", "active": "on",
              "csrf_token": csrf_token(client, "/admin/offices/new")}
    assert client.post("/admin/offices/new", data=values).status_code == 302
    assert records_dict(client.application, "utrecht")["postcode"] == "3511 AB"
    again = client.post("/admin/offices/new", data=values)
    assert again.status_code == 400 and "there is already an office 'utrecht'" in text(again)
    assert client.get("/admin/offices/nowhere").status_code == 404


def test_in_a_browser_an_editor_edits_hours_and_sees_them_an_agent_cannot(db_url, serve_app, staff, stored, page):
    app = create_app({"TESTING": True, "AUDIO_ENABLED": False, "DATABASE_URL": db_url, "SECRET_KEY": "browser"})
    url = serve_app(app)
    staff("eddie", "editor")
    staff("agnes", "agent")

    def log_in_as(name):
        page.goto(url + "/admin/login")
        page.get_by_label("Name").fill(name)
        page.get_by_label("Password").fill(STAFF_PASSWORD)
        page.get_by_role("button", name="Log in").click()

    log_in_as("eddie")
    page.get_by_role("link", name="Offices").first.click()
    page.get_by_role("link", name="VluchtelingenWerk in Ter Apel").click()
    page.get_by_label("Tuesday spreekuur").fill("09:00-12:00")
    page.get_by_label("Thursday juridisch spreekuur").fill("13:30-16:00")
    page.get_by_label("What the line may say of these hours").select_option("check")
    page.get_by_role("button", name="Save").click()
    assert page.url == url + "/admin/offices#office-ter-apel"
    row = page.locator("#office-ter-apel")
    assert "check" in row.inner_text()
    said = row.locator("td.said").inner_text()
    assert ("open now until" in said or "next consulting hours" in said) and "please check before you go" in said
    page.get_by_role("link", name="VluchtelingenWerk in Ter Apel").click()
    assert page.get_by_label("Tuesday spreekuur").input_value() == "09:00-12:00"
    assert page.get_by_label("Thursday juridisch spreekuur").input_value() == "13:30-16:00"
    # A mistake is refused on the page, with the field named, and nothing is saved.
    page.get_by_label("Tuesday spreekuur").fill("09:00-12:00, 11:00-14:00")
    page.get_by_role("button", name="Save").click()
    assert "overlap" in page.get_by_role("alert").inner_text()
    page.get_by_role("button", name="Log out").click()
    log_in_as("agnes")
    assert page.get_by_role("link", name="Offices").count() == 0
    with page.expect_response(lambda r: r.url.endswith("/admin/offices/ter-apel")) as answer:
        page.goto(url + "/admin/offices/ter-apel")
    assert answer.value.status == 403
    assert page.get_by_label("Tuesday spreekuur").count() == 0
