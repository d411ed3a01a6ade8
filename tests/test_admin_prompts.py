"""/admin/prompts: who may see it, what it shows (number, text, English, source,
length, player; coverage), uploading a recording (CSRF, refused files change nothing
and say why) and undo, with the line playing the change at once."""
import io
import math
import re
import wave

import pytest
from lxml import html
from sqlalchemy import func, select

from ivr import create_app
from ivr.content import registry
from ivr.services import of
from ivr.store.db import Database
from ivr.store.models import Recording

from support import OFFLINE_ENGINES, STAFF_PASSWORD, csrf_token, log_in, tone_wav

ITEM = "en|main_menu|"




@pytest.fixture
def admin_app(audio_dir, redis_url, db_url):
    return create_app({"TESTING": True, "AUDIO_DIR": str(audio_dir), "REDIS_URL": redis_url, "DATABASE_URL": db_url,
                       "AUDIO_ENGINES": OFFLINE_ENGINES, "SECRET_KEY": "test-secret", "AUDIO_MEMORY_MB": 0})


@pytest.fixture
def editor(admin_app, staff):
    def make(role="editor"):
        staff(f"{role}-one", role)
        client = admin_app.test_client()
        assert log_in(client, f"{role}-one", STAFF_PASSWORD).status_code == 302
        return client
    return make


def row(client, item_id=ITEM, lang="en"):
    page = html.fromstring(client.get(f"/admin/prompts?lang={lang}").data)
    return page.xpath(f'//tr[@data-item="{item_id}"]')[0]


def upload(client, data, filename="take.wav", name="main_menu", token=True):
    form = {"audio": (io.BytesIO(data), filename)}
    if token:
        form["csrf_token"] = csrf_token(client, "/admin/prompts?lang=en")
    return client.post(f"/admin/prompts/en/{name}/record", data=form, content_type="multipart/form-data")


def recordings_count(db_url):
    database = Database(db_url)
    try:
        with database.session() as session:
            return session.scalar(select(func.count()).select_from(Recording))
    finally:
        database.dispose()


@pytest.mark.parametrize("role, status", [("editor", 200), ("admin", 200), ("agent", 403)])
def test_editors_and_admins_see_the_prompts_agents_do_not(editor, role, status):
    assert editor(role).get("/admin/prompts").status_code == status


def test_logged_out_is_sent_to_log_in(admin_app):
    reply = admin_app.test_client().get("/admin/prompts")
    assert reply.status_code == 302 and "/admin/login" in reply.headers["Location"]


def test_each_prompt_shows_its_number_texts_source_length_and_player(editor, admin_app):
    client = editor()
    cells = row(client).xpath("./td")
    numbers = registry.numbers(of(admin_app).content)
    assert cells[0].text_content().strip() == str(numbers["main_menu|"])
    assert cells[3].text_content().strip() == "espeak" and cells[4].text_content().strip().endswith(" s")
    assert re.fullmatch(r"/audio/[0-9a-f]{32}\.wav", row(client).xpath(".//audio/@src")[0])
    ti = html.fromstring(client.get("/admin/prompts?lang=ti&show=missing").data)
    rows = ti.xpath("//tbody/tr[@data-item]")
    assert rows and all(r.xpath("./td")[3].text_content().strip() == "missing" for r in rows)
    assert rows[0].get("data-item") == "ti|welcome|"  # the most heard first
    assert "before it can go live" in ti.xpath('//table[@class="coverage"]')[0].text_content()
    assert client.get("/admin/prompts?lang=xx").status_code == 404
    assert client.get("/admin/prompts?show=nonsense").status_code == 400


def test_an_upload_plays_at_once_and_undo_brings_back_the_engine(editor, admin_app):
    client = editor()
    before = row(client).xpath(".//audio/@src")[0]
    reply = upload(client, tone_wav())
    assert reply.status_code == 302, reply.get_data(as_text=True)[:300]
    after = row(client)
    assert after.xpath("./td")[3].text_content().strip() == "recording"
    src = after.xpath(".//audio/@src")[0]
    assert src != before and client.get(src).status_code == 200
    gather = html.fromstring(admin_app.test_client().post("/voice/en/main?tries=1").data)
    assert any(src.split("/")[-1] in (p.text or "") for p in gather.iter("play"))  # the next call plays it
    token = csrf_token(client, "/admin/prompts?lang=en")
    assert client.post("/admin/prompts/en/main_menu/undo", data={"csrf_token": token}).status_code == 302
    assert row(client).xpath(".//audio/@src")[0] == before


@pytest.mark.parametrize("data, filename, message, status", [
    (b"just some text\n" * 40, "fake.wav", "not audio", 400),
    (tone_wav(seconds=120, rate=8000), "long.wav", "at most 90", 400),
    (b"RIFF" + bytes(11 * 1024 * 1024), "big.wav", "at most 10 MB", 413),
], ids=["text-renamed-wav", "two-minutes", "eleven-mb"])
def test_a_refused_file_says_why_and_changes_nothing(editor, db_url, data, filename, message, status):
    client = editor()
    before = row(client).xpath(".//audio/@src")[0]
    reply = upload(client, data, filename)
    assert reply.status_code == status and message in reply.get_data(as_text=True)
    assert recordings_count(db_url) == 0 and row(client).xpath(".//audio/@src")[0] == before


def test_a_form_without_its_csrf_token_is_refused(editor, db_url):
    reply = upload(editor(), tone_wav(), token=False)
    assert reply.status_code == 400 and "security token" in reply.get_data(as_text=True)
    assert recordings_count(db_url) == 0


def test_undo_without_a_recording_says_so(editor):
    client = editor()
    token = csrf_token(client, "/admin/prompts?lang=en")
    reply = client.post("/admin/prompts/en/main_menu/undo", data={"csrf_token": token})
    assert reply.status_code == 400 and "no recording to undo" in reply.get_data(as_text=True)


@pytest.mark.parametrize("path, status", [
    ("/admin/prompts/en/main_menu|/record", "200 OK"), ("/voice", "413 Content Too Large"),
])
def test_the_web_process_lets_a_recording_upload_through_and_nothing_else_as_large(path, status):
    from ivr.wsgi import BodyDeadline

    body = bytes(2 * 1024 * 1024)
    seen = []

    def app(environ, start_response):
        seen.append(len(environ["wsgi.input"].read()))
        start_response("200 OK", [])
        return [b""]

    environ = {"PATH_INFO": path, "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body)}
    BodyDeadline(app)(environ, lambda got, headers: seen.append(got))
    assert seen[-1] == status and (seen[0] == len(body)) == (status == "200 OK")
