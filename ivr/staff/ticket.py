"""Where a call on the staff line is, carried in its webhook URLs (so any worker
answers) as a sealed ticket: which call, which staff member, whether the PIN was
right, wrong tries so far, the language, the prompt and the take.

The ticket is encrypted and authenticated (Fernet, with a key derived from SECRET_KEY),
so Twilio's request logs show no staff number and a caller cannot forge "PIN right";
it names its call (CallSid), so it is worthless in another call, and it expires.
"""
import base64
import hashlib
import json
from dataclasses import asdict, dataclass, replace

from cryptography.fernet import Fernet, InvalidToken

MAX_AGE = 3 * 3600  # longer than any call


@dataclass(frozen=True)
class Ticket:
    call: str
    staff: int | None = None
    signed_in: bool = False
    wrong: int = 0
    lang: str = ""
    prompt: int = 0
    take: str = ""

    def but(self, **changes):
        return replace(self, **changes)


class Sealer:
    def __init__(self, secret_key):
        material = hashlib.sha256(b"ivr staff line ticket\0" + str(secret_key).encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(material))

    def seal(self, ticket):
        return self._fernet.encrypt(json.dumps(asdict(ticket), separators=(",", ":")).encode()).decode()

    def open_any(self, token):
        """The ticket in `token` when it is genuine and current, whichever call it names
        (for <Play>'s GET, which carries no CallSid), else None."""
        try:
            return Ticket(**json.loads(self._fernet.decrypt((token or "").encode(), ttl=MAX_AGE)))
        except (InvalidToken, ValueError, TypeError):
            return None

    def open(self, token, call):
        """The ticket in `token` when it is genuine, current and of this call, else None."""
        ticket = self.open_any(token)
        return ticket if ticket is not None and ticket.call == call else None
