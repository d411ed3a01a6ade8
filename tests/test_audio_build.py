"""The audio build: gTTS (its HTTP mocked, real MP3 bytes), eSpeak NG for real,
normalised audio measured, content addressing, recordings, failures."""
import base64
import json
import re
from pathlib import Path

import pytest
import requests
import responses

from ivr import create_app
from ivr.audio import encoding, espeak
from ivr.audio.build import build
from ivr.audio.recordings import recording_path
from ivr.audio.store import AudioStore, digest
from ivr.services import of

GTTS_URL = re.compile(r"https://translate\.google\.com/_/TranslateWebserverUi/data/batchexecute.*")


def only_languages(content_dirs, keep):
    for path in Path(content_dirs["PROMPTS_DIR"]).glob("*.toml"):
        if path.stem not in keep:
            path.unlink()


def make_app(content_dirs, audio_dir, **extra):
    return create_app({"TESTING": True, "AUDIO_ENABLED": False, "AUDIO_DIR": str(audio_dir), **content_dirs, **extra})


def run_build(app, logs=None):
    state = of(app)
    return build(state.content, AudioStore(app.config["AUDIO_DIR"]), app.config, progress=False,
                 log=(logs.append if logs is not None else lambda *_: None))


@pytest.fixture(scope="module")
def mp3_bytes():
    """A real MP3, as gTTS would return: speech made by eSpeak, encoded by ffmpeg."""
    pcm, rate = espeak.synthesize("This is a test of the line.", "en")
    return encoding.to_bytes(encoding.from_pcm(pcm, rate), "mp3")


def gtts_answer(mp3):
    encoded = base64.b64encode(mp3).decode("ascii")
    line = json.dumps([["wrb.fr", "jQ1olc", f'["{encoded}"]', None, None, None, "generic"]], separators=(",", ":"))
    return ")]}'\n\n" + line + "\n"


@responses.activate
def test_gtts_path_end_to_end(content_dirs, tmp_path, mp3_bytes):
    only_languages(content_dirs, {"en"})
    responses.add(responses.POST, GTTS_URL, body=gtts_answer(mp3_bytes), status=200)
    app = make_app(content_dirs, tmp_path / "audio")
    report = run_build(app)
    assert report.ok and not report.missing.get("en")
    assert report.sources["en"] == {"gtts": len(report.manifest)}
    # gTTS was asked for the real texts, in English.
    bodies = [requests.utils.unquote(call.request.body) for call in responses.calls]
    assert all(call.request.method == "POST" for call in responses.calls)
    assert any("Thank you for calling. Goodbye." in body for body in bodies)
    assert any('\\"en\\"' in body for body in bodies)
    source = encoding.decode(mp3_bytes, "mp3")
    entry = report.manifest["en|goodbye|"]
    info = encoding.measure((tmp_path / "audio" / f"{entry['key']}.wav").read_bytes())
    assert (info["format"], info["rate"], info["channels"]) == ("mulaw", 8000, 1)
    # Trimmed of silence, plus the fixed pause at the end; never longer than the source.
    assert 0.5 < info["seconds"] <= source.duration_seconds + encoding.TAIL_MS / 1000
    assert info["dbfs"] == pytest.approx(encoding.TARGET_DBFS, abs=1.5)


