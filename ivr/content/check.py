"""The content check: is the tree sound, is every prompt there in every language,
do placeholders agree, and what needs a person's attention (drafts, old facts).

`run_check` is a plain function over loaded content, the languages the line offers
and, when audio is on, what the audio build holds (anything with `missing` and
`manifest`, see ivr.audio.manifest); `ivr check` prints its report.
"""
import datetime as dt
from dataclasses import dataclass, field

from . import clock_words, registry
from .answers import CHUNK_SOURCES
from .catalogue import REFERENCE, REVIEW_STATUSES, placeholders
from .facts import verified_dates
from .loader import SLOTS
from .tree import KEYPAD

MAX_PRESSES = 3  # every topic within three key presses of the main menu
CHARS_PER_SECOND = 14  # a rough speaking rate, to flag chunks that run long


@dataclass
class Report:
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors

    def render(self):
        lines = []
        for title, items in (("ERROR", self.errors), ("WARNING", self.warnings), ("NOTE", self.notes)):
            lines += [f"{title}: {item}" for item in items]
        lines.append(f"{len(self.errors)} errors, {len(self.warnings)} warnings")
        return "\n".join(lines)


def _check_tree(content, report):
    tree, keys = content.tree, content.tree.keys
    if tree.get(tree.start) is None:
        report.errors.append(f"the start node {tree.start!r} does not exist")
        return
    global_keys = set(keys.values()) - {keys["next"]}
    for node in tree.nodes.values():
        where = f"node {node.id} ({node.source})"
        for key, target in node.options.items():
            if key not in KEYPAD or len(key) != 1:
                report.errors.append(f"{where}: option key {key!r} is not a keypad key")
            if key in global_keys:
                report.errors.append(f"{where}: option {key} is taken by a key that works everywhere")
            if target not in tree.nodes:
                report.errors.append(f"{where}: key {key} leads to {target!r}, which does not exist")
        if node.type == "menu" and not node.options:
            report.errors.append(f"{where}: a menu with no options is a dead end")
        if node.type == "menu" and not node.prompts:
            report.errors.append(f"{where}: a menu needs a prompt")
        if node.type == "answer" and not content.chunks(node):
            report.errors.append(f"{where}: an answer with nothing to say")
        if node.chunks_from and node.chunks_from not in CHUNK_SOURCES:
            report.errors.append(f"{where}: unknown chunks_from {node.chunks_from!r}")
        if node.type == "dial_code":
            result = tree.get(node.result)
            if result is None or result.type != "country":
                report.errors.append(f"{where}: result must name a country node")
        if node.caller_country:
            cc = node.caller_country
            if tree.get(cc.get("target", "")) is None or tree.get(cc["target"]).type != "country":
                report.errors.append(f"{where}: caller_country target must name a country node")
            if cc.get("key") in node.options or cc.get("key") in global_keys:
                report.errors.append(f"{where}: caller_country key {cc.get('key')!r} is already taken")
    reachable = tree.reachable()
    for node_id in sorted(set(tree.nodes) - reachable):
        report.errors.append(f"node {node_id} cannot be reached from {tree.start}")
    for node_id, presses in sorted(tree.depth().items()):
        if presses > MAX_PRESSES:
            report.errors.append(f"node {node_id} takes {presses} key presses from the main menu (at most {MAX_PRESSES})")


def _check_keys_named(content, report):
    """A menu whose reference text does not name one of its keys is a caller's dead end."""
    reference = content.reference
    for node in content.tree.nodes.values():
        spoken = " ".join(reference.text(p) for p in node.prompts if reference.has(p))
        for key in node.options:
            if key.isdigit() and key not in spoken:
                report.warnings.append(f"node {node.id}: its prompt never names key {key}")


def _check_catalogues(content, report, settings):
    used = registry.used_prompts(content)
    reference = content.reference
    known = set(content.figures) | set(SLOTS)
    for code, catalogue in content.catalogues.items():
        missing = [p for p in used if not catalogue.has(p)]
        for prompt in missing:
            report.errors.append(f"{code}: prompt {prompt!r} is missing (used by {used[prompt]})")
        drafts = 0
        for prompt, entry in catalogue.entries.items():
            names = placeholders(entry.text)
            for name in sorted(names - known):
                report.errors.append(f"{code}: {prompt} names an unknown placeholder {{{name}}}")
            if reference.has(prompt) and code != reference.language.code:
                expected = placeholders(reference.text(prompt))
                if names != expected:
                    report.errors.append(
                        f"{code}: {prompt} has placeholders {sorted(names)}, the reference has {sorted(expected)}"
                    )
            if not reference.has(prompt):
                report.warnings.append(f"{code}: {prompt} is not in the reference catalogue")
            if not catalogue.language.reference:
                if entry.status not in REVIEW_STATUSES:
                    report.errors.append(f"{code}: {prompt} needs a review status ({' or '.join(REVIEW_STATUSES)})")
                drafts += entry.status == "draft"
            elif entry.status not in (REFERENCE, *REVIEW_STATUSES):
                report.errors.append(f"{code}: {prompt} has an unknown status {entry.status!r}")
            if len(entry.text) / CHARS_PER_SECOND > settings["MAX_CHUNK_SECONDS"]:
                report.warnings.append(f"{code}: {prompt} may take over {settings['MAX_CHUNK_SECONDS']} seconds to say")
        if drafts:
            report.notes.append(f"{code}: {drafts} of {len(catalogue.entries)} prompts are drafts, not yet checked by a native speaker")
    for code, catalogue in content.catalogues.items():
        for line in sorted(set(reference.sms) - set(catalogue.sms)):
            report.errors.append(f"{code}: [sms] lacks {line!r} (the text message falls back to English)")
        for line, text in catalogue.sms.items():
            if line in reference.sms and placeholders(text) != placeholders(reference.sms[line]):
                report.errors.append(f"{code}: [sms] {line} has placeholders {sorted(placeholders(text))}, "
                                     f"the reference has {sorted(placeholders(reference.sms[line]))}")
    for prompt in sorted(set(reference.entries) - set(used)):
        report.warnings.append(f"prompt {prompt} is in the catalogues but the line never says it")


