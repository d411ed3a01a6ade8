"""Offices: where callers are sent (the Council's offices, reception locations), as
records staff keep, and what the line computes from them. No Flask: the call room
uses this room, and the admin's page is ivr.staff.offices_page.

  postcodes  Dutch 4-digit postcode centroids (GeoNames, CC BY 4.0), shipped in data/
  rules      what an office's fields must be (OfficeError says why not), shared by the
             admin, the file import and the check
  records    offices in the database: save (audited), import, export, the starting set
  files      the offices file (TOML, facts/offices.toml): read and write, round-trip
  directory  the offices the line uses (OfficeInfo), refreshed when staff change them
  hours      open now / next consulting hours, Europe/Amsterdam, holidays and closures
  nearest    the nearest office by great-circle distance (an open one first when two
             are about as near), a per-postcode table, and the brute force it is
             checked against
  check      `ivr offices check`: coordinates, hours, phone numbers, reachability, ages
  form       the admin's office form as plain data (values to show, fields posted)
  commands   the `ivr offices` commands
"""