@responses.activate
def test_without_internet_gtts_is_reported_once_and_espeak_speaks(content_dirs, tmp_path):
    only_languages(content_dirs, {"en", "nl"})
    responses.add(responses.POST, GTTS_URL, body=requests.ConnectionError("no route to host"))
    logs = []
    report = run_build(make_app(content_dirs, tmp_path / "audio"), logs)
    assert report.ok
    assert len([line for line in logs if "gtts is unavailable" in line]) == 1
    assert set(report.unavailable) == {"gtts"}
    assert report.sources["en"] == {"espeak": len(report.manifest) // 2}
    assert len(responses.calls) <= 2 * int(make_app(content_dirs, tmp_path).config["AUDIO_JOBS"])


@responses.activate
def test_existing_audio_is_kept_when_gtts_goes_away(content_dirs, tmp_path, mp3_bytes):
    only_languages(content_dirs, {"en"})
    responses.add(responses.POST, GTTS_URL, body=gtts_answer(mp3_bytes))
    app = make_app(content_dirs, tmp_path / "audio")
    first = run_build(app)
    responses.replace(responses.POST, GTTS_URL, body=requests.ConnectionError("offline"))
    second = run_build(app)
    assert second.synthesised == 0
    assert second.manifest == first.manifest  # the gTTS audio stays; nothing fell back


def test_no_op_rebuild_and_a_changed_text(content_dirs, tmp_path):
    only_languages(content_dirs, {"en", "nl"})
    app = make_app(content_dirs, tmp_path / "audio", AUDIO_ENGINES="recording,espeak")
    first = run_build(app)
    assert first.synthesised == len(first.manifest) > 600
    files = {p: p.stat().st_mtime_ns for p in (tmp_path / "audio").glob("*.wav")}
    again = run_build(app)
    assert again.synthesised == 0 and again.manifest == first.manifest
    assert files == {p: p.stat().st_mtime_ns for p in (tmp_path / "audio").glob("*.wav")}

    en = Path(content_dirs["PROMPTS_DIR"]) / "en.toml"
    en.write_text(en.read_text().replace("Thank you for calling. Goodbye.", "Thank you for calling. Take care."))
    changed = run_build(make_app(content_dirs, tmp_path / "audio", AUDIO_ENGINES="recording,espeak"))
    assert changed.synthesised == 1
    assert changed.manifest["en|goodbye|"]["key"] != first.manifest["en|goodbye|"]["key"]
    assert {k: v for k, v in changed.manifest.items() if k != "en|goodbye|"} == {
        k: v for k, v in first.manifest.items() if k != "en|goodbye|"
    }


def test_a_corrupt_file_is_detected_and_made_again(content_dirs, tmp_path):
    only_languages(content_dirs, {"en"})
    app = make_app(content_dirs, tmp_path / "audio", AUDIO_ENGINES="recording,espeak")
    first = run_build(app)
    key = first.manifest["en|main_menu|"]["key"]
    path = tmp_path / "audio" / f"{key}.wav"
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])  # a truncated copy, as after a full disk
    assert AudioStore(tmp_path / "audio").read_disk(key, first.manifest["en|main_menu|"]["digest"]) is None
    again = run_build(app)
    assert again.synthesised == 1
    assert encoding.is_phone_ready(path.read_bytes())
    # Made again whole: the manifest's digest is the new file's, and it says the same
    # text for as long as before (eSpeak NG's bytes may differ slightly from run to run).
    remade = path.read_bytes()
    entry = again.manifest["en|main_menu|"]
    assert entry["key"] == key and entry["digest"] == digest(remade)
    assert AudioStore(tmp_path / "audio").read_disk(key, entry["digest"]) == remade
    assert encoding.measure(remade)["seconds"] == pytest.approx(encoding.measure(whole)["seconds"], rel=0.05)


def test_espeak_audio_is_telephone_ready_and_level(built_audio):
    manifest = json.loads((built_audio / "manifest.json").read_text())
    levels = []
    for item_id, entry in manifest.items():
        info = encoding.measure((built_audio / f"{entry['key']}.wav").read_bytes())
        assert (info["format"], info["rate"], info["channels"]) == ("mulaw", 8000, 1), item_id
        assert info["seconds"] == pytest.approx(entry["seconds"], abs=0.01)
        assert info["peak_dbfs"] <= encoding.PEAK_CEILING_DBFS + 0.5
        levels.append(info["dbfs"])
    # One loudness for every prompt in every language: within 1 dB of the target.
    assert all(abs(level - encoding.TARGET_DBFS) <= 1.0 for level in levels), (min(levels), max(levels))


@pytest.mark.parametrize("gain_db", [-30, -6, 0])
def test_any_source_is_brought_to_the_one_loudness(gain_db):
    """A quiet recording, a loud one, one with a single loud click: all at the target,
    none clipped over the ceiling."""
    from pydub.generators import Sine

    speech = Sine(220).to_audio_segment(duration=1500, volume=-20 + gain_db)
    click = Sine(1000).to_audio_segment(duration=5, volume=0)
    for segment in (speech, speech.overlay(click, position=700)):
        info = encoding.measure(encoding.for_phone(segment))
        assert info["dbfs"] == pytest.approx(encoding.TARGET_DBFS, abs=1.0)
        assert info["peak_dbfs"] <= encoding.PEAK_CEILING_DBFS + 0.2


def test_the_check_reports_long_chunks_and_say_fallbacks(built_audio, tmp_path):
    from ivr.content.check import run_check

    app = create_app({"TESTING": True, "AUDIO_DIR": str(built_audio)})
    state = of(app)
    report = run_check(state.content, app.config, state.offered(), state.manifest)
    assert report.errors == []
    # Every answer part, measured on the real audio, is within the limit.
    assert not [w for w in report.warnings if "seconds (over" in w]
    assert any(n.startswith("ti: ") and "prompts lack audio" in n for n in report.notes)
    # A limit the real audio exceeds is reported.
    app.config["MAX_CHUNK_SECONDS"] = 20
    tight = run_check(state.content, app.config, state.offered(), state.manifest)
    assert any("node minors_decision part 2 takes" in w for w in tight.warnings)


