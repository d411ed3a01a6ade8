"""Recording by phone, through signed webhooks as Twilio sends them: a call to the staff
number reaches the staff line; the PIN signs in; five wrong PINs lock the account and
say so; a full round (a prompt by its number, <Record>, Twilio's recording status
callback, the worker fetching a real WAV from the fake Twilio REST server, playback,
keep) puts the take on the line's next call, and only the take that was kept."""
import re
from urllib.parse import urlsplit

import pytest
import redis as redis_client
from sqlalchemy import select

import ivr.audio.manifest as manifest_module
from ivr import create_app
from ivr.audio import encoding, live
from ivr.call import twilio_request
from ivr.content import registry
from ivr.jobs import worker
from ivr.services import of
from ivr.staff import recordings
from ivr.store.db import Database
from ivr.store.models import AuditEntry, Recording, Staff

from support import OFFLINE_ENGINES, tone_wav
from twiml import assert_way_on, only_gather, parse, spoken

TOKEN = "staff-line-test-token"
BASE = "https://line.example.org"
STAFF_NUMBER = "+3197010000099"
PIN = "2468"
PLAY = re.compile(r"/audio/([0-9a-f]{32})\.wav$")


@pytest.fixture
def staff_line(db_url, redis_url, tmp_path, monkeypatch):
    """The line with its staff number, signed webhooks, Redis and <Play> of audio."""
    monkeypatch.setattr(manifest_module, "REFRESH_SECONDS", 0)
    return create_app({
        "TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": "test-secret", "TWILIO_AUTH_TOKEN": TOKEN,
        "PUBLIC_BASE_URL": BASE, "STAFF_LINE_NUMBERS": f"+3197010000098, {STAFF_NUMBER}", "REDIS_URL": redis_url,
        "AUDIO_DIR": str(tmp_path / "web-audio"), "AUDIO_ENGINES": OFFLINE_ENGINES, "AUDIO_PREVIEW": True,
        "AUDIO_MEMORY_MB": 0,
    })


class Call:
    """One call as Twilio makes it: every webhook signed, the CallSid the same."""

    def __init__(self, app, called=STAFF_NUMBER):
        self.client, self.sid, self.called = app.test_client(), twilio_request.new_call_sid(), called
        self.urls = []

    def post(self, path, digits=None, **extra):
        path = path.removeprefix(BASE)
        form = {**twilio_request.params(self.sid, digits=digits, called=self.called), **extra}
        self.urls.append(path)
        return self.client.post(path, data=form, headers={
            "X-Twilio-Signature": twilio_request.sign(TOKEN, BASE + path, form)})

    def twiml(self, path, digits=None, **extra):
        root = parse(self.post(path, digits, **extra))
        assert_way_on(root)
        return root


def said(root):
    return " ".join(spoken(root))


def redirect(root):
    return root.findall("Redirect")[-1].text.strip()


def sign_in(app, staff_id, pin=PIN):
    """Entrance, staff number, PIN: the TwiML after the PIN."""
    call = Call(app)
    gather = only_gather(call.twiml("/voice/staff"))
    assert "staff number" in said(gather) and gather.get("finishOnKey") == "#"
    gather = only_gather(call.twiml(gather.get("action"), str(staff_id)))
    assert "PIN" in said(gather)
    return call, call.twiml(gather.get("action"), pin)


@pytest.fixture
def editor(staff):
    return staff("bob", "editor", pin=PIN).id


def test_a_call_to_the_staff_number_reaches_the_staff_line_and_no_other(staff_line):
    assert redirect(Call(staff_line).twiml("/voice")) == "/voice/staff"
    public = Call(staff_line, called=twilio_request.CALLED)
    assert "/voice/staff" not in [r.text for r in public.twiml("/voice").iter("Redirect")]
    refused = public.twiml("/voice/staff")  # pointed at the staff path, but not the staff number
    assert "not available" in said(refused) and refused[-1].tag == "Hangup"
    assert Call(staff_line).client.post("/voice/staff", data=twilio_request.params("CA" + "1" * 32)).status_code == 403


def test_the_pin_signs_in_and_nothing_logs_it(staff_line, editor, db_url, caplog):
    caplog.set_level("INFO")
    call, root = sign_in(staff_line, editor)
    assert "Hello bob" in said(root)
    gather = only_gather(call.twiml(redirect(root)))
    assert "For English, press 1." in said(gather) and "For Tigrinya, press 6." in said(gather)
    assert not any(PIN in url or f"={editor}" in url for url in call.urls)  # sealed in the ticket
    assert PIN not in caplog.text and twilio_request.DEFAULT_CALLER not in caplog.text
    with Database(db_url).session() as session:
        assert session.scalars(select(AuditEntry.action).where(AuditEntry.actor == "bob")).all() == [
            "staff.phone_sign_in"]
    # A forged ticket, or one from another call, signs no one in.
    other = Call(staff_line)
    assert redirect(other.twiml(redirect(root))) == "/voice/staff"


