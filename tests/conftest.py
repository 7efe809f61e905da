"""Shared test fixtures.

``../shared`` (read-only reference material: Argo's CRDs and examples, the chart's values, the
Pulumi project schema, real batch job definitions) sits beside the repository in CI; ``make
fixtures`` downloads the upstream ones into ``.cache/fixtures`` (sha256-verified). Tests that read
them use :func:`shared_path`: the cache, else ../shared, else a skip saying ``make fixtures``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("ASKFLOW_SHARED", ROOT.parent / "shared")).resolve()
REGENERATE = os.environ.get("ASKFLOW_REGENERATE") == "1" and not os.environ.get("CI")


#: Where `make fixtures` puts the upstream files (tests/support/fixtures.py), sha256-verified.
FIXTURES = ROOT / ".cache" / "fixtures"


def shared_path(*parts: str) -> Path:
    """A reference file or folder: from the `make fixtures` cache, else ../shared, else a pytest skip
    that says how to get it."""
    for base in (FIXTURES, SHARED):
        path = base.joinpath(*parts)
        if path.exists():
            return path
    pytest.skip(f"{'/'.join(parts)} is absent: run `make fixtures` (or put ../shared beside the repository)")


#: Pulumi's project schema: upstream's at a tag (``make fixtures``) and ../shared's edited copy of it.
PROJECT_SCHEMAS = [("pulumi", "v3.259.0", "project.json"), ("pulumi", "project.schema.json")]


@pytest.fixture
def shared() -> Path:
    return shared_path()


def umask() -> int:
    """The process's umask (the permissions a new file or folder does not get)."""
    current = os.umask(0)
    os.umask(current)
    return current


@pytest.fixture(scope="session")
def old_prod(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The plan of prod as it is on main (``askflow plan --json``), what ``--against`` compares with:
    planned once per test session."""
    from askflow.cli import main

    path = tmp_path_factory.mktemp("old") / "prod.json"
    assert main(["plan", "--stack", "prod", "--project", str(ROOT), "--quiet", "--json", str(path),
                 "--out", str(path.parent / "out")]) == 0
    return path
