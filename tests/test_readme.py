"""The README is true: its configuration reference is generated from the settings model, it points
only at files in the repository, and every command in its shell blocks is run here (or is listed
below as needing what a test does not have: the Pulumi CLI, a cloud account, a person)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from askflow import cli, yamlio
from askflow.reference import END, START, config_reference
from tests.conftest import REGENERATE, ROOT

README = ROOT / "README.md"

#: Commands of the README's shell blocks that are not run here, and why. A command the README gains
#: must be run by test_every_readme_command_runs or listed here; one the README loses must leave.
NOT_RUN = {
    "make test": "the test suite this test is part of",
    "pulumi login --local": "needs the Pulumi CLI, which is not on PyPI",
    "pulumi stack init platform": "needs the Pulumi CLI and a state backend",
    "pulumi up": "needs the Pulumi CLI and Alibaba Cloud credentials",
    "pulumi stack init rc-1 --secrets-provider passphrase": "needs the Pulumi CLI and a state backend",
    "make up STACK=rc-1": "needs the Pulumi CLI and Alibaba Cloud credentials",
    "make e2e STACK=staging E2E_FLAGS=--yes": "creates billed resources on an Alibaba Cloud account",
}

#: Files the README names that its own commands create (checked by test_every_readme_command_runs).
WRITTEN_BY_COMMANDS = {"environments/Pulumi.rc-1.yaml": "askflow stack new rc-1 --from staging"}


def test_config_reference_is_in_sync() -> None:
    text = README.read_text()
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    expected = f"{head}{START}\n{config_reference()}{END}{tail}"
    if REGENERATE:
        README.write_text(expected)
    assert text == expected, "README configuration reference is stale: run ASKFLOW_REGENERATE=1 make test"


def test_reference_lists_every_settings_section() -> None:
    ref = config_reference()
    for key in ("`network.vswitch_cidrs`", "`cluster.kubernetes_version`", "`storage.force_destroy`",
                "`argo.template_referencing`", "`tenants[].queues`", "`templates.deploy`"):
        assert key in ref


def test_section_rows_carry_their_description_and_say_when_they_are_optional() -> None:
    """A section's own Field description is shown (it was lost when the section's model had no
    docstring), and a section that defaults to None says it is optional."""
    rows = {line.split("|")[1].strip(" `"): line for line in config_reference().splitlines() if line.startswith("| `")}
    assert "ResourceQuota of the namespace." in rows["tenants[].quota"]
    assert "optional" in rows["tenants[].default_limit"] and "optional" in rows["argo.sso"]
    assert "optional" not in rows["tenants[].default_request"]


# ------------------------------------------------------------------------------------ files named
def _tracked() -> set[str]:
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, check=False)
    if listed.returncode:  # not a git checkout: what is on disk, without what .gitignore would leave out
        return {str(p.relative_to(ROOT)) for p in ROOT.rglob("*") if p.is_file()
                and not {".venv", ".cache", "build", "node_modules", ".git"} & set(p.relative_to(ROOT).parts)}
    return set(listed.stdout.splitlines())


def named_paths(text: str, top_level: set[str]) -> list[str]:
    """What the Markdown ``text`` (outside code blocks) points at in a repository whose top-level
    entries are ``top_level``: relative link targets, and code spans that are paths (they start with
    ``../`` or ``./``, or with a top-level entry). Placeholders (``<stack>``), globs and commands with
    arguments are not paths."""
    prose = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)
    found = [t.split("#")[0] for t in re.findall(r"\]\(([^)\s]+)\)", prose)
             if not re.match(r"[a-z]+:", t) and not t.startswith("#")]
    for span in re.findall(r"`([^`\n]+)`", prose):
        if any(c in span for c in "<>*${} "):
            continue
        if span.startswith(("../", "./")) or span.split("/")[0] in top_level:
            found.append(span)
    return found


def test_the_readme_points_only_at_files_in_the_repository() -> None:
    tracked = _tracked()
    folders = {str(parent) for f in tracked for parent in Path(f).parents if str(parent) != "."}
    top_level = {f.split("/")[0] for f in tracked}
    missing = [p for p in named_paths(README.read_text(), top_level)
               if (p.startswith("../") or p.rstrip("/").removeprefix("./") not in tracked | folders)
               and p not in WRITTEN_BY_COMMANDS]
    assert missing == [], f"README names files that are not in the repository: {missing}"


def test_the_path_finder_finds_what_points_outside() -> None:
    text = "See `../shared/DESIGN.md`, [the design](docs/nope.md), `infra/x.py`, `environments/Pulumi.<s>.yaml`, " \
           "`askflow plan --json -`, [site](https://example.com).\n```sh\ncat ../shared/x\n```\n"
    assert named_paths(text, {"infra", "docs", "askflow"}) == ["docs/nope.md", "../shared/DESIGN.md", "infra/x.py"]


# --------------------------------------------------------------------------------------- commands
def shell_commands(text: str) -> list[list[str]]:
    """The commands of every ``sh`` block, block by block: lines without their comments, split at
    ``&&``."""
    blocks = []
    for block in re.findall(r"^```(?:sh|bash|shell|console)\n(.*?)^```", text, flags=re.M | re.S):
        commands = []
        for line in block.splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            commands += [c.strip() for c in line.split("&&") if c.strip() and not line.startswith("#")]
        blocks.append(commands)
    return blocks


def _job_definitions(folder: Path) -> None:
    """What `path/to/job-definitions/` stands for: an AWS Batch job definition."""
    folder.mkdir(parents=True)
    (folder / "report-job.json").write_text(yamlio.dumps_json({
        "jobDefinitionName": "readme-report", "type": "container",
        "containerProperties": {"image": "registry.example.com/team/report:1.0", "command": ["report"],
                                "resourceRequirements": [{"type": "VCPU", "value": "1"},
                                                         {"type": "MEMORY", "value": "2048"}]}}))


#: Placeholders of the README's commands and what the test puts there before a block runs.
PLACEHOLDERS: dict[str, Callable[[Path], None]] = {"path/to/job-definitions/": _job_definitions}


def _edit(path: Path) -> None:
    """What `$EDITOR FILE` stands for: a person's change. A template version gets a changed
    description (a version identical to the one before it cannot be released); another file must
    exist and stays as it is."""
    assert path.is_file(), f"$EDITOR {path}: no such file"
    if "workflows" in path.parts:
        doc = yamlio.load_file(path)
        doc["metadata"].setdefault("annotations", {})["workflows.argoproj.io/description"] = "edited by the README test"
        path.write_text(yamlio.dumps(doc))


def _scratch(tmp_path: Path) -> Path:
    """A copy of the repository's files (what a clone has; no .venv, build or cache)."""
    dst = tmp_path / "clone"
    for name in sorted(_tracked()):
        src = ROOT / name
        if src.is_file() and name.split("/")[0] not in ("tests", "bench", ".github"):
            (dst / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst / name)
    return dst


