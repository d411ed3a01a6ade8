"""Audio under faults: a corrupt file, a build made while workers run, two hosts on
one Redis (one without audio/ on disk), a Redis restarted empty, a frozen Redis.

Every Redis here is a real redis-server: the session's (`redis_url`, emptied for each
test) or, for the one a test freezes, its own EmbeddedRedis, always resumed and
stopped in a `finally`.
"""
import itertools
import json
import logging
import re
import signal
import threading
import time

import pytest
import redis

import ivr.audio.manifest as manifest_module
import ivr.store.breaker as breaker_module
from ivr import create_app
from ivr.audio.store import AudioStore, digest
from ivr.services import of
from ivr.store import keys
from ivr.store.redis import EmbeddedRedis

from support import OFFLINE_ENGINES
from twiml import assert_way_on, only_gather, parse

PLAY = re.compile(r"/audio/([0-9a-f]{32})\.wav$")
OFFERED = ["en", "nl", "ar", "fa", "tr", "fr", "ru"]  # what eSpeak NG speaks here
FREEZE_LIMIT = 1.5  # seconds the one request that meets a frozen Redis may take (its timeout is 0.5 s)
FAST = 0.4  # seconds any later request may take while Redis stays frozen (under its timeout)


def manifest(audio_dir):
    return json.loads((audio_dir / "manifest.json").read_text())


def line(audio_dir, redis_url="", serving=False, **extra):
    settings = {"TESTING": True, "AUDIO_DIR": str(audio_dir), "REDIS_URL": redis_url, "AUDIO_ENGINES": OFFLINE_ENGINES,
                "PUBLIC_BASE_URL": "https://line.example.org", "AUDIO_MEMORY_MB": 0, "TWILIO_AUTH_TOKEN": "",
                "IVR_DEVELOPMENT": True}
    return create_app({**settings, **extra}, serving=serving)


def main_menu(client):
    """The <Gather> of the English main menu after a silence ("I did not hear a key",
    then the menu): its Play keys and its Say texts."""
    gather = only_gather(parse(client.post("/voice/en/main?tries=1")))
    plays = [PLAY.search(p.text).group(1) for p in gather.findall("Play")]
    return plays, [s.text for s in gather.findall("Say")]


