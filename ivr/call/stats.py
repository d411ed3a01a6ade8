"""The counting hooks the webhooks call: what a webhook means for the statistics
(a node reached, a silence, a wrong key, an answer heard to its end), worked out
from the tree and handed to ivr.stats.counting. Never part of the TwiML cache key:
the answer to a webhook does not depend on it.
"""
from ..content import countries

GLOBAL_KEYS = ("repeat", "back", "main", "language")


def _chunk_count(flow, node):
    return 1 if node.type == "country" else len(flow.content.chunks(node))


def _is_answer(node):
    return node.type in ("answer", "country")


def node(services, sid, lang, node_id, part, tries, cc):
    flow = services.flow
    found = flow.tree.get(node_id) if flow.knows(lang, node_id) else None
    if found is None:
        return
    fields = []
    if tries:
        fields.append(f"silence:{node_id}")
    elif part == 0:
        fields.append(f"reached:{node_id}")
        if found.type == "country" and cc in countries.all_regions():  # never a string a sender made up
            fields.append(f"country:{cc}")
    last = _is_answer(found) and part + 1 >= _chunk_count(flow, found)
    services.stats.node(sid, node_id, fields, last)


def outcome(flow, node, digits, part):
    """(heard, wrong) for a key pressed at `node`: heard, any key after an answer's
    last part; wrong, a key that leads nowhere here (said "not one of the choices")."""
    if node.type in ("dial_code", "postcode"):  # typed entries: what was wrong is said, not counted
        return False, False
    answer = _is_answer(node)
    last = answer and part + 1 >= _chunk_count(flow, node)
    if digits in {flow.keys[name] for name in GLOBAL_KEYS}:
        return last, False
    if answer and not last:
        return False, digits != flow.keys["next"]
    valid = (digits in node.options or bool(node.caller_country and digits == node.caller_country.get("key"))
             or flow.offers_office(node, digits, part))
    return last, not valid


def key(services, sid, lang, node_id, digits, part):
    flow = services.flow
    found = flow.tree.get(node_id) if flow.knows(lang, node_id) else None
    if found is None:
        return
    heard, wrong = outcome(flow, found, digits, part)
    if heard or wrong:
        services.stats.key(sid, node_id, heard, wrong)
