"""`make bench`, kept from rotting: its servers start the Procfile's way, its load
counts, its table prints (the full run takes minutes and is not a test)."""
import io

from ivr.dev import bench, procfile
from ivr.dev.load import Stats, load, serve


def test_the_baseline_is_served_as_the_procfile_serves_the_line():
    command = procfile.web_command(5999, app_spec="ivr.dev.bench:bare_app()")
    assert command[-1] == "ivr.dev.bench:bare_app()"
    assert "--config" in command  # the Procfile's gunicorn config, for the baseline too
    with serve("ivr.dev.bench:bare_app()") as url:
        stats = load(url, bench.BARE_PATH, bench.TWILIO_FORM, seconds=0.5, threads=2, warmup=0.1)
    assert stats.errors == 0 and stats.rps > 0


def test_the_table_prints_rows_and_verdicts():
    base = Stats([0.001] * 10, seconds=1.0)
    target = Stats([0.002] * 9, seconds=1.0)
    rows = [bench.row_from("webhooks", "bare", base),
            bench.row_from("webhooks", "POST /voice", target, base, checked=True, rps_ratio=0.9)]
    out = io.StringIO()
    bench.print_table(rows, out)
    assert "PASS   0.90  POST /voice" in out.getvalue()
