"""The audio build: telephone-ready audio for every utterance in every language.

For each utterance the sources are tried in the language's order: a staff recording
(the database's current one, given as `recorded`, else one in audio/recordings/; a
database recording made for an earlier text is still used where STALE_RECORDINGS is
"use", and reported stale), then each engine. Audio is content-addressed: the
key hashes the text, language, engine and voice settings (or the recording's bytes),
so a build with nothing changed synthesises nothing, and a changed text makes
that one prompt again. An engine that cannot be reached is said once and skipped.
"""
import contextlib
import sys
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import click

from ..content import registry
from . import encoding, engines as engine_module
from .live import recording_entry, recording_key
from .recordings import find_recording
from .store import content_key, digest


@dataclass
class BuildReport:
    manifest: dict = field(default_factory=dict)
    sources: dict = field(default_factory=lambda: defaultdict(Counter))  # lang -> source -> count
    missing: dict = field(default_factory=lambda: defaultdict(list))  # lang -> item ids
    stale: dict = field(default_factory=lambda: defaultdict(list))  # lang -> item ids
    synthesised: int = 0
    unavailable: dict = field(default_factory=dict)  # engine -> reason, said once
    failures: list = field(default_factory=list)
    required_incomplete: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self):
        return not self.required_incomplete

    def table(self, languages):
        columns = ("recording", "gtts", "espeak", "missing", "stale")
        lines = [f"{'language':<10}" + "".join(f"{c:>11}" for c in columns)]
        for lang in languages:
            counts = self.sources.get(lang, Counter())
            row = [counts.get("recording", 0), counts.get("gtts", 0), counts.get("espeak", 0),
                   len(self.missing.get(lang, [])), len(self.stale.get(lang, []))]
            lines.append(f"{lang:<10}" + "".join(f"{n:>11}" for n in row))
        return "\n".join(lines)


def _progress(items, enabled):
    """Click's progress bar on stderr, only for a person at a terminal."""
    if enabled and sys.stderr.isatty():
        return click.progressbar(length=len(items), file=sys.stderr, label="audio")
    return contextlib.nullcontext(None)


def build(content, store, settings, engines=None, progress=True, log=print, recorded=None):
    """`recorded`: {item id: (the text it was recorded for, telephone WAV bytes)}."""
    recorded = recorded or {}
    started = time.monotonic()
    engines = engines or engine_module.make_engines(settings)
    report = BuildReport()
    previous = store.load_manifest()
    items = registry.items(content)
    down, down_lock = {}, threading.Lock()

    def candidates(item):
        catalogue = content.catalogues[item.lang]
        for source in engine_module.order(catalogue, settings):
            if source == engine_module.RECORDING:
                yield source, None
            elif source in engines and engine_module.voice(catalogue, source):
                yield source, engine_module.voice(catalogue, source)

    previous_by_key = defaultdict(list)
    for entry in previous.values():
        previous_by_key[entry["key"]].append(entry)

    def existing(key):
        """What is known of a key whose file is whole: from the last manifest (its
        digest must match; a host without the file copies it from Redis, so a
        separate release machine makes nothing again), else from the file itself
        when it is telephone-ready."""
        for entry in previous_by_key.get(key, []):
            whole = store.read_disk(key, entry.get("digest")) is not None
            if whole or store.restore_disk(key, entry.get("digest")):
                return entry
        if not previous_by_key.get(key):
            data = store.read_disk(key)
            if data is not None and encoding.is_phone_ready(data):
                return _known(data)
        return None

    def produce(item):
        """(manifest entry, whether audio was made now), or (None, False)."""
        for source, voice in candidates(item):
            if source == engine_module.RECORDING and item.id in recorded:
                text, audio = recorded[item.id]
                stale = text != item.text
                if stale:
                    report.stale[item.lang].append(item.id)
                    if settings.get("STALE_RECORDINGS", "use") == "skip":
                        continue
                store.put(recording_key(audio), audio)
                return recording_entry(item.text, audio, stale), False
            if source == engine_module.RECORDING:
                found = find_recording(settings["AUDIO_DIR"], item.id)
                if found is None:
                    continue
                path, meta = found
                if meta.get("text") != item.text:
                    report.stale[item.lang].append(item.id)
                    continue
                raw = path.read_bytes()
                key = content_key(recording=digest(raw), processing=encoding.VERSION)
                label = f"recording {path.name}"
                make = lambda: encoding.for_phone(encoding.decode(raw, path.suffix.lstrip(".")))  # noqa: E731
            else:
                engine = engines[source]
                key = content_key(text=item.text, lang=item.lang, processing=encoding.VERSION,
                                  voice=engine.settings(voice))
                label = source
                make = lambda: encoding.for_phone(engine.synthesize(item.text, voice))  # noqa: E731
            entry = existing(key)
            if entry is not None:
                return _entry(item, key, source, entry), False
            if source in down:
                continue
            try:
                data = make()
            except engine_module.EngineUnavailable as exc:
                with down_lock:
                    if source not in down:
                        down[source] = str(exc)
                        log(f"\n{source} is unavailable, using the next engine: {exc}")
                continue
            except Exception as exc:  # one prompt failing must not stop the build
                report.failures.append(f"{item.id}: {label}: {exc}")
                continue
            store.put(key, data)
            return _entry(item, key, source, _known(data)), True
        return None, False

    def run(item):
        return item, *produce(item)

    with ThreadPoolExecutor(max_workers=max(1, int(settings["AUDIO_JOBS"]))) as pool, \
            _progress(items, progress) as bar:
        # Counted here, in one thread: the jobs only return what they did.
        for item, entry, made in pool.map(run, items):
            if bar is not None:
                bar.update(1)
            report.synthesised += made
            if entry is None:
                report.missing[item.lang].append(item.id)
            else:
                report.manifest[item.id] = entry
                report.sources[item.lang][entry["engine"]] += 1
    for item_id, entry in previous.items():  # audio made when staff saved an office: not the build's to drop
        if item_id.split("|")[1:2] and item_id.split("|")[1] in registry.MADE_WHEN_SAVED:
            report.manifest.setdefault(item_id, entry)
    report.unavailable = dict(down)
    for lang, catalogue in content.catalogues.items():
        synthesisable = any(engine_module.voice(catalogue, name) for name in engines)
        if synthesisable and report.missing.get(lang):
            report.required_incomplete.append(lang)
    store.save_manifest(report.manifest)
    report.seconds = time.monotonic() - started
    return report


def _known(data):
    """What the manifest keeps about stored audio besides its key."""
    return {"digest": digest(data), "seconds": encoding.measure(data)["seconds"]}


def _entry(item, key, source, known):
    return {"key": key, "engine": source, "text": item.text, "digest": known["digest"], "seconds": known["seconds"]}
