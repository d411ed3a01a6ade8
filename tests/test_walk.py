"""Walk the whole tree, every key at every gather, in every offered language:
no error, no dead end, every Gather followed by a way on."""
from collections import deque
from urllib.parse import urlsplit

import pytest

from twiml import assert_way_on, parse

MENU_KEYS = list("0123456789*#")
ENTRIES = ["212", "995", "1876", "49", "31", "999", "", "*", "0", "9", "0000000"]


def walk(client, start):
    """Every document reachable from `start`; returns the node paths seen."""
    queue, seen, nodes = deque([(start, None)]), set(), set()
    while queue:
        url, digits = queue.popleft()
        if (url, digits) in seen:
            continue
        seen.add((url, digits))
        form = {"From": "+212612345678"}
        if digits is not None:
            form["Digits"] = digits
        root = parse(client.post(url, data=form))
        assert_way_on(root)
        nodes.add(urlsplit(url).path)
        for gather in root.iter("Gather"):
            keys = ENTRIES if gather.get("finishOnKey") == "#" else MENU_KEYS
            queue.extend((gather.get("action"), key) for key in keys)
        for redirect in root.iter("Redirect"):
            queue.append((redirect.text.strip(), None))
    return nodes, len(seen)


def test_the_whole_line_from_the_first_ring(client, app):
    nodes, requests = walk(client, "/voice")
    offered = app.extensions["ivr"].flow.languages()
    tree = app.extensions["ivr"].content.tree
    for lang in offered:
        for node_id in tree.nodes:
            assert f"/voice/{lang}/{node_id}" in nodes, f"{lang}/{node_id} never reached"
    assert requests > 100 * len(offered)


@pytest.mark.parametrize("node_id", ["main", "safe_lookup", "safe_result", "return_organisations"])
def test_every_node_answers_in_every_catalogue_language(client, app, node_id):
    """Also the languages not yet offered: their content must already be sound."""
    flow = app.extensions["ivr"].flow
    for lang in app.extensions["ivr"].content.catalogues:
        if lang in flow.languages():
            root = parse(client.post(f"/voice/{lang}/{node_id}?cc=MA"))
            assert_way_on(root)
