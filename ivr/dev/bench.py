"""`make bench`: how fast the line answers Twilio, as ratios against a bare Flask route.

Absolute times depend on the machine, so every figure is compared with a baseline
measured in the same run: a bare Flask app returning a constant TwiML document of
similar size, served the same way (the Procfile's gunicorn config, same workers). Each target is measured
in short rounds alternating with the baseline, so both see the same background load
(a small shared machine is noisy). The ratio says what our own code costs on top of
Flask + gunicorn. The servers' CPU time per request (Linux /proc) gives a second
ratio that background load hardly moves. This is a report, not a test: it always
exits 0 unless a server cannot start.

More benchmarks are functions in BENCHES, each returning Rows for the same table.
"""
import argparse
import json
import os
import shutil
import sys
import time
from dataclasses import asdict, dataclass
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from ..call import twilio_request
from ..config import ROOT
from .bench_offices import OFFICE_WEBHOOK, bench_offices, office_database
from .load import WORKERS, ServerFailed, Stats, paired, serve, warm_up, worker_peak_rss_mb

TARGET_RPS_RATIO = 0.8
RESULTS = ROOT / "instance" / "bench.json"

# What Twilio sends with every voice webhook (a fixed call, a Moroccan caller).
TWILIO_FORM = twilio_request.params("CA" + "1" * 32, caller="+212612345678")

# The baseline's answer: about the size of the line's own documents (600-1300 bytes).
BARE_TWIML = (
    '<?xml version="1.0" encoding="UTF-8"?><Response><Gather action="/voice/language/key" '
    'actionOnEmptyResult="false" finishOnKey="" method="POST" numDigits="1" timeout="6">'
    '<Say language="en-GB" voice="Polly.Amy">Welcome. This line explains what happens after '
    "an asylum application is rejected in the Netherlands.</Say>"
    '<Say language="en-GB" voice="Polly.Amy">For English, press 1.</Say>'
    '<Say language="nl-NL" voice="Polly.Lotte">Voor Nederlands, toets 2.</Say>'
    '<Say language="fr-FR" voice="Polly.Celine">Pour le fran\u00e7ais, appuyez sur 3.</Say>'
    '</Gather><Redirect method="POST">/voice/language?tries=1</Redirect></Response>'
)
BARE_PATH = "/twiml"
BARE_AUDIO_PATH = "/bytes"


def bare_app():
    """The baseline: Flask with one route and nothing of ours (gunicorn calls this)."""
    from flask import Flask, Response

    app = Flask(__name__)

    @app.post(BARE_PATH)
    def twiml():
        return Response(BARE_TWIML, mimetype="text/xml")

    # The audio baseline: the same bytes the line serves, from memory.
    audio = Path(os.environ["BENCH_AUDIO_FILE"]).read_bytes() if os.environ.get("BENCH_AUDIO_FILE") else b""

    @app.get(BARE_AUDIO_PATH)
    def audio_bytes():
        return Response(audio, mimetype="audio/wav")

    return app


@dataclass
class Row:
    bench: str
    target: str
    rps: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    rps_ratio: float | None = None  # target rps / baseline rps, higher is better (webhooks: median of rounds)
    p99_ratio: float | None = None  # baseline p99 / target p99 (higher is better)
    cpu_ratio: float | None = None  # baseline / target server CPU per request (higher is better)
    checked: bool = False  # whether TARGET_RPS_RATIO applies to this row
    note: str = ""


def row_from(bench, target, stats, base=None, checked=False, note="", rps_ratio=None):
    row = Row(bench, target, stats.rps, stats.p50_ms, stats.p99_ms, checked=checked, note=note)
    if base is not None:
        row.rps_ratio = rps_ratio if rps_ratio is not None else (stats.rps / base.rps if base.rps else None)
        row.p99_ratio = base.p99_ms / stats.p99_ms if stats.p99_ms else None
        if base.cpu_per_request and stats.cpu_per_request:
            row.cpu_ratio = base.cpu_per_request / stats.cpu_per_request
    if stats.cpu_per_request:
        row.note = f"{stats.cpu_per_request * 1e6:.0f} us CPU/req; " + row.note
    if stats.errors:
        row.note = (row.note + f" {stats.errors} errors").strip()
    return row


# -- benchmarks ----------------------------------------------------------------
WEBHOOKS = (
    # (label, path, extra form fields, text the answer must hold (else we'd time a fallback),
    # whether the 0.8 target applies: not to a key press, which must parse the form for Digits).
    ("POST /voice (language menu)", "/voice", {}, "<Gather", True),
    ("POST /voice/en/safe_result?cc=MA", "/voice/en/safe_result?cc=MA", {}, "/voice/en/safe_result/key", True),
    ("POST /voice/en/return_support?part=1", "/voice/en/return_support?part=1", {},
     "/voice/en/return_support/key?part=1", True),
    ("POST /voice/en/rejected (statistics counted)", "/voice/en/rejected", {}, "/voice/en/rejected/key", True),
    ("POST /voice/en/main/key Digits=2 (info)", "/voice/en/main/key", {"Digits": "2"}, "<Redirect", False),
    OFFICE_WEBHOOK,
)
# The app as benched: as in production (audio from Redis, statistics counted), unsigned.
APP_ENV = {"IVR_DEVELOPMENT": "1", "TWILIO_AUTH_TOKEN": "", "AUDIO_ENABLED": "1", "AUDIO_ENGINES": "recording,espeak",
           "STATS_ENABLED": "1", "CALLER_HASH_KEY": "bench-caller-key"}
