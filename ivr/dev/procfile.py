"""The Procfile's web process, started as the platform starts it, on loopback.

The tests, `make soak` and `make bench` all run what the Procfile's `web:` line names
(its gunicorn config, its app), so what they prove is what production runs. A server
runs in a session of its own, so its whole process group (master and workers) can be
measured and always stopped.
"""
import contextlib
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from http.client import HTTPConnection, HTTPException
from pathlib import Path

import portpicker

from ..config import ROOT

PROCFILE = ROOT / "Procfile"
START_TIMEOUT = 30.0  # seconds a server gets to answer before we give up
# $NAME and ${NAME:-default}, as a platform's shell expands them.
VARIABLE = re.compile(r"\$\{(\w+)(?::-([^}]*))?\}|\$(\w+)")


class ServerFailed(RuntimeError):
    pass


class Server(str):
    """A server's base URL that also knows its process (for signals, CPU and memory)."""

    process = None

    @property
    def pgid(self):
        # Its own session: the group id is the master's pid.
        return self.process.pid if self.process else None


def processes(path=PROCFILE):
    """The Procfile's lines: {"web": "gunicorn ...", "release": "..."}."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        name, sep, command = line.partition(":")
        if sep and name.strip() and not name.lstrip().startswith("#"):
            found[name.strip()] = command.strip()
    return found


def expand(line, environ):
    """The line with its variables replaced, as a platform's shell does."""
    def value(match):
        name = match.group(1) or match.group(3)
        return environ.get(name) or match.group(2) or ""

    return VARIABLE.sub(value, line)


def web_command(port, app_spec=None, environ=None, path=PROCFILE):
    """The `web:` line as an argument list: $PORT given, bound to loopback only, run
    with this Python's gunicorn; `app_spec` swaps the app (the bench's bare baseline)."""
    environ = {**(os.environ if environ is None else environ), "PORT": str(port)}
    line = expand(processes(path)["web"], environ).replace("0.0.0.0:", "127.0.0.1:")
    words = shlex.split(line)
    if words[0] != "gunicorn":
        raise ServerFailed(f"the Procfile's web line does not start gunicorn: {line}")
    words[:1] = [sys.executable, "-m", "gunicorn"]
    if app_spec is not None:
        words[-1] = app_spec
    return words


def worker_command(environ=None, path=PROCFILE):
    """The `worker:` line as an argument list, run with this Python's `ivr`."""
    environ = os.environ if environ is None else environ
    words = shlex.split(expand(processes(path)["worker"], environ))
    if words[0] != "ivr":
        raise ServerFailed(f"the Procfile's worker line does not start ivr: {' '.join(words)}")
    words[:1] = [sys.executable, "-m", "ivr.cli"]
    return words


@contextlib.contextmanager
def work(env=None, log=None):
    """Run the Procfile's worker process; yield it; always stop its process group."""
    env = {**os.environ, **(env or {})}
    process = subprocess.Popen(worker_command(env), cwd=ROOT, env=env, stdout=log or subprocess.DEVNULL,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield process
    finally:
        stop(process)


def answers(port):
    """True once something speaks HTTP on the port (any status will do)."""
    conn = HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        conn.request("GET", "/")
        conn.getresponse().read()
        return True
    except (OSError, HTTPException):
        return False
    finally:
        conn.close()


@contextlib.contextmanager
def serve(env=None, log=None, app_spec=None, extra=(), port=None, timeout=START_TIMEOUT):
    """Run the Procfile's web process on a free loopback port; yield its base URL (a
    Server) once it answers; always stop the whole process group. `log` is a file for
    its output (access and error log), `extra` more gunicorn options."""
    port = port or portpicker.pick_unused_port()
    env = {**os.environ, **(env or {})}
    *options, app = web_command(port, app_spec, env)
    with contextlib.ExitStack() as stack:
        if log is None:
            log = stack.enter_context(tempfile.TemporaryFile())
        process = subprocess.Popen([*options, *extra, app], cwd=ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        try:
            try:
                wait_until_up(process, port, timeout)
            except ServerFailed as exc:
                raise ServerFailed(f"{exc}:\n{tail(log)}") from None
            server = Server(f"http://127.0.0.1:{port}")
            server.process = process
            yield server
        finally:
            stop(process)


def tail(log, size=2000):
    """The end of what a server wrote to `log`, to say why it did not start."""
    try:
        fd = log.fileno()
        return os.pread(fd, size, max(0, os.fstat(fd).st_size - size)).decode(errors="replace")
    except OSError:
        return ""


def wait_until_up(process, port, timeout):
    deadline = time.monotonic() + timeout
    while not answers(port):
        if process.poll() is not None:
            raise ServerFailed(f"gunicorn exited with {process.returncode} before it answered")
        if time.monotonic() > deadline:
            raise ServerFailed(f"gunicorn did not answer within {timeout:.0f} s")
        time.sleep(0.1)


def stop(process, grace=10.0):
    """SIGTERM the group, as a platform stops a process (gunicorn lets requests in
    flight finish), then SIGKILL whatever is left after `grace` seconds."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(wait)
            break
    # Workers outlive a master killed first; make sure none is left.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def worker_pids(server):
    """The pids of a server's gunicorn workers (the master's children; Linux /proc)."""
    pid = server.pgid
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