def _check_rendering(content, report):
    """Fill every prompt for real, in every language: catches what the parser cannot."""
    samples = {"country": "MA", "date": dt.date(2026, 1, 1), "key": "1", "start": dt.time(9, 30),
               "until": dt.time(16, 45), "day": "tue", "pair": "05", "province": "Utrecht", "office": "Utrecht",
               "place": "Utrecht"}
    for code, catalogue in content.catalogues.items():
        if code in clock_words.NEEDS_REVIEW:
            report.notes.append(f"{code}: clock times are written in digits (16:30) for whoever records them: review")
        for prompt, entry in catalogue.entries.items():
            slots = tuple((n, samples[n]) for n in placeholders(entry.text) if n in samples)
            try:
                catalogue.render(prompt, content.values(code, slots))
            except (KeyError, ValueError, IndexError) as exc:
                report.errors.append(f"{code}: {prompt} cannot be filled in: {exc!r}")


def _check_dates(content, report):
    """A date without the language's own words for it is read as written ("1 июля
    2017 г." as "один июля ... гэ"): each catalogue's [dates] should say every one."""
    for date in registry.spoken_dates(content):
        for code, catalogue in content.catalogues.items():
            if date.isoformat() not in catalogue.dates:
                report.warnings.append(
                    f"{code}: no words for the date {date.isoformat()} in [dates]; it is read as "
                    f"{catalogue.spoken_date(date)!r}"
                )


def _check_facts(settings, report, today):
    limit = dt.timedelta(days=int(settings["FACT_MAX_AGE_DAYS"]))
    for filename, item, verified in verified_dates(settings["FACTS_DIR"]):
        if today - verified > limit:
            report.warnings.append(
                f"facts/{filename}: {item} was last verified on {verified.isoformat()}, "
                f"over {settings['FACT_MAX_AGE_DAYS']} days ago"
            )


def _check_audio(content, audio, settings, report, offered):
    """With pre-generated audio: what falls back to <Say>, and chunks that run long."""
    for lang in content.catalogues:
        missing = audio.missing.get(lang, [])
        if not missing:
            continue
        shown = ", ".join(item.split("|", 1)[1].rstrip("|") for item in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        if lang in offered:
            report.warnings.append(f"{lang}: {len(missing)} prompts have no current audio and are spoken with <Say>: {shown}{more}")
        else:
            report.notes.append(f"{lang}: {len(missing)} prompts lack audio (ivr audio coverage --lang {lang}): {shown}{more}")
    limit = settings["MAX_CHUNK_SECONDS"]
    for node in content.tree.nodes.values():
        if node.type != "answer":
            continue
        for index, chunk in enumerate(content.chunks(node)):
            for lang in offered:
                entries = [audio.manifest.get(registry.utterance_id(lang, u)) for u in chunk]
                seconds = sum(e["seconds"] for e in entries if e)
                if seconds > limit:
                    report.warnings.append(f"{lang}: node {node.id} part {index + 1} takes {seconds:.0f} seconds (over {limit})")


def run_check(content, settings, offered, audio=None, today=None):
    """The report on `content`; `offered` are the languages the line can speak now,
    `audio` what the audio build holds (None when the line speaks with <Say>)."""
    report = Report()
    _check_tree(content, report)
    _check_catalogues(content, report, settings)
    if not report.errors:
        _check_rendering(content, report)
        _check_keys_named(content, report)
        _check_dates(content, report)
    _check_facts(settings, report, today or dt.date.today())
    if audio is not None:
        _check_audio(content, audio, settings, report, offered)
    silent = [code for code in content.catalogues if code not in offered]
    report.notes.append(f"offered on the line: {', '.join(offered) or 'none'}")
    if silent:
        report.notes.append(f"not offered (nothing can speak them yet): {', '.join(silent)}")
    if not offered:
        report.errors.append("no language can be spoken: the line cannot answer")
    return report
