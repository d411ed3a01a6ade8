"""The webhook URLs the flow sends Twilio to next. Call state travels in them
(language, node, part of an answer, silent tries, country), so any worker answers."""
from urllib.parse import urlencode


def _path(base, **params):
    query = urlencode({k: v for k, v in params.items() if v not in (None, "", 0)})
    return f"{base}?{query}" if query else base


def language_path(page=0, tries=0):
    return _path("/voice/language", page=page, tries=tries)


def language_key_path(page=0):
    return _path("/voice/language/key", page=page)


def node_path(lang, node_id, part=0, tries=0, cc=""):
    return _path(f"/voice/{lang}/{node_id}", part=part, tries=tries, cc=cc)


def key_path(lang, node_id, part=0, cc=""):
    return _path(f"/voice/{lang}/{node_id}/key", part=part, cc=cc)
