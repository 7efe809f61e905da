"""The provider contract: generated from the pinned providers, and every plan is held to it."""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from askflow import yamlio
from askflow.cli import main
from askflow.errors import AskflowError
from askflow.plan import Plan, plan_stack
from askflow.plan.contract import contract, regions
from askflow.plan.contract.check import KeyIndex, check_resources
from askflow.plan.contract.tfsource import validator
from askflow.settings import parse_settings
from tests.conftest import ROOT
from tests.infra.test_substrates import _kind_plan

STACKS = ("dev", "staging", "prod")
ASK = "alicloud:cs/serverlessKubernetes:ServerlessKubernetes"
ACK = "alicloud:cs/managedKubernetes:ManagedKubernetes"
KMS = "alicloud:kms/key:Key"
RDS_DB = "alicloud:rds/database:Database"


@cache
def _plan(stack: str) -> Plan:
    if stack == "platform":
        return plan_stack("platform", project_root=ROOT / "bootstrap")
    return plan_stack(stack, project_root=ROOT)


def _locked(package: str) -> str:
    m = re.search(rf"^{re.escape(package)}==(\S+)", (ROOT / "requirements.lock").read_text(), re.M)
    assert m, f"{package} is not pinned in requirements.lock"
    return m.group(1)


@pytest.mark.parametrize("provider", ["alicloud", "kubernetes", "random"])
def test_the_data_was_generated_from_the_pinned_provider_versions(provider: str) -> None:
    recorded = contract()["providers"][provider]
    assert recorded["version"] == _locked(recorded["package"]), (
        f"{recorded['package']} is {_locked(recorded['package'])} in requirements.lock but the contract data "
        f"was generated from {recorded['version']}: regenerate it (python -m askflow.plan.contract.generate)"
    )


def test_the_data_records_the_upstream_commits_it_came_from() -> None:
    providers = contract()["providers"]
    for source in (providers["alicloud"]["terraform"], providers["alicloud"]["bridgeMetadata"],
                   providers["random"]["terraform"]):
        assert re.fullmatch(r"[0-9a-f]{40}", source["commit"]) and source["date"]
    assert regions()["regionsSource"].startswith("alicloud/connectivity/regions.go of aliyun/terraform-provider-alicloud")


@pytest.mark.parametrize("stack", [*STACKS, "platform"])
def test_every_type_a_plan_records_is_in_the_data(stack: str) -> None:
    known = contract()["resources"]
    missing = sorted({
        r.type for r in _plan(stack).resources
        if r.custom and r.type.startswith(("alicloud:", "random:", "pulumi:providers:", "kubernetes:core/",
                                          "kubernetes:rbac", "kubernetes:helm.sh"))
        and r.type not in known
    })
    assert not missing, f"regenerate the contract data (python -m askflow.plan.contract.generate): {missing}"


@pytest.mark.parametrize("stack", [*STACKS, "platform"])
def test_every_value_of_the_stacks_and_the_bootstrap_passes(stack: str) -> None:
    assert [f.line() for f in _plan(stack).contract_errors] == []


def test_the_deprecated_cluster_resource_is_a_warning_not_an_error() -> None:
    """ASK (ServerlessKubernetes, cluster.kind ask-legacy) is deprecated in the provider since v1.276.0,
    which pulumi-alicloud does not surface: the plan warns, and still plans."""
    plan = _kind_plan("ask-legacy")
    assert plan.contract_errors == []
    warning = next(w for w in plan.warnings if w.startswith("alicloud:cs.ServerlessKubernetes"))
    assert "deprecated since v1.276.0" in warning
    assert "resource_alicloud_cs_serverless_kubernetes.go:" in warning


def _resources_with(typ: str, **inputs: Any) -> list[Any]:
    # prod's cluster is ack-pro-eci's ManagedKubernetes; the legacy ASK resource comes from a stack
    # of kind ask-legacy.
    resources = copy.deepcopy((_kind_plan("ask-legacy") if typ == ASK else _plan("prod")).resources)
    target = next(r for r in resources if r.type == typ)
    target.inputs.update(inputs)
    return resources


def _errors(resources: list[Any], config: dict[str, Any] | None = None) -> list[str]:
    return [f.line() for f in check_resources(resources, KeyIndex(config)) if f.severity == "error"]


