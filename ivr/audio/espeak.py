"""Offline speech synthesis with eSpeak NG, through ctypes.

The `espeakng-loader` wheel ships the eSpeak NG shared library and its voice data, but
no `espeak-ng` program, so there is nothing to run as a subprocess: we call the library
directly. That keeps a fresh machine free of any system install.

eSpeak NG keeps global state and is not thread-safe, so every call into it is made while
holding one module-level lock.
"""
from __future__ import annotations

import ctypes
import io
import os
import sys
import threading
import wave
from array import array
from pathlib import Path

import espeakng_loader

__all__ = ["EspeakError", "synthesize", "has_voice", "version", "to_wav"]


class EspeakError(RuntimeError):
    """eSpeak NG could not be loaded or initialised, or refused a voice or a text."""


# Constants from espeak-ng/speak_lib.h.
_AUDIO_OUTPUT_SYNCHRONOUS = 2  # espeak_Synth returns only when all audio went through the callback
_INITIALIZE_DONT_EXIT = 0x8000  # without it a bad data path makes the library call exit(1)
_CHARS_UTF8 = 1
_ENDPAUSE = 0x1000  # a short silence after the last sentence, so prompts don't end clipped
_POS_CHARACTER = 1
_PARAM_RATE = 1
_PARAM_PITCH = 3
_EE_OK = 0
# eSpeak NG's own voices all render at this rate; used before the library reports it.
_NATIVE_SAMPLE_RATE = 22050

# int callback(short *wav, int numsamples, espeak_EVENT *events)
_SynthCallback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)

_lock = threading.Lock()
_lib: ctypes.CDLL | None = None
_sample_rate = 0
_chunks: list[bytes] = []  # filled by the callback; only touched with _lock held


def _collect(wav, numsamples: int, _events) -> int:
    if wav and numsamples > 0:
        _chunks.append(ctypes.string_at(wav, numsamples * 2))
    return 0  # 0 = carry on synthesising


# Module-level so ctypes' trampoline is never garbage-collected while the library holds it.
_callback = _SynthCallback(_collect)


def _library() -> ctypes.CDLL:
    """Load and initialise eSpeak NG once per process. Call with _lock held."""
    global _lib, _sample_rate
    if _lib is not None:
        return _lib
    try:
        lib = ctypes.CDLL(espeakng_loader.get_library_path())
        data = Path(espeakng_loader.get_data_path())
    except (OSError, RuntimeError) as exc:
        raise EspeakError(f"cannot load eSpeak NG from espeakng-loader: {exc}") from exc

    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_Initialize.restype = ctypes.c_int
    lib.espeak_SetSynthCallback.argtypes = [_SynthCallback]
    lib.espeak_SetSynthCallback.restype = None
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_SetVoiceByName.restype = ctypes.c_int
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.espeak_SetParameter.restype = ctypes.c_int
    lib.espeak_Synth.argtypes = [
        ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
        ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p,
    ]
    lib.espeak_Synth.restype = ctypes.c_int
    lib.espeak_Synchronize.argtypes = []
    lib.espeak_Synchronize.restype = ctypes.c_int
    lib.espeak_Info.argtypes = [ctypes.POINTER(ctypes.c_char_p)]
    lib.espeak_Info.restype = ctypes.c_char_p

    # The library wants the folder that contains espeak-ng-data (1.52 also accepts the
    # data folder itself; the parent works with older releases too).
    rate = lib.espeak_Initialize(
        _AUDIO_OUTPUT_SYNCHRONOUS, 0, os.fsencode(data.parent), _INITIALIZE_DONT_EXIT
    )
    if rate <= 0:  # it returns 0 when the phoneme data could not be read
        raise EspeakError(f"eSpeak NG failed to initialise with data at {data}")
    lib.espeak_SetSynthCallback(_callback)
    _sample_rate = rate
    _lib = lib
    return lib


def _set_voice(lib: ctypes.CDLL, voice: str) -> bool:
    return bool(voice) and lib.espeak_SetVoiceByName(voice.encode("utf-8")) == _EE_OK


def synthesize(text: str, voice: str, rate: int = 150, pitch: int = 50) -> tuple[bytes, int]:
    """Speak `text` with eSpeak NG voice `voice` (a language code like "nl", or a voice name).

    Returns (16-bit signed little-endian mono PCM, sample rate). `rate` is words per
    minute (eSpeak clamps it to 80-450), `pitch` is 0-100.
    """
    if not text.strip():
        return b"", _sample_rate or _NATIVE_SAMPLE_RATE
    with _lock:
        lib = _library()
        if not _set_voice(lib, voice):
            raise EspeakError(f"eSpeak NG has no voice {voice!r}")
        # Set after the voice, every time, so one caller's settings never leak into another's.
        lib.espeak_SetParameter(_PARAM_RATE, int(rate), 0)
        lib.espeak_SetParameter(_PARAM_PITCH, int(pitch), 0)
        encoded = text.encode("utf-8")
        _chunks.clear()
        try:
            status = lib.espeak_Synth(
                encoded, len(encoded) + 1, 0, _POS_CHARACTER, 0,
                _CHARS_UTF8 | _ENDPAUSE, None, None,
            )
            if status != _EE_OK:
                raise EspeakError(f"espeak_Synth failed with error {status} for voice {voice!r}")
            lib.espeak_Synchronize()
            pcm = b"".join(_chunks)
        finally:
            _chunks.clear()
        sample_rate = _sample_rate
    if sys.byteorder == "big":  # the library hands over native-endian shorts
        samples = array("h", pcm)
        samples.byteswap()
        pcm = samples.tobytes()
    return pcm, sample_rate


def has_voice(voice: str) -> bool:
    """Whether eSpeak NG can speak with `voice`: asks the library, as synthesize() would."""
    with _lock:
        return _set_voice(_library(), voice)


def version() -> str:
    """The eSpeak NG version, e.g. "1.52.0" (for content hashes: a new engine re-synthesises)."""
    with _lock:
        lib = _library()
        data_path = ctypes.c_char_p()
        return lib.espeak_Info(ctypes.byref(data_path)).decode("ascii", "replace")


def to_wav(pcm: bytes, rate: int) -> bytes:
    """Wrap 16-bit mono PCM from synthesize() as a WAV file."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm)
    return buffer.getvalue()


def phonemes(text: str, voice: str) -> str:
    """What eSpeak NG will say for `text`, as its phoneme mnemonics: lets tests hear
    how a number, date or abbreviation is read without listening to audio."""
    with _lock:
        lib = _library()
        if not _set_voice(lib, voice):
            raise EspeakError(f"eSpeak NG has no voice {voice!r}")
        lib.espeak_TextToPhonemes.argtypes = [ctypes.POINTER(ctypes.c_char_p), ctypes.c_int, ctypes.c_int]
        lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
        buffer = ctypes.c_char_p(text.encode("utf-8"))
        pointer = ctypes.pointer(buffer)
        said = []
        # Each call converts one clause and moves the pointer on; NULL at the end.
        while pointer.contents.value:
            out = lib.espeak_TextToPhonemes(pointer, _CHARS_UTF8, 0)
            if out is None:
                break
            said.append(out.decode("utf-8", "replace").strip())
    return " ".join(s for s in said if s)
