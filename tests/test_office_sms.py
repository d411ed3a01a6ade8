"""The office's details by SMS: the segment counter, the text in each language, and the
job against the fake Twilio (retries, nothing kept, no number in a log)."""
import datetime as dt
import logging

import pytest
import redis

import offices_standin as standin
from ivr import create_app
from ivr.call import office_lookup
from ivr.call.office_finder import LOCAL
from ivr.content import segments
from ivr.jobs import sms, worker
from ivr.services import of
from test_office_phone import MOBILE, TUESDAY_10, Clock, plug, said
from twiml import assert_way_on, parse, redirect_of

GSM, UCS = segments.GSM7, segments.UCS2


@pytest.mark.parametrize("text, expected", [
    ("a" * 160, (GSM, 1)), ("a" * 161, (GSM, 2)), ("a" * 306, (GSM, 2)), ("a" * 307, (GSM, 3)),
    ("€" * 80, (GSM, 1)), ("€" * 81, (GSM, 2)),  # an extension character is two septets
    ("a" * 152 + "€" + "a" * 10, (GSM, 2)),  # the escape pair is never split: it moves whole
    ("a" * 152 + "€" + "a" * 152, (GSM, 3)),  # 306 septets, but the pair moved: three
    ("ı" * 70, (UCS, 1)), ("ı" * 71, (UCS, 2)), ("ش" * 134, (UCS, 2)), ("ش" * 135, (UCS, 3)),
    ("😀" * 35, (UCS, 1)), ("😀" * 36, (UCS, 2)),  # a surrogate pair is two units
    ("Dichtstbijzijnde kantoor: Ter Apel, tél. 9:00-12:00", (GSM, 1)), ("", (GSM, 1)),
])
def test_segments_are_counted_as_the_network_counts_them(text, expected):
    assert segments.count(text) == expected


def test_the_text_says_what_the_line_may_say_in_the_callers_language(line):
    office, status = standin.AMSTERDAM, standin.Hours(standin.TABLE).status(standin.AMSTERDAM, TUESDAY_10)
    english = sms.message(line.content, "en", office, status, TUESDAY_10)
    assert english.splitlines() == ["Nearest office: VluchtelingenWerk Amsterdam, Amsterdam",
                                    "Address: Voorbeeldstraat 1, 1017 Amsterdam", "Open now until 12:00.",
                                    "Phone: +31201234567"]
    assert segments.count(english) == (GSM, 1)
    evening = TUESDAY_10.replace(hour=18)
    later = sms.message(line.content, "nl", office, standin.Hours(standin.TABLE).status(office, evening), evening)
    assert "Volgend spreekuur: woensdag 25 november, 9:00-12:00." in later
    never = sms.message(line.content, "en", standin.ASSEN, status, TUESDAY_10)
    assert "Ask at your reception centre for the hours." in never and "Open" not in never and "Phone" not in never
    for lang in line.content.catalogues:
        text = sms.message(line.content, lang, office, status, TUESDAY_10)
        kind, parts = segments.count(text)
        assert parts <= sms.MAX_SEGMENTS and "{" not in text and "12:00" in text
        assert kind == (GSM if lang in ("en", "nl", "fr", "so") else UCS), (lang, text)  # é, à are GSM


def test_a_text_too_long_loses_the_address_first_never_the_hours(line):
    office = standin.OfficeInfo(9, "ش" * 120, "Assen", "ص" * 60, "9401", phone="+31201234567")
    status = standin.OpenNow(dt.time(16))
    text = sms.message(line.content, "ar", office, status, TUESDAY_10)
    assert segments.count(text)[1] <= sms.MAX_SEGMENTS
    assert "16:00" in text and "ص" not in text and "+31201234567" in text


@pytest.fixture
def sms_app(job_settings, monkeypatch):
    """The line with a Redis queue and a sealing key; the worker's services get the
    same stand-in offices."""
    monkeypatch.setattr(office_lookup, "load", lambda settings, database=None: standin.lookup())
    monkeypatch.setattr(sms, "clock", Clock(TUESDAY_10))
    app = create_app({"TESTING": True, "AUDIO_ENABLED": False, "REDIS_URL": job_settings["REDIS_URL"],
                      "NUMBER_KEYS": job_settings["NUMBER_KEYS"], "JOB_RETRY_SECONDS": job_settings["JOB_RETRY_SECONDS"]})
    plug(app, Clock(TUESDAY_10))
    return app


SID = "CA" + "0" * 32


def press_2(app, caller=MOBILE, lang="ru", sid=SID):
    form = {"From": caller, "Digits": "2", "CallSid": sid}
    root = parse(app.test_client().post(f"/voice/{lang}/office/key?pc=1017", data=form))
    assert_way_on(root)
    return root


def test_the_sms_is_sent_in_the_callers_language_retried_and_not_kept(sms_app, job_settings, fake_twilio, caplog):
    caplog.set_level(logging.DEBUG)
    fake_twilio.fail("Messages", status=503, times=2)
    root = press_2(sms_app)
    assert said(root) == "Мы отправляем вам СМС с данными."
    assert said(press_2(sms_app)) == said(root)  # pressed again in the same call: one message
    assert "/voice/ru/office?" in redirect_of(root) and "part=1" in redirect_of(root)
    connection = redis.Redis.from_url(job_settings["REDIS_URL"])
    queued = b"".join(v for k in connection.keys("rq:job:*") if connection.type(k) == b"hash"
                      for v in connection.hgetall(k).values())
    assert queued and MOBILE.encode() not in queued  # only the sealed number is in the queue
    worker.run(job_settings, burst=True)
    received = fake_twilio.received("Messages")
    assert [r.status for r in received] == [503, 503, 201]  # one message, sent on its third try
    sent = received[-1].form
    assert sent["To"] == MOBILE and sent["From"] == job_settings["TWILIO_PHONE_NUMBER"]
    assert sent["Body"].startswith("Ближайший офис: VluchtelingenWerk Amsterdam") and "до 12:00" in sent["Body"]
    kind, parts = segments.count(sent["Body"])
    assert kind == UCS and 1 < parts <= sms.MAX_SEGMENTS  # Cyrillic: 67 characters a segment
    assert not connection.keys("rq:job:*")  # the finished job's record (its sealed number) is gone
    assert MOBILE not in caplog.text and MOBILE[1:] not in caplog.text


def test_no_queue_now_or_no_number_is_said_to_the_caller(sms_app, monkeypatch):
    monkeypatch.setattr(of(sms_app).jobs, "enqueue", lambda *args, **kwargs: None)  # Redis down
    assert said(press_2(sms_app, lang="en")) == "Sorry, we could not send a text message now. Please try again later."
    for number in ("anonymous", "", "+31201234567"):  # withheld, none, a landline
        assert said(press_2(sms_app, caller=number, lang="en")) == (
            "We cannot send a text message to the number you are calling from.")