def test_a_wrong_enum_value_is_one_line_naming_the_stack_file_key() -> None:
    config = {"askflow:platform": {"cluster": {"cluster_spec": "ack.pro.smal"}}}
    assert _errors(_resources_with(ACK, clusterSpec="ack.pro.smal"), config) == [
        "askflow:platform.cluster.cluster_spec: alicloud:cs.ManagedKubernetes askflow-prod-cluster-ack: "
        "clusterSpec: 'ack.pro.smal' is not one of 'ack.standard', 'ack.pro.small', 'ack.pro.xlarge', "
        "'ack.pro.2xlarge', 'ack.pro.4xlarge'; did you mean 'ack.pro.small'? "
        f"({contract()['resources'][ACK]['properties']['clusterSpec']['terraform']['source']})"
    ]


def test_an_out_of_range_integer_names_resource_and_property_when_no_key_holds_it() -> None:
    [line] = _errors(_resources_with(KMS, pendingWindowInDays=5))
    assert line.startswith("alicloud:kms.Key askflow-prod-cluster-secrets-key: pendingWindowInDays: "
                           "5 is out of range: must be between 7 and 366 (alicloud/resource_alicloud_kms_key.go:")


def test_a_bad_pattern_is_caught() -> None:
    [line] = _errors(_resources_with(RDS_DB, dataBaseName="Argo-"))
    assert line.startswith("alicloud:rds.Database askflow-prod-argo-archive-db: dataBaseName: 'Argo-' does not match ")
    assert "(alicloud/resource_alicloud_db_database.go:" in line


def test_a_deprecated_property_is_a_warning_with_its_one_line() -> None:
    found = check_resources(_resources_with(ASK, slsProjectName="logs"), KeyIndex({}))
    assert not [f for f in found if f.severity == "error"]
    [line] = [f.line() for f in found if f.path == "slsProjectName"]
    assert line.startswith("alicloud:cs.ServerlessKubernetes askflow-k-ask-legacy-cluster-ask: slsProjectName: deprecated: "
                           "Field 'sls_project_name' has been deprecated from provider version 1.229.1.")


def test_unknown_names_wrong_types_and_missing_required_inputs_are_errors() -> None:
    resources = _resources_with(ACK, clusterSpek="x", deletionProtection="yes")
    addon = next(r for r in resources if r.type == "alicloud:cs/kubernetesAddon:KubernetesAddon")
    del addon.inputs["clusterId"]
    errors = _errors(resources)
    assert any(e.endswith("clusterSpek: is not an input of this resource; did you mean 'clusterSpec'?") for e in errors)
    assert any(e.endswith("deletionProtection: 'yes' is not a boolean") for e in errors)
    assert any(e.endswith("clusterId: is required by the provider and not set") for e in errors)


def test_unknown_values_and_secrets_are_skipped_never_guessed() -> None:
    assert _errors(_resources_with(ACK, clusterSpec="[unknown]", serviceCidr="[secret]")) == []


def test_kubernetes_objects_are_held_to_their_schema_custom_resources_to_object_meta() -> None:
    resources = copy.deepcopy(_plan("prod").resources)
    ns = next(r for r in resources if r.type == "kubernetes:core/v1:Namespace")
    ns.inputs["metadata"]["labelz"] = {}
    template = next(r for r in resources if r.type == "kubernetes:argoproj.io/v1alpha1:WorkflowTemplate")
    template.inputs["metadata"]["name"] = 5
    errors = _errors(resources)
    assert any(e.endswith("metadata.labelz: is not an input of this resource; did you mean 'labels'?") for e in errors)
    assert any(": metadata.name: 5 is not a string" in e for e in errors)


@pytest.mark.parametrize(
    ("expr", "rules"),
    [
        ('StringInSlice([]string{"a", "b"}, false)', [{"in": ["a", "b"]}]),
        ("validation.IntBetween(1, 24)", [{"min": 1, "max": 24}]),
        ("validation.StringLenBetween(2, 128)", [{"minLength": 2, "maxLength": 128}]),
        ('validation.StringMatch(regexp.MustCompile(`^[a-z]+$`), "lower")', [{"pattern": "^[a-z]+$", "message": "lower"}]),
        ("validation.IsCIDRNetwork(16, 29)", [{"cidr": [16, 29]}]),
        ("validateSomethingCustom", [{"unparsed": "validateSomethingCustom"}]),
    ],
)
def test_validate_funcs_read_from_go_source(expr: str, rules: list[dict[str, Any]]) -> None:
    assert validator(expr, constants=None) == rules  # type: ignore[arg-type]


