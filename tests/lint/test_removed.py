"""Code removed as dead stays removed (each had no caller; reintroducing one needs a caller)."""

from __future__ import annotations

import pytest

from askflow.library import graph
from askflow.lint import runner, structure


@pytest.mark.parametrize(
    ("module", "name"),
    [(runner, "_library_linter"), (runner, "LIBRARY_MARKER"), (structure, "field_type"), (graph.Graph, "node")],
)
def test_dead_code_is_gone(module: object, name: str) -> None:
    assert not hasattr(module, name)
