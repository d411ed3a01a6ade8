"""The call flow, one webhook at a time, asserted on the TwiML's structure."""
from urllib.parse import parse_qs, urlsplit

import pytest

from twiml import assert_way_on, only_gather, parse, redirect_of, spoken
from ivr.content import Utterance
from ivr.services import of


def post(client, url, **form):
    return parse(client.post(url, data=form))


def test_incoming_call_offers_each_language_in_itself(client, app):
    root = post(client, "/voice")
    assert_way_on(root)
    gather = only_gather(root)
    assert gather.get("numDigits") == "1"
    assert gather.get("action") == "/voice/language/key"
    says = gather.findall("Say")
    content = of(app).content
    assert says[0].text == content.catalogues["en"].text("welcome")
    offers = says[1:]
    offered = of(app).flow.languages()
    assert len(offers) == len(offered) >= 2
    for key, (say, lang) in enumerate(zip(offers, offered), start=1):
        catalogue = content.catalogues[lang]
        assert say.get("language") == catalogue.language.say_language
        assert say.text == catalogue.text("language_offer").format(key=key)


def test_choosing_a_language_goes_to_its_main_menu(client, app):
    offered = of(app).flow.languages()
    root = post(client, "/voice/language/key", Digits="2")
    assert redirect_of(root) == f"/voice/{offered[1]}/main?new=1"


def test_main_menu_prompts_play_inside_the_gather(client, app):
    root = post(client, "/voice/nl/main")
    gather = only_gather(root)
    catalogue = of(app).content.catalogues["nl"]
    assert spoken(gather) == [catalogue.text("main_menu")]
    assert gather.get("finishOnKey") == ""  # '#' must reach us as a key
    assert redirect_of(root) == "/voice/nl/main?tries=1"


def test_the_keys_that_work_everywhere_are_said_once_after_the_first_answer(client, app):
    catalogue = of(app).content.catalogues["en"]
    # A new caller's flag travels from the language menu through the menus...
    assert redirect_of(post(client, "/voice/en/main/key?new=1", Digits="1")) == "/voice/en/rejected?new=1"
    assert redirect_of(post(client, "/voice/en/rejected/key?new=1", Digits="3")) == "/voice/en/dtv_contact?new=1"
    assert catalogue.text("keys_help") not in spoken(post(client, "/voice/en/rejected?new=1"))
    # ...to the end of the first answer, and no further.
    answer = post(client, "/voice/en/dtv_contact?new=1")
    assert spoken(only_gather(answer))[-4:] == [catalogue.text("answer_end"), catalogue.text("answer_end_office"),
                                                catalogue.text("answer_end_callback"),
                                                catalogue.text("keys_help")]
    assert "new" not in only_gather(answer).get("action")
    assert catalogue.text("keys_help") not in spoken(post(client, "/voice/en/dtv_contact"))


@pytest.mark.parametrize(
    "digits, target",
    [("1", "/voice/en/rejected"), ("4", "/voice/en/safe_countries"), ("0", "/voice/en/main"), ("#", "/voice/language?at=main")],
)
def test_main_menu_keys(client, digits, target):
    assert redirect_of(post(client, "/voice/en/main/key", Digits=digits)) == target


def test_back_goes_to_the_parent_and_repeat_stays(client):
    assert redirect_of(post(client, "/voice/en/minors_decision/key", Digits="*")) == "/voice/en/minors"
    assert redirect_of(post(client, "/voice/en/minors/key", Digits="*")) == "/voice/en/main"
    assert redirect_of(post(client, "/voice/en/decision_appeal/key", Digits="*")) == "/voice/en/rejected"
    assert redirect_of(post(client, "/voice/en/minors/key", Digits="9")) == "/voice/en/minors"


def test_a_wrong_key_is_named_and_the_menu_repeats(client, app):
    catalogue = of(app).content.catalogues["en"]
    root = post(client, "/voice/en/staying/key", Digits="7")
    assert_way_on(root)
    assert spoken(only_gather(root)) == [catalogue.text("invalid_key"), catalogue.text("staying_menu")]


def test_silence_reprompts_then_says_goodbye_after_three_tries(client, app):
    catalogue = of(app).content.catalogues["en"]
    url = redirect_of(post(client, "/voice/en/help"))
    for tries in (1, 2):
        root = post(client, url)
        url = redirect_of(root)
        assert parse_qs(urlsplit(url).query)["tries"] == [str(tries + 1)]
        assert spoken(only_gather(root))[0] == catalogue.text("no_input")
    root = post(client, url)
    assert [child.tag for child in root] == ["Say", "Hangup"]
    assert spoken(root) == [catalogue.text("goodbye")]