def _tiny_project(tmp_path: Path, window: int) -> Path:
    proj = tmp_path / "p"
    (proj / "prog").mkdir(parents=True)
    (proj / "Pulumi.yaml").write_text("name: sample\nruntime: python\nmain: prog/\n")
    (proj / "Pulumi.s.yaml").write_text(f"config:\n  alicloud:region: cn-hangzhou\n  sample:window: {window}\n")
    (proj / "prog" / "__main__.py").write_text(
        "import pulumi, pulumi_alicloud as a\n"
        "a.kms.Key('k', pending_window_in_days=pulumi.Config().require_int('window'))\n"
    )
    return proj


def test_cli_refuses_a_value_the_provider_would_refuse_with_exit_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    proj = _tiny_project(tmp_path, 400)
    out, js = tmp_path / "out", tmp_path / "p.json"
    assert main(["plan", "--stack", "s", "--project", str(proj), "--out", str(out), "--json", str(js)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"{proj}/Pulumi.s.yaml: sample:window: alicloud:kms.Key k: pendingWindowInDays: "
                             "400 is out of range: must be between 7 and 366 (alicloud/resource_alicloud_kms_key.go:")
    assert err[1].startswith("1 input(s) the providers would refuse")
    assert not out.exists() and not js.exists()
    # --json -: standard output still holds one complete document, the errors
    assert main(["plan", "--stack", "s", "--project", str(proj), "--out", str(out), "--json", "-"]) == 2
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["error"]["message"].startswith("1 input(s) the providers would refuse") and data["error"]["exit_code"] == 2
    [error] = data["errors"]
    assert (error["file"], error["key"], error["path"]) == (f"{proj}/Pulumi.s.yaml", "sample:window", "pendingWindowInDays")
    assert captured.err.splitlines()[0] == err[0] and not out.exists()


def test_a_region_typo_gets_did_you_mean() -> None:
    with pytest.raises(AskflowError) as info:
        parse_settings("cn-hangzou", {"environment": "dev", "name": "x", "network": {"zones": ["cn-hangzou-j"]}},
                       file="environments/Pulumi.x.yaml")
    line = info.value.line()
    assert line.startswith("environments/Pulumi.x.yaml: alicloud:region: 'cn-hangzou' is not an Alibaba Cloud region; "
                           "did you mean cn-hangzhou? (regions from alicloud/connectivity/regions.go of ")


def test_a_zone_outside_the_committed_list_is_a_warning_with_the_nearest_zone() -> None:
    resources = copy.deepcopy(_plan("prod").resources)
    vsw = next(r for r in resources if r.type == "alicloud:vpc/switch:Switch")
    vsw.inputs["zoneId"] = "cn-hangzhou-jj"
    found = [f for f in check_resources(resources, KeyIndex({})) if f.path == "zoneId"]
    assert [f.severity for f in found] == ["warning"]
    assert "did you mean 'cn-hangzhou-j'?" in found[0].message


@pytest.mark.parametrize("key", ["chart_repository", "crd_base_url", "image_registry"])
def test_urls_that_still_hold_a_placeholder_are_refused(key: str) -> None:
    platform = copy.deepcopy(yamlio.load_file(ROOT / "environments/Pulumi.dev.yaml")["config"]["askflow:platform"])
    platform.setdefault("argo", {})[key] = "https://<your mirror>/argo-helm"
    with pytest.raises(AskflowError) as info:
        parse_settings("cn-hangzhou", platform, file="environments/Pulumi.x.yaml")
    assert info.value.line() == (
        f"environments/Pulumi.x.yaml: askflow:platform.argo.{key}: 'https://<your mirror>/argo-helm' still holds the "
        "placeholder '<your mirror>': replace it with the real value"
    )


def test_the_data_is_compact_and_diffable() -> None:
    text = (ROOT / "askflow/plan/contract/data/contract.json").read_text()
    assert len(text) < 400_000
    json.loads(text)


def test_a_value_several_keys_hold_names_no_key_rather_than_a_wrong_one() -> None:
    config = {"askflow:platform": {"a": "ack.pro.smal", "b": "ack.pro.smal"}}
    [line] = _errors(_resources_with(ACK, clusterSpec="ack.pro.smal"), config)
    assert line.startswith("alicloud:cs.ManagedKubernetes askflow-prod-cluster-ack: clusterSpec: ")
