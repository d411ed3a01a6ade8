"""Staff recordings as records: a real recording (WAV or MP3) is accepted and made
telephone-ready like generated audio; a text file called .wav, a two-minute file and
an 11 MB file are refused and nothing changes; undo brings the previous one back;
every change is audited; the same on SQLite and the machine's PostgreSQL."""
import dataclasses
import io
import json
import math
import re
import subprocess
import wave

import pytest
import redis
from click.testing import CliRunner
from sqlalchemy import func, select

import ivr.audio.manifest as manifest_module
from ivr import create_app
from ivr.audio import encoding, live
from ivr.audio.build import build
from ivr.audio.store import AudioStore
from ivr.cli import main
from ivr.content import registry
from ivr.services import of
from ivr.staff import recordings
from ivr.staff.recordings import RecordingError
from ivr.store.db import Database, upgrade
from ivr.store.models import AuditEntry, Recording

from support import OFFLINE_ENGINES, tone_wav
from twiml import only_gather, parse

ITEM_ID = "ti|welcome|"




def as_mp3(wav):
    done = subprocess.run([encoding.ffmpeg(), "-loglevel", "error", "-f", "wav", "-i", "pipe:0", "-f", "mp3", "pipe:1"],
                          input=wav, capture_output=True, timeout=60, check=True)
    return done.stdout


@pytest.fixture
def item(line):
    return recordings.find_item(line.content, ITEM_ID)


@pytest.fixture
def session(empty_db_url):
    """A session on a migrated database: SQLite, then PostgreSQL."""
    database = Database(empty_db_url)
    upgrade(database)
    with database.session() as session:
        yield session
    database.dispose()


def counts(session):
    return (session.scalar(select(func.count()).select_from(Recording)),
            session.scalar(select(func.count()).select_from(AuditEntry)))


@pytest.mark.parametrize("make", [tone_wav, lambda: as_mp3(tone_wav())], ids=["wav", "mp3"])
def test_a_real_recording_is_kept_telephone_ready_and_current(session, item, make):
    recording = recordings.add(session, item, make(), actor="ada")
    session.commit()
    stored = session.get(Recording, recording.id)
    measured = encoding.measure(stored.audio)
    assert (measured["format"], measured["rate"], measured["channels"]) == ("mulaw", 8000, 1)
    assert encoding.is_phone_ready(stored.audio)
    assert 1.0 < stored.seconds < 2.0 and stored.current and stored.text == item.text
    assert (stored.lang, stored.item_id, stored.made_by) == ("ti", ITEM_ID, "ada")
    entry = session.scalar(select(AuditEntry))
    assert (entry.actor, entry.action, entry.target) == ("ada", "recording.add", ITEM_ID)


def test_the_prompt_must_exist(line):
    with pytest.raises(RecordingError, match="no prompt"):
        recordings.find_item(line.content, "ti|no-such-prompt|")


@pytest.mark.parametrize("raw, reason", [
    (b"Hello, this is not audio at all.\n" * 20, "not audio"),
    (b"", "empty"),
    (tone_wav(seconds=120, rate=8000), "120 seconds; at most 90"),
    (b"RIFF" + bytes(11 * 1024 * 1024), "at most 10 MB"),
], ids=["text-named-wav", "empty", "two-minutes", "eleven-mb"])
def test_refused_files_say_why_and_change_nothing(session, item, raw, reason):
    recordings.add(session, item, tone_wav(), actor="ada")
    session.commit()
    before = counts(session)
    with pytest.raises(RecordingError, match=reason):
        recordings.add(session, item, raw, actor="ada")
    session.commit()
    assert counts(session) == before
    assert len(recordings.all_current(session, "ti")) == 1


