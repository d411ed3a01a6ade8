"""/admin/callbacks: agents (and admins) see the open requests oldest first, claim one
atomically (two agents never hold the same request: two sessions at once, on SQLite
and on PostgreSQL), see its number only while they hold it, mark it done or not
answered with a note; CSRF, roles, audit entries; and the same in a real browser."""
import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from ivr import create_app
from ivr.callbacks import requests
from ivr.store.db import Database, upgrade
from ivr.store.models import AuditEntry, CallbackRequest
from ivr.store.sealed import Sealer, new_key
from support import STAFF_PASSWORD, csrf_token, log_in

NUMBER = "+31612345678"
KEY = new_key()


@pytest.fixture
def agent_app(db_url):
    return create_app({"TESTING": True, "AUDIO_ENABLED": False, "DATABASE_URL": db_url, "SECRET_KEY": "test-secret",
                       "NUMBER_KEYS": KEY, "CALLER_HASH_KEY": "k"})


@pytest.fixture
def member(agent_app, staff):
    def make(name, role="agent"):
        staff(name, role)
        client = agent_app.test_client()
        assert log_in(client, name, STAFF_PASSWORD).status_code == 302
        return client

    return make


def add_request(database, hashed="h1", lang="ar", topic="return", minutes_ago=30, number=NUMBER):
    with database.session() as session:
        request = requests.ask(session, hashed=hashed, sealed=Sealer(KEY).seal(number), lang=lang, topic=topic,
                               source="menu", now=datetime.now(timezone.utc) - timedelta(minutes=minutes_ago),
                               daily_limit=3)
        return request.id


def post(client, path, **form):
    return client.post(path, data={"csrf_token": csrf_token(client, "/admin/callbacks"), **form})


def test_agents_see_open_requests_oldest_first_without_numbers(member, database):
    newer = add_request(database, "h1", "ar", "return", minutes_ago=5)
    older = add_request(database, "h2", "fa", "decision", minutes_ago=125, number="+31687654321")
    html = member("anna").get("/admin/callbacks").get_data(as_text=True)
    assert html.index(f'data-request="{older}"') < html.index(f'data-request="{newer}"')
    assert "Arabic" in html and "Persian" in html and "Decision or appeal" in html and "2 h 05 min" in html
    assert "612345678" not in html and "687654321" not in html


def test_claim_shows_the_number_to_the_holder_only_then_done(member, database):
    request_id = add_request(database)
    anna, ben = member("anna"), member("ben")
    assert post(anna, f"/admin/callbacks/{request_id}/claim").status_code == 302
    mine = anna.get("/admin/callbacks").get_data(as_text=True)
    assert f'href="tel:{NUMBER}"' in mine
    theirs = ben.get("/admin/callbacks").get_data(as_text=True)
    assert NUMBER not in theirs and "taken by anna" in theirs
    refused = post(ben, f"/admin/callbacks/{request_id}/claim")
    assert refused.status_code == 409 and "Someone else has taken" in refused.get_data(as_text=True)
    assert post(ben, f"/admin/callbacks/{request_id}/finish", outcome="done").status_code == 409
    done = post(anna, f"/admin/callbacks/{request_id}/finish", outcome="done", note="Explained the appeal.")
    assert done.status_code == 302
    with database.session() as session:
        found = session.get(CallbackRequest, request_id)
        assert (found.status, found.note, found.claimed_by) == ("done", "Explained the appeal.", "anna")
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.target == f"callback {request_id}")
                                  .order_by(AuditEntry.id)).all()
        assert actions == ["callback.claim", "callback.done"]
    assert f'data-request="{request_id}"' not in anna.get("/admin/callbacks").get_data(as_text=True)


def test_no_answer_give_back_and_bad_input(member, database):
    request_id = add_request(database)
    anna = member("anna")
    post(anna, f"/admin/callbacks/{request_id}/claim")
    assert post(anna, f"/admin/callbacks/{request_id}/release").status_code == 302
    with database.session() as session:
        assert session.get(CallbackRequest, request_id).status == "open"
    post(anna, f"/admin/callbacks/{request_id}/claim")
    assert post(anna, f"/admin/callbacks/{request_id}/finish", outcome="maybe").status_code == 400
    assert post(anna, f"/admin/callbacks/{request_id}/finish", outcome="done", note="x" * 501).status_code == 400
    assert post(anna, "/admin/callbacks/99999/claim").status_code == 404
    assert post(anna, "/admin/callbacks/abc/claim").status_code == 404
    assert post(anna, f"/admin/callbacks/{request_id}/finish", outcome="no_answer").status_code == 302
    with database.session() as session:
        assert session.get(CallbackRequest, request_id).status == "no_answer"


