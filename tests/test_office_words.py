"""Times, days and postcodes as each language says them (ivr/content/clock_words.py),
every phrase registered for audio made ahead, and the area-code table checked against
its sources."""
import csv
import datetime as dt
from collections import Counter
from pathlib import Path

import phonenumbers
import pytest
from phonenumbers import geocoder

from ivr.content import clock_words as cw
from ivr.content import registry
from ivr.content.utterance import Utterance as U

T = dt.time


@pytest.mark.parametrize("lang, value, role, words", [
    ("en", T(9), "from", "nine a.m."), ("en", T(12), "until", "twelve noon"), ("en", T(16, 30), "until", "four thirty p.m."),
    ("en", T(9, 5), "from", "nine oh five a.m."),
    ("nl", T(9), "from", "negen uur"), ("nl", T(9, 30), "from", "half tien"), ("nl", T(9, 15), "from", "kwart over negen"),
    ("nl", T(9, 45), "until", "kwart voor tien"), ("nl", T(19, 30), "until", "half acht 's avonds"), ("nl", T(16), "until", "zestien uur"), ("nl", T(16, 30), "until", "half vijf"),
    ("fr", T(12), "until", "midi"), ("fr", T(12, 30), "until", "midi et demi"), ("fr", T(9), "from", "neuf heures"),
    ("fr", T(16, 30), "until", "seize heures trente"), ("fr", T(21), "until", "vingt et une heures"),
    ("ru", T(9), "from", "девяти"), ("ru", T(16, 30), "until", "шестнадцати тридцати"), ("ru", T(12), "until", "двенадцати"),
    ("ru", T(9, 5), "from", "девяти ноль пяти"),
    ("tr", T(9), "from", "dokuzdan"), ("tr", T(12), "until", "on ikiye"), ("tr", T(16), "until", "on altıya"),
    ("tr", T(12, 30), "until", "on iki buçuğa"), ("tr", T(14), "until", "on dörde"), ("tr", T(13), "from", "on üçten"),
    ("tr", T(9, 40), "from", "dokuz kırktan"), ("tr", T(20), "until", "yirmiye"),
    ("ar", T(9), "from", "الساعة التاسعة صباحًا"), ("ar", T(16, 30), "until", "الساعة الرابعة والنصف عصرًا"),
    ("ar", T(11, 45), "until", "الساعة الثانية عشرة إلا ربعًا ظهرًا"),
    ("fa", T(9), "from", "ساعت نه صبح"), ("fa", T(16, 30), "until", "ساعت چهار و نیم بعدازظهر"),
    ("prs", T(12), "until", "ساعت دوازده چاشت"),
    ("so", T(16, 30), "until", "16:30"), ("ti", T(9), "from", "9:00"),  # clear digits, for review
])
def test_each_language_says_a_time_in_the_form_its_sentence_needs(lang, value, role, words):
    assert cw.time_words(lang, value, role) == words


def test_digits_stand_in_only_where_marked_for_review():
    for lang in ("en", "nl", "fr", "ru", "tr", "ar", "fa", "prs"):
        assert not any(c.isdigit() for c in cw.time_words(lang, T(16, 45), "until")), lang
    assert cw.NEEDS_REVIEW == {"so", "ti"}
    with pytest.raises(ValueError):
        cw.time_words("en", T(9), "at")


def test_days_are_today_tomorrow_or_a_weekday_within_the_week():
    monday = dt.date(2026, 11, 23)
    assert [cw.day_token(monday + dt.timedelta(days=n), monday) for n in (0, 1, 2, 6, 7)] == [
        "today", "tomorrow", "wed", "sun", None]
    assert cw.day_words("ru", "ru", "tue") == "вторник" and cw.day_words("ar", "ar", "fri") == "يوم الجمعة"
    assert cw.day_words("tr", "tr", "tomorrow") == "yarın" and cw.day_words("nl", "nl_NL", "today") == "vandaag"


def test_a_postcode_is_read_back_as_two_numbers():
    assert [cw.pair_words("nl", p) for p in ("10", "11", "05", "00")] == ["tien", "elf", "nul vijf", "nul nul"]
    assert cw.pair_words("tr", "99") == "doksan dokuz" and cw.pair_words("ti", "05") == "05"


def test_no_two_times_sound_the_same(line):
    for lang in ("en", "nl", "fr", "ru", "tr", "ar", "fa", "prs"):
        for role in cw.ROLES:
            said = [cw.time_words(lang, value, role) for value in cw.QUARTER_HOURS]
            assert len(set(said)) == len(said), (lang, role)


def test_every_time_day_pair_and_province_is_made_ahead_as_audio(line):
    ids = {registry.utterance_id("", u)[1:] for u in registry.utterances(line.content)}
    for value in (T(7), T(9, 30), T(16, 45), T(22)):
        assert registry.utterance_id("", U("office_until", (("until", value),)))[1:] in ids
        assert registry.utterance_id("", U("office_from", (("start", value),)))[1:] in ids
    assert len(cw.QUARTER_HOURS) == 61 and cw.QUARTER_HOURS[-1] == T(22)
    for token in cw.DAY_TOKENS:
        assert registry.utterance_id("", U("office_next_hours", (("day", token),)))[1:] in ids
    assert sum(1 for i in ids if i.startswith("postcode_pair|")) == 100
    assert sum(1 for i in ids if i.startswith("province_name|")) == 12
    assert not any(i.startswith("office_is|") for i in ids)  # staff type those: made when saved


def test_a_landline_area_code_names_its_province_from_the_sources(line):
    regions = line.content.regions
    data = Path(__file__).resolve().parents[2] / "shared" / "data" / "geonames-NL-postcodes.tsv"
    if not data.exists():
        pytest.skip("the GeoNames postcode file is not on this machine")
    places = {}
    with data.open(encoding="utf-8") as rows:
        for row in csv.reader(rows, delimiter="\t"):
            places.setdefault(row[2].lower(), Counter())[row[3]] += 1
    alias = {"den haag": "'s-gravenhage"}
    def described(prefix):  # the places phonenumbers names for the numbers under a code
        for longer in [prefix] + [prefix + str(d) for d in range(10)]:
            number = phonenumbers.parse("+31" + longer[1:] + "1" * (10 - len(longer)))
            name = geocoder.description_for_number(number, "nl").lower()
            if name:
                yield alias.get(name, name)

    for code, province in regions.area_codes.items():
        named = [places.get(p) or places.get(p.replace(" ", "-")) for p in described(code)]
        named = [found.most_common(1)[0][0] for found in named if found]
        assert named and set(named) == {province}, (code, named)
    assert regions.of_caller("+31201234567").name == "Noord-Holland"
    assert regions.of_caller("+31612345678") is None and regions.of_caller("+3285123456") is None
    assert {p.id for p in regions.provinces} == set(regions.area_codes.values())
