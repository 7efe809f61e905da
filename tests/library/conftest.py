"""Fixtures for the template library tests: a private copy of the starter library, the CLI, and
Argo's CRD schemas (through tests/support/argo_crds.py)."""

from __future__ import annotations

import argparse
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from askflow.errors import AskflowError
from askflow.library import cli
from tests.conftest import ROOT

# The library the mechanics tests (new, lock, retire, diff, show, list...) run on: two released
# versions of etl and fan-out (YAML and Python) and of hello-world, and a CronWorkflow. A fixture,
# not workflows/: the repository's own library keeps changing (versions are retired), while these
# tests need a fixed history. Its versions follow the platform rules (askflow lint --strict).
STARTER = Path(__file__).parent / "fixtures" / "workflows"
# The repository's own template library (what the stacks deploy).
LIBRARY = ROOT / "workflows"


@pytest.fixture
def lib_root(tmp_path: Path) -> Path:
    """A copy of the fixture library (:data:`STARTER`) that a test may change."""
    root = tmp_path / "workflows"
    shutil.copytree(STARTER, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def run_cli(argv: list[str]) -> int:
    """Run ``askflow <argv>`` with only the workflows command registered, as askflow.cli.main does:
    an AskflowError is printed on one line to stderr and becomes the exit code."""
    import sys

    parser = argparse.ArgumentParser(prog="askflow")
    cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except AskflowError as exc:
        print(exc.line(), file=sys.stderr)
        return exc.exit_code


@pytest.fixture
def askflow(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """``askflow("workflows", "list", ...)`` -> (exit code, stdout, stderr)."""

    def run(*argv: str) -> tuple[int, str, str]:
        code = run_cli(list(argv))
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def crd_errors(obj: dict) -> list[str]:
    """Errors of ``obj`` against Argo's v4.1.2 CRD schema for its kind (empty when valid)."""
    from tests.support.argo_crds import crd_errors as shared_crd_errors

    return list(shared_crd_errors(obj))
