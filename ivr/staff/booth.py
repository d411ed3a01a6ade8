"""The staff line's TwiML (no Flask): what it says, in English with Twilio's voice
(staff, like the admin's pages, are addressed in English; the prompts themselves are
read in their own language), and the shapes it answers with. Like the caller's line,
every <Gather> and <Record> is followed by a way on, and a hang-up by a goodbye.
"""
from twilio.twiml.voice_response import VoiceResponse

VOICE = {"language": "en-GB"}
MAX_RECORD_SECONDS = 60
RECORD_SILENCE_SECONDS = 5  # silence that ends a take (# ends it at once)

WORDS = {
    "welcome": "Staff recording line. Enter your staff number, then press hash.",
    "pin": "Enter your PIN, then press hash.",
    "no_match": "That staff number and PIN do not match.",
    "too_many": "Too many wrong tries in this call.",
    "locked": "This account is locked for {minutes} minutes after {failures} wrong PINs. "
              "Try again later, or ask an admin to set a new PIN.",
    "disabled": "This account is disabled. Ask an admin.",
    "no_right": "Your account may not change recordings. Ask an admin.",
    "hello": "Hello {name}.",
    "language": "Choose a language, then press hash.",
    "language_key": "For {name}, press {key}.",
    "not_language": "There is no language {key}.",
    "prompt": "{language}. Enter the number of a prompt, then press hash. For another language, press star, then hash.",
    "no_prompt": "There is no prompt {number} in {language}.",
    "number": "Prompt {number}.",
    "reference": "In English:",
    "in_language": "In {language}:",
    "current": "The line plays now:",
    "no_audio": "There is no audio for it yet.",
    "record": "Record after the beep. Press hash when you are done.",
    "nothing_heard": "I did not hear a recording.",
    "wait": "One moment.",
    "not_ready": "I cannot play it back yet.",
    "choice": "To keep it, press 1. To record it again, press 2. For another prompt, press star.",
    "heard_back": "Your recording:",
    "refused": "Sorry, {reason}.",
    "kept": "Kept. It plays on the line from the next call.",
    "kept_later": "Kept. It goes on the line as soon as it has arrived.",
    "unavailable": "Sorry, this cannot be done at the moment. Please try again later.",
    "wrong_key": "That key does nothing here.",
    "off": "Sorry, this line is not available.",
    "goodbye": "Goodbye.",
}


def words(said, **slots):
    return WORDS[said].format(**slots)


def _say(parent, texts):
    for text in texts:
        parent.say(text, **VOICE)


def ask(action, again, texts, timeout, entry=True):
    """A Gather saying `texts`, posting digits (up to #, or one key) to `action`; then
    the way on when nothing is pressed: a Redirect to `again`."""
    response = VoiceResponse()
    options = {"finish_on_key": "#"} if entry else {"num_digits": 1, "finish_on_key": ""}
    gather = response.gather(action=action, method="POST", timeout=timeout, action_on_empty_result=False, **options)
    _say(gather, texts)
    response.redirect(again, method="POST")
    return response


def say_then(texts, path):
    response = VoiceResponse()
    _say(response, texts)
    response.redirect(path, method="POST")
    return response


def goodbye(texts=()):
    response = VoiceResponse()
    _say(response, [*texts, words("goodbye")])
    response.hangup()
    return response


def review(number, reference, spoken, audio_url, path):
    """The prompt as it is: its English reference, its own words where Twilio has a
    voice for them (`spoken`: (language name, text, say options) or None), and the
    audio the line plays for it now; then on to `path`."""
    response = VoiceResponse()
    _say(response, [words("number", number=number), words("reference"), reference])
    if spoken is not None:
        name, text, options = spoken
        _say(response, [words("in_language", language=name)])
        response.say(text, **options)
    if audio_url:
        _say(response, [words("current")])
        response.play(audio_url)
    else:
        _say(response, [words("no_audio")])
    response.redirect(path, method="POST")
    return response


def record(action, callback, again):
    """Record after the beep (up to a minute, # ends it); Twilio posts the take to
    `action` and tells `callback` when its audio is ready. With nothing recorded Twilio
    goes on to the next verb: say so and ask again."""
    response = VoiceResponse()
    _say(response, [words("record")])
    response.record(action=action, method="POST", max_length=MAX_RECORD_SECONDS, finish_on_key="#",
                    play_beep=True, timeout=RECORD_SILENCE_SECONDS, trim="trim-silence",
                    recording_status_callback=callback, recording_status_callback_method="POST",
                    recording_status_callback_event="completed")
    _say(response, [words("nothing_heard")])
    response.redirect(again, method="POST")
    return response


def wait(again, first):
    """The take is on its way from Twilio: a moment's pause, then look again."""
    response = VoiceResponse()
    if first:
        _say(response, [words("wait")])
    response.pause(length=2)
    response.redirect(again, method="POST")
    return response


def choice(action, again, audio_url, texts, timeout):
    """Play the take back (when it is here), then 1 keep, 2 again, * another prompt."""
    response = VoiceResponse()
    gather = response.gather(action=action, method="POST", timeout=timeout, num_digits=1, finish_on_key="",
                             action_on_empty_result=False)
    _say(gather, texts)
    if audio_url:
        _say(gather, [words("heard_back")])
        gather.play(audio_url)
    _say(gather, [words("choice")])
    response.redirect(again, method="POST")
    return response
