"""`ivr audio coverage`: what each language lacks, what cannot be served, and a clear
answer for a language the line does not have."""
import json

from click.testing import CliRunner

from ivr.cli import main


def coverage(audio_dir, *args, **env):
    environment = {"AUDIO_DIR": str(audio_dir), "REDIS_URL": "", "AUDIO_ENGINES": "recording,espeak", **env}
    return CliRunner().invoke(main, ["audio", "coverage", *args], env=environment)


def test_coverage_lists_every_language_even_with_audio_turned_off(built_audio):
    result = coverage(built_audio, AUDIO_ENABLED="0")
    assert result.exit_code == 0, result.output
    lines = dict(line.split(": ", 1) for line in result.output.splitlines())
    assert lines["en"].endswith(" complete") and lines["ti"].endswith(" INCOMPLETE")


def test_an_unknown_language_is_said_and_fails(built_audio):
    result = coverage(built_audio, "--lang", "xx")
    assert result.exit_code != 0
    assert "'xx'" in result.output and "en" in result.output


def test_one_language_lists_what_it_lacks(built_audio):
    result = coverage(built_audio, "--lang", "ti")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    # By number: the welcome (1) and the menus first, so the most heard are recorded first.
    assert lines[0].startswith("ti: ") and lines[1].split()[:2] == ["1", "ti|welcome|:"]


def test_audio_that_cannot_be_served_is_listed_and_fails(audio_dir):
    entry = json.loads((audio_dir / "manifest.json").read_text())["nl|goodbye|"]
    (audio_dir / f"{entry['key']}.wav").write_bytes(b"RIFF broken")
    result = coverage(audio_dir, "--lang", "nl")
    assert result.exit_code == 1
    assert f"  unservable nl|goodbye| (key {entry['key']})" in result.output
    assert "nl: " in result.output and "1 UNSERVABLE" in result.output


def test_dutch_names_the_engine_garbles_come_first_for_a_recording(tmp_path):
    """Prompts that say "VluchtelingenWerk" or "spreekuur" in French are listed first
    for a staff recording; a word merely containing one (Kinshasa, "HASA") is not."""
    from click.testing import CliRunner

    from ivr.cli import main

    result = CliRunner().invoke(main, ["audio", "coverage", "--lang", "fr"], env={"AUDIO_DIR": str(tmp_path)})
    listed = result.output.split("First in line for a staff recording")[1]
    assert "fr|org_vwn|  (VluchtelingenWerk)" in listed and "fr|hours_spreekuur|  (spreekuur)" in listed
    assert "country=CD" not in listed
    dutch = CliRunner().invoke(main, ["audio", "coverage", "--lang", "nl"], env={"AUDIO_DIR": str(tmp_path)})
    assert "First in line" not in dutch.output
