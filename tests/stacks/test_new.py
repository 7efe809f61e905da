"""``askflow stack new``: a copy that plans like its source apart from names, and refuses bad input."""

from __future__ import annotations

import ipaddress
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from askflow import yamlio
from askflow.cli import main
from askflow.errors import AskflowError
from askflow.plan import Plan, plan_stack
from askflow.plan.mocks import _digest
from askflow.stacks import load_project, load_settings, read_stack
from askflow.stacks.new import derive_stack, physical_name, stack_new, write_new_stack
from tests.support.projects import stack_files_project

# The input naming each alicloud resource in the account (or globally, for buckets): what must differ.
PHYSICAL_NAME = {
    "alicloud:oss/bucket:Bucket": "bucket",
    "alicloud:cs/serverlessKubernetes:ServerlessKubernetes": "name",
    "alicloud:cs/managedKubernetes:ManagedKubernetes": "name",
    "alicloud:cs/nodePool:NodePool": "nodePoolName",
    "alicloud:vpc/network:Network": "vpcName",
    "alicloud:vpc/switch:Switch": "vswitchName",
    "alicloud:ecs/securityGroup:SecurityGroup": "securityGroupName",
    "alicloud:vpc/natGateway:NatGateway": "natGatewayName",
    "alicloud:ecs/eipAddress:EipAddress": "addressName",
    "alicloud:ram/role:Role": "roleName",
    "alicloud:ram/policy:Policy": "policyName",
    "alicloud:log/project:Project": "projectName",
    "alicloud:rds/instance:Instance": "instanceName",
    "alicloud:eci/imageCache:ImageCache": "imageCacheName",
    "alicloud:arms/prometheusAlertRule:PrometheusAlertRule": "prometheusAlertRuleName",
    "alicloud:arms/dispatchRule:DispatchRule": "dispatchRuleName",
    "alicloud:arms/alertContact:AlertContact": "alertContactName",
    "alicloud:arms/alertContactGroup:AlertContactGroup": "alertContactGroupName",
    "alicloud:arms/alertRobot:AlertRobot": "alertRobotName",
    "alicloud:log/alert:Alert": "alertName",
}
# Types without a name of their own (they live inside a named resource, or are anonymous).
UNNAMED = {
    "alicloud:oss/bucketAcl:BucketAcl", "alicloud:oss/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "alicloud:oss/bucketPolicy:BucketPolicy",
    "alicloud:vpc/snatEntry:SnatEntry", "alicloud:ecs/eipAssociation:EipAssociation",
    "alicloud:ram/rolePolicyAttachment:RolePolicyAttachment", "alicloud:cs/kubernetesAddon:KubernetesAddon",
    "alicloud:kms/key:Key", "alicloud:log/store:Store", "alicloud:rds/database:Database",
    "alicloud:rds/rdsAccount:RdsAccount", "alicloud:rds/accountPrivilege:AccountPrivilege",
    # Inside the cluster's Prometheus instance (its ServiceMonitor name is in configYaml) and the logstore.
    "alicloud:arms/prometheusMonitoring:PrometheusMonitoring", "alicloud:log/storeIndex:StoreIndex",
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's stack files; the program is the repository's own ``infra/``."""
    return stack_files_project(tmp_path / "project")


def _files(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "environments").iterdir())


def _normalised(plan: Plan, stack: str, name: str, cidrs: list[str]) -> str:
    """The plan as JSON with what `stack new` makes unique replaced by placeholders.

    The mocks derive ids and other outputs (route tables, EIP addresses) from a digest of each
    resource's type and name (askflow.plan.mocks); those become a placeholder per resource too.
    """
    text = plan.to_json()

    def key(urn: str) -> str:
        return urn.replace(f"urn:pulumi:{stack}::", "urn:pulumi:STACK::").replace(name, "NAME")

    order = sorted(key(r.urn) for r in plan.resources)
    artefacts: dict[str, str] = {}
    for r in plan.resources:
        i = order.index(key(r.urn))
        h16, h32 = _digest(r.type, r.name), _digest(r.type, r.name, length=32)
        artefacts[h32] = f"<h32 {i}>"
        artefacts[h16] = f"<h {i}>"
        artefacts[f"47.96.{int(h16[:2], 16)}.{int(h16[2:4], 16)}"] = f"<ip {i}>"
    for value in sorted(artefacts, key=len, reverse=True):
        text = text.replace(value, artefacts[value])
    text = text.replace(f"urn:pulumi:{stack}::", "urn:pulumi:STACK::")
    text = text.replace(f'"stack": "{stack}"', '"stack": "STACK"')
    text = text.replace(f'"askflow-stack": "{stack}"', '"askflow-stack": "STACK"')
    text = text.replace(f"--stack {stack}", "--stack STACK")
    text = text.replace(name, "NAME")
    for i, cidr in enumerate(cidrs):
        text = text.replace(cidr, f"<cidr {i}>")
    return text


def _cidrs(settings: Any) -> list[str]:
    net = settings.network
    return [str(c) for c in (net.vpc_cidr, *net.vswitch_cidrs, *net.pod_vswitch_cidrs)]


@pytest.mark.parametrize("source", ["dev", "staging", "prod"])
def test_new_stack_plans_like_its_source_apart_from_names(project: Path, source: str) -> None:
    new = stack_new("rc-1", source, project_root=project)
    assert new.path == project / "environments" / "Pulumi.rc-1.yaml" and new.path.is_file()
    src_settings = load_settings(read_stack(load_project(project), source))
    src_plan = plan_stack(source, project_root=project)
    new_plan = plan_stack("rc-1", project_root=project)

    # Every physical name differs.
    by_urn = {r.urn.replace(f"urn:pulumi:{source}::", "").replace(src_settings.name, "NAME"): r
              for r in src_plan.resources}
    assert len(by_urn) == len(new_plan.resources)
    checked = 0
    for r in new_plan.resources:
        twin = by_urn[r.urn.replace("urn:pulumi:rc-1::", "").replace(new.settings.name, "NAME")]
        if not r.type.startswith("alicloud:"):
            continue
        assert r.type in PHYSICAL_NAME or r.type in UNNAMED, f"{r.type}: does it have a physical name?"
        if r.type in PHYSICAL_NAME:
            key = PHYSICAL_NAME[r.type]
            assert r.inputs[key] != twin.inputs[key], f"{r.name}: {key} is the source's"
            checked += 1
    assert checked >= 10

    # Everything else is identical.
    assert _normalised(new_plan, "rc-1", new.settings.name, _cidrs(new.settings)) == _normalised(
        src_plan, source, src_settings.name, _cidrs(src_settings)
    )


def test_names_cidrs_and_comments(project: Path) -> None:
    new = stack_new("rc-1", "staging", project_root=project)
    s = new.settings
    assert s.name == "askflow-rc-1"
    assert s.bucket_name == "askflow-rc-1-cn-hangzhou-artifacts"
    assert s.sls_project_name == "askflow-rc-1-cn-hangzhou-logs"
    taken = [load_settings(read_stack(load_project(project), st)).network.vpc_cidr for st in ("dev", "staging", "prod")]
    assert s.network.vpc_cidr.prefixlen == 16 and not any(s.network.vpc_cidr.overlaps(t) for t in taken)
    assert all(c.subnet_of(s.network.vpc_cidr) for c in s.network.vswitch_cidrs)
    text = new.path.read_text()
    source_text = (project / "environments" / "Pulumi.staging.yaml").read_text()
    assert text.startswith("# Generated by `askflow stack new rc-1 --from staging` from environments/Pulumi.staging.yaml")
    # Every comment line of the source is kept.
    for line in source_text.splitlines():
        if line.lstrip().startswith("#"):
            assert line in text
    # Same layout: only the lines holding names and CIDRs changed.
    changed = [line for line in text.splitlines() if line not in source_text.splitlines() and not line.startswith("#")]
    assert changed == ["    name: askflow-rc-1", "      vpc_cidr: " + str(s.network.vpc_cidr),
                       f"      vswitch_cidrs: [{', '.join(str(c) for c in s.network.vswitch_cidrs)}]"]


def test_same_inputs_give_byte_identical_files(project: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(project, other)
    a = stack_new("pr-42", "staging", ["cluster.kubernetes_version=1.33.3-aliyun.1"], project_root=project)
    b = stack_new("pr-42", "staging", ["cluster.kubernetes_version=1.33.3-aliyun.1"], project_root=other)
    assert a.path.read_bytes() == b.path.read_bytes()


def test_two_new_stacks_get_different_vpcs(project: Path) -> None:
    a = stack_new("rc-1", "staging", project_root=project).settings
    b = stack_new("rc-2", "staging", project_root=project).settings
    assert not a.network.vpc_cidr.overlaps(b.network.vpc_cidr)


def test_set_changes_platform_values_with_their_types(project: Path) -> None:
    new = stack_new(
        "rc-1", "staging",
        ["tenants[0].quota.cpu=32", "tenants[1].quota.pods=50", "cluster.enable_prometheus=false",
         "cluster.maintenance_window.duration=4h", "tags.owner=release-team"],
        project_root=project,
    )
    s = new.settings
    assert s.tenants[0].quota.cpu == "32"  # a quantity: the string, not the integer
    assert s.tenants[1].quota.pods == 50
    assert s.cluster.enable_prometheus is False
    assert s.cluster.maintenance_window.duration == "4h"  # created where the source has no such block
    assert s.tags["owner"] == "release-team"
    text = new.path.read_text()
    assert 'quota: {cpu: "32", memory: 256Gi, pods: 300}' in text  # flow style kept
    assert "#   --set tenants[0].quota.cpu=32" in text


def test_physical_name_is_shortened_deterministically() -> None:
    long = "release-candidate-2026-01-15"
    name = physical_name("askflow", long)
    assert name == physical_name("askflow", long) and len(name) <= 24
    assert re.fullmatch(r"[a-z]([-a-z0-9]*[a-z0-9])?", name)
    assert name != physical_name("askflow", long + "x")
    assert physical_name("askflow", "rc-1") == "askflow-rc-1"


def _byo_source(project: Path) -> None:
    data = yamlio.load_file(project / "environments" / "Pulumi.staging.yaml")
    data["config"]["askflow:platform"]["name"] = "askflow-shared"
    data["config"]["askflow:platform"]["network"] = {"vpc_id": "vpc-shared", "vswitch_ids": ["vsw-a", "vsw-b"]}
    (project / "environments" / "Pulumi.shared.yaml").write_text(yamlio.dumps(data))


def test_shared_vpc_gets_a_free_service_cidr(project: Path) -> None:
    _byo_source(project)
    new = stack_new("rc-1", "shared", project_root=project).settings
    src = load_settings(read_stack(load_project(project), "shared"))
    assert new.network.vpc_id == "vpc-shared"
    assert not new.cluster.service_cidr.overlaps(src.cluster.service_cidr)
    assert new.cluster.service_cidr.prefixlen == src.cluster.service_cidr.prefixlen
    assert plan_stack("rc-1", project_root=project).resources


# ------------------------------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["staging", "--from", "dev"],
         "environments/Pulumi.staging.yaml: already exists: pick another NAME (stack new never overwrites)"),
        (["Bad_Name", "--from", "staging"],
         "NAME: 'Bad_Name' is not a valid new stack name: use at most 40 lowercase letters, digits and '-' "
         "(it becomes part of cloud resource names)"),
        (["rc-1", "--from", "nope"],
         "environments/Pulumi.nope.yaml: stack 'nope' does not exist (stacks: dev, prod, staging)"),
        (["rc-1", "--from", "staging", "--set", "cluster.kubernetes_versio=1.33.3-aliyun.1"],
         "--set cluster.kubernetes_versio: unknown key 'kubernetes_versio' in askflow:platform.cluster; known keys: "
         "allow_replacement, auto_upgrade_channel, cluster_spec, enable_log_collection, enable_pod_identity_webhook, "
         "enable_prometheus, endpoint_public_access, kind, kms_key_id, kubernetes_version, maintenance_window, "
         "public_endpoint_reason, service_cidr, system_node_pool"),
        (["rc-1", "--from", "staging", "--set", "tenants[7].quota.cpu=1"],
         "--set tenants[7].quota.cpu: index 7 is out of range (2 entries)"),
        (["rc-1", "--from", "staging", "--set", "region=cn-beijing"],
         "--set region: unknown key 'region' in askflow:platform (the region is alicloud:region); known keys: alerts, argo, "
         "cluster, eci, environment, name, network, observability, protection, storage, tags, templates, tenants"),
        (["rc-1", "--from", "staging", "--set", "cluster.service_cidr=10.0.0.0/33"],
         "environments/Pulumi.rc-1.yaml: askflow:platform.cluster.service_cidr: '10.0.0.0/33' is not a valid IPv4 CIDR"),
        (["rc-1", "--from", "staging", "--set", "name=askflow-staging"],
         "environments/Pulumi.rc-1.yaml: askflow:platform.name: 'askflow-staging' is already used by stack 'staging': "
         "physical names must be unique"),
        (["rc-1", "--from", "staging", "--set", "kubernetes_version"], "--set: 'kubernetes_version' is not key=value"),
        (["rc-1", "--from", "staging", "--set", "network.eip_bandwidth_mbps=!!int abc"],
         "--set network.eip_bandwidth_mbps: '!!int abc': YAML value does not load (line 1, column 1: "
         "'abc' is not a valid int); quote it (without a !! tag) if it is meant as text"),
        (["rc-1", "--from", "staging", "--set", "templates.deploy=&a [*a]"],
         "--set templates.deploy: '&a [*a]': YAML has an alias inside the value it names"),
        (["rc-1", "--from", "prod", "--set", "protection.protect=false"],
         "environments/Pulumi.rc-1.yaml: askflow:platform.protection.protect: cannot be false in prod (the policy "
         "rules refuse it): remove it"),
        (["rc-1", "--from", "staging", "--set", "network.vpc_cidr=100.64.0.0/16"],
         "environments/Pulumi.rc-1.yaml: askflow:platform.network.vpc_cidr: 100.64.0.0/16 overlaps 100.64.0.0/10, "
         "which a VPC cannot use (use 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16)"),
        (["rc-1", "--from", "staging", "--set", "network.zones=[cn-hangzhou-j, cn-beijing-k]"],
         "environments/Pulumi.rc-1.yaml: askflow:platform.network.zones[1]: 'cn-beijing-k' is not a zone of region "
         "cn-hangzhou (e.g. cn-hangzhou-j)"),
        (["rc-1", "--from", "staging", "--set", "tags.acs:owner=me"],
         "environments/Pulumi.rc-1.yaml: askflow:platform.tags: tag key 'acs:owner' starts with a prefix Alibaba "
         "Cloud reserves (aliyun, acs:)"),
        (["rc-1", "--from", "staging", "--set", "eci.spot_price_limit=.inf"],
         "environments/Pulumi.rc-1.yaml: askflow:platform.eci.spot_price_limit: Input should be a finite number"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, args: list[str], line: str
) -> None:
    monkeypatch.chdir(project)
    before = {p.name: p.read_bytes() for p in (project / "environments").iterdir()}
    code = main(["stack", "new", *args])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(line), err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert {p.name: p.read_bytes() for p in (project / "environments").iterdir()} == before


def test_ram_role_names_cannot_collide_with_another_stack(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`<name>-<tenant>-executor` is ambiguous: stack `ml` (askflow-ml) with tenant data-eng and stack `ml-data`
    (askflow-ml-data) with tenant eng would both create the RAM role askflow-ml-data-eng-executor."""
    monkeypatch.chdir(project)
    stack_new("ml", "staging", project_root=project)
    before = _files(project)
    assert main(["stack", "new", "ml-data", "--from", "staging", "--set", "tenants[0].name=eng"]) == 2
    assert capsys.readouterr().err == (
        "environments/Pulumi.ml-data.yaml: askflow:platform.tenants[0].name: gives the RAM role name "
        "'askflow-ml-data-eng-executor', which stack 'ml' already uses: physical names must be unique\n"
    )
    assert _files(project) == before


def test_settings_role_names_are_the_plans(project: Path) -> None:
    """stack new compares Settings.ram_role_names: they must be the names the program gives the roles."""
    settings = load_settings(read_stack(load_project(project), "staging"))
    plan = plan_stack("staging", project_root=project)
    assert sorted(r.inputs["roleName"] for r in plan.of_type("alicloud:ram/role:Role")) == sorted(settings.ram_role_names)


def test_overlapping_service_cidr_in_a_shared_vpc_is_refused(project: Path) -> None:
    _byo_source(project)
    before = _files(project)
    with pytest.raises(AskflowError) as err:
        stack_new("rc-1", "shared", ["cluster.service_cidr=172.21.0.0/20"], project_root=project)
    assert err.value.line() == (
        f"{project / 'environments' / 'Pulumi.rc-1.yaml'}: askflow:platform.cluster.service_cidr: 172.21.0.0/20 "
        "overlaps the service CIDR 172.21.0.0/20 of stack 'shared', and both clusters are in VPC vpc-shared"
    )
    assert _files(project) == before


def test_never_overwrites_a_file_created_meanwhile(project: Path) -> None:
    new = derive_stack(load_project(project), "rc-1", "staging")
    new.path.write_text("# someone else's\n")
    with pytest.raises(AskflowError, match="already exists"):
        write_new_stack(new)
    assert new.path.read_text() == "# someone else's\n"
    assert _files(project) == ["Pulumi.dev.yaml", "Pulumi.prod.yaml", "Pulumi.rc-1.yaml", "Pulumi.staging.yaml"]


def test_a_date_for_a_string_setting_is_kept_as_its_text(project: Path) -> None:
    new = derive_stack(load_project(project), "rc-1", "staging", ["tags.since=2020-01-01", "tags.until=2020-13-45"])
    assert (new.settings.tags["since"], new.settings.tags["until"]) == ("2020-01-01", "2020-13-45")
    assert "since: '2020-01-01'" in new.text  # quoted, so the stack file reads it back as text


def test_an_unwritable_folder_is_one_line_and_leaves_nothing(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.chdir(project)
    monkeypatch.setattr("askflow.stacks.new.os.link", refuse)
    before = _files(project)
    assert main(["stack", "new", "rc-1", "--from", "staging"]) == 2
    err = capsys.readouterr().err
    assert err == "environments/Pulumi.rc-1.yaml: cannot be written (Permission denied); nothing was written\n"
    assert _files(project) == before  # no temporary file left either


def test_secrets_and_per_stack_keys_are_not_copied(project: Path) -> None:
    src = project / "environments" / "Pulumi.staging.yaml"
    src.write_text(src.read_text().replace(
        "config:\n", "encryptionsalt: v1:abc\nconfig:\n  askflow:argoSsoClientSecret:\n    secure: v1:c2VjcmV0\n", 1
    ))
    new = stack_new("rc-1", "staging", project_root=project)
    data = yamlio.load_file(new.path)
    assert "encryptionsalt" not in data and "askflow:argoSsoClientSecret" not in data["config"]
    assert new.notices[0] == (
        "askflow:argoSsoClientSecret is a secret of staging: set it for rc-1 with "
        "`pulumi config set --secret argoSsoClientSecret --stack rc-1`"
    )
    assert not any("argoSsoClientSecret" in n for n in new.notices[1:])


def test_cli_writes_and_reports(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["stack", "new", "rc-1", "--from", "staging", "--project", str(project)])
    out = capsys.readouterr().out
    assert code == 0
    assert "name askflow-rc-1, bucket askflow-rc-1-cn-hangzhou-artifacts" in out
    vpc = load_settings(read_stack(load_project(project), "rc-1")).network.vpc_cidr
    assert f"VPC {vpc}" in out and ipaddress.IPv4Network(vpc).prefixlen == 16


def test_explicit_bucket_and_sls_names_are_rederived(project: Path) -> None:
    src = project / "environments" / "Pulumi.staging.yaml"
    src.write_text(src.read_text().replace(
        "    templates:\n",
        "    storage:\n      bucket_name: acme-staging-artifacts\n"
        "    observability:\n      sls_project_name: acme-staging-logs\n    templates:\n", 1,
    ))
    s = stack_new("rc-1", "staging", project_root=project).settings
    assert (s.bucket_name, s.sls_project_name) == ("askflow-rc-1-cn-hangzhou-artifacts", "askflow-rc-1-cn-hangzhou-logs")


# ------------------------------------------------------------------------------------------ --set before deriving
def test_set_network_values_are_used_not_overwritten(project: Path) -> None:
    """`--set network.vpc_cidr=…` is the copy's VPC; the vSwitches move with it."""
    new = stack_new("rc-1", "staging", ["network.vpc_cidr=10.99.0.0/16"], project_root=project).settings
    src = load_settings(read_stack(load_project(project), "staging"))
    assert new.network.vpc_cidr == ipaddress.IPv4Network("10.99.0.0/16")
    delta = int(new.network.vpc_cidr.network_address) - int(src.network.vpc_cidr.network_address)
    assert [int(c.network_address) - delta for c in new.network.vswitch_cidrs] == [
        int(c.network_address) for c in src.network.vswitch_cidrs
    ]
    explicit = stack_new("rc-2", "staging", ["network.vpc_cidr=10.98.0.0/16",
                                             "network.vswitch_cidrs=[10.98.7.0/24, 10.98.8.0/24]"],
                         project_root=project).settings
    assert [str(c) for c in explicit.network.vswitch_cidrs] == ["10.98.7.0/24", "10.98.8.0/24"]


def test_set_name_is_kept(project: Path) -> None:
    assert stack_new("rc-1", "staging", ["name=askflow-rc-x"], project_root=project).settings.name == "askflow-rc-x"


# ------------------------------------------------------------------------------------------ lifecycle of a copy
def test_a_dev_copy_of_a_non_prod_source_is_force_destroyed_with_a_notice(project: Path) -> None:
    src = project / "environments" / "Pulumi.dev.yaml"
    assert yamlio.load_file(src)["config"]["askflow:platform"]["environment"] == "dev"
    src.write_text(src.read_text().replace("    storage:\n", "    storage:\n      force_destroy: false\n", 1)
                   if "    storage:\n" in src.read_text() else
                   src.read_text().replace("    templates:\n", "    storage:\n      force_destroy: false\n    templates:\n", 1))
    assert load_settings(read_stack(load_project(project), "dev")).storage.force_destroy is False
    new = stack_new("rc-1", "dev", project_root=project)
    assert new.settings.storage.force_destroy is True
    assert any(n.startswith("storage.force_destroy is true: `make destroy STACK=rc-1` empties and deletes the bucket "
                            "askflow-rc-1-cn-hangzhou-artifacts") for n in new.notices)
    # What destroy-check then says, from the copy's own plan.
    from askflow.stacks.cli import destroy_notes

    notes = destroy_notes(load_settings(read_stack(load_project(project), "rc-1")), "rc-1", str(project))
    assert "bucket askflow-rc-1-cn-hangzhou-artifacts: emptied and deleted (force_destroy)" in notes


def test_a_staging_copy_says_how_to_empty_its_bucket(project: Path) -> None:
    new = stack_new("rc-1", "staging", project_root=project)
    assert new.settings.storage.force_destroy is False  # the settings allow it in dev only
    assert any("ossutil rm oss://askflow-rc-1-cn-hangzhou-artifacts -r -f --all-versions" in n for n in new.notices)
    as_dev = stack_new("rc-2", "staging", ["environment=dev"], project_root=project)
    assert as_dev.settings.storage.force_destroy is True


def test_a_prod_copy_is_not_made_disposable(project: Path) -> None:
    new = stack_new("rc-1", "prod", project_root=project)
    assert new.settings.storage.force_destroy is False
    assert not any("force_destroy" in n for n in new.notices)


def test_auto_upgrade_is_kept_with_a_drift_notice(project: Path) -> None:
    src = load_settings(read_stack(load_project(project), "staging"))
    assert src.cluster.auto_upgrade_channel != "none"
    new = stack_new("rc-1", "staging", project_root=project)
    assert new.settings.cluster.auto_upgrade_channel == src.cluster.auto_upgrade_channel
    assert any(n.startswith(f"cluster.auto_upgrade_channel is {src.cluster.auto_upgrade_channel!r} as in staging")
               for n in new.notices)
    pinned = stack_new("rc-2", "staging", ["cluster.auto_upgrade_channel=none"], project_root=project)
    assert not any("auto_upgrade_channel" in n for n in pinned.notices)


# ------------------------------------------------------------------------------------------ shared VPC
def test_shared_vpc_service_cidr_is_next_to_the_sources_and_avoids_the_vpc(project: Path) -> None:
    _byo_source(project)
    src = load_settings(read_stack(load_project(project), "shared"))
    new = stack_new("rc-1", "shared", project_root=project).settings
    after = ipaddress.IPv4Network((int(src.cluster.service_cidr.broadcast_address) + 1, src.cluster.service_cidr.prefixlen))
    assert new.cluster.service_cidr == after
    # The shared VPC's CIDR, recorded in the source, is skipped too.
    data = yamlio.load_file(project / "environments" / "Pulumi.shared.yaml")
    data["config"]["askflow:platform"]["network"]["vpc_cidr"] = str(after.supernet(new_prefix=16))
    data["config"]["askflow:platform"]["name"] = "askflow-shared2"
    (project / "environments" / "Pulumi.shared2.yaml").write_text(yamlio.dumps(data))
    other = stack_new("rc-2", "shared2", project_root=project).settings
    assert not other.cluster.service_cidr.overlaps(after.supernet(new_prefix=16))
    assert not other.cluster.service_cidr.overlaps(src.cluster.service_cidr)
