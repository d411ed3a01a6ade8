"""What the line remembers of a caller: the language they chose, and nothing else.

Kept in Redis under a keyed hash of the number (HMAC-SHA256 with CALLER_HASH_KEY),
never the number itself, and forgotten after LANGUAGE_MEMORY_DAYS. A withheld or
malformed number is never remembered. Without a key, nothing is remembered at all.
Best effort: with Redis away, every caller is simply a first-time caller.
"""
import hashlib
import hmac

import phonenumbers

from . import keys

# What Twilio sends as From when the caller's number is withheld or unknown.
WITHHELD = {"anonymous", "restricted", "unknown", "unavailable", "private", "+266696687", "+86282452253",
            "+7378742833", "+2562533"}


def caller_hash(secret, number, parsed=None):
    """The keyed hash that stands for a caller's number, or None when the number is
    withheld or not a possible phone number. `parsed`: phonenumbers' reading of it,
    when the caller has it already."""
    if not secret or not number or number.strip().lower() in WITHHELD:
        return None
    if parsed is None:
        try:
            parsed = phonenumbers.parse(number, None)
        except phonenumbers.NumberParseException:
            return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return hmac.new(secret.encode(), e164.encode(), hashlib.sha256).hexdigest()


class CallerMemory:
    def __init__(self, secret, days, breaker):
        """`breaker` is the Redis behind its circuit breaker (ivr.store.breaker)."""
        self.secret = secret
        self.seconds = int(days) * 86400
        self.breaker = breaker

    @property
    def enabled(self):
        return bool(self.secret) and self.seconds > 0

    def hash(self, number, parsed=None):
        """The keyed hash that stands for `number` (None: withheld, or no key), made
        once per webhook and handed to whatever needs to know the caller again (the
        remembered language, the count of unique callers)."""
        return caller_hash(self.secret, number, parsed)

    def _key(self, hashed):
        return keys.caller_language(hashed) if hashed and self.enabled else None

    def language(self, hashed):
        key = self._key(hashed)
        value = self.breaker.call(lambda client: client.get(key)) if key else None
        return value.decode() if value else None

    def remember(self, hashed, lang):
        key = self._key(hashed)
        return bool(key) and bool(self.breaker.call(lambda client: client.set(key, lang, ex=self.seconds), False))
