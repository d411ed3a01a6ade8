"""Recordings in a real browser (Debian's chromium via Playwright): log in, upload a
recording, hear it load in the admin's player, hear it on the next call in the web
phone, undo it; a file that is not audio and a two-minute file are refused. Recording
on a prompt's page with chromium's fake microphone: record, record again, hear the
take, keep it, hear it in the admin and on the next call, undo; the clock's own stop;
and, without a microphone or with a blocked one, the reason and a working upload."""
import io
import math
import re
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



# -- recording in the browser (chromium's fake microphone: see the browser fixture) ----------
PROMPT = "/admin/prompts/en/welcome"
STATE = "document.getElementById('recorder').dataset.state"


def log_in_at(page, url, path, name="ada"):
    page.goto(url + path)
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    wait_for(page, f"{STATE} !== 'off'", timeout=10_000)  # the recorder's script has looked


def record(page, seconds, button="Record"):
    """Press Record (or Record again), let the fake microphone run for `seconds`, press Stop."""
    page.get_by_role("button", name=button, exact=True).click()
    wait_for(page, f"{STATE} === 'recording'", timeout=30_000)
    page.wait_for_timeout(int(seconds * 1000))
    page.get_by_role("button", name="Stop").click()
    wait_for(page, f"{STATE} === 'recorded'", timeout=30_000)
    return page.locator("[data-elapsed]").inner_text()  # the running time, as it stopped


def playing(page, selector, seconds=0.5):
    """Play an <audio> on the page and wait until `seconds` of it have been heard."""
    page.evaluate(f"document.querySelector('{selector}').play()")
    wait_for(page, f"document.querySelector('{selector}').currentTime >= {seconds}", timeout=30_000)


def seconds_shown(page):
    return float(page.locator(".prompt .seconds").inner_text().removesuffix(" s"))


def test_record_keep_hear_it_on_the_next_call_and_undo(live_line, staff, page):
    url = live_line
    staff("ada", "editor")
    log_in_at(page, url, PROMPT)
    assert page.evaluate(STATE) == "ready"
    assert page.locator(".prompt .source").inner_text() == "espeak"
    before = page.locator(".prompt audio").get_attribute("src")

    record(page, 1)
    assert page.get_by_role("button", name="Record", exact=True).is_hidden()  # a take waits: keep it or again
    running = record(page, 2, "Record again")  # a second take replaces the first
    assert re.fullmatch(r"0:0[2-4] of 1:30", running)  # the running time (a loaded machine clicks late)
    took = int(running[2:4])  # whole seconds the take ran; at least 2
    assert page.locator("[data-preview]").get_attribute("src").startswith("blob:")
    playing(page, "[data-preview]")  # the preview plays (the page's CSP allows its blob:)
    assert page.evaluate("document.querySelector('[data-keep] input[type=file]').files[0].type").startswith("audio/webm")

    page.get_by_role("button", name="Keep this recording").click()
    assert page.url == url + PROMPT and not page.get_by_role("alert").count()
    assert page.locator(".prompt .source").inner_text() == "recording"
    # The second take (about 2 s, less the fake microphone's quiet start), not the first (1 s).
    kept = seconds_shown(page)
    assert 1.5 <= kept <= took + 1.2
    src = page.locator(".prompt audio").get_attribute("src")
    assert src != before
    playing(page, ".prompt audio", 1.0)  # heard in the admin
    assert abs(page.evaluate("document.querySelector('.prompt audio').duration") - kept) < 0.1
    assert "ada" in page.locator("table.history tbody tr").first.inner_text()

    play = first_play(page, url)  # the next call
    assert play["engine"] == "recording" and play["url"].endswith(src)
    assert abs(play["seconds"] - kept) < 0.1

    page.goto(url + PROMPT)
    page.get_by_role("button", name="Undo (by ada)").click()
    assert page.url == url + PROMPT and page.locator(".prompt .source").inner_text() == "espeak"
    assert first_play(page, url)["engine"] == "espeak"


def test_a_take_stops_by_itself_at_the_limit(live_line, staff, page, monkeypatch):
    from ivr.staff import recordings

    monkeypatch.setattr(recordings, "MAX_SECONDS", 3)  # the page's limit and the server's alike
    url = live_line
    staff("ada", "editor")
    log_in_at(page, url, PROMPT)
    page.get_by_role("button", name="Record", exact=True).click()
    wait_for(page, f"{STATE} === 'recorded'", timeout=30_000)  # nobody pressed Stop
    assert "stopped by itself at 0:03" in page.locator("[data-why]").inner_text()
    page.get_by_role("button", name="Keep this recording").click()
    assert page.locator(".prompt .source").inner_text() == "recording" and seconds_shown(page) <= 3


# What a browser without a microphone API has, and what one whose microphone is
# blocked answers (chromium's fake UI grants every request, so the refusal is played).
NO_MICROPHONE = "delete Navigator.prototype.mediaDevices;"
BLOCKED = ("navigator.mediaDevices.getUserMedia = () => "
           "Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));")


@pytest.mark.parametrize("script, when, says", [
    (NO_MICROPHONE, "unsupported", "does not give web pages a microphone"),
    (BLOCKED, "ready", "microphone is blocked"),
], ids=["no-microphone-api", "microphone-blocked"])
def test_without_a_microphone_the_page_says_why_and_the_upload_works(live_line, staff, page, tmp_path,
                                                                      script, when, says):
    url = live_line
    staff("ada", "editor")
    page.add_init_script(script)
    log_in_at(page, url, PROMPT)
    if when == "ready":
        page.get_by_role("button", name="Record", exact=True).click()
    wait_for(page, f"{STATE} === '{when}'", timeout=30_000)
    why = page.locator("[data-why]").inner_text()
    assert says in why and "upload a file below instead" in why
    assert page.locator("[data-take]").is_hidden()
    take = tmp_path / "take.wav"
    take.write_bytes(tone_wav(2, rate=8000))
    page.get_by_label("Recording for prompt").set_input_files(str(take))
    page.get_by_role("button", name="Upload").click()
    assert page.url == url + PROMPT and page.locator(".prompt .source").inner_text() == "recording"
