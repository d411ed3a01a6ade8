"""The menu tree: nodes, their keys and targets, read from menus/*.toml.

Node types:
  menu     prompts, then options: key -> node id
  answer   chunks spoken one at a time (each at most ~40 s) with continue / hear again,
           then optional options (related topics). `chunks_from` appends chunks made
           from a list in facts/ (one organisation per chunk, say).
  dial_code  the caller types a country's dialling code; `result` names the node that
           answers for one country.
  country  the answer for one country (the country travels in the URL).
  postcode the caller types a postcode and hears the nearest office
           (ivr/call/office_finder.py); `chunks` are said instead when the line
           has no office data.
A menu may offer the caller's own country first (`caller_country`), when their
number is foreign. The parent of a node (where "back" goes) is derived from the tree.
"""
import tomllib
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

NODE_TYPES = ("menu", "answer", "dial_code", "country", "postcode")
GLOBAL_KEYS = ("repeat", "back", "main", "language", "next")
# Every key a keypad can send (DTMF), in one place.
KEYPAD = frozenset("0123456789*#")


class MenuError(ValueError):
    pass


@dataclass
class Node:
    id: str
    type: str
    prompts: list = field(default_factory=list)
    options: dict = field(default_factory=dict)
    chunks: list = field(default_factory=list)  # list of lists of prompt ids
    chunks_from: str = ""
    caller_country: dict = field(default_factory=dict)  # key, prompt, target
    result: str = ""
    parent: str = ""
    source: str = ""  # the file it came from, for messages


@dataclass
class Tree:
    start: str
    keys: dict
    nodes: dict
    welcome: list = field(default_factory=list)  # languages the welcome is said in
    likely: dict = field(default_factory=dict)  # country -> languages its callers likely speak
    shared_codes: dict = field(default_factory=dict)  # dialling code -> other countries to name
    record_first: list = field(default_factory=list)  # Dutch words other languages' engines garble

    def get(self, node_id):
        return self.nodes.get(node_id)

    def targets(self, node):
        """Every node id this node leads to by a key."""
        out = list(node.options.values())
        if node.caller_country:
            out.append(node.caller_country.get("target", ""))
        if node.result:
            out.append(node.result)
        return out

    def walk(self):
        """Breadth-first from the start: (parent id, node id, key presses) for every
        reachable node, each once, the start first with no parent."""
        seen, queue = {self.start: 0}, deque([self.start])
        yield None, self.start, 0
        while queue:
            current = queue.popleft()
            node = self.nodes.get(current)
            if node is None:
                continue
            for target in self.targets(node):
                if target in self.nodes and target not in seen:
                    seen[target] = seen[current] + 1
                    queue.append(target)
                    yield current, target, seen[target]

    def reachable(self):
        return {node_id for _, node_id, _ in self.walk()}

    def depth(self):
        """Key presses from the start to each reachable node."""
        return {node_id: presses for _, node_id, presses in self.walk() if node_id in self.nodes}


def _chunks(raw):
    chunks = []
    for chunk in raw or []:
        chunks.append([chunk] if isinstance(chunk, str) else list(chunk))
    return chunks


def load_tree(directory):
    start, keys, nodes, welcome, likely, shared, record_first = None, {}, {}, [], {}, {}, []
    for path in sorted(Path(directory).glob("*.toml")):
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise MenuError(f"{path.name}: not valid TOML: {exc}") from exc
        if "start" in raw:
            if start is not None:
                raise MenuError(f"{path.name}: a second 'start'")
            start = raw["start"]
        keys.update(raw.get("keys") or {})
        welcome += list(raw.get("welcome") or [])
        likely.update({str(k).upper(): list(v) for k, v in (raw.get("likely_languages") or {}).items()})
        shared.update({str(k): [str(r).upper() for r in v] for k, v in (raw.get("shared_codes") or {}).items()})
        record_first += [str(term) for term in (raw.get("record_first") or {}).get("terms", [])]
        for node_id, spec in (raw.get("nodes") or {}).items():
            if node_id in nodes:
                raise MenuError(f"{path.name}: node {node_id!r} is defined twice")
            node_type = spec.get("type", "menu")
            if node_type not in NODE_TYPES:
                raise MenuError(f"{path.name}: node {node_id!r} has unknown type {node_type!r}")
            nodes[node_id] = Node(
                id=node_id,
                type=node_type,
                prompts=list(spec.get("prompts") or []),
                options={str(k): v for k, v in (spec.get("options") or {}).items()},
                chunks=_chunks(spec.get("chunks")),
                chunks_from=spec.get("chunks_from", ""),
                caller_country=dict(spec.get("caller_country") or {}),
                result=spec.get("result", ""),
                source=path.name,
            )
    if start is None:
        raise MenuError("no menu file names the 'start' node")
    missing = [k for k in GLOBAL_KEYS if k not in keys]
    if missing:
        raise MenuError(f"[keys] lacks {', '.join(missing)}")
    tree = Tree(start, {k: str(v) for k, v in keys.items()}, nodes, welcome, likely, shared, record_first)
    _derive_parents(tree)
    return tree


def _derive_parents(tree):
    """The parent is the node that first leads to it on a breadth-first walk."""
    for parent, node_id, _ in tree.walk():
        if parent is not None:
            tree.nodes[node_id].parent = parent
