"""The settings model: environment defaults, and one negative test per validator (exact line)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from askflow.errors import AskflowError
from askflow.settings import ENVIRONMENT_DEFAULTS, parse_settings

FILE = "environments/Pulumi.prod.yaml"

BASE: dict[str, Any] = {
    "environment": "prod",
    "name": "askflow-prod",
    "network": {
        "vpc_cidr": "10.0.0.0/16",
        "zones": ["cn-hangzhou-j", "cn-hangzhou-k"],
        "vswitch_cidrs": ["10.0.0.0/20", "10.0.16.0/20"],
    },
    "cluster": {"service_cidr": "172.21.0.0/20"},
    "observability": {"alert_contacts": [{"name": "oncall", "kind": "email", "address": "oncall@example.com"}]},
    "tenants": [{"name": "data-eng"}],
}


def platform(**changes: Any) -> dict[str, Any]:
    """BASE with dotted-path changes: platform(**{"network.zones": [...]})."""
    data = copy.deepcopy(BASE)
    for dotted, value in changes.items():
        *parents, last = dotted.split(".")
        node = data
        for key in parents:
            node = node.setdefault(key, {})
        if value is _DELETE:
            node.pop(last)
        else:
            node[last] = value
    return data


_DELETE = object()


def error_line(data: Any, region: Any = "cn-hangzhou") -> str:
    with pytest.raises(AskflowError) as info:
        parse_settings(region, data, file=FILE)
    return info.value.line()


def test_base_parses_with_prod_defaults() -> None:
    s = parse_settings("cn-hangzhou", BASE, file=FILE)
    assert s.protection.protect and s.protection.deletion_protection
    assert s.storage.versioning and s.storage.redundancy == "ZRS" and not s.storage.force_destroy
    assert s.argo.template_referencing == "Secure" and s.argo.controller_replicas == 2
    assert s.bucket_name == "askflow-prod-cn-hangzhou-artifacts"


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_environment_class_sets_defaults_that_a_stack_may_override(env: str) -> None:
    data = platform(environment=env)
    s = parse_settings("cn-hangzhou", data, file=FILE)
    assert s.protection.protect is ENVIRONMENT_DEFAULTS[env]["protection"]["protect"]
    assert s.storage.artifact_retention_days == ENVIRONMENT_DEFAULTS[env]["storage"]["artifact_retention_days"]
    overridden = parse_settings(
        "cn-hangzhou", platform(environment=env, **{"storage.artifact_retention_days": 3}), file=FILE
    )
    assert overridden.storage.artifact_retention_days == 3


def test_dev_override_keeps_false_and_zero() -> None:
    data = platform(environment="dev", **{"protection.protect": False, "argo.ttl_after_success_seconds": 0})
    s = parse_settings("cn-hangzhou", data, file=FILE)
    assert s.protection.protect is False and s.argo.ttl_after_success_seconds == 0


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"network.vswitch_cidrs": ["10.0.0.0/20", "10.1.0.0/24"]},
         "askflow:platform.network.vswitch_cidrs[1]: 10.1.0.0/24 is outside vpc_cidr 10.0.0.0/16"),
        ({"network.vswitch_cidrs": ["10.0.0.0/20", "10.0.8.0/24"]},
         "askflow:platform.network.vswitch_cidrs[1]: 10.0.8.0/24 overlaps vswitch_cidrs[0] 10.0.0.0/20"),
        ({"network.pod_vswitch_cidrs": ["10.0.32.0/20", "10.0.16.0/24"]},
         "askflow:platform.network.pod_vswitch_cidrs[1]: 10.0.16.0/24 overlaps vswitch_cidrs[1] 10.0.16.0/20"),
        ({"network.vswitch_cidrs": ["10.0.0.0/20", "10.0.0.300/20"]},
         "askflow:platform.network.vswitch_cidrs[1]: '10.0.0.300/20' is not a valid IPv4 CIDR "
         "(Octet 300 (> 255) not permitted in '10.0.0.300')"),
        ({"network.vpc_cidr": "10.0.0.1/16"},
         "askflow:platform.network.vpc_cidr: '10.0.0.1/16' is not a valid IPv4 CIDR (10.0.0.1/16 has host bits set)"),
        ({"network.vswitch_cidrs": ["10.0.0.0/20"]},
         "askflow:platform.network.vswitch_cidrs: has 1 entries for 2 zones: give one per zone"),
        ({"network.zones": ["cn-hangzhou-j"], "network.vswitch_cidrs": ["10.0.0.0/20"]},
         "askflow:platform.network.zones: prod needs at least two zones (one vSwitch each) for availability"),
        ({"network.zones": ["cn-hangzhou-j", "cn-hangzhou-j"]}, "askflow:platform.network.zones: lists a zone twice"),
        ({"cluster.service_cidr": "10.0.0.0/20"},
         "askflow:platform.cluster.service_cidr: 10.0.0.0/20 overlaps network.vpc_cidr 10.0.0.0/16"),
        ({"network.vpc_id": "vpc-1"},
         "askflow:platform.network.vswitch_ids: is required when vpc_id is set (bring your own network)"),
        ({"network.vswitch_ids": ["vsw-1"]},
         "askflow:platform.network.vswitch_ids: is only for bring-your-own networks: set vpc_id too, or remove it"),
        ({"name": "Askflow_Prod"},
         "askflow:platform.name: 'Askflow_Prod' is not a valid stack name prefix: use at most 24 lowercase letters, "
         "digits and '-', starting with a letter and ending with a letter or digit"),
        ({"tenants": [{"name": "data-eng"}, {"name": "data-eng"}]},
         "askflow:platform.tenants[1].name: tenant 'data-eng' is listed twice"),
        ({"tenants": [{"name": "argo"}]}, "askflow:platform.tenants[0].name: 'argo' is Argo's own namespace; pick another"),
        ({"tenants": [{"name": "team", "queues": {"default": 0}}]},
         "askflow:platform.tenants[0].queues: queue 'default' has concurrency 0: use 1 or more"),
        ({"storage.bucket_name": "My_Bucket"},
         "askflow:platform.storage.bucket_name: 'My_Bucket' is not a valid OSS bucket name (3-63 lowercase letters, "
         "digits, '-', starting and ending with a letter or digit)"),
        ({"storage.force_destroy": True}, "askflow:platform.storage.force_destroy: is never allowed in prod: remove it"),
        ({"cluster.kubernetes_version": "latest"},
         "askflow:platform.cluster.kubernetes_version: 'latest' does not look like an ACK Kubernetes version (e.g. 1.33.3-aliyun.1)"),
        ({"cluster.kubernetes_version": "1.29.3-aliyun.1"},
         "askflow:platform.cluster.kubernetes_version: '1.29.3-aliyun.1' is older than 1.30: askflow relies on "
         "ValidatingAdmissionPolicy (GA in 1.30; it keeps each tenant's artifact keys in its prefix), Pod Security "
         "admission and RRSA"),
        # Tenant names that are bucket prefixes the platform writes, or namespaces Kubernetes owns.
        ({"tenants": [{"name": "uploads"}]},
         "askflow:platform.tenants[0].name: 'uploads' is reserved (the bucket prefix of Argo UI uploads "
         "(uploads/<namespace>/), which would be every tenant's); pick another tenant name"),
        ({"tenants": [{"name": "access-logs"}]},
         "askflow:platform.tenants[0].name: 'access-logs' is reserved (the bucket prefix of the bucket's own access "
         "logs); pick another tenant name"),
        ({"tenants": [{"name": "kube-system"}]},
         "askflow:platform.tenants[0].name: 'kube-system' is reserved (Kubernetes namespace); pick another tenant name"),
        ({"tenants": [{"name": "a", "quota": {"cpu": "8", "limits_cpu": "4"}}]},
         "askflow:platform.tenants[0].quota.limits_cpu: '4' is below the requests' total '8' (cpu): a container's "
         "limit is never below its request"),
        ({"tenants": [{"name": "a", "quota": {"limits_memory": "1Ti", "memory": "2Ti"}}]},
         "askflow:platform.tenants[0].quota.limits_memory: '1Ti' is below the requests' total '2Ti' (memory): a "
         "container's limit is never below its request"),
        ({"tenants": [{"name": "a", "default_request": {"cpu": "2", "memory": "1Gi"},
                       "default_limit": {"cpu": "1", "memory": "1Gi"}}]},
         "askflow:platform.tenants[0].default_request.cpu: '2' is above default_limit.cpu '1'"),
        ({"tenants": [{"name": "a", "container_max": {"cpu": "250m", "memory": "1Gi"}}]},
         "askflow:platform.tenants[0].default_request.cpu: '500m' is above container_max.cpu '250m'"),
        ({"tenants": [{"name": "a", "users_group": "system:authenticated"}]},
         "askflow:platform.tenants[0].users_group: 'system:authenticated' is not a group askflow binds: use a group "
         "of your identity provider or RAM (not empty, not a Kubernetes system: group, which holds every user or "
         "every node)"),
        ({"argo.chart_version": "v1"}, "askflow:platform.argo.chart_version: 'v1' is not a chart version (semver, e.g. 1.0.18)"),
        ({"argo.archive_ttl": "forever"}, "askflow:platform.argo.archive_ttl: 'forever' is not a duration (e.g. 30d, 12h)"),
        ({"argo.crd_base_url": "http://mirror.example.com/crds"},
         "askflow:platform.argo.crd_base_url: 'http://mirror.example.com/crds' is not an https:// URL: the CRD job "
         "applies what it downloads, so the download must be authenticated"),
        ({"argo.chart_version": "1.0.22"},
         "askflow:platform.argo.crd_base_url: the default holds chart 1.0.18's CRDs: with chart_version 1.0.22 set it "
         "to that chart's files at its release commit, and record their digests in askflow/crds/data"),
        ({"argo.image_digests": {"executor": "sha256:abc"}},
         "askflow:platform.argo.image_digests.executor: 'sha256:abc' is not an image digest (sha256: and 64 hex digits)"),
        ({"argo.auth_mode": "sso"},
         "askflow:platform.argo.sso: is required when auth_mode is sso (issuer, client_id, redirect_url)"),
        ({"argo.auth_mode": "sso", "argo.sso": {"issuer": "https://id.example.com", "client_id": "argo",
                                                 "redirect_url": "https://argo.example.com/oauth2/callback",
                                                 "rbac": False}},
         "askflow:platform.argo.sso.rbac: cannot be false: every SSO user would act with argo-server's own "
         "permissions (as auth mode `server`, which askflow never allows); map groups to service accounts instead"),
        ({"argo.auth_mode": "server"},
         "askflow:platform.argo.auth_mode: 'server': input should be 'client' or 'sso'"),
        ({"cluster.endpoint_public_access": True},
         "askflow:platform.cluster.public_endpoint_reason: is required when endpoint_public_access is true: "
         "say why the API server must be public"),
        ({"eci.spot_strategy": "SpotWithPriceLimit", "eci.spot_price_limit": float("inf")},
         "askflow:platform.eci.spot_price_limit: Input should be a finite number"),
        ({"templates": {"deploy": "etl"}},
         "askflow:platform.templates.deploy: 'etl' is neither `all` nor a list; write [etl] for a list of one"),
        ({"templates": {"crons": 5}}, "askflow:platform.templates.crons: 5 is neither `all` nor a list of names"),
        ({"tags": {1: "x"}}, "askflow:platform.tags: key 1: input should be a valid string"),
        ({"templates": {"deploy": ["etl", 5]}}, "askflow:platform.templates.deploy[1]: 5: input should be a valid string"),
        ({"tenants": [{"name": "a", "queues": {"a[b]": "x"}}]},
         "askflow:platform.tenants[0].queues.a[b]: 'x': input should be a valid integer, unable to parse string as an integer"),
        ({"eci.spot_price_limit": 0.5},
         "askflow:platform.eci.spot_price_limit: is set exactly when spot_strategy is SpotWithPriceLimit"),
        ({"cluster.maintenance_window": {"weekly_period": "Funday"}},
         "askflow:platform.cluster.maintenance_window.weekly_period: 'Funday' is not a weekday (Monday … Sunday)"),
        ({"tenants": [{"name": "a", "quota": {"cpu": "lots"}}]},
         "askflow:platform.tenants[0].quota.cpu: 'lots' is not a Kubernetes quantity (e.g. 500m, 2, 4Gi)"),
        ({"templates": {"namespaces": ["nobody"]}},
         "askflow:platform.templates.namespaces[0]: 'nobody' is not a tenant (data-eng)"),
        ({"tenants": [{"name": "a", "eci": {"spot_strategy": "SpotWithPriceLimit"}}]},
         "askflow:platform.tenants[0].eci.spot_price_limit: is set exactly when spot_strategy is SpotWithPriceLimit"),
        ({"tenants": [{"name": "a", "eci": {"spot_price_limit": 0.2}}]},
         "askflow:platform.tenants[0].eci.spot_price_limit: needs spot_strategy: SpotWithPriceLimit beside it"),
        ({"tags": {"askflow-environment": "dev"}},
         "askflow:platform.tags: tag 'askflow-environment' is reserved: askflow sets it (the policy rules read it)"),
        ({"network.contianer": 1},
         "askflow:platform.network.contianer: unknown key: check its spelling against the configuration reference (README)"),
        ({"tenants": []}, "askflow:platform.tenants: list at least one tenant (a team and its namespace)"),
        ({"environment": "qa"}, "askflow:platform.environment: 'qa': input should be 'dev', 'staging' or 'prod'"),
        ({"name": _DELETE}, "askflow:platform.name: is required"),
        # Alibaba Cloud's own limits (sources in the comments of askflow/settings.py).
        ({"network.vpc_cidr": "100.64.0.0/16", "network.vswitch_cidrs": ["100.64.0.0/20", "100.64.16.0/20"]},
         "askflow:platform.network.vpc_cidr: 100.64.0.0/16 overlaps 100.64.0.0/10, which a VPC cannot use "
         "(use 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16)"),
        ({"network.vpc_cidr": "10.0.0.0/30"},
         "askflow:platform.network.vpc_cidr: 10.0.0.0/30 is a /30: a VPC CIDR must be /8 to /28"),
        ({"network.vswitch_cidrs": ["10.0.0.0/20", "10.0.16.0/30"]},
         "askflow:platform.network.vswitch_cidrs[1]: 10.0.16.0/30 is a /30: a vSwitch CIDR must be /16 to /29"),
        ({"network.vpc_cidr": "10.0.0.0/8", "network.vswitch_cidrs": ["10.0.0.0/15", "10.2.0.0/16"]},
         "askflow:platform.network.vswitch_cidrs[0]: 10.0.0.0/15 is a /15: a vSwitch CIDR must be /16 to /29"),
        ({"cluster.service_cidr": "100.64.0.0/20"},
         "askflow:platform.cluster.service_cidr: 100.64.0.0/20 is not inside 10.0.0.0/8, 172.16.0.0/12 or "
         "192.168.0.0/16, as ACK requires"),
        ({"cluster.service_cidr": "172.16.0.0/12"},
         "askflow:platform.cluster.service_cidr: 172.16.0.0/12 is a /12: a Service CIDR must be /16 to /24"),
        ({"cluster.service_cidr": "172.21.0.0/25"},
         "askflow:platform.cluster.service_cidr: 172.21.0.0/25 is a /25: a Service CIDR must be /16 to /24"),
        ({"network.zones": ["cn-hangzhou-j", "cn-shanghai-k"]},
         "askflow:platform.network.zones[1]: 'cn-shanghai-k' is not a zone of region cn-hangzhou (e.g. cn-hangzhou-j)"),
        ({"network.zones": ["cn-hangzhou-j", "cn-hangzhou-finance-k"]},
         "askflow:platform.network.zones[1]: 'cn-hangzhou-finance-k' is not a zone of region cn-hangzhou "
         "(e.g. cn-hangzhou-j)"),
        ({"tags": {"Aliyun-team": "x"}},
         "askflow:platform.tags: tag key 'Aliyun-team' starts with a prefix Alibaba Cloud reserves (aliyun, acs:)"),
        ({"tags": {"acs:owner": "x"}},
         "askflow:platform.tags: tag key 'acs:owner' starts with a prefix Alibaba Cloud reserves (aliyun, acs:)"),
        ({"tags": {"owner": "acs:ram::1:role/x"}},
         "askflow:platform.tags: the value of tag 'owner' starts with acs:, which Alibaba Cloud reserves"),
        ({"tags": {"k" * 65: "x"}}, f"askflow:platform.tags: tag key {'k' * 65!r} is 65 bytes: OSS bucket tags allow 64"),
        ({"tags": {"wiki": "v" * 129}}, "askflow:platform.tags: the value of tag 'wiki' is 129 bytes: tags allow 128"),
        ({"tags": {"wiki": "https://wiki/askflow"}},
         "askflow:platform.tags: tag 'wiki' contains http:// or https://, which tags cannot hold"),
        ({"tags": {"": "x"}}, "askflow:platform.tags: a tag key cannot be empty"),
        ({"tags": {f"t{i}": "x" for i in range(18)}},
         "askflow:platform.tags: has 18 tags; askflow adds 3 and Alibaba Cloud allows 20 per resource: keep at most 17"),
        ({"tags": {f"t{i}": "x" for i in range(17)}, "cluster.endpoint_public_access": True,
          "cluster.public_endpoint_reason": "vendor CI"},
         "askflow:platform.tags: has 17 tags; askflow adds 4 and Alibaba Cloud allows 20 per resource: keep at most 16"),
        ({"observability.sls_project_name": "My_Logs"},
         "askflow:platform.observability.sls_project_name: 'My_Logs' is not a valid SLS project name (3-63 lowercase "
         "letters, digits, '-', starting and ending with a letter or digit)"),
        ({"protection.protect": False},
         "askflow:platform.protection.protect: cannot be false in prod (the policy rules refuse it): remove it"),
        ({"protection.deletion_protection": False},
         "askflow:platform.protection.deletion_protection: cannot be false in prod (the policy rules refuse it): remove it"),
        ({"storage.versioning": False},
         "askflow:platform.storage.versioning: cannot be false in prod (the policy rules refuse it): remove it"),
        ({"name": "askflow-production-eu-01", "tenants": [{"name": "data-engineering-and-analytics-platform"},
                                                          {"name": "data-engineering-and-analytics-platformx"}]},
         "askflow:platform.tenants[0].name: makes the RAM role name "
         "'askflow-production-eu-01-data-engineering-and-analytics-platform-executor' (73 characters), which RAM's "
         "limit of 64 cuts to 'askflow-production-eu-01-data-engineering-and-analytics-platform', the name of "
         "another role of this stack: shorten the tenant name"),
        ({"cluster.endpoint_public_access": True,
          "cluster.public_endpoint_reason": "vendor CI, approved in https://jira.example.com/SEC-42"},
         "askflow:platform.cluster.public_endpoint_reason: becomes the value of a cluster tag, and tag "
         "'askflow-waiver-public-endpoint' contains http:// or https://, which tags cannot hold: reword it"),
        ({"network.zones": ["cn-hangzhouj", "cn-hangzhou-k"]},
         "askflow:platform.network.zones[0]: 'cn-hangzhouj' is not a zone of region cn-hangzhou (e.g. cn-hangzhou-j)"),
        ({"network.eip_bandwidth_mbps": 500},
         "askflow:platform.network.eip_bandwidth_mbps: Input should be less than or equal to 200"),
        ({"argo.parallelism": "many"},
         "askflow:platform.argo.parallelism: 'many': input should be a valid integer, unable to parse string as an integer"),
    ],
)
def test_each_validator_names_file_and_key(changes: dict[str, Any], expected: str) -> None:
    assert error_line(platform(**changes)) == f"{FILE}: {expected}"


def test_region_is_checked_and_required() -> None:
    assert error_line(BASE, region="Hangzhou") == (
        f"{FILE}: alicloud:region: 'Hangzhou' is not an Alibaba Cloud region id (e.g. cn-hangzhou)"
    )
    assert error_line(BASE, region=None) == f"{FILE}: alicloud:region: is required: the region, e.g. cn-hangzhou"


def test_platform_must_be_a_mapping() -> None:
    assert error_line("oops") == f"{FILE}: askflow:platform: is a str; it must be a mapping of platform settings"
    assert error_line(None) == f"{FILE}: askflow:platform: is missing; it must be a mapping of platform settings"


def test_zones_of_regions_with_numbered_ids() -> None:
    """Zone ids are the region's id and a letter, with a '-' (cn-hangzhou-j) or without (ap-southeast-1a)."""
    data = platform(network={"vpc_cidr": "10.0.0.0/16", "zones": ["ap-southeast-1a", "ap-southeast-1b"],
                             "vswitch_cidrs": ["10.0.0.0/20", "10.0.16.0/20"]})
    assert parse_settings("ap-southeast-1", data, file=FILE).network.zones == ("ap-southeast-1a", "ap-southeast-1b")
    assert error_line(data, region="ap-southeast-5") == (
        f"{FILE}: askflow:platform.network.zones[0]: 'ap-southeast-1a' is not a zone of region ap-southeast-5 "
        "(e.g. ap-southeast-5-j)"
    )


