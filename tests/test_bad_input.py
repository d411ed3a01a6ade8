"""Bad input gets a spoken re-prompt or a 4xx, never a 500."""
import pytest

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
