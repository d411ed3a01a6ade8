"""What the line says, as data: the menu tree, one prompt catalogue per language, and
the facts (figures, lists, safe countries) with the dates they were verified.

Pure data and functions: nothing here imports Flask or twilio, so the audio build, the
content check and the tests load it alone. `load_content(settings)` reads it all;
`Content.text(lang, utterance)` is the one place a prompt becomes words.
"""
from .loader import Content, load_content
from .utterance import Utterance

__all__ = ["Content", "Utterance", "load_content"]
