"""eSpeak NG through the espeakng-loader wheel, for real: nothing mocked."""
import io
import math
import threading
import wave
from array import array

import pytest

from ivr.audio.espeak import EspeakError, has_voice, synthesize, to_wav, version

SENTENCES = {
    "nl": "Welkom bij de informatielijn.",
    "ar": "مرحبا بكم في خط المعلومات.",
    "fa": "به خط اطلاعات خوش آمدید.",
}
LONG_DUTCH = "Welkom bij de informatielijn. Kies een taal en luister naar de mogelijkheden die u heeft."


def decode(pcm: bytes, rate: int) -> tuple[wave._wave_params, array]:
    with wave.open(io.BytesIO(to_wav(pcm, rate)), "rb") as wav:
        params = wav.getparams()
        frames = wav.readframes(params.nframes)
    samples = array("h")
    samples.frombytes(frames)  # WAV is little-endian, as is every machine we run on
    return params, samples


def rms(samples: array) -> float:
    return math.sqrt(sum(s * s for s in samples) / len(samples))


def duration(pcm: bytes, rate: int) -> float:
    return len(pcm) / 2 / rate


@pytest.mark.parametrize("voice", sorted(SENTENCES))
def test_sentence_is_speech_in_a_valid_wav(voice):
    pcm, rate = synthesize(SENTENCES[voice], voice)
    params, samples = decode(pcm, rate)
    assert rate == 22050
    assert params.framerate == rate
    assert params.nchannels == 1
    assert params.sampwidth == 2
    assert params.nframes == len(pcm) // 2 == len(samples)
    assert 0.8 <= params.nframes / params.framerate <= 6.0
    assert rms(samples) > 500  # speech; silence or near-silence would be far below


def test_rate_changes_the_duration():
    slow, rate = synthesize(SENTENCES["nl"], "nl", rate=100)
    fast, _ = synthesize(SENTENCES["nl"], "nl", rate=250)
    assert duration(slow, rate) > 1.5 * duration(fast, rate)


@pytest.mark.parametrize("voice", ["en", "nl", "ar", "fa", "tr", "fr", "ru"])
def test_has_voice(voice):
    assert has_voice(voice)


@pytest.mark.parametrize("voice", ["xx-nonsense", "qqq", ""])
def test_has_no_voice(voice):
    assert not has_voice(voice)


def test_unknown_voice_raises():
    with pytest.raises(EspeakError, match="xx-nonsense"):
        synthesize("Hallo.", "xx-nonsense")


def test_unknown_voice_does_not_break_the_next_synthesis():
    with pytest.raises(EspeakError):
        synthesize("Hallo.", "xx-nonsense")
    pcm, rate = synthesize(SENTENCES["nl"], "nl")
    assert 0.8 <= duration(pcm, rate) <= 6.0


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_empty_text_gives_empty_audio(text):
    pcm, rate = synthesize(text, "nl")
    assert pcm == b""
    assert rate == 22050


def test_version():
    assert version()[0].isdigit()


def test_two_threads_at_once_each_get_their_own_audio():
    # Different lengths, so audio that went to the wrong caller or got mixed shows up.
    jobs = {"short": (SENTENCES["nl"], "nl"), "long": (LONG_DUTCH, "nl"), "ar": (SENTENCES["ar"], "ar")}
    alone = {name: duration(*synthesize(*job)) for name, job in jobs.items()}
    assert alone["long"] > 1.5 * alone["short"]

    for _ in range(5):
        barrier = threading.Barrier(len(jobs))
        results, errors = {}, []

        def work(name):
            try:
                barrier.wait()
                results[name] = synthesize(*jobs[name])
            except Exception as exc:  # surfaced below; a thread's exception is otherwise lost
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(name,)) for name in jobs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert not errors
        for name, (pcm, rate) in results.items():
            _, samples = decode(pcm, rate)
            assert rms(samples) > 500
            # eSpeak is not bit-for-bit repeatable (a few ms differ), so compare lengths.
            assert duration(pcm, rate) == pytest.approx(alone[name], rel=0.05), name
        assert set(results) == set(jobs)
