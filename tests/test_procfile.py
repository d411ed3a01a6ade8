"""The Procfile's web process as the platform starts it: real gunicorn on loopback.

Every test here starts what the Procfile's `web:` line names (its gunicorn config,
its app), so a Procfile that serves the wrong app or the wrong way fails here.
"""
import os
import shlex
import socket
import subprocess
import time
import xml.etree.ElementTree as ET

import portpicker
import pytest
import requests
from click.testing import CliRunner

from ivr.call import twilio_request
from ivr.cli import main as ivr_command
from ivr.config import ROOT
from ivr.dev import procfile

from twiml import assert_way_on

TOKEN = "reltoken"
CALLER = "+31612345678"
# Settings the test's own environment must not leak into the process under test.
UNSET = ("TWILIO_AUTH_TOKEN", "IVR_DEVELOPMENT", "REDIS_URL", "PUBLIC_BASE_URL", "PORT", "SECRET_KEY")


def clean_env(**settings):
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    return {**env, "AUDIO_ENABLED": "0", **settings}


@pytest.fixture(scope="module")
def line(tmp_path_factory):
    """The Procfile's web process with a token; yields (base URL, its log file)."""
    log_path = tmp_path_factory.mktemp("gunicorn") / "web.log"
    port = portpicker.pick_unused_port()
    base = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        env = clean_env(TWILIO_AUTH_TOKEN=TOKEN, SECRET_KEY="a-long-random-test-secret", PUBLIC_BASE_URL=base)
        with procfile.serve(env, log=log, port=port) as server:
            yield server, log_path


def signed_post(base, path="/voice", form=None, timeout=5):
    url = base + path
    form = form or twilio_request.params(twilio_request.new_call_sid(), CALLER)
    signature = twilio_request.sign(TOKEN, url, form)
    return requests.post(url, data=form, headers={"X-Twilio-Signature": signature}, timeout=timeout)


def test_the_procfile_releases_the_database_and_the_audio_build():
    steps = [shlex.split(step) for step in procfile.processes()["release"].split("&&")]
    assert [step[:3] for step in steps] == [["ivr", "db", "upgrade"], ["ivr", "audio", "build"]]
    # The options they name are the commands' own.
    for step in steps:
        assert CliRunner().invoke(ivr_command, [*step[1:], "--help"]).exit_code == 0


def test_the_web_process_refuses_to_start_without_a_token(tmp_path):
    port = portpicker.pick_unused_port()
    out = tmp_path / "web.log"
    with open(out, "wb") as log:
        process = subprocess.Popen(procfile.web_command(port), cwd=ROOT, env=clean_env(), stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        try:
            code = process.wait(30)
        except subprocess.TimeoutExpired:
            code = None  # it served instead of refusing
        finally:
            procfile.stop(process)
    assert code not in (None, 0)
    assert "TWILIO_AUTH_TOKEN is not set" in out.read_text()


def test_the_web_process_refuses_unsigned_webhooks(line):
    base, _ = line
    form = twilio_request.params(twilio_request.new_call_sid(), CALLER)
    assert requests.post(base + "/voice", data=form, timeout=5).status_code == 403
    forged = {"X-Twilio-Signature": twilio_request.sign("not-the-token", base + "/voice", form)}
    assert requests.post(base + "/voice", data=form, headers=forged, timeout=5).status_code == 403


def test_the_web_process_answers_signed_webhooks(line):
    base, _ = line
    reply = signed_post(base)
    assert reply.status_code == 200 and reply.headers["Content-Type"].startswith("text/xml")
    root = ET.fromstring(reply.content)
    assert root.tag == "Response"
    assert_way_on(root)


def test_no_caller_number_reaches_the_access_log(line):
    base, log_path = line
    form = twilio_request.params(twilio_request.new_call_sid(), CALLER)
    query = "?From=%2B31612345678&Caller=%2B31612345678"
    # Whatever their answers (a GET, an unsigned POST), each request is logged.
    requests.get(base + "/voice" + query, timeout=5)
    requests.post(base + "/voice" + query, data=form, timeout=5)
    assert signed_post(base, "/voice", form).status_code == 200
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:  # gunicorn writes a line once the answer is sent
        lines = [x for x in log_path.read_text().splitlines() if '/voice HTTP/1.1"' in x]
        if len(lines) >= 3:
            break
        time.sleep(0.05)
    assert any('"GET /voice HTTP/1.1"' in x for x in lines)
    assert sum('"POST /voice HTTP/1.1"' in x for x in lines) >= 2
    text = log_path.read_text()
    assert "31612345678" not in text and "%2B316" not in text


def stall(port, partial):
    """A connection that sends the start of a request and then waits."""
    conn = socket.create_connection(("127.0.0.1", port), timeout=5)
    conn.sendall(partial)
    return conn


HALF_HEADER = b"POST /voice HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
HALF_BODY = (b"POST /voice HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
             b"Content-Length: 400\r\n\r\nCallSid=CA1&From=%2B3")


def test_stalled_clients_do_not_starve_the_line(line):
    base, _ = line
    port = int(base.rsplit(":", 1)[1])
    stalled = []
    try:
        for i in range(50):
            stalled.append(stall(port, HALF_HEADER if i % 2 else HALF_BODY))
        time.sleep(0.2)  # let the server take them all in
        for _ in range(3):
            began = time.monotonic()
            try:
                reply = signed_post(base, timeout=2)
            except requests.RequestException as exc:
                pytest.fail(f"a signed webhook got no answer while 50 clients stalled: {exc}")
            assert reply.status_code == 200
            assert time.monotonic() - began < 1.0
        # And the stalled ones do not stay: a stalled header is dropped, a stalled body
        # answered 408, each within a few seconds (gunicorn.conf.py, ivr.wsgi).
        assert first_bytes(stalled[1]) == b""
        assert first_bytes(stalled[0]).startswith(b"HTTP/1.1 408")
    finally:
        for conn in stalled:
            conn.close()


def first_bytes(conn, seconds=8):
    conn.settimeout(seconds)
    try:
        return conn.recv(64)
    except ConnectionResetError:
        return b""


def test_a_body_larger_than_any_the_line_takes_is_refused_unread(line):
    base, _ = line
    conn = stall(int(base.rsplit(":", 1)[1]), b"POST /voice HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000000\r\n\r\nFrom=")
    try:
        assert first_bytes(conn, 2).startswith(b"HTTP/1.1 413")
    finally:
        conn.close()
