"""Offices as records and what is computed from them: the postcode data, the rules
an office obeys, saving (audited) and the file round trip, the directory's refresh,
the nearest office against brute force for every postcode, the check, the commands."""
import json
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from ivr.cli import main
from ivr.offices import check, directory, files, nearest, records, rules
from ivr.offices.directory import OfficeInfo, Slot
from ivr.offices.postcodes import Postcodes
from ivr.store.models import AuditEntry, OfficeCheck, OfficeClosure, OfficeHours

AMS = ZoneInfo("Europe/Amsterdam")
CODES = Postcodes.load()


def raw(slug="utrecht", **changes):
    office = {"slug": slug, "name": f"Office {slug}", "kind": "council", "place": "Utrecht", "postcode": "3511",
              "lat": 52.0907, "lon": 5.1214, "languages": ["nl", "en"], "say_hours": "check",
              "hours": [{"day": "tuesday", "kind": "spreekuur", "opens": "09:00", "closes": "12:00"}],
              "checks": {"location": {"verified": date(2026, 11, 1), "source": "postcode centroid"}}}
    return {**office, **changes}


# -- postcodes -----------------------------------------------------------------------------------
def test_the_shipped_postcodes_average_the_rows_of_a_code_and_keep_the_province():
    assert len(CODES) == 4086
    # 9563 has two rows (Ter Apelkanaal 52.9147, 7.0485; Ter Apel 52.9052, 7.0515).
    assert CODES.centroid("9563") == pytest.approx((52.90995, 7.05), abs=1e-4)
    assert CODES.province("9561") == "Groningen"
    assert CODES.province("3221") == "South Holland"  # no province in the source: its region's
    assert len(CODES.provinces()) == 12


def test_a_code_not_in_the_data_takes_the_nearest_code_by_number():
    assert "1000" not in CODES and CODES.centroid("1000") is None
    assert CODES.closest_code("1000") == "1011"
    assert CODES.closest_code("9561") == "9561"
    existing = {int(code) for code in CODES.codes}
    for number in range(1000, 10000):  # every code a caller can type: the nearest by number, the lower on a tie
        step = next(d for d in range(10000) if number - d in existing or number + d in existing)
        assert CODES.closest_code(str(number)) == str(number - step if number - step in existing else number + step)
    for bad in ("123", "12345", "abcd", "0123", ""):
        with pytest.raises(ValueError):
            CODES.closest_code(bad)


def test_a_province_centroid_lies_in_the_province():
    lat, lon = CODES.province_centroid("Limburg")
    assert 50.7 < lat < 51.8 and 5.5 < lon < 6.3


# -- rules ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("change, message", [
    ({"lat": 5.12, "lon": 52.09}, "outside the Netherlands"),
    ({"postcode": "951"}, "postcode"),
    ({"phone": "12345"}, "phone"),
    ({"hours": [{"day": "tuesday", "kind": "spreekuur", "opens": "09:00", "closes": "12:00"},
                {"day": "tuesday", "kind": "juridisch", "opens": "11:00", "closes": "13:00"}]}, "overlap"),
    ({"hours": [{"day": "tuesday", "kind": "spreekuur", "opens": "12:00", "closes": "09:00"}]}, "after"),
    ({"hours": [{"day": "tuesday", "kind": "spreekuur", "opens": "9 uur", "closes": "12:00"}]}, "a time"),
    ({"hours": [{"day": "dinsdag", "kind": "spreekuur", "opens": "09:00", "closes": "12:00"}]}, "day must"),
    ({"say_hours": "verified"}, "needs the hours' verified date"),
    ({"say_hours": "check", "hours": []}, "needs consulting hours"),
    ({"checks": {"phone": {"verified": "2026-01-01"}}}, "source"),
    ({"slug": "A B"}, "slug"),
    ({"hours": "tuesday 9-12"}, "hours: a list"),
    ({"checks": {"name": "a page"}}, "checks name: a table"),
])
def test_the_rules_refuse_with_the_field_and_why(change, message):
    with pytest.raises(rules.OfficeError, match=message):
        rules.clean(raw(**change), today=date(2026, 11, 23))


def test_a_phone_number_is_kept_in_e164():
    assert rules.clean(raw(phone="030 123 4567"))["phone"] == "+31301234567"


# -- records, audit, file round trip ----------------------------------------------------------------
def test_saving_audits_the_fields_changed_never_the_number(db_session):
    office, changed = records.save(db_session, raw(phone="+31301234567"), "ada")
    assert "hours" in changed and office.id
    again, unchanged = records.save(db_session, raw(phone="+31301234567"), "ada")
    assert again.id == office.id and unchanged == []
    records.save(db_session, raw(phone="+31301234568", place="Utrecht Centrum"), "bob")
    db_session.commit()
    entries = db_session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.actor, e.action, e.target) for e in entries] == [("ada", "office.add", "utrecht"),
                                                                ("bob", "office.change", "utrecht")]
    assert entries[1].details == {"fields": ["phone", "place"]}
    assert "3012345" not in json.dumps([e.details for e in entries])


