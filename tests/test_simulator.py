"""The caller simulator, driving the line over real HTTP as Twilio would."""
import subprocess
import sys

from ivr.dev import simulator
from ivr.config import ROOT
from ivr.services import of


def call(base_url, keys, **kwargs):
    events = []
    simulator.run(simulator.Call(base_url=base_url, **kwargs), simulator.scripted(keys), events.append)
    return events


def said(events):
    return [e.text for e in events if e.kind in ("say", "play")]


def test_a_scripted_call_reaches_an_answer(live_server, app):
    catalogue = of(app).content.catalogues["en"]
    events = call(live_server, "1 2 1")  # English, returning, your choice
    assert catalogue.text("return_choice") in said(events)
    assert events[-1].kind == "end"  # the script ran out: the caller hung up


def test_three_silences_end_with_a_goodbye(live_server, app):
    catalogue = of(app).content.catalogues["en"]
    events = call(live_server, "1 - - -")
    assert [e.kind for e in events][-2:] == ["say", "hangup"]
    assert said(events)[-1] == catalogue.text("goodbye")
    assert [e.kind for e in events].count("silence") == 3


def test_dialling_code_entry(live_server):
    # A Moroccan number hears Arabic and French first: English is the third choice.
    events = call(live_server, "3 4 2 00212#", caller="+212612345678")
    assert "Morocco." in said(events)


def test_signed_calls_pass_and_unsigned_fail(app, live_server):
    app.config["TWILIO_AUTH_TOKEN"] = "secret-token"
    assert call(live_server, "1", token="secret-token")[-1].kind == "end"
    try:
        call(live_server, "1")
    except simulator.CallError as exc:
        assert "403" in str(exc)
    else:
        raise AssertionError("an unsigned call was let through")


def test_the_command_prints_the_call(live_server):
    done = subprocess.run(
        [sys.executable, "-m", "ivr.cli", "call", "--url", live_server, "--keys", "1 5 2"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "> pressed 5" in done.stdout
    assert "spreekuur" in done.stdout


def test_played_audio_is_shown_as_text(audio_app, serve_app):
    base = serve_app(audio_app)
    audio_app.config["PUBLIC_BASE_URL"] = base
    events = call(base, "1 5")
    plays = [e for e in events if e.kind == "play"]
    assert plays and all(e.url.startswith(base + "/audio/") for e in plays)
    catalogue = of(audio_app).content.catalogues["en"]
    assert catalogue.text("help_menu") in [e.text for e in plays]
