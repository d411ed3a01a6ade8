"""`ivr offices check`: what staff must fix before the line sends callers somewhere.

Errors (exit 1): an office whose fields break the rules (hours that do not parse or
overlap, an invalid phone number, coordinates outside the Netherlands), coordinates
far from any Dutch postcode (at sea, abroad), an active office that is the nearest
for no postcode (hidden behind another), a verification older than max_age_days.
Warnings: a phone number or hours kept but not verified (never dialled, never said
as fact), coordinates far from the office's own postcode.
"""
from dataclasses import dataclass, field
from datetime import date

from . import directory, nearest, records, rules

LAND_KM = 15.0  # further than this from every postcode centroid is not in the Netherlands
OWN_POSTCODE_KM = 20.0


@dataclass
class Report:
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    offices: int = 0

    @property
    def ok(self):
        return not self.errors

    def render(self):
        lines = [f"ERROR: {e}" for e in self.errors] + [f"warning: {w}" for w in self.warnings]
        lines.append(f"{self.offices} offices: {len(self.errors)} errors, {len(self.warnings)} warnings")
        return "\n".join(lines)


def _closest_postcode_km(postcodes, lat, lon):
    return min(nearest.distance_km(lat, lon, r.lat, r.lon) for r in postcodes.by_code.values())


def check_one(data, postcodes, today, max_age_days, report):
    name = data["slug"]
    try:
        rules.clean(data, today)
    except rules.OfficeError as exc:
        report.errors.append(f"{name}: {exc}")
        return False
    if _closest_postcode_km(postcodes, data["lat"], data["lon"]) > LAND_KM:
        report.errors.append(f"{name}: {data['lat']}, {data['lon']} is more than {LAND_KM:g} km from any "
                             "Dutch postcode: not in the Netherlands (latitude and longitude swapped?)")
    own = postcodes.centroid(data["postcode"][:4])
    if own and nearest.distance_km(data["lat"], data["lon"], *own) > OWN_POSTCODE_KM:
        report.warnings.append(f"{name}: its coordinates are over {OWN_POSTCODE_KM:g} km from its postcode {data['postcode']}")
    for checked, check in data["checks"].items():
        age = (today - check["verified"]).days
        if age > max_age_days:
            report.errors.append(f"{name}: {checked} last verified {check['verified']} ({age} days ago, "
                                 f"over {max_age_days}): check it and write the new date")
    if data["phone"] and "phone" not in data["checks"]:
        report.warnings.append(f"{name}: its phone number is not verified, so the line never dials it")
    if data["hours"] and "hours" not in data["checks"]:
        report.warnings.append(f"{name}: its hours are not verified"
                               + ("" if data["say_hours"] == "never" else ", so the line adds 'please check before you go'"))
    return True


def run(session, postcodes, today=None, max_age_days=365):
    """The report over every office in the database."""
    today = today or date.today()
    report = Report()
    stored = records.all_offices(session)
    report.offices = len(stored)
    usable = []
    for office in stored:
        data = {**records.as_dict(office), "id": office.id}
        if check_one(data, postcodes, today, max_age_days, report) and office.active:
            usable.append(directory.info(data))
    if not usable:
        report.errors.append("no active office: the line has nowhere to send a caller")
        return report
    reached = {found.id for found, _ in nearest.Index(usable).table(postcodes).values()}
    for office in usable:
        if office.id not in reached:
            report.errors.append(f"{office.slug}: the nearest office of no postcode (another office is nearer "
                                 "everywhere; wrong coordinates, or a duplicate?)")
    return report
