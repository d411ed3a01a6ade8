"""Telephone-ready audio: what every prompt is turned into before it is stored.

The choice: WAV, G.711 mu-law, 8 kHz, mono. It is the telephone network's own codec,
so Twilio plays it without transcoding and nothing is lost twice; it costs 8,000
bytes a second (469 KiB a minute), which Redis and HTTP caching carry easily.
Loudness is normalised to one RMS level across engines and recordings, the start
is trimmed, and every prompt ends in the same short pause so consecutive <Play>s
sound like sentences, not a run-on.
"""
import io
import math
import struct
import subprocess
import warnings

import numpy as np

with warnings.catch_warnings():
    # audioop is deprecated from 3.11 (pydub needs it too); pydub warns at import
    # that no ffmpeg is on PATH: ours comes from the imageio-ffmpeg wheel, set below.
    warnings.simplefilter("ignore", DeprecationWarning)
    warnings.simplefilter("ignore", RuntimeWarning)
    import audioop

    from pydub import AudioSegment
    from pydub.silence import detect_leading_silence

EXTENSION = "wav"
CONTENT_TYPE = "audio/wav"
SAMPLE_RATE = 8000
TARGET_DBFS = -19.0  # RMS level every prompt is brought to
PEAK_CEILING_DBFS = -1.0  # never louder than this at any sample
SILENCE_THRESHOLD_DB = -40.0  # relative to the prompt's own level
TAIL_MS = 250  # the pause after each prompt
LIMITER_MS = 2  # how far ahead the limiter sees a peak coming, and how fast it recovers
LEVEL_TOLERANCE_DB = 0.2  # close enough to the target: stop limiting
# Bump when the processing changes, so every prompt is made again.
VERSION = "ulaw8k-2"

WAVE_FORMAT_MULAW = 7


class AudioError(ValueError):
    pass


def ffmpeg():
    """The ffmpeg shipped by the imageio-ffmpeg wheel (no system install needed)."""
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def decode(data, fmt):
    """Any audio file ffmpeg reads (mp3 from gTTS, a browser's webm, a phone's wav)
    as a pydub segment. ffmpeg is called directly: pydub would also want ffprobe."""
    if fmt == "wav" and data[:4] == b"RIFF":
        try:
            return _read_wav(data)
        except AudioError:
            pass
    done = subprocess.run(
        [ffmpeg(), "-hide_banner", "-loglevel", "error", "-i", "pipe:0", "-f", "wav", "-acodec", "pcm_s16le", "pipe:1"],
        input=data, capture_output=True, timeout=120,
    )
    if done.returncode != 0 or not done.stdout:
        raise AudioError(f"cannot decode {fmt} audio: {done.stderr.decode(errors='replace')[-300:]}")
    return _read_wav(done.stdout, lenient=True)


def from_pcm(pcm, rate):
    return AudioSegment(data=pcm, sample_width=2, frame_rate=rate, channels=1)


def for_phone(segment):
    """Normalise a segment and encode it as telephone WAV bytes: the start and end
    trimmed, 8 kHz, the whole file (its closing pause included) at TARGET_DBFS RMS
    with no sample above PEAK_CEILING_DBFS, whatever engine or microphone made it."""
    segment = segment.set_channels(1).set_sample_width(2)
    if len(segment) == 0 or segment.rms == 0:
        raise AudioError("the audio is silent")
    threshold = segment.dBFS + SILENCE_THRESHOLD_DB
    start = max(detect_leading_silence(segment, silence_threshold=threshold) - 20, 0)
    end = max(detect_leading_silence(segment.reverse(), silence_threshold=threshold) - 20, 0)
    segment = segment[start : len(segment) - end].set_frame_rate(SAMPLE_RATE)
    speech = np.frombuffer(segment.raw_data, dtype="<i2").astype(np.float64) / FULL_SCALE
    tail = int(SAMPLE_RATE * TAIL_MS / 1000)
    level = _level(speech, tail)
    pcm = np.concatenate([level, np.zeros(tail)])
    return encode_mulaw(np.round(pcm * FULL_SCALE).clip(-FULL_SCALE, FULL_SCALE - 1).astype("<i2").tobytes(), SAMPLE_RATE)


FULL_SCALE = 32768.0  # 16-bit: pydub's dBFS is relative to this


