"""Pre-generated audio on the line: the Speech that answers with <Play>.

A language is offered when every utterance it can say has current audio (its text
unchanged since the build); AUDIO_PREVIEW relaxes that for staff. Any utterance
without current audio, or whose audio cannot be served (a corrupt file: the
manifest's `bad` keys), falls back, in order, to Twilio's <Say> voice for the
language, to the audio of its previous text, and last to <Say> in the default voice,
so the caller never hears silence. `ivr check` reports what lacks audio, `ivr audio
coverage` also what cannot be served.
"""
from ..audio import encoding
from ..content import registry


class PlaySpeech:
    def __init__(self, content, manifest, say, base_url, preview=False):
        self.content = content
        self.manifest = manifest  # ivr.audio.manifest.Manifest
        self.say = say
        self.base_url = base_url  # a function: the absolute URL prefix for <Play>
        self.preview = preview

    @property
    def generation(self):
        """Changes with every new build, so TwiML made from the old one is not reused."""
        self.manifest.refresh()
        return self.manifest.generation

    def can_speak(self, lang):
        self.manifest.refresh()
        if self.manifest.complete(lang):
            return True
        if not self.preview or lang not in self.content.catalogues:
            return False
        return self.manifest.covered(lang) > 0 or self.say.can_speak(lang)

    def url(self, key):
        return f"{self.base_url().rstrip('/')}/audio/{key}.{encoding.EXTENSION}"

    def _made_since(self, item_id, lang, utterance):
        entry = self.manifest.entries.get(item_id)
        if entry is not None and utterance.prompt in registry.MADE_WHEN_SAVED \
                and entry.get("text") == self.content.text(lang, utterance):
            return entry["key"]
        return None

    def add(self, parent, lang, utterances):
        manifest = self.manifest
        for utterance in utterances:
            item_id = registry.utterance_id(lang, utterance)
            key = manifest.current.get(item_id)
            if key is None:  # made outside the build (an office's name, when staff saved it): current if its text is
                key = self._made_since(item_id, lang, utterance)
            if key is not None and key not in manifest.bad:
                parent.play(self.url(key))
            elif self.say.can_speak(lang):
                self.say.add(parent, lang, [utterance])
            elif item_id in manifest.entries and manifest.entries[item_id]["key"] not in manifest.bad:
                parent.play(self.url(manifest.entries[item_id]["key"]))
            else:
                parent.say(self.content.text(lang, utterance))
