"""Bad input never crashes the linter: semantic checks run on documents with structure errors too.

Every value of real examples is replaced, one at a time, by values of other JSON types; linting
must report findings, never raise (a traceback for bad input is a bug).
"""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from typing import Any

import pytest

from askflow import yamlio
from askflow.lint import lint_documents
from tests.conftest import shared_path

EXAMPLES = [
    "variables-showcase.yaml",
    "dag-diamond-steps.yaml",
    "cron-backfill.yaml",
    "exit-handlers.yaml",
    "container-set-template/outputs-result-workflow.yaml",
    "k8s-jobs.yaml",
    "custom-metrics.yaml",
    "workflow-template/templates.yaml",
    "loops-maps.yaml",
    "input-artifact-oss.yaml",
]
REPLACEMENTS: list[Any] = [None, 0, -1, "x", "{{", True, [], {}, [1, "a"], {"a": {"b": 1}}, 1.5]


def _paths(value: Any, path: list[Any]) -> Iterator[list[Any]]:
    for key, item in value.items() if isinstance(value, dict) else enumerate(value):
        yield [*path, key]
        if isinstance(item, (dict, list)):
            yield from _paths(item, [*path, key])


@pytest.mark.parametrize("example", EXAMPLES)
def test_type_mutations_never_raise(example: str) -> None:
    rng = random.Random(example)
    docs = yamlio.load_all_file(shared_path("argo", "v4.1.2", "examples", example))
    for doc in docs:
        paths = list(_paths(doc, []))
        for path in rng.sample(paths, min(150, len(paths))):
            broken = copy.deepcopy(doc)
            target = broken
            for part in path[:-1]:
                target = target[part]
            target[path[-1]] = rng.choice(REPLACEMENTS)
            lint_documents([("f.yaml", 0, broken), *[("g.yaml", i, d) for i, d in enumerate(docs)]])