def test_undo_makes_the_previous_recording_current_again(session, item):
    first = recordings.add(session, item, tone_wav(pitch=200), actor="ada")
    second = recordings.add(session, item, tone_wav(pitch=300), actor="bea")
    session.commit()
    assert recordings.current(session, ITEM_ID).id == second.id
    assert recordings.undo(session, ITEM_ID, actor="cli").id == first.id
    session.commit()
    assert recordings.current(session, ITEM_ID).id == first.id
    assert [r.id for r in recordings.history(session, ITEM_ID)] == [second.id, first.id]  # both kept
    assert recordings.undo(session, ITEM_ID, actor="cli") is None
    session.commit()
    assert recordings.current(session, ITEM_ID) is None
    with pytest.raises(RecordingError, match="no recording to undo"):
        recordings.undo(session, ITEM_ID, actor="cli")
    actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["recording.add", "recording.add", "recording.undo", "recording.undo"]


# -- on the line from the next call, on every host -------------------------------------------------
PLAY = re.compile(r"/audio/([0-9a-f]{32})\.wav$")


def host(audio_dir, redis_url):
    return create_app({"TESTING": True, "AUDIO_DIR": str(audio_dir), "REDIS_URL": redis_url,
                       "AUDIO_ENGINES": OFFLINE_ENGINES, "PUBLIC_BASE_URL": "https://line.example.org",
                       "AUDIO_MEMORY_MB": 0, "TWILIO_AUTH_TOKEN": "", "IVR_DEVELOPMENT": True})


def main_menu_key(client):
    """The key the English main menu plays (after "I did not hear a key")."""
    gather = only_gather(parse(client.post("/voice/en/main?tries=1")))
    return [PLAY.search(p.text).group(1) for p in gather.findall("Play")][-1]


def test_a_recording_plays_on_another_host_from_the_next_call_and_undo_brings_back_the_last(
        audio_dir, tmp_path, redis_url, db_session, monkeypatch):
    monkeypatch.setattr(manifest_module, "REFRESH_SECONDS", 0)
    admin_host, other = host(audio_dir, redis_url), host(tmp_path / "empty", redis_url)
    admin_line, client = of(admin_host), other.test_client()
    of(admin_host).store.warm(admin_line.manifest.entries)  # the build every host plays
    engine_key = main_menu_key(client)
    item = recordings.find_item(admin_line.content, "en|main_menu|")

    def record(raw):
        recording = recordings.add(db_session, item, raw, actor="ada")
        db_session.commit()
        recordings.put_on_line(admin_line.store, item, recording)
        return recording

    first, second = record(tone_wav(pitch=200)), record(tone_wav(pitch=300))
    key = main_menu_key(client)
    assert key == live.recording_key(second.audio) != engine_key
    assert client.get(f"/audio/{key}.wav").data == second.audio  # from Redis: this host has no file

    recordings.put_on_line(admin_line.store, item, recordings.undo(db_session, item.id, actor="ada"))
    assert main_menu_key(client) == live.recording_key(first.audio)
    recordings.put_on_line(admin_line.store, item, recordings.undo(db_session, item.id, actor="ada"))
    assert main_menu_key(client) == engine_key  # the engine's audio again, without a build


def test_a_stale_recording_plays_unless_the_setting_skips_it(audio_dir, redis_url, db_session):
    store_line = of(host(audio_dir, redis_url))
    item = recordings.find_item(store_line.content, "en|main_menu|")
    recording = recordings.add(db_session, item, tone_wav(), actor="ada")
    changed = dataclasses.replace(item, text=item.text + " Changed.")
    recordings.put_on_line(store_line.store, changed, recording, "use")
    entry = store_line.store.redis_manifest()[1][item.id]
    assert entry["engine"] == "recording" and entry["stale"] and entry["text"] == changed.text
    recordings.put_on_line(store_line.store, changed, recording, "skip")
    assert store_line.store.redis_manifest()[1][item.id]["engine"] == "espeak"


