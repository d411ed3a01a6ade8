"""Staff recordings on disk: audio/recordings/<lang>/<prompt>[@slots].json beside the
audio file it names. The sidecar keeps the text the recording says, so a changed
text shows the recording is stale."""
import json
from pathlib import Path

RECORDINGS_DIR = "recordings"


def recording_path(audio_dir, item_id):
    """Where a staff recording's sidecar lives, less its ".json"."""
    lang, prompt, slots = item_id.split("|", 2)
    name = prompt + (f"@{slots}" if slots else "")
    return Path(audio_dir) / RECORDINGS_DIR / lang / name


def find_recording(audio_dir, item_id):
    """(audio path, sidecar) of a staff recording, or None."""
    base = recording_path(audio_dir, item_id)
    sidecar = base.parent / (base.name + ".json")
    if not sidecar.exists():
        return None
    meta = json.loads(sidecar.read_text(encoding="utf-8"))
    audio = base.parent / meta.get("file", "")
    return (audio, meta) if audio.is_file() else None
