"""The caller's path to an answer: a returning caller's language remembered (under a
keyed hash, never the number), a foreign caller's likely languages first, # keeping
the caller's place, and the dialling-code lookup as people type codes."""
import redis
import pytest

from ivr import create_app
from ivr.services import of
from ivr.store import keys
from ivr.store.callers import caller_hash

from twiml import assert_way_on, only_gather, parse, redirect_of, spoken

SECRET = "a-test-secret"
DUTCH = "+31612345678"
MOROCCAN = "+212612345678"


@pytest.fixture
def memory_app(redis_url):
    return create_app({"TESTING": True, "AUDIO_ENABLED": False, "REDIS_URL": redis_url, "CALLER_HASH_KEY": SECRET})


def post(client, url, **form):
    return parse(client.post(url, data=form))


def stored(redis_url):
    client = redis.Redis.from_url(redis_url)
    return {k.decode(): (client.get(k), client.ttl(k)) for k in client.keys("ivr:caller:*")}


def test_a_returning_caller_hears_a_short_welcome_in_their_language(memory_app, redis_url):
    client = memory_app.test_client()
    catalogue = of(memory_app).content.catalogues["nl"]
    assert redirect_of(post(client, "/voice/language/key", Digits="2", From=DUTCH)) == "/voice/nl/main?new=1"
    # Remembered at once, under the keyed hash, for 90 days; the number is nowhere.
    saved = stored(redis_url)
    assert list(saved) == [keys.caller_language(caller_hash(SECRET, DUTCH))]
    value, ttl = saved[keys.caller_language(caller_hash(SECRET, DUTCH))]
    assert value == b"nl" and 89 * 86400 < ttl <= 90 * 86400
    assert not any("612345678" in key or b"612345678" in value for key, (value, _) in saved.items())
    again = post(client, "/voice", From=DUTCH)
    assert spoken(again) == [catalogue.text("welcome_back")]
    assert redirect_of(again) == "/voice/nl/main"
    # Someone else still hears the language menu.
    assert only_gather(post(client, "/voice", From="+31687654321")).get("action") == "/voice/language/key"


@pytest.mark.parametrize("caller", ["anonymous", "+266696687", "", "not a number"])
def test_a_withheld_number_stores_nothing(memory_app, redis_url, caller):
    client = memory_app.test_client()
    assert redirect_of(post(client, "/voice/language/key", Digits="2", From=caller)) == "/voice/nl/main?new=1"
    assert stored(redis_url) == {}


def test_without_a_key_no_one_is_remembered(redis_url):
    app = create_app({"TESTING": True, "AUDIO_ENABLED": False, "REDIS_URL": redis_url, "CALLER_HASH_KEY": ""})
    post(app.test_client(), "/voice/language/key", Digits="2", From=DUTCH)
    assert stored(redis_url) == {}


def test_with_redis_away_every_caller_is_new(tmp_path):
    import portpicker

    dead = f"redis://127.0.0.1:{portpicker.pick_unused_port()}/0"
    app = create_app({"TESTING": True, "AUDIO_ENABLED": False, "REDIS_URL": dead, "CALLER_HASH_KEY": SECRET})
    client = app.test_client()
    assert redirect_of(post(client, "/voice/language/key", Digits="2", From=DUTCH)) == "/voice/nl/main?new=1"
    assert only_gather(post(client, "/voice", From=DUTCH)).get("action") == "/voice/language/key"


def test_a_foreign_caller_hears_their_likely_languages_first(client, app):
    catalogues = of(app).content.catalogues
    menu = post(client, "/voice", From=MOROCCAN)
    said = spoken(only_gather(menu))
    # Welcome in Arabic and French (menus/languages.toml), then Arabic and French on 1 and 2.
    assert said[:4] == [catalogues["ar"].text("welcome"), catalogues["fr"].text("welcome"),
                        catalogues["ar"].text("language_offer").format(key="1"),
                        catalogues["fr"].text("language_offer").format(key="2")]
    assert redirect_of(post(client, "/voice/language/key", Digits="1", From=MOROCCAN)) == "/voice/ar/main?new=1"
    dutch = spoken(only_gather(post(client, "/voice", From=DUTCH)))
    assert dutch[0] == catalogues["en"].text("welcome") and catalogues["ar"].text("welcome") not in dutch


def test_a_reprompt_says_so_in_every_language(client, app):
    catalogues = of(app).content.catalogues
    said = spoken(only_gather(post(client, "/voice/language?tries=1", From=DUTCH)))
    offered = of(app).flow.languages()
    for index, lang in enumerate(offered, start=1):
        position = said.index(catalogues[lang].text("language_offer").format(key=str(index)))
        assert said[position - 1] == catalogues[lang].text("no_input"), lang


def test_hash_keeps_the_callers_place(client):
    assert redirect_of(post(client, "/voice/en/return_support/key?part=1", Digits="#")) == (
        "/voice/language?at=return_support&part=1"
    )
    menu = post(client, "/voice/language?at=return_support&part=1")
    assert only_gather(menu).get("action") == "/voice/language/key?at=return_support&part=1"
    assert redirect_of(menu) == "/voice/language?tries=1&at=return_support&part=1"
    back = post(client, "/voice/language/key?at=return_support&part=1", Digits="2")
    assert redirect_of(back) == "/voice/nl/return_support?part=1"
    country = post(client, "/voice/en/safe_result/key?cc=MA", Digits="#")
    assert redirect_of(country) == "/voice/language?at=safe_result&cc=MA"
    assert redirect_of(post(client, "/voice/language/key?at=safe_result&cc=MA", Digits="2")) == "/voice/nl/safe_result?cc=MA"
    # A place the line does not have: the main menu.
    assert redirect_of(post(client, "/voice/language/key?at=nowhere", Digits="2")) == "/voice/nl/main?new=1"


@pytest.mark.parametrize("typed, region", [("00212", "MA"), ("0049", "DE"), ("001876", "JM"), ("7", "RU")])
def test_dialling_codes_as_people_type_them(client, typed, region):
    assert redirect_of(post(client, "/voice/en/safe_lookup/key", Digits=typed)) == f"/voice/en/safe_result?cc={region}"


def test_the_netherlands_own_code_is_named_as_such(client, app):
    catalogue = of(app).content.catalogues["en"]
    for typed in ("31", "0031"):
        root = post(client, "/voice/en/safe_lookup/key", Digits=typed)
        assert_way_on(root)
        assert spoken(only_gather(root))[0] == catalogue.text("dial_code_home")


def test_a_shared_code_names_the_others_and_how_to_reach_them(client, app):
    content = of(app).content
    said = spoken(only_gather(post(client, "/voice/en/safe_result?cc=US")))
    shared = said.index(content.catalogues["en"].text("dial_code_shared"))
    assert said[shared + 1 : shared + 4] == ["Canada.", "Jamaica.", "Trinidad & Tobago."]
    assert said[shared + 4] == content.catalogues["en"].text("dial_code_shared_how")
    kazakhstan = spoken(only_gather(post(client, "/voice/en/safe_result?cc=RU")))
    assert "Kazakhstan." in kazakhstan
    # A code of its own (Morocco), or a country reached by its longer code (Jamaica): nothing more.
    for region in ("MA", "JM"):
        said = spoken(only_gather(post(client, f"/voice/en/safe_result?cc={region}")))
        assert content.catalogues["en"].text("dial_code_shared") not in said
