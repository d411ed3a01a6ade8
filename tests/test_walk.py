"""Walk the whole tree, every key at every gather, in every offered language:
no error, no dead end, every Gather followed by a way on."""
import xml.etree.ElementTree as ET

import pytest

from ivr.call.flow import Flow
from ivr.call.speech import SaySpeech
from ivr.services import of
from support import walk
from twiml import assert_way_on, parse


def test_the_whole_line_from_the_first_ring(client, app):
    nodes, requests = walk(client, "/voice")
    offered = of(app).flow.languages()
    tree = of(app).content.tree
    for lang in offered:
        for node_id in tree.nodes:
            assert f"/voice/{lang}/{node_id}" in nodes, f"{lang}/{node_id} never reached"
    assert requests > 100 * len(offered)


class EverySpeech(SaySpeech):
    """Speaks every catalogue, those no voice is offered for yet included."""

    def can_speak(self, lang):
        return lang in self.content.catalogues

    def add(self, parent, lang, utterances):
        for utterance in utterances:
            parent.say(self.content.text(lang, utterance), language=lang)


@pytest.mark.parametrize("node_id", ["main", "safe_lookup", "safe_result", "return_organisations"])
def test_every_node_answers_in_every_catalogue_language(app, line, node_id):
    """The languages not yet offered too: their content must already be sound."""
    flow = Flow(line.content, EverySpeech(line.content), app.config)
    for lang in line.content.catalogues:
        root = ET.fromstring(str(flow.node(lang, node_id, cc="MA", caller="+212612345678")))
        assert_way_on(root)
        said = [e.text for e in root.iter("Say")]
        assert said and all(text and "{" not in text for text in said), (lang, said)
