"""The wait before an answer, measured on the audio built: every offered language
meets the targets a caller on prepaid credit needs."""
from ivr.call import timing
from ivr.services import of


def test_every_answer_starts_in_time_in_every_offered_language(audio_app):
    line = of(audio_app)
    settings = line.settings
    with audio_app.test_request_context():  # <Play> URLs are built on the request's host
        results = timing.measure(line.flow, line.manifest)
    assert {t.lang for t in results} == set(line.offered()) and len(results) >= 7
    lines, problems = timing.report(results, settings["FIRST_ANSWER_SECONDS"], settings["RETURNING_ANSWER_SECONDS"],
                                    settings["MAX_MENU_SECONDS"])
    assert problems == [], "\n".join(lines)


def test_the_measure_adds_up_what_a_caller_hears(audio_app):
    """A returning caller to an answer two presses down: welcome back, the main menu,
    the topic menu, each in full, from the seconds the build recorded."""
    line = of(audio_app)
    entries = line.manifest.entries
    with audio_app.test_request_context():
        en = next(t for t in timing.measure(line.flow, line.manifest) if t.lang == "en")
    expected = sum(entries[f"en|{p}|"]["seconds"] for p in ("welcome_back", "main_menu", "rejected_menu"))
    assert en.returning["decision_appeal"] == round(expected, 1)
    assert timing.answer_paths(line.content.tree)["decision_appeal"] == ["main", "rejected"]
