"""The bootstrap project plans offline, and what it creates is private, protected and least-privilege."""

from __future__ import annotations

import json
import re
import shutil
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jsonschema
import pytest

from askflow import yamlio
from askflow.bootstrap import SETTINGS_KEY
from askflow.bootstrap.policy import MAX_POLICY_LENGTH, READ_VERBS
from askflow.bootstrap.service_roles import SERVICE_ROLES
from askflow.errors import AskflowError
from askflow.plan import Plan, plan_stack
from askflow.plan.mocks import MOCK_ACCOUNT_ID, CloudMocks
from askflow.stacks import load_project, load_settings, read_stack
from tests.conftest import PROJECT_SCHEMAS, ROOT, shared_path

BOOTSTRAP = ROOT / "bootstrap"
STACK = "platform"
BUCKET = "alicloud:oss/bucket:Bucket"
ROLE = "alicloud:ram/role:Role"
POLICY = "alicloud:ram/policy:Policy"
ATTACH = "alicloud:ram/rolePolicyAttachment:RolePolicyAttachment"
SLR = "alicloud:resourcemanager/serviceLinkedRole:ServiceLinkedRole"
OIDC = "alicloud:ims/oidcProvider:OidcProvider"
REPO = "example-org/askflow"


@cache
def _plan() -> Plan:
    return plan_stack(STACK, project_root=BOOTSTRAP)


def _one(plan: Plan, typ: str, name: str | None = None) -> Any:
    found = [r for r in plan.of_type(typ) if name is None or r.name == name]
    assert len(found) == 1, [r.name for r in plan.of_type(typ)]
    return found[0]


def _documents(plan: Plan, prefix: str) -> dict[str, dict[str, Any]]:
    return {r.name: json.loads(r.inputs["policyDocument"]) for r in plan.of_type(POLICY) if r.name.startswith(prefix)}


def _statements(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in doc["Statement"]]


def _as_list(v: Any) -> list[str]:
    return [v] if isinstance(v, str) else list(v)


# ------------------------------------------------------------------------------------------ project
@pytest.mark.parametrize("schema_path", PROJECT_SCHEMAS, ids="/".join)
def test_pulumi_yaml_validates_against_the_pulumi_project_schema(schema_path: tuple[str, ...]) -> None:
    schema = json.loads(shared_path(*schema_path).read_text())
    project = yamlio.load_file(BOOTSTRAP / "Pulumi.yaml")
    jsonschema.validate(project, schema)
    assert project["main"] == "program/" and project["stackConfigDir"] == "environments"
    assert (BOOTSTRAP / project["main"] / "__main__.py").is_file()


def test_plans_offline_deterministically() -> None:
    first = plan_stack(STACK, project_root=BOOTSTRAP).to_json()
    assert first == plan_stack(STACK, project_root=BOOTSTRAP).to_json()
    plan = _plan()
    assert plan.project == "askflow-bootstrap"
    assert set(plan.outputs) >= {"loginUrl", "ciDeployRoleArnDev", "ciDeployRoleArnProd", "ciPreviewRoleArnDev",
                                 "ciPreviewRoleArnStaging", "ciPreviewRoleArnProd", "nextSteps"}


def test_every_bootstrap_stack_file_plans() -> None:
    project = load_project(BOOTSTRAP)
    assert project.stacks() == [STACK]
    for stack in project.stacks():
        assert plan_stack(stack, project_root=BOOTSTRAP).resources


