"""The fast path (ivr.call.fastpath): a cached webhook answer given before Flask is the
very answer Flask gives, every check still holds once the answer is cached, and what
it answers is counted once."""
from urllib.parse import parse_qsl

import pytest
from twilio.request_validator import RequestValidator

from ivr import create_app
from ivr.call import fastpath, form, twilio_request
from ivr.services import of

TOKEN = "12345678901234567890123456789012"
SID = "CA" + "ab" * 16
FORM = twilio_request.params(SID, caller="+212612345678")
PATHS = ["/voice", "/voice/language?page=1", "/voice/en/rejected", "/voice/en/return_support?part=1",
         "/voice/en/safe_result?cc=MA", "/voice/en/main/key", "/voice/language/key"]


@pytest.fixture
def app(monkeypatch):
    """A signed line whose fast path records whether it gave each answer itself."""
    app = create_app({"TESTING": True, "AUDIO_ENABLED": False, "TWILIO_AUTH_TOKEN": TOKEN,
                      "PUBLIC_BASE_URL": "https://line.example.org",
                      "CALLER_HASH_KEY": "k"})
    app.fast_answers = []
    real = fastpath.answer

    def spied(services, config, environ, host):
        found = real(services, config, environ, host)
        app.fast_answers.append(found is not None)
        return found

    monkeypatch.setattr(fastpath, "answer", spied)
    return app


def post(client, path, data=FORM, signed_as=None, **headers):
    url = "https://line.example.org" + (signed_as or path)
    signature = RequestValidator(TOKEN).compute_signature(url, data)
    return client.post(path, data=data, headers={"X-Twilio-Signature": signature, **headers})


def _form(path):
    return {**FORM, "Digits": "2"} if path.endswith("/key") else FORM


@pytest.mark.parametrize("path", PATHS)
def test_a_cached_answer_is_the_answer_flask_gives(app, path):
    client = app.test_client()
    first = post(client, path, _form(path))
    second = post(client, path, _form(path))
    assert app.fast_answers == [False, True]  # made by Flask, then given before it
    assert first.status_code == second.status_code == 200
    assert first.get_data() == second.get_data()
    assert first.get_data().endswith(b"</Redirect></Response>")  # a real answer: every one has a way on
    assert sorted(first.headers.items()) == sorted(second.headers.items())


BAD = [
    # (what is wrong, request keywords, the status Flask answers it with)
    ("no signature", dict(headers={"X-Twilio-Signature": ""}), 403),
    ("signed for other values", dict(data={**FORM, "From": "+31612345678"}), 403),
    ("a parameter twice", dict(query="?From=%2B31612345678"), 400),
    ("not a form", dict(content_type="text/plain"), 415),
    ("not UTF-8", dict(body=b"CallSid=CA1&From=%FF"), 400),
    ("a host not served", dict(headers={"Host": "attacker.example"}), 400),
    ("too large", dict(body=b"x=" + b"1" * (form.MAX_BYTES + 1)), 413),
]


@pytest.mark.parametrize("what, bad, status", BAD, ids=[b[0] for b in BAD])
def test_every_check_still_holds_once_the_answer_is_cached(app, what, bad, status):
    client = app.test_client()
    path = "/voice/en/rejected"
    assert post(client, path).status_code == 200 and post(client, path).status_code == 200
    assert app.fast_answers[-1] is True  # the answer is cached and given fast
    before = len(app.fast_answers)
    signature = RequestValidator(TOKEN).compute_signature("https://line.example.org" + path, FORM)
    headers = {"X-Twilio-Signature": signature, **bad.get("headers", {})}
    if "body" in bad:
        reply = client.post(path, data=bad["body"], headers=headers, content_type=form.FORM_TYPE)
    else:
        reply = client.post(path + bad.get("query", ""), data=bad.get("data", FORM), headers=headers,
                            content_type=bad.get("content_type", form.FORM_TYPE))
    assert reply.status_code == status, what
    assert b"<Response>" not in reply.get_data()
    assert True not in app.fast_answers[before:]  # left to Flask, which refused it


def test_what_the_fast_path_answers_is_counted_once(app):
    client = app.test_client()
    stats = of(app).stats
    counted = []
    stats._send = lambda fields=(), **kw: counted.extend(fields)
    for _ in range(3):
        assert post(client, "/voice/en/rejected").status_code == 200
        assert post(client, "/voice/en/rejected?tries=1").status_code == 200
    assert app.fast_answers.count(True) == 4
    assert counted.count("reached:rejected") == 3 and counted.count("silence:rejected") == 3


@pytest.mark.parametrize("raw", [
    b"", b"a=1&b=2", b"a", b"a=", b"=v", b"&&a=1&", b"a=1=2", b"From=%2B212612345678&Body=hello+world",
    b"n%C3%A9e=caf%C3%A9", b"x=%zz&y=%", b"a+b=c+d", b"a=%2B%20%26", "k=ሰላም".encode(), b"a=1;b=2",
])
def test_values_are_read_as_werkzeug_reads_them(raw):
    assert form.values(raw) == dict(reversed(parse_qsl(raw.decode(), keep_blank_values=True)))
    with create_app({"TESTING": True}).test_request_context(
            "/voice", method="POST", data=raw, content_type=form.FORM_TYPE,
            environ_overrides={"QUERY_STRING": raw.decode("latin-1")}):
        from flask import request

        assert form.values(raw) == request.form.to_dict() == request.args.to_dict()


def test_audio_in_memory_is_served_before_flask_as_flask_serves_it(audio_dir, redis_url, monkeypatch):
    from ivr.audio import serving

    app = create_app({"TESTING": True, "AUDIO_DIR": str(audio_dir), "REDIS_URL": redis_url,
                      "AUDIO_ENGINES": "recording,espeak", "AUDIO_MEMORY_MB": 8})
    served, real = [], serving.from_memory
    monkeypatch.setattr(serving, "from_memory", lambda *args: served.append(real(*args)) or served[-1])
    key = of(app).manifest.current["en|main_menu|"]
    client, url = app.test_client(), f"/audio/{key}.wav"
    first, second = client.get(url), client.get(url)
    assert [found is not None for found in served] == [False, True]  # into memory by Flask, then given before it
    assert first.status_code == second.status_code == 200 and first.get_data() == second.get_data()
    assert sorted(first.headers.items()) == sorted(second.headers.items())
    # What Flask decides is still Flask's: a conditional GET, audio marked bad (made good again there).
    assert client.get(url, headers={"If-None-Match": f'"{key}"'}).status_code == 304
    of(app).manifest.mark_bad(key)
    assert client.get(url).status_code == 200 and served[-1] is None and key not in of(app).manifest.bad


@pytest.mark.parametrize("path", ["/voice/en/office/key", "/voice/en/office/provinces", "/voice/staff/pin",
                                  "/voice/callback/en"])
def test_the_other_rooms_webhooks_are_left_to_flask(path):
    """The office finder's other pages, the staff line and calls back have views of their
    own: the fast path does not even look. The office's first page it does answer."""
    assert fastpath.route(path) is None
    assert fastpath.route("/voice/en/office") is not None and fastpath.route("/voice/en/rejected") is not None