BENCH_DIR = ROOT / "instance" / "bench"


def probe(base_url, path, form, expect):
    """One request before timing: a note when the answer is not the one we mean to time."""
    url = urlsplit(base_url)
    conn = HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        conn.request("POST", path, urlencode(form).encode(),
                     {"Content-Type": "application/x-www-form-urlencoded"})
        resp = conn.getresponse()
        body = resp.read().decode(errors="replace")
    finally:
        conn.close()
    if resp.status != 200 or expect not in body:
        return f"UNEXPECTED answer ({resp.status}, {len(body)} B): {body[38:120]!r}"
    return f"{len(body)} B"


def bench_webhooks(opts, env):
    """Webhooks, then the audio route, against bare Flask routes; and workers' peak memory."""
    audio_path = first_audio_path(env)
    with serve("ivr.dev.bench:bare_app()", {"BENCH_AUDIO_FILE": str(Path(env["AUDIO_DIR"]) / audio_path.rsplit("/", 1)[1])}) as bare_url, \
            serve("ivr:create_app(serving=True)", env) as app_url:
        base = (bare_url, BARE_PATH, TWILIO_FORM)
        # Warm both servers, unmeasured, and let the app's worker finish its start-up work.
        settled = warm_up([(bare_url, BARE_PATH, TWILIO_FORM), (app_url, "/voice", TWILIO_FORM)], opts.warmup, opts.threads)
        rows, every_base = [], Stats()
        for label, path, extra, expect, targeted in WEBHOOKS:
            form = {**TWILIO_FORM, **extra}
            note = probe(app_url, path, form, expect)
            bare, stats, ratio = paired(base, (app_url, path, form), opts.seconds, opts.rounds, opts.threads)
            every_base += bare
            # Each target against the baseline rounds interleaved with it.
            rows.append(row_from("webhooks", label, stats, bare, checked=targeted, rps_ratio=ratio,
                                 note=f"{note}; bare {bare.rps:.0f} req/s"))
        baseline = row_from("webhooks", "bare Flask TwiML (baseline)", every_base,
                            note=f"{len(BARE_TWIML.encode())} B, all rounds; servers idle {settled:.1f} s after warm-up")

        bare_audio, audio, ratio = paired((bare_url, BARE_AUDIO_PATH, {}), (app_url, audio_path, {}),
                                          opts.seconds, opts.rounds, opts.threads, method="GET")
        audio_rows = [
            row_from("audio", "bare Flask, same bytes from memory (baseline)", bare_audio),
            row_from("audio", "GET /audio/<key>.wav (the main menu)", audio, bare_audio, checked=True,
                     rps_ratio=ratio, note=f"bare {bare_audio.rps:.0f} req/s"),
        ]
        app_mb, bare_mb = worker_peak_rss_mb(app_url), worker_peak_rss_mb(bare_url)
    memory = Row("memory", "peak RSS of a web worker (VmHWM)",
                 note=f"{app_mb:.1f} MB; bare Flask worker {bare_mb:.1f} MB: {app_mb / bare_mb:.2f}x"
                 if app_mb and bare_mb else "not measurable here (no /proc)")
    return [baseline, *rows, *audio_rows, memory]


def first_audio_path(env):
    """The URL path of one real prompt's audio (the main menu, in English)."""
    manifest = json.loads((Path(env["AUDIO_DIR"]) / "manifest.json").read_text(encoding="utf-8"))
    return f"/audio/{manifest['en|main_menu|']['key']}.wav"


def bench_build(opts, env):
    """The whole catalogue's audio: a full build and a build with nothing changed,
    against synthesising the same texts with eSpeak NG alone (the bare work)."""
    from .. import config
    from ..audio import engines, espeak
    from ..audio.build import build
    from ..audio.store import AudioStore
    from ..content import load_content, registry

    audio_dir = Path(env["AUDIO_DIR"])
    shutil.rmtree(audio_dir, ignore_errors=True)
    settings = {**config.DEFAULTS, "AUDIO_DIR": str(audio_dir), "AUDIO_ENGINES": env["AUDIO_ENGINES"],
                "AUDIO_JOBS": opts.jobs}
    content = load_content(settings)
    store = AudioStore(audio_dir)

    started = time.perf_counter()
    items = [(item.text, engines.voice(content.catalogues[item.lang], "espeak")) for item in registry.items(content)]
    spoken = 0
    for text, voice in items:
        if voice:
            espeak.synthesize(text, *engines.Espeak.parse(voice))
            spoken += 1
    bare = time.perf_counter() - started

    full = build(content, store, settings, progress=False, log=lambda *_: None)
    noop = build(content, store, settings, progress=False, log=lambda *_: None)
    return [
        Row("build", f"bare eSpeak NG synthesis of {spoken} texts (baseline)", note=f"{bare:.1f} s"),
        Row("build", f"full audio build ({full.synthesised} made, {opts.jobs} jobs)",
            note=f"{full.seconds:.1f} s: {full.seconds / bare:.2f}x the bare synthesis"),
        Row("build", f"no-op rebuild ({noop.synthesised} made)",
            note=f"{noop.seconds:.2f} s: {noop.seconds / full.seconds:.3f} of the full build"),
    ]