# -- the audio build prefers the database's current recordings ----------------------------------------
@pytest.mark.parametrize("text_changed, setting, engine", [
    (False, "use", "recording"), (True, "use", "recording"), (True, "skip", "espeak"),
])
def test_the_build_plays_a_current_database_recording(audio_dir, text_changed, setting, engine):
    app = host(audio_dir, "")
    line = of(app)
    item = recordings.find_item(line.content, "en|main_menu|")
    audio = recordings.to_phone(tone_wav())
    recorded = {item.id: (item.text + (" Old words." if text_changed else ""), audio)}
    report = build(line.content, AudioStore(audio_dir), {**app.config, "STALE_RECORDINGS": setting},
                   progress=False, log=lambda *_: None, recorded=recorded)
    entry = report.manifest[item.id]
    assert entry["engine"] == engine and entry["text"] == item.text
    assert (entry["key"] == live.recording_key(audio)) == (engine == "recording")
    assert report.stale.get("en", []) == ([item.id] if text_changed else [])
    assert report.synthesised == 0  # nothing else made again


# -- ivr recordings add | undo, ivr audio coverage ------------------------------------------------------
@pytest.fixture
def command(audio_dir, redis_url, db_url, monkeypatch):
    for name, value in {"AUDIO_DIR": str(audio_dir), "REDIS_URL": redis_url, "DATABASE_URL": db_url,
                        "AUDIO_ENGINES": OFFLINE_ENGINES}.items():
        monkeypatch.setenv(name, value)
    return lambda *args: CliRunner().invoke(main, list(args))


def test_the_command_adds_and_undoes_with_the_same_checks_audited_as_cli(command, tmp_path, database, redis_url,
                                                                        audio_dir):
    good, text = tmp_path / "take.mp3", tmp_path / "notes.wav"
    good.write_bytes(as_mp3(tone_wav()))
    text.write_text("not audio " * 50)
    store = AudioStore(tmp_path / "elsewhere", redis.Redis.from_url(redis_url))
    engine_entry = json.loads((audio_dir / "manifest.json").read_text())["en|main_menu|"]

    refused = command("recordings", "add", "en", "main_menu", str(text))
    assert refused.exit_code == 1 and "not audio" in refused.output
    added = command("recordings", "add", "en", "main_menu", str(good))
    assert added.exit_code == 0, added.output
    entry = store.redis_manifest()[1]["en|main_menu|"]
    assert entry["engine"] == "recording" and store.get(entry["key"], entry["digest"]) is not None
    undone = command("recordings", "undo", "en", "main_menu")
    assert undone.exit_code == 0, undone.output
    assert store.redis_manifest()[1]["en|main_menu|"]["key"] == engine_entry["key"]
    with database.session() as session:
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        assert [(e.actor, e.action, e.target) for e in entries] == [
            ("cli", "recording.add", "en|main_menu|"), ("cli", "recording.undo", "en|main_menu|")]


def test_a_prompt_is_named_by_its_number_and_unknown_ones_are_refused(command, tmp_path, line):
    number = registry.numbers(line.content)["main_menu|"]
    good = tmp_path / "take.wav"
    good.write_bytes(tone_wav())
    added = command("recordings", "add", "en", str(number), str(good))
    assert added.exit_code == 0 and "en|main_menu|" in added.output
    for args in (["en", "99999"], ["xx", "main_menu"], ["en", "no_such_prompt"]):
        refused = command("recordings", "add", *args, str(good))
        assert refused.exit_code == 2 and "Error" in refused.output


def test_coverage_lists_each_missing_prompt_with_its_number_text_and_english(command, line):
    result = command("audio", "coverage", "--lang", "ti")
    numbers = registry.numbers(line.content)
    welcome = recordings.find_item(line.content, "ti|main_menu|")
    english = recordings.find_item(line.content, "en|main_menu|")
    lines = result.output.splitlines()
    at = next(i for i, text in enumerate(lines) if "ti|main_menu|" in text)
    assert lines[at].split()[0] == str(numbers["main_menu|"]) and welcome.text in lines[at]
    assert lines[at + 1].strip() == f"en: {english.text}"