# ------------------------------------------------------------------------------------------ state
def test_state_bucket_is_private_versioned_encrypted_and_protected() -> None:
    plan = _plan()
    bucket = _one(plan, BUCKET)
    name = bucket.inputs["bucket"]
    assert name == "platform-cn-hangzhou-pulumi-state"
    assert bucket.protect is True
    assert bucket.inputs["forceDestroy"] is False
    assert bucket.inputs["versioning"] == {"status": "Enabled"}
    assert bucket.inputs["serverSideEncryptionRule"]["sseAlgorithm"] in ("AES256", "KMS")
    assert "acl" not in bucket.inputs  # the deprecated argument: the ACL is its own resource
    acl = _one(plan, "alicloud:oss/bucketAcl:BucketAcl")
    assert acl.inputs == {"acl": "private", "bucket": name}
    block = _one(plan, "alicloud:oss/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert block.inputs == {"blockPublicAccess": True, "bucket": name}
    # `pulumi destroy --exclude-protected` keeps the bucket and deletes whatever is unprotected: the
    # guards must outlive it like the bucket does.
    https_only = _one(plan, "alicloud:oss/bucketPolicy:BucketPolicy")
    assert [r.protect for r in (acl, block, https_only)] == [True, True, True]
    # The bucket reads the live policy back and an update with none deletes it (oss.Bucket's own
    # `policy`): the companions own the ACL and the policy.
    assert bucket.ignore_changes == ["acl", "policy"]


def test_state_files_never_expire_only_history_backups_and_old_versions() -> None:
    rules = _one(_plan(), BUCKET).inputs["lifecycleRules"]
    expiring = {r["prefix"] for r in rules if r.get("expirations")}
    assert expiring == {".pulumi/history/", ".pulumi/backups/"}  # never "" or .pulumi/stacks/
    assert any(r.get("noncurrentVersionExpirations") for r in rules)
    assert any(r.get("abortMultipartUploads") for r in rules)


def test_login_url_addresses_the_bucket_through_oss_s3_api_virtual_hosted() -> None:
    plan = _plan()
    url = urlsplit(plan.outputs["loginUrl"])
    assert url.scheme == "s3"
    assert url.netloc == _one(plan, BUCKET).inputs["bucket"]
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    # https://www.alibabacloud.com/help/en/oss/developer-reference/use-amazon-s3-sdks-to-access-oss
    assert query == {
        "endpoint": "https://s3.oss-cn-hangzhou.aliyuncs.com",
        "region": "cn-hangzhou",
        "s3ForcePathStyle": "false",  # OSS serves virtual-hosted style only
    }
    steps = "\n".join(plan.outputs["nextSteps"])
    assert f"pulumi login '{plan.outputs['loginUrl']}'" in steps
    assert "AWS_REQUEST_CHECKSUM_CALCULATION=when_required" in steps


def test_login_url_through_the_internal_endpoint(tmp_path: Path) -> None:
    state = dict(yamlio.load_file(BOOTSTRAP / "environments" / f"Pulumi.{STACK}.yaml")["config"][SETTINGS_KEY]["state"])
    plan = plan_stack(STACK, project_root=_project_copy(tmp_path, {"state": {**state, "endpoint": "internal"}}))
    query = {k: v[0] for k, v in parse_qs(urlsplit(plan.outputs["loginUrl"]).query).items()}
    assert query["endpoint"] == "https://s3.oss-cn-hangzhou-internal.aliyuncs.com"
    assert f"gh variable set PULUMI_BACKEND_URL --repo {REPO} --body '{plan.outputs['loginUrl']}'" in plan.outputs["nextSteps"]


# ------------------------------------------------------------------------------------------ CI identity
def test_github_oidc_provider() -> None:
    provider = _one(_plan(), OIDC)
    assert provider.inputs["issuerUrl"] == "https://token.actions.githubusercontent.com"
    assert provider.inputs["clientIds"] == ["sts.aliyuncs.com"]
    assert provider.inputs["fingerprints"] and all(re.fullmatch(r"[0-9a-f]{40}", f) for f in provider.inputs["fingerprints"])
    assert provider.protect is True


@pytest.mark.parametrize(
    ("role", "subjects"),
    [
        # Each deploy role: jobs in its GitHub environment only (dev: its branch policy; prod: reviewers).
        # `ref:refs/heads/main` would admit any job of any workflow on main, outside every environment rule.
        ("platform-ci-deploy-dev", [f"repo:{REPO}:environment:dev"]),
        ("platform-ci-deploy-prod", [f"repo:{REPO}:environment:prod"]),
        # Preview roles: one per stack; pull requests only through `preview-<stack>` (never prod), and
        # the deploy environment of the same name.
        ("platform-ci-preview-dev", [f"repo:{REPO}:environment:dev", f"repo:{REPO}:environment:preview-dev"]),
        ("platform-ci-preview-staging", [f"repo:{REPO}:environment:preview-staging"]),
        ("platform-ci-preview-prod", [f"repo:{REPO}:environment:prod"]),
    ],
)
def test_ci_roles_trust_exactly_the_repository_branches_and_environments(role: str, subjects: list[str]) -> None:
    plan = _plan()
    trust = json.loads(_one(plan, ROLE, role).inputs["assumeRolePolicyDocument"])
    (statement,) = trust["Statement"]
    assert statement["Action"] == "sts:AssumeRole" and statement["Effect"] == "Allow"
    assert statement["Principal"] == {"Federated": [plan.outputs["oidcProviderArn"]]}
    assert plan.outputs["oidcProviderArn"] == f"acs:ram::{MOCK_ACCOUNT_ID}:oidc-provider/github-actions"
    # Exact matches only: no StringLike, no pattern that a later branch could satisfy.
    assert set(statement["Condition"]) == {"StringEquals"}
    assert statement["Condition"]["StringEquals"] == {"oidc:aud": ["sts.aliyuncs.com"], "oidc:sub": subjects}
    assert not any("*" in s for s in subjects)


def test_branch_environment_opts_a_deploy_role_into_push_jobs(tmp_path: Path) -> None:
    github = dict(yamlio.load_file(BOOTSTRAP / "environments" / f"Pulumi.{STACK}.yaml")["config"][SETTINGS_KEY]["github"])
    plan = plan_stack(STACK, project_root=_project_copy(tmp_path, {"github": {**github, "branch_environment": "dev"}}))
    trust = json.loads(_one(plan, ROLE, "platform-ci-deploy-dev").inputs["assumeRolePolicyDocument"])
    assert trust["Statement"][0]["Condition"]["StringEquals"]["oidc:sub"] == [
        f"repo:{REPO}:environment:dev", f"repo:{REPO}:ref:refs/heads/main"]


def test_pull_requests_never_get_a_deploy_role() -> None:
    for env in ("dev", "prod"):
        trust = _one(_plan(), ROLE, f"platform-ci-deploy-{env}").inputs["assumeRolePolicyDocument"]
        assert "pull_request" not in trust


def _is_read_pattern(action: str) -> bool:
    service, _, name = action.partition(":")
    return name.endswith("*") and "*" not in name[:-1] and name.startswith(READ_VERBS)


def test_ci_policies_name_services_and_actions_never_wildcards() -> None:
    docs = _documents(_plan(), "platform-ci-")
    assert set(docs) == {f"platform-ci-deploy-{env}-{group}" for env in ("dev", "prod")
                         for group in ("cluster", "data", "identity", "network")} | {
                             f"platform-ci-preview-{s}" for s in ("dev", "staging", "prod")}
    for name, doc in docs.items():
        for stmt in _statements(doc):
            for action in _as_list(stmt["Action"]):
                service, sep, op = action.partition(":")
                assert sep and re.fullmatch(r"[a-z]+", service), f"{name}: {action!r} names no service"
                assert op != "*" and "*" not in service, f"{name}: {action!r} is a service wildcard"
                assert "*" not in op or _is_read_pattern(action), f"{name}: {action!r} is a write wildcard"
            for resource in _as_list(stmt["Resource"]):
                assert resource != "*", f"{name}: Resource '*'"
                # OSS bucket names are global: the state bucket's statements (askflow.policies.documents
                # builds them) name the bucket, not the account.
                state = resource.startswith("acs:oss:*:*:platform-cn-hangzhou-pulumi-state")
                # RAM's system policies live in account `system`: only ever denied.
                system = stmt["Effect"] == "Deny" and resource == "acs:ram:*:system:policy/*"
                assert f":{MOCK_ACCOUNT_ID}:" in resource or state or system, \
                    f"{name}: {resource!r} is not scoped to the account"


def test_ci_policies_fit_rams_length_limit() -> None:
    for r in _plan().of_type(POLICY):
        assert len(r.inputs["policyDocument"]) <= MAX_POLICY_LENGTH, r.name


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_names_the_services_pulumi_up_needs(env: str) -> None:
    docs = _documents(_plan(), f"platform-ci-deploy-{env}-")
    services = {a.split(":")[0] for d in docs.values() for s in _statements(d) for a in _as_list(s["Action"])}
    assert services >= {"vpc", "ecs", "cs", "oss", "ram", "kms", "log", "eci", "rds"}


# The RAM service whose API manages each provider module (EIPs are VPC API operations).
_SERVICE_OF = {"vpc": "vpc", "ecs/eipAddress": "vpc", "ecs/eipAssociation": "vpc", "ecs": "ecs", "cs": "cs",
               "kms": "kms", "log": "log", "oss": "oss", "ram": "ram", "rds": "rds", "eci": "eci", "arms": "arms"}


# CI deploys the stacks that have a GitHub environment (and a deploy role) of the same name.
DEPLOYED = ["dev", "prod"]


@pytest.mark.parametrize("stack", DEPLOYED)
def test_deploy_role_may_write_every_service_the_main_stacks_use(stack: str) -> None:
    """External truth: the resource types the main program actually plans."""
    docs = _documents(_plan(), f"platform-ci-deploy-{stack}-")
    writes = {
        a.split(":")[0]
        for d in docs.values() for s in _statements(d) if s["Effect"] == "Allow"
        for a in _as_list(s["Action"]) if "*" not in a
    }
    main = plan_stack(stack, project_root=ROOT)
    for typ in sorted({r.type for r in main.resources if r.type.startswith("alicloud:")}):
        module = typ.split(":")[1]
        service = _SERVICE_OF.get(module) or _SERVICE_OF.get(module.split("/")[0])
        assert service is not None, f"{typ}: which RAM service manages it? add it to the CI policy and this table"
        assert service in writes, f"{typ}: the deploy role has no {service}: write action"


# The API actions `pulumi up` calls to create and then change each input of the main project's
# resources (many inputs are applied by their own API after the create call). An input the main
# program sets that is missing here fails the test below: look up the provider's update call for it
# (terraform-provider-alicloud, resource_alicloud_<type>.go) and grant the action.
_CREATE = {"oss": "oss:PutBucket", "rds": "rds:CreateDBInstance", "kms": "kms:CreateKey", "cs": "cs:CreateCluster"}
_ACTIONS_OF_INPUT: dict[str, dict[str, tuple[str, ...]]] = {
    "alicloud:oss/bucket:Bucket": {
        "bucket": (), "storageClass": (), "redundancyType": (),
        "logging": ("oss:PutBucketLogging", "oss:DeleteBucketLogging", "oss:GetBucketLogging"),
        "lifecycleRules": ("oss:PutBucketLifecycle", "oss:DeleteBucketLifecycle", "oss:GetBucketLifecycle"),
        # A header of PutBucketLifecycle (x-oss-allow-same-action-overlap).
        "lifecycleRuleAllowSameActionOverlap": ("oss:PutBucketLifecycle",),
        "versioning": ("oss:PutBucketVersioning", "oss:GetBucketVersioning"),
        "serverSideEncryptionRule": ("oss:PutBucketEncryption", "oss:DeleteBucketEncryption",
                                     "oss:GetBucketEncryption"),
        "tags": ("oss:PutBucketTagging", "oss:DeleteBucketTagging", "oss:GetBucketTagging"),
        "forceDestroy": ("oss:ListObjects", "oss:ListObjectVersions", "oss:DeleteObject", "oss:DeleteObjectVersion"),
    },
    "alicloud:oss/bucketAcl:BucketAcl": {"bucket": (), "acl": ("oss:PutBucketAcl", "oss:GetBucketAcl")},
    "alicloud:oss/bucketPublicAccessBlock:BucketPublicAccessBlock": {
        "bucket": (), "blockPublicAccess": ("oss:PutBucketPublicAccessBlock", "oss:DeleteBucketPublicAccessBlock"),
    },
    "alicloud:oss/bucketPolicy:BucketPolicy": {
        "bucket": (), "policy": ("oss:PutBucketPolicy", "oss:DeleteBucketPolicy", "oss:GetBucketPolicy"),
    },
    "alicloud:rds/instance:Instance": {
        "engine": (), "engineVersion": (), "instanceChargeType": (), "dbInstanceStorageType": (), "vswitchId": (),
        "instanceType": ("rds:ModifyDBInstanceSpec",), "instanceStorage": ("rds:ModifyDBInstanceSpec",),
        "category": ("rds:ModifyDBInstanceSpec",),
        "instanceName": ("rds:ModifyDBInstanceDescription",),
        "parameters": ("rds:ModifyParameter", "rds:DescribeParameters"),
        "sqlCollectorStatus": ("rds:ModifySQLCollectorPolicy", "rds:DescribeSQLCollectorPolicy"),
        "sqlCollectorConfigValue": ("rds:ModifySQLCollectorRetention", "rds:DescribeSQLCollectorRetention"),
        "autoUpgradeMinorVersion": ("rds:ModifyDBInstanceAutoUpgradeMinorVersion",),
        "securityIps": ("rds:ModifySecurityIps",), "sslAction": ("rds:ModifyDBInstanceSSL",),
        "deletionProtection": ("rds:ModifyDBInstanceDeletionProtection",),
        "tags": ("rds:TagResources", "rds:UntagResources"),
    },
    "alicloud:kms/key:Key": {
        "keySpec": (), "keyUsage": (), "description": ("kms:UpdateKeyDescription",),
        "automaticRotation": ("kms:UpdateRotationPolicy",), "rotationInterval": ("kms:UpdateRotationPolicy",),
        "deletionProtection": ("kms:SetDeletionProtection",), "pendingWindowInDays": ("kms:ScheduleKeyDeletion",),
        "tags": ("kms:TagResource", "kms:UntagResource"),
    },
    "alicloud:cs/managedKubernetes:ManagedKubernetes": {
        "name": ("cs:ModifyCluster",), "profile": (), "clusterSpec": ("cs:MigrateCluster",), "vswitchIds": ("cs:ModifyCluster",),
        "podVswitchIds": (), "addons": ("cs:InstallClusterAddons",), "securityGroupId": ("cs:ModifyCluster",),
        "serviceCidr": (), "newNatGateway": (), "slbInternetEnabled": (),
        "encryptionProviderKey": ("kms:DescribeKey", "cs:ModifyCluster"), "deleteOptions": ("cs:DeleteCluster",),
        "deletionProtection": ("cs:ModifyCluster", "cs:UpdateResourcesDeleteProtection"),
        "enableRrsa": ("cs:ModifyCluster",),
        "maintenanceWindow": ("cs:ModifyCluster",), "operationPolicy": ("cs:ModifyCluster",),
        "version": ("cs:UpgradeCluster",), "tags": ("cs:ModifyClusterTags",),
    },
    "alicloud:cs/nodePool:NodePool": {
        "clusterId": ("cs:CreateClusterNodePool",), "nodePoolName": ("cs:ModifyClusterNodePool",),
        "vswitchIds": ("cs:ModifyClusterNodePool",), "instanceTypes": ("cs:ModifyClusterNodePool",),
        "desiredSize": ("cs:ScaleClusterNodePool", "cs:ModifyClusterNodePool"),
        "multiAzPolicy": ("cs:ModifyClusterNodePool",), "instanceChargeType": ("cs:ModifyClusterNodePool",),
        "imageType": ("cs:ModifyClusterNodePool",), "systemDiskCategory": ("cs:ModifyClusterNodePool",),
        "systemDiskSize": ("cs:ModifyClusterNodePool",), "systemDiskEncrypted": ("cs:ModifyClusterNodePool",),
        "securityGroupIds": ("cs:ModifyClusterNodePool",), "labels": ("cs:ModifyClusterNodePool",),
        "management": ("cs:ModifyClusterNodePool",), "tags": ("cs:ModifyClusterNodePool",),
    },
    "alicloud:cs/serverlessKubernetes:ServerlessKubernetes": {
        "name": ("cs:ModifyCluster",), "clusterSpec": ("cs:MigrateCluster",), "vpcId": (), "vswitchIds": (),
        "securityGroupId": (), "serviceCidr": (), "serviceDiscoveryTypes": (), "newNatGateway": (),
        "encryptionProviderKey": ("kms:DescribeKey",), "deleteOptions": ("cs:DeleteCluster",),
        "deletionProtection": ("cs:ModifyCluster", "cs:UpdateResourcesDeleteProtection"),
        "enableRrsa": ("cs:ModifyCluster",), "endpointPublicAccessEnabled": ("cs:ModifyCluster",),
        "maintenanceWindow": ("cs:ModifyCluster",), "operationPolicy": ("cs:ModifyCluster",),
        "version": ("cs:UpgradeCluster",), "tags": ("cs:ModifyClusterTags",),
    },
}


def _grants(allowed: set[str], action: str) -> bool:
    """``action`` is allowed by name or by one of the read patterns (``oss:GetBucket*``)."""
    return action in allowed or any(a.endswith("*") and action.startswith(a[:-1]) for a in allowed)


def _deploy_allows(env: str) -> set[str]:
    docs = _documents(_plan(), f"platform-ci-deploy-{env}-")
    return {a for d in docs.values() for s in _statements(d) if s["Effect"] == "Allow" for a in _as_list(s["Action"])}


@pytest.mark.parametrize("stack", DEPLOYED)
def test_deploy_role_may_call_the_api_of_every_input_the_main_stacks_set(stack: str) -> None:
    """External truth: the inputs the main program's plan sets, each mapped to the API that applies it."""
    allowed = _deploy_allows(stack)
    checked = 0
    for r in plan_stack(stack, project_root=ROOT).resources:
        table = _ACTIONS_OF_INPUT.get(r.type)
        if table is None:
            continue
        service = r.type.split(":")[1].split("/")[0]
        if service in _CREATE:
            assert _grants(allowed, _CREATE[service]), f"{r.type}: {_CREATE[service]}"
        for key, value in sorted(r.inputs.items()):
            if value in (None, [], {}):
                continue
            assert key in table, f"{r.name}: input {key!r} is not mapped to the API action that applies it"
            for action in table[key]:
                assert _grants(allowed, action), f"{r.name}.{key}: the deploy role lacks {action}"
                checked += 1
    assert checked


def test_the_input_check_notices_a_missing_action() -> None:
    allowed = _deploy_allows("prod") - {"rds:ModifyParameter"}
    assert not _grants(allowed, "rds:ModifyParameter")
    assert _grants(allowed, "oss:GetBucketLogging")  # through oss:GetBucket*


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_main_stacks_names_fall_under_the_ci_managed_prefix(stack: str) -> None:
    """CI may manage only `<managed_prefix>-*` buckets, SLS projects and RAM roles: the stacks must use it."""
    settings = load_settings(read_stack(load_project(ROOT), stack))
    prefix = yamlio.load_file(BOOTSTRAP / "environments" / f"Pulumi.{STACK}.yaml")["config"][SETTINGS_KEY]["managed_prefix"]
    assert settings.name.startswith(f"{prefix}-")
    named = _scoped_names(stack)
    assert named and all(n.startswith(f"{prefix}-") for n in named)
    if stack in DEPLOYED:
        # The deploy role of environment <stack> is scoped to `<prefix>-<stack>-*`.
        assert settings.name == f"{prefix}-{stack}"
        assert all(n.startswith(f"{prefix}-{stack}-") for n in named)


def _scoped_names(stack: str) -> list[str]:
    """The physical names of a main stack that RAM policies can scope by prefix."""
    main = plan_stack(stack, project_root=ROOT)
    named = [r.inputs["roleName"] for r in main.of_type(ROLE)] + [r.inputs["policyName"] for r in main.of_type(POLICY)]
    named += [r.inputs["bucket"] for r in main.of_type(BUCKET)]
    named += [r.inputs["projectName"] for r in main.of_type("alicloud:log/project:Project")]
    return named


def _named_resources(doc: dict[str, Any]) -> list[str]:
    """Allowed OSS/SLS/RAM resources of a document, as `<service>:<name pattern>`."""
    found = []
    for stmt in _statements(doc):
        if stmt["Effect"] != "Allow":
            continue
        for resource in _as_list(stmt["Resource"]):
            _, service, _, _, rest = resource.split(":", 4)
            if service == "oss":
                found.append(f"oss:{rest}")
            elif service == "log":
                found.append(f"log:{rest.removeprefix('project/')}")
            elif service == "ram" and rest != "*":
                found.append(f"ram:{rest.split('/', 1)[1]}")
    return found


@pytest.mark.parametrize(("env", "other"), [("dev", "prod"), ("prod", "dev")])
def test_one_environments_deploy_role_cannot_touch_the_others_named_resources(env: str, other: str) -> None:
    """External truth: the names the other stack's plan creates match none of this role's name patterns."""
    from fnmatch import fnmatchcase

    docs = _documents(_plan(), f"platform-ci-deploy-{env}-")
    patterns = [p for d in docs.values() for p in _named_resources(d)
                if "pulumi-state" not in p]  # the shared state bucket: deploys of both write state
    assert patterns
    mine, theirs = _scoped_names(env), _scoped_names(other)
    assert all(any(fnmatchcase(n, p.split(":", 1)[1]) for p in patterns) for n in mine)
    for name in theirs:
        assert not any(fnmatchcase(name, p.split(":", 1)[1]) for p in patterns), (name, env)


def test_ci_cannot_touch_its_own_identity_or_the_state_bucket() -> None:
    docs = _documents(_plan(), "platform-ci-deploy-")
    assert len(docs) == 8
    allows = [r for d in docs.values() for s in _statements(d) if s["Effect"] == "Allow" for r in _as_list(s["Resource"])]
    for resource in allows:
        assert "role/platform-" not in resource and "policy/platform-" not in resource
    bucket_writes = [
        r for d in docs.values() for s in _statements(d)
        if any(a in ("oss:DeleteBucket", "oss:PutBucketAcl") for a in _as_list(s["Action"]))
        for r in _as_list(s["Resource"])
    ]
    assert bucket_writes and not any("pulumi-state" in r for r in bucket_writes)
    deny = [s for d in docs.values() for s in _statements(d) if s["Effect"] == "Deny"
            and f"acs:ram:*:{MOCK_ACCOUNT_ID}:role/platform-ci-*" in s["Resource"]]
    assert len(deny) == 2 and all("ram:UpdateRole" in d["Action"] and "ram:AttachPolicyToRole" in d["Action"]
                                  for d in deny)


STATE = "platform-cn-hangzhou-pulumi-state"


def _state_grants(doc: dict[str, Any], action: str, key: str) -> bool:
    """Whether ``doc`` allows ``action`` on object ``key`` of the state bucket (OSS `*` spans `/`)."""
    from fnmatch import fnmatchcase

    arn = f"acs:oss:*:{MOCK_ACCOUNT_ID}:{STATE}/{key}"
    allowed = denied = False
    for stmt in _statements(doc):
        if action in _as_list(stmt["Action"]) and any(fnmatchcase(arn, r) for r in _as_list(stmt["Resource"])):
            allowed |= stmt["Effect"] == "Allow"
            denied |= stmt["Effect"] == "Deny"
    return allowed and not denied


# Keys the DIY backend writes, pulumi/pulumi pkg/backend/diy/{store,lock,stack_tags}.go: project
# `askflow`, stack `<env>`; the bootstrap's own stack is askflow-bootstrap/platform.
def _keys(project: str, stack: str) -> list[str]:
    return [
        f".pulumi/stacks/{project}/{stack}.json", f".pulumi/stacks/{project}/{stack}.json.bak",
        f".pulumi/stacks/{project}/{stack}.json.gz", f".pulumi/stacks/{project}/{stack}.pulumi-tags",
        f".pulumi/history/{project}/{stack}/{stack}-1700000000.history.json",
        f".pulumi/history/{project}/{stack}/{stack}-1700000000.checkpoint.json",
        f".pulumi/backups/{project}/{stack}/{stack}.1700000000.json",
        f".pulumi/journal/{project}/{stack}/0001.json",
        f".pulumi/locks/organization/{project}/{stack}/9f1c.json",
    ]


@pytest.mark.parametrize(("env", "other"), [("dev", "prod"), ("prod", "dev")])
def test_a_deploy_role_writes_only_its_own_stacks_state(env: str, other: str) -> None:
    """A dev deploy must not rewrite prod's state (which the prod role would then act on) or the bootstrap's."""
    docs = _documents(_plan(), f"platform-ci-deploy-{env}-")
    doc = {"Statement": [s for d in docs.values() for s in _statements(d)]}
    for key in _keys("askflow", env):
        for action in ("oss:GetObject", "oss:PutObject", "oss:DeleteObject"):
            assert _state_grants(doc, action, key), (action, key)
    assert _state_grants(doc, "oss:GetObject", ".pulumi/meta.yaml")
    for key in [*_keys("askflow", other), *_keys("askflow", "staging"), *_keys("askflow-bootstrap", "platform"),
                ".pulumi/meta.yaml"]:
        for action in ("oss:PutObject", "oss:DeleteObject"):
            assert not _state_grants(doc, action, key), (action, key)
    for key in [*_keys("askflow", other), *_keys("askflow-bootstrap", "platform")]:
        assert not _state_grants(doc, "oss:GetObject", key), key


@pytest.mark.parametrize(("env", "other"), [("dev", "prod"), ("prod", "dev")])
def test_a_deploy_role_writes_its_e2e_copies_state_only(env: str, other: str) -> None:
    """`askflow e2e --stack <env>` runs on `<env>-e2e`: the role of <env> writes that state (and reads
    the smoke artifact in its own buckets), never another environment's copy."""
    docs = _documents(_plan(), f"platform-ci-deploy-{env}-")
    doc = {"Statement": [s for d in docs.values() for s in _statements(d)]}
    for key in _keys("askflow", f"{env}-e2e"):
        for action in ("oss:GetObject", "oss:PutObject", "oss:DeleteObject"):
            assert _state_grants(doc, action, key), (action, key)
    for key in [*_keys("askflow", f"{other}-e2e"), *_keys("askflow", f"{env}-e2e-x")]:
        assert not _state_grants(doc, "oss:PutObject", key), key
    reads = [s for s in _statements(doc) if s["Effect"] == "Allow" and "oss:GetObject" in _as_list(s["Action"])
             and f"acs:oss:*:{MOCK_ACCOUNT_ID}:askflow-{env}-*/*" in _as_list(s["Resource"])]
    assert reads, "the smoke artifact cannot be read back"


def test_the_dev_e2e_copy_gets_its_rrsa_policies_and_dev_may_attach_them() -> None:
    """Stacks only attach their RRSA policies; the bootstrap creates those of dev's e2e copy (dev is a
    deploy environment) from the copy `askflow e2e` writes, and only dev's role may attach them. Prod
    gets no copy (e2e refuses prod)."""
    from askflow.e2e.plan import e2e_copy
    from askflow.rrsa import stack_policies
    from askflow.stacks import load_project

    plan = _plan()
    created = {r.inputs["policyName"] for r in plan.of_type("alicloud:ram/policy:Policy")}
    expected = set(stack_policies(e2e_copy(load_project(ROOT), "dev").settings))
    assert expected and expected <= created
    assert all(name.startswith("askflow-dev-e2e-") for name in expected)
    assert not any(name.startswith("askflow-prod-e2e") for name in created)
    dev = [r for d in _documents(plan, "platform-ci-deploy-dev-").values() for s in _statements(d)
           if s["Effect"] == "Allow" and "ram:AttachPolicyToRole" in _as_list(s["Action"]) for r in _as_list(s["Resource"])]
    assert all(f"acs:ram:*:{MOCK_ACCOUNT_ID}:policy/{name}" in dev for name in expected)
    prod = [r for d in _documents(plan, "platform-ci-deploy-prod-").values() for s in _statements(d)
            for r in _as_list(s["Resource"])]
    assert not any("e2e" in r and ":policy/" in r for r in prod)


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_preview_roles_read_their_own_stacks_state_and_write_nothing(stack: str) -> None:
    """`pulumi preview` takes no lock on a DIY backend (diyBackend.Preview never calls Lock): a pull
    request must not be able to forge, or delete, the lock of a running `pulumi up`. And a preview
    reads one stack's state: a pull request's dev preview never reads prod's secrets (issue #20)."""
    (doc,) = _documents(_plan(), f"platform-ci-preview-{stack}").values()
    for stmt in _statements(doc):
        if stmt["Effect"] == "Deny":
            continue  # what it is denied (ACK's RBAC grants) is no write it can make
        writes = [a for a in _as_list(stmt["Action"])
                  if not a.split(":")[1].startswith(READ_VERBS) and a != "oss:ListObjects"]
        assert not writes, stmt
    # Checkpoints, tags, history and journal; backups and locks are none of a preview's business.
    read = [k for k in _keys("askflow", stack) if "/backups/" not in k and "/locks/" not in k]
    assert read and all(_state_grants(doc, "oss:GetObject", k) for k in read)
    assert _state_grants(doc, "oss:GetObject", ".pulumi/meta.yaml")
    for other in {"dev", "staging", "prod"} - {stack}:
        assert not any(_state_grants(doc, "oss:GetObject", k) for k in _keys("askflow", other)), other
    assert not any(_state_grants(doc, "oss:GetObject", k) for k in _keys("askflow-bootstrap", "platform"))


def test_pull_requests_reach_no_prod_state() -> None:
    """Every role a pull-request job can assume (`preview-<stack>` environments) reads only non-prod
    state; the prod role is reachable only from the `prod` environment."""
    plan = _plan()
    for role in plan.of_type(ROLE):
        trust = role.inputs["assumeRolePolicyDocument"]
        if ":environment:preview-" not in trust:
            continue
        docs = _documents(plan, role.inputs["roleName"])
        assert docs
        for doc in docs.values():
            assert not any(_state_grants(doc, "oss:GetObject", k) for k in _keys("askflow", "prod")), role.name
    prod = json.loads(_one(plan, ROLE, "platform-ci-preview-prod").inputs["assumeRolePolicyDocument"])
    assert prod["Statement"][0]["Condition"]["StringEquals"]["oidc:sub"] == [f"repo:{REPO}:environment:prod"]


def test_a_prod_stack_is_never_previewed_by_pull_requests(tmp_path: Path) -> None:
    github = dict(yamlio.load_file(BOOTSTRAP / "environments" / f"Pulumi.{STACK}.yaml")["config"][SETTINGS_KEY]["github"])
    root = _project_copy(tmp_path, {"github": {**github, "preview_stacks": ["dev", "prod"]}})
    with pytest.raises(AskflowError) as err:
        plan_stack(STACK, project_root=root)
    assert err.value.line() == (
        "bootstrap/environments/Pulumi.platform.yaml: askflow-bootstrap:settings.github.preview_stacks[1]: 'prod' is "
        "a prod stack: pull requests never preview prod (its previews run in the deploy environment); remove it")
    root = _project_copy(tmp_path / "b", {"github": {**github, "preview_stacks": ["qa"]}})
    with pytest.raises(AskflowError, match=r"preview_stacks\[0\]: 'qa' has no stack file environments/Pulumi.qa.yaml"):
        plan_stack(STACK, project_root=root)


def test_each_environment_holds_its_own_passphrase() -> None:
    """The passphrase is an environment secret of each stack's environments, never a repository secret
    (which every pull-request job would read)."""
    steps = _plan().outputs["nextSteps"]
    sets = [s for s in steps if s.startswith("gh secret set")]
    assert sorted(s.split("--env ")[1].split()[0] for s in sets) == ["dev", "preview-dev", "preview-staging", "prod"]
    assert f"gh secret delete PULUMI_CONFIG_PASSPHRASE --repo {REPO} || true" in steps
    assert not [s for s in sets if "--env" not in s]


def test_state_project_is_the_main_projects_name() -> None:
    """External truth: the project whose state the roles are scoped to is ../Pulumi.yaml's `name`."""
    from askflow.bootstrap.policy import stack_state_keys

    main = yamlio.load_file(ROOT / "Pulumi.yaml")["name"]
    docs = _documents(_plan(), "platform-ci-deploy-dev-")
    resources = [r for d in docs.values() for s in _statements(d) for r in _as_list(s["Resource"])]
    for key in stack_state_keys(main, "dev"):
        assert f"acs:oss:*:{MOCK_ACCOUNT_ID}:{STATE}/{key}" in resources


def test_deploy_roles_cannot_disable_or_delete_the_state_key(tmp_path: Path) -> None:
    """With SSE-KMS, the key is the state: the deploy roles' KMS writes cover every key of the region."""
    state = dict(yamlio.load_file(BOOTSTRAP / "environments" / f"Pulumi.{STACK}.yaml")["config"][SETTINGS_KEY]["state"])
    plan = plan_stack(STACK, project_root=_project_copy(tmp_path, {"state": {**state, "kms_key_id": "key-state"}}))
    key = f"acs:kms:cn-hangzhou:{MOCK_ACCOUNT_ID}:key/key-state"
    for env in ("dev", "prod"):
        docs = _documents(plan, f"platform-ci-deploy-{env}-")
        statements = [s for d in docs.values() for s in _statements(d)]
        denied = {a for s in statements if s["Effect"] == "Deny" and key in _as_list(s["Resource"])
                  for a in _as_list(s["Action"])}
        assert {"kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:SetDeletionProtection"} <= denied
        assert any(s["Effect"] == "Allow" and "kms:GenerateDataKey" in _as_list(s["Action"])
                   and key in _as_list(s["Resource"]) for s in statements)
    for preview in _documents(plan, "platform-ci-preview-").values():
        kms = [a for s in _statements(preview) if key in _as_list(s["Resource"]) for a in _as_list(s["Action"])]
        assert kms == ["kms:Decrypt"]


def test_no_role_may_read_secret_values() -> None:
    """`kms:Get*` would grant kms:GetSecretValue: KMS reads are named."""
    for name, doc in _documents(_plan(), "platform-ci-").items():
        actions = [a for s in _statements(doc) if s["Effect"] == "Allow" for a in _as_list(s["Action"])]
        granted = [a for a in actions if a == "kms:GetSecretValue" or (a.endswith("*") and "kms:GetSecretValue".startswith(a[:-1]))]
        assert not granted, (name, granted)


def test_next_steps_restrict_the_deploy_environments_to_the_deploy_branches() -> None:
    steps = "\n".join(_plan().outputs["nextSteps"])
    for env in ("dev", "prod"):
        assert f"repos/{REPO}/environments/{env} -F 'deployment_branch_policy[protected_branches]=false' " \
               "-F 'deployment_branch_policy[custom_branch_policies]=true'" in steps
        assert f"repos/{REPO}/environments/{env}/deployment-branch-policies -f name=main -f type=branch" in steps
        assert f"ALICLOUD_CI_DEPLOY_ROLE_ARN_{env.upper()}" in steps


def test_github_audience_is_the_sts_audience_rrsa_uses() -> None:
    from askflow.bootstrap.settings import GITHUB_AUDIENCE
    from askflow.policies.documents import RRSA_AUDIENCE

    assert GITHUB_AUDIENCE is RRSA_AUDIENCE


def test_bootstrap_passes_the_policy_rules() -> None:
    from askflow.plan.output import violations

    assert violations(_plan()) == []


# ------------------------------------------------------------------------------------------ service roles
def test_creates_the_service_roles_ask_and_eci_need() -> None:
    plan = _plan()
    slrs = {r.inputs["serviceName"]: r for r in plan.of_type(SLR)}
    # ess: ack-pro-eci's system node pool is an Auto Scaling group.
    assert set(slrs) == {"eci.aliyuncs.com", "ess.aliyuncs.com", "nat.aliyuncs.com"}
    roles = {r.inputs["roleName"]: r for r in plan.of_type(ROLE)}
    attached = {(a.inputs["roleName"], a.inputs["policyName"], a.inputs["policyType"]) for a in plan.of_type(ATTACH)}
    for role in SERVICE_ROLES:
        if role.kind == "service-linked":
            assert slrs[role.service].protect is True
            continue
        created = roles[role.name]
        trust = json.loads(created.inputs["assumeRolePolicyDocument"])
        assert trust["Statement"][0]["Principal"] == {"Service": [role.service]}
        assert (role.name, role.policy, "System") in attached
        assert created.protect is True
    for needed in ("AliyunCSServerlessKubernetesRole", "AliyunECIContainerGroupRole", "AliyunCSManagedSecurityRole",
                   "AliyunCSManagedKubernetesRole", "AliyunCSManagedVKRole", "AliyunCSManagedNetworkRole"):
        assert needed in roles


def _project_copy(tmp_path: Path, settings_patch: dict[str, Any]) -> Path:
    """A copy of the bootstrap project whose stack file has ``settings_patch`` merged in."""
    root = tmp_path / "bootstrap"
    (root / "environments").mkdir(parents=True)
    project = yamlio.load_file(BOOTSTRAP / "Pulumi.yaml")
    project["main"] = str(BOOTSTRAP / "program")
    (root / "Pulumi.yaml").write_text(yamlio.dumps(project))
    data = yamlio.load_file(BOOTSTRAP / "environments" / f"Pulumi.{STACK}.yaml")
    data["config"][SETTINGS_KEY].update(settings_patch)
    (root / "environments" / f"Pulumi.{STACK}.yaml").write_text(yamlio.dumps(data))
    return root


@pytest.fixture
def roles_exist(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """Answer `ram.get_roles` as an account holding the roles in the returned set would."""
    existing: set[str] = set()
    original = CloudMocks.call

    def call(self: CloudMocks, args: Any) -> tuple[dict, list]:
        if args.token == "alicloud:ram/getRoles:getRoles":
            name = str(dict(args.args).get("nameRegex", "")).strip("^$")
            names = [name] if name in existing else []
            return {"id": name, "ids": names, "names": names, "roles": [{"id": n, "name": n} for n in names]}, []
        return original(self, args)

    monkeypatch.setattr(CloudMocks, "call", call)
    return existing


def test_existing_roles_are_checked_not_created(tmp_path: Path, roles_exist: set[str]) -> None:
    roles_exist.update({"AliyunServiceRoleForECI", "AliyunCSDefaultRole"})
    root = _project_copy(tmp_path, {"existing_roles": ["AliyunServiceRoleForECI", "AliyunCSDefaultRole"]})
    plan = plan_stack(STACK, project_root=root)
    assert {r.inputs["serviceName"] for r in plan.of_type(SLR)} == {"ess.aliyuncs.com", "nat.aliyuncs.com"}
    assert "AliyunCSDefaultRole" not in {r.inputs["roleName"] for r in plan.of_type(ROLE)}
    assert plan.outputs["serviceRoles"]["checked"] == ["AliyunServiceRoleForECI", "AliyunCSDefaultRole"]


def test_an_existing_role_that_is_missing_is_a_one_line_error(tmp_path: Path, roles_exist: set[str]) -> None:
    root = _project_copy(tmp_path, {"existing_roles": ["AliyunCSDefaultRole"]})
    with pytest.raises(AskflowError) as err:
        plan_stack(STACK, project_root=root)
    assert err.value.line() == (
        "bootstrap/environments/Pulumi.platform.yaml: askflow-bootstrap:settings.existing_roles[0]: role "
        "AliyunCSDefaultRole does not exist in this account: remove it from existing_roles so the bootstrap creates it"
    )


def test_bring_your_own_oidc_provider(tmp_path: Path) -> None:
    arn = f"acs:ram::{MOCK_ACCOUNT_ID}:oidc-provider/github"
    github = dict(yamlio.load_file(BOOTSTRAP / "environments" / f"Pulumi.{STACK}.yaml")["config"][SETTINGS_KEY]["github"])
    root = _project_copy(tmp_path, {"github": {**github, "oidc_provider_arn": arn}})
    plan = plan_stack(STACK, project_root=root)
    assert plan.of_type(OIDC) == []
    assert plan.outputs["oidcProviderArn"] == arn
    assert arn in _one(plan, ROLE, "platform-ci-deploy-prod").inputs["assumeRolePolicyDocument"]


# ------------------------------------------------------------------------------------------ bad settings
@pytest.mark.parametrize(
    ("patch", "line"),
    [
        ({"name": "askflow-platform"}, "askflow-bootstrap:settings.name: must not start with managed_prefix 'askflow': "
         "the CI role could then modify the bootstrap's own roles and state bucket (e.g. use `platform`)"),
        ({"github": {"repository": "example-org/askflow", "deploy_branches": ["release/*"]}},
         "askflow-bootstrap:settings.github.deploy_branches: 'release/*' is not an exact branch or environment name "
         "(no wildcards)"),
        ({"github": {"repository": "not a repo"}},
         "askflow-bootstrap:settings.github.repository: 'not a repo' is not `owner/repository`"),
        ({"github": {"repository": "example-org/askflow", "branch_environment": "staging"}},
         "askflow-bootstrap:settings.github.branch_environment: 'staging' is not one of deploy_environments (dev, prod)"),
        ({"existing_roles": ["AdministratorAccess"]},
         "askflow-bootstrap:settings.existing_roles: 'AdministratorAccess' is not a role the bootstrap manages"),
        ({"surprise": 1}, "askflow-bootstrap:settings.surprise: unknown key"),
        ({"github": {"repository": "example-org/askflow", "oidc_provider_arn": "arn:x"}},
         "askflow-bootstrap:settings.github.oidc_provider_arn: 'arn:x' is not a RAM OIDC provider ARN "
         "(acs:ram::<account>:oidc-provider/<name>)"),
        ({"github": {"repository": "example-org/askflow", "oidc_provider_name": "-x"}},
         "askflow-bootstrap:settings.github.oidc_provider_name: '-x' is not a valid RAM OIDC provider name"),
        ({"state": {"bucket_name": "B"}},
         "askflow-bootstrap:settings.state.bucket_name: 'B' is not a valid OSS bucket name (3-63 lowercase letters, "
         "digits, '-')"),
        ({"project": "a b"},
         "askflow-bootstrap:settings.project: 'a b' is not a Pulumi project name (letters, digits, '_', '.', '-')"),
        ({"state": {"endpoint": "vpc"}}, "askflow-bootstrap:settings.state.endpoint: 'vpc': input should be 'public' or 'internal'"),
        ({"github": {"repository": "example-org/askflow", "deploy_environments": ["dev", "dev-eu"]}},
         "askflow-bootstrap:settings.github.deploy_environments: 'dev-eu' starts with 'dev'-: the deploy role of "
         "'dev' (names dev-*) could manage 'dev-eu''s resources; rename one"),
        ({"project": "askflow-bootstrap"},
         "askflow-bootstrap:settings.project: 'askflow-bootstrap' is the bootstrap's own project"),
    ],
)
def test_bad_settings_are_one_line_errors(tmp_path: Path, patch: dict[str, Any], line: str) -> None:
    root = _project_copy(tmp_path, patch)
    with pytest.raises(AskflowError) as err:
        plan_stack(STACK, project_root=root)
    assert err.value.line().startswith(f"bootstrap/environments/Pulumi.{STACK}.yaml: {line}")
    assert "\n" not in err.value.line()


def test_unknown_bootstrap_config_key_is_refused(tmp_path: Path) -> None:
    root = _project_copy(tmp_path, {})
    file = root / "environments" / f"Pulumi.{STACK}.yaml"
    data = yamlio.load_file(file)
    data["config"]["askflow-bootstrap:other"] = 1
    file.write_text(yamlio.dumps(data))
    with pytest.raises(AskflowError, match=r"askflow-bootstrap:other: unknown key"):
        plan_stack(STACK, project_root=root)


def test_cli_plans_the_bootstrap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from askflow.cli import main

    code = main(["plan", "--project", str(BOOTSTRAP), "--stack", STACK, "--out", str(tmp_path / "out"), "--quiet"])
    assert code == 0, capsys.readouterr()
    shutil.rmtree(tmp_path / "out")


# ------------------------------------------------------------------------------------------ no escalation (issue #20)
def _ci_statements(env: str) -> list[dict[str, Any]]:
    docs = _documents(_plan(), f"platform-ci-deploy-{env}-")
    return [s for d in docs.values() for s in _statements(d)]


def _effect(statements: list[dict[str, Any]], action: str, resource: str) -> bool:
    """RAM's evaluation of one action on one resource: an explicit Deny wins, else some Allow."""
    from fnmatch import fnmatchcase

    def hits(s: dict[str, Any]) -> bool:
        return (any(fnmatchcase(action, a) for a in _as_list(s["Action"]))
                and any(fnmatchcase(resource, r) for r in _as_list(s["Resource"])) and "Condition" not in s)
    return not any(hits(s) for s in statements if s["Effect"] == "Deny") and any(
        hits(s) for s in statements if s["Effect"] == "Allow")


def _attach_allowed(statements: list[dict[str, Any]], role: str, policy_arn: str) -> bool:
    """AttachPolicyToRole is authorised on the role and on the policy (RAM API reference)."""
    role_arn = f"acs:ram:*:{MOCK_ACCOUNT_ID}:role/{role}"
    return _effect(statements, "ram:AttachPolicyToRole", role_arn) and _effect(
        statements, "ram:AttachPolicyToRole", policy_arn)


@pytest.mark.parametrize("env", DEPLOYED)
def test_no_ci_role_can_write_a_policy_document(env: str) -> None:
    for statements in (_ci_statements(env), _statements(next(iter(_documents(_plan(), f"platform-ci-preview-{env}").values())))):
        for action in ("ram:CreatePolicy", "ram:CreatePolicyVersion", "ram:DeletePolicyVersion",
                       "ram:SetDefaultPolicyVersion", "ram:DeletePolicy"):
            for name in (f"askflow-{env}-ml-executor-oss", f"askflow-{env}-anything", "platform-ci-deploy-dev-identity"):
                assert not _effect(statements, action, f"acs:ram:*:{MOCK_ACCOUNT_ID}:policy/{name}"), (action, name)


@pytest.mark.parametrize("env", DEPLOYED)
def test_a_deploy_role_attaches_only_the_bootstraps_policies_to_its_own_roles(env: str) -> None:
    from askflow.rrsa import stack_policies

    statements = _ci_statements(env)
    settings = load_settings(read_stack(load_project(ROOT), env))
    approved = sorted(stack_policies(settings))
    assert approved and all(p.startswith(f"askflow-{env}-") for p in approved)
    mine = f"askflow-{env}-ml-executor"
    for name in approved:
        assert _attach_allowed(statements, mine, f"acs:ram:*:{MOCK_ACCOUNT_ID}:policy/{name}"), name
    other = "prod" if env == "dev" else "dev"
    refused = [
        "acs:ram:*:system:policy/AdministratorAccess",
        f"acs:ram:*:{MOCK_ACCOUNT_ID}:policy/askflow-{env}-written-by-ci",  # a name under its prefix
        f"acs:ram:*:{MOCK_ACCOUNT_ID}:policy/askflow-{other}-ml-executor-oss",
        f"acs:ram:*:{MOCK_ACCOUNT_ID}:policy/platform-ci-deploy-{env}-identity",
    ]
    for arn in refused:
        assert not _attach_allowed(statements, mine, arn), arn
    # Nor attach an approved policy to a role outside its prefix, or to CI's own role.
    for role in (f"askflow-{other}-ml-executor", f"platform-ci-deploy-{env}"):
        assert not _attach_allowed(statements, role, f"acs:ram:*:{MOCK_ACCOUNT_ID}:policy/{approved[0]}"), role


def test_the_bootstrap_creates_every_stacks_rrsa_policies_and_the_stacks_only_attach_them() -> None:
    """External truth: each main stack's plan attaches, and the bootstrap's plan creates, the same
    policies, with the documents the stack's own settings give; no main stack creates a RAM policy."""
    from askflow.rrsa import stack_policies

    created = {r.inputs["policyName"]: json.loads(r.inputs["policyDocument"])
               for r in _plan().of_type(POLICY) if not r.inputs["policyName"].startswith("platform-")}
    project = load_project(ROOT)
    expected: dict[str, Any] = {}
    for stack in project.stacks():
        settings = load_settings(read_stack(project, stack))
        main = plan_stack(stack, project_root=ROOT)
        assert main.of_type(POLICY) == [], f"{stack} creates a RAM policy"
        attached = {(a.inputs["policyName"], a.inputs["policyType"]) for a in main.of_type(ATTACH)}
        policies = stack_policies(settings)
        assert attached == {(name, "Custom") for name in policies}, stack
        expected.update(policies)
    # and those of the e2e copy of dev, the non-prod deploy environment (askflow e2e --stack dev)
    from askflow.e2e.plan import e2e_copy

    expected.update(stack_policies(e2e_copy(project, "dev").settings))
    assert created == expected
    # The documents name the stack's bucket only (DESIGN: the RAM policy names only the artifact bucket).
    prod = created["askflow-prod-ml-executor-oss"]["Statement"]
    bucket = "askflow-prod-cn-hangzhou-artifacts"
    assert prod[0] == {"Effect": "Allow", "Action": ["oss:GetObject", "oss:PutObject"],
                       "Resource": [f"acs:oss:*:*:{bucket}/ml/*"]}
    assert {r for s in prod for r in s["Resource"]} <= {f"acs:oss:*:*:{bucket}/ml/*", f"acs:oss:*:*:{bucket}/uploads/ml/*",
                                                        f"acs:oss:*:*:{bucket}"}


def test_the_pre_issue_20_identity_document_breaks_the_rule() -> None:
    """The rule that guards this sees the old shape: CreatePolicy and AttachPolicyToRole on a prefix."""
    from askflow.policies.rules import ram_policy_write_problems

    old = {"Statement": [{"Effect": "Allow", "Action": ["ram:AttachPolicyToRole", "ram:CreatePolicy", "ram:CreateRole"],
                          "Resource": ["acs:ram:*:1:role/askflow-dev-*", "acs:ram:*:1:policy/askflow-dev-*"]}]}
    assert len(ram_policy_write_problems(old)) == 2
    for doc in _documents(_plan(), "platform-ci-").values():
        assert ram_policy_write_problems(doc) == []


TAGGED_SERVICES = ("cs", "ecs", "kms", "rds", "tag", "vpc")


@pytest.mark.parametrize(("env", "others"), [("dev", ["staging", "prod"]), ("prod", ["dev", "staging"])])
def test_deploy_writes_are_denied_on_other_environments_tagged_resources(env: str, others: list[str]) -> None:
    """The dev role cannot disable prod's deletion protection or KMS key: each write of ACK, ECS, KMS,
    RDS and VPC is denied where the resource's askflow-environment tag names another class."""
    from askflow.bootstrap.policy import TAG_CONDITION_KEYS
    from askflow.policies.rules import tag_scope_problems

    statements = _ci_statements(env)
    writes = {a for s in statements if s["Effect"] == "Allow" for a in _as_list(s["Action"])
              if a.split(":")[0] in TAGGED_SERVICES and "*" not in a and a != "kms:GetKeyPolicy"}
    assert {"cs:UpdateResourcesDeleteProtection", "kms:DisableKey", "kms:SetDeletionProtection",
            "rds:ModifyDBInstanceDeletionProtection", "vpc:DeleteVpc", "ecs:DeleteSecurityGroup",
            # the generic tag API could otherwise re-tag prod's resources as dev's
            "tag:TagResources", "tag:UntagResources"} <= writes
    for action in writes:
        service = action.split(":")[0]
        denies = [s for s in statements if s["Effect"] == "Deny" and action in s["Action"]]
        keys = {k: v for s in denies for k, v in s["Condition"]["StringEquals"].items()}
        assert keys == {k: others for k in TAG_CONDITION_KEYS[service]}, action
    docs = _documents(_plan(), f"platform-ci-deploy-{env}-")
    assert all(tag_scope_problems(d) == [] for d in docs.values())
    # The stacks put the tag on every resource of those services that takes tags.
    main = plan_stack(env, project_root=ROOT)
    for r in main.resources:
        if r.type.split(":")[1].split("/")[0] in TAGGED_SERVICES and "tags" in r.inputs:
            assert r.inputs["tags"]["askflow-environment"] == env, r.name


# ------------------------------------------------------------------------------------------ Kubernetes RBAC (issue #20)
RBAC_GRANTS = ("cs:GrantPermission", "cs:UpdateUserPermissions")
CLUSTER_ARN = f"acs:cs:cn-hangzhou:{MOCK_ACCOUNT_ID}:cluster/c0ffee"


def _role_statements(prefix: str) -> dict[str, list[dict[str, Any]]]:
    """Each CI role's statements, all of its documents together, by role (deploy-dev, preview-prod...)."""
    roles: dict[str, list[dict[str, Any]]] = {}
    for name, doc in _documents(_plan(), prefix).items():
        role = re.sub(r"-(cluster|data|identity|network)$", "", name.removeprefix("platform-ci-"))
        roles.setdefault(role, []).extend(_statements(doc))
    return roles


def test_no_ci_role_may_grant_kubernetes_rbac() -> None:
    """ACK's grants bind a RAM identity to a ClusterRole in any cluster (prod's too): no CI role is
    allowed them, and each denies them explicitly, whatever else gets attached later."""
    roles = _role_statements("platform-ci-")
    assert set(roles) == {"deploy-dev", "deploy-prod", "preview-dev", "preview-staging", "preview-prod"}
    for role, statements in roles.items():
        for action in RBAC_GRANTS:
            assert not _effect(statements, action, CLUSTER_ARN), (role, action)
            # Still refused with an Allow of everything in ACK beside it.
            widened = [*statements, {"Effect": "Allow", "Action": ["cs:*"], "Resource": [f"acs:cs:*:{MOCK_ACCOUNT_ID}:*"]}]
            assert not _effect(widened, action, CLUSTER_ARN), (role, action)


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_preview_roles_fetch_a_kubeconfig_of_their_own_and_hold_no_rbac(stack: str) -> None:
    """The preview's Kubernetes provider needs a kubeconfig (cs.get_cluster_credential calls
    DescribeClusterUserKubeconfig), which ACK issues for the caller's own identity; nothing in
    either project grants that identity anything in a cluster, so a pull request's preview can
    neither read nor write Kubernetes objects (nor Secrets) through it."""
    statements = _role_statements(f"platform-ci-preview-{stack}")[f"preview-{stack}"]
    assert _effect(statements, "cs:DescribeClusterUserKubeconfig", CLUSTER_ARN)
    grants = "alicloud:cs/kubernetesPermission:KubernetesPermission"
    assert not _plan().of_type(grants)
    assert not plan_stack(stack, project_root=ROOT).of_type(grants)
