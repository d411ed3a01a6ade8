"""A caller simulator: try the line without a phone.

It drives a running line over HTTP the way Twilio does: it POSTs Twilio's call
parameters (signed with the auth token when one is given), follows <Redirect>s and
<Gather> actions, prints what is said and played, and reads keys from the keyboard or
from a script ("1 2 - 995# 9", where "-" is silence).
"""
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import unquote, urlencode, urljoin

import requests

from ..call import twilio_request
from ..call.twilio_request import CALLED, DEFAULT_CALLER

SILENCE = "-"
MAX_STEPS = 500  # a runaway flow must not make the simulator loop for ever


@dataclass
class Event:
    kind: str  # say, play, gather, hangup, keys, silence, end
    text: str = ""  # what the caller hears (for play: what the audio says)
    language: str = ""
    url: str = ""  # for play: the audio's URL


@dataclass
class Call:
    base_url: str
    caller: str = DEFAULT_CALLER
    called: str = CALLED
    token: str = ""
    session: object = field(default_factory=requests.Session)
    call_sid: str = field(default_factory=twilio_request.new_call_sid)

    def params(self, extra=None):
        return {**twilio_request.params(self.call_sid, self.caller, called=self.called), **(extra or {})}

    def request(self, url, method="POST", extra=None):
        params = self.params(extra)
        headers = {}
        if self.token:
            signed = url if method == "POST" else _with_query(url, params)
            headers["X-Twilio-Signature"] = twilio_request.sign(self.token, signed, params if method == "POST" else {})
        if method == "GET":
            reply = self.session.get(url, params=params, headers=headers, timeout=30)
        else:
            reply = self.session.post(url, data=params, headers=headers, timeout=30)
        if reply.status_code != 200:
            raise CallError(f"{method} {url} answered {reply.status_code}: {reply.text[:200]}")
        return ET.fromstring(reply.content)


class CallError(RuntimeError):
    pass


def _with_query(url, params):
    return url + ("&" if "?" in url else "?") + urlencode(params)


def run(call, next_keys, emit, max_steps=MAX_STEPS):
    """Follow the call until it hangs up or the caller stops pressing keys.

    `next_keys()` returns the caller's input at a <Gather>: digits, "" for silence,
    or None to hang up. `emit(Event)` receives everything the caller would hear.
    """
    url = urljoin(call.base_url, "/voice")
    method, extra = "POST", None
    for _ in range(max_steps):
        document = call.request(url, method, extra)
        extra, next_step = None, None
        for verb in document:
            if verb.tag in ("Say", "Play"):
                emit(_speech(verb, call.session))
            elif verb.tag == "Gather":
                for inner in verb:
                    if inner.tag in ("Say", "Play"):
                        emit(_speech(inner, call.session))
                emit(Event("gather", verb.get("finishOnKey", "#")))
                keys = next_keys()
                if keys is None:
                    emit(Event("end", "the caller hangs up"))
                    return
                digits = keys.rstrip("#") if verb.get("finishOnKey", "#") == "#" else keys
                limit = verb.get("numDigits")
                if limit:
                    digits = digits[: int(limit)]
                # Twilio calls the action only with digits (or when told to on empty
                # input); a lone finish key falls through like silence.
                if digits or verb.get("actionOnEmptyResult") == "true":
                    emit(Event("keys", keys))
                    next_step = (urljoin(url, verb.get("action") or url), verb.get("method", "POST"), {"Digits": digits})
                    break
                emit(Event("silence"))
            elif verb.tag == "Redirect":
                next_step = (urljoin(url, verb.text.strip()), verb.get("method", "POST"), None)
                break
            elif verb.tag == "Hangup":
                emit(Event("hangup"))
                return
        if next_step is None:
            # Twilio ends a call whose document runs out: a dead end.
            emit(Event("end", "the line went silent: the document ended without a way on"))
            return
        url, method, extra = next_step
    emit(Event("end", f"stopped after {max_steps} requests"))


def _speech(verb, session=None):
    if verb.tag == "Play":
        url = (verb.text or "").strip()
        return Event("play", _played_text(url, session), url=url)
    return Event("say", (verb.text or "").strip(), verb.get("language", ""))


def _played_text(url, session):
    """What an audio file says, from the line's X-Ivr-Text header; a HEAD request
    also proves the audio is there, as Twilio will need it."""
    if session is None:
        return ""
    try:
        reply = session.head(url, timeout=10)
    except requests.RequestException as exc:
        return f"(cannot fetch the audio: {exc})"
    if reply.status_code != 200:
        return f"(the audio answers {reply.status_code})"
    return unquote(reply.headers.get("X-Ivr-Text", ""))


def scripted(keys):
    """Keys from a script: "1 2 - 995#" (- is silence); None when it runs out."""
    tokens = iter(keys.split())

    def next_keys():
        token = next(tokens, None)
        if token is None:
            return None
        return "" if token == SILENCE else token

    return next_keys


def keyboard(stream=sys.stdin, prompt=sys.stderr):
    def next_keys():
        prompt.write("keys (Enter for silence, q to hang up)> ")
        prompt.flush()
        line = stream.readline()
        if not line or line.strip().lower() == "q":
            return None
        return line.strip()

    return next_keys


def printer(out=sys.stdout):
    def emit(event):
        if event.kind == "say":
            out.write(f"  [{event.language}] {event.text}\n")
        elif event.kind == "play":
            out.write(f"  [plays] {event.text}  <{event.url}>\n")
        elif event.kind == "keys":
            out.write(f"> pressed {event.text}\n")
        elif event.kind == "silence":
            out.write("> (silence)\n")
        elif event.kind == "hangup":
            out.write("[the line hangs up]\n")
        elif event.kind == "end":
            out.write(f"[{event.text}]\n")
        out.flush()

    return emit