def wait_for(check, timeout=10, what="the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.02)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


def timed(call, *args, **kwargs):
    started = time.monotonic()
    result = call(*args, **kwargs)
    return result, time.monotonic() - started


# -- 9. a corrupt file: never served, never played ------------------------------------------
def test_a_prompt_whose_audio_is_corrupt_is_spoken_and_reported(audio_app, audio_dir, redis_url, caplog):
    client = audio_app.test_client()
    help_entry = manifest(audio_dir)["en|main_menu|"]
    key = help_entry["key"]
    assert main_menu(client)[0][1] == key
    path = audio_dir / f"{key}.wav"
    whole = path.read_bytes()
    path.write_bytes(whole[:-500])
    redis.Redis.from_url(redis_url).delete(keys.audio(key))

    with caplog.at_level(logging.ERROR, logger="ivr.audio.manifest"):
        assert client.get(f"/audio/{key}.wav").status_code == 404  # Twilio met the corrupt file
    assert any(key in r.getMessage() and "en|main_menu|" in r.getMessage() for r in caplog.records)
    # The next caller hears the prompt from <Say>, in order, instead of a silent <Play>.
    gather = only_gather(parse(client.post("/voice/en/main?tries=1")))
    assert [child.tag for child in gather] == ["Play", "Say"]
    assert gather.find("Say").text == of(audio_app).content.catalogues["en"].text("main_menu")
    assert gather.find("Say").get("language") == "en-GB"

    # Made whole again: the audio route serves it, and the line plays it again.
    path.write_bytes(whole)
    assert client.get(f"/audio/{key}.wav").status_code == 200
    assert main_menu(client) == ([manifest(audio_dir)["en|no_input|"]["key"], key], [])


def test_a_corrupt_file_comes_back_by_itself_when_it_is_whole_again(audio_app, audio_dir, monkeypatch):
    client = audio_app.test_client()
    key = manifest(audio_dir)["en|main_menu|"]["key"]
    path = audio_dir / f"{key}.wav"
    whole = path.read_bytes()
    path.write_bytes(b"RIFF" + whole[4:-1])
    assert client.get(f"/audio/{key}.wav").status_code == 404
    assert key not in main_menu(client)[0]
    # Nobody fetches it again (the TwiML says it): the worker checks it again by itself.
    monkeypatch.setattr(manifest_module, "REFRESH_SECONDS", 0)
    path.write_bytes(whole)
    wait_for(lambda: key in main_menu(client)[0], what="the repaired prompt to be played again")


def test_a_serving_worker_checks_a_build_when_it_loads_it(audio_dir):
    """Without a single audio request, a corrupt file is found in the background."""
    key = manifest(audio_dir)["en|main_menu|"]["key"]
    (audio_dir / f"{key}.wav").write_bytes(b"not audio")
    app = line(audio_dir, serving=True)
    client = app.test_client()
    wait_for(lambda: key not in main_menu(client)[0], what="the background check to find the corrupt file")
    assert of(app).manifest.bad == {key}
    assert len(main_menu(client)[1]) == 1


# -- 10. a build made while the workers run -------------------------------------------------
def test_the_audio_route_sees_a_rebuilt_file_without_any_webhook(audio_app, audio_dir, redis_url):
    client = audio_app.test_client()
    entry = manifest(audio_dir)["fr|goodbye|"]
    key = entry["key"]
    assert client.get(f"/audio/{key}.wav").status_code == 200  # the worker knows this build
    # `ivr audio build` remakes it under the same key (eSpeak NG's bytes differ a little
    # from run to run, so its digest changes), on disk and in Redis, and saves the manifest.
    remade = (audio_dir / f"{key}.wav").read_bytes() + b"\0\0"
    builder = AudioStore(audio_dir, redis.Redis.from_url(redis_url))
    builder.put(key, remade)
    builder.save_manifest({**manifest(audio_dir), "fr|goodbye|": {**entry, "digest": digest(remade)}})

    reply = client.get(f"/audio/{key}.wav")  # at once: no webhook, no wait for the refresh
    assert reply.status_code == 200 and reply.data == remade
    assert of(audio_app).manifest.bad == frozenset()


# -- 11. two hosts on one Redis; a Redis restarted empty ------------------------------------
def test_a_host_without_audio_on_disk_plays_what_redis_holds_and_sees_new_builds(audio_dir, tmp_path, redis_url,
                                                                                 monkeypatch):
    host_a = line(audio_dir, redis_url)
    state_a = of(host_a)
    assert state_a.store.warm(state_a.manifest.entries) > 1000  # the disk copy fills an empty Redis
    host_b = line(tmp_path / "empty", redis_url)  # a new host: nothing on its disk but the code
    client_b = host_b.test_client()
    assert of(host_b).flow.languages() == OFFERED
    plays, says = main_menu(client_b)
    assert plays == [manifest(audio_dir)["en|no_input|"]["key"], manifest(audio_dir)["en|main_menu|"]["key"]]
    assert says == []
    assert client_b.get(f"/audio/{plays[0]}.wav").data == (audio_dir / f"{plays[0]}.wav").read_bytes()

    # A new build made on host A (a release machine): host B plays it without a restart.
    monkeypatch.setattr(manifest_module, "REFRESH_SECONDS", 0)
    new_key, new_audio = "f" * 32, (audio_dir / f"{plays[0]}.wav").read_bytes() + b"\0\0"
    state_a.store.put(new_key, new_audio)
    entries = manifest(audio_dir)
    entries["en|main_menu|"] = {**entries["en|main_menu|"], "key": new_key, "digest": digest(new_audio)}
    state_a.store.save_manifest(entries)
    assert main_menu(client_b)[0][1] == new_key
    assert client_b.get(f"/audio/{new_key}.wav").data == new_audio
    assert not (tmp_path / "empty").exists() or not any((tmp_path / "empty").iterdir())


def test_a_redis_restarted_empty_is_filled_again_from_the_disk_copy(audio_dir, tmp_path, redis_url, monkeypatch):
    store = redis.Redis.from_url(redis_url)
    host_a = line(audio_dir, redis_url, serving=True)  # a serving worker on a host with audio/
    wait_for(lambda: store.exists(keys.AUDIO_MANIFEST_VERSION) and not store.exists(keys.AUDIO_WARM_LOCK),
             30, "the start-up warm")
    host_b = line(tmp_path / "empty", redis_url)
    assert of(host_b).flow.languages() == OFFERED

    store.flushdb()  # Redis restarted empty
    monkeypatch.setattr(manifest_module, "REFRESH_SECONDS", 0)
    # The host without audio/ keeps what it plays; it never says the line is unavailable.
    assert_way_on(parse(host_b.test_client().post("/voice")))
    assert of(host_b).flow.languages() == OFFERED
    # A's requests notice the loss, and its disk copy refills Redis: manifest and audio.
    client_a = host_a.test_client()

    def refilled():
        assert_way_on(parse(client_a.post("/voice")))
        return store.exists(keys.AUDIO_MANIFEST_VERSION) and not store.exists(keys.AUDIO_WARM_LOCK)

    wait_for(refilled, 30, "Redis to be filled again")
    assert store.hlen(keys.AUDIO_MANIFEST) == len(manifest(audio_dir))
    fresh = line(tmp_path / "new-host", redis_url)  # a worker that starts now, on a host without audio/
    assert of(fresh).flow.languages() == OFFERED
    key = main_menu(fresh.test_client())[0][0]
    assert fresh.test_client().get(f"/audio/{key}.wav").data == (audio_dir / f"{key}.wav").read_bytes()


# -- 14. a frozen Redis is noticed once ---------------------------------------------------------
def test_a_frozen_redis_costs_one_request_one_timeout(built_audio, tmp_path, monkeypatch):
    monkeypatch.setattr(breaker_module, "RETRY_SECONDS", 0.2)  # the background PING tries it often
    monkeypatch.setattr(manifest_module, "REFRESH_SECONDS", 0)  # every webhook asks Redis for the build
    embedded = EmbeddedRedis(tmp_path / "redis", persist=False).start()
    try:
        app = line(built_audio, embedded.url, PUBLIC_BASE_URL="")
        client = app.test_client()
        audio = sorted({e["key"] for e in manifest(built_audio).values()})[:40]
        assert client.get(f"/audio/{audio[0]}.wav").status_code == 200
        times, statuses = [], []

        def call(method, url):
            reply, took = timed(method, url)
            statuses.append(reply.status_code)
            times.append(took)

        def calls():
            call(client.post, "/voice/en/main")  # the one that meets the frozen Redis
            ends = time.monotonic() + 1.5  # several retry periods
            for key in itertools.cycle(audio[1:]):  # (no memory cache: each one asks the store)
                call(client.get, f"/audio/{key}.wav")
                call(client.post, "/voice")
                if time.monotonic() > ends:
                    break

        embedded.process.send_signal(signal.SIGSTOP)
        try:
            worker = threading.Thread(target=calls, daemon=True)
            worker.start()
            worker.join(15)
            assert not worker.is_alive(), "a frozen Redis stalled the line"
        finally:
            embedded.process.send_signal(signal.SIGCONT)
        assert set(statuses) == {200}
        assert 0.4 < times[0] < FREEZE_LIMIT, times[0]
        assert len(times) > 10 and max(times[1:]) < FAST, sorted(times[1:])[-5:]

        # Resumed: the background PING closes the breaker, and Redis is used again.
        wait_for(lambda: of(app).store.client() is not None, 10, "the breaker to close")
        assert client.get(f"/audio/{audio[-1]}.wav").status_code == 200
        assert redis.Redis.from_url(embedded.url).exists(keys.audio(audio[-1])) == 1
    finally:
        embedded.process.send_signal(signal.SIGCONT)
        embedded.stop()


def test_a_full_redis_that_refuses_writes_is_skipped_not_a_500(built_audio, tmp_path):
    """An error reply (here: OOM, a Redis at maxmemory that evicts nothing) is a Redis
    fault like any other: the audio comes from disk."""
    embedded = EmbeddedRedis(tmp_path / "redis", persist=False).start()
    try:
        redis.Redis.from_url(embedded.url).config_set("maxmemory", "1")
        redis.Redis.from_url(embedded.url).config_set("maxmemory-policy", "noeviction")
        app = line(built_audio, embedded.url)
        key = manifest(built_audio)["en|goodbye|"]["key"]
        reply = app.test_client().get(f"/audio/{key}.wav")  # not in Redis: put back, refused
        assert reply.status_code == 200 and reply.data == (built_audio / f"{key}.wav").read_bytes()
    finally:
        embedded.stop()
