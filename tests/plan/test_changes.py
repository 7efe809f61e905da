"""``askflow plan --against OLD.json``: what `pulumi up` would create, update, replace or delete."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from askflow.cli import main
from tests.conftest import ROOT
from tests.support.projects import full_project

ASK = "alicloud:cs/serverlessKubernetes:ServerlessKubernetes"
MANAGED = "alicloud:cs/managedKubernetes:ManagedKubernetes"




def _project(tmp_path: Path, *edits: tuple[str, str]) -> Path:
    dst = full_project(tmp_path)
    stack = dst / "environments/Pulumi.prod.yaml"
    text = stack.read_text()
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    stack.write_text(text)
    return dst


def _against(proj: Path, old: Path, tmp_path: Path,
             capsys: pytest.CaptureFixture[str] | None = None) -> tuple[int, dict[str, Any], str, str]:
    """Plan prod against ``old``; with ``capsys``, the JSON is read from standard output (``--json -``)."""
    js, out = tmp_path / "new.json", tmp_path / "out"
    code = main(["plan", "--stack", "prod", "--project", str(proj), "--quiet", "--against", str(old),
                 "--json", "-" if capsys else str(js), "--out", str(out)])
    if capsys is not None:
        captured = capsys.readouterr()
        data = json.loads(captured.out)  # the document and nothing else
        sys.stderr.write(captured.err)  # what the test reads next
    else:
        data = json.loads(js.read_text()) if js.exists() else {}
    plan_md = (out / "plan.md").read_text() if (out / "plan.md").exists() else ""
    return code, data, plan_md, ""


def _change(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in data["changes"] if c["urn"].endswith(f"::{name}"))


def test_no_change_is_no_change(old_prod: Path, tmp_path: Path) -> None:
    code, data, plan_md, _ = _against(ROOT, old_prod, tmp_path)
    assert code == 0 and data["changes"] == []
    assert "Against `" in plan_md and "0 to create, 0 to update, 0 to replace, 0 to delete" in plan_md


def test_a_vswitch_cidr_change_replaces_it_naming_the_property_and_prod_refuses(
    old_prod: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    proj = _project(tmp_path, ("10.30.32.0/19", "10.30.96.0/19"))
    code, data, plan_md, _ = _against(proj, old_prod, tmp_path, capsys)
    # refused (exit 1): the JSON on standard output is complete all the same, and says why
    assert any(r.startswith("askflow-prod-argo-archive (alicloud:rds/instance:Instance) is protected")
               for r in data["refused"])
    assert data["resources"] and data["violations"] == [] and not (Path.cwd() / "-").exists()
    vsw = _change(data, "askflow-prod-vsw-cn-hangzhou-j")
    assert vsw["action"] == "replace" and vsw["properties"] == ["cidrBlock"]
    assert vsw["replacedBecause"][0].startswith("cidrBlock (alicloud/resource_alicloud_vswitch.go:")
    # What takes the vSwitch id in a ForceNew input is replaced in turn: the SNAT entry of that
    # vSwitch, and the (protected) workflow archive database, which prod refuses.
    assert _change(data, "askflow-prod-vsw-cn-hangzhou-j-snat")["action"] == "replace"
    archive = _change(data, "askflow-prod-argo-archive")
    assert archive["action"] == "replace" and archive["protected"] is True
    assert code == 1
    err = capsys.readouterr().err
    assert "refused: askflow-prod-argo-archive (alicloud:rds/instance:Instance) is protected and would be replaced" in err
    assert plan_md.index("## Changes") < plan_md.index("```mermaid")


def test_a_service_cidr_change_replaces_the_cluster_and_prod_refuses_unless_allowed(
    old_prod: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    proj = _project(tmp_path, ("service_cidr: 172.21.0.0/20", "service_cidr: 172.22.0.0/20"))
    code, data, plan_md, _ = _against(proj, old_prod, tmp_path)
    cluster = _change(data, "askflow-prod-cluster-ack")
    assert cluster["action"] == "replace" and cluster["protected"] is True
    assert cluster["replacedBecause"][0].startswith("serviceCidr (alicloud/resource_alicloud_cs_managed_kubernetes.go:")
    assert cluster["note"].startswith("the cluster is replaced: serviceCidr")
    # The add-ons take the cluster's id in clusterId (ForceNew): they follow it.
    assert _change(data, "askflow-prod-cluster-logs")["action"] == "replace"
    assert _change(data, "askflow-prod-cluster-system")["action"] == "replace"  # the node pool too
    assert code == 1
    err = capsys.readouterr().err
    assert ("refused: askflow-prod-cluster-ack (alicloud:cs/managedKubernetes:ManagedKubernetes) is protected "
            "and would be replaced") in err
    assert "set askflow:platform.cluster.allow_replacement: true to allow it" in err

    (tmp_path / "allowed").mkdir()
    allowed = _project(tmp_path / "allowed", ("service_cidr: 172.21.0.0/20",
                                              "service_cidr: 172.22.0.0/20\n      allow_replacement: true"))
    code, data, _, _ = _against(allowed, old_prod, tmp_path / "allowed")
    assert code == 0 and _change(data, "askflow-prod-cluster-ack")["action"] == "replace"


def test_a_cluster_kind_change_is_reported_in_words_and_refused(
    old_prod: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """cluster.kind switches the cluster's type: the old cluster is deleted and the new one created.
    (Simulated on the old plan: main had the deprecated ServerlessKubernetes cluster, ask-legacy.)"""
    old = json.loads(old_prod.read_text())
    for r in old["resources"]:
        if r["type"] == MANAGED:
            r["type"] = ASK
            r["urn"] = r["urn"].replace(MANAGED, ASK).replace("-cluster-ack", "-cluster-ask")
            del r["inputs"]["profile"]
    old_path = tmp_path / "old.json"
    old_path.write_text(json.dumps(old))
    code, data, plan_md, _ = _against(ROOT, old_path, tmp_path)
    actions = {(c["type"], c["action"]) for c in data["changes"]}
    assert {(ASK, "delete"), (MANAGED, "create")} <= actions
    assert "**the cluster is replaced: cluster.kind ask-legacy -> ack-pro-eci**" in plan_md
    assert code == 1
    assert "is protected and would be deleted" in capsys.readouterr().err


def test_create_update_and_delete(old_prod: Path, tmp_path: Path) -> None:
    old = json.loads(old_prod.read_text())
    gone = next(r for r in old["resources"] if r["type"] == "kubernetes:core/v1:ServiceAccount")
    old["resources"].remove(gone)
    vpc = next(r for r in old["resources"] if r["type"] == "alicloud:vpc/network:Network")
    vpc["inputs"]["description"] = "before"
    extra = dict(vpc, urn=vpc["urn"] + "-old", inputs={"vpcName": "x"})
    extra["options"] = dict(vpc["options"], protect=False)
    old["resources"].append(extra)
    old_path = tmp_path / "old.json"
    old_path.write_text(json.dumps(old))
    code, data, _, _ = _against(ROOT, old_path, tmp_path)
    by_urn = {c["urn"]: c for c in data["changes"]}
    assert by_urn[gone["urn"]]["action"] == "create"
    assert by_urn[vpc["urn"]] == {"urn": vpc["urn"], "type": vpc["type"], "action": "update", "properties": ["description"]}
    assert by_urn[extra["urn"]]["action"] == "delete"
    assert code == 0


@pytest.mark.parametrize(("text", "message"), [
    (None, "not found: pass a file written by askflow plan --json"),
    ("{", "is not JSON"),
    ('{"resources": [1]}', "resources: is not a plan"),
])
def test_a_bad_against_file_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str | None, message: str
) -> None:
    old = tmp_path / "old.json"
    if text is not None:
        old.write_text(text)
    out = tmp_path / "out"
    assert main(["plan", "--stack", "dev", "--project", str(ROOT), "--against", str(old), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{old}: ") and message in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_a_plan_of_another_stack_is_refused(old_prod: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["plan", "--stack", "dev", "--project", str(ROOT), "--against", str(old_prod), "--out", str(out)]) == 2
    assert capsys.readouterr().err == (f"{old_prod}: is the plan of askflow/prod, not of askflow/dev: "
                                       "compare plans of the same stack\n")
    assert not out.exists()
