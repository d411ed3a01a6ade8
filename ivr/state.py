"""What one app holds for its lifetime: the content, the speech and the call flow."""
from flask import current_app

from .content import load_content
from .flow import Flow
from .speech import SaySpeech

EXTENSION = "ivr"


class State:
    def __init__(self, settings):
        self.content = load_content(settings)
        self.speech = SaySpeech(self.content)
        self.flow = Flow(self.content, self.speech, settings)


def init_app(app):
    app.extensions[EXTENSION] = State(app.config)


def get():
    return current_app.extensions[EXTENSION]
