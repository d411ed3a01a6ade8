"""Staff: the people who give the line its voice, and the admin they use.

  accounts  plain functions over the database: create_staff, authenticate, set_pin,
            check_pin, disable, set_role ...; argon2 hashes, roles and what each may
            do (PERMISSIONS), five wrong passwords (or PINs) lock an account a while
  rules     what a name, role, password and PIN must be (StaffError says why not)
  audit     record_audit and the log of who changed what and when (no phone numbers)
  web       Flask-Login sessions, CSRF on every form, secure cookies, `requires`
  views     the /admin blueprint: log in and out, the home page by role, /admin/staff
            and /admin/audit for admins; templates/ and static/ beside it
  offices_page  /admin/offices (editors, admins): the offices (ivr.offices) listed
            and edited
  entrance, playback  the staff line by phone (/voice/staff): staff number and PIN,
            a prompt by number, <Record>, the take played back and kept; `booth`
            its TwiML, `ticket` where the call is (sealed), `takes` takes until kept

Tests and the `ivr staff` commands call `accounts` and `audit` without Flask.
"""
