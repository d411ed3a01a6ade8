"""The nearest office on the phone, through the webhooks: postcode, provinces, hours said
from the clock (and never "open now" after closing, cache or not), put through only
while open and only a verified number, the SMS queued with the number sealed."""
import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest

import offices_standin as standin
from ivr import create_app
from ivr.call.flow import Flow
from ivr.call.office_finder import LOCAL
from ivr.services import of
from twiml import assert_way_on, only_gather, parse, redirect_of, spoken

MOBILE, AMSTERDAM_LANDLINE = "+31612345678", "+31201234567"
TUESDAY_10 = dt.datetime(2026, 11, 24, 10, 0, tzinfo=LOCAL)


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def plug(app, clock):
    """The app's flow with the stand-in offices and a clock the test moves."""
    services = of(app)
    services.offices = standin.lookup()
    services.flow = Flow(services.content, services.speech, services.settings, services.offices)
    services.flow.offices.clock = clock
    return services


@pytest.fixture
def clock():
    return Clock(TUESDAY_10)


@pytest.fixture
def office_app(clock):
    app = create_app({"TESTING": True, "AUDIO_ENABLED": False})
    plug(app, clock)
    return app


@pytest.fixture
def phone(office_app):
    client = office_app.test_client()

    def post(url, caller=MOBILE, **form):
        root = parse(client.post(url, data={"From": caller, **form}))
        assert_way_on(root)
        return root
    return post


def said(root):
    return " ".join(spoken(root))


def query(url):
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_a_postcode_leads_to_the_nearest_office_open_now(phone):
    prompt = phone("/voice/en/find_office")
    assert "Type your 4-number postcode, then hash." in said(prompt)
    gather = only_gather(prompt)
    assert gather.get("finishOnKey") == "#" and gather.get("action") == "/voice/en/find_office/key"
    target = redirect_of(phone("/voice/en/find_office/key", Digits="1012"))
    assert urlsplit(target).path == "/voice/en/office" and query(target)["pc"] == "1012"
    words = spoken(phone(target))
    assert words[:3] == ["Your postcode:", "ten", "twelve"]
    text = said(phone(target))
    assert "The nearest office is VluchtelingenWerk Amsterdam, in Amsterdam." in text
    assert "It is open now, until twelve noon." in text
    assert "To be put through now, press 1." in text
    assert only_gather(phone(target)).get("action").startswith("/voice/en/office/key?")


def test_after_closing_the_same_page_never_says_open_now(phone, clock):
    page = "/voice/en/office?pc=1017"
    assert "open now" in said(phone(page))  # made and cached at 10:00
    clock.now = TUESDAY_10.replace(hour=12, minute=0)  # closing time: the lunch break
    after = said(phone(page))
    assert "open now" not in after and "put through" not in after
    assert "Next consulting hours: today, from one p.m. until four p.m." in after
    clock.now = TUESDAY_10.replace(hour=16, minute=30)
    assert "Next consulting hours: tomorrow, from nine a.m. until twelve noon." in said(phone(page))
    clock.now = dt.datetime(2026, 11, 27, 17, 0, tzinfo=LOCAL)  # Friday evening
    assert "Next consulting hours: Monday, from nine a.m." in said(phone(page))


def test_put_through_only_while_open_and_only_a_verified_number(phone, clock):
    root = phone("/voice/en/office/key?pc=1017", Digits="1")
    [dial] = root.findall("Dial")
    assert dial.text.strip() == standin.AMSTERDAM.phone and int(dial.get("timeout")) > 0
    assert urlsplit(dial.get("action")).path == "/voice/en/office/dialled"
    clock.now = TUESDAY_10.replace(hour=18)
    closed = phone("/voice/en/office/key?pc=1017", Digits="1")
    assert not closed.findall("Dial") and "not one of the choices" in said(closed)
    # Rotterdam is open on Tuesday 9:30-12, but has no verified number.
    unverified = phone("/voice/en/office/key?pc=3011", Digits="1")
    assert not unverified.findall("Dial")


def test_nobody_answering_offers_the_text_message(phone):
    root = phone("/voice/en/office/dialled?pc=1017", DialCallStatus="no-answer")
    assert "You can get the details by text message" in said(root)
    again = phone(redirect_of(root))
    assert "press 2" in said(again) and "The nearest office" not in said(again)


def test_hours_nobody_verified_are_never_said_as_fact(phone, clock):
    assen = said(phone("/voice/en/office?pc=9401"))
    assert "Ask at your reception centre for the hours." in assen and "open now" not in assen
    rotterdam = said(phone("/voice/en/office?pc=3011"))
    assert "It is open now, until twelve noon." in rotterdam
    assert "These are legal consulting hours." in rotterdam
    assert rotterdam.index("until twelve noon") < rotterdam.index("Please check the hours before you go.")


