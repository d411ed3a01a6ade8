"""The shape of the code: rooms that import in one direction, content and the audio
build free of the web, small modules, and an `ivr` command that lists its own."""
import ast
import subprocess
import sys
from collections import defaultdict

from click.testing import CliRunner

from ivr.cli import main
from ivr.config import ROOT

PACKAGE = ROOT / "ivr"
MAX_LINES = 300


def room_of(module):
    """ivr.call.flow -> call; ivr.app -> app (a top-level module is a room of its own)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def imports():
    """(importing module, imported ivr module) for every import in the package."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                names = [target] + [f"{target}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                if name.startswith("ivr."):
                    found.append((module, name))
    return found


def test_no_import_cycles_between_rooms():
    rooms = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    rooms |= {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    graph = defaultdict(set)
    for source, target in imports():
        a, b = room_of(source), room_of(target)
        if a != b and b in rooms:
            graph[a].add(b)
    # Depth-first search for a back edge.
    state, trail = {}, []

    def visit(room):
        state[room] = "open"
        trail.append(room)
        for nxt in sorted(graph[room]):
            assert state.get(nxt) != "open", f"import cycle: {' -> '.join(trail + [nxt])}"
            if nxt not in state:
                visit(nxt)
        trail.pop()
        state[room] = "done"

    for room in sorted(graph):
        if room not in state:
            visit(room)
    # The direction a request walks: the web app down to content, never back up.
    assert "call" not in graph["content"] and "audio" not in graph["content"]
    assert "call" not in graph["audio"] and "dev" not in graph["audio"] and "dev" not in graph["call"]
    # The call room uses the offices, and staff use the call room: offices use neither.
    assert not {"call", "staff", "services", "app"} & graph["offices"]


def test_content_and_the_audio_build_load_neither_flask_nor_twiml():
    code = ("import sys, ivr.content, ivr.content.check, ivr.audio.build, ivr.audio.encoding, ivr.audio.manifest;"
            "print(sorted(m for m in sys.modules if m == 'flask' or m.startswith('twilio')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_no_module_is_over_three_hundred_lines():
    long = {str(p.relative_to(ROOT)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_every_package_says_what_lives_there():
    for init in PACKAGE.rglob("__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and len(doc) > 40, f"{init.relative_to(ROOT)} has no docstring"


def test_the_command_lists_the_lines_own_commands_each_with_a_purpose():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    listed = result.output.split("Commands:")[1].split("\n")
    commands = {line.split()[0]: " ".join(line.split()[1:]) for line in listed if line.strip()}
    assert set(commands) == {"audio", "call", "check", "db", "offices", "recordings", "staff", "stats", "worker"}
    assert all(purpose and not purpose.endswith("...") for purpose in commands.values()), commands
    assert "Flask" not in result.output and "--env-file" not in result.output
