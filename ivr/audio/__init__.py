"""Pre-generated audio: the build, the store, the <Play> speech and the audio route."""
import sys

import click
from flask import current_app
from flask.cli import AppGroup

from .. import state

audio_cli = AppGroup("audio", help="Build and inspect the line's pre-generated audio.")


@audio_cli.command("build")
@click.option("--jobs", type=int, default=None, help="Prompts synthesised at once.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def build_command(jobs, quiet):
    """Make telephone-ready audio for every prompt in every language."""
    from .build import build

    current = state.get()
    settings = dict(current_app.config)
    if jobs:
        settings["AUDIO_JOBS"] = jobs
    report = build(current.content, current.library, settings, progress=not quiet, log=click.echo)
    click.echo(report.table(list(current.content.catalogues)))
    click.echo(f"{report.synthesised} made, {sum(len(v) for v in report.missing.values())} missing, "
               f"in {report.seconds:.1f} s")
    for failure in report.failures[:20]:
        click.echo(f"FAILED: {failure}", err=True)
    for lang, ids in sorted(report.stale.items()):
        click.echo(f"STALE recordings in {lang} (their text has changed): {', '.join(ids[:10])}"
                   + (" ..." if len(ids) > 10 else ""))
    if not report.ok:
        click.echo(f"ERROR: audio is missing for languages that should be spoken: {', '.join(report.required_incomplete)}", err=True)
        sys.exit(1)


@audio_cli.command("coverage")
@click.option("--lang", default=None, help="List what one language still lacks.")
def coverage_command(lang):
    """Which languages have complete audio, and exactly which prompts are missing."""
    speech = state.get().play_speech
    speech.load()
    for code in state.get().content.catalogues:
        if lang and code != lang:
            continue
        missing = speech.missing.get(code, [])
        total = speech.planned_counts.get(code, 0)
        click.echo(f"{code}: {total - len(missing)}/{total} {'complete' if not missing else 'INCOMPLETE'}")
        if lang:
            for item_id in missing:
                click.echo(f"  missing {item_id}")


def init_app(app):
    from .views import bp

    app.register_blueprint(bp)
    app.cli.add_command(audio_cli)
