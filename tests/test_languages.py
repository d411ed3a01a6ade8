"""Languages are data: an eleventh is one more catalogue file, with no code change."""
import re
from pathlib import Path

from ivr import create_app
from ivr.content.check import run_check
from ivr.services import of

from twiml import only_gather, parse, redirect_of, spoken


def add_language(prompts_dir, code="xx", say_language="en-US"):
    """A new catalogue: the English texts under a new code, offered last."""
    text = (Path(prompts_dir) / "en.toml").read_text(encoding="utf-8")
    text = text.replace('code = "en"', f'code = "{code}"').replace('name = "English"', 'name = "Testish"')
    text = text.replace("order = 1\n", "order = 11\n").replace("reference = true\n", "")
    text = text.replace('say_language = "en-GB"', f'say_language = "{say_language}"')
    text = re.sub(r"^language_offer = .*$", 'language_offer = "Testish, press {key}."', text, flags=re.M)
    # A translation: every entry carries a review status.
    lines = []
    for line in text.splitlines():
        if "=" in line and not line.startswith(("#", "[", "code", "name", "locale", "order", "say_", "money")):
            prompt_id, value = line.split("=", 1)
            line = f"{prompt_id.strip()} = {{ text = {value.strip()}, status = \"draft\" }}"
        lines.append(line)
    (Path(prompts_dir) / f"{code}.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_an_eleventh_language_is_one_more_file(content_dirs):
    add_language(content_dirs["PROMPTS_DIR"])
    app = create_app({"TESTING": True, "AUDIO_ENABLED": False, **content_dirs})
    state = of(app)
    assert list(state.content.catalogues)[-1] == "xx"
    report = run_check(state.content, app.config, state.offered(), state.manifest)
    assert report.errors == []
    offered = state.flow.languages()
    assert offered[-1] == "xx"

    client = app.test_client()
    menu = only_gather(parse(client.post("/voice")))
    assert spoken(menu)[-1] == f"Testish, press {len(offered)}."
    assert redirect_of(parse(client.post("/voice/language/key", data={"Digits": str(len(offered))}))) == "/voice/xx/main?new=1"
    main = only_gather(parse(client.post("/voice/xx/main")))
    assert main.find("Say").get("language") == "en-US"


def test_a_language_without_a_voice_is_not_offered(content_dirs):
    add_language(content_dirs["PROMPTS_DIR"], say_language="")
    app = create_app({"TESTING": True, "AUDIO_ENABLED": False, **content_dirs})
    assert "xx" not in of(app).flow.languages()
    assert "xx" in of(app).content.catalogues


def test_more_than_nine_languages_are_paged(content_dirs):
    for n in range(9):
        add_language(content_dirs["PROMPTS_DIR"], code=f"x{n}")
    app = create_app({"TESTING": True, "AUDIO_ENABLED": False, **content_dirs})
    offered = of(app).flow.languages()
    assert len(offered) > 9
    client = app.test_client()
    first = spoken(only_gather(parse(client.post("/voice"))))
    assert first[-1] == "More languages, press 9."
    second = parse(client.post("/voice/language/key", data={"Digits": "9"}))
    offers = spoken(only_gather(second))
    assert len(offers) == len(offered) - 8
    assert only_gather(second).get("action") == "/voice/language/key?page=1"
    assert redirect_of(parse(client.post("/voice/language/key?page=1", data={"Digits": "1"}))) == f"/voice/{offered[8]}/main?new=1"
