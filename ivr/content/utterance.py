"""What the line says, before it becomes words: a prompt id and its runtime slots."""
from typing import NamedTuple


class Utterance(NamedTuple):
    prompt: str
    # (name, value) pairs filled in at call time, e.g. (("country", "MA"),).
    # Facts ({avr_adult_total}) are not slots: they come from facts/ for every call.
    slots: tuple = ()