def test_a_code_not_in_the_data_takes_the_closest_or_asks_again(phone):
    near = redirect_of(phone("/voice/en/find_office/key", Digits="1013"))
    assert query(near) == {"pc": "1012", "typed": "1013"}
    words = spoken(phone(near))
    assert words[:5] == ["We do not know the postcode", "ten", "thirteen", "so we take the nearest one:", "ten"]
    for typo in ("5555", "123", "0123", "12345"):
        again = phone("/voice/en/find_office/key", Digits=typo)
        assert "That is not a postcode we know." in said(again)
        assert only_gather(again).get("action") == "/voice/en/find_office/key"


def test_a_landline_is_offered_its_province_first_a_mobile_is_not(phone):
    landline = said(phone("/voice/en/find_office", caller=AMSTERDAM_LANDLINE))
    assert "Calling from North Holland? For an office there, press 2, then hash." in landline
    assert "Calling from" not in said(phone("/voice/en/find_office", caller=MOBILE))
    target = redirect_of(phone("/voice/en/find_office/key", caller=AMSTERDAM_LANDLINE, Digits="2"))
    assert query(target) == {"prov": "North Holland"}
    assert "VluchtelingenWerk Amsterdam" in said(phone(target))
    first = spoken(phone("/voice/en/office/provinces", caller=AMSTERDAM_LANDLINE))
    assert first[1:3] == ["North Holland,", "press 1."] and first[4] == "2."


def test_not_knowing_the_postcode_picks_a_province_on_two_short_pages(phone):
    assert redirect_of(phone("/voice/en/find_office/key", Digits="1")) == "/voice/en/office/provinces"
    page = phone("/voice/en/office/provinces")
    words = spoken(page)
    assert words[0] == "Choose your province." and words[1] == "Groningen," and words[-1] == "Other provinces, press 7."
    assert len(" ".join(words)) / 14 < 15  # under MAX_MENU_SECONDS at a speaking rate
    second = redirect_of(phone("/voice/en/office/provinces/key", Digits="7"))
    assert "Utrecht," in spoken(phone(second))
    chosen = redirect_of(phone("/voice/en/office/provinces/key", Digits="3"))  # Drenthe
    assert query(chosen) == {"prov": "Drenthe"}
    assert "AZC Assen" in said(phone(chosen))
    wrong = phone("/voice/en/office/provinces/key", Digits="8")
    assert said(wrong).startswith("That key is not one of the choices.")


def test_silence_and_wrong_keys_are_named(phone):
    silent = phone("/voice/en/office?pc=1017&part=1&tries=1")
    assert said(silent).startswith("I did not hear a key.") and "The nearest office" not in said(silent)
    wrong = phone("/voice/en/office/key?pc=1017", Digits="5")
    assert said(wrong) == "That key is not one of the choices."
    assert phone("/voice/en/office?pc=1017&tries=3").find("Hangup") is not None
    assert "I did not hear a key." in said(phone("/voice/en/find_office?tries=1"))


def test_key_8_at_the_end_of_an_answer_finds_an_office(phone):
    end = said(phone("/voice/en/dtv_contact"))
    assert "For the nearest office, press 8." in end
    assert redirect_of(phone("/voice/en/dtv_contact/key", Digits="8")) == "/voice/en/find_office"
    middle = phone("/voice/en/decision_appeal/key", Digits="8")  # part 1 of 2: not yet
    assert "not one of the choices" in said(middle)


def test_every_language_says_the_office_in_its_own_words(phone, office_app):
    for lang in of(office_app).flow.languages():
        text = said(phone(f"/voice/{lang}/office?pc=1017"))
        assert "VluchtelingenWerk Amsterdam" in text and "{" not in text
    assert "tot twaalf uur" in said(phone("/voice/nl/office?pc=1017"))
    assert "до двенадцати" in said(phone("/voice/ru/office?pc=1017"))
    assert "on ikiye kadar" in said(phone("/voice/tr/office?pc=1017"))


def test_lookups_are_counted_by_province(office_app, phone):
    added = []
    of(office_app).stats.add = lambda *names: added.extend(names)
    phone("/voice/en/office?pc=1017")
    phone("/voice/en/office?prov=Drenthe")
    phone("/voice/en/office?pc=1017&part=1")  # the choices again: not a lookup
    assert added == ["office:North Holland", "office:Drenthe"]


