"""The commands a person runs at a terminal: `make run`, `make call`, `make audio`.

`make run` is started as a real process and stopped the usual ways; `make call`
must find it or say plainly where it looked; `make audio` into a log file must be
readable there and say what is expected apart from what is wrong.
"""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import portpicker
import pytest
import requests
from click.testing import CliRunner

from ivr.cli import main as ivr_command
from ivr.config import ROOT
from ivr.dev.simulator import RUN_URL

from support import OFFLINE_ENGINES

UNSET = ("TWILIO_AUTH_TOKEN", "IVR_DEVELOPMENT", "REDIS_URL", "PUBLIC_BASE_URL", "PORT")


def clean_env(**settings):
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    return {**env, **settings}


def alive(pid):
    """True while `pid` runs (a zombie, dead but not yet reaped, does not count)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def children(pid):
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def redis_child(pid):
    for child in children(pid):
        try:
            if "redis-server" in Path(f"/proc/{child}/cmdline").read_text():
                return child
        except OSError:
            continue
    return None


def wait_for(condition, seconds, step=0.1):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def answers(url):
    try:
        return requests.post(url + "/voice", timeout=2).status_code == 200
    except requests.RequestException:
        return False


# How a person stops `make run`: Ctrl-C, `kill <pid>`, or a SIGTERM to make's
# process group (a process manager, a closed terminal's session).
STOPS = {
    "ctrl-c": lambda process: process.send_signal(signal.SIGINT),
    "sigterm": lambda process: process.send_signal(signal.SIGTERM),
    "sigterm-group": lambda process: os.killpg(process.pid, signal.SIGTERM),
}


@pytest.mark.parametrize("stop", STOPS)
def test_stopping_make_run_stops_its_redis(stop, audio_dir, tmp_path):
    port = portpicker.pick_unused_port()
    instance = tmp_path / "instance"
    env = clean_env(PORT=str(port), AUDIO_ENGINES=OFFLINE_ENGINES, AUDIO_DIR=str(audio_dir),
                    INSTANCE_DIR=str(instance))
    with open(tmp_path / "run.log", "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "ivr.dev.devserver"], cwd=ROOT, env=env,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    redis_pid = None
    try:
        url = f"http://127.0.0.1:{port}"
        assert wait_for(lambda: answers(url) or process.poll() is not None, 90), "make run never answered"
        assert process.poll() is None, (tmp_path / "run.log").read_text()[-2000:]
        redis_pid = redis_child(process.pid)
        assert redis_pid and alive(redis_pid)
        # It says where it serves, for `make call` in another terminal.
        assert (instance / RUN_URL).read_text().strip() == url

        STOPS[stop](process)
        process.wait(30)
        assert wait_for(lambda: not alive(redis_pid), 5), "make run left its Redis running"
        assert not (instance / RUN_URL).exists()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(5)
        if redis_pid and alive(redis_pid):
            os.kill(redis_pid, signal.SIGKILL)


def test_ivr_call_finds_the_line_make_run_announced(live_server, tmp_path):
    (tmp_path / RUN_URL).write_text(live_server + "\n")
    result = CliRunner().invoke(ivr_command, ["call", "--keys", "1"],
                                env={"INSTANCE_DIR": str(tmp_path), "PORT": None, "TWILIO_AUTH_TOKEN": None})
    assert result.exit_code == 0, result.output
    assert "the caller hangs up" in result.output


def test_ivr_call_says_where_it_looked_when_nothing_answers(tmp_path):
    port = portpicker.pick_unused_port()
    result = CliRunner().invoke(ivr_command, ["call", "--keys", "1"],
                                env={"INSTANCE_DIR": str(tmp_path), "PORT": str(port)})
    assert result.exit_code == 1
    assert f"nothing answers at http://127.0.0.1:{port}" in result.output
    assert "--url" in result.output and "PORT=" in result.output
    assert "Traceback" not in result.output and "HTTPConnectionPool" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_ivr_call_says_when_the_announced_line_is_gone(tmp_path):
    gone = f"http://127.0.0.1:{portpicker.pick_unused_port()}"
    (tmp_path / RUN_URL).write_text(gone + "\n")
    result = CliRunner().invoke(ivr_command, ["call", "--keys", "1"],
                                env={"INSTANCE_DIR": str(tmp_path), "PORT": None})
    assert result.exit_code == 1
    assert f"nothing answers at {gone}" in result.output and "make run" in result.output


def test_audio_build_into_a_log_says_what_waits_for_recordings(audio_dir, tmp_path):
    """`make audio > build.log`: no progress bar drawn into the file, and the gaps of
    languages no engine speaks named as waiting for recordings, exit 0."""
    env = clean_env(AUDIO_ENGINES=OFFLINE_ENGINES, AUDIO_DIR=str(audio_dir))
    with open(tmp_path / "build.log", "wb") as log:
        code = subprocess.run([sys.executable, "-m", "ivr.cli", "audio", "build"], cwd=ROOT, env=env,
                              stdout=log, stderr=subprocess.STDOUT, timeout=120).returncode
    text = (tmp_path / "build.log").read_text()
    assert code == 0, text
    assert "\r" not in text and "audio  [" not in text  # click's bar redraws with \r
    waiting = next(line for line in text.splitlines() if line.startswith("Waiting for staff recordings"))
    for lang in ("prs", "so", "ti"):
        assert f"{lang} (" in waiting
    assert "ivr audio coverage --lang" in waiting
    assert "ERROR" not in text
