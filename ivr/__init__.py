"""The return-information phone line: Twilio voice webhooks over content kept as data.

The rooms, in the order a call walks through them:
  wsgi      around the app in the Procfile's web process: a request body in time
  app       the application factory (create_app) that wires the rooms together
  web       around every request: trusted host, security headers, log lines
  call/     the webhooks, the call flow, the speech seam (<Say> or <Play>), Twilio requests
  audio/    pre-generated audio: engines, encoding, the build, the store, the audio route
  content/  the menu tree, prompt catalogues, facts and the content check (pure data)
  store/    Redis (the connection, every key name) and the database of records (db, models, migrations)
  staff/    staff accounts, roles, the audit log and the admin at /admin
  phone/    the web phone at /phone, a keypad in the browser
  dev/      tools for trying the line: simulator, dev server, web phone, bench
  cli       the `ivr` command; config: every setting, its type and default
"""


def create_app(test_config=None, serving=False):
    """The application factory (see ivr.app). Imported lazily so that `import
    ivr.content` or the audio build never load Flask."""
    from .app import create_app as make

    return make(test_config, serving)