def test_without_office_data_the_postcode_node_says_where_to_ask(app, client):
    services = of(app)
    services.flow = Flow(services.content, services.speech, services.settings, None)
    text = said(parse(client.post("/voice/en/find_office")))
    assert "For personal advice, go to the Dutch Council for Refugees" in text
    assert redirect_of(parse(client.post("/voice/en/office?pc=1017"))) == "/voice/en/find_office"


class ToneEngine:
    """An engine that makes a tone for any text (the real ones are tested elsewhere)."""

    def settings(self, voice):
        return {"engine": "tone", "voice": voice}

    def synthesize(self, text, voice):
        from ivr.audio import encoding
        from support import tone_wav

        return encoding.decode(tone_wav(0.3), "wav")


def test_an_offices_name_made_when_saved_is_played_kept_by_builds_and_said_until_then(tmp_path):
    from ivr.audio.manifest import Manifest
    from ivr.audio.store import AudioStore
    from ivr.call.play import PlaySpeech
    from ivr.content.registry import MADE_WHEN_SAVED
    from ivr.jobs import office_audio
    from twilio.twiml.voice_response import VoiceResponse

    app = create_app({"TESTING": True, "AUDIO_ENABLED": False, "AUDIO_ENGINES": "espeak"})
    services = of(app)
    store = AudioStore(tmp_path)
    entries = office_audio.made(services.content, store, {"espeak": ToneEngine()}, services.settings, standin.AMSTERDAM)
    assert "en|office_is|office=VluchtelingenWerk Amsterdam;place=Amsterdam" in entries
    assert not any(item.startswith(("so|", "ti|")) for item in entries)  # no engine speaks them: <Say>
    store.save_manifest(entries)
    speech = PlaySpeech(services.content, Manifest(services.content, store), services.say, lambda: "https://line.example/")
    said = office_audio.utterance(standin.AMSTERDAM)
    response = VoiceResponse()
    speech.add(response, "en", [said])
    root = parse_document(str(response))
    assert [e.tag for e in root] == ["Play"] and root[0].text.startswith("https://line.example/audio/")
    renamed = standin.OfficeInfo(1, "VluchtelingenWerk Amsterdam-Oost", "Amsterdam")
    response = VoiceResponse()
    speech.add(response, "en", [office_audio.utterance(renamed)])
    assert [e.tag for e in parse_document(str(response))] == ["Say"]  # not made yet: said
    assert MADE_WHEN_SAVED == ("office_is",)


def parse_document(text):
    import xml.etree.ElementTree as ET

    return ET.fromstring(text)


def test_office_lookups_and_text_messages_show_in_the_statistics(line):
    from collections import Counter

    from ivr.stats.report import Report, text

    counts = Counter({"office:North Holland": 7, "office:Drenthe": 2, "sms:queued": 6, "sms:sent": 6})
    shown = text(Report({dt.date(2026, 11, 24): counts}, line.content.tree, 5))
    lookups = shown.split("Office lookups by province\n")[1]
    assert lookups.splitlines()[:2] == [f"  {'North Holland':<22}  {'7':>16}", f"  {'Drenthe':<22}  {'fewer than 5':>16}"]
    assert "  sent" in shown.split("Text messages (queued, sent)\n")[1]


def test_a_simulated_call_finds_an_office_is_put_through_and_offered_the_text(office_app, serve_app):
    from ivr.dev import simulator

    events = []
    # English, help, where to find it, a postcode, put through (nobody answers), hang up.
    simulator.run(simulator.Call(base_url=serve_app(office_app)), simulator.scripted("1 5 3 1012# 1"), events.append)
    heard = [e.text for e in events if e.kind in ("say", "play")]
    assert "The nearest office is VluchtelingenWerk Amsterdam, in Amsterdam." in heard
    assert [e.text for e in events if e.kind == "dial"] == [standin.AMSTERDAM.phone]
    assert heard[-3:] == ["Nobody answered. You can get the details by text message.", "To be put through now, press 1.",
                          "To get this by text message, press 2. To hear it again, 9. Another postcode, 3."]


def test_a_postcode_typed_is_not_counted_as_a_wrong_key(office_app):
    from ivr.call import stats

    flow = of(office_app).flow
    node = flow.tree.get("find_office")
    assert stats.outcome(flow, node, "1012", 0) == (False, False)
    assert stats.outcome(flow, flow.tree.get("dtv_contact"), "8", 0) == (True, False)  # the office key: heard, not wrong
    assert stats.outcome(flow, flow.tree.get("dtv_contact"), "6", 0) == (True, True)
