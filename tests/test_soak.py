"""`make soak`, kept from rotting: a few seconds of it with its faults, and its verdict."""
import re
import socket
import subprocess
import sys
import time

from ivr.config import ROOT
from ivr.dev import simulator
from ivr.dev.soak_report import Sample, Tally, report


def test_a_short_soak_with_its_faults_passes(audio_dir, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "ivr.dev.soak", "--callers", "3", "--seconds", "6",
         "--audio-dir", str(audio_dir), "--dir", str(tmp_path / "soak")],
        cwd=ROOT, capture_output=True, text=True, timeout=180,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    assert "RESULT     PASS" in out
    assert int(re.search(r"^requests\s+(\d+)", out, re.M).group(1)) > 50
    assert re.search(r"^calls\s+[1-9]", out, re.M)
    for fault in ("Redis killed", "Redis started again", "Redis frozen", "Redis thawed"):
        assert fault in out
    assert "0 caller numbers" in out
    # It stopped what it started: nothing listens on the ports it named any more.
    for port in re.findall(r"127\.0\.0\.1:(\d+)", out.splitlines()[1]):
        assert not answering(int(port))


def answering(port):
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def tally_of(*samples, **fields):
    tally = Tally(**fields)
    tally.samples.extend(samples)
    return tally


def ok(kind="webhook", status=200, began=0.0):
    return Sample(kind, "steady", began, 0.004, status)


def lines():
    out = []
    return out, out.append


def test_the_verdict_passes_a_line_that_held():
    out, log = lines()
    assert report(tally_of(ok(), ok("audio"), calls=1), log)
    assert out[-1] == "RESULT     PASS"


def test_the_verdict_fails_on_a_5xx():
    out, log = lines()
    assert not report(tally_of(ok(), ok(status=503)), log)
    assert "1 answers were 5xx" in out[-1]


def test_the_verdict_fails_on_silence():
    tally = tally_of(ok(), ok("audio", 404))
    heard = [simulator.Event("play", f"{simulator.SILENT_AUDIO} answers 404)")]
    tally.call_ended(heard, 0.0, 1.0)
    out, log = lines()
    assert not report(tally, log)
    assert "heard silence" in out[-1]


def test_the_verdict_fails_on_a_dead_end_and_on_numbers_in_the_log():
    tally = tally_of(ok())
    tally.call_ended([simulator.Event("end", f"{simulator.DEAD_END}: no way on")], 0.0, 1.0)
    tally.read_log("POST /voice From=31612345678", {"+31612345678"}, "")
    out, log = lines()
    assert not report(tally, log)
    assert "heard silence" in out[-1] and "caller numbers" in out[-1]


def test_a_request_cut_by_the_worker_kill_is_counted_apart():
    now = time.monotonic()
    tally = tally_of(ok(began=now - 1), Sample("webhook", "a web worker killed", now, 0.001, None))
    tally.kills.append(now)
    tally.call_failed(simulator.Unreachable("nothing answers"), now - 0.5, now + 0.01)
    out, log = lines()
    assert report(tally, log)
    assert tally.cut == 1
    assert any("+1 cut by the worker's SIGKILL" in line for line in out)
    # The same dropped connection with no worker killed fails the soak.
    tally.kills.clear()
    tally.call_failed(simulator.Unreachable("nothing answers"), now, now + 0.01)
    assert not report(tally, log)
