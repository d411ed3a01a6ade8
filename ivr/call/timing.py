"""How long a caller listens before an answer starts, computed from the audio built.

From the first word of the call to the first word of an answer, for a caller who
listens to every prompt to its end and presses a key only then: the welcome and the
language menu up to the end of their own language's offer (a first-time caller from
a Dutch number, so no language is moved forward for them), or the short welcome
back (a returning caller), then every menu on the way, in full. Made by asking the real call flow for its TwiML and adding up the seconds the
manifest records for each <Play>; a <Say> fallback counts at a speaking rate.
"""
import statistics
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from ..content import registry
from ..content.utterance import Utterance

CHARS_PER_SECOND = 14  # for a <Say> fallback, which has no recorded length


@dataclass
class LanguageTiming:
    lang: str
    first: dict = field(default_factory=dict)  # answer node -> seconds, first-time caller
    returning: dict = field(default_factory=dict)  # answer node -> seconds, returning caller
    menus: dict = field(default_factory=dict)  # menu node -> seconds to say it in full

    def worst(self, which="first"):
        times = getattr(self, which)
        node = max(times, key=times.get) if times else ""
        return node, times.get(node, 0.0)

    def median(self, which="first"):
        times = list(getattr(self, which).values())
        return statistics.median(times) if times else 0.0


def _key(play):
    return (play.text or "").rsplit("/", 1)[-1].split(".", 1)[0]


def heard_seconds(document, seconds_by_key, until_key=None):
    """Seconds of what a document says (every <Play> and <Say>, in any <Gather>), in
    full or up to the end of the <Play> of `until_key`."""
    total = 0.0
    for element in ET.fromstring(str(document)).iter():
        if element.tag == "Play":
            total += seconds_by_key.get(_key(element), 0.0)
            if until_key is not None and _key(element) == until_key:
                break
        elif element.tag == "Say":
            total += len(element.text or "") / CHARS_PER_SECOND
    return total


def answer_paths(tree):
    """Every answer reachable from the start by menu options: node -> the menus on the way."""
    paths, queue = {}, [(tree.start, [])]
    seen = {tree.start}
    while queue:
        node_id, trail = queue.pop(0)
        node = tree.get(node_id)
        if node is None:
            continue
        if node.type == "answer":
            paths[node_id] = trail
            continue
        if node.type != "menu":
            continue
        for target in node.options.values():
            if target not in seen:
                seen.add(target)
                queue.append((target, trail + [node_id]))
    return paths


LANDLINE = "+31201234567"  # a caller offered their province first: the longest postcode prompt


def _office_menus(flow, lang, seconds_by_key):
    """The office finder's questions: the postcode (with a landline's province offered)
    and each page of provinces."""
    finder = flow.finder
    found = {"find_office": heard_seconds(finder.ask(lang, caller=LANDLINE), seconds_by_key)}
    for page in range(len(finder.pages(LANDLINE))):
        found[f"provinces page {page + 1}"] = heard_seconds(finder.provinces(lang, page, caller=LANDLINE), seconds_by_key)
    return found


def measure(flow, manifest):
    """A LanguageTiming for every language the line offers."""
    seconds_by_key = {entry["key"]: entry.get("seconds", 0.0) for entry in manifest.entries.values()}
    offered = flow.languages()
    paths = answer_paths(flow.tree)
    results = []
    for lang in offered:
        timing = LanguageTiming(lang)
        menu_seconds = {}
        for trail in paths.values():
            for node_id in trail:
                if node_id not in menu_seconds:
                    menu_seconds[node_id] = heard_seconds(flow.node(lang, node_id), seconds_by_key)
        menu_seconds.update(_office_menus(flow, lang, seconds_by_key))
        timing.menus = menu_seconds
        offer = Utterance("language_offer", (("key", str(offered.index(lang) % 8 + 1)),))
        until = manifest.current.get(registry.utterance_id(lang, offer))
        language_menu = heard_seconds(flow.language.incoming(), seconds_by_key, until)
        welcome_back = heard_seconds(flow.language.incoming(remembered=lang), seconds_by_key)
        for answer, trail in paths.items():
            on_the_way = sum(menu_seconds[node_id] for node_id in trail)
            timing.first[answer] = round(language_menu + on_the_way, 1)
            timing.returning[answer] = round(welcome_back + on_the_way, 1)
        results.append(timing)
    return results


def report(timings, first_target, returning_target, menu_target):
    """Lines for a person, and the problems (over a target) for the check."""
    lines, problems = [], []
    lines.append(f"{'lang':<6}{'first worst':>12}{'median':>8}  {'worst path':<22}{'returning worst':>16}{'median':>8}  longest menu")
    for t in timings:
        node, worst = t.worst("first")
        _, back = t.worst("returning")
        menu = max(t.menus, key=t.menus.get) if t.menus else ""
        lines.append(f"{t.lang:<6}{worst:>11.1f}s{t.median('first'):>7.1f}s  {node:<22}{back:>15.1f}s"
                     f"{t.median('returning'):>7.1f}s  {menu} {t.menus.get(menu, 0):.1f}s")
        if worst > first_target:
            problems.append(f"{t.lang}: a first-time caller waits {worst:.0f} s for the answer {node} (target {first_target} s)")
        if back > returning_target:
            problems.append(f"{t.lang}: a returning caller waits {back:.0f} s for an answer (target {returning_target} s)")
        for menu_id, seconds in sorted(t.menus.items()):
            if seconds > menu_target:
                problems.append(f"{t.lang}: menu {menu_id} takes {seconds:.0f} s (target {menu_target} s)")
    return lines, problems
