"""Helpers to read TwiML structurally in tests."""
import xml.etree.ElementTree as ET

SPEECH = ("Say", "Play")


def parse(response):
    assert response.status_code == 200, (response.status_code, response.data[:300])
    assert response.mimetype == "text/xml"
    root = ET.fromstring(response.data)
    assert root.tag == "Response"
    return root


def spoken(element):
    """Every Say text (or Play URL) in document order."""
    return [(e.text or "").strip() for e in element.iter() if e.tag in SPEECH]


def only_gather(root):
    gathers = root.findall("Gather")
    assert len(gathers) == 1, [child.tag for child in root]
    return gathers[0]


def redirect_of(root):
    redirects = root.findall("Redirect")
    assert len(redirects) == 1, [child.tag for child in root]
    return redirects[0].text.strip()


def assert_way_on(root):
    """The caller never meets silence: a Gather is followed by a Redirect, the document
    ends in a Redirect or in a Hangup that something said before."""
    children = list(root)
    assert children, "an empty document drops the call"
    for index, child in enumerate(children):
        if child.tag == "Gather":
            assert child.get("action"), "a Gather without an action"
            assert any(inner.tag in SPEECH for inner in child), "a Gather that says nothing"
            assert index + 1 < len(children) and children[index + 1].tag == "Redirect", (
                "a Gather must be followed by a Redirect"
            )
    last = children[-1]
    assert last.tag in ("Redirect", "Hangup"), f"the document ends in {last.tag}: a dead end"
    if last.tag == "Hangup":
        assert any(e.tag in SPEECH for e in children[:-1]), "a hang-up without a goodbye"
