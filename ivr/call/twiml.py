"""The few TwiML shapes the flow answers with. `ask` is the one place that writes a
<Gather>, and it always follows it with a <Redirect>, so silence re-prompts and a
call never ends in a dead end."""
from twilio.twiml.voice_response import VoiceResponse

from ..content.utterance import Utterance


def redirect(path):
    response = VoiceResponse()
    response.redirect(path, method="POST")
    return response


def ask(speech, action, again, said, timeout, entry=False, pause=0):
    """A Gather that says `said` ([(lang, utterances)]) and posts keys to `action`,
    then the way on when nothing is pressed: a Redirect to `again`. A menu takes one
    key; an entry (a dialling code) takes digits up to #. `pause` seconds of silence
    go between the pieces of `said` (the groups of a number read back)."""
    response = VoiceResponse()
    if entry:
        gather = response.gather(action=action, method="POST", finish_on_key="#", timeout=timeout,
                                 action_on_empty_result=False)
    else:
        gather = response.gather(action=action, method="POST", num_digits=1, finish_on_key="", timeout=timeout,
                                 action_on_empty_result=False)
    for index, (lang, utterances) in enumerate(said):
        if pause and index:
            gather.pause(length=pause)
        if utterances:
            speech.add(gather, lang, utterances)
    response.redirect(again, method="POST")
    return response


def say_then(speech, lang, utterances, path):
    """Say something, then go on to `path` (no keys asked for)."""
    response = VoiceResponse()
    speech.add(response, lang, utterances)
    response.redirect(path, method="POST")
    return response


def goodbye(speech, languages):
    response = VoiceResponse()
    for lang in languages:
        speech.add(response, lang, [Utterance("goodbye")])
    response.hangup()
    return response


def unavailable():
    """Nothing can be spoken (no audio built, say): end politely in Twilio's default voice."""
    response = VoiceResponse()
    response.say("Sorry, this line is not available at the moment. Goodbye.")
    response.hangup()
    return response
