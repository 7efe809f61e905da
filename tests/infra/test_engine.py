"""``argo.engine: ack-one``: an ACK One workflow cluster (Alibaba's managed Argo) instead of askflow's own
Argo, end to end through the plan (issue #19): ``askflow stack new m1 --from staging --set
argo.engine=ack-one`` plans with the same templates bound to the workflow cluster's provider, the policy
pack passes, bad combinations are one line, and switching an existing stack is shown as the migration it is."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from askflow.cli import main
from askflow.errors import AskflowError
from askflow.plan import Plan, plan_stack
from askflow.plan.critical_path import critical_path
from askflow.plan.diagram import plan_markdown
from askflow.plan.output import violations
from askflow.policies.rules import Resource, evaluate
from askflow.rrsa import bucket_grants
from askflow.settings import parse_settings
from askflow.stacks.new import stack_new
from askflow.substrate import ACK_ONE_CLUSTER, ACK_ONE_DIFFERENCES, CLUSTER_TYPES, ENGINE_FACTS
from tests.conftest import ROOT
from tests.support.projects import full_project, stack_files_project

TEMPLATE = "kubernetes:argoproj.io/v1alpha1:WorkflowTemplate"
CRON = "kubernetes:argoproj.io/v1alpha1:CronWorkflow"
RELEASE = "kubernetes:helm.sh/v3:Release"
ROLE = "alicloud:ram/role:Role"
ISSUER = "https://oidc-ack-cn-hangzhou.oss-cn-hangzhou.aliyuncs.com/c0123456789abcdef"
PROVIDER_ARN = "acs:ram::1234567890123456:oidc-provider/ack-rrsa-c0123456789abcdef"


@cache
def _plan(source: str = "staging", *sets: str) -> Plan:
    import tempfile

    root = stack_files_project(Path(tempfile.mkdtemp(prefix="askflow-engine-")) / "project")
    stack_new("m1", source, ["argo.engine=ack-one", *sets], project_root=root)
    return plan_stack("m1", root)


def _one(plan: Plan, typ: str) -> Any:
    found = plan.of_type(typ)
    assert len(found) == 1, [r.urn for r in found]
    return found[0]


def _bound(plan: Plan, typ: str) -> dict[str, str]:
    """``metadata.namespace/name`` -> provider URN of every object of ``typ``."""
    return {f"{r.inputs['metadata']['namespace']}/{r.inputs['metadata']['name']}": r.provider for r in plan.of_type(typ)}


def test_m1_from_staging_plans_a_workflow_cluster_and_nothing_of_the_self_managed_engine() -> None:
    plan = _plan()
    cluster = _one(plan, ACK_ONE_CLUSTER)
    assert cluster.inputs["profile"] == "XFlow"
    assert cluster.inputs["clusterName"] == "askflow-m1"
    network = cluster.inputs["network"]
    vpc = _one(plan, "alicloud:vpc/network:Network")
    assert network["vpcId"] == vpc.id
    # Both zones' vSwitches (staging has two zones), so pods spread across them.
    switches = {r.id for r in plan.of_type("alicloud:vpc/switch:Switch")}
    assert sorted(network["vswitches"]) == sorted(switches) and len(switches) == 2
    for gone in (*CLUSTER_TYPES, RELEASE, "alicloud:cs/kubernetesAddon:KubernetesAddon", "alicloud:cs/nodePool:NodePool",
                 "alicloud:rds/instance:Instance", "alicloud:kms/key:Key", "kubernetes:core/v1:ConfigMapPatch"):
        assert not plan.of_type(gone), gone
    assert plan.outputs["engine"] == "ack-one"
    assert violations(plan) == []


def test_the_same_templates_as_staging_bound_to_the_workflow_clusters_provider() -> None:
    plan, staging = _plan(), plan_stack("staging", ROOT)
    provider = _one(plan, "pulumi:providers:kubernetes")
    assert provider.parent.endswith("askflow:engine:AckOne::askflow-m1-engine")
    for typ in (TEMPLATE, CRON):
        ours, theirs = _bound(plan, typ), _bound(staging, typ)
        assert set(ours) == set(theirs) and ours
        assert set(ours.values()) == {provider.urn}
    # The templates' documents are staging's, byte for byte.
    specs = {r.inputs["metadata"]["name"]: r.inputs["spec"] for r in plan.of_type(TEMPLATE)}
    assert specs == {r.inputs["metadata"]["name"]: r.inputs["spec"] for r in staging.of_type(TEMPLATE)}
    # ... and so are the tenants: namespaces, quotas, RBAC, artifact repositories.
    for typ in ("kubernetes:core/v1:Namespace", "kubernetes:core/v1:ResourceQuota",
                "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "kubernetes:core/v1:ConfigMap"):
        tenant = {r.name.replace("askflow-m1-", "") for r in plan.of_type(typ)}
        assert tenant <= {r.name.replace("askflow-staging-", "") for r in staging.of_type(typ)}, typ
        assert all(r.provider == provider.urn for r in plan.of_type(typ))


def test_the_templates_wait_for_the_workflow_cluster_not_for_a_release() -> None:
    plan = _plan()
    features = next(r for r in plan.resources if r.custom and r.type.startswith("pulumi-python:dynamic"))
    for r in plan.of_type(TEMPLATE):
        assert features.urn in r.dependencies


def test_critical_path_knows_the_workflow_cluster_with_its_source() -> None:
    path = critical_path(_plan())
    assert path.unknown_types == []
    step = next(s for s in path.steps.values() if s.type == ACK_ONE_CLUSTER)
    assert step.seconds == ENGINE_FACTS["ack-one"].creation_seconds
    assert "create timeout 25 min" in step.source and "resource_alicloud_ack_one_cluster.go" in step.source


def test_scheduling_mode_follows_the_spot_strategy() -> None:
    features = [r for r in _plan().resources if r.custom and r.type.startswith("pulumi-python:dynamic")]
    assert features[0].inputs["scheduling_mode"] == "cost-optimized"  # staging: SpotAsPriceGo
    prod_like = [r for r in _plan("prod", "argo.enable_archive=false", "templates.enable_image_cache=false",
                                  "tenants[0].eci={}").resources if r.type.startswith("pulumi-python:dynamic")]
    assert prod_like[0].inputs["scheduling_mode"] == "stock-optimized"  # prod: none


def test_prod_on_the_managed_engine_is_protected_and_passes_the_policy_pack() -> None:
    plan = _plan("prod", "argo.enable_archive=false", "templates.enable_image_cache=false", "tenants[0].eci={}")
    assert _one(plan, ACK_ONE_CLUSTER).protect is True
    assert violations(plan) == []


def test_without_an_oidc_issuer_no_rrsa_role_is_made_and_the_plan_says_so() -> None:
    plan = _plan()
    assert not plan.of_type(ROLE)
    accounts = plan.of_type("kubernetes:core/v1:ServiceAccount")
    assert accounts and all(not (r.inputs["metadata"].get("annotations") or {}) for r in accounts)
    assert any("no RRSA roles" in w and "argo.rrsa_oidc_issuer_url" in w for w in plan.warnings)
    # The repositories still use the SDK's credential chain: never a static key.
    repos = [r for r in plan.of_type("kubernetes:core/v1:ConfigMap") if r.inputs["metadata"]["name"] == "artifact-repositories"]
    assert repos and all("useSDKCreds: true" in r.inputs["data"]["oss"] for r in repos)


def test_with_an_oidc_issuer_the_executor_roles_trust_it() -> None:
    plan = _plan("staging", f"argo.rrsa_oidc_issuer_url={ISSUER}", f"argo.rrsa_oidc_provider_arn={PROVIDER_ARN}")
    roles = {r.inputs["roleName"]: json.loads(r.inputs["assumeRolePolicyDocument"]) for r in plan.of_type(ROLE)}
    assert set(roles) == {"askflow-m1-data-eng-executor", "askflow-m1-ml-executor"}  # no argo-server: Alibaba's
    for doc in roles.values():
        statement = doc["Statement"][0]
        assert statement["Principal"]["Federated"] == [PROVIDER_ARN]
        assert statement["Condition"]["StringEquals"]["oidc:iss"] == ISSUER
    annotated = {r.inputs["metadata"]["namespace"]: r.inputs["metadata"]["annotations"]
                 for r in plan.of_type("kubernetes:core/v1:ServiceAccount")}
    assert annotated["ml"] == {"pod-identity.alibabacloud.com/role-name": "askflow-m1-ml-executor"}
    assert not any("no RRSA roles" in w for w in plan.warnings)


def test_what_is_not_applied_is_listed_with_its_values() -> None:
    warning = next(w for w in _plan().warnings if w.startswith("argo.engine ack-one does not apply"))
    for item in ("argo.template_referencing=Secure", "argo.ttl_after_success_seconds=21600",
                 "cluster.kubernetes_version=1.33.3-aliyun.1", "cluster.enable_prometheus=True"):
        assert item in warning
    assert not _plan().of_type("alicloud:arms/prometheusAlertRule:PrometheusAlertRule")


def test_plan_md_says_what_the_managed_engine_does_differently_with_sources() -> None:
    text = plan_markdown(_plan(), [])
    section = text[text.index("## Engine"):]
    for d in ACK_ONE_DIFFERENCES:
        assert d.topic.split(" (")[0] in section
    assert section.count("source: ") == len(ACK_ONE_DIFFERENCES)
    assert "alibabacloud.com/help" in section
    assert "## Engine" not in plan_markdown(plan_stack("staging", ROOT), [])


@pytest.mark.parametrize(("sets", "message"), [
    (["argo.chart_version=1.0.18"], "argo.chart_version: does not apply with argo.engine ack-one"),
    (["argo.controller_replicas=2"], "argo.controller_replicas: does not apply with argo.engine ack-one"),
    (["argo.enable_archive=true"], "argo.enable_archive: askflow creates no archive database"),
    (["cluster.kind=acs"], "cluster.kind: does not apply with argo.engine ack-one"),
    (["tenants[0].eci.spot_strategy=none"], "tenants[0].eci: does not apply with argo.engine ack-one"),
    (["eci.spot_strategy=SpotWithPriceLimit", "eci.spot_price_limit=0.5"], "eci.spot_strategy: the managed engine"),
    (["templates.enable_image_cache=true"], "templates.enable_image_cache: workflow clusters place pods"),
    (["argo.auth_mode=sso", "argo.sso={issuer: https://id.example.com, client_id: c, "
      "redirect_url: https://argo.example.com/oauth2/callback}"], "argo.auth_mode: argo-server of the managed engine"),
    (["cluster.endpoint_public_access=true", "cluster.public_endpoint_reason=x"], "cluster.endpoint_public_access"),
    ([f"argo.rrsa_oidc_issuer_url={ISSUER}"], "argo.rrsa_oidc_provider_arn: is required with the other"),
    (["argo.rrsa_oidc_issuer_url=http://x", f"argo.rrsa_oidc_provider_arn={PROVIDER_ARN}"], "is not an https:// URL"),
    ([f"argo.rrsa_oidc_issuer_url={ISSUER}", "argo.rrsa_oidc_provider_arn=arn:x"], "is not a RAM OIDC provider ARN"),
    (["argo.engine=ack-two"], "argo.engine: 'ack-two': input should be 'self-managed' or 'ack-one'"),
])
def test_bad_combinations_are_one_line_and_write_nothing(tmp_path: Path, sets: list[str], message: str) -> None:
    root = stack_files_project(tmp_path / "p")
    before = sorted(p.name for p in (root / "environments").iterdir())
    with pytest.raises(AskflowError) as err:
        stack_new("bad", "staging", ["argo.engine=ack-one", *sets], project_root=root)
    assert message in err.value.line() and "\n" not in err.value.line()
    assert sorted(p.name for p in (root / "environments").iterdir()) == before


def test_the_oidc_keys_belong_to_the_managed_engine_only(tmp_path: Path) -> None:
    root = stack_files_project(tmp_path / "p")
    with pytest.raises(AskflowError, match=r"argo.rrsa_oidc_issuer_url: is for engine ack-one only"):
        stack_new("bad", "staging", [f"argo.rrsa_oidc_issuer_url={ISSUER}", f"argo.rrsa_oidc_provider_arn={PROVIDER_ARN}"],
                  project_root=root)


def test_at_most_ten_vswitches(tmp_path: Path) -> None:
    platform = {
        "environment": "dev", "name": "wide", "argo": {"engine": "ack-one"}, "tenants": [{"name": "a"}],
        "network": {"vpc_id": "vpc-1", "vswitch_ids": [f"vsw-{i}" for i in range(11)]},
    }
    with pytest.raises(AskflowError, match=r"network.vswitch_ids: gives the workflow cluster 11 vSwitches; ACK One "
                                           r"takes at most 10"):
        parse_settings("cn-hangzhou", platform, file="f.yaml")


def test_a_stack_file_that_refuses_exits_2_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = stack_files_project(tmp_path / "p")
    monkeypatch.chdir(root)
    assert main(["stack", "new", "m1", "--from", "staging", "--set", "argo.engine=ack-one"]) == 0
    notes = capsys.readouterr()
    assert "argo.engine is ack-one: m1 runs on an ACK One workflow cluster" in notes.out + notes.err
    assert "auto_upgrade_channel" not in notes.out + notes.err
    assert main(["plan", "--stack", "m1", "--quiet", "--out", str(tmp_path / "out")]) == 0
    capsys.readouterr()
    assert main(["stack", "new", "m2", "--from", "staging", "--set", "argo.engine=ack-one",
                 "--set", "argo.image_tag=v4.0.10"]) == 2
    err = capsys.readouterr().err.strip()
    assert "argo.image_tag: does not apply with argo.engine ack-one" in err and "\n" not in err
    assert not (root / "environments/Pulumi.m2.yaml").exists()


def test_rrsa_grants_leave_out_the_managed_argo_server() -> None:
    base = {"environment": "dev", "name": "g", "tenants": [{"name": "a"}],
            "network": {"zones": ["cn-hangzhou-j"], "vswitch_cidrs": ["10.0.0.0/20"]}}
    own = parse_settings("cn-hangzhou", base, file="f.yaml")
    assert [g.key for g in bucket_grants(own)] == ["executor-a", "argo-server"]
    managed = parse_settings("cn-hangzhou", {**base, "argo": {"engine": "ack-one"}}, file="f.yaml")
    assert bucket_grants(managed) == ()  # no OIDC issuer: no role could be assumed
    with_oidc = parse_settings("cn-hangzhou", {**base, "argo": {
        "engine": "ack-one", "rrsa_oidc_issuer_url": ISSUER, "rrsa_oidc_provider_arn": PROVIDER_ARN}}, file="f.yaml")
    assert [g.key for g in bucket_grants(with_oidc)] == ["executor-a"]


def _resource(typ: str, name: str, **inputs: Any) -> Resource:
    return Resource(urn=f"urn:pulumi:s::askflow::{typ}::{name}", type=typ, name=name, inputs=inputs)


def test_policy_a_workflow_cluster_is_xflow_and_alone() -> None:
    ok = [_resource(ACK_ONE_CLUSTER, "wf", profile="XFlow", network={})]
    assert [v for v in evaluate(ok) if v.rule == "managed-engine-alone"] == []
    fleet = [_resource(ACK_ONE_CLUSTER, "wf", profile="Default", network={})]
    assert [v.message for v in evaluate(fleet) if v.rule == "managed-engine-alone"] == [
        "an ACK One cluster of askflow's is a workflow cluster: profile must be 'XFlow'"]
    both = [*ok, _resource(RELEASE, "argo", chart="argo-workflows"),
            _resource("alicloud:cs/managedKubernetes:ManagedKubernetes", "c", enableRrsa=True, slbInternetEnabled=False)]
    assert sorted(v.urn.rsplit("::", 1)[-1] for v in evaluate(both) if v.rule == "managed-engine-alone") == ["argo", "c"]
    # A self-managed stack is untouched by the rule.
    assert [v for v in evaluate(both[1:]) if v.rule == "managed-engine-alone"] == []


# --- Switching an existing stack's engine is a migration: --against says what goes and what comes ---




def _prod_on_ack_one(tmp_path: Path, *extra: str) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    proj = full_project(tmp_path)
    stack = proj / "environments/Pulumi.prod.yaml"
    text = stack.read_text()
    for old, new in (("    eci:\n      # prod runs", "    argo:\n      engine: ack-one\n      enable_archive: false\n"
                                                   + "".join(f"      {e}\n" for e in extra) + "    eci:\n      # prod runs"),
                     ("        eci: {spot_strategy: SpotAsPriceGo, spot_fallback: true}\n", "")):
        assert old in text
        text = text.replace(old, new)
    text = text.replace("enable_image_cache: true", "enable_image_cache: false")
    stack.write_text(text)
    return proj


def _against(proj: Path, old: Path, tmp_path: Path) -> tuple[int, dict[str, Any], str]:
    js, out = tmp_path / "new.json", tmp_path / "out"
    code = main(["plan", "--stack", "prod", "--project", str(proj), "--quiet", "--against", str(old),
                 "--json", str(js), "--out", str(out)])
    return code, json.loads(js.read_text()) if js.exists() else {}, (out / "plan.md").read_text() if (out / "plan.md").exists() else ""


def test_moving_prod_to_the_managed_engine_is_a_migration_and_refused_until_allowed(
    old_prod: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, data, plan_md = _against(_prod_on_ack_one(tmp_path / "a"), old_prod, tmp_path / "a")
    by_type: dict[str, set[str]] = {}
    for c in data["changes"]:
        by_type.setdefault(c["action"], set()).add(c["type"])
    assert {"alicloud:cs/managedKubernetes:ManagedKubernetes", RELEASE, "alicloud:rds/instance:Instance"} <= by_type["delete"]
    assert ACK_ONE_CLUSTER in by_type["create"]
    # Tenants and templates move to the workflow cluster as they are: replaced through the new provider.
    moved = [c for c in data["changes"] if c["type"] == TEMPLATE]
    assert moved and all(c["action"] == "replace" and c["replacedBecause"][0].startswith("provider (") for c in moved)
    assert "**the cluster is replaced: argo.engine self-managed -> ack-one (a migration: running workflows and the " \
           "archive do not move); deleted: " in plan_md
    assert code == 1
    err = capsys.readouterr().err
    assert "askflow-prod-cluster-ack (alicloud:cs/managedKubernetes:ManagedKubernetes) is protected and would be deleted" in err

    (tmp_path / "c").mkdir()
    proj = _prod_on_ack_one(tmp_path / "c")
    stack = proj / "environments/Pulumi.prod.yaml"
    stack.write_text(stack.read_text().replace("      auto_upgrade_channel: stable\n",
                                               "      auto_upgrade_channel: stable\n      allow_replacement: true\n"))
    code, data, _ = _against(proj, old_prod, tmp_path / "c")
    err = capsys.readouterr().err
    # The cluster and what hangs off it may go now; the archive database is protected on its own and
    # still refused: its workflow history does not move (export it, then unprotect it deliberately).
    assert "askflow-prod-cluster-ack" not in err
    assert "askflow-prod-argo-archive (alicloud:rds/instance:Instance) is protected and would be deleted" in err
    assert code == 1


# --- The converter's notes and the lint platform rules know the engine ---


def test_lint_engine_rule_holds_on_the_managed_engine_only(capsys: pytest.CaptureFixture[str]) -> None:
    from askflow.lint import lint_paths

    corpus = str(ROOT / "tests/lint/corpus/managed-engine-defaults.yaml")
    assert not [f for f in lint_paths([corpus]) if f.rule == "managed-engine-defaults"]
    assert main(["lint", "--engine", "ack-one", str(ROOT / "workflows")]) == 0  # warnings only
    out = capsys.readouterr().out
    assert "[managed-engine-defaults]" in out and "set ttlStrategy, podGC, securityContext" in out
    assert main(["lint", "--strict", "--engine", "ack-one", str(ROOT / "workflows")]) == 1


def test_convert_says_what_a_template_loses_on_the_managed_engine(tmp_path: Path) -> None:
    from tests.convert.support import codes, convert, write_json
    from tests.convert.test_batchcompute import job, task

    data = job({"count": task()}, {})
    run, _ = convert(tmp_path / "a", write_json(tmp_path / "a", "job.json", data), engine="ack-one")
    assert "ACK_ONE_DEFAULTS" in codes(run)
    entry = next(e for r in run.results for e in r.plan.report.entries if e.code == "ACK_ONE_DEFAULTS")
    assert "set ttlStrategy, podGC, securityContext" in entry.message or "set podGC" in entry.message
    run, _ = convert(tmp_path / "b", write_json(tmp_path / "b", "job.json", data))
    assert "ACK_ONE_DEFAULTS" not in codes(run)


def test_destroy_check_and_e2e_know_the_managed_engine(tmp_path: Path) -> None:
    from askflow import yamlio
    from askflow.e2e.plan import resolve
    from askflow.stacks.cli import destroy_notes

    root = stack_files_project(tmp_path / "p", workflows=True)
    stack_new("m1", "staging", ["argo.engine=ack-one"], project_root=root)
    settings = parse_settings("cn-hangzhou", yamlio.load_file(root / "environments/Pulumi.m1.yaml")["config"][
        "askflow:platform"], file="m1")
    notes = destroy_notes(settings, "m1", project_root=str(root))
    assert "workflow cluster askflow-m1: deleted, with its workflows and argo-server" in notes
    e2e = resolve("m1", root)
    assert e2e.argo_namespace == ""
    assert any(step.startswith("2. nothing to wait for: argo.engine ack-one") for step in e2e.steps())


def test_ci_deploy_roles_may_run_the_managed_engine() -> None:
    """The ACK One API actions the provider and the feature resource call are in the deploy role's documents,
    and every document stays within RAM's size limit."""
    from askflow.bootstrap.policy import MAX_POLICY_LENGTH
    from tests.bootstrap.test_bootstrap import _as_list, _documents, _plan, _statements

    docs = _documents(_plan(), "platform-ci-deploy-dev-")
    allowed = {a for d in docs.values() for s in _statements(d) if s["Effect"] == "Allow" for a in _as_list(s["Action"])}
    assert {"adcp:CreateHubCluster", "adcp:DeleteHubCluster", "adcp:UpdateHubClusterFeature", "adcp:Describe*"} <= allowed
    assert all(len(json.dumps(d)) <= MAX_POLICY_LENGTH for d in docs.values())
