"""What an answer node says: its own chunks, then those made from a list in facts/
(one organisation per chunk, the consulting hours, the countries unsafe for return),
so staff changing a list change the answer."""
from .utterance import Utterance

# Lists in facts/ that an answer node can say (its `chunks_from`).
CHUNK_SOURCES = ("organisations", "unsafe_return", "consulting_hours")
# Prompts said around lists that come from facts/, whichever way the data is.
LIST_PROMPTS = ("unsafe_list_intro", "unsafe_list_unconfirmed")
# Organisations said together, this many to a part at most: a caller hears the list
# in one or two parts, not a "press 1 to continue" after every name.
ORGANISATIONS_PER_PART = 4


def chunks(content, node):
    """An answer node's chunks as lists of utterances, data-made chunks last."""
    made = [[Utterance(p) for p in chunk] for chunk in node.chunks]
    source = node.chunks_from
    if source == "organisations":
        made = _with_organisations(made, [Utterance(org["prompt"]) for org in content.organisations])
    elif source == "consulting_hours":
        made += _consulting_hours(content.consulting_hours)
    elif source == "unsafe_return":
        # Said with the introduction: two short texts need no "press 1 to continue".
        listed = _unsafe_return(content.unsafe_return)
        made = made[:-1] + [made[-1] + listed] if made else [listed]
    return made


def _with_organisations(made, said):
    """The organisations in as few parts as ORGANISATIONS_PER_PART allows, of even
    size, the first joined to the answer's own last part (its introduction)."""
    if not said:
        return made
    parts = -(-len(said) // ORGANISATIONS_PER_PART)
    size = -(-len(said) // parts)
    groups = [said[i : i + size] for i in range(0, len(said), size)]
    if made:
        made = made[:-1] + [made[-1] + groups[0]] + groups[1:]
    else:
        made = groups
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
