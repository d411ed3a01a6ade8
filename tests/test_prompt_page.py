"""A prompt's own page in the admin (/admin/prompts/<lang>/<name>): what it shows, the
browser recorder's parts (a static script under the page's CSP, blob: previews), and a
take in the browser's own format (WebM/Opus, as chromium's MediaRecorder makes it)
kept through the upload's checks: decoded, normalised like generated audio, on the
next call, audited, undone; a take that is not audio refused with a reason."""
import io
import re
import subprocess

import pytest
from lxml import html
from sqlalchemy import select

from ivr.audio import encoding
from ivr.staff import recordings
from ivr.store.db import Database
from ivr.store.models import AuditEntry

from support import csrf_token, tone_wav
from test_admin_prompts import admin_app, editor, recordings_count  # noqa: F401 (fixtures)

PAGE = "/admin/prompts/en/main_menu"


def webm_opus(wav):
    """`wav` as chromium's MediaRecorder sends it: Opus in WebM, muxed to a pipe (so,
    like a browser's take, without a duration or cues)."""
    done = subprocess.run([encoding.ffmpeg(), "-hide_banner", "-loglevel", "error", "-i", "pipe:0",
                           "-c:a", "libopus", "-b:a", "48k", "-f", "webm", "pipe:1"],
                          input=wav, capture_output=True, check=True)
    assert done.stdout[:4] == b"\x1a\x45\xdf\xa3"  # the EBML magic: really WebM
    return done.stdout


def keep(client, data, filename="recording.webm", mimetype="audio/webm;codecs=opus", path=PAGE):
    """What the recorder's "Keep this recording" sends: the page's form, its token and the take."""
    form = {"csrf_token": csrf_token(client, path), "audio": (io.BytesIO(data), filename, mimetype)}
    return client.post(path + "/record?back=prompt", data=form, content_type="multipart/form-data")


def shown(client, path=PAGE):
    reply = client.get(path)
    assert reply.status_code == 200
    return html.fromstring(reply.data), reply


def policy(reply):
    return {part.split()[0]: part.split()[1:] for part in reply.headers["Content-Security-Policy"].split("; ")}


def test_the_page_shows_the_prompt_the_recorder_and_the_upload(editor):
    client = editor()
    page, reply = shown(client)
    box = page.get_element_by_id("recorder")
    assert page.xpath('//*[@data-item="en|main_menu|"]//*[contains(@class, "source")]')[0].text == "espeak"
    assert box.get("data-max-seconds") == str(recordings.MAX_SECONDS) and box.get("data-state") == "off"
    assert "needs JavaScript" in box.xpath(".//*[@data-why]")[0].text_content()  # until the script runs
    keep_form = box.xpath(".//form[@data-keep]")[0]
    assert keep_form.get("action") == PAGE + "/record?back=prompt" and keep_form.get("method") == "post"
    assert keep_form.get("enctype") == "multipart/form-data"
    assert keep_form.xpath('.//input[@name="csrf_token"]/@value')[0]
    assert keep_form.xpath('.//input[@type="file"]/@name') == ["audio"]
    assert page.xpath('//form[not(@data-keep)]//input[@type="file" and @name="audio"]')  # the upload
    # The script is a static file run under the page's nonce; the preview plays a blob:.
    nonce = re.fullmatch(r"'nonce-(.+)'", policy(reply)["script-src"][0]).group(1)
    script = page.xpath("//script")[0]
    assert script.get("src").endswith("/recorder.js") and script.get("nonce") == nonce and script.text is None
    assert client.get(script.get("src")).status_code == 200
    assert "blob:" in policy(reply)["media-src"]
    assert "blob:" not in policy(client.get("/admin/prompts?lang=en"))["media-src"]
    listed = html.fromstring(client.get("/admin/prompts?lang=en").data)
    assert PAGE in listed.xpath('//tr[@data-item="en|main_menu|"]//a/@href')


@pytest.mark.parametrize("path, status", [
    ("/admin/prompts/en/no_such_prompt", 404), ("/admin/prompts/xx/main_menu", 404),
])
def test_an_unknown_prompt_is_a_404(editor, path, status):
    assert editor().get(path).status_code == status


def test_agents_may_not_open_a_prompt(editor):
    assert editor("agent").get(PAGE).status_code == 403