def test_largest_allowed_values_parse() -> None:
    """The edges Alibaba Cloud accepts are accepted: /8 VPC, /16 and /29 vSwitches, /16 and /24 Service CIDRs,
    17 tags with 64-byte keys and 128-byte values, a 64-character RAM role name, non-prod without protection."""
    tags = {f"{i:02d}" + "k" * 62: "v" * 128 for i in range(17)}
    data = platform(tags=tags, name="askflow-production-eu-01",
                    tenants=[{"name": "data-engineering-analytics-abc"}],
                    **{"network.vpc_cidr": "10.0.0.0/8", "network.vswitch_cidrs": ["10.0.0.0/16", "10.1.0.0/29"],
                       "cluster.service_cidr": "192.168.0.0/24"})
    s = parse_settings("cn-hangzhou", data, file=FILE)
    assert len(s.ram_role_names[0]) == 64
    # Longer names are cut to 64, as stacks deployed before the check was added have them.
    long = parse_settings("cn-hangzhou", {**data, "tenants": [{"name": "data-engineering-and-analytics-platform"}]},
                          file=FILE)
    assert long.ram_role_names[0] == "askflow-production-eu-01-data-engineering-and-analytics-platform"
    assert parse_settings("cn-hangzhou", {**data, "cluster": {"service_cidr": "172.16.0.0/16"}}, file=FILE)
    staging = platform(environment="staging", **{"protection.protect": False, "storage.versioning": False})
    assert parse_settings("cn-hangzhou", staging, file=FILE).storage.versioning is False


def test_bring_your_own_network() -> None:
    data = platform(network={"vpc_id": "vpc-1", "vswitch_ids": ["vsw-1", "vsw-2"], "security_group_id": "sg-1"})
    s = parse_settings("cn-hangzhou", data, file=FILE)
    assert s.network.bring_your_own and s.network.vswitch_ids == ("vsw-1", "vsw-2")


def test_settings_are_frozen() -> None:
    s = parse_settings("cn-hangzhou", BASE, file=FILE)
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="frozen"):
        s.name = "other"  # type: ignore[misc]

