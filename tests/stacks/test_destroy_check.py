"""``askflow stack destroy-check``: what ``make destroy`` runs before ``pulumi destroy``."""

from __future__ import annotations

import pytest

from askflow.cli import main
from askflow.stacks import load_project, load_settings, read_stack
from askflow.stacks.cli import destroy_notes
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
    for name in ("askflow-prod-artifacts-bucket", "askflow-prod-cluster-ask", "askflow-prod-argo-archive"):
        assert name in protected
    assert "kept (delete_options retain): SLS_ControlPlane, SLS_Data" in out


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