def _askflow(argv: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
             command: str) -> None:
    monkeypatch.chdir(cwd)
    code = cli.main(argv)
    out, err = capsys.readouterr()
    assert code == 0, f"README command `{command}` exited {code}:\n{err or out}"


def _make(words: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
          command: str) -> None:
    """`make TARGET VAR=...`: the recipe make would run (its install step taken as done), each askflow
    command of it run here."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}  # under make test
    recipe = subprocess.run(["make", "--no-print-directory", "-n", "-o", ".venv/.askflow-installed", *words[1:]],
                            cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert recipe.returncode == 0, f"README command `{command}`: {recipe.stderr}"
    ran = 0
    for line in recipe.stdout.splitlines():
        argv = [w for w in shlex.split(line) if not re.match(r"^[A-Z_]+=", w)]  # PATH=... prefixes
        if not argv or argv[0] in ("echo", "@echo", "#", "test"):
            continue
        assert argv[0].endswith("/bin/askflow"), f"README command `{command}` runs {line!r}: list it in NOT_RUN"
        _askflow(argv[1:], cwd, monkeypatch, capsys, command)
        ran += 1
    assert ran, f"README command `{command}` runs nothing"


def test_every_readme_command_is_run_or_listed() -> None:
    commands = {c for block in shell_commands(README.read_text()) for c in block}
    runnable = {c for c in commands if c.split()[0] in ("askflow", "make", "cd", "$EDITOR")}
    assert set(NOT_RUN) <= commands, f"listed in NOT_RUN but gone from the README: {set(NOT_RUN) - commands}"
    assert commands - set(NOT_RUN) <= runnable, \
        f"README commands neither run nor listed in NOT_RUN: {commands - set(NOT_RUN) - runnable}"


def test_every_readme_command_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    """Each block's commands in order, as a new user would type them, in a scratch copy of the
    repository of its own (offline: plans, lint, conversion, the library, stack copies, the e2e dry run)."""
    ran = []
    written: set[str] = set()
    for i, block in enumerate(shell_commands(README.read_text())):
        clone = _scratch(tmp_path / str(i))
        for placeholder, make in PLACEHOLDERS.items():
            make(clone / placeholder)
        cwd = clone
        for command in block:
            if command in NOT_RUN:
                continue
            words = shlex.split(command)
            if words[0] == "cd":
                cwd = cwd / words[1]
            elif words[0] == "$EDITOR":
                _edit(cwd / words[1])
            elif words[0] == "make":
                _make(words, cwd, monkeypatch, capsys, command)
            else:
                assert words[0] == "askflow", command
                _askflow(words[1:], cwd, monkeypatch, capsys, command)
            ran.append(command)
        written |= {path for path in WRITTEN_BY_COMMANDS if (clone / path).is_file()}
    assert ran and written == set(WRITTEN_BY_COMMANDS)
