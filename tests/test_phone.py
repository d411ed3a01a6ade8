"""The web phone at /phone: the Flask side, then a real browser (Debian's chromium)."""
import re
import xml.etree.ElementTree as ET

import pytest
from twilio.request_validator import RequestValidator

from support import OFFLINE_ENGINES, wait_for
from ivr import create_app
from ivr.call.twilio_request import params as twilio_params
from ivr.services import of
from twiml import parse

TOKEN = "secret-token"
CALL_SID = "CA" + "1" * 32
CALLER = "+31612345678"
AUDIO_URL = re.compile(r"^https?://127\.0\.0\.1:\d+/audio/[0-9a-f]{32}\.wav$")


@pytest.fixture
def phone_client(app):
    app.config["PHONE_ENABLED"] = True
    return app.test_client()


def ask(client, path, digits=None, caller=CALLER):
    return client.post("/phone/twiml", json={"path": path, "digits": digits, "caller": caller, "call_sid": CALL_SID})


def direct(client, app, path, digits=None, caller=CALLER):
    """The webhook as Twilio calls it: POSTed params, signed with the token."""
    params = twilio_params(CALL_SID, caller, digits)
    url = (app.config["PUBLIC_BASE_URL"] or "http://localhost/").rstrip("/") + path
    signature = RequestValidator(TOKEN).compute_signature(url, params)
    return client.post(path, data=params, headers={"X-Twilio-Signature": signature})


def canonical(response):
    return ET.tostring(parse(response), encoding="unicode")


# -- on and off -------------------------------------------------------------------------
def test_the_phone_is_for_staff_by_default(client):
    """Without a flag, the phone asks for a staff log-in (tests/test_admin.py logs in)."""
    page = client.get("/phone")
    assert page.status_code == 302 and page.headers["Location"] == "/admin/login?next=/phone"
    assert ask(client, "/voice").status_code == 401
    assert client.get("/phone/anything").status_code == 404


@pytest.mark.parametrize("flag", ["PHONE_ENABLED", "IVR_DEVELOPMENT"])
def test_either_flag_opens_the_phone_to_all_per_request(app, client, flag):
    app.config[flag] = True
    assert client.get("/phone").status_code == 200
    assert ask(client, "/voice").status_code == 200
    app.config[flag] = False
    assert client.get("/phone").status_code == 302
    assert ask(client, "/voice").status_code == 401


def test_the_page_is_a_self_contained_keypad(phone_client):
    reply = phone_client.get("/phone")
    assert reply.status_code == 200 and reply.mimetype == "text/html"
    html = reply.get_data(as_text=True)
    keys = re.findall(r'<button type="button" class="key" data-key="([^"]+)" aria-label="([^"]+)"', html)
    assert [k for k, _ in keys] == list("123456789*0#")
    assert dict(keys)["*"] == "star" and dict(keys)["#"] == "hash"
    assert 'id="call"' in html and 'id="hangup"' in html and 'aria-label="Hang up"' in html
    assert 'value="+31612345678"' in html and '<label for="caller">' in html
    assert "<title>Web phone – Return information line</title>" in html
    assert "<h1>Return information line: web phone</h1>" in html
    # No build step and no internet: nothing is loaded from elsewhere.
    assert not re.search(r'(src|href)\s*=\s*["\']?(https?:)?//', html)
    assert "<link" not in html and "<script src" not in html


