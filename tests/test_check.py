"""The content check over the real content, and over content broken on purpose."""
import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path


from ivr import create_app
from ivr.content.check import run_check
from ivr.config import ROOT
from ivr.services import of


def report_for(config):
    app = create_app({"TESTING": True, "AUDIO_ENABLED": False, **config})
    state = of(app)
    return run_check(state.content, app.config, state.offered(), state.manifest, today=dt.date(2026, 11, 22))


def test_the_real_content_passes():
    report = report_for({})
    assert report.errors == []
    # Old facts are reported, so staff know what to verify.
    assert any("avr_adult_total was last verified on 2017-07-01" in w for w in report.warnings)
    # Translations awaiting a native speaker are reported per language.
    assert any(re.match(r"ar: \d+ of \d+ prompts are drafts", n) for n in report.notes)


def test_the_check_command_exits_zero_on_the_real_content():
    env = {**os.environ, "AUDIO_ENABLED": "0"}
    done = subprocess.run(
        [sys.executable, "-m", "ivr.cli", "check"], cwd=ROOT, capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.fullmatch(r"0 errors, \d+ warnings", done.stdout.splitlines()[-1])


def edit(path, old, new):
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_missing_prompt_is_an_error(content_dirs):
    edit(Path(content_dirs["PROMPTS_DIR"]) / "en.toml", 'goodbye = "Thank you for calling. Goodbye."\n', "")
    assert "en: prompt 'goodbye' is missing (used by the call flow)" in report_for(content_dirs).errors


def test_a_placeholder_that_differs_from_the_reference_is_an_error(content_dirs):
    edit(Path(content_dirs["PROMPTS_DIR"]) / "nl.toml", "{avr_adult_total}", "{avr_child_total}")
    errors = report_for(content_dirs).errors
    assert any(e.startswith("nl: support_amounts has placeholders") for e in errors)


def test_an_unknown_placeholder_is_an_error(content_dirs):
    edit(Path(content_dirs["PROMPTS_DIR"]) / "en.toml", "{leave_weeks}", "{leave_months}")
    assert "en: leaving_time names an unknown placeholder {leave_months}" in report_for(content_dirs).errors


def test_unreachable_and_dangling_nodes_are_errors(content_dirs):
    menu = Path(content_dirs["MENUS_DIR"]) / "tree.toml"
    edit(menu, '1 = "undocumented", 2 = "other_country"', '1 = "undocumented", 2 = "nowhere"')
    errors = report_for(content_dirs).errors
    assert "node staying (tree.toml): key 2 leads to 'nowhere', which does not exist" in errors
    assert "node other_country cannot be reached from main" in errors


def test_a_node_deeper_than_three_presses_is_an_error(content_dirs):
    menu = Path(content_dirs["MENUS_DIR"]) / "tree.toml"
    edit(menu, 'options = { 1 = "minors_no_decision", 2 = "minors_decision" }', 'options = { 1 = "minors_no_decision", 2 = "minors_more" }')
    menu.write_text(
        menu.read_text()
        + '\n[nodes.minors_more]\ntype = "menu"\nprompts = ["minors_menu"]\noptions = { 1 = "minors_even_more" }\n'
        + '\n[nodes.minors_even_more]\ntype = "menu"\nprompts = ["minors_menu"]\noptions = { 1 = "minors_decision" }\n'
    )
    assert "node minors_decision takes 4 key presses from the main menu (at most 3)" in report_for(content_dirs).errors


def test_a_menu_without_options_is_a_dead_end(content_dirs):
    menu = Path(content_dirs["MENUS_DIR"]) / "tree.toml"
    edit(menu, 'options = { 1 = "undocumented", 2 = "other_country" }', "options = {}")
    assert "node staying (tree.toml): a menu with no options is a dead end" in report_for(content_dirs).errors


def test_an_option_on_a_global_key_is_an_error(content_dirs):
    menu = Path(content_dirs["MENUS_DIR"]) / "tree.toml"
    edit(menu, '1 = "undocumented", 2 = "other_country"', '1 = "undocumented", 9 = "other_country"')
    assert any("option 9 is taken by a key that works everywhere" in e for e in report_for(content_dirs).errors)


def test_a_translation_without_review_status_is_an_error(content_dirs):
    edit(Path(content_dirs["PROMPTS_DIR"]) / "fr.toml", 'status = "draft"', 'status = "unsure"')
    assert any(e.startswith("fr: ") and "needs a review status" in e for e in report_for(content_dirs).errors)


def test_old_facts_follow_the_configured_age(content_dirs):
    young = report_for({**content_dirs, "FACT_MAX_AGE_DAYS": 100000})
    assert not any("was last verified" in w for w in young.warnings)


def test_the_command_fails_on_broken_content(content_dirs):
    edit(Path(content_dirs["PROMPTS_DIR"]) / "en.toml", 'goodbye = "Thank you for calling. Goodbye."\n', "")
    env = {**os.environ, **content_dirs, "AUDIO_ENABLED": "0"}
    done = subprocess.run(
        [sys.executable, "-m", "ivr.cli", "check"], cwd=ROOT, capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 1
    assert "ERROR: en: prompt 'goodbye' is missing" in done.stdout


def test_an_answer_whose_list_in_facts_is_empty_is_an_error(content_dirs, client):
    (Path(content_dirs["FACTS_DIR"]) / "consulting_hours.toml").write_text("verified = 2026-11-22\n")
    assert "node consulting_hours (tree.toml): an answer with nothing to say" in report_for(content_dirs).errors
    # And the line still answers: back to the main menu, not a crash.
    app = create_app({"TESTING": True, "AUDIO_ENABLED": False, **content_dirs})
    reply = app.test_client().post("/voice/en/consulting_hours")
    assert reply.status_code == 200 and b"/voice/en/main" in reply.data