def test_the_file_round_trips_through_the_database(db_session, tmp_path):
    starting = files.read(files.STARTING_SET)
    records.import_offices(db_session, starting + [raw(closures=[{"starts": date(2026, 12, 24), "ends": date(2026, 12, 31),
                                                                   "reason": "holidays"}])], "cli")
    exported = records.export_offices(db_session)
    files.write(exported, tmp_path / "out.toml")
    assert [rules.clean(o) for o in files.read(tmp_path / "out.toml")] == [rules.clean(o) for o in exported]
    assert records.import_offices(db_session, files.read(tmp_path / "out.toml"), "cli")["same"] == \
        [o["slug"] for o in exported]


def test_offices_survive_a_round_trip_on_sqlite_and_postgresql(empty_db_url):
    from ivr.store import db

    database = db.Database(empty_db_url)
    try:
        db.upgrade(database)
        office = raw(phone="+31301234567", closures=[{"starts": date(2026, 12, 24), "ends": date(2026, 12, 31),
                                                       "reason": "holidays"}])
        with database.transaction() as session:
            records.save(session, office, "ada")
        with database.session() as session:
            (stored,) = records.export_offices(session)
            assert stored == rules.clean(office)
            assert directory.info(records.find(session, "utrecht")).hours == (Slot(1, "spreekuur", time(9), time(12)),)
        with database.transaction() as session:  # a deleted office takes its hours, closures and checks along
            session.delete(records.find(session, "utrecht"))
        with database.session() as session:
            assert records.is_empty(session)
            for table in (OfficeHours, OfficeClosure, OfficeCheck):
                assert session.scalar(select(func.count()).select_from(table)) == 0
    finally:
        database.dispose()


def test_an_import_with_one_bad_office_names_it(db_session):
    with pytest.raises(rules.OfficeError, match="office broken: lat"):
        records.import_offices(db_session, [raw(), raw("broken", lat="north")], "cli")


def test_the_starting_set_cites_a_source_for_everything_it_says(db_session):
    assert records.seed_if_empty(db_session) == 2
    assert records.seed_if_empty(db_session) == 0  # only into an empty table
    for office in records.export_offices(db_session):
        assert office["street"] is None and office["phone"] is None and office["hours"] == []
        assert office["say_hours"] == "never"
        assert {"name", "location"} <= set(office["checks"]) and all(c["source"] for c in office["checks"].values())


# -- the directory -----------------------------------------------------------------------------------
def test_the_directory_sees_a_change_within_its_refresh(database):
    now = [0.0]
    found = directory.Directory(database, refresh_seconds=5, clock=lambda: now[0])
    assert found.offices() == ()
    with database.transaction() as session:
        records.save(session, raw(phone="+31301234567"), "ada")
    assert found.offices() == ()  # not looked yet
    now[0] = 5.0
    (office,) = found.offices()
    assert office.phone is None and office.say_hours == "check" and not office.hours_verified
    assert office.hours == (Slot(1, "spreekuur", time(9), time(12)),)
    same = found.offices()
    now[0] = 10.0
    assert found.offices() is same  # nothing changed: the same tuple, the same index
    with database.transaction() as session:
        records.save(session, raw(phone="+31301234567", checks={
            "phone": {"verified": date(2026, 11, 20), "source": "called it"},
            "hours": {"verified": date(2026, 11, 20), "source": "the office's page"}}, say_hours="verified"), "ada")
    now[0] = 15.0
    (office,) = found.offices()
    assert office.phone == "+31301234567" and office.say_hours == "verified" and office.hours_verified