# -- /phone/twiml is the line's own answer ------------------------------------------------
@pytest.mark.parametrize("base", ["", "https://line.example.org"])
def test_twiml_is_what_a_signed_webhook_gets(app, phone_client, base):
    app.config["TWILIO_AUTH_TOKEN"] = TOKEN
    app.config["PUBLIC_BASE_URL"] = base
    # The token is in force: an unsigned webhook is refused, so equality below means
    # the phone signed its request as Twilio would.
    assert phone_client.post("/voice", data=twilio_params(CALL_SID, CALLER)).status_code == 403
    cases = [
        ("/voice", None, CALLER),
        ("/voice/language/key", "1", CALLER),
        ("/voice/language?tries=2", None, CALLER),
        ("/voice/en/main", None, CALLER),
        ("/voice/en/main/key", "4", CALLER),
        ("/voice/en/safe_countries", None, "+212612345678"),  # a foreign caller: own country offered
        ("/voice/en/safe_lookup/key", "212", CALLER),
        ("/voice/en/main?tries=3", None, CALLER),  # goodbye and hang-up
        ("/voice/en/main/key", "", CALLER),
    ]
    for path, digits, caller in cases:
        via_phone = ask(phone_client, path, digits, caller)
        assert via_phone.status_code == 200, (path, via_phone.data[:200])
        assert via_phone.mimetype == "text/xml"
        assert canonical(via_phone) == canonical(direct(phone_client, app, path, digits, caller)), path


def test_twiml_with_audio_matches_the_signed_webhook(audio_app):
    audio_app.config.update(TWILIO_AUTH_TOKEN=TOKEN, PHONE_ENABLED=True)
    client = audio_app.test_client()
    for path, digits in [("/voice", None), ("/voice/en/main", None), ("/voice/en/safe_countries", None)]:
        via_phone = ask(client, path, digits)
        plays = [e.text for e in parse(via_phone).iter("Play")]
        assert plays and all(url.startswith("https://line.example.org/audio/") for url in plays)
        assert canonical(via_phone) == canonical(direct(client, audio_app, path, digits))


def test_the_audio_says_its_words_engine_and_length(audio_app):
    """What the web phone shows for each prompt comes from the audio route's headers."""
    manifest = of(audio_app).manifest
    entry = manifest.entries["en|welcome|"] if "en|welcome|" in manifest.entries else next(iter(manifest.entries.values()))
    client = audio_app.test_client()
    for reply in (client.head(f"/audio/{entry['key']}.wav"),
                  client.get(f"/audio/{entry['key']}.wav", headers={"If-None-Match": f'"{entry["key"]}"'})):
        assert reply.status_code in (200, 304) and "Cookie" not in reply.headers.get("Vary", "")
        assert reply.headers["X-Ivr-Engine"] == entry["engine"] == "espeak"
        assert float(reply.headers["X-Ivr-Seconds"]) == pytest.approx(entry["seconds"], abs=0.005) and entry["seconds"] > 0


def test_the_webhooks_status_is_passed_on(phone_client):
    assert ask(phone_client, "/voice/status").status_code == 204
    assert ask(phone_client, "/voice/en/main/key/extra/parts").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/phone/twiml", "/audio/0123.wav", "/", "", "voice", "/voices", "/voicemail/x", "/VOICE",
        "http://127.0.0.1/voice", "//evil.example/voice", "/voice/../phone/twiml", "/voice/./en/main",
        "/voice//en", "/voice/%2e%2e/phone", "/voice/en main", "/voice\\..\\phone", "/voice#x",
        "/voice/" + "a" * 600, "/voice/\u00e9", 7, None, ["/voice"], {"path": "/voice"},
    ],
)
def test_only_voice_paths_are_fetched(phone_client, path):
    reply = phone_client.post("/phone/twiml", json={"path": path, "digits": None, "caller": CALLER})
    assert reply.status_code == 400, (path, reply.status_code)
    assert reply.is_json and reply.get_json()["error"]


