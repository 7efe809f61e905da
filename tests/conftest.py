"""Shared test fixtures.

``../shared`` (read-only reference material: Argo's CRDs and examples, the chart's values, the
Pulumi project schema, real batch job definitions) sits beside the repository in CI. Tests that
read it use the ``shared`` fixture and skip, saying why, when it is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("ASKFLOW_SHARED", ROOT.parent / "shared")).resolve()
REGENERATE = os.environ.get("ASKFLOW_REGENERATE") == "1" and not os.environ.get("CI")


def shared_path(*parts: str) -> Path:
    """A path inside ../shared, or a pytest skip when it is not there."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared is not beside the repository; CI has it)")
    return path


@pytest.fixture
def shared() -> Path:
    return shared_path()


def umask() -> int:
    """The process's umask (the permissions a new file or folder does not get)."""
    current = os.umask(0)
    os.umask(current)
    return current
