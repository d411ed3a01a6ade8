"""Pre-generated audio: every prompt made ahead of time and played with <Play>.

  engines, espeak   speech engines (gTTS online, eSpeak NG offline through ctypes)
  encoding          telephone WAV (G.711 mu-law, 8 kHz), one loudness, decode/measure
  recordings        staff recordings on disk, with the text they say
  build             make what is missing or changed; content-addressed, a manifest
  store             the files on disk and in Redis, digest-checked
  memory            the most played audio in a worker's own memory
  manifest          the current build as a web worker sees it
  serving           GET /audio/<key>.wav (and from_memory, before Flask)
Nothing here imports the call flow; only `serving` imports Flask.
"""