def _level(samples, tail, rounds=6):
    """Bring the samples (with `tail` silent samples after them) to the target RMS;
    where that would push a peak over the ceiling, the limiter takes the peak down
    instead of the whole prompt, so a loud syllable cannot make a prompt quiet."""
    target, ceiling = 10 ** (TARGET_DBFS / 20), 10 ** (PEAK_CEILING_DBFS / 20)
    total = len(samples) + tail
    for _ in range(rounds):
        rms = math.sqrt(float(np.dot(samples, samples)) / total)
        if rms == 0:
            raise AudioError("the audio is silent")
        if abs(20 * math.log10(rms / target)) < LEVEL_TOLERANCE_DB and np.abs(samples).max() <= ceiling:
            return samples
        samples = samples * (target / rms)
        if np.abs(samples).max() <= ceiling:
            return samples
        samples = np.clip(_limit(samples, ceiling), -ceiling, ceiling)
    return samples


def _limit(samples, ceiling):
    """A look-ahead peak limiter: the gain each sample needs, held over a few
    milliseconds either side and smoothed, so peaks are lowered without clicks."""
    width = max(1, SAMPLE_RATE * LIMITER_MS // 1000)
    need = np.minimum(1.0, ceiling / np.maximum(np.abs(samples), 1e-9))
    padded = np.pad(need, width, mode="edge")
    held = np.lib.stride_tricks.sliding_window_view(padded, 2 * width + 1).min(axis=1)
    window = np.hanning(2 * width + 3)[1:-1]
    smooth = np.convolve(np.pad(held, width, mode="edge"), window / window.sum(), mode="valid")
    return samples * np.minimum(held, smooth)


def encode_mulaw(pcm16, rate):
    """16-bit PCM as a mu-law WAV file (the stdlib wave module writes PCM only)."""
    body = audioop.lin2ulaw(pcm16, 2)
    fmt = struct.pack("<HHIIHHH", WAVE_FORMAT_MULAW, 1, rate, rate, 1, 8, 0)
    fact = struct.pack("<I", len(body))
    chunks = b"fmt " + struct.pack("<I", len(fmt)) + fmt
    chunks += b"fact" + struct.pack("<I", 4) + fact
    chunks += b"data" + struct.pack("<I", len(body)) + body + (b"\0" if len(body) % 2 else b"")
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks


def _chunks(data):
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise AudioError("not a WAV file")
    offset, found = 12, {}
    while offset + 8 <= len(data):
        name, size = data[offset : offset + 4], struct.unpack("<I", data[offset + 4 : offset + 8])[0]
        found[name] = data[offset + 8 : offset + 8 + size]
        if name == b"data" and offset + 8 + size > len(data):
            found[b"truncated"] = b"1"
        offset += 8 + size + (size % 2)
    return found


def _read_wav(data, lenient=False):
    found = _chunks(data)
    if b"fmt " not in found or b"data" not in found:
        raise AudioError("a WAV file without fmt or data")
    tag, channels, rate, _, _, bits = struct.unpack("<HHIIHH", found[b"fmt "][:16])
    body = found[b"data"]
    if b"truncated" in found and not lenient:
        raise AudioError("the WAV data is truncated")
    if tag == WAVE_FORMAT_MULAW:
        body, width = audioop.ulaw2lin(body, 2), 2
    elif tag in (1, 0xFFFE) and bits in (8, 16, 24, 32):
        width = bits // 8
    else:
        raise AudioError(f"unsupported WAV format {tag}")
    body = body[: len(body) - len(body) % (width * channels)]
    return AudioSegment(data=body, sample_width=width, frame_rate=rate, channels=channels)


def measure(data):
    """What a stored prompt is: format, rate, channels, seconds and loudness.
    Raises AudioError for anything that is not a whole, telephone-ready file."""
    found = _chunks(data)
    if b"truncated" in found:
        raise AudioError("the WAV data is truncated")
    if b"fmt " not in found or b"data" not in found:
        raise AudioError("a WAV file without fmt or data")
    tag, channels, rate = struct.unpack("<HHI", found[b"fmt "][:8])
    segment = _read_wav(data)
    return {
        "format": "mulaw" if tag == WAVE_FORMAT_MULAW else f"wav-{tag}",
        "rate": rate,
        "channels": channels,
        "seconds": round(len(found[b"data"]) / (rate * channels) if tag == WAVE_FORMAT_MULAW else segment.duration_seconds, 3),
        "dbfs": round(segment.dBFS, 2) if segment.rms else float("-inf"),
        "peak_dbfs": round(segment.max_dBFS, 2) if segment.rms else float("-inf"),
    }


def is_phone_ready(data):
    try:
        info = measure(data)
    except AudioError:
        return False
    return info["format"] == "mulaw" and info["rate"] == SAMPLE_RATE and info["channels"] == 1 and info["seconds"] > 0


def to_bytes(segment, fmt="mp3"):
    """A segment as an ordinary audio file (used by tests and the web phone)."""
    AudioSegment.converter = ffmpeg()  # pydub's export runs it; ours is the wheel's
    buffer = io.BytesIO()
    segment.export(buffer, format=fmt)
    return buffer.getvalue()