def test_five_wrong_pins_lock_the_account_and_the_line_says_so(staff_line, editor, db_url):
    for attempt in range(1, 5):
        call, root = sign_in(staff_line, editor, pin="9753")
        assert "do not match" in said(root) and "/voice/staff?" in redirect(root), attempt
    call, root = sign_in(staff_line, editor, pin="9753")
    assert "locked for 15 minutes after 5 wrong PINs" in said(root) and root[-1].tag == "Hangup"
    call, root = sign_in(staff_line, editor)  # the right PIN, now too late
    assert "locked" in said(root) and root[-1].tag == "Hangup"
    with Database(db_url).session() as session:
        assert session.get(Staff, editor).pin_locked_until is not None


def test_an_unknown_staff_number_gets_five_tries_in_a_call(staff_line, editor):
    call = Call(staff_line)
    path = "/voice/staff"
    for attempt in range(5):
        gather = only_gather(call.twiml(path))
        pin_gather = only_gather(call.twiml(gather.get("action"), "999"))
        root = call.twiml(pin_gather.get("action"), PIN)
        path = redirect(root) if root[-1].tag == "Redirect" else None
    assert path is None and "Too many wrong tries" in said(root)


def test_an_agent_may_not_record(staff_line, staff):
    agent = staff("cy", "agent", pin=PIN).id
    call, root = sign_in(staff_line, agent)
    assert "may not change recordings" in said(root) and root[-1].tag == "Hangup"


# -- a full round -------------------------------------------------------------------------------------------
def choose_prompt(app, staff_id, name="main_menu|"):
    """Sign in, English, the prompt by its number: the review TwiML."""
    call, root = sign_in(app, staff_id)
    gather = only_gather(call.twiml(redirect(root)))
    gather = only_gather(call.twiml(gather.get("action"), "1"))
    assert "English. Enter the number of a prompt" in said(gather)
    missing = only_gather(call.twiml(gather.get("action"), "9999"))
    assert "There is no prompt 9999 in English" in said(missing)
    number = registry.numbers(of(app).content)[name]
    return call, call.twiml(missing.get("action"), str(number)), number


def record(call, review, fake_twilio, wav):
    """The Record verb after the review, and a take as Twilio makes it: the take's
    action TwiML and the status callback's reply."""
    root = call.twiml(redirect(review))
    [verb] = root.findall("Record")
    assert (verb.get("maxLength"), verb.get("finishOnKey"), verb.get("playBeep")) == ("60", "#", "true")
    callback = verb.get("recordingStatusCallback")
    assert callback.startswith(BASE + "/voice/staff/") and verb.get("recordingStatusCallbackMethod") == "POST"
    url = fake_twilio.add_recording(wav)
    sid = url.rsplit("/", 1)[1]
    action = call.twiml(verb.get("action"), RecordingSid=sid, RecordingUrl=url, RecordingDuration="2")
    status = call.post(callback, RecordingSid=sid, RecordingUrl=url, RecordingStatus="completed",
                       RecordingDuration="2")
    assert status.status_code == 204
    return sid, action, callback, url


def main_menu_plays(app):
    client = Call(app, called=twilio_request.CALLED)
    return [PLAY.search(p.text).group(1) for p in client.twiml("/voice/en/main?tries=1").iter("Play")]


@pytest.fixture
def jobs(job_settings, tmp_path):
    """The worker's settings: another host's disk, the same Redis and database."""
    return {**job_settings, "AUDIO_DIR": str(tmp_path / "worker-audio"), "AUDIO_ENGINES": OFFLINE_ENGINES,
            "AUDIO_PREVIEW": True}