def test_long_answers_come_in_chunks_with_continue_and_hear_again(client, app):
    content = of(app).content
    catalogue = content.catalogues["en"]
    first = only_gather(post(client, "/voice/en/return_support"))
    assert spoken(first) == [catalogue.text("support_what"), catalogue.text("chunk_more")]
    assert redirect_of(post(client, "/voice/en/return_support/key", Digits="1")) == "/voice/en/return_support?part=1"
    assert redirect_of(post(client, "/voice/en/return_support/key?part=1", Digits="9")) == (
        "/voice/en/return_support?part=1"
    )
    last = spoken(only_gather(post(client, "/voice/en/return_support?part=1")))
    amounts = content.text("en", Utterance("support_amounts"))
    assert last == [amounts, catalogue.text("next_where"), catalogue.text("answer_end"), catalogue.text("answer_end_office"),
                    catalogue.text("answer_end_callback")]
    assert "1800 euros" in amounts


def test_silence_after_a_chunk_repeats_the_choices_not_the_chunk(client, app):
    catalogue = of(app).content.catalogues["en"]
    root = post(client, "/voice/en/return_support?tries=1")
    assert spoken(only_gather(root)) == [catalogue.text("no_input"), catalogue.text("chunk_more")]


def test_organisations_are_heard_together_in_two_parts(client, app):
    content = of(app).content
    catalogue = content.catalogues["en"]
    first = spoken(only_gather(post(client, "/voice/en/return_organisations")))
    second = spoken(only_gather(post(client, "/voice/en/return_organisations?part=1")))
    names = [catalogue.text(org["prompt"]) for org in content.organisations]
    assert len(names) == 7
    # The introduction and four, then "continue"; the last three, then the choices.
    assert first == [catalogue.text("organisations_intro"), *names[:4], catalogue.text("chunk_more")]
    assert second[:3] == names[4:] and catalogue.text("answer_end") in second


@pytest.mark.parametrize("digits, region", [("212", "MA"), ("995", "GE"), ("1876", "JM"), ("49", "DE")])
def test_dialling_code_lookup(client, digits, region):
    root = post(client, "/voice/en/safe_lookup/key", Digits=digits)
    assert redirect_of(root) == f"/voice/en/safe_result?cc={region}"


def test_safe_country_answer_names_exceptions_and_date(client):
    said = spoken(only_gather(post(client, "/voice/en/safe_result?cc=MA")))
    assert said[0] == "Morocco."
    assert "This country is on the Dutch list of safe countries of origin." in said
    assert "journalists." in said
    assert "This was last checked on the first of November 2026." in said[-5:]  # then the choices


def test_country_not_on_the_list_and_eu_member(client):
    assert "This country is not on the Dutch list of safe countries of origin." in spoken(
        post(client, "/voice/en/safe_result?cc=SY")
    )
    assert any("European Union" in s for s in spoken(post(client, "/voice/en/safe_result?cc=DE")))


def test_country_answer_in_the_callers_language(client):
    said = spoken(post(client, "/voice/nl/safe_result?cc=MA"))
    assert said[0] == "Marokko."
    assert any("november 2026" in s for s in said)


def test_unknown_dialling_code_reprompts(client, app):
    catalogue = of(app).content.catalogues["en"]
    root = post(client, "/voice/en/safe_lookup/key", Digits="999")
    gather = only_gather(root)
    assert gather.get("finishOnKey") == "#"
    assert spoken(gather)[:2] == [catalogue.text("dial_code_unknown"), catalogue.text("dial_code_ask")]


def test_foreign_caller_is_offered_their_country_first(client):
    root = post(client, "/voice/en/safe_countries", From="+995555123456")
    said = spoken(only_gather(root))
    assert said[:2] == ["Georgia.", "You are calling from a number in this country. To hear about it, press 3."]
    key = post(client, "/voice/en/safe_countries/key", Digits="3", From="+995555123456")
    assert redirect_of(key) == "/voice/en/safe_result?cc=GE"


def test_dutch_caller_gets_no_country_offer_and_3_is_not_an_option(client, app):
    said = spoken(post(client, "/voice/en/safe_countries", From="+31612345678"))
    assert not any("calling from" in s for s in said)
    catalogue = of(app).content.catalogues["en"]
    again = spoken(post(client, "/voice/en/safe_countries/key", Digits="3", From="+31612345678"))
    assert again[0] == catalogue.text("invalid_key")


def test_status_callback_is_accepted(client):
    reply = client.post("/voice/status", data={"CallSid": "CA1", "CallStatus": "completed", "CallDuration": "42"})
    assert reply.status_code == 204
