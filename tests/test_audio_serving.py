"""Audio on the line: <Play> in the TwiML, and the audio route Twilio fetches."""
import json
import re

import pytest
import redis

from ivr import create_app
from ivr.store import keys
from ivr.audio import encoding
from ivr.services import of

from support import walk
from twiml import assert_way_on, only_gather, parse

PLAY_URL = re.compile(r"^https://line\.example\.org/audio/([0-9a-f]{32})\.wav$")


def manifest(audio_dir):
    return json.loads((audio_dir / "manifest.json").read_text())


def test_prompts_are_played_with_absolute_urls_inside_the_gather(audio_app, audio_dir):
    root = parse(audio_app.test_client().post("/voice/en/main"))
    gather = only_gather(root)
    plays = [p.text for p in gather.findall("Play")]
    assert gather.findall("Say") == []
    entries = manifest(audio_dir)
    assert plays == [f"https://line.example.org/audio/{entries['en|main_menu|']['key']}.wav"]


def test_languages_are_offered_by_audio_coverage(audio_app):
    offered = of(audio_app).flow.languages()
    # eSpeak NG speaks these; Dari, Tigrinya and Somali wait for recordings.
    assert offered == ["en", "nl", "ar", "fa", "tr", "fr", "ru"]
    offers = only_gather(parse(audio_app.test_client().post("/voice"))).findall("Play")
    assert len(offers) == 1 + len(offered)  # the welcome, then one offer per language


def test_the_whole_line_plays_audio_and_never_falls_back_to_say(audio_app):
    client = audio_app.test_client()
    nodes, requests = walk(client, "/voice")
    assert requests > 1000
    for lang in ("en", "fa", "ar"):
        root = parse(client.post(f"/voice/{lang}/safe_result?cc=GE", data={"From": "+995555123456"}))
        assert_way_on(root)
        assert not list(root.iter("Say"))
        assert all(PLAY_URL.match(p.text) for p in root.iter("Play"))


def test_staff_preview_offers_a_language_before_its_audio_is_complete(audio_dir, redis_url):
    # One Tigrinya prompt recorded (here: borrowed audio under Tigrinya's own text).
    settings = {"TESTING": True, "AUDIO_DIR": str(audio_dir), "REDIS_URL": redis_url}
    content = of(create_app({**settings, "AUDIO_ENABLED": False})).content
    data = manifest(audio_dir)
    data["ti|welcome|"] = {**data["en|welcome|"], "engine": "recording", "text": content.catalogues["ti"].text("welcome")}
    (audio_dir / "manifest.json").write_text(json.dumps(data))

    assert "ti" not in of(create_app(settings)).flow.languages()
    preview = create_app({**settings, "AUDIO_PREVIEW": True})
    assert "ti" in of(preview).flow.languages()
    root = parse(preview.test_client().post("/voice/ti/main"))
    assert_way_on(root)
    # What has no audio yet is still spoken (default voice), never silent.
    assert [s.text for s in root.iter("Say")][0] == content.catalogues["ti"].text("main_menu")


def test_audio_is_served_with_strong_caching(audio_app, audio_dir):
    client = audio_app.test_client()
    entry = manifest(audio_dir)["en|goodbye|"]
    reply = client.get(f"/audio/{entry['key']}.wav")
    assert reply.status_code == 200
    assert reply.mimetype == "audio/wav"
    assert reply.headers["ETag"] == f'"{entry["key"]}"'
    assert reply.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert reply.data == (audio_dir / f"{entry['key']}.wav").read_bytes()
    assert encoding.measure(reply.data)["rate"] == 8000

    again = client.get(f"/audio/{entry['key']}.wav", headers={"If-None-Match": f'"{entry["key"]}"'})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == f'"{entry["key"]}"'
    other = client.get(f"/audio/{entry['key']}.wav", headers={"If-None-Match": '"somethingelse"'})
    assert other.status_code == 200

    head = client.head(f"/audio/{entry['key']}.wav")
    assert head.status_code == 200 and head.data == b""
    assert int(head.headers["Content-Length"]) == len(reply.data)


@pytest.mark.parametrize(
    "path",
    [
        "/audio/" + "0" * 32 + ".wav",  # well formed, but no such audio
        "/audio/../../etc/passwd.wav",
        "/audio/..%2F..%2Fetc%2Fpasswd.wav",
        "/audio/%2e%2e.wav",
        "/audio/manifest.json",
        "/audio/manifest.wav",
        "/audio/" + "A" * 32 + ".wav",
        "/audio/" + "a" * 31 + ".wav",
        "/audio/" + "a" * 32 + ".mp3",
        "/audio/" + "a" * 32 + ".wav/extra",
    ],
)
def test_unknown_or_malformed_keys_are_404(audio_app, path):
    reply = audio_app.test_client().get(path)
    assert reply.status_code == 404


