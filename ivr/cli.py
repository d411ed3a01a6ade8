"""The `ivr` command: the line's own commands, each a thin layer over plain functions."""
import os
import sys

import click

from . import config


def _services(**overrides):
    from .services import Services

    return Services({**config.from_environment(), **overrides})


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main():
    """The return-information phone line."""


@main.command("check")
def check_command():
    """Check the tree, prompts, facts and audio.

    Every node reachable within three presses, every prompt in every language with
    the reference's placeholders, facts' verified dates, what falls back to <Say>.
    Exits 1 on errors."""
    from .content.check import run_check

    line = _services()
    report = run_check(line.content, line.settings, line.offered(), audio=line.manifest)
    if line.manifest is not None:
        report.warnings += _timing(line)[1]
    click.echo(report.render())
    sys.exit(0 if report.ok else 1)


@main.group("audio")
def audio_group():
    """Build and inspect the line's pre-generated audio."""


@audio_group.command("build")
@click.option("--jobs", type=int, default=None, help="Prompts synthesised at once.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def build_command(jobs, quiet):
    """Make audio for every prompt and language.

    Telephone-ready, content-addressed: only what changed is made."""
    from .audio.build import build

    line = _services(**({"AUDIO_JOBS": jobs} if jobs else {}))
    report = build(line.content, line.store, line.settings, progress=not quiet, log=click.echo)
    click.echo(report.table(list(line.content.catalogues)))
    # Missing audio is expected in a language no engine speaks: it waits for staff
    # recordings and is not offered until then. Anywhere else it is an error (below).
    waiting = {lang: len(ids) for lang, ids in sorted(report.missing.items())
               if ids and lang not in report.required_incomplete}
    missing = sum(len(ids) for ids in report.missing.values())
    click.echo(f"{report.synthesised} made, {missing} missing, in {report.seconds:.1f} s")
    if waiting:
        click.echo(f"Waiting for staff recordings (no engine speaks them; not offered until recorded): "
                   f"{', '.join(f'{lang} ({n} prompts)' for lang, n in waiting.items())}. "
                   f"`ivr audio coverage --lang {next(iter(waiting))}` lists what one still lacks.")
    for failure in report.failures[:20]:
        click.echo(f"FAILED: {failure}", err=True)
    for lang, ids in sorted(report.stale.items()):
        click.echo(f"STALE recordings in {lang} (their text has changed): {', '.join(ids[:10])}"
                   + (" ..." if len(ids) > 10 else ""))
    if not report.ok:
        click.echo(f"ERROR: audio is missing for languages that should be spoken: {', '.join(report.required_incomplete)}", err=True)
        sys.exit(1)


@audio_group.command("coverage")
@click.option("--lang", default=None, help="List what one language still lacks.")
def coverage_command(lang):
    """Which languages lack audio, and which audio cannot be served.

    Reads every file of the build (on disk, or in Redis with REDIS_URL) and exits 1
    when any is corrupt or missing; an unknown --lang is an error too."""
    line = _services(AUDIO_ENABLED=True)
    manifest, codes = line.manifest, list(line.content.catalogues)
    if lang is not None and lang not in codes:
        raise click.BadParameter(f"no catalogue for {lang!r}; the languages are {', '.join(codes)}", param_hint="--lang")
    broken = manifest.items_of(manifest.check_audio())
    for code in [lang] if lang else codes:
        missing = manifest.missing.get(code, [])
        unservable = [item_id for item_id in broken if item_id.startswith(f"{code}|")]
        total = manifest.planned_counts.get(code, 0)
        click.echo(f"{code}: {total - len(missing)}/{total} {'complete' if not missing else 'INCOMPLETE'}"
                   + (f", {len(unservable)} UNSERVABLE" if unservable else ""))
        if lang:
            for item_id in missing:
                click.echo(f"  missing {item_id}")
            for item_id in unservable:
                click.echo(f"  unservable {item_id} (key {manifest.entries[item_id]['key']})")
    if broken:
        click.echo(f"ERROR: {len(broken)} prompts have audio that is corrupt or missing on disk and in Redis "
                   "(spoken with <Say> instead); `ivr audio build` remakes it", err=True)
        sys.exit(1)


def _timing(line):
    from .call import timing

    settings = line.settings
    return timing.report(timing.measure(line.flow, line.manifest), settings["FIRST_ANSWER_SECONDS"],
                         settings["RETURNING_ANSWER_SECONDS"], settings["MAX_MENU_SECONDS"])


@audio_group.command("timing")
def timing_command():
    """Seconds a caller listens before an answer.

    Per language, from the built audio: the worst and median wait for a first-time
    and a returning caller, the worst path, the longest menu. Exits 1 over target."""
    lines, problems = _timing(_services(AUDIO_ENABLED=True))
    click.echo("\n".join(lines))
    for problem in problems:
        click.echo(f"OVER: {problem}")
    sys.exit(1 if problems else 0)


@main.command("call")
@click.option("--url", default=None, help="The line's URL. Default: http://127.0.0.1:$PORT when PORT is set, "
              "else where a running `make run` serves, else http://127.0.0.1:5000.")
@click.option("--from", "caller", default="+31612345678", show_default=True, help="The caller's number.")
@click.option("--keys", default=None, help='Keys to press, e.g. "1 2 - 995#" ("-" is silence). Omit to type them.')
@click.option("--token", envvar="TWILIO_AUTH_TOKEN", default="", help="Sign requests with this auth token.")
def call_command(url, caller, keys, token):
    """Call the running line as Twilio would.

    Prints what a caller hears; keys from --keys or typed."""
    from .dev import simulator

    url, source = (url, "given with --url") if url else simulator.line_url(config.from_environment(), os.environ)
    call = simulator.Call(base_url=url, caller=caller, token=token)
    next_keys = simulator.scripted(keys) if keys is not None else simulator.keyboard()
    try:
        simulator.run(call, next_keys, simulator.printer())
    except simulator.Unreachable as exc:
        raise click.ClickException(
            f"{exc} ({source}). Start the line with `make run`, or say where it runs: "
            f"`ivr call --url http://127.0.0.1:<port>`, or `PORT=<port> make call`.") from exc
    except (simulator.CallError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc


if __name__ == "__main__":
    main()
