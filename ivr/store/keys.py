"""Every Redis key the line uses, in one place. All live under one namespace so the
line can share a Redis with other applications."""

NAMESPACE = "ivr:"

# Audio bytes by content key: ivr:audio:<key>. Immutable: the key is a content hash.
AUDIO = NAMESPACE + "audio:{key}"
# The audio manifest (what to play for each prompt in each language): a hash of
# "<lang>|<prompt>|<slots>" -> JSON entry, and its version: the manifest's SHA-256,
# written after the hash by every build, read by every worker to notice a new build.
AUDIO_MANIFEST = NAMESPACE + "audio:manifest"
AUDIO_MANIFEST_VERSION = NAMESPACE + "audio:manifest-version"
# Held by the one worker that copies audio from disk into an empty Redis.
AUDIO_WARM_LOCK = NAMESPACE + "audio:warming"


def audio(key):
    return AUDIO.format(key=key)

# A caller's chosen language, under a keyed hash of their number (never the number),
# expiring after LANGUAGE_MEMORY_DAYS: ivr:caller:<hmac>:language.
CALLER_LANGUAGE = NAMESPACE + "caller:{hash}:language"


def caller_language(hashed):
    return CALLER_LANGUAGE.format(hash=hashed)