@pytest.mark.parametrize(
    "kwargs",
    [
        {},  # no body at all
        {"data": "", "content_type": "application/json"},
        {"data": "{not json", "content_type": "application/json"},
        {"data": '{"path": "/voice"}', "content_type": "text/plain"},  # JSON, but not said to be
        {"data": {"path": "/voice"}},  # a form post
        {"json": ["/voice"]},
        {"json": "/voice"},
        {"json": None},
        {"json": {}},
        {"json": {"path": "/voice", "digits": "12a"}},
        {"json": {"path": "/voice", "digits": 1}},
        {"json": {"path": "/voice", "digits": "1" * 40}},
        {"json": {"path": "/voice", "caller": "<script>"}},
        {"json": {"path": "/voice", "caller": 31612345678}},
        {"json": {"path": "/voice", "call_sid": "not-a-sid"}},
    ],
)
def test_malformed_requests_are_400_not_500(phone_client, kwargs):
    reply = phone_client.post("/phone/twiml", **kwargs)
    assert reply.status_code == 400, (kwargs, reply.status_code, reply.data[:200])
    assert reply.is_json and reply.get_json()["error"]


def test_only_post_is_answered(phone_client):
    assert phone_client.get("/phone/twiml").status_code == 405


def test_missing_optional_fields_have_defaults(phone_client):
    reply = phone_client.post("/phone/twiml", json={"path": "/voice"})
    assert reply.status_code == 200 and parse(reply).find("Gather") is not None


# -- a real browser (the `browser` fixture: conftest.py) -------------------------------------------
# Audio plays faster than life in the tests (HTMLMediaElement.playbackRate), so a walk
# takes seconds, not minutes. Gathers keep their real timeout where the test presses
# keys after the prompts (a scaled one could run out between two Playwright calls);
# the silence test scales it down.
QUICK = "rate=8"
FAST = "rate=8&timeout_scale=0.05"
SCREENSHOT = "/tmp/phone.png"


@pytest.fixture
def live_phone(audio_dir, redis_url, serve_app):
    """The line with built audio on a loopback port, <Play> URLs pointing at itself."""
    app = create_app(
        {"TESTING": True, "AUDIO_DIR": str(audio_dir), "REDIS_URL": redis_url, "AUDIO_ENGINES": OFFLINE_ENGINES,
         "PHONE_ENABLED": True, "TWILIO_AUTH_TOKEN": TOKEN}
    )
    url = serve_app(app)
    app.config["PUBLIC_BASE_URL"] = url
    return app, url


def events(page, kind=None):
    log = page.evaluate("window.phoneLog.slice()")
    return [e for e in log if kind is None or e["kind"] == kind]


def waiting_after(page, fetches):
    """Until the phone waits at a Gather after its `fetches`-th request."""
    wait_for(
        page,
        f"window.phoneState === 'waiting' && window.phoneLog.filter(e => e.kind === 'fetch').length === {fetches}",
    )


def plays_in(app, path, digits=None, caller=CALLER):
    client = app.test_client()
    return [e.text.strip() for e in parse(ask(client, path, digits, caller)).iter("Play")]


def test_a_call_plays_what_twilio_would_play_in_order(live_phone, page):
    app, url = live_phone
    page.goto(f"{url}/phone?{QUICK}")
    assert page.evaluate("window.phoneState") == "idle"
    page.get_by_role("button", name="Call the line").click()
    waiting_after(page, 1)  # the language menu has played to the end
    page.get_by_role("button", name="1", exact=True).click()  # English
    waiting_after(page, 3)  # /voice/language/key redirected to the main menu
    page.get_by_role("button", name="4", exact=True).click()  # safe countries of origin
    waiting_after(page, 5)
    page.screenshot(path=SCREENSHOT, full_page=True)

    fetched = [(e["path"], e["digits"]) for e in events(page, "fetch")]
    assert fetched == [
        ("/voice", None), ("/voice/language/key", "1"), ("/voice/en/main?new=1", None),
        ("/voice/en/main/key?new=1", "4"), ("/voice/en/safe_countries?new=1", None),
    ]
    assert all(e["status"] == 200 for e in events(page, "fetch"))
    expected = [play for path, digits in fetched for play in plays_in(app, path, digits)]
    played = [e["url"] for e in events(page, "play")]
    assert played == expected
    assert len(played) > 3 and all(AUDIO_URL.match(u) for u in played)
    assert [e["digits"] for e in events(page, "keys")] == ["1", "4"]
    assert not events(page, "error") and not events(page, "say") and not events(page, "silence")
    # The audio really played: every Play ran to its end in the <audio> element.
    ended = events(page, "ended")
    assert [e["url"] for e in ended] == played
    assert all(e["duration"] > 0 and e["currentTime"] > 0 for e in ended)
    transcript = page.locator("#transcript").inner_text()
    assert "pressed 1" in transcript and "pressed 4" in transcript and "plays " in transcript
    # Each prompt shows its words, its engine and its length, not a file name.
    wait_for(page, "window.phoneLog.filter(e => e.kind === 'play').every(e => e.text)", 10_000)
    manifest = of(app).manifest
    for event in events(page, "play"):
        entry = manifest.by_key[event["url"].rsplit("/", 1)[1].removesuffix(".wav")]
        assert (event["text"], event["engine"]) == (entry["text"], "espeak")
        assert event["seconds"] == pytest.approx(entry["seconds"], abs=0.01)
    rows = page.locator("#transcript li.ev-play").all_inner_texts()
    first = manifest.by_key[played[0].rsplit("/", 1)[1].removesuffix(".wav")]
    assert rows[0] == f"plays “{first['text']}”\nespeak · {first['seconds']:.1f} s"
    assert not any("/audio/" in row for row in rows)

    page.get_by_role("button", name="Hang up").click()
    assert page.evaluate("window.phoneState") == "ended"