def test_csrf_and_roles(member, database):
    request_id = add_request(database)
    anna = member("anna")
    assert anna.post(f"/admin/callbacks/{request_id}/claim").status_code == 400  # no token
    editor = member("eddie", "editor")
    assert editor.get("/admin/callbacks").status_code == 403
    admin = member("ada", "admin")
    assert admin.get("/admin/callbacks").status_code == 200
    assert post(admin, f"/admin/callbacks/{request_id}/claim").status_code == 302


def race(url, request_id, agents=8):
    """`agents` sessions claim the same request at the same moment: who won."""
    database = Database(url)
    barrier = threading.Barrier(agents)
    won = []

    def claim(name):
        with database.session() as session:
            barrier.wait()
            if requests.claim(session, request_id, name, datetime.now(timezone.utc)):
                won.append(name)

    threads = [threading.Thread(target=claim, args=(f"agent{n}",)) for n in range(agents)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    with database.session() as session:
        holder = session.get(CallbackRequest, request_id).claimed_by
    database.dispose()
    return won, holder


def test_two_agents_never_hold_the_same_request_sqlite(database, db_url):
    request_id = add_request(database)
    won, holder = race(db_url, request_id)
    assert len(won) == 1 and won == [holder]


def test_two_agents_never_hold_the_same_request_postgresql(postgres_url):
    database = Database(postgres_url)
    upgrade(database)
    request_id = add_request(database)
    for _ in range(3):
        won, holder = race(postgres_url, request_id)
        assert len(won) == 1 and won == [holder]
        with database.session() as session:
            requests.release(session, request_id, holder)
    # One open request per number, held by the database itself.
    with pytest.raises(requests.Refused):
        add_request(database)
    database.dispose()


# -- in a real browser --------------------------------------------------------------------------------
@pytest.fixture
def live_agents(agent_app, serve_app):
    return serve_app(agent_app)


def browser_log_in(page, url, name):
    page.goto(url + "/admin/callbacks")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_an_agent_claims_and_marks_done_a_second_cannot_claim(live_agents, staff, database, page, browser):
    url = live_agents
    staff("anna", "agent")
    staff("ben", "agent")
    request_id = add_request(database)
    other = browser.new_context(viewport={"width": 1000, "height": 900})
    second = other.new_page()
    try:
        browser_log_in(page, url, "anna")
        browser_log_in(second, url, "ben")
        assert page.url == url + "/admin/callbacks" and second.url == url + "/admin/callbacks"
        row = page.locator(f'tr[data-request="{request_id}"]')
        assert row.locator(".number").inner_text().strip() == "hidden"
        row.get_by_role("button", name="Take").click()
        row = page.locator(f'tr[data-request="{request_id}"]')
        call = row.get_by_role("link", name=f"Call {NUMBER}")
        assert call.get_attribute("href") == f"tel:{NUMBER}"
        # Ben's page still offers it; his click finds it taken.
        second.locator(f'tr[data-request="{request_id}"]').get_by_role("button", name="Take").click()
        assert "Someone else has taken this request" in second.locator("main").inner_text()
        second.goto(url + "/admin/callbacks")
        theirs = second.locator(f'tr[data-request="{request_id}"]')
        assert "taken by anna" in theirs.inner_text() and NUMBER not in second.content()
        row.get_by_label("Note (optional)").fill("Called back, explained the return support.")
        row.get_by_role("button", name="Done").click()
        assert page.url.startswith(url + "/admin/callbacks")
        assert page.locator(f'tr[data-request="{request_id}"]').count() == 0
        assert "No one is waiting for a call back." in page.locator("main").inner_text()
    finally:
        other.close()
    with database.session() as session:
        found = session.get(CallbackRequest, request_id)
        assert (found.status, found.claimed_by) == ("done", "anna")


def test_the_statistics_page_has_a_calls_back_section(member):
    html = member("ada", "admin").get("/admin/stats").get_data(as_text=True)
    assert "<h2>Calls back</h2>" in html


def test_the_nearest_office_is_named_when_the_request_has_one(member, database):
    from ivr.store.models import Office

    request_id = add_request(database)
    with database.session() as session:
        office = Office(slug="ter-apel", name="VluchtelingenWerk test office", kind="council", place="Ter Apel",
                        postcode="9561", lat=52.87, lon=7.06)
        session.add(office)
        session.commit()
        session.get(CallbackRequest, request_id).office_id = office.id
        session.commit()
    html = member("anna").get("/admin/callbacks").get_data(as_text=True)
    assert "VluchtelingenWerk test office, Ter Apel" in html
