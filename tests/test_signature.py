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
