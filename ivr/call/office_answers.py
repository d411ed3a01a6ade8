"""What the office finder's first page answers, worked out from the request's values
alone (no Flask), so its view (ivr.call.office_views) and the fast path before Flask
(ivr.call.fastpath) answer alike, as ivr.call.answers does for the menus.

Its cache key holds what the page says (`office_words.said_key`: open now until when,
or the next hours), never the URL alone: at closing time the key changes, and the
TwiML is made again.
"""
from ..content.utterance import Utterance as U
from . import twiml
from .answers import Answer
from .office_words import said_key
from .paths import node_path


def place(services, sent):
    """(pc, prov, typed) from the query string: digits and a known province only."""
    pc, typed, prov = sent.args.get("pc", ""), sent.args.get("typed", ""), sent.args.get("prov", "")
    return (pc if pc.isascii() and pc.isdigit() else "", prov if services.content.regions.get(prov) else "",
            typed if typed.isascii() and typed.isdigit() else "")


def office_key(office):
    """What of an office its pages say (the record itself may hold unhashable fields)."""
    return office.id, office.name, office.place, office.phone


def found(services, sent, lang):
    """(finder, office, status, today, place), None; or None and (why, a function making
    the TwiML that starts again). That TwiML is made only when it is not cached: it may
    play audio, whose URLs need the request (so the fast path never makes it)."""
    finder, flow = services.flow.offices, services.flow
    if finder is None:  # no office data on this line: the postcode node says where to ask
        return None, ("no-data", lambda: twiml.redirect(node_path(lang, "find_office")))
    if lang not in flow.languages():
        return None, ("unknown", lambda: flow.unknown(lang))
    now = finder.clock()
    where = place(services, sent)
    nearest = finder.resolve(where[0], where[1], now)
    if nearest is None:
        return None, ("none", lambda: finder.ask(lang, intro=[U("office_none")]))
    return (finder, nearest[0], finder.lookup.status(nearest[0], now), now.date(), where), None


def office(services, sent, lang):
    """The office for the postcode (or province) in the query, its hours from now, the choices."""
    result, other = found(services, sent, lang)
    if result is None:
        return Answer(("office-none", lang, other[0]), other[1])
    finder, info, status, today, where = result
    part, tries, new = sent.counter("part"), sent.counter("tries"), sent.flag("new")

    def count():
        if not part and not tries:
            province = finder.lookup.province(where[0]) if where[0] else where[1]
            services.stats.add(f"office:{province}")

    return Answer(("office", lang, office_key(info), said_key(info, status, today), where, part, tries, new),
                  lambda: finder.answer(lang, info, status, today, where, part, tries, new), count)
