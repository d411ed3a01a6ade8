"""/admin/stats (admins and editors): the call statistics at a glance, charts drawn
on the server as SVG bars (no script, no external assets), a date range (GET) and a
CSV export. Never a number or a hash: only counters, and counts under
STATS_THRESHOLD shown as "fewer than N" (drawn as no bar, so no width tells them).
"""
from datetime import date, datetime, timedelta, timezone

from flask import Blueprint, Response, abort, current_app, render_template, request

from ..config import EXTENSION
from ..stats import report as reports
from ..store import db
from .web import requires

bp = Blueprint("stats", __name__, url_prefix="/admin/stats")
DEFAULT_DAYS = 30
MAX_DAYS = 366
COLOURS = 8  # language colours in stats.css (.c0 ... .c7)
# The calls-back counters (ivr.callbacks: "callback:<what>") as staff read them.
CALLBACK_LABELS = {
    "asked": "asked on the line (7)", "queued": "requests taken", "missed_call": "missed calls",
    "open": "refused: one already open", "limit": "refused: daily limit", "unavailable": "could not be taken",
    "withheld": "missed calls, number withheld", "call:done": "line's call answered",
    "call:retry": "line's call busy or not answered, tried again", "call:no_answer": "line's calls never answered",
    "agent:done": "agent: done", "agent:no_answer": "agent: no answer",
}


def _day(name, fallback):
    raw = request.args.get(name, "")
    if not raw:
        return fallback
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort(400, description=f"{name} must be a day written YYYY-MM-DD, not {raw[:20]!r}.")


def _range():
    today = datetime.now(timezone.utc).date()
    end = _day("to", today)
    start = _day("from", end - timedelta(days=DEFAULT_DAYS - 1))
    if start > end:
        abort(400, description="The range must start on or before its end.")
    if (end - start).days >= MAX_DAYS:
        abort(400, description=f"Choose at most {MAX_DAYS} days.")
    return start, end


def _report(start, end):
    services = current_app.extensions[EXTENSION]
    return reports.gather(db.request_session(), services.store.breaker, start, end, services.content.tree,
                          int(current_app.config["STATS_THRESHOLD"]))


def _width(report, count, most):
    """A bar's width in percent; none for a count under the threshold."""
    return 0 if count < report.threshold or not most else round(100 * count / most, 1)


def _bars(report, items):
    most = max((n for _, n in items), default=0)
    return [(label, report.show(n), _width(report, n, most)) for label, n in items]


def _day_bars(report):
    langs = report.languages
    rows = report.days()
    most = max((calls for _, calls, _ in rows), default=0)
    out = []
    for day, calls, by_lang in rows:
        segments, x = [], 0.0
        for index, lang in enumerate(langs):
            width = _width(report, by_lang[lang], most)
            if width:
                segments.append((f"c{index % COLOURS}", x, width, f"{lang}: {report.show(by_lang[lang])}"))
                x += width
        out.append((day, report.show(calls), segments))
    return out


def _funnel(report):
    most = report.main_menu or max((r for _, r, _, _ in report.funnel()), default=0)
    return [dict(topic=topic, reached=report.show(reached), answers=report.show(answers), heard=report.show(heard),
                 dropped=report.show(max(reached - answers, 0)) if reached >= report.threshold else "-",
                 bars=[_width(report, n, most) for n in (reached, answers, heard)])
            for topic, reached, answers, heard in report.funnel()]


@bp.route("", methods=["GET"])
@requires("stats")
def page():
    start, end = _range()
    report = _report(start, end)
    totals = report.totals
    return render_template(
        "admin/stats.html", title="Statistics", start=start, end=end, report=report,
        calls=report.show(totals["calls"]), callers=report.show(totals[reports.CALLERS]),
        languages=[(f"c{i % COLOURS}", lang) for i, lang in enumerate(report.languages)],
        days=_day_bars(report), funnel=_funnel(report), main_menu=report.show(report.main_menu),
        hangups=_bars(report, report.top("hangup")), wrong=_bars(report, report.top("wrong")),
        silences=_bars(report, report.top("silence")), countries=_bars(report, report.named("country")),
        hours=_bars(report, [(f"{h:02d}:00", totals[f"hour:{h:02d}"]) for h in range(24)]),
        months=_bars(report, [(f"{month:%Y-%m}", n) for month, n in sorted(report.months.items())]),
        callbacks=_bars(report, [(CALLBACK_LABELS.get(what, what), n) for what, n in report.named("callback")]),
        offices=_bars(report, report.named("office")), texts=_bars(report, report.named("sms")),
    )


@bp.route("/export.csv", methods=["GET"])
@requires("stats")
def export():
    start, end = _range()
    name = f"ivr-stats-{start.isoformat()}-{end.isoformat()}.csv"
    return Response(reports.csv_text(_report(start, end)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def init_app(app):
    app.register_blueprint(bp)
