"""``askflow e2e``: --dry-run without credentials, and the one-line refusals that create nothing."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from askflow.cli import main
from askflow.e2e.automation import preflight
from askflow.errors import AskflowError
from tests.conftest import ROOT
from tests.e2e.conftest import make_project

CREDENTIALS = ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY", "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
               "ALICLOUD_SECRET_KEY", "ALIBABA_CLOUD_SECURITY_TOKEN", "PULUMI_CONFIG_PASSPHRASE")


def stack_files(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "environments").glob("Pulumi.*.yaml"))


def test_dry_run_in_the_repository_needs_no_credentials() -> None:
    """What the issue asks: `askflow e2e --stack dev --dry-run` exits 0 and prints the steps, the
    throw-away stack name and the smoke template version, from the repository itself."""
    env = {k: v for k, v in __import__("os").environ.items() if k not in CREDENTIALS}
    env["PATH"] = str(Path(sys.executable).parent)  # no pulumi CLI either
    before = stack_files(ROOT)
    done = subprocess.run([sys.executable, "-m", "askflow.cli", "e2e", "--stack", "dev", "--dry-run"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    name = re.search(r"on the throw-away stack (dev-e2e), smoke template (e2e-smoke-v\d+)", out)
    assert name, out
    stack, smoke = name.groups()
    for step in range(6):
        assert f"  {step}. " in out
    assert f"askflow stack new {stack} --from dev" in out
    assert f"pulumi up --stack {stack} --policy-pack policy" in out
    assert f"workflowtemplate/{smoke} in namespace data-eng" in out
    assert "--expect-no-changes" in out and f"pulumi stack rm {stack}" in out
    assert "1 x alicloud:oss/bucket:Bucket" in out
    assert out.rstrip().endswith("dry run: nothing was created")
    assert stack_files(ROOT) == before


def test_the_copy_is_named_after_its_stack(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Fixed, so that the bootstrap can create its RRSA policies beforehand (askflow.e2e.names)."""
    root = make_project(tmp_path / "p")
    names = []
    for _ in range(2):
        assert main(["e2e", "--stack", "dev", "--dry-run", "--project", str(root)]) == 0
        names.append(re.search(r"throw-away stack (\S+),", capsys.readouterr().out).group(1))  # type: ignore[union-attr]
    assert names == ["dev-e2e", "dev-e2e"]


def test_staging_dry_run_empties_the_bucket_first(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project(tmp_path / "p")
    assert main(["e2e", "--stack", "staging", "--dry-run", "--project", str(root)]) == 0
    out = capsys.readouterr().out
    assert "throw-away stack staging-e2e," in out
    assert "5. empty the bucket askflow-staging-" in out
    # physical names stay inside the staging deploy role's prefix (askflow-staging-*)
    assert re.search(r"name askflow-staging-[a-z0-9-]+, bucket askflow-staging-", out)
    assert stack_files(root) == stack_files(ROOT)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--stack", "prod", "--dry-run"], "--stack prod: is a prod stack"),
        (["--stack", "nope", "--dry-run"], "stack 'nope' does not exist"),
        (["--stack", "dev-e2e", "--dry-run"], "does not exist"),
        (["--stack", "dev"], "--yes: creates the billed cloud resources listed above"),
        (["--stack", "dev", "--yes", "--json", "/nonexistent/dir/t.json"], "/nonexistent/dir/t.json: cannot be written"),
    ],
)
def test_refusals_are_one_line_and_create_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    root = make_project(tmp_path / "p")
    before = stack_files(root)
    assert main(["e2e", *argv, "--project", str(root)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err
    assert stack_files(root) == before


def test_a_throw_away_stack_is_not_a_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project(tmp_path / "p")
    (root / "environments" / "Pulumi.dev-e2e.yaml").write_text(
        (root / "environments" / "Pulumi.dev.yaml").read_text().replace("askflow-dev", "askflow-dev-e2e"))
    assert main(["e2e", "--stack", "dev-e2e", "--dry-run", "--project", str(root)]) == 2
    assert "is itself a throw-away e2e stack" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("pulumi", "the Pulumi CLI is not on PATH"),
        ("credentials", "no Alibaba Cloud credentials in the environment"),
        ("passphrase", "export PULUMI_CONFIG_PASSPHRASE"),
    ],
)
def test_preflight_names_what_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, missing: str, message: str
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "pulumi"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path / "empty") if missing == "pulumi" else str(bin_dir))
    for var in CREDENTIALS:
        monkeypatch.delenv(var, raising=False)
    if missing != "credentials":
        monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "id")
        monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "secret")
    if missing != "passphrase":
        monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "x")
    with pytest.raises(AskflowError, match=re.escape(message)):
        preflight(ROOT)


def test_preflight_passes_with_everything(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "pulumi"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("ALICLOUD_ACCESS_KEY", "id")
    monkeypatch.setenv("ALICLOUD_SECRET_KEY", "secret")
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "x")
    preflight(ROOT)  # the repository's policy pack is found


def test_ci_workflow_is_manual_pinned_and_runs_make_e2e() -> None:
    """.github/workflows/e2e.yml: started by hand only, every action pinned by commit, the cost guard passed."""
    from askflow import yamlio

    wf = yamlio.load_file(ROOT / ".github" / "workflows" / "e2e.yml")
    assert set(wf[True] if True in wf else wf["on"]) == {"workflow_dispatch"}
    (job,) = wf["jobs"].values()
    assert job["permissions"] == {"contents": "read", "id-token": "write"}
    assert job["concurrency"]["cancel-in-progress"] is False
    uses = [s["uses"] for s in job["steps"] if "uses" in s]
    assert all(u.startswith("./") or re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", u) for u in uses), uses
    run = "\n".join(s.get("run", "") for s in job["steps"])
    assert "make e2e" in run and "--yes" in run and "--json build/e2e.json" in run


def test_a_source_deploying_a_list_gets_the_smoke_template_added(tmp_path: Path) -> None:
    from askflow.e2e.plan import resolve

    root = make_project(tmp_path / "p")
    f = root / "environments" / "Pulumi.dev.yaml"
    f.write_text(f.read_text().replace("deploy: all", "deploy: [hello-world-v2, etl-v3]"))
    plan = resolve("dev", root)
    assert plan.sets[-1] == f"templates.deploy=[hello-world-v2, etl-v3, {plan.smoke}]"
    assert plan.new.settings.templates.deploy == ("hello-world-v2", "etl-v3", plan.smoke)
    assert f"--set templates.deploy=[hello-world-v2, etl-v3, {plan.smoke}]" in plan.steps()[0]
