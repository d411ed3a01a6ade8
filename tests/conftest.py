import threading

import pytest
from werkzeug.serving import make_server

from ivr import create_app


@pytest.fixture
def app():
    return create_app({"TESTING": True, "AUDIO_ENABLED": False})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def live_server(app):
    """The app on a real loopback port, for clients that speak HTTP."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture
def content_dirs(tmp_path):
    """A private copy of menus/, prompts/ and facts/ that a test may change."""
    import shutil

    from ivr.config import ROOT

    dirs = {}
    for name in ("menus", "prompts", "facts"):
        shutil.copytree(ROOT / name, tmp_path / name)
        dirs[f"{name.upper()}_DIR"] = str(tmp_path / name)
    return dirs
