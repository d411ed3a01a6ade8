"""A staff recording on the line from the next call, on every host, without a build.

The recording's audio goes into the store under its content key (this host's disk and
Redis), and the build's manifest gets that one utterance changed and is published
again: every worker loads a new manifest version from Redis within REFRESH_SECONDS
(manifest.Manifest.refresh), and a host without the file reads it from Redis.

A recording's entry keeps what it replaced ("underneath"), so undoing the last
recording brings the engine's audio back without a build.
"""
from . import encoding
from .engines import RECORDING
from .store import content_key, digest

UNDERNEATH = "underneath"


def recording_key(audio):
    """The content key of a recording's telephone audio (as the build makes it)."""
    return content_key(recording=digest(audio), processing=encoding.VERSION)


def recording_entry(text, audio, stale=False):
    """The manifest entry that plays `audio` for an utterance whose text is `text`."""
    entry = {"key": recording_key(audio), "engine": RECORDING, "text": text, "digest": digest(audio),
             "seconds": encoding.measure(audio)["seconds"]}
    if stale:
        entry["stale"] = True  # played although recorded for an earlier text (STALE_RECORDINGS)
    return entry


def _entries(store):
    """The manifest every host plays: Redis's, else this host's."""
    found = store.redis_manifest()
    return dict(found[1]) if found is not None else dict(store.disk_manifest() or {})


def play(store, item_id, text, audio, stale=False):
    """Make `audio` (telephone WAV) what the line plays for `item_id` (whose text now
    is `text`) from now on."""
    entry = recording_entry(text, audio, stale)
    store.put(entry["key"], audio)
    entries = _entries(store)
    previous = entries.get(item_id)
    if previous is not None and previous.get("engine") == RECORDING:
        previous = previous.get(UNDERNEATH)
    if previous is not None:
        entry[UNDERNEATH] = previous
    entries[item_id] = entry
    store.save_manifest(entries)
    return entry


def unplay(store, item_id):
    """Stop playing a recording for `item_id`: the engine's audio it replaced plays
    again (or none, and the line speaks it with <Say>)."""
    entries = _entries(store)
    previous = entries.get(item_id)
    if previous is None or previous.get("engine") != RECORDING:
        return None
    underneath = previous.get(UNDERNEATH)
    if underneath is None:
        del entries[item_id]
    else:
        entries[item_id] = underneath
    store.save_manifest(entries)
    return underneath