def test_a_full_recording_round_puts_the_take_on_the_line(staff_line, editor, fake_twilio, jobs, db_url):
    call, review, number = choose_prompt(staff_line, editor)
    english = of(staff_line).content.catalogues["en"].text("main_menu")
    assert f"Prompt {number}." in said(review) and english in spoken(review)
    assert "There is no audio for it yet." in said(review)
    sid, waiting, callback, url = record(call, review, fake_twilio, tone_wav(seconds=2))
    assert waiting.find("Pause") is not None  # the take is on its way
    assert call.post(callback, RecordingSid=sid, RecordingUrl=url, RecordingStatus="completed").status_code == 204

    worker.run(jobs, burst=True)  # both callbacks' jobs: one fetch, Twilio's copy deleted
    gets, deletes = fake_twilio.received("Recordings", "GET"), fake_twilio.received("Recordings", "DELETE")
    assert [(g.sid, g.authorised, g.status) for g in gets] == [(sid, True, 200)]
    assert (deletes[0].sid, deletes[0].authorised, deletes[0].status) == (sid, True, 204)

    offer = only_gather(call.twiml(redirect(waiting)))
    [take_url] = [p.text for p in offer.iter("Play")]
    heard = call.client.get(urlsplit(take_url).path + "?" + urlsplit(take_url).query)
    assert heard.status_code == 200 and encoding.is_phone_ready(heard.data)
    assert "To keep it, press 1" in said(offer)

    kept = call.twiml(offer.get("action"), "1")
    assert "Kept. It plays on the line from the next call." in said(kept)
    with Database(db_url).session() as session:
        [made] = session.scalars(select(Recording)).all()
        assert made.current and made.made_by == "bob" and made.item_id == "en|main_menu|" and made.audio == heard.data
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "recording.add")).one()
        assert (audit.actor, audit.details["by"], audit.details["twilio"]) == ("bob", "phone", sid)
    assert live.recording_key(made.audio) in main_menu_plays(staff_line)
    # The next round on the same prompt plays the audio it now has.
    _, review, _ = choose_prompt(staff_line, editor)
    assert any(live.recording_key(made.audio) in p.text for p in review.iter("Play"))


def test_only_the_take_kept_goes_on_the_line(staff_line, editor, fake_twilio, jobs, db_url):
    call, review, _ = choose_prompt(staff_line, editor)
    first_sid, waiting, _, _ = record(call, review, fake_twilio, tone_wav(pitch=200))
    worker.run(jobs, burst=True)
    offer = only_gather(call.twiml(redirect(waiting)))
    again = call.twiml(offer.get("action"), "2")  # record again: the first take is not kept
    second_sid, waiting, _, _ = record(call, again, fake_twilio, tone_wav(pitch=330))
    root = waiting
    while not root.findall("Gather"):  # no worker running: the line waits a while, then offers the choice
        root = call.twiml(redirect(root))
    offer = only_gather(root)
    assert "I cannot play it back yet." in said(offer) and offer.find("Play") is None
    kept = call.twiml(offer.get("action"), "1")
    assert "Kept. It goes on the line as soon as it has arrived." in said(kept)
    worker.run(jobs, burst=True)  # the worker fetches the kept take and puts it on the line
    with Database(db_url).session() as session:
        [made] = session.scalars(select(Recording)).all()
    assert made.audio == recordings.to_phone(tone_wav(pitch=330))
    assert live.recording_key(made.audio) in main_menu_plays(staff_line)
    assert {d.sid for d in fake_twilio.received("Recordings", "DELETE")} == {first_sid, second_sid}


def test_a_take_refused_like_an_upload_says_why_and_changes_nothing(staff_line, editor, fake_twilio, jobs, db_url):
    call, review, _ = choose_prompt(staff_line, editor)
    sid, waiting, _, _ = record(call, review, fake_twilio, tone_wav(seconds=2, pitch=0.0))  # silence
    worker.run(jobs, burst=True)
    refused = call.twiml(redirect(waiting))
    assert "Sorry, the recording cannot be used: the audio is silent." in said(refused)
    assert "/voice/staff/record?" in redirect(refused)  # straight back to the beep
    with Database(db_url).session() as session:
        assert session.scalars(select(Recording)).all() == []
    assert [d.sid for d in fake_twilio.received("Recordings", "DELETE")] == [sid]  # Twilio keeps no copy


@pytest.mark.parametrize("step", ["", "number", "pin", "language", "prompt", "record", "recorded", "take"])
@pytest.mark.parametrize("ticket, digits", [("", "1"), ("forged", "12#"), ("gAAAAA", "*"), ("", "99999999999999"),
                                            ("", "١٢"), ("", "")])
def test_a_forged_or_missing_ticket_and_odd_keys_start_again_never_an_error(staff_line, editor, step, ticket, digits):
    path = "/voice/staff" + (f"/{step}" if step else "") + (f"?t={ticket}" if ticket else "")
    root = Call(staff_line).twiml(path, digits)
    assert root[-1].tag == "Hangup" or redirect(root).startswith("/voice/staff")


def test_a_recording_callback_without_a_ticket_queues_nothing(staff_line, redis_url):
    reply = Call(staff_line).post("/voice/staff/recording?t=forged", RecordingSid="RE" + "a" * 32,
                                  RecordingUrl="https://api.twilio.com/x", RecordingStatus="completed")
    assert reply.status_code == 204
    assert not redis_client.Redis.from_url(redis_url).keys("rq:queue:*")
