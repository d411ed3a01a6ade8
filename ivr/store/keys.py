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

# Call statistics (ivr.stats): one hash of counters per UTC day, field -> count
# ("calls", "lang:en", "reached:<node>", ...), expiring after STATS_REDIS_DAYS.
STATS_DAY = NAMESPACE + "stats:day:{day}"
# Unique callers: HyperLogLogs of the keyed hash of each number, per day and month.
STATS_CALLERS_DAY = NAMESPACE + "stats:callers:day:{day}"
STATS_CALLERS_MONTH = NAMESPACE + "stats:callers:month:{month}"
# Answers heard to their end: a set of "<node>|<CallSid>" per day, so an answer heard
# twice in one call (a key after its end, then a hang-up) counts once.
STATS_HEARD = NAMESPACE + "stats:heard:{day}"
# Where a call was last (its node, and whether that was an answer's last part),
# by CallSid, for the status callback to count a hang-up there. Short-lived.
STATS_CALL = NAMESPACE + "stats:call:{sid}"


def stats_day(day):
    return STATS_DAY.format(day=day)


def stats_callers_day(day):
    return STATS_CALLERS_DAY.format(day=day)


def stats_callers_month(month):
    return STATS_CALLERS_MONTH.format(month=month)


def stats_call(sid):
    return STATS_CALL.format(sid=sid)


def stats_heard(day):
    return STATS_HEARD.format(day=day)

# The worker's clock: held for a periodic job's period by the worker that queued it,
# so however many workers run, each periodic job is queued once: ivr:clock:<name>.
CLOCK = NAMESPACE + "clock:{name}"


def clock(name):
    return CLOCK.format(name=name)


# One text message per office per call: held by the first request, by CallSid (a
# call, not a caller) and office id, for SMS_ONCE_SECONDS: ivr:sms:<CallSid>:<office>.
SMS_ONCE = NAMESPACE + "sms:{sid}:{office}"


def sms_once(sid, office):
    return SMS_ONCE.format(sid=sid, office=office)


# A take recorded on the staff line, by Twilio's RecordingSid, until it is kept or
# expires: a hash of its telephone audio (or why it was refused), the keep (prompt and
# staff member) and, once kept, the recording it became: ivr:staff:take:<RecordingSid>.
STAFF_TAKE = NAMESPACE + "staff:take:{sid}"


def staff_take(sid):
    return STAFF_TAKE.format(sid=sid)
