"""Scratch copies of the project for tests that write stack files or edit the program's inputs."""

from __future__ import annotations

import shutil
from pathlib import Path

from askflow import yamlio
from tests.conftest import ROOT


def stack_files_project(root: Path, *, workflows: bool = False) -> Path:
    """``root`` with a copy of the stack files (and of ``workflows/`` if asked) and a ``Pulumi.yaml``
    whose program is the repository's own ``infra/``: stacks can be added or edited there."""
    (root / "environments").mkdir(parents=True)
    data = yamlio.load_file(ROOT / "Pulumi.yaml")
    data["main"] = str(ROOT / "infra")
    (root / "Pulumi.yaml").write_text(yamlio.dumps(data))
    for f in (ROOT / "environments").glob("Pulumi.*.yaml"):
        shutil.copy(f, root / "environments" / f.name)
    if workflows:
        shutil.copytree(ROOT / "workflows", root / "workflows")
    return root


def full_project(tmp_path: Path) -> Path:
    """``tmp_path/proj``: a copy of the program, the library and the stack files."""
    dst = tmp_path / "proj"
    dst.mkdir()
    for name in ("Pulumi.yaml", "infra", "workflows", "environments"):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dst / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(src, dst / name)
    return dst
