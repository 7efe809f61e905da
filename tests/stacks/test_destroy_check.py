"""``askflow stack destroy-check``: what ``make destroy`` runs before ``pulumi destroy``."""

from __future__ import annotations

import pytest

from askflow.cli import main
from askflow.plan import Plan
from askflow.plan.mocks import Registration
from askflow.stacks import load_project, load_settings, read_stack
from askflow.stacks.cli import destroy_notes, kept_by_protection
from tests.conftest import ROOT


def _notes(stack: str) -> str:
    return "\n".join(destroy_notes(load_settings(read_stack(load_project(ROOT), stack)), stack, str(ROOT)))


def test_prod_is_refused_without_confirmation(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["stack", "destroy-check", "--stack", "prod", "--project", str(ROOT)])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert captured.err == (
        "--stack prod: is a prod stack: refusing to destroy it without --confirm-prod (make destroy CONFIRM_PROD=yes)\n"
    )


def test_prod_with_confirmation_says_protected_resources_stay(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["stack", "destroy-check", "--stack", "prod", "--confirm-prod", "--project", str(ROOT)])
    out = capsys.readouterr().out
    assert code == 0
    protected = next(line for line in out.splitlines() if line.startswith("- protected"))
    for name in ("askflow-prod-artifacts-bucket", "askflow-prod-cluster-ack", "askflow-prod-argo-archive"):
        assert name in protected
    # `pulumi destroy --exclude-protected` also keeps what the protected resources depend on.
    needed = next(line for line in out.splitlines() if line.startswith("- kept because"))
    assert "askflow-prod-vsw-cn-hangzhou-i" in needed and "askflow-prod-eci-sg" in needed
    assert "askflow-prod-argo-release" not in out  # the Helm release goes
    assert "cluster askflow-prod: stays (protected)" in out
    assert "bucket askflow-prod-cn-hangzhou-artifacts: stays (protected)" in out
    assert "ossutil rm" not in out and "second pass" not in out  # neither the bucket nor the VPC is deleted


def _reg(name: str, parent: str = "", protect: bool = False, deps: tuple[str, ...] = (), provider: str = "") -> Registration:
    return Registration(urn=f"urn:{name}", type="t:index:T", name=name, custom=True, parent=parent and f"urn:{parent}",
                        provider=provider, inputs={}, protect=protect, retain_on_delete=False,
                        delete_before_replace=False, ignore_changes=[], dependencies=[f"urn:{d}" for d in deps])


def test_kept_by_protection_is_what_the_cli_keeps() -> None:
    # The example of pulumi/pulumi's separateProtected: A; B (parent A); C (parent A, protected);
    # D (parent C) -> A and C stay, B and D go. Plus a dependency chain and an explicit provider.
    resources = [
        _reg("A", deps=("E",)), _reg("B", parent="A"), _reg("C", parent="A", protect=True, provider="urn:P::id-1"),
        _reg("D", parent="C"), _reg("E", deps=("F",)), _reg("F"), _reg("G", deps=("C",)), _reg("P"),
    ]
    plan = Plan(project="p", stack="s", stack_file="f", resources=resources, outputs={})
    assert kept_by_protection(plan) == {"urn:A", "urn:C", "urn:E", "urn:F", "urn:P"}


def test_dev_and_staging_notes() -> None:
    dev = _notes("dev")
    assert "protected" not in dev  # dev protects nothing: it tears down completely
    assert "bucket askflow-dev-cn-hangzhou-artifacts: emptied and deleted (force_destroy)" in dev
    assert "kept (delete_options retain): nothing" in dev
    staging = _notes("staging")
    assert "`ossutil rm oss://askflow-staging-cn-hangzhou-artifacts -r -f --all-versions` first" in staging
    assert "eci-auto-imc" in staging and "second pass" in staging


def test_destroy_check_reads_the_settings_once(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import askflow.stacks as stacks

    calls: list[str] = []
    original = stacks.load_settings

    def counting(config: object) -> object:
        calls.append("load")
        return original(config)  # type: ignore[arg-type]

    monkeypatch.setattr(stacks, "load_settings", counting)
    assert main(["stack", "destroy-check", "--stack", "staging", "--project", str(ROOT)]) == 0
    assert calls == ["load"]


def test_output_is_printed_verbatim_not_as_emoji(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import askflow.stacks.cli as cli

    monkeypatch.setattr(cli, "destroy_notes", lambda *a, **k: ["role acs:ram::123:role/x stays"])
    assert main(["stack", "destroy-check", "--stack", "staging", "--project", str(ROOT)]) == 0
    assert "- role acs:ram::123:role/x stays\n" in capsys.readouterr().out
