"""What several test files share that is not a fixture: settings and a tree walker."""
import io
import math
import re
import time
import wave
from collections import deque
from urllib.parse import urlsplit

from twiml import assert_way_on, parse

# Tests that need audio use eSpeak NG only: it is offline and quick. The gTTS path
# has its own tests, with its HTTP mocked.
OFFLINE_ENGINES = "recording,espeak"

MENU_KEYS = list("0123456789*#")
ENTRIES = ["212", "995", "1876", "49", "31", "999", "", "*", "0", "9", "0000000"]


def walk(client, start):
    """Every document reachable from `start` pressing every key at every Gather;
    returns the node paths seen and the number of requests made."""
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


# -- the staff admin --------------------------------------------------------------------------
STAFF_PASSWORD = "a long enough password"
CSRF_FIELD = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, path="/admin/login", **request):
    """The CSRF token a page's forms carry (the same for every form of a session)."""
    html = client.get(path, **request).get_data(as_text=True)
    found = CSRF_FIELD.search(html)
    assert found, f"no csrf_token field on {path}"
    return found.group(1)


def log_in(client, name, password, token=None):
    token = token or csrf_token(client)
    return client.post("/admin/login", data={"name": name, "password": password, "csrf_token": token})


def wait_for(page, condition, timeout=60_000):
    """Until the JS expression `condition` holds in a Playwright page. Polled from
    here: wait_for_function compiles its predicate inside the page, which a page's
    CSP (no eval) refuses."""
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(condition):
        assert time.monotonic() < deadline, f"still not true after {timeout} ms: {condition}"
        page.wait_for_timeout(20)


def tone_wav(seconds=1.5, rate=22050, pitch=220.0):
    """A real WAV file: a tone with a rising and falling level, like a voice."""
    frames = bytearray()
    for n in range(int(seconds * rate)):
        envelope = math.sin(math.pi * n / (seconds * rate))
        frames += int(12000 * envelope * math.sin(2 * math.pi * pitch * n / rate)).to_bytes(2, "little", signed=True)
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(rate)
        w.writeframes(bytes(frames))
    return out.getvalue()
