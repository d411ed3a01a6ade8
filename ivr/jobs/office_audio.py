"""An office's name and place as audio, made when staff save the office: "The nearest
office is {office}, in {place}." in every language an engine speaks, put into the
store and the published manifest (every worker plays it within a few seconds; the
build keeps it: registry.MADE_WHEN_SAVED). Until it exists, or in a language no
engine speaks, the line says it with <Say>.

Queued by whoever saves an office: services.jobs.enqueue("ivr.jobs.office_audio.make",
office_id, description="office audio").
"""
import logging

from ..audio import encoding, engines as engine_module
from ..audio.build import _entry, _known
from ..audio.store import content_key
from ..content import registry
from ..content.utterance import Utterance
from . import context

log = logging.getLogger(__name__)


def utterance(office):
    return Utterance("office_is", (("office", office.name), ("place", office.place)))


def made(content, store, engines, settings, office):
    """{item id: manifest entry} for `office` in every language an engine speaks."""
    said, out = utterance(office), {}
    for lang, catalogue in content.catalogues.items():
        text = content.text(lang, said)
        item = registry.Item(registry.utterance_id(lang, said), lang, said, text)
        for source in engine_module.order(catalogue, settings):
            voice = engine_module.voice(catalogue, source)
            engine = engines.get(source)
            if engine is None or not voice:
                continue
            key = content_key(text=text, lang=lang, processing=encoding.VERSION, voice=engine.settings(voice))
            try:
                data = encoding.for_phone(engine.synthesize(text, voice))
            except Exception as exc:  # noqa: BLE001 - the next engine, as the build does
                log.warning("office audio: %s %s: %s", lang, source, exc)
                continue
            store.put(key, data)
            out[item.id] = _entry(item, key, source, _known(data))
            break
    return out


def make(office_id):
    """The job: the office's audio in every language, published at once."""
    jobs = context.current()
    services = jobs.services
    if services.offices is None or services.manifest is None:
        return
    office = next((o for o in services.offices.directory.offices() if o.id == office_id), None)
    if office is None:
        return
    store = services.store
    entries = made(services.content, store, engine_module.make_engines(jobs.settings), jobs.settings, office)
    published = store.redis_manifest()  # what every host plays; else this host's
    manifest = dict(published[1]) if published else dict(store.disk_manifest() or {})
    manifest.update(entries)
    store.save_manifest(manifest)
    log.info("office audio: office %s in %s languages", office_id, len(entries))
