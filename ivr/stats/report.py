"""The statistics read back: past days from the database (rolled up), days not yet
rolled up from Redis; totals, calls per day by language, the funnel per topic
(main menu -> topic -> answer), the nodes where callers give up or press wrong keys,
the lookups, unique callers per month. Every count under the threshold is shown as
"fewer than N".
"""
import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from ..store.models import DailyStat
from . import months as monthly
from .rollup import CALLERS, from_redis

ANSWERS = ("answer", "country")
TOP = 10  # nodes listed under "give up" and "wrong keys"


def shown(count, threshold):
    """A count as it may be shown: under the threshold (and not 0), "fewer than N"."""
    return f"fewer than {threshold}" if 0 < count < threshold else str(count)


def days_between(start, end):
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def load(session, breaker, start, end):
    """{day: {name: count}} for every day from start to end."""
    days = days_between(start, end)
    per_day = {day: {} for day in days}
    rows = session.execute(select(DailyStat).where(DailyStat.day >= start, DailyStat.day <= end)).scalars()
    for row in rows:
        per_day[row.day][row.name] = row.count
    missing = [day for day in days if not per_day[day]]
    if missing:
        found = breaker.call(lambda client: [from_redis(client, day) for day in missing], None) or []
        per_day.update(zip(missing, found))
    return per_day


def gather(session, breaker, start, end, tree, threshold):
    """The Report of the days start..end (and of the months they touch)."""
    return Report(load(session, breaker, start, end), tree, threshold,
                  monthly.load(session, breaker, start, end))


def _below(tree, node_id):
    """Every node under `node_id` (itself excluded), by the tree's keys."""
    seen, todo = set(), [node_id]
    while todo:
        node = tree.get(todo.pop())
        for target in tree.targets(node) if node else ():
            if target not in seen and target != node_id and target != tree.start:
                seen.add(target)
                todo.append(target)
    return seen


@dataclass
class Report:
    per_day: dict
    tree: object
    threshold: int
    months: dict = field(default_factory=dict)  # {first day of a month: its unique callers}
    totals: Counter = field(init=False)

    def __post_init__(self):
        self.totals = Counter()
        for counts in self.per_day.values():
            self.totals.update(counts)

    def show(self, count):
        return shown(count, self.threshold)

    def named(self, kind):
        """[(what, count)] of every counter "<kind>:<what>", most first."""
        prefix = kind + ":"
        found = [(name[len(prefix):], n) for name, n in self.totals.items() if name.startswith(prefix)]
        return sorted(found, key=lambda item: (-item[1], item[0]))

    @property
    def languages(self):
        return [lang for lang, _ in self.named("lang")]

    def days(self):
        """[(day, calls, {lang: count})] oldest first."""
        return [(day, counts.get("calls", 0), {lang: counts.get(f"lang:{lang}", 0) for lang in self.languages})
                for day, counts in sorted(self.per_day.items())]

    def funnel(self):
        """[(topic, reached, answers reached, answers heard)] for each topic of the main menu."""
        start = self.tree.get(self.tree.start)
        rows = []
        for topic in dict.fromkeys(start.options.values()) if start else ():
            answers = [n for n in _below(self.tree, topic) | {topic} if getattr(self.tree.get(n), "type", "") in ANSWERS]
            rows.append((topic, self.totals[f"reached:{topic}"], sum(self.totals[f"reached:{a}"] for a in answers),
                         sum(self.totals[f"heard:{a}"] for a in answers)))
        return rows

    def top(self, kind):
        return self.named(kind)[:TOP]

    @property
    def main_menu(self):
        return self.totals[f"reached:{self.tree.start}"]

    @property
    def average_seconds(self):
        count = self.totals["durations"]
        return round(self.totals["duration_seconds"] / count) if count >= self.threshold else None


def csv_text(report):
    """day,counter,count: every counter of every day, counts under the threshold hidden."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["day", "counter", "count"])
    for day, counts in sorted(report.per_day.items()):
        for name in sorted(counts):
            if name == "duration_seconds" and counts.get("durations", 0) < report.threshold:
                continue  # a few calls' total length would tell their length
            writer.writerow([day.isoformat(), name, report.show(counts[name])])
    return out.getvalue()


def text(report):
    """The same as the dashboard, for a terminal."""
    show, totals = report.show, report.totals
    lines = [f"Calls: {show(totals['calls'])}   unique callers (sum of days): {show(totals[CALLERS])}"
             f"   average length: {report.average_seconds if report.average_seconds is not None else '-'} s", "",
             "Calls per day"]
    for day, calls, langs in report.days():
        parts = "  ".join(f"{lang} {show(n)}" for lang, n in langs.items())
        lines.append(f"  {day.isoformat()}  {show(calls):>16}  {parts}".rstrip())
    lines += ["", f"Funnel (main menu reached {show(report.main_menu)})",
              f"  {'topic':<22}  {'reached':>16}  {'answers reached':>16}  {'heard to the end':>16}"]
    for topic, reached, answers, heard in report.funnel():
        lines.append(f"  {topic:<22}  {show(reached):>16}  {show(answers):>16}  {show(heard):>16}")
    for title, kind in (("Hang-ups by node", "hangup"), ("Wrong keys by node", "wrong"),
                        ("Silences by node", "silence"), ("Safe-country lookups", "country"),
                        ("Calls back", "callback"), ("Office lookups by province", "office"),
                        ("Text messages (queued, sent)", "sms")):
        rows = [f"  {what:<22}  {show(n):>16}" for what, n in report.top(kind)]
        lines += ["", title] + (rows or ["  none"])
    lines += ["", "Unique callers per month (the whole month)"]
    lines += [f"  {month:%Y-%m}  {show(n):>16}" for month, n in sorted(report.months.items())] or ["  none"]
    return "\n".join(lines) + "\n"
