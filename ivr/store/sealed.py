"""Phone numbers sealed at rest: Fernet encryption with keys for rotation.

NUMBER_KEYS holds one or more Fernet keys, comma-separated, newest first: new numbers
are sealed with the first; any of them opens. To rotate, put a new key in front, run
`ivr callbacks reseal` (or wait for the old ones to expire), then drop the old key.
"""
from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class NoKeys(RuntimeError):
    """NUMBER_KEYS is empty: no number can be kept, so none is."""


def new_key():
    return Fernet.generate_key().decode("ascii")


class Sealer:
    def __init__(self, keys):
        keys = [k.strip() for k in str(keys or "").split(",") if k.strip()]
        self._fernet = MultiFernet([Fernet(k.encode("ascii")) for k in keys]) if keys else None

    @property
    def enabled(self):
        return self._fernet is not None

    def seal(self, number):
        if not self._fernet:
            raise NoKeys("NUMBER_KEYS is not set: the line cannot keep a phone number")
        return self._fernet.encrypt(number.encode("utf-8")).decode("ascii")

    def open(self, token):
        """The number, or None when no key opens it (a key dropped too early)."""
        if not self._fernet:
            raise NoKeys("NUMBER_KEYS is not set: the line cannot open a kept phone number")
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken:
            return None

    def reseal(self, token):
        """`token` sealed again with the newest key (for rotation)."""
        return self._fernet.rotate(token.encode("ascii")).decode("ascii")