def test_a_webm_opus_take_is_kept_normalised_on_the_next_call_audited_and_undone(editor, admin_app, db_url):
    client = editor()
    wav = tone_wav(seconds=2.0, rate=48000)
    reply = keep(client, webm_opus(wav))
    assert reply.status_code == 302 and reply.headers["Location"] == PAGE, reply.get_data(as_text=True)[:400]
    page, _ = shown(client)
    facts = page.xpath('//*[@data-item="en|main_menu|"]')[0]
    assert facts.xpath('.//*[contains(@class, "source")]')[0].text == "recording"
    src = facts.xpath(".//audio/@src")[0]
    audio = client.get(src).data
    info = encoding.measure(audio)
    # Normalised exactly as generated audio: telephone µ-law at the line's loudness.
    assert (info["format"], info["rate"], info["channels"]) == ("mulaw", encoding.SAMPLE_RATE, 1)
    assert abs(info["dbfs"] - encoding.TARGET_DBFS) <= 1 and info["peak_dbfs"] <= encoding.PEAK_CEILING_DBFS + 0.1
    same_as_wav = encoding.measure(recordings.to_phone(wav))["seconds"]
    assert abs(info["seconds"] - same_as_wav) < 0.1 and 1.5 < info["seconds"] < 2.5
    assert re.search(r"\d\.\d s", facts.xpath('.//*[@class="seconds"]')[0].text)
    gather = html.fromstring(admin_app.test_client().post("/voice/en/main?tries=1").data)
    assert any(src.split("/")[-1] in (p.text or "") for p in gather.iter("play"))  # the next call plays it
    history = page.xpath('//table[@class="history"]/tbody/tr')
    assert len(history) == 1 and "editor-one" in history[0].text_content() and "current" in history[0].text_content()
    database = Database(db_url)
    try:
        with database.session() as session:
            entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "recording.add")).all()
    finally:
        database.dispose()
    assert [(e.actor, e.target) for e in entries] == [("editor-one", "en|main_menu|")]

    undo = page.xpath('//form[contains(@action, "/undo")]')[0]
    reply = client.post(undo.get("action"), data={"csrf_token": csrf_token(client, PAGE)})
    assert reply.status_code == 302 and reply.headers["Location"] == PAGE
    page, _ = shown(client)
    assert page.xpath('//*[@data-item="en|main_menu|"]//*[contains(@class, "source")]')[0].text == "espeak"


@pytest.mark.parametrize("data, message", [
    (b"\x1a\x45\xdf\xa3" + b"not really a recording" * 40, "not audio"),
    (b"these are my notes\n" * 50, "not audio"),
    (webm_opus(bytes(tone_wav(seconds=1.0, rate=48000)[:44]) + bytes(96000)), "silent"),
], ids=["webm-magic-then-junk", "text", "a-silent-take"])
def test_a_take_the_line_cannot_use_is_refused_on_the_prompt_page(editor, db_url, data, message):
    client = editor()
    reply = keep(client, data)
    assert reply.status_code == 400
    page = html.fromstring(reply.data)
    alert = page.xpath('//*[@role="alert"]')[0].text_content()
    assert message in alert and "Nothing was changed" in alert
    assert page.get_element_by_id("recorder") is not None  # the prompt's own page, to record again
    assert recordings_count(db_url) == 0
    assert shown(client)[0].xpath('//*[contains(@class, "source")]')[0].text == "espeak"


def test_a_take_without_its_csrf_token_is_refused(editor, db_url):
    client = editor()
    form = {"audio": (io.BytesIO(webm_opus(tone_wav(rate=48000))), "recording.webm", "audio/webm")}
    reply = client.post(PAGE + "/record?back=prompt", data=form, content_type="multipart/form-data")
    assert reply.status_code == 400 and "security token" in reply.get_data(as_text=True)
    assert recordings_count(db_url) == 0


def test_a_take_too_large_is_refused_on_the_prompt_page(editor, db_url):
    reply = keep(editor(), b"\x1a\x45\xdf\xa3" + bytes(11 * 1024 * 1024))
    assert reply.status_code == 413 and "at most 10 MB" in reply.get_data(as_text=True)
    assert html.fromstring(reply.data).get_element_by_id("recorder") is not None
    assert recordings_count(db_url) == 0