CONTRAST = """() => Array.from(document.querySelectorAll('#transcript li')).map(li => {
  const style = getComputedStyle(li);
  const back = style.backgroundColor === 'rgba(0, 0, 0, 0)' ? getComputedStyle(li.closest('.card')).backgroundColor
                                                         : style.backgroundColor;
  return {kind: li.className, text: li.innerText, color: style.color, background: back};
})"""


def luminance(css):
    red, green, blue = (int(v) / 255 for v in re.findall(r"\d+", css)[:3])
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (red, green, blue)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one, two):
    light, dark = sorted((luminance(one), luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_every_transcript_row_is_readable_the_first_too(live_phone, page):
    """The first row ("calling the line as ...") was white on white: each row's text
    against its background must reach WCAG AA (4.5:1)."""
    app, url = live_phone
    page.goto(f"{url}/phone?{QUICK}")
    idle = page.evaluate(CONTRAST)
    assert idle[0]["text"] == "Press Call to start." and contrast(idle[0]["color"], idle[0]["background"]) >= 4.5
    page.get_by_role("button", name="Call the line").click()
    waiting_after(page, 1)
    page.get_by_role("button", name="Hang up").click()
    rows = page.evaluate(CONTRAST)
    assert "ev-call" in rows[0]["kind"].split() and rows[0]["text"].startswith("calling the line as")
    assert {kind for row in rows for kind in row["kind"].split()} >= {"ev-call", "ev-fetch", "ev-play", "ev-end"}
    low = [(row["kind"], round(contrast(row["color"], row["background"]), 2)) for row in rows
           if contrast(row["color"], row["background"]) < 4.5]
    assert low == []


def test_a_key_stops_the_prompt_at_once(live_phone, page):
    """Barge-in, from the computer's keyboard, at the speed of life."""
    app, url = live_phone
    page.goto(f"{url}/phone")
    page.get_by_role("button", name="Call the line").click()
    wait_for(page, "document.getElementById('line-audio').currentTime > 0.3")
    page.keyboard.press("1")
    wait_for(page, "window.phoneLog.filter(e => e.kind === 'fetch').length >= 3 && window.phoneLog.filter(e => e.kind === 'play').length >= 2", 15_000)
    log = events(page)
    interrupted = [e for e in log if e["kind"] == "interrupted"]
    assert len(interrupted) == 1 and 0 < interrupted[0]["currentTime"]
    first_menu = plays_in(app, "/voice")
    assert interrupted[0]["url"] == first_menu[0]
    # Only the first prompt of the language menu was heard, then the main menu began.
    played = [e["url"] for e in log if e["kind"] == "play"]
    assert played[0] == first_menu[0] and played[1] == plays_in(app, "/voice/en/main")[0]
    assert [e["digits"] for e in events(page, "keys")] == ["1"]
    page.keyboard.press("Escape")
    assert page.evaluate("window.phoneState") == "ended"
    assert page.evaluate("document.getElementById('line-audio').paused")


def test_three_silences_end_with_a_goodbye(live_phone, page):
    app, url = live_phone
    page.goto(f"{url}/phone?{FAST}")
    page.get_by_role("button", name="Call the line").click()
    wait_for(page, "window.phoneState === 'ended'")
    log = events(page)
    kinds = [e["kind"] for e in log]
    assert kinds.count("silence") == 3
    assert kinds[-1] == "hangup"
    fetched = [e["path"] for e in events(page, "fetch")]
    assert fetched == ["/voice", "/voice/language?tries=1", "/voice/language?tries=2", "/voice/language?tries=3"]
    goodbye = plays_in(app, "/voice/language?tries=3")
    assert goodbye and [e["url"] for e in log if e["kind"] == "play"][-len(goodbye):] == goodbye
    assert "the line hangs up" in page.locator("#transcript").inner_text()
    assert page.get_by_role("button", name="Call the line").is_enabled()


PROMPT_AFTER_LAST_KEY = """(() => {
  const log = window.phoneLog, kinds = log.map(e => e.kind);
  return window.phoneState === 'playing' && kinds.slice(kinds.lastIndexOf('keys') + 1).includes('play');
})()"""


def test_a_dialling_code_is_collected_until_hash(live_phone, page):
    app, url = live_phone
    page.goto(f"{url}/phone?{QUICK}")
    page.get_by_role("button", name="Call the line").click()
    for key in "142":  # English, safe countries, look a country up: each over its prompt
        wait_for(page, PROMPT_AFTER_LAST_KEY)
        page.keyboard.press(key)
    waiting_after(page, 7)  # the question for a dialling code has been asked
    # "#" with nothing before it: Twilio does not call the action
    # (actionOnEmptyResult="false"), it follows the <Redirect> as after silence.
    page.keyboard.press("#")
    waiting_after(page, 8)
    page.keyboard.type("212")
    assert page.locator("#entered").inner_text() == "212"
    page.keyboard.press("#")
    wait_for(page, "window.phoneLog.filter(e => e.kind === 'fetch').length >= 10")
    keys = events(page, "keys")
    assert [e["digits"] for e in keys] == ["1", "4", "2", "#", "212#"]
    assert keys[-2]["submitted"] is None and keys[-1]["submitted"] == "212"
    fetched = [(e["path"], e["digits"]) for e in events(page, "fetch")]
    assert fetched[6:10] == [
        ("/voice/en/safe_lookup?new=1", None), ("/voice/en/safe_lookup?tries=1&new=1", None),
        ("/voice/en/safe_lookup/key?new=1", "212"), ("/voice/en/safe_result?cc=MA&new=1", None),
    ]


@pytest.fixture
def live_say_line(app, serve_app):
    """The line with Twilio's <Say> voices only: the page speaks or times the text."""
    app.config["PHONE_ENABLED"] = True
    return app, serve_app(app)


def test_say_is_shown_in_order(live_say_line, page):
    app, url = live_say_line
    page.goto(f"{url}/phone?rate=16")
    page.get_by_role("button", name="Call the line").click()
    waiting_after(page, 1)
    texts = [e.text.strip() for e in parse(ask(app.test_client(), "/voice")).iter("Say")]
    assert texts and [e["text"] for e in events(page, "say")] == texts
    assert not events(page, "play")
    assert texts[0] in page.locator("#transcript").inner_text()
    page.get_by_role("button", name="Hang up").click()
    assert page.evaluate("window.phoneState") == "ended"
    assert events(page)[-1] == {"kind": "end", "reason": "caller"}
