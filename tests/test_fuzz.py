"""Property: whatever is sent to a webhook, the answer is a TwiML document with a way
on, a 204 (the status callback) or a 4xx; never a 5xx.

Hypothesis draws paths (real and made-up languages and nodes), query values, form
fields (Twilio's names and others, digits from any script), content types and raw
bodies, with and without a token (signed as Twilio would, or not). The run is
derandomized and bounded, so it is the same few seconds on every machine.
"""
import xml.etree.ElementTree as ET
from urllib.parse import parse_qsl, quote, urlencode

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ivr import create_app
from ivr.call import twilio_request
from ivr.services import of
from twiml import assert_way_on

TOKEN = "fuzz-token"
FORM_TYPE = "application/x-www-form-urlencoded"
UNICODE_DIGITS = "²³¹①⑨٠١٢٣٤٥٦٧٨٩۳४৪๓０１２３𝟙"
TWILIO_NAMES = ["CallSid", "From", "To", "Caller", "Called", "Digits", "CallStatus", "CallDuration", "AccountSid"]
QUERY_NAMES = ["page", "tries", "part", "cc", "Digits", "From"]
# Mostly Twilio's form type, so most requests reach the flow; the others are refused.
CONTENT_TYPES = [FORM_TYPE] * 8 + [FORM_TYPE + "; charset=utf-8", None, "multipart/form-data; boundary=b",
                                   "multipart/form-data", "application/json", "text/plain", "application/octet-stream"]


@pytest.fixture(scope="module")
def apps():
    """The line without a token and with one (made once: Hypothesis reruns the test body)."""
    return {token: create_app({"TESTING": True, "AUDIO_ENABLED": False, "TWILIO_AUTH_TOKEN": token})
            for token in ("", TOKEN)}


def _segment(known, made_up):
    real = st.sampled_from(known)
    return st.one_of(real, st.text(min_size=1, max_size=12).map(lambda s: quote(s, safe=""))) if made_up else real


def paths(app, made_up=True):
    """Every webhook; languages and nodes the line has, and (`made_up`) any others."""
    content = of(app).content
    langs, nodes = _segment(sorted(content.catalogues), made_up), _segment(sorted(content.tree.nodes), made_up)
    node = st.builds(lambda lang, node_id: f"/voice/{lang}/{node_id}", langs, nodes)
    return st.one_of(
        st.sampled_from(["/voice", "/voice/language", "/voice/language/key", "/voice/status"]),
        node, node.map(lambda path: path + "/key"),
    )


digits = st.text(alphabet="0123456789*#" + UNICODE_DIGITS, max_size=8)
value = st.one_of(digits, st.text(max_size=20), st.sampled_from(["+31612345678", "+212612345678", "MA", "-1", "99999"]))
names = st.one_of(st.sampled_from(TWILIO_NAMES + QUERY_NAMES), st.text(max_size=8))
# Parameters: each name once (as Twilio sends them), or with repeats.
pairs = st.one_of(st.lists(st.tuples(names, value), max_size=6, unique_by=lambda pair: pair[0]),
                  st.lists(st.tuples(names, value), max_size=6))
# A body: a form (maybe with repeats or odd fields), or bytes of any kind.
bodies = st.one_of(pairs.map(lambda items: urlencode(items).encode()),
                   st.binary(max_size=64),
                   st.just(b"--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--\r\n"))


def check(reply, path):
    event(f"status {reply.status_code}")  # shown by --hypothesis-show-statistics
    assert reply.status_code < 500, (path, reply.status_code, reply.data[:200])
    if reply.status_code == 200:
        assert reply.mimetype == "text/xml"
        root = ET.fromstring(reply.data)
        assert root.tag == "Response"
        assert_way_on(root)
    else:
        assert reply.status_code in (204, 400, 403, 404, 405, 413, 415), (path, reply.status_code)


@settings(max_examples=600, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data(), query=pairs, body=bodies, content_type=st.sampled_from(CONTENT_TYPES),
       token=st.sampled_from(["", TOKEN]), signed=st.booleans())
def test_any_webhook_request_gets_twiml_or_a_4xx(apps, data, query, body, content_type, token, signed):
    app = apps[token]
    path = data.draw(paths(app), label="path")
    url = path + (f"?{urlencode(query)}" if query else "")
    headers = {}
    if token and signed:
        # Signed as Twilio would sign this form, so the request reaches the flow.
        form = dict(pairs_of(body))
        headers["X-Twilio-Signature"] = twilio_request.sign(TOKEN, f"http://localhost{url}", form)
    reply = app.test_client().post(url, data=body, content_type=content_type, headers=headers)
    check(reply, url)


def pairs_of(body):
    try:
        return parse_qsl(body.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        return []


@settings(max_examples=300, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), keys=digits,
       choices=st.lists(st.tuples(st.sampled_from(QUERY_NAMES[:4]), value), max_size=3, unique_by=lambda p: p[0]))
def test_signed_twilio_forms_always_get_a_way_on(apps, data, choices, keys):
    """Twilio's own form, signed, with any digits and counters: always a document (or the 204)."""
    app = apps[TOKEN]
    path = data.draw(paths(app, made_up=False), label="path")
    url = path + (f"?{urlencode(choices)}" if choices else "")
    form = twilio_request.params(twilio_request.new_call_sid(), digits=keys)
    signature = twilio_request.sign(TOKEN, f"http://localhost{url}", form)
    reply = app.test_client().post(url, data=form, headers={"X-Twilio-Signature": signature})
    check(reply, url)
    assert reply.status_code in (200, 204), (url, reply.status_code)
