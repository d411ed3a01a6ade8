"""The web app's own defences: the Host it trusts, no redirect off it, the headers every
answer carries, and log lines (one per call event, never a phone number)."""
import logging
import os
import re
import signal
import subprocess
import sys
import time

import portpicker
import pytest
import requests

from ivr import create_app
from ivr.config import ROOT
from support import wait_for
from twiml import assert_way_on, parse

PUBLIC = "https://line.example.org"
CALL_SID = "CA" + "5" * 32
NUMBER = "+31612345678"
NUMBER_DIGITS = re.compile(r"612345678|6123\D?4567")  # the number, however it is written


def line(**settings):
    return create_app({"TESTING": True, "AUDIO_ENABLED": False, **settings})


# -- hosts and redirects --------------------------------------------------------------------
@pytest.mark.parametrize("host", ["evil.example", "line.example.org.evil.example", "evil.example:443", "bad host"])
def test_with_a_public_url_any_other_host_is_a_400(host):
    client = line(PUBLIC_BASE_URL=PUBLIC).test_client()
    for path in ("/voice", "/voice/en//main", "/voice/en/main", "/audio/x.wav"):
        reply = client.post(path, headers={"Host": host})
        assert reply.status_code == 400, (path, reply.status_code)
        assert "Location" not in reply.headers


@pytest.mark.parametrize("host", ["line.example.org", "localhost", "127.0.0.1:5000"])
def test_the_public_host_and_loopback_are_served(host):
    client = line(PUBLIC_BASE_URL=PUBLIC).test_client()
    assert_way_on(parse(client.post("/voice", headers={"Host": host})))


@pytest.mark.parametrize("public", ["", PUBLIC])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_no_redirect_leaves_the_host(serve_app, public, method):
    """`//` in a path was a 308 to http://<whatever Host said>/...: now no redirect at all."""
    app = line(PUBLIC_BASE_URL=public)
    base = serve_app(app)
    host = "line.example.org" if public else "evil.example"
    for path in ("/voice/en//main", "/voice//language", "/voice/", "/phone/", "/voice/en/main/"):
        reply = requests.request(method, base + path, headers={"Host": host}, allow_redirects=False, timeout=10)
        assert not 300 <= reply.status_code < 400, (path, reply.status_code, reply.headers.get("Location"))
        assert reply.status_code in (404, 405)


def test_without_a_public_url_local_hosts_are_served(serve_app):
    base = serve_app(line())
    for url in (base, base.replace("127.0.0.1", "localhost")):
        reply = requests.post(f"{url}/voice", timeout=10)
        assert reply.status_code == 200 and "<Gather" in reply.text


def test_a_malformed_host_is_a_400_without_a_public_url():
    assert line().test_client().post("/voice", headers={"Host": "bad host"}).status_code == 400


def test_no_page_reads_a_large_body():
    client = line(PHONE_ENABLED=True).test_client()
    reply = client.post("/phone/twiml", data=b'{"path": "/voice", "x": "' + b"1" * (2 << 20) + b'"}',
                        content_type="application/json")
    assert reply.status_code == 413


# -- headers --------------------------------------------------------------------------------
@pytest.fixture
def phone_page():
    app = line(PHONE_ENABLED=True, PUBLIC_BASE_URL=PUBLIC)
    return app.test_client().get("/phone")


def directives(reply):
    policy = reply.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split("; ")}


