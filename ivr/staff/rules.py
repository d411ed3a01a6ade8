"""What a staff name, role, password and phone PIN must be; a StaffError says why not,
in words for the person who typed it (the admin and `ivr staff` show it as it is)."""
import re

from ..store.models import NAME_LENGTH, ROLES

NAME_PATTERN = re.compile(rf"^[a-z0-9][a-z0-9._-]{{1,{NAME_LENGTH - 1}}}$")
PASSWORD_LENGTH = (10, 256)
PIN_PATTERN = re.compile(r"^[0-9]{4,8}$")


class StaffError(ValueError):
    """A change refused, with a message for the person who asked for it."""


def normal_name(name):
    name = (name or "").strip().lower()
    if not NAME_PATTERN.match(name):
        raise StaffError(f"A name is 2 to {NAME_LENGTH} characters: letters a-z, digits, dots, dashes "
                         "or underscores, starting with a letter or digit.")
    return name


def check_role(role):
    if role not in ROLES:
        raise StaffError(f"The role must be one of {', '.join(ROLES)}.")
    return role


def check_password(password, name):
    low, high = PASSWORD_LENGTH
    if not isinstance(password, str) or not low <= len(password) <= high:
        raise StaffError(f"A password is {low} to {high} characters long.")
    if password.strip().lower() == name:
        raise StaffError("The password must not be the name.")
    return password


def check_pin_rules(pin):
    pin = (pin or "").strip()
    if not PIN_PATTERN.match(pin):
        raise StaffError("A PIN is 4 to 8 digits.")
    steps = {int(b) - int(a) for a, b in zip(pin, pin[1:])}
    if len(steps) == 1 and steps <= {-1, 0, 1}:
        raise StaffError("That PIN is too easy to guess (a repeated digit or a run such as 1234).")
    return pin
