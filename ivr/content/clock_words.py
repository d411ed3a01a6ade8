"""Times of day, days of the week and postcodes as each language says them, for the ear.

An office's hours are said as "open now until {until}" and "next consulting hours:
{day}, from {start} until {until}" (the sentences are prompts in each catalogue); the
values come from here, already in the form the words around them need: Russian
takes the genitive after "с" and "до" ("с девяти до шестнадцати тридцати"), Turkish
the ablative and the dative ("dokuzdan", "on altıya kadar"), Dutch says "half tien",
French "midi", Arabic an ordinal hour with the part of the day.

`ROLES`: "from" (the start of the hours) and "until" (their end). Where no reviewed
wording exists (Somali and Tigrinya count hours from 6 in the morning, so a clock
time in words could be read six hours off), the time is said in clear digits
("16:30") for the staff who record it: `NEEDS_REVIEW` lists those languages.
Pure functions; no Flask, no twilio.
"""
import datetime as dt

from babel.dates import get_day_names
from num2words import num2words

ROLES = ("from", "until")
DAY_TOKENS = ("today", "tomorrow", "mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAYS = DAY_TOKENS[2:]
# The times an office's hours can start or end on, made ahead as audio: every quarter
# hour of a day's opening (an hour off the quarter is said with <Say>).
FIRST_HOUR, LAST_HOUR = 7, 22
QUARTER_HOURS = tuple(dt.time(h, m) for h in range(FIRST_HOUR, LAST_HOUR + 1) for m in (0, 15, 30, 45)
                      if (h, m) <= (LAST_HOUR, 0))
NEEDS_REVIEW = frozenset({"so", "ti"})

RELATIVE = {
    "en": ("today", "tomorrow"), "nl": ("vandaag", "morgen"), "fr": ("aujourd'hui", "demain"),
    "ru": ("сегодня", "завтра"), "tr": ("bugün", "yarın"), "ar": ("اليوم", "غدًا"),
    "fa": ("امروز", "فردا"), "prs": ("امروز", "فردا"), "so": ("maanta", "berri"), "ti": ("ሎሚ", "ጽባሕ"),
}
# How a weekday is said where a day is named alone (Arabic says "the day of ...").
WEEKDAY_FORM = {"ar": "يوم {}"}


def _h12(hour):
    return hour % 12 or 12


# -- English ------------------------------------------------------------------------
def _en(t, role):
    if t == dt.time(12, 0):
        return "twelve noon"
    words = num2words(_h12(t.hour), lang="en")
    if t.minute:
        words += " " + (f"oh {num2words(t.minute, lang='en')}" if t.minute < 10 else num2words(t.minute, lang="en"))
    return f"{words} {'a.m.' if t.hour < 12 else 'p.m.'}"


EVENING = 18  # from here a Dutch quarter or half hour names the evening

# -- Dutch: full hours on the 24-hour clock ("zestien uur"), quarters and halves as
# people say them ("kwart over negen", "half tien", "kwart voor tien").
def _nl(t, role):
    def w(n):
        return num2words(n, lang="nl")

    nxt = _h12(t.hour + 1)
    if t.minute == 0:
        return f"{w(t.hour)} uur"
    if t.minute == 15:
        said = f"kwart over {w(_h12(t.hour))}"
    elif t.minute == 30:
        said = f"half {w(nxt)}"
    elif t.minute == 45:
        said = f"kwart voor {w(nxt)}"
    else:
        return f"{w(t.hour)} uur {w(t.minute)}"
    # "half acht" is 7:30 or 19:30: the evening says so (the afternoon's are not opening hours at night).
    return f"{said} 's avonds" if t.hour >= EVENING else said


# -- French: the 24-hour clock of timetables ("seize heures trente"), noon is "midi".
def _fr(t, role):
    def w(n):
        words = num2words(n, lang="fr")
        return words[:-2] + "une" if words.endswith("et un") or words == "un" else words  # une heure: feminine

    hour = "midi" if t.hour == 12 else f"{w(t.hour)} heures"
    if not t.minute:
        return hour
    if t.hour == 12 and t.minute == 30:
        return "midi et demi"
    return f"{hour} {num2words(t.minute, lang='fr')}"


# -- Russian: both roles take the genitive ("с девяти", "до шестнадцати тридцати").
def _ru(t, role):
    words = num2words(t.hour, lang="ru", case="genitive")
    if t.minute:
        minute = num2words(t.minute, lang="ru", case="genitive")
        words += f" ноль {minute}" if t.minute < 10 else f" {minute}"
    return words


# -- Turkish: 24-hour clock; "from" is the ablative (-dan/-den/-tan/-ten), "until" the
# dative (-a/-e/-ya/-ye) before "kadar", on the last word, with its sound changes.
TR_ONES = ("", "bir", "iki", "üç", "dört", "beş", "altı", "yedi", "sekiz", "dokuz")
TR_TENS = ("", "on", "yirmi", "otuz", "kırk", "elli", "altmış", "yetmiş", "seksen", "doksan")
TR_CASES = {
    "bir": ("birden", "bire"), "iki": ("ikiden", "ikiye"), "üç": ("üçten", "üçe"), "dört": ("dörtten", "dörde"),
    "beş": ("beşten", "beşe"), "altı": ("altıdan", "altıya"), "yedi": ("yediden", "yediye"),
    "sekiz": ("sekizden", "sekize"), "dokuz": ("dokuzdan", "dokuza"), "on": ("ondan", "ona"),
    "yirmi": ("yirmiden", "yirmiye"), "otuz": ("otuzdan", "otuza"), "kırk": ("kırktan", "kırka"),
    "elli": ("elliden", "elliye"), "buçuk": ("buçuktan", "buçuğa"), "sıfır": ("sıfırdan", "sıfıra"),
}


def _tr_number(n):
    return " ".join(w for w in (TR_TENS[n // 10], TR_ONES[n % 10]) if w) or "sıfır"


def _tr(t, role):
    words = _tr_number(t.hour).split()
    if t.minute == 30:
        words.append("buçuk")
    elif t.minute:
        words += (["sıfır"] if t.minute < 10 else []) + _tr_number(t.minute).split()
    last = TR_CASES[words[-1]][0 if role == "from" else 1]
    return " ".join(words[:-1] + [last])


# -- Arabic: "الساعة" with the feminine ordinal hour on the 12-hour clock, the
# quarter ("والربع", "والنصف", "إلا ربعًا") and the part of the day.
AR_ORDINALS = ("", "الواحدة", "الثانية", "الثالثة", "الرابعة", "الخامسة", "السادسة", "السابعة", "الثامنة",
               "التاسعة", "العاشرة", "الحادية عشرة", "الثانية عشرة")


def _ar_part(hour):
    if hour < 12:
        return "صباحًا"
    if hour < 15:
        return "ظهرًا"
    return "عصرًا" if hour < 18 else "مساءً"


def _ar(t, role):
    hour, minute = t.hour, t.minute
    if minute == 45:
        hour, extra = hour + 1, " إلا ربعًا"
    elif minute in (15, 30):
        extra = " والربع" if minute == 15 else " والنصف"
    elif minute:
        unit = "دقائق" if 3 <= minute <= 10 else "دقيقة"
        extra = f" و{num2words(minute, lang='ar')} {unit}"
    else:
        extra = ""
    return f"الساعة {AR_ORDINALS[_h12(hour)]}{extra} {_ar_part(hour)}"


# -- Persian and Dari: "ساعت" with the hour on the 12-hour clock and the part of the day.
FA_PARTS = {"fa": ("صبح", "ظهر", "بعدازظهر", "عصر", "شب"), "prs": ("صبح", "چاشت", "بعد از چاشت", "عصر", "شب")}


def _fa_part(lang, hour):
    morning, noon, afternoon, evening, night = FA_PARTS[lang]
    if hour < 12:
        return morning
    if hour < 13:
        return noon
    if hour < 17:
        return afternoon
    return evening if hour < 20 else night


def _fa(t, role, lang="fa"):
    hour, minute = t.hour, t.minute
    if minute == 45:
        return f"یک ربع به {num2words(_h12(hour + 1), lang='fa')} {_fa_part(lang, hour + 1)}"
    words = num2words(_h12(hour), lang="fa")
    if minute == 15:
        words += " و ربع"
    elif minute == 30:
        words += " و نیم"
    elif minute:
        words += f" و {num2words(minute, lang='fa')} دقیقه"
    return f"ساعت {words} {_fa_part(lang, hour)}"


def _digits(t, role):
    return f"{t.hour}:{t.minute:02d}"


SPEAKERS = {"en": _en, "nl": _nl, "fr": _fr, "ru": _ru, "tr": _tr, "ar": _ar, "fa": _fa,
            "prs": lambda t, role: _fa(t, role, "prs")}


def time_words(lang, value, role="from"):
    """A time of day (datetime.time) as `lang` says it in `role` ("from" or "until")."""
    if role not in ROLES:
        raise ValueError(f"role is one of {ROLES}")
    return SPEAKERS.get(lang, _digits)(value, role)


def day_token(day, today):
    """What a day is called relative to `today`: "today", "tomorrow", a weekday within
    the week ("tue"), or None when it is further off (said otherwise)."""
    ahead = (day - today).days
    if ahead in (0, 1):
        return DAY_TOKENS[ahead]
    return WEEKDAYS[day.weekday()] if 1 < ahead < 7 else None


def day_words(lang, locale, token):
    """A day token (DAY_TOKENS) as `lang` says it."""
    if token in ("today", "tomorrow"):
        return RELATIVE.get(lang, RELATIVE["en"])[DAY_TOKENS.index(token)]
    name = get_day_names("wide", locale=locale)[WEEKDAYS.index(token)]
    return WEEKDAY_FORM.get(lang, "{}").format(name)


NUMBER_LANG = {"prs": "fa"}  # Dari numbers are Persian's
PAIR_ZERO = {"en": "oh", "nl": "nul", "fr": "zéro", "ru": "ноль", "tr": "sıfır", "ar": "صفر", "fa": "صفر", "prs": "صفر"}


def pair_words(lang, pair):
    """Two digits of a postcode as a number, the way people read a Dutch postcode back
    ("10 11": "tien elf"); "05" is "nul vijf". Languages without num2words: digits."""
    if lang not in PAIR_ZERO:
        return pair
    zero = PAIR_ZERO[lang]
    if pair == "00":
        return f"{zero} {zero}"
    number = _tr_number(int(pair)) if lang == "tr" else num2words(int(pair), lang=NUMBER_LANG.get(lang, lang))
    return f"{zero} {number}" if pair.startswith("0") else number
