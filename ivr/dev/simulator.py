"""A caller simulator: try the line without a phone.

It drives a running line over HTTP the way Twilio does: it POSTs Twilio's call
parameters (signed with the auth token when one is given), follows <Redirect>s and
<Gather> actions, prints what is said and played, and reads keys from the keyboard or
from a script ("1 2 - 995# 9", where "-" is silence).
"""
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlencode, urljoin

import requests

from ..call import twilio_request
from ..call.twilio_request import CALLED, DEFAULT_CALLER

SILENCE = "-"
MAX_STEPS = 500  # a runaway flow must not make the simulator loop for ever
# How a <Play> the caller cannot hear is shown: "(the audio answers 404)".
SILENT_AUDIO = "(the audio"
# A document that ends without a way on: Twilio hangs up on the caller.
DEAD_END = "the line went silent"
# In INSTANCE_DIR: the URL `make run` serves on, while it runs, for `ivr call` to find.
RUN_URL = "run.url"
DEFAULT_PORT = 5000


@dataclass
class Event:
    kind: str  # say, play, gather, hangup, keys, silence, dial, end
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
    timeout: float = 30.0  # seconds a webhook may take before the call counts as failed

    def params(self, extra=None):
        return {**twilio_request.params(self.call_sid, self.caller, called=self.called), **(extra or {})}

    def request(self, url, method="POST", extra=None):
        params = self.params(extra)
        headers = {}
        if self.token:
            signed = url if method == "POST" else _with_query(url, params)
            headers["X-Twilio-Signature"] = twilio_request.sign(self.token, signed, params if method == "POST" else {})
        try:
            if method == "GET":
                reply = self.session.get(url, params=params, headers=headers, timeout=self.timeout)
            else:
                reply = self.session.post(url, data=params, headers=headers, timeout=self.timeout)
        except requests.ConnectionError as exc:
            raise Unreachable(f"nothing answers at {self.base_url}") from exc
        except requests.RequestException as exc:
            raise CallError(f"{method} {url} failed: {type(exc).__name__}") from exc
        if reply.status_code != 200:
            raise CallError(f"{method} {url} answered {reply.status_code}: {reply.text[:200]}")
        return ET.fromstring(reply.content)


class CallError(RuntimeError):
    pass


class Unreachable(CallError):
    """Nothing answers at the line's URL: it is not running there."""


def line_url(settings, environ):
    """Where the line to call runs, and how we know: $PORT when it is set, else the URL
    a running `make run` wrote (INSTANCE_DIR/run.url), else the default port."""
    if environ.get("PORT"):
        return f"http://127.0.0.1:{environ['PORT']}", "from PORT"
    announced = Path(settings["INSTANCE_DIR"]) / RUN_URL
    try:
        url = announced.read_text(encoding="utf-8").strip()
    except OSError:
        url = ""
    if url:
        return url, f"where `make run` said it serves, in {announced}"
    return f"http://127.0.0.1:{DEFAULT_PORT}", "the default; no `make run` has said where it serves"


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
            elif verb.tag == "Dial":
                # Nobody answers a simulated call: Twilio posts the dial's action with
                # the outcome, as it would after its timeout.
                emit(Event("dial", (verb.text or "").strip()))
                if verb.get("action"):
                    next_step = (urljoin(url, verb.get("action")), verb.get("method", "POST"),
                                 {"DialCallStatus": "no-answer"})
                    break
            elif verb.tag == "Hangup":
                emit(Event("hangup"))
                return
        if next_step is None:
            # Twilio ends a call whose document runs out: a dead end.
            emit(Event("end", f"{DEAD_END}: the document ended without a way on"))
            return
        url, method, extra = next_step
    emit(Event("end", f"stopped after {max_steps} requests"))


def _speech(verb, session=None):
    if verb.tag == "Play":
        url = (verb.text or "").strip()
        return Event("play", _played_text(url, session), url=url)
    return Event("say", (verb.text or "").strip(), verb.get("language", ""))


def _played_text(url, session):
    """What an audio file says, from the line's X-Ivr-Text header. It is fetched as
    Twilio fetches it (GET), which proves the audio is there; one that cannot be
    fetched is silence for the caller, and its text says so (see SILENT_AUDIO)."""
    if session is None:
        return ""
    try:
        reply = session.get(url, timeout=10)
    except requests.RequestException as exc:
        return f"{SILENT_AUDIO} cannot be fetched: {type(exc).__name__})"
    if reply.status_code != 200:
        return f"{SILENT_AUDIO} answers {reply.status_code})"
    if not reply.content:
        return f"{SILENT_AUDIO} is empty)"
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


def printer(out=None):
    out = out or sys.stdout  # the stdout of the moment (a test's runner may have swapped it)

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
        elif event.kind == "dial":
            out.write(f"[the line rings {event.text}: nobody answers in a simulation]\n")
        elif event.kind == "end":
            out.write(f"[{event.text}]\n")
        out.flush()

    return emit