def test_the_phone_page_sends_security_headers(phone_page):
    assert phone_page.status_code == 200
    assert phone_page.headers["X-Frame-Options"] == "DENY"
    assert phone_page.headers["X-Content-Type-Options"] == "nosniff"
    assert phone_page.headers["Referrer-Policy"] == "no-referrer"
    policy = directives(phone_page)
    assert policy["default-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["connect-src"] == ["'self'"] and policy["base-uri"] == ["'none'"]
    assert policy["media-src"] == ["'self'", PUBLIC]  # <Play> URLs are built on PUBLIC_BASE_URL
    assert not any("unsafe" in source for sources in policy.values() for source in sources)


def test_only_the_page_s_own_inline_code_runs(phone_page):
    """Every inline <script> and <style> carries this response's nonce, and only they may run."""
    html = phone_page.get_data(as_text=True)
    nonce = re.fullmatch(r"'nonce-([A-Za-z0-9_-]{16,})'", directives(phone_page)["script-src"][0]).group(1)
    assert directives(phone_page)["script-src"] == [f"'nonce-{nonce}'"]
    # Styles: the page's own, or a stylesheet of this line (the admin's), nothing else.
    assert directives(phone_page)["style-src"] == ["'self'", f"'nonce-{nonce}'"]
    tags = re.findall(r"<(script|style)\b([^>]*)>", html)
    assert {tag for tag, _ in tags} == {"script", "style"}
    assert all(attributes == f' nonce="{nonce}"' for _, attributes in tags)
    assert not re.search(r"\s(on[a-z]+|style)\s*=", html), "inline handlers and style attributes are refused"


def test_each_page_has_its_own_nonce():
    client = line(PHONE_ENABLED=True).test_client()
    first, second = (directives(client.get("/phone"))["script-src"][0] for _ in range(2))
    assert first != second


@pytest.mark.parametrize("path, method", [("/voice", "post"), ("/voice/status", "post"), ("/audio/x.wav", "get"),
                                          ("/nothing", "get"), ("/voice", "get")])
def test_every_answer_is_nosniff_and_html_errors_get_the_policy(path, method):
    reply = getattr(line().test_client(), method)(path)
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    if reply.mimetype == "text/html":
        assert directives(reply)["script-src"] == ["'none'"] and reply.headers["X-Frame-Options"] == "DENY"




def test_the_phone_works_under_its_policy_in_a_browser(serve_app, page):
    """No inline code is refused: the style applies, the script runs, no violation is reported."""
    base = serve_app(line(PHONE_ENABLED=True))
    page.add_init_script("window.violations = [];"
                         "document.addEventListener('securitypolicyviolation', e => window.violations.push("
                         "e.violatedDirective + ' ' + e.blockedURI));")
    reply = page.goto(f"{base}/phone")
    assert "nonce-" in reply.headers["content-security-policy"]
    wait_for(page, "window.phoneState === 'idle'", timeout=10_000)  # the inline script ran
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(238, 241, 245)"  # the inline style applied (--bg: #eef1f5)
    page.wait_for_timeout(200)  # violations are reported asynchronously
    assert page.evaluate("window.violations") == []


# -- log lines ------------------------------------------------------------------------------
def test_the_status_callback_logs_the_call_and_never_a_number(caplog):
    client = line().test_client()
    with caplog.at_level(logging.INFO, logger="ivr"):
        client.post("/voice", data={"CallSid": CALL_SID, "From": "+212612345678"})
        client.post("/voice/status", data={"CallSid": CALL_SID, "CallStatus": "completed", "CallDuration": "42",
                                           "From": NUMBER, "To": NUMBER, "Caller": NUMBER})
        # Without a token anyone can POST: a number put where the SID or status go is not written.
        client.post("/voice/status", data={"CallSid": NUMBER, "CallStatus": NUMBER, "CallDuration": NUMBER})
    lines = [record.getMessage() for record in caplog.records if record.name.startswith("ivr")]
    assert lines == [f"call {CALL_SID} incoming country=MA", f"call {CALL_SID} completed duration=42",
                     "call - - duration=-"]


def _gunicorn(port, log_dir):
    """The web process as the Procfile starts it (gunicorn reads ROOT/gunicorn.conf.py)."""
    env = {**os.environ, "IVR_DEVELOPMENT": "1", "AUDIO_ENABLED": "0", "TWILIO_AUTH_TOKEN": "",
           "PUBLIC_BASE_URL": "", "REDIS_URL": "", "WEB_CONCURRENCY": "1"}
    out, err = open(log_dir / "stdout", "wb"), open(log_dir / "stderr", "wb")
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "ivr:create_app(serving=True)"]
    with out, err:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=err, start_new_session=True)


def _until_up(base, proc, deadline):
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            return requests.post(f"{base}/voice", data={"CallSid": CALL_SID, "From": "+212612345678"}, timeout=5)
        except requests.ConnectionError:
            time.sleep(0.1)
    raise AssertionError("gunicorn did not answer within 60 s")


def test_under_gunicorn_each_call_event_is_a_log_line_on_stderr(tmp_path):
    port = portpicker.pick_unused_port()
    proc = _gunicorn(port, tmp_path)
    try:
        base = f"http://127.0.0.1:{port}"
        assert _until_up(base, proc, time.monotonic() + 60).status_code == 200
        status = {"CallSid": CALL_SID, "CallStatus": "completed", "CallDuration": "42", "From": NUMBER}
        assert requests.post(f"{base}/voice/status", data=status, timeout=10).status_code == 204
        assert requests.get(f"{base}/voice/status", params=status, timeout=10).status_code == 405
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
    stderr = (tmp_path / "stderr").read_text(errors="replace")
    everything = stderr + (tmp_path / "stdout").read_text(errors="replace")
    assert re.search(rf"\[INFO\] ivr\.call\.webhooks: call {CALL_SID} completed duration=42$", stderr, re.M), stderr
    assert re.search(rf"call {CALL_SID} incoming country=MA$", stderr, re.M), stderr
    assert not NUMBER_DIGITS.search(everything), everything  # not in our lines, nor in the access log