def test_audio_comes_from_redis_and_warms_it(audio_app, audio_dir, redis_url):
    client = audio_app.test_client()
    entry = manifest(audio_dir)["nl|main_menu|"]
    store = redis.Redis.from_url(redis_url)
    store.delete(keys.audio(entry["key"]))
    assert client.get(f"/audio/{entry['key']}.wav").status_code == 200
    assert store.get(keys.audio(entry["key"])) == (audio_dir / f"{entry['key']}.wav").read_bytes()
    # With the disk copy gone, Redis still serves it.
    (audio_dir / f"{entry['key']}.wav").unlink()
    assert client.get(f"/audio/{entry['key']}.wav").status_code == 200


def test_a_corrupt_file_is_never_served(audio_app, audio_dir, redis_url):
    entry = manifest(audio_dir)["fr|goodbye|"]
    path = audio_dir / f"{entry['key']}.wav"
    path.write_bytes(path.read_bytes()[:-500])
    redis.Redis.from_url(redis_url).delete(keys.audio(entry["key"]))
    assert audio_app.test_client().get(f"/audio/{entry['key']}.wav").status_code == 404
    # Nor is a corrupt copy in Redis.
    redis.Redis.from_url(redis_url).set(keys.audio(entry["key"]), b"RIFF garbage")
    assert audio_app.test_client().get(f"/audio/{entry['key']}.wav").status_code == 404


def test_without_redis_audio_comes_from_disk(audio_dir):
    app = create_app({"TESTING": True, "AUDIO_DIR": str(audio_dir), "REDIS_URL": ""})
    entry = manifest(audio_dir)["ar|goodbye|"]
    reply = app.test_client().get(f"/audio/{entry['key']}.wav")
    assert reply.status_code == 200 and reply.data == (audio_dir / f"{entry['key']}.wav").read_bytes()


def test_a_new_build_is_picked_up_without_a_restart(audio_app, audio_dir, monkeypatch):
    import ivr.audio.manifest as manifest_module

    speech = of(audio_app).speech
    monkeypatch.setattr(manifest_module, "REFRESH_SECONDS", 0)
    data = manifest(audio_dir)
    data.pop("en|goodbye|")
    (audio_dir / "manifest.json").write_text(json.dumps(data))
    assert speech.can_speak("en") is False  # English lost a prompt: no longer offered


def test_cached_twiml_follows_a_new_build(audio_app, audio_dir, monkeypatch):
    import ivr.audio.manifest as manifest_module

    client = audio_app.test_client()
    before = parse(client.post("/voice/en/help"))
    assert parse(client.post("/voice/en/help")).find("Gather")[0].text == before.find("Gather")[0].text
    monkeypatch.setattr(manifest_module, "REFRESH_SECONDS", 0)
    data = manifest(audio_dir)
    data.pop("en|help_menu|")
    (audio_dir / "manifest.json").write_text(json.dumps(data))
    after = parse(client.post("/voice/en/help"))
    # English lost a prompt in the new build: no longer offered, so the caller is
    # sent to the language menu instead of hearing a stale answer.
    assert after.find("Redirect").text.strip() == "/voice/language"


def test_the_worker_keeps_the_most_played_audio_in_memory(audio_dir, redis_url):
    app = create_app({"TESTING": True, "AUDIO_DIR": str(audio_dir), "REDIS_URL": redis_url, "AUDIO_MEMORY_MB": 1})
    library = of(app).store
    entries = list(manifest(audio_dir).values())
    client = app.test_client()
    for entry in entries[:200]:
        assert client.get(f"/audio/{entry['key']}.wav").status_code == 200
    # Bounded: never more than the budget, the latest kept.
    assert 0 < library.memory.used <= 1024 * 1024
    last = entries[199]
    assert library.memory.get(last["key"]) == (audio_dir / f"{last['key']}.wav").read_bytes()
    # Served from memory: gone from Redis and disk, still answered.
    redis.Redis.from_url(redis_url).delete(keys.audio(last["key"]))
    (audio_dir / f"{last['key']}.wav").unlink()
    assert client.get(f"/audio/{last['key']}.wav").status_code == 200


@pytest.mark.parametrize("validator", ['W/"{key}"', '"other", W/"{key}"', "*"])
def test_a_weak_or_star_validator_is_a_304(audio_app, audio_dir, validator):
    key = manifest(audio_dir)["en|goodbye|"]["key"]
    reply = audio_app.test_client().get(f"/audio/{key}.wav", headers={"If-None-Match": validator.format(key=key)})
    assert reply.status_code == 304 and reply.data == b""
    assert reply.headers["ETag"] == f'"{key}"'
    # Only for audio that exists: "*" on an unknown key is still a 404.
    unknown = audio_app.test_client().get("/audio/" + "0" * 32 + ".wav", headers={"If-None-Match": "*"})
    assert unknown.status_code == 404
