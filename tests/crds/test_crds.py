"""The CRD download: the default names a commit, a mirror is checked by sha256 against recorded digests."""

from __future__ import annotations

import hashlib
import re
import urllib.error

import pytest

from askflow.crds import CrdSet, crd_set, verify
from askflow.errors import AskflowError
from askflow.settings import ARGO_CRD_BASE_URL, ARGO_CRD_CHART, Argo
from tests.conftest import ROOT

# The files the chart's job applies: one per Argo CRD (the chart's files/crds/minimal names them).
CRD_FILES = {
    f"argoproj.io_{kind}.yaml"
    for kind in ("clusterworkflowtemplates", "cronworkflows", "workflowartifactgctasks", "workfloweventbindings",
                 "workflows", "workflowtaskresults", "workflowtasksets", "workflowtemplates")
}


def test_the_default_url_is_the_recorded_commit_of_the_default_chart() -> None:
    crds = crd_set(ARGO_CRD_CHART)
    assert Argo.model_fields["chart_version"].default == ARGO_CRD_CHART == crds.chart_version
    assert Argo.model_fields["crd_base_url"].default == ARGO_CRD_BASE_URL == crds.commit_url
    assert re.fullmatch(r"[0-9a-f]{40}", crds.commit), "a commit, not a tag or branch"
    assert set(crds.files) == CRD_FILES
    assert all(re.fullmatch(r"sha256:[0-9a-f]{64}", d) for d in crds.files.values())


def _fake(files: dict[str, bytes]) -> CrdSet:
    digests = {name: "sha256:" + hashlib.sha256(body).hexdigest() for name, body in files.items()}
    return CrdSet("9.9.9", "https://github.com/argoproj/argo-helm", "0" * 40, "charts/x", digests)


def test_verify_accepts_the_recorded_content_and_refuses_any_other() -> None:
    files = {"a.yaml": b"kind: CustomResourceDefinition\n", "b.yaml": b"kind: CustomResourceDefinition # b\n"}
    crds = _fake(files)
    served = {f"https://mirror.example.com/crds/{n}": body for n, body in files.items()}
    assert verify("https://mirror.example.com/crds/", crds, served.__getitem__) == sorted(served)
    served["https://mirror.example.com/crds/b.yaml"] += b"# changed\n"
    with pytest.raises(AskflowError) as info:
        verify("https://mirror.example.com/crds", crds, served.__getitem__)
    assert info.value.exit_code == 1
    assert info.value.line().startswith("https://mirror.example.com/crds/b.yaml: is sha256:")
    assert "the CRD job would apply other CRDs" in info.value.line()


def test_a_download_failure_is_one_line() -> None:
    def unreachable(url: str) -> bytes:
        raise urllib.error.URLError("timed out")

    with pytest.raises(AskflowError) as info:
        verify("https://mirror.example.com/crds", _fake({"a.yaml": b"x"}), unreachable)
    assert info.value.exit_code == 2 and info.value.line() == (
        "https://mirror.example.com/crds/a.yaml: cannot download it (<urlopen error timed out>); nothing was "
        "checked after it"
    )


def test_an_unrecorded_chart_version_is_one_line() -> None:
    with pytest.raises(AskflowError, match=r"no CRD digests recorded for chart 0\.0\.1 \(recorded: 1\.0\.18\)"):
        crd_set("0.0.1")


def test_cli_lists_the_stack_urls_with_their_digests(capsys: pytest.CaptureFixture[str]) -> None:
    from askflow.cli import main

    assert main(["crds", "--stack", "dev", "--project", str(ROOT)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(CRD_FILES)
    assert all(line.startswith(ARGO_CRD_BASE_URL + "/argoproj.io_") and "  sha256:" in line for line in lines)


def test_cli_verify_checks_the_stack_url(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import askflow.crds as crds_module
    from askflow.cli import main

    seen: list[str] = []

    def tampered(url: str) -> bytes:
        seen.append(url)
        return b"not the CRD"

    monkeypatch.setattr(crds_module, "_download", tampered)
    assert main(["crds", "--stack", "dev", "--project", str(ROOT), "--verify"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "the CRD job would apply other CRDs" in err and "Traceback" not in err
    assert seen == [ARGO_CRD_BASE_URL + "/argoproj.io_clusterworkflowtemplates.yaml"]

