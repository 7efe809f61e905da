"""Every Mermaid diagram askflow writes parses with Mermaid's own parser (the one GitHub renders with).

plan.md of each stack, ``askflow workflows show`` of each library version, and the README's
architecture picture. The parser is Mermaid itself (tests/support/mermaid, pinned by its
package-lock.json, installed by ``make test`` when npm is there); without Node or the install the
test skips with the reason.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from askflow.cli import main
from askflow.library import load_library
from askflow.plan import plan_stack
from askflow.plan.diagram import plan_markdown
from askflow.plan.output import violations
from tests.conftest import ROOT

PARSER = ROOT / "tests" / "support" / "mermaid"
BLOCK = re.compile(r"```mermaid\n(.*?)```", re.S)
STACKS = ("dev", "staging", "prod")


def _parse(files: list[Path]) -> list[dict[str, object]]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: Mermaid's parser cannot run")
    if not (PARSER / "node_modules" / "mermaid").is_dir():
        pytest.skip("Mermaid is not installed: run `make test` (npm ci in tests/support/mermaid)")
    done = subprocess.run([node, str(PARSER / "parse.mjs"), *map(str, files)], capture_output=True, text=True,
                          check=False, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return [json.loads(line) for line in done.stdout.splitlines()]


def _diagrams(tmp_path: Path) -> list[Path]:
    texts: dict[str, str] = {}
    for stack in STACKS:
        plan = plan_stack(stack, ROOT)
        (texts[f"plan-{stack}"],) = BLOCK.findall(plan_markdown(plan, violations(plan)))
    (texts["readme"],) = BLOCK.findall((ROOT / "README.md").read_text())
    # The repository's library and the library tests' fixture (older shapes: YAML fan-out, dependencies).
    for label, root in (("show", ROOT / "workflows"), ("fixture", ROOT / "tests" / "library" / "fixtures" / "workflows")):
        for version in load_library(root).versions:
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                assert main(["workflows", "show", version.deployed_name, "--root", str(root)]) == 0
            texts[f"{label}-{version.deployed_name}"] = out.getvalue()
    paths = []
    for name, text in sorted(texts.items()):
        (path := tmp_path / f"{name}.mmd").write_text(text)
        paths.append(path)
    return paths


def test_every_diagram_parses_with_mermaid(tmp_path: Path) -> None:
    files = _diagrams(tmp_path)
    broken = tmp_path / "broken.mmd"  # the parser must be able to say no, or this test proves nothing
    broken.write_text('flowchart LR\n  a["x" --> b\n')
    results = {Path(str(r["file"])).stem: r for r in _parse([*files, broken])}
    assert results.pop("broken")["ok"] is False
    assert len(results) == len(files) >= 3 + 1 + 4 + 6
    failed = {name: r["error"] for name, r in results.items() if not r["ok"]}
    assert failed == {}
    assert {r["type"] for r in results.values()} == {"flowchart-v2"}
