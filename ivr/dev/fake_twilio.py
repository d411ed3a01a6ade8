"""A fake of Twilio's REST API on loopback, for the tests and for `make run`.

It speaks enough of the 2010-04-01 API for the line's jobs: Messages and Calls are
created (and a call updated), recordings are served (media and metadata) and deleted.
It records every request it gets, checks Basic auth, and can be told to answer the next
requests to a resource with an error, so the tests prove retries. Nothing leaves the
machine.

    with FakeTwilio() as twilio:          # settings: twilio.settings()
        ...                               # twilio.received("Messages")
"""
import base64
import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ACCOUNT_SID = "AC" + "f" * 32
API_KEY = "SK" + "f" * 32
API = re.compile(r"^/2010-04-01/Accounts/(?P<account>AC\w+)/(?P<kind>Messages|Calls|Recordings)"
                 r"(?:/(?P<sid>\w+))?(?P<ext>\.json|\.wav|\.mp3)$")
PREFIX = {"Messages": "SM", "Calls": "CA", "Recordings": "RE"}
MEDIA_TYPES = {".wav": "audio/x-wav", ".mp3": "audio/mpeg"}


@dataclass
class Received:
    method: str
    kind: str            # Messages, Calls, Recordings, or "" for anything else
    sid: str             # the resource's SID in the path, if any
    form: dict           # the POSTed form, one value per name
    authorised: bool
    status: int = 0      # what the fake answered


@dataclass
class Failure:
    status: int
    code: int
    message: str
    times: int


@dataclass
class State:
    requests: list = field(default_factory=list)
    failures: dict = field(default_factory=dict)      # kind -> [Failure]
    recordings: dict = field(default_factory=dict)    # sid -> bytes (WAV)
    changed: threading.Condition = field(default_factory=threading.Condition)


class FakeTwilio:
    def __init__(self, account_sid=ACCOUNT_SID, auth_token=None, log=None):
        self.account_sid = account_sid
        self.api_key = API_KEY
        self.auth_token = auth_token or uuid.uuid4().hex  # also the API key's secret
        self.log = log      # a function given a line per request, without any number
        self.state = State()
        self._server = None

    # -- running -------------------------------------------------------------------
    def start(self):
        fake = self

        class Handler(_Handler):
            owner = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="fake-twilio", daemon=True).start()
        return self

    def stop(self):
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def settings(self, api_key=False):
        """The settings that point the line's REST client here: with the account's auth
        token, or with an API key (`make run`, whose webhooks stay unsigned)."""
        settings = {"TWILIO_ACCOUNT_SID": self.account_sid, "TWILIO_API_BASE": self.url}
        if api_key:
            return {**settings, "TWILIO_API_KEY": self.api_key, "TWILIO_API_SECRET": self.auth_token}
        return {**settings, "TWILIO_API_KEY": "", "TWILIO_API_SECRET": "", "TWILIO_AUTH_TOKEN": self.auth_token}

    # -- what the tests arrange and read ----------------------------------------------
    def fail(self, kind, status=500, times=1, code=20500, message="Internal Server Error"):
        """The next `times` requests to `kind` (Messages, Calls, Recordings) get this error."""
        with self.state.changed:
            self.state.failures.setdefault(kind, []).append(Failure(status, code, message, times))

    def add_recording(self, wav_bytes, sid=None):
        """Holds a recording (WAV bytes) as Twilio would; returns its RecordingUrl."""
        sid = sid or "RE" + uuid.uuid4().hex
        with self.state.changed:
            self.state.recordings[sid] = wav_bytes
        return f"https://api.twilio.com/2010-04-01/Accounts/{self.account_sid}/Recordings/{sid}"

    def received(self, kind=None, method=None):
        with self.state.changed:
            return [r for r in self.state.requests
                    if (kind is None or r.kind == kind) and (method is None or r.method == method)]

    def wait_for(self, kind, count=1, timeout=10.0, method=None):
        """The requests to `kind`, once there are at least `count` of them."""
        with self.state.changed:
            self.state.changed.wait_for(lambda: len(self.received(kind, method)) >= count, timeout)
        found = self.received(kind, method)
        if len(found) < count:
            raise AssertionError(f"the fake Twilio got {len(found)} {kind} request(s), not {count}")
        return found


class _Handler(BaseHTTPRequestHandler):
    owner: FakeTwilio = None
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # the standard log line would hold the query string
        pass

    def do_GET(self):
        self._answer("GET")

    def do_POST(self):
        self._answer("POST")

    def do_DELETE(self):
        self._answer("DELETE")

    def _form(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8") if length else ""
        return {name: values[0] for name, values in parse_qs(raw, keep_blank_values=True).items()}

    def _authorised(self):
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return False
        return user in (self.owner.account_sid, self.owner.api_key) and password == self.owner.auth_token

    def _answer(self, method):
        fake, path = self.owner, urlsplit(self.path).path
        match = API.match(path)
        received = Received(method, match["kind"] if match else "", (match and match["sid"]) or "",
                            self._form() if method == "POST" else {}, self._authorised())
        status, body, kind = self._respond(method, match, received)
        received.status = status
        with fake.state.changed:
            fake.state.requests.append(received)
            fake.state.changed.notify_all()
        if fake.log:
            fake.log(f"fake Twilio: {method} {received.kind or path} -> {status}")
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _respond(self, method, match, received):
        fake = self.owner
        if not match or match["account"] != fake.account_sid:
            return _error(404, 20404, "The requested resource was not found")
        if not received.authorised:
            return _error(401, 20003, "Authentication Error - invalid username")
        with fake.state.changed:
            queued = fake.state.failures.get(received.kind) or []
            if queued:
                failure = queued[0]
                failure.times -= 1
                if failure.times <= 0:
                    queued.pop(0)
                return _error(failure.status, failure.code, failure.message)
        kind, sid, ext = match["kind"], match["sid"], match["ext"]
        if kind == "Recordings":
            return self._recording(method, sid, ext)
        if method != "POST":
            return _error(405, 20004, "Method not allowed")
        if sid:  # an update (a call redirected or ended)
            return _json(200, {"sid": sid, "account_sid": fake.account_sid, **_lower(received.form)})
        sid = PREFIX[kind] + uuid.uuid4().hex
        resource = {"sid": sid, "account_sid": fake.account_sid, "status": "queued", **_lower(received.form)}
        if kind == "Messages":
            resource["num_segments"] = "1"
        return _json(201, resource)

    def _recording(self, method, sid, ext):
        recordings = self.owner.state.recordings
        if sid not in recordings:
            return _error(404, 20404, f"The requested resource /Recordings/{sid} was not found")
        if method == "DELETE":
            del recordings[sid]
            return 204, b"", "application/json"
        if ext in MEDIA_TYPES and method == "GET":
            if ext != ".wav":
                return _error(404, 20404, "this fake serves recordings as .wav only")
            return 200, recordings[sid], MEDIA_TYPES[ext]
        return _json(200, {"sid": sid, "account_sid": self.owner.account_sid, "status": "completed"})


def _lower(form):
    """Twilio answers with snake_case names: To -> to, StatusCallback -> status_callback."""
    return {re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower(): value for name, value in form.items()}


def _json(status, payload):
    return status, json.dumps(payload).encode(), "application/json"


def _error(status, code, message):
    return _json(status, {"code": code, "message": message, "status": status,
                          "more_info": f"https://www.twilio.com/docs/errors/{code}"})
