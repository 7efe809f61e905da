"""Mutated real definitions (fields replaced by values of the wrong type) never crash the converter:
each either fails with one AskflowError line, or converts into templates that still lint strict and
validate against Argo's CRDs. Seeded, so a failure reproduces."""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from askflow import yamlio
from askflow.convert import plan_run
from askflow.errors import AskflowError
from tests.conftest import shared_path
from tests.convert.support import crd_problems, lint_findings

REPLACEMENTS: list[Any] = [None, 1, -5, "x", [], {}, [1], {"a": 1}, True, "Ref::", 1.5, ["x", {"y": 2}]]
MUTANTS_PER_FILE = 12


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if prefix:
        yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*prefix, i))


def _set(node: Any, path: tuple[Any, ...], value: Any) -> None:
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


def _files() -> list[Path]:
    root = shared_path("batch-jobs")
    return sorted(p for p in root.rglob("*") if p.suffix in (".json", ".yaml"))


@pytest.mark.parametrize("seed", range(3))
def test_mutated_definitions(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    for source in _files():
        original = json.loads(source.read_text()) if source.suffix == ".json" else yamlio.load_file(source)
        paths = list(_paths(original))
        for n in range(MUTANTS_PER_FILE):
            doc = copy.deepcopy(original)
            for path in rng.sample(paths, min(2, len(paths))):
                try:
                    _set(doc, path, copy.deepcopy(rng.choice(REPLACEMENTS)))
                except (KeyError, IndexError, TypeError):  # a parent was replaced by the first mutation
                    pass
            work = tmp_path / f"{source.stem}-{n}"
            path_in = work / f"in{source.suffix}"
            work.mkdir()
            path_in.write_text(json.dumps(doc) if source.suffix == ".json" else yamlio.dumps(doc))
            try:
                run = plan_run([path_in], work / "out")
            except AskflowError as exc:
                assert "\n" not in exc.line() and exc.line().startswith(str(path_in))
                continue
            run.write()
            if (work / "out").exists():
                assert lint_findings(work / "out") == [], (source.name, doc)
                assert crd_problems(work / "out") == [], (source.name, doc)