def write_recording(audio_dir, item_id, text, seconds=1.5):
    """A staff recording as the recording tools will store it: audio plus a sidecar."""
    pcm, rate = espeak.synthesize("one two three four five", "en")
    base = recording_path(audio_dir, item_id)
    base.parent.mkdir(parents=True, exist_ok=True)
    audio = base.parent / (base.name + ".mp3")
    audio.write_bytes(encoding.to_bytes(encoding.from_pcm(pcm, rate), "mp3"))
    sidecar = base.parent / (base.name + ".json")
    sidecar.write_text(json.dumps({"file": audio.name, "text": text}), encoding="utf-8")
    return sidecar


def test_a_recording_replaces_generated_audio_and_goes_stale_with_its_text(content_dirs, tmp_path):
    only_languages(content_dirs, {"en", "ti"})
    app = make_app(content_dirs, tmp_path / "audio", AUDIO_ENGINES="recording,espeak")
    ti_welcome = of(app).content.catalogues["ti"].text("welcome")
    en_goodbye = of(app).content.catalogues["en"].text("goodbye")
    write_recording(tmp_path / "audio", "ti|welcome|", ti_welcome)
    sidecar = write_recording(tmp_path / "audio", "en|goodbye|", en_goodbye)
    report = run_build(app)
    assert report.manifest["ti|welcome|"]["engine"] == "recording"
    assert report.manifest["en|goodbye|"]["engine"] == "recording"
    assert report.sources["ti"] == {"recording": 1}
    assert len(report.missing["ti"]) == sum(report.sources["en"].values()) - 1
    assert report.ok  # Tigrinya has no engine: it waits for recordings, and the build says so

    meta = json.loads(sidecar.read_text())
    sidecar.write_text(json.dumps({**meta, "text": "An older text."}))
    stale = run_build(app)
    assert stale.stale["en"] == ["en|goodbye|"]
    assert stale.manifest["en|goodbye|"]["engine"] == "espeak"


@responses.activate
def test_a_language_meant_to_be_spoken_without_audio_fails_the_build(content_dirs, tmp_path):
    only_languages(content_dirs, {"en"})
    en = Path(content_dirs["PROMPTS_DIR"]) / "en.toml"
    en.write_text(en.read_text().replace('engines = ["recording", "gtts", "espeak"]', 'engines = ["recording", "gtts"]'))
    responses.add(responses.POST, GTTS_URL, body=requests.ConnectionError("offline"))
    report = run_build(make_app(content_dirs, tmp_path / "audio"))
    assert not report.ok and report.required_incomplete == ["en"]


def test_audio_and_the_manifest_are_readable_by_another_user(tmp_path):
    """A web process running as another user must read what the build wrote (0644),
    whatever umask the build ran under."""
    import os
    import stat

    store = AudioStore(tmp_path / "audio")
    old = os.umask(0o077)
    try:
        store.put("a" * 32, b"RIFF audio")
        store.save_manifest({"en|goodbye|": {"key": "a" * 32, "digest": digest(b"RIFF audio")}})
    finally:
        os.umask(old)
    for path in (store.path("a" * 32), tmp_path / "audio" / "manifest.json"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path


def test_a_build_on_a_host_without_the_files_copies_them_from_redis(content_dirs, tmp_path, redis_url):
    """A release machine whose disk is empty makes nothing again: the last build's
    audio is in Redis, and it comes back to the disk whole."""
    import redis

    only_languages(content_dirs, {"en"})
    app = make_app(content_dirs, tmp_path / "first", AUDIO_ENGINES="recording,espeak")
    first = build(of(app).content, AudioStore(tmp_path / "first", redis.Redis.from_url(redis_url)), app.config,
                  progress=False, log=lambda *_: None)
    assert first.synthesised == len(first.manifest) > 300
    elsewhere = AudioStore(tmp_path / "release", redis.Redis.from_url(redis_url))
    again = build(of(app).content, elsewhere, app.config, progress=False, log=lambda *_: None)
    assert again.synthesised == 0 and again.manifest == first.manifest
    entry = first.manifest["en|main_menu|"]
    assert elsewhere.read_disk(entry["key"], entry["digest"]) is not None
