"""The `ivr` command: the Flask CLI of the line (ivr check, ivr run, ...) plus the
caller simulator (ivr call)."""
import os

import click
from flask.cli import FlaskGroup

from . import create_app, simulator


@click.group(cls=FlaskGroup, create_app=lambda: create_app())
def main():
    """The return-information phone line."""


@main.command("call", with_appcontext=False)
@click.option("--url", default=lambda: f"http://127.0.0.1:{os.environ.get('PORT', '5000')}", show_default="http://127.0.0.1:$PORT")
@click.option("--from", "caller", default="+31612345678", show_default=True, help="The caller's number.")
@click.option("--keys", default=None, help='Keys to press, e.g. "1 2 - 995#" ("-" is silence). Omit to type them.')
@click.option("--token", envvar="TWILIO_AUTH_TOKEN", default="", help="Sign requests with this auth token.")
def call_command(url, caller, keys, token):
    """Call the running line as Twilio would, and print what a caller hears."""
    call = simulator.Call(base_url=url, caller=caller, token=token)
    next_keys = simulator.scripted(keys) if keys is not None else simulator.keyboard()
    try:
        simulator.run(call, next_keys, simulator.printer())
    except (simulator.CallError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
if __name__ == "__main__":
    main()
