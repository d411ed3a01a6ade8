"""Bad input gets a spoken re-prompt or a 4xx, never a 500."""
import pytest
import requests

from twiml import assert_way_on, parse, redirect_of, spoken
from ivr.services import of

ODD_DIGITS = ["", "1" * 40, "é", "١", "12ab", "<x>", " ", "##", "**", "\x00"]


@pytest.mark.parametrize("digits", ODD_DIGITS)
@pytest.mark.parametrize("url", ["/voice/en/main/key", "/voice/en/safe_lookup/key", "/voice/en/return_support/key", "/voice/language/key", "/voice/en/safe_result/key?cc=MA"])
def test_odd_digits_are_answered_with_a_way_on(client, url, digits):
    root = parse(client.post(url, data={"Digits": digits}))
    assert_way_on(root)


@pytest.mark.parametrize("url", ["/voice/en/main/key", "/voice/en/safe_lookup/key", "/voice/language/key"])
def test_missing_fields_are_answered(client, url):
    assert_way_on(parse(client.post(url)))


def test_forty_digits_on_a_menu_is_a_wrong_key(client, app):
    catalogue = of(app).content.catalogues["en"]
    root = parse(client.post("/voice/en/main/key", data={"Digits": "1" * 40}))
    assert spoken(root)[0] == catalogue.text("invalid_key")


def test_unknown_node_returns_to_the_main_menu(client, app):
    root = parse(client.post("/voice/en/no_such_node"))
    assert spoken(root) == [of(app).content.catalogues["en"].text("not_available")]
    assert redirect_of(root) == "/voice/en/main"
    assert redirect_of(parse(client.post("/voice/en/no_such_node/key", data={"Digits": "1"}))) == "/voice/en/main"


@pytest.mark.parametrize("lang", ["xx", "EN", "ti-ER", "%C3%A9", "ti"])
def test_unknown_or_unspoken_language_goes_to_the_language_menu(client, lang):
    root = parse(client.post(f"/voice/{lang}/main"))
    assert redirect_of(root) == "/voice/language"


@pytest.mark.parametrize("query", ["part=abc", "part=-1", "part=99999999999999999999", "tries=x", "tries=-3", "page=7", "cc=ZZ", "cc=%3Cscript%3E"])
def test_odd_query_values(client, query):
    for url in ("/voice/en/return_support", "/voice/en/safe_result", "/voice/language"):
        assert_way_on(parse(client.post(f"{url}?{query}")))


def test_unknown_country_in_url_goes_back_to_the_lookup(client):
    assert redirect_of(parse(client.post("/voice/en/safe_result?cc=ZZ"))) == "/voice/en/safe_countries"


def test_unknown_path_is_a_404_not_a_500(client):
    assert client.post("/voice/en/main/key/extra").status_code == 404
    assert client.get("/nothing-here").status_code == 404


def test_with_nothing_to_speak_every_entry_says_so_and_hangs_up(tmp_path):
    from ivr import create_app

    # Audio on, but none built: no language can be offered.
    app = create_app({"TESTING": True, "AUDIO_DIR": str(tmp_path)})
    client = app.test_client()
    for url in ("/voice", "/voice/language", "/voice/language?tries=2", "/voice/en/main"):
        root = parse(client.post(url))
        if root.find("Redirect") is not None:
            root = parse(client.post(redirect_of(root)))
        assert_way_on(root)
        assert [child.tag for child in root] == ["Say", "Hangup"]


# -- malformed webhook requests: a 4xx with a reason, before the signature or the flow ----
TOKEN = "reltoken"
NAMELESS_PART = b"--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--\r\n"
# Each with the status and the reason the line gives.
MALFORMED = {
    "a multipart part without a name": (NAMELESS_PART, "multipart/form-data; boundary=b", 415, b"A webhook body is a form"),
    "a multipart body cut short": (b"--b\r\nContent-Disp", "multipart/form-data; boundary=b", 415, b"A webhook body is a form"),
    "multipart without a boundary": (b"Digits=1", "multipart/form-data", 415, b"A webhook body is a form"),
    "JSON": (b'{"Digits": "1"}', "application/json", 415, b"A webhook body is a form"),
    "a form not said to be one": (b"Digits=1", "text/plain", 415, b"A webhook body is a form"),
    "a form with no content type": (b"Digits=1", None, 415, b"A webhook body is a form"),
    "raw bytes that are not UTF-8": (b"Digits=1&From=\xff\xfe", "application/x-www-form-urlencoded", 400, b"The form is not UTF-8."),
    "escaped bytes that are not UTF-8": (b"Digits=1&From=%ff%fe", "application/x-www-form-urlencoded", 400, b"The form is not UTF-8."),
    "a body far larger than any Twilio form": (b"Digits=1&x=" + b"1" * 200_000, "application/x-www-form-urlencoded", 413, b"A webhook body is at most"),
}


@pytest.mark.parametrize("token", ["", TOKEN])
@pytest.mark.parametrize("name", MALFORMED)
def test_a_malformed_body_is_a_4xx_with_a_reason(app, name, token):
    app.config["TWILIO_AUTH_TOKEN"] = token
    body, content_type, status, reason = MALFORMED[name]
    for url in ("/voice", "/voice/en/main/key", "/voice/status"):
        reply = app.test_client().post(url, data=body, content_type=content_type)
        assert reply.status_code == status, (url, reply.status_code)
        assert reason in reply.data


def test_a_nameless_multipart_part_over_http_is_not_a_500(app, serve_app):
    """The reproduction from the report: a real request, a token set, no signature."""
    app.config["TWILIO_AUTH_TOKEN"] = TOKEN
    app.config["TESTING"] = False  # as served: an exception would be a 500 page
    base = serve_app(app)
    reply = requests.post(f"{base}/voice", data=NAMELESS_PART,
                          headers={"Content-Type": "multipart/form-data; boundary=b"}, timeout=10)
    assert reply.status_code == 415


@pytest.mark.parametrize("token", ["", TOKEN])
def test_a_query_string_that_is_not_utf8_is_a_400(app, token):
    # As gunicorn passes a raw byte: QUERY_STRING is the request's bytes as latin-1.
    app.config["TWILIO_AUTH_TOKEN"] = token
    for url in ("/voice/language", "/voice/en/main/key"):
        reply = app.test_client().post(url, environ_overrides={"QUERY_STRING": "page=\xff"})
        assert reply.status_code == 400 and b"not UTF-8" in reply.data


# -- only ASCII digits are numbers: str.isdigit() also takes ², ① and ٣ ------------------
@pytest.mark.parametrize("value", ["%C2%B2", "%E2%91%A0", "%D9%A3", "%EF%BC%91", "1%C2%B2"])
@pytest.mark.parametrize("name", ["page", "tries", "part"])
def test_unicode_digits_in_the_query_are_not_numbers(client, name, value):
    for url in ("/voice/language", "/voice/language/key", "/voice/en/return_support", "/voice/en/main/key"):
        assert_way_on(parse(client.post(f"{url}?{name}={value}", data={"Digits": "1"} if url.endswith("key") else {})))


def test_unicode_digits_are_no_dialling_code(client, app):
    catalogue = of(app).content.catalogues["en"]
    root = parse(client.post("/voice/en/safe_lookup/key", data={"Digits": "٢١٢"}))
    assert spoken(root)[0] != catalogue.text("dial_code_empty")
    assert_way_on(root)
