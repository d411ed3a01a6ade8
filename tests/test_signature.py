"""Twilio signatures: checked on every webhook when a token is set."""
import pytest
from twilio.request_validator import RequestValidator

from ivr import create_app
from ivr.app import UnsignedStartRefused

TOKEN = "12345678901234567890123456789012"
FORM = {"CallSid": "CA1", "From": "+31612345678", "Digits": "1"}


@pytest.fixture
def signed_app():
    return create_app({"TESTING": True, "TWILIO_AUTH_TOKEN": TOKEN})


def sign(url, form=FORM):
    return RequestValidator(TOKEN).compute_signature(url, form)


@pytest.mark.parametrize("path", ["/voice", "/voice/en/main", "/voice/en/main/key", "/voice/language/key?page=0", "/voice/status"])
def test_signed_requests_pass(signed_app, path):
    url = f"http://localhost{path}"
    reply = signed_app.test_client().post(path, data=FORM, headers={"X-Twilio-Signature": sign(url)})
    assert reply.status_code in (200, 204)


@pytest.mark.parametrize("headers", [{}, {"X-Twilio-Signature": "nonsense"}, {"X-Twilio-Signature": ""}])
def test_unsigned_or_badly_signed_requests_are_refused(signed_app, headers):
    for path in ("/voice", "/voice/en/main/key", "/voice/status"):
        reply = signed_app.test_client().post(path, data=FORM, headers=headers)
        assert reply.status_code == 403
        assert b"not signed by Twilio" in reply.data


def test_a_tampered_form_is_refused(signed_app):
    signature = sign("http://localhost/voice/en/main/key")
    reply = signed_app.test_client().post(
        "/voice/en/main/key", data={**FORM, "Digits": "2"}, headers={"X-Twilio-Signature": signature}
    )
    assert reply.status_code == 403


def test_public_base_url_names_what_twilio_signed(signed_app):
    signed_app.config["PUBLIC_BASE_URL"] = "https://line.example.org/"
    client = signed_app.test_client()
    good = sign("https://line.example.org/voice/en/main?tries=1")
    assert client.post("/voice/en/main?tries=1", data=FORM, headers={"X-Twilio-Signature": good}).status_code == 200
    local = sign("http://localhost/voice/en/main?tries=1")
    assert client.post("/voice/en/main?tries=1", data=FORM, headers={"X-Twilio-Signature": local}).status_code == 403


def test_without_a_token_requests_are_not_checked(client):
    assert client.post("/voice", data=FORM).status_code == 200


def test_production_start_refuses_without_a_token(monkeypatch):
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    monkeypatch.delenv("IVR_DEVELOPMENT", raising=False)
    with pytest.raises(UnsignedStartRefused, match="TWILIO_AUTH_TOKEN"):
        create_app(serving=True)
    monkeypatch.setenv("IVR_DEVELOPMENT", "1")
    assert create_app(serving=True).config["IVR_DEVELOPMENT"] is True
    monkeypatch.delenv("IVR_DEVELOPMENT")
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.setenv("SECRET_KEY", "a-secret")  # production needs it too (tests/test_admin.py)
    assert create_app(serving=True).config["TWILIO_AUTH_TOKEN"] == TOKEN


# -- a parameter sent twice: signed in one copy, read in another --------------------------
def test_a_parameter_appended_twice_after_a_signed_body_is_refused(signed_app):
    """The reproduction: a body signed with Digits=1, then `-d Digits=5` appended."""
    url = "http://localhost/voice/en/main/key"
    signature = sign(url)
    body = "CallSid=CA1&From=%2B31612345678&Digits=1&Digits=5"
    reply = signed_app.test_client().post("/voice/en/main/key", data=body, headers={
        "X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status_code == 400 and b"sent once" in reply.data


@pytest.mark.parametrize("token", ["", TOKEN])
@pytest.mark.parametrize("path, body", [
    ("/voice/en/main/key", "Digits=1&Digits=1"),  # even the same value twice
    ("/voice/en/main/key?part=0&part=1", "Digits=1"),
    ("/voice/en/main/key?Digits=5", "Digits=1"),  # in the query and in the form
    ("/voice/language?tries=1&tries=2", ""),
    ("/voice/status", "CallSid=CA1&CallSid=CA2"),
])
def test_any_repeated_parameter_is_refused_before_the_flow(signed_app, token, path, body):
    signed_app.config["TWILIO_AUTH_TOKEN"] = token
    reply = signed_app.test_client().post(path, data=body, headers={
        "X-Twilio-Signature": sign(f"http://localhost{path}", {}),
        "Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status_code == 400 and b"sent once" in reply.data


# -- POST only: a GET would put the caller's number in the URL, and URLs are logged ------
@pytest.mark.parametrize("path", ["/voice", "/voice/language", "/voice/language/key", "/voice/en/main",
                                  "/voice/en/main/key", "/voice/status"])
def test_webhooks_answer_post_only(signed_app, path):
    signed_app.config["TWILIO_AUTH_TOKEN"] = ""  # even unsigned, a GET is not answered
    client = signed_app.test_client()
    reply = client.get(path, query_string=FORM)
    assert reply.status_code == 405 and reply.headers["Allow"].split(", ").count("POST") == 1
    assert client.post(path, data=FORM).status_code in (200, 204)


@pytest.mark.parametrize("base", ["", "https://line.example.org"])
@pytest.mark.parametrize("path", ["/voice/language?page=%C2%B2", "/voice/en/%6Dain?cc=%3Cx%3E"])
def test_the_url_is_checked_as_sent_not_as_re_quoted(signed_app, base, path):
    """Twilio signs the URL it requested, escapes and all."""
    signed_app.config["PUBLIC_BASE_URL"] = base
    signature = sign((base or "http://localhost") + path)
    assert signed_app.test_client().post(path, data=FORM, headers={"X-Twilio-Signature": signature}).status_code == 200
