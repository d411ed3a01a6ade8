"""How many SMS segments a text takes, and in which encoding.

A text that fits the GSM 03.38 alphabet (the basic table, plus the extension table
whose characters take two septets: an escape and the character) is sent as GSM-7: 160
septets in one message, 153 a segment when it is split (the rest is the header that
joins the parts). Anything else (Arabic, Persian, Cyrillic, Ge'ez, Turkish "ı" or
"ş") makes the whole message UCS-2: 70 UTF-16 units in one, 67 a segment when split.
A character is never split across two segments (an escape pair, a surrogate pair).
"""
GSM7 = "GSM-7"
UCS2 = "UCS-2"

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("^{}\\[~]|€\f")
LIMITS = {GSM7: (160, 153), UCS2: (70, 67)}  # (one message, each part of a split one)


def encoding(text):
    """GSM7 when every character is in the GSM alphabet, else UCS2."""
    return GSM7 if all(c in GSM_BASIC or c in GSM_EXTENSION for c in text) else UCS2


def _units(text, kind):
    """Each character's size in the encoding's units (septets, UTF-16 units)."""
    if kind == GSM7:
        return [2 if c in GSM_EXTENSION else 1 for c in text]
    return [2 if ord(c) > 0xFFFF else 1 for c in text]


def count(text):
    """(encoding, segments) for `text`; an empty text is one segment."""
    kind = encoding(text)
    single, part = LIMITS[kind]
    units = _units(text, kind)
    if sum(units) <= single:
        return kind, 1
    segments, used = 1, 0
    for size in units:
        if used + size > part:  # this character starts the next segment, whole
            segments, used = segments + 1, 0
        used += size
    return kind, segments


def fits(text, most):
    return count(text)[1] <= most