def bench_timing(opts, env):
    """Per language, from the audio just built: seconds a caller listens before an answer."""
    from .. import config
    from ..call import timing
    from ..services import Services

    settings = {**config.DEFAULTS, "AUDIO_DIR": env["AUDIO_DIR"], "AUDIO_ENABLED": True, "REDIS_URL": ""}
    line = Services(settings)
    rows = []
    for t in timing.measure(line.flow, line.manifest):
        node, worst = t.worst("first")
        _, back = t.worst("returning")
        verdict = "PASS" if worst <= settings["FIRST_ANSWER_SECONDS"] and back <= settings["RETURNING_ANSWER_SECONDS"] else "OVER"
        rows.append(Row("answer", f"{t.lang}: seconds before an answer starts",
                        note=f"{verdict} first-time worst {worst:.1f} s ({node}), median {t.median('first'):.1f} s; "
                             f"returning worst {back:.1f} s, median {t.median('returning'):.1f} s"))
    return rows


# The build comes first: the answer times and the webhooks then use its audio.
BENCHES = [bench_build, bench_timing, bench_webhooks, bench_offices]


# -- report --------------------------------------------------------------------
def _fmt(value, spec):
    return "-" if value is None else format(value, spec)


def print_table(rows, out=sys.stdout):
    head = ("target", "req/s", "p50 ms", "p99 ms", "rps/bare", "p99 bare/t", "cpu bare/t", "note")
    body = [
        (r.target, _fmt(r.rps, ".0f"), _fmt(r.p50_ms, ".2f"), _fmt(r.p99_ms, ".2f"),
         _fmt(r.rps_ratio, ".2f"), _fmt(r.p99_ratio, ".2f"), _fmt(r.cpu_ratio, ".2f"), r.note)
        for r in rows
    ]
    widths = [max(len(str(line[i])) for line in (head, *body)) for i in range(len(head))]
    for line in (head, tuple("-" * w for w in widths), *body):
        print("  ".join(str(c).ljust(w) if i in (0, len(head) - 1) else str(c).rjust(w)
                        for i, (c, w) in enumerate(zip(line, widths))).rstrip(), file=out)
    print(f"\ntarget: rps ratio >= {TARGET_RPS_RATIO}", file=out)
    for r in rows:
        if r.checked and r.rps_ratio is not None:
            verdict = "PASS" if r.rps_ratio >= TARGET_RPS_RATIO else "BELOW"
            print(f"  {verdict:5}  {r.rps_ratio:.2f}  {r.target}", file=out)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m ivr.dev.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="measured seconds per target (and its baseline)")
    parser.add_argument("--rounds", type=int, default=5, help="alternations of baseline and target")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds per server first")
    parser.add_argument("--threads", type=int, default=8, help="client threads (one connection each)")
    parser.add_argument("--jobs", type=int, default=4, help="synthesis jobs for the build benchmark")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="a setting for the app under test, e.g. --env AUDIO_ENABLED=1 --env AUDIO_PREVIEW=1")
    opts = parser.parse_args(argv)
    opts.env = dict(item.partition("=")[::2] for item in opts.env)

    from ..store.redis import EmbeddedRedis

    rows = []
    with EmbeddedRedis(BENCH_DIR / "redis", persist=False) as redis_server:
        # The settings of the app under test, handed to each benchmark.
        env = {**APP_ENV, "AUDIO_DIR": str(BENCH_DIR / "audio"), "REDIS_URL": redis_server.url,
               "DATABASE_URL": office_database(BENCH_DIR), **opts.env}
        try:
            for bench in BENCHES:
                rows += bench(opts, env)
        except ServerFailed as exc:
            print(f"bench: a server did not start: {exc}", file=sys.stderr)
            return 2

    # The client threads share the machine with the servers: ratios, not absolutes, carry over.
    print(f"{WORKERS} gunicorn worker(s) per server, as the Procfile runs them (gunicorn.conf.py), {opts.threads} client threads, "
          f"{opts.seconds:g} s per target in {opts.rounds} rounds alternating with the baseline, "
          f"loopback, {os.cpu_count()} CPUs; rps/bare is the median of the per-round ratios")
    print(f"app settings: {' '.join(f'{k}={v}' for k, v in env.items())}\n")
    print_table(rows)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "settings": {"workers": WORKERS, **vars(opts), "app_env": env, "cpus": os.cpu_count(),
                     "target_rps_ratio": TARGET_RPS_RATIO},
        "rows": [asdict(r) for r in rows],
    }, indent=2) + "\n")
    print(f"\nwrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
