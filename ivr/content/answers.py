"""What an answer node says: its own chunks, then those made from a list in facts/
(one organisation per chunk, the consulting hours, the countries unsafe for return),
so staff changing a list change the answer."""
from .utterance import Utterance

# Lists in facts/ that an answer node can say (its `chunks_from`).
CHUNK_SOURCES = ("organisations", "unsafe_return", "consulting_hours")
# Prompts said around lists that come from facts/, whichever way the data is.
LIST_PROMPTS = ("unsafe_list_intro", "unsafe_list_unconfirmed")


def chunks(content, node):
    """An answer node's chunks as lists of utterances, data-made chunks last."""
    made = [[Utterance(p) for p in chunk] for chunk in node.chunks]
    source = node.chunks_from
    if source == "organisations":
        made += [[Utterance(org["prompt"])] for org in content.organisations]
    elif source == "consulting_hours":
        made += _consulting_hours(content.consulting_hours)
    elif source == "unsafe_return":
        made.append(_unsafe_return(content.unsafe_return))
    return made


def _consulting_hours(hours):
    said = [Utterance(kind["prompt"]) for kind in hours.get("kind") or []]
    said += [Utterance(hours["where"])] if hours.get("where") else []
    return [said] if said else []


def _unsafe_return(data):
    listed = data.get("countries") or []
    if data.get("confirmed") and listed:
        return [Utterance("unsafe_list_intro")] + [Utterance("country_name", (("country", r),)) for r in listed]
    return [Utterance("unsafe_list_unconfirmed")]
