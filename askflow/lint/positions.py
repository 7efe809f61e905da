"""Where a finding is in its file: ``line:column`` of the YAML node its JSON path names.

Findings are computed on plain Python objects (fast to walk, no positions). Only the files that
have findings are read again here, as YAML nodes (``yaml.compose_all``, which keeps start marks),
and each finding's path (``spec.templates[0].dag.tasks[2].depends``) is followed down the node
tree as far as it exists: a finding about a missing field points at the mapping that lacks it, a
whole-document finding at the document's first line. JSON is YAML for this purpose; a file that
is not YAML (a ``.py`` version of a template library) points at its first line.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from askflow.yamlio import StrictLoader

_PART = re.compile(r"\[(\d+)\]|([^.\[\]]+)")
_NULL = "tag:yaml.org,2002:null"

Position = tuple[int, int]
START: Position = (1, 1)


def split_path(path: str) -> list[str | int]:
    """``a.b[2].c`` -> ``["a", "b", 2, "c"]``."""
    return [int(i) if i else k for i, k in _PART.findall(path)]


def documents(text: str) -> list[yaml.Node]:
    """The non-empty documents of a YAML (or JSON) stream as nodes, numbered as the loader numbers
    them (empty and null documents are not counted); [] when the text does not compose."""
    try:
        nodes = list(yaml.compose_all(text, Loader=StrictLoader))
    except (yaml.YAMLError, RecursionError):
        return []
    return [n for n in nodes if n is not None and not (isinstance(n, yaml.ScalarNode) and n.tag == _NULL)]


def _mark(node: yaml.Node) -> Position:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def locate(doc: yaml.Node, path: str) -> Position:
    """The position of the deepest node along ``path`` that exists in ``doc``.

    Keys holding dots (``workflows.argoproj.io/scheduled-time``) are matched by joining the
    remaining name parts until a key of the mapping matches."""
    node = doc
    parts = split_path(path)
    i = 0
    while i < len(parts):
        part = parts[i]
        if isinstance(part, int):
            if not isinstance(node, yaml.SequenceNode) or part >= len(node.value):
                break
            node = node.value[part]
            i += 1
            continue
        if not isinstance(node, yaml.MappingNode):
            break
        keys = {k.value: (k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)}
        found = None
        for j in range(i + 1, len(parts) + 1):
            if any(isinstance(p, int) for p in parts[i:j]):
                break
            name = ".".join(str(p) for p in parts[i:j])
            if name in keys:
                found = (j, keys[name])
                break
        if found is None:
            break
        i, (key_node, value_node) = found
        # A path that ends at a key points at the key (the line a reader looks for), whatever
        # its value is; a mapping's first entry may be lines below it.
        node = value_node
        if i == len(parts):
            return _mark(key_node)
    return _mark(node)


class Positions:
    """Node trees of files, read once each, for :func:`locate`."""

    def __init__(self) -> None:
        self._docs: dict[str, list[yaml.Node]] = {}

    def _of(self, file: str) -> list[yaml.Node]:
        docs = self._docs.get(file)
        if docs is None:
            docs = []
            if Path(file).suffix in (".yaml", ".yml", ".json"):
                try:
                    docs = documents(Path(file).read_text(encoding="utf-8"))
                except (OSError, UnicodeDecodeError):
                    docs = []
            self._docs[file] = docs
        return docs

    def of(self, file: str, doc: int, path: str) -> Position:
        docs = self._of(file)
        if doc >= len(docs):
            return START
        return locate(docs[doc], path)