# -- nearest ------------------------------------------------------------------------------------------
def spread_offices(count=40):
    """Offices on every 100th postcode centroid: across the country, with ties possible."""
    picked = CODES.codes[::len(CODES.codes) // count][:count]
    return tuple(OfficeInfo(id=i + 1, name=c, place=c, street=None, postcode=c, lat=CODES.by_code[c].lat,
                            lon=CODES.by_code[c].lon, phone=None, hours_verified=False, say_hours="never")
                 for i, c in enumerate(picked))


@pytest.mark.parametrize("count", [2, 40, 120])  # the plain loop, and numpy from NUMPY_FROM
def test_the_nearest_office_is_brute_forces_for_every_postcode(count):
    offices = spread_offices(count)
    for code in CODES.codes:
        lat, lon = CODES.centroid(code)
        expected, km = nearest.brute_force(offices, lat, lon)
        for found, found_km in (nearest.nearest(offices, lat, lon), nearest.nearest_to_postcode(offices, CODES, code)):
            assert (found.id, found_km) == (expected.id, pytest.approx(km, abs=1e-6)), code


def test_the_distance_is_the_great_circle():
    # Amsterdam Centraal to Utrecht Centraal: about 35 km as the crow flies.
    assert nearest.distance_km(52.3791, 4.9003, 52.0894, 5.1100) == pytest.approx(35.3, abs=0.5)


def test_an_open_office_first_when_two_are_about_as_near():
    tuesday = (Slot(1, "spreekuur", time(9), time(12)),)
    near = OfficeInfo(1, "Near", "A", None, "3511", 52.0907, 5.1214, None, True, "verified")
    open_ = OfficeInfo(2, "Open", "B", None, "3512", 52.0907, 5.1214 + 0.02, None, True, "verified", hours=tuesday)
    far_open = OfficeInfo(3, "Far", "C", None, "1011", 52.371, 4.9042, None, True, "verified", hours=tuesday)
    offices = (near, open_, far_open)
    tuesday_10 = datetime(2026, 12, 1, 10, tzinfo=AMS)
    for find in (nearest.nearest, nearest.brute_force):
        assert find(offices, 52.0907, 5.1214)[0] is near
        assert find(offices, 52.0907, 5.1214, at=tuesday_10)[0] is open_  # 1.4 km further, open
        assert find(offices, 52.0907, 5.1214, at=tuesday_10 + timedelta(hours=3))[0] is near  # both closed
        assert find((near, far_open), 52.0907, 5.1214, at=tuesday_10)[0] is near  # open, but 35 km away
    assert nearest.nearest_to_postcode(offices, CODES, "3511", at=tuesday_10)[0] is open_


# -- the check and the commands ------------------------------------------------------------------------
def test_the_check_finds_what_staff_must_fix(db_session):
    records.save(db_session, raw(), "ada")
    records.save(db_session, raw("shadow"), "ada")  # the same place as utrecht: hidden behind it everywhere
    old = {"location": {"verified": date(2020, 1, 1), "source": "an old list"}}
    records.save(db_session, raw("old", lat=53.2194, lon=6.5665, postcode="9711", checks=old), "ada")
    records.save(db_session, raw("sea", lat=53.5, lon=4.0, postcode="1781"), "ada")
    report = check.run(db_session, CODES, today=date(2026, 11, 23), max_age_days=365)
    assert not report.ok
    text = report.render()
    assert "shadow: the nearest office of no postcode" in text
    assert "old: location last verified 2020-01-01" in text
    assert "sea: 53.5, 4.0 is more than 15 km from any Dutch postcode" in text
    assert "utrecht: its hours are not verified" in text
    assert not any(line.startswith("ERROR: utrecht") for line in text.splitlines())


def test_the_starting_set_passes_the_check(db_session):
    records.seed_if_empty(db_session)
    report = check.run(db_session, CODES, today=date(2026, 11, 23))
    assert report.ok, report.render()


@pytest.fixture
def cli(db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    runner = CliRunner()
    return lambda *args: runner.invoke(main, ["offices", *args])


def test_the_commands(cli, tmp_path):
    assert cli("import", str(files.STARTING_SET)).exit_code == 0
    done = cli("nearest", "9501", "--json")
    assert done.exit_code == 0, done.output
    assert json.loads(done.output) == {"postcode": "9501", "office": {
        "id": 1, "name": "VluchtelingenWerk in Ter Apel", "postcode": "9561", "lat": 52.8754, "lon": 7.0572},
        "distance_km": pytest.approx(nearest.distance_km(*CODES.centroid("9501"), 52.8754, 7.0572), abs=0.01)}
    assert json.loads(cli("nearest", "1000", "--json").output)["postcode"] == "1011"
    assert cli("nearest", "12").exit_code == 2
    listed = json.loads(cli("list", "--json").output)
    assert {o["name"] for o in listed} == {"VluchtelingenWerk in Ter Apel", "Justitieel Complex Schiphol"}
    assert set(listed[0]) >= {"id", "name", "postcode", "lat", "lon"}
    said = cli("hours", "ter-apel", "--at", "2026-12-01T10:30")
    assert said.output.strip() == "VluchtelingenWerk in Ter Apel, Ter Apel: ask at your reception centre for the hours"
    assert cli("hours", "nowhere").exit_code == 1
    assert cli("hours", "ter-apel", "--at", "tuesday").exit_code == 2
    assert cli("check").exit_code == 0
    assert cli("export", str(tmp_path / "o.toml")).exit_code == 0
    assert "2 same" in cli("import", str(tmp_path / "o.toml")).output
    bad = tmp_path / "bad.toml"
    bad.write_text(files.dumps([raw(lat=99)]))
    refused = cli("import", str(bad))
    assert refused.exit_code == 1 and "office utrecht: lat" in refused.output


def test_the_bench_times_both_searches_and_finds_them_agreeing(monkeypatch):
    from ivr.dev import bench_offices

    monkeypatch.setattr(bench_offices, "ROUNDS", 1)
    rows = bench_offices.bench_offices(None, None)
    assert len(rows) == 6 and all(r.bench == "offices" for r in rows)
    assert all("same office as brute force for every postcode" in r.note for r in rows if r.rps_ratio)
    assert rows[-1].rps_ratio > 1  # the table made ahead beats the loop over 40 offices
