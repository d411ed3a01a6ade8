"""What the `ivr` commands print about the audio, for a person: missing prompts as
staff read them out, the prompts first in line for a staff recording, and the wait
before an answer per language."""
import click

from .call import timing as timing_module
from .content import registry


def record_first(content, lang):
    """Prints the prompts whose Dutch names the language's engine garbles."""
    first = registry.record_first(content, lang)
    if first:
        click.echo(f"First in line for a staff recording ({len(first)}: Dutch names the {lang} voice garbles):")
        for item_id, term in first:
            click.echo(f"  {item_id}  ({term})")


def missing_lines(content, item_ids):
    """Missing prompts as staff read them out: number, words, and the English."""
    numbers, text = registry.numbers(content), {i.id: i.text for i in registry.items(content)}
    for item_id in sorted(item_ids, key=lambda i: numbers.get(i.split("|", 1)[1], len(numbers) + 1)):
        name = item_id.split("|", 1)[1]
        yield (f"  {numbers.get(name, '?'):>4}  {item_id}: {text.get(item_id, '(no text)')}\n"
               f"        en: {text.get('en|' + name, '')}")


def answer_timing(line):
    """(lines, problems): seconds before an answer per language, against the targets."""
    settings = line.settings
    return timing_module.report(timing_module.measure(line.flow, line.manifest), settings["FIRST_ANSWER_SECONDS"],
                                settings["RETURNING_ANSWER_SECONDS"], settings["MAX_MENU_SECONDS"])
