"""Recordings in a real browser (Debian's chromium via Playwright): log in, upload a
recording, hear it load in the admin's player, hear it on the next call in the web
phone, undo it; a file that is not audio and a two-minute file are refused."""
import io
import math
import wave

import pytest

from ivr import create_app

from support import OFFLINE_ENGINES, STAFF_PASSWORD, wait_for, tone_wav

ROW = 'tr[data-item="en|welcome|"]'




@pytest.fixture
def live_line(db_url, audio_dir, redis_url, serve_app):
    """The line as production runs it, on its own copy of the built audio."""
    app = create_app({"TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": "browser-test", "AUDIO_DIR": str(audio_dir),
                      "AUDIO_ENGINES": OFFLINE_ENGINES, "REDIS_URL": redis_url, "TWILIO_AUTH_TOKEN": "token",
                      "PHONE_ENABLED": False, "IVR_DEVELOPMENT": False, "AUDIO_MEMORY_MB": 0})
    url = serve_app(app)
    app.config["PUBLIC_BASE_URL"] = url
    return url


def upload(page, path):
    row = page.locator(ROW)
    row.locator("input[type=file]").set_input_files(str(path))
    row.get_by_role("button", name="Upload").click()


def first_play(page, url):
    page.goto(url + "/phone?rate=8")
    page.get_by_role("button", name="Call the line").click()
    wait_for(page, "window.phoneState === 'waiting'", timeout=60_000)
    wait_for(page, "window.phoneLog.filter(e => e.kind === 'play').every(e => e.text)", timeout=10_000)
    play = page.evaluate("window.phoneLog.filter(e => e.kind === 'play')[0]")
    page.get_by_role("button", name="Hang up").click()
    return play


def test_upload_hear_it_on_the_next_call_undo_and_refusals(live_line, staff, page, tmp_path):
    url = live_line
    staff("ada", "editor")
    page.goto(url + "/admin/prompts?lang=en")
    page.get_by_label("Name").fill("ada")
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    assert page.locator(ROW + " .source").inner_text() == "espeak"

    good = tmp_path / "take.wav"
    good.write_bytes(tone_wav(2, rate=8000))
    upload(page, good)
    assert page.locator(ROW + " .source").inner_text() == "recording"
    page.evaluate(f"(a => {{ a.preload = 'metadata'; a.load(); }})(document.querySelector('{ROW} audio'))")
    wait_for(page, f"document.querySelector('{ROW} audio').duration > 0", timeout=10_000)
    duration = page.evaluate(f"document.querySelector('{ROW} audio').duration")
    assert 1.5 < duration < 3

    play = first_play(page, url)
    assert play["engine"] == "recording" and 1.5 < play["seconds"] < 3

    fake, long = tmp_path / "notes.wav", tmp_path / "long.wav"
    fake.write_text("these are my notes, not a recording\n" * 20)
    long.write_bytes(tone_wav(120, rate=8000))
    for path, reason in ((fake, "not audio"), (long, "at most 90")):
        page.goto(url + "/admin/prompts?lang=en")
        upload(page, path)
        assert reason in page.get_by_role("alert").inner_text()
        page.goto(url + "/admin/prompts?lang=en")
        assert page.locator(ROW + " .source").inner_text() == "recording"  # nothing changed

    page.locator(ROW).get_by_role("button", name="Undo (by ada)").click()
    assert page.locator(ROW + " .source").inner_text() == "espeak"
    assert first_play(page, url)["engine"] == "espeak"


def test_probe(live_line, staff, page, db_url):
    url = live_line
    staff("ada", "editor")
    page.goto(url + "/admin/prompts/en/welcome")
    page.get_by_label("Name").fill("ada")
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    print(page.url, page.locator("#recorder").get_attribute("data-state"), page.locator("#recorder [data-why]").inner_text())
    page.get_by_role("button", name="Record").click()
    wait_for(page, "document.getElementById('recorder').dataset.state === 'recording'", 10_000)
    page.wait_for_timeout(2000)
    print(page.locator("[data-elapsed]").inner_text())
    page.get_by_role("button", name="Stop").click()
    wait_for(page, "document.getElementById('recorder').dataset.state === 'recorded'", 10_000)
    print(page.evaluate("document.querySelector('[data-keep] input[type=file]').files[0].type + ' ' + document.querySelector('[data-keep] input[type=file]').files[0].size"))
    page.get_by_role("button", name="Keep this recording").click()
    print(page.url, page.locator(".prompt .source").inner_text(), page.locator(".prompt .seconds").inner_text())
    print(page.locator("[role=alert]").all_inner_texts())
