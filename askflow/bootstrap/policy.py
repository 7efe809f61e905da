"""What CI may do: the trust policy of the CI roles, their permission documents, and the state backend URL.

One deploy role per deploy environment, and one read-only role, so that code from a pull request
never holds write permissions and a dev deploy cannot touch prod:

- ``<name>-ci-deploy-<env>``: assumed by jobs running in GitHub environment ``<env>`` (and, for
  ``branch_environment``, by push jobs of the deploy branches) to run ``pulumi up``. Its documents
  name every service and action ``pulumi up`` of the main project calls, write actions one by one;
  reads as ``<service>:Describe*`` / ``List*`` / ``Get*`` patterns (never ``*`` or
  ``<service>:*``). Resources are scoped to the account and the deploy regions, and, where RAM
  supports names (OSS buckets, SLS projects, RAM roles and policies), to ``<managed_prefix>-<env>-``:
  the names of the main project's stack ``<env>``. VPC, ECS, ACK, KMS, ECI and RDS resources
  have ids, not names, so those statements cannot be narrowed by environment.
  Deploy roles never write a RAM policy document: the RRSA policies their stack attaches are
  created by the bootstrap itself (:mod:`askflow.rrsa`), and a deploy role may attach exactly those
  (by ARN) to roles under its prefix, and nothing else: no identity CI holds can grant more than a
  person approved. Their VPC, ECS, ACK, KMS and RDS writes are denied on resources that carry
  another environment class's ``askflow-environment`` tag (:func:`tag_scope`).
- ``<name>-ci-preview-<stack>``: one per previewed stack, assumed by jobs in GitHub environment
  ``preview-<stack>`` (pull requests, non-prod stacks only) or in the deploy environment ``<stack>``:
  reads only, and of the state only that stack's (``pulumi preview`` writes nothing to a DIY
  backend). With one passphrase per environment, a pull request reaches neither prod's state nor
  the passphrase that decrypts its secrets. No Kubernetes RBAC either (:data:`ACK_RBAC_GRANT`):
  previews show Kubernetes resources as the program declares them, not as a server-side dry run.

Each deploy role writes only its own stack's state files (``.pulumi/*/<project>/<env>…``): it can
neither read nor rewrite another environment's state or the bootstrap's.

Documents follow RAM's policy language (https://www.alibabacloud.com/help/en/ram/user-guide/policy-elements);
a custom policy holds at most 6,144 characters, hence one document per group of services.
"""

from __future__ import annotations

import json
import re
from typing import Any

from askflow.bootstrap.settings import GITHUB_AUDIENCE, BootstrapSettings, preview_environment
from askflow.e2e.names import e2e_stack_name
from askflow.policies.documents import federated_trust_policy
from askflow.policies.rules import ENV_TAG

# RAM's limit on the length of a custom policy document.
MAX_POLICY_LENGTH = 6144

# Read-only action patterns: a wildcard only ever follows one of these verbs.
READ_VERBS = ("Describe", "Get", "List", "Query", "Check")

# ---- write actions, per service, of the resources the main project creates -------------------
VPC_WRITE = (
    # vpc.Network, vpc.Switch
    "vpc:CreateVpc", "vpc:DeleteVpc", "vpc:ModifyVpcAttribute",
    "vpc:CreateVSwitch", "vpc:DeleteVSwitch", "vpc:ModifyVSwitchAttribute",
    # vpc.NatGateway, vpc.SnatEntry
    "vpc:CreateNatGateway", "vpc:DeleteNatGateway", "vpc:ModifyNatGatewayAttribute", "vpc:ModifyNatGatewaySpec",
    "vpc:CreateSnatEntry", "vpc:DeleteSnatEntry", "vpc:ModifySnatEntry",
    # ecs.EipAddress, ecs.EipAssociation (EIPs are VPC API operations)
    "vpc:AllocateEipAddress", "vpc:ReleaseEipAddress", "vpc:ModifyEipAddressAttribute",
    "vpc:AssociateEipAddress", "vpc:UnassociateEipAddress",
    "vpc:TagResources", "vpc:UnTagResources",
)
ECS_WRITE = (
    # ecs.SecurityGroup (and its rules)
    "ecs:CreateSecurityGroup", "ecs:DeleteSecurityGroup", "ecs:ModifySecurityGroupAttribute",
    "ecs:ModifySecurityGroupPolicy", "ecs:ModifySecurityGroupRule", "ecs:ModifySecurityGroupEgressRule",
    "ecs:AuthorizeSecurityGroup", "ecs:AuthorizeSecurityGroupEgress",
    "ecs:RevokeSecurityGroup", "ecs:RevokeSecurityGroupEgress",
    "ecs:TagResources", "ecs:UntagResources",
)
TAG_WRITE = ("tag:TagResources", "tag:UntagResources")
CS_WRITE = (
    # cs.ManagedKubernetes (every cluster.kind but ask-legacy), cs.ServerlessKubernetes (ask-legacy)
    "cs:CreateCluster", "cs:DeleteCluster", "cs:ModifyCluster", "cs:UpgradeCluster", "cs:MigrateCluster",
    "cs:ModifyClusterTags", "cs:TagResources", "cs:UntagResources", "cs:UpdateResourcesDeleteProtection",
    # cs.NodePool (ack-pro-eci's system nodes; ACK creates the instances with its service roles)
    "cs:CreateClusterNodePool", "cs:ModifyClusterNodePool", "cs:ScaleClusterNodePool", "cs:DeleteClusterNodepool",
    # cs.KubernetesAddon
    "cs:InstallClusterAddons", "cs:UnInstallClusterAddons", "cs:ModifyClusterAddon", "cs:UpgradeClusterAddons",
)
KMS_WRITE = (
    # kms.Key (the cluster's Secrets key)
    "kms:CreateKey", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:EnableKey", "kms:DisableKey",
    "kms:UpdateKeyDescription", "kms:UpdateRotationPolicy", "kms:SetDeletionProtection",
    "kms:TagResource", "kms:UntagResource",
)
ECI_WRITE = ("eci:CreateImageCache", "eci:UpdateImageCache", "eci:DeleteImageCache")
#: ackone.Cluster (argo.engine ack-one): the provider's calls (resource_alicloud_ack_one_cluster.go l. 96, 243,
#: 290 at 81c43b67) and the feature resource's (components.workflow_cluster: UpdateHubClusterFeature; its
#: DescribeHubClusterDetails / DescribeHubClusterKubeconfig are adcp:Describe* reads). Regional and not
#: tag-scoped: the provider tags no workflow cluster, so a deploy role may change any of the region's.
ADCP_WRITE = ("adcp:CreateHubCluster", "adcp:DeleteHubCluster", "adcp:UpdateHubClusterFeature")
ARMS_WRITE = (
    # arms.PrometheusAlertRule, arms.DispatchRule, arms.AlertContact, arms.AlertContactGroup, arms.AlertRobot
    # (the alerts): the provider's API calls (terraform-provider-alicloud resource_alicloud_arms_*.go,
    # `action :=`), and the Search* reads it refreshes contacts with (service_alicloud_arms.go).
    "arms:CreatePrometheusAlertRule", "arms:UpdatePrometheusAlertRule", "arms:DeletePrometheusAlertRule",
    "arms:CreateDispatchRule", "arms:UpdateDispatchRule", "arms:DeleteDispatchRule",
    "arms:CreateAlertContact", "arms:UpdateAlertContact", "arms:DeleteAlertContact",
    "arms:CreateAlertContactGroup", "arms:UpdateAlertContactGroup", "arms:DeleteAlertContactGroup",
    "arms:CreateOrUpdateIMRobot", "arms:DeleteIMRobot",
    "arms:SearchAlertContact", "arms:SearchAlertContactGroup",
    # arms.PrometheusMonitoring (the ServiceMonitors that scrape Argo): resource_alicloud_arms_prometheus_monitoring.go
    # l. 72, 144, 177, 217; it reads them back with GetPrometheusMonitoring (a Get*, among the reads).
    "arms:CreatePrometheusMonitoring", "arms:UpdatePrometheusMonitoring", "arms:UpdatePrometheusMonitoringStatus",
    "arms:DeletePrometheusMonitoring",
)
RDS_WRITE = (
    # rds.Instance, rds.Database, rds.RdsAccount, rds.AccountPrivilege (the workflow archive)
    "rds:CreateDBInstance", "rds:DeleteDBInstance", "rds:ModifyDBInstanceSpec", "rds:ModifyDBInstanceDescription",
    "rds:ModifySecurityIps", "rds:ModifyDBInstanceSSL", "rds:ModifyDBInstanceDeletionProtection",
    "rds:ModifyDBInstanceMaintainTime", "rds:ModifyBackupPolicy",
    # parameters, sql_collector_status / sql_collector_config_value, auto_upgrade_minor_version
    "rds:ModifyParameter", "rds:ModifySQLCollectorPolicy", "rds:ModifySQLCollectorRetention",
    "rds:ModifyDBInstanceAutoUpgradeMinorVersion",
    "rds:CreateDatabase", "rds:DeleteDatabase", "rds:ModifyDBDescription",
    "rds:CreateAccount", "rds:DeleteAccount", "rds:ResetAccountPassword", "rds:ModifyAccountDescription",
    "rds:GrantAccountPrivilege", "rds:RevokeAccountPrivilege",
    "rds:TagResources", "rds:UntagResources",
)
OSS_BUCKET_WRITE = (
    # oss.Bucket, oss.BucketAcl, oss.BucketPublicAccessBlock, oss.BucketPolicy
    "oss:PutBucket", "oss:DeleteBucket", "oss:PutBucketAcl", "oss:PutBucketVersioning",
    "oss:PutBucketEncryption", "oss:DeleteBucketEncryption", "oss:PutBucketLifecycle", "oss:DeleteBucketLifecycle",
    "oss:PutBucketTagging", "oss:DeleteBucketTagging",
    "oss:PutBucketPublicAccessBlock", "oss:DeleteBucketPublicAccessBlock",
    # logging (access logs of the artifact bucket); reads are oss:GetBucket*
    "oss:PutBucketLogging", "oss:DeleteBucketLogging",
    "oss:PutBucketPolicy", "oss:DeleteBucketPolicy",
    # force_destroy (dev) empties the bucket before deleting it
    "oss:ListObjects", "oss:ListObjectVersions",
)
OSS_OBJECT_WRITE = ("oss:DeleteObject", "oss:DeleteObjectVersion")
# `askflow e2e` reads the smoke workflow's artifact back with the deploy role's own credentials (the
# check that does not go through RRSA); HeadObject is authorised as oss:GetObject too.
OSS_OBJECT_READ = ("oss:GetObject",)
LOG_WRITE = (
    # log.Project, log.Store
    "log:CreateProject", "log:UpdateProject", "log:DeleteProject",
    "log:CreateLogStore", "log:UpdateLogStore", "log:DeleteLogStore",
    "log:TagResources", "log:UntagResources",
    # log.StoreIndex (the fields `askflow logs` queries): resource_alicloud_log_store_index.go CreateIndex,
    # UpdateIndex, DeleteIndex; it reads with GetIndex
    "log:CreateIndex", "log:UpdateIndex", "log:DeleteIndex",
    # log.Alert (the alert on the pods' logs): the provider calls CreateAlert, UpdateAlert, DeleteAlert and
    # GetAlert (resource_alicloud_log_alert.go). SLS publishes no RAM actions for CreateAlert ("no
    # authorization information disclosed", API reference), and its alert service role is granted the
    # alert rules as log:*Job: both names, so either check passes.
    "log:CreateAlert", "log:UpdateAlert", "log:DeleteAlert", "log:GetAlert",
    "log:CreateJob", "log:UpdateJob", "log:DeleteJob", "log:GetJob",
)
LOG_READ = ("log:GetProject", "log:ListProject", "log:GetLogStore", "log:ListLogStores", "log:ListTagResources",
            "log:GetIndex")
# ram.Role (the RRSA roles; their trust names the cluster's OIDC provider, so the stack creates them).
RAM_ROLE_WRITE = ("ram:CreateRole", "ram:DeleteRole", "ram:UpdateRole")
# ram.RolePolicyAttachment: RAM authorises these on the role and on the policy
# (https://www.alibabacloud.com/help/en/ram/developer-reference/api-ram-2015-05-01-attachpolicytorole:
# resources acs:ram:*:<account>:role/<role> and acs:ram:*:<account>:policy/<policy>, system
# policies acs:ram:*:system:policy/<policy>), so naming the policies scopes what may be attached.
RAM_ATTACH = ("ram:AttachPolicyToRole", "ram:DetachPolicyFromRole")
# What writes a policy document, or attaches one to a user or group: no CI role is ever allowed these.
RAM_POLICY_WRITE = (
    "ram:CreatePolicy", "ram:DeletePolicy", "ram:CreatePolicyVersion", "ram:DeletePolicyVersion",
    "ram:SetDefaultPolicyVersion", "ram:UpdatePolicyDescription",
    "ram:AttachPolicyToUser", "ram:AttachPolicyToGroup",
)
RAM_WRITE = (*RAM_ROLE_WRITE, *RAM_ATTACH)
# ACK's RAM-to-Kubernetes grants: GrantPermissions (RAM action cs:GrantPermission,
# https://www.alibabacloud.com/help/zh/doc-detail/202561.htm) and UpdateUserPermissions (what the
# provider's alicloud_cs_kubernetes_permissions calls: resource_alicloud_cs_kubernetes_permissions.go l. 184-197
# at 81c43b67). They bind a RAM identity to a (Cluster)Role in any cluster of the account, prod's
# included, and are authorised on all resources: a CI role that held them could give itself, or a
# preview role, cluster-admin anywhere. No CI role is allowed them; each is denied them outright.
# Preview roles get no Kubernetes RBAC at all: a server-side dry run is authorised exactly like the
# write it simulates ("Authorization for dry-run and non-dry-run requests is identical",
# https://kubernetes.io/docs/reference/using-api/api-concepts/#dry-run-authorization), so a role that
# may dry-run may write, and previews run pull-request code. pulumi-kubernetes previews then fall back
# to the program's own inputs when the dry run is Forbidden (provider/pkg/provider/provider.go l. 1799-1803
# and 2455-2457, pulumi/pulumi-kubernetes master at 94977969), and render Helm releases client-side anyway
# (helm_release.go l. 513-520, 989, 1169).
ACK_RBAC_GRANT = ("cs:GrantPermission", "cs:UpdateUserPermissions")
# Bucket metadata the S3 client of `pulumi login s3://…` reads (HeadBucket, GetBucketLocation).
STATE_BUCKET = ("oss:GetBucketInfo", "oss:GetBucketLocation")
# Object actions on the state files (HeadObject is authorised as oss:GetObject).
STATE_WRITE = ("oss:GetObject", "oss:PutObject", "oss:DeleteObject")
# KMS actions a deploy role must never take on the state bucket's key: disabling or deleting it
# makes every stack's state unreadable.
STATE_KEY_DENY = (
    "kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:SetDeletionProtection", "kms:UpdateRotationPolicy",
    "kms:UpdateKeyDescription", "kms:TagResource", "kms:UntagResource",
)
# KMS reads, named: `kms:Get*` would include kms:GetSecretValue (every secret's plaintext).
# Describe*/List* return metadata only; GetKeyPolicy is read by the provider's kms.Key.
KMS_READ = ("kms:Describe*", "kms:List*", "kms:GetKeyPolicy")


ENVIRONMENT_CLASSES = ("dev", "staging", "prod")

# How each service names the tag condition on an existing resource. A Deny whose key a service does
# not evaluate never matches, so each key is the service's documented one:
# - ECS: acs:ResourceTag (https://www.alibabacloud.com/help/en/ecs/user-guide/manage-resource-permissions-with-tags);
# - VPC: the generic acs:ResourceTag (VPC authorises at resource level:
#   https://www.alibabacloud.com/help/en/vpc/developer-reference/api-vpc-2016-04-28-ram). EIPs cannot be
#   scoped: RAM authorises EIP operations per service only
#   (https://www.alibabacloud.com/help/en/eip/developer-reference/api-vpc-2016-04-28-ram-eips);
# - ACK: acs:ResourceTag on clusters
#   (https://www.alibabacloud.com/help/en/ack/ack-managed-and-ack-dedicated/user-guide/use-labels-to-enforce-fine-grained-access-control);
# - RDS: rds:ResourceTag in its guide (https://www.alibabacloud.com/help/doc-detail/95252.htm), and acs:ResourceTag;
# - KMS: kms:tag, evaluated by Enable/DisableKey, ScheduleKeyDeletion, CancelKeyDeletion,
#   UpdateKeyDescription, UpdateRotationPolicy and SetDeletionProtection, not by TagResource/UntagResource
#   (https://www.alibabacloud.com/help/en/kms/key-management-service/security-and-compliance/condition-key).
# - Tag (the generic TagResources API, which tags any service's resource): acs:ResourceTag, at
#   resource level (https://www.alibabacloud.com/help/en/resource-management/tag/developer-reference/api-tag-2018-08-28-ram);
#   without it, re-tagging prod's resources as dev would open every other scope.
TAG_CONDITION_KEYS: dict[str, tuple[str, ...]] = {
    "tag": (f"acs:ResourceTag/{ENV_TAG}",),
    "ecs": (f"acs:ResourceTag/{ENV_TAG}",),
    "vpc": (f"acs:ResourceTag/{ENV_TAG}",),
    "cs": (f"acs:ResourceTag/{ENV_TAG}",),
    "rds": (f"acs:ResourceTag/{ENV_TAG}", f"rds:ResourceTag/{ENV_TAG}"),
    # acs:ResourceTag too, for TagResource/UntagResource, which kms:tag does not cover; KMS does not
    # document it, so the README counts those two as unscoped.
    "kms": (f"acs:ResourceTag/{ENV_TAG}", f"kms:tag/{ENV_TAG}"),
}
# Writes whose resource RAM cannot tell by tag (above): the residue README's security section names.
UNSCOPED_WRITES = (
    "vpc:AllocateEipAddress", "vpc:ReleaseEipAddress", "vpc:ModifyEipAddressAttribute",
    "vpc:AssociateEipAddress", "vpc:UnassociateEipAddress", "kms:TagResource", "kms:UntagResource",
)


def tag_scope(
    service: str, writes: tuple[str, ...], resources: list[str], environment_class: str
) -> list[dict[str, Any]]:
    """Deny ``writes`` on every resource tagged as another environment class's.

    A Deny, not an Allow conditioned on this class's tag: the provider creates some resources and
    tags them in a second call, and a fresh, untagged resource must stay writable. So a dev deploy
    can create and manage its own resources but can never modify, delete or re-tag one of prod's
    (the stacks tag every resource with ``askflow-environment``: infra/__main__.py).
    """
    others = [c for c in ENVIRONMENT_CLASSES if c != environment_class]
    return [
        {"Effect": "Deny", "Action": sorted(writes), "Resource": sorted(resources),
         "Condition": {"StringEquals": {key: others}}}
        for key in TAG_CONDITION_KEYS[service]
    ]


def _reads(*services: str) -> list[str]:
    reads: list[str] = []
    for svc in services:
        reads += KMS_READ if svc == "kms" else [f"{svc}:{verb}*" for verb in ("Describe", "List", "Get")]
    return reads


def _deny_rbac_grants(account: str) -> dict[str, Any]:
    """No Kubernetes RBAC grant through ACK, whatever else gets attached to the role (ACK_RBAC_GRANT)."""
    return {"Effect": "Deny", "Action": sorted(ACK_RBAC_GRANT), "Resource": [f"acs:cs:*:{account}:*"]}


def _regional(service: str, regions: tuple[str, ...], account: str) -> list[str]:
    return [f"acs:{service}:{r}:{account}:*" for r in regions]


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "1", "Statement": list(statements)}


def _allow(actions: list[str] | tuple[str, ...], resources: list[str]) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": sorted(actions), "Resource": sorted(resources)}


def stack_state_keys(project: str, stack: str) -> list[str]:
    """Object key patterns of one stack's state in a DIY backend (project-scoped layout, ``meta.yaml``
    version 1): its checkpoint (``.json``, ``.json.gz``/``.zst``, the ``.json.bak`` copy), its tags,
    history, backups, update journal and lock files.

    pulumi/pulumi ``pkg/backend/diy/store.go`` (``StacksDir/<project>/<stack>``, ``HistoriesDir``,
    ``BackupsDir``, ``JournalsDir``), ``stack_tags.go`` (``.pulumi-tags``) and ``lock.go`` (locks under
    ``.pulumi/locks/<fully qualified name>/``, i.e. ``organization/<project>/<stack>``).
    """
    return [
        f".pulumi/stacks/{project}/{stack}.json*",
        f".pulumi/stacks/{project}/{stack}.pulumi-tags",
        f".pulumi/history/{project}/{stack}/*",
        f".pulumi/backups/{project}/{stack}/*",
        f".pulumi/journal/{project}/{stack}/*",
        f".pulumi/locks/organization/{project}/{stack}/*",
    ]


# `pulumi login` reads the backend's layout version (pkg/backend/diy/meta.go); the admin's first
# login to the empty bucket wrote it, and nobody else needs to.
STATE_META = ".pulumi/meta.yaml"


def stack_preview_keys(project: str, stack: str) -> list[str]:
    """Object key patterns a ``pulumi preview`` of one stack reads: its checkpoint, tags, history and journal."""
    return [k for k in stack_state_keys(project, stack) if not k.startswith((".pulumi/backups/", ".pulumi/locks/"))]


def _state_statements(
    s: BootstrapSettings, account: str, *, environment: str, preview: bool = False
) -> list[dict[str, Any]]:
    """The state bucket: a deploy role reads and writes its own stack's files only; a preview role
    only reads its own stack's.

    ``pulumi preview`` takes no lock on a DIY backend (``diyBackend.Preview`` applies with DryRun and
    never calls ``Lock``; ``up``/``refresh``/``destroy``/``import`` do), so the preview role writes
    nothing: a pull request can neither forge nor delete the lock of a running ``pulumi up``.
    No role reaches the bootstrap's own state (``.pulumi/stacks/<bootstrap project>/``) or another
    environment's. https://github.com/pulumi/pulumi/blob/master/pkg/backend/diy/backend.go
    """
    bucket = s.state_bucket_name
    objects = f"acs:oss:*:{account}:{bucket}/"
    statements = [
        _allow(STATE_BUCKET, [f"acs:oss:*:{account}:{bucket}"]),
        # Object names only (stack listings, lock checks): nothing is read by listing.
        _allow(["oss:ListObjects"], [f"acs:oss:*:{account}:{bucket}"]),
    ]
    if preview:
        statements.append(
            _allow(["oss:GetObject"], [objects + k for k in (STATE_META, *stack_preview_keys(s.project, environment))])
        )
    else:
        statements += [
            _allow(["oss:GetObject"], [objects + STATE_META]),
            # Its stack, and the throw-away copy `askflow e2e` makes of it (`<env>-e2e`, whose names
            # start with `<managed_prefix>-<env>-` too).
            _allow(STATE_WRITE, [objects + k for stack in (environment, e2e_stack_name(environment))
                                 for k in stack_state_keys(s.project, stack)]),
        ]
    if s.state.kms_key_id:
        key = f"acs:kms:{s.region}:{account}:key/{s.state.kms_key_id}"
        # SSE-KMS: reads need Decrypt, writes GenerateDataKey
        # (https://www.alibabacloud.com/help/en/oss/user-guide/server-side-encryption-8).
        statements.append(_allow(["kms:Decrypt"] if preview else ["kms:Decrypt", "kms:GenerateDataKey"], [key]))
        if not preview:
            # The deploy role's KMS statement covers every key of the region (ids, not names).
            statements.append({"Effect": "Deny", "Action": sorted(STATE_KEY_DENY), "Resource": [key]})
    return statements


def ci_deploy_policies(
    s: BootstrapSettings, account: str, environment: str, *, environment_class: str, rrsa_policies: tuple[str, ...]
) -> dict[str, dict[str, Any]]:
    """The documents of ``environment``'s deploy role, by short name (``network``, ``cluster``, ``data``, ``identity``).

    ``environment_class`` is the class (``environment:``) of the main project's stack of that name,
    ``rrsa_policies`` the names of the RRSA policies the bootstrap created for it: the only
    policies the role may attach.
    """
    regions, prefix = s.deploy_regions, s.environment_prefix(environment)

    def scoped(service: str, writes: tuple[str, ...]) -> list[dict[str, Any]]:
        resources = _regional(service, regions, account)
        return [_allow([*writes, *_reads(service)], resources),
                *tag_scope(service, writes, resources, environment_class)]

    network = _doc(
        *scoped("vpc", VPC_WRITE),
        *scoped("ecs", ECS_WRITE),
        *scoped("tag", TAG_WRITE),
    )
    cluster = _doc(
        *scoped("cs", CS_WRITE),
        *scoped("kms", KMS_WRITE),
        _allow([*ECI_WRITE, *_reads("eci")], _regional("eci", regions, account)),
        _allow([*ARMS_WRITE, *_reads("arms")], _regional("arms", regions, account)),
        _allow([*ADCP_WRITE, *_reads("adcp")], _regional("adcp", regions, account)),
        _deny_rbac_grants(account),
    )
    data = _doc(
        _allow([*OSS_BUCKET_WRITE, "oss:GetBucket*"], [f"acs:oss:*:{account}:{prefix}-*"]),
        _allow([*OSS_OBJECT_WRITE, *OSS_OBJECT_READ], [f"acs:oss:*:{account}:{prefix}-*/*"]),
        _allow(
            [*LOG_WRITE, *LOG_READ],
            [f"acs:log:{r}:{account}:project/{prefix}-{tail}" for r in regions for tail in ("*", "*/*")],
        ),
        *scoped("rds", RDS_WRITE),
        *_state_statements(s, account, environment=environment),
    )
    roles = f"acs:ram:*:{account}:role/{prefix}-*"
    statements: list[dict[str, Any]] = [_allow(RAM_ROLE_WRITE, [roles])]
    if rrsa_policies:
        # Attach and detach exactly the bootstrap's policies, to the stack's own roles.
        statements.append(_allow(RAM_ATTACH, [roles, *(f"acs:ram:*:{account}:policy/{p}" for p in rrsa_policies)]))
    identity = _doc(
        *statements,
        # ACK checks its service roles exist when it creates a cluster; provider reads refresh roles.
        _allow(_reads("ram"), [f"acs:ram:*:{account}:*"]),
        # Belt and braces, whatever else gets attached to this role: no policy document is ever
        # written, no system policy (AdministratorAccess) ever attached, and CI never changes its
        # own roles and policies.
        {"Effect": "Deny", "Action": sorted(RAM_POLICY_WRITE), "Resource": [f"acs:ram:*:{account}:policy/*"]},
        {"Effect": "Deny", "Action": sorted(RAM_ATTACH), "Resource": ["acs:ram:*:system:policy/*"]},
        {
            "Effect": "Deny",
            "Action": sorted(RAM_WRITE),
            "Resource": sorted([f"acs:ram:*:{account}:role/{s.name}-ci-*", f"acs:ram:*:{account}:policy/{s.name}-ci-*"]),
        },
    )
    return {"cluster": cluster, "data": data, "identity": identity, "network": network}


def ci_preview_policy(s: BootstrapSettings, account: str, stack: str) -> dict[str, Any]:
    """The preview role of ``stack``: reads of what that stack's deploy role manages, and of its state only."""
    regions, prefix = s.deploy_regions, s.environment_prefix(stack)
    regional = [
        _allow(_reads(svc), _regional(svc, regions, account))
        for svc in ("vpc", "ecs", "tag", "cs", "kms", "eci", "rds", "adcp")
    ]
    return _doc(
        # cs:Describe* includes DescribeClusterUserKubeconfig: the preview's Kubernetes provider needs
        # a kubeconfig, which ACK issues for this role's own identity, with no RBAC in the cluster.
        *regional,
        _deny_rbac_grants(account),
        _allow(["oss:GetBucket*"], [f"acs:oss:*:{account}:{prefix}-*"]),
        _allow(LOG_READ, [f"acs:log:{r}:{account}:project/{prefix}-{tail}" for r in regions for tail in ("*", "*/*")]),
        _allow(_reads("ram"), [f"acs:ram:*:{account}:*"]),
        *_state_statements(s, account, environment=stack, preview=True),
    )


def github_trust_policy(provider_arn: str, subjects: tuple[str, ...]) -> dict[str, Any]:
    """Trust GitHub Actions jobs whose ``oidc:sub`` is exactly one of ``subjects``.

    ``StringEquals`` with a list matches any one value exactly; no pattern (``StringLike``) is
    used, so a branch or environment created later cannot match. The federated principal pins the
    issuer (the OIDC provider's issuer URL), and ``oidc:aud`` the audience the credentials action
    requests. https://www.alibabacloud.com/help/en/ram/user-guide/overview-of-oidc-based-sso
    """
    return federated_trust_policy(provider_arn, {"oidc:aud": [GITHUB_AUDIENCE], "oidc:sub": sorted(subjects)})


def render(document: dict[str, Any]) -> str:
    """A policy document as RAM receives it: compact (the length limit counts characters), sorted keys."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def oss_s3_endpoint(region: str, endpoint: str = "public") -> str:
    """OSS's S3-compatible endpoint of ``region``, public or internal (VPC)
    (https://www.alibabacloud.com/help/en/oss/developer-reference/use-amazon-s3-sdks-to-access-oss)."""
    return f"https://s3.oss-{region}{'-internal' if endpoint == 'internal' else ''}.aliyuncs.com"


def backend_url(bucket: str, region: str, endpoint: str = "public") -> str:
    """The ``pulumi login`` URL of the state bucket, through OSS's S3-compatible API.

    Pulumi's DIY backend takes ``s3://<bucket>?endpoint=…`` for S3-compatible stores
    (https://www.pulumi.com/docs/iac/guides/basics/using-a-diy-backend/). OSS serves S3 requests
    only virtual-hosted style (``<bucket>.<endpoint>``), so path style is explicitly off, and the
    signing region is the bucket's region.
    """
    return f"s3://{bucket}?endpoint={oss_s3_endpoint(region, endpoint)}&region={region}&s3ForcePathStyle=false"


def deploy_output_name(environment: str) -> str:
    """The bootstrap stack output holding the ARN of ``environment``'s deploy role (``ciDeployRoleArnDev``)."""
    return "ciDeployRoleArn" + "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", environment))


def deploy_variable_name(environment: str) -> str:
    """The GitHub repository variable the workflow reads that role from (``ALICLOUD_CI_DEPLOY_ROLE_ARN_DEV``)."""
    return "ALICLOUD_CI_DEPLOY_ROLE_ARN_" + re.sub(r"[^A-Z0-9]+", "_", environment.upper())


def preview_output_name(stack: str) -> str:
    """The bootstrap stack output holding the ARN of ``stack``'s preview role (``ciPreviewRoleArnDev``)."""
    return "ciPreviewRoleArn" + "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", stack))


def preview_variable_name(stack: str) -> str:
    """The GitHub repository variable naming ``stack``'s preview role (``ALICLOUD_CI_PREVIEW_ROLE_ARN_DEV``)."""
    return "ALICLOUD_CI_PREVIEW_ROLE_ARN_" + re.sub(r"[^A-Z0-9]+", "_", stack.upper())


def next_steps(s: BootstrapSettings, login_url: str, stack: str) -> list[str]:
    """The commands a platform engineer runs after ``pulumi up`` of the bootstrap (from ``bootstrap/``)."""
    stack_hint = f"--stack {stack}"
    repo = s.github.repository
    environments = s.github.deploy_environments
    steps = [
        "# 1. Move this bootstrap stack's own state into the new bucket (it started on a local backend):",
        f"pulumi stack export {stack_hint} --file bootstrap-state.json",
        "# 2. Point the Pulumi CLI at the bucket. It speaks S3: give it the STS or AccessKey credentials "
        "under the AWS names, and only the checksums OSS understands:",
        "export AWS_ACCESS_KEY_ID=$ALIBABA_CLOUD_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=$ALIBABA_CLOUD_ACCESS_KEY_SECRET "
        "AWS_SESSION_TOKEN=$ALIBABA_CLOUD_SECURITY_TOKEN",
        "export AWS_REQUEST_CHECKSUM_CALCULATION=when_required AWS_RESPONSE_CHECKSUM_VALIDATION=when_required",
        f"pulumi login '{login_url}'",
        f"pulumi stack init {stack_hint} && pulumi stack import {stack_hint} --file bootstrap-state.json",
        "# 3. Create the main project's stacks in the bucket (from the repository root), each with a passphrase of "
        "its own (pulumi prompts; keep each for its GitHub environments below). A stack created with a shared "
        "passphrase gets its own with `pulumi stack change-secrets-provider passphrase --stack <s>`:",
        "cd .. && for s in dev staging prod; do pulumi stack init $s --secrets-provider passphrase; done",
        "# 4. Tell GitHub Actions where things are (repository variables, not secrets: nothing here is a key):",
        f"gh variable set PULUMI_BACKEND_URL --repo {repo} --body '{login_url}'",
        *(
            f"gh variable set {deploy_variable_name(env)} --repo {repo} --body "
            f"\"$(pulumi stack output {deploy_output_name(env)} --cwd bootstrap {stack_hint})\""
            for env in environments
        ),
        *(
            f"gh variable set {preview_variable_name(st)} --repo {repo} --body "
            f"\"$(pulumi stack output {preview_output_name(st)} --cwd bootstrap {stack_hint})\""
            for st in s.github.previewed_stacks
        ),
        f"gh variable set ALICLOUD_OIDC_PROVIDER_ARN --repo {repo} --body "
        f"\"$(pulumi stack output oidcProviderArn --cwd bootstrap {stack_hint})\"",
        "# The preview and up jobs reach the cluster's private API endpoint (and, with state.endpoint internal, "
        "the state bucket) from inside the VPC: register self-hosted runners there, one set for previews (they run "
        "pull-request code) and another for deploys (they hold the deploy roles), ephemeral if you can, and name "
        "their labels (JSON lists):",
        f"gh variable set ASKFLOW_PREVIEW_RUNNER --repo {repo} --body '[\"self-hosted\", \"askflow-vpc-preview\"]'",
        f"gh variable set ASKFLOW_DEPLOY_RUNNER --repo {repo} --body '[\"self-hosted\", \"askflow-vpc-deploy\"]'",
        "# 5. Each stack's passphrase is the one secret CI stores (Pulumi has no Alibaba KMS secrets provider), as "
        "a secret of that stack's GitHub environments only, never of the repository (pull-request jobs outside an "
        "environment would read it). Pull requests preview in `preview-<stack>` (no reviewers, any branch):",
        f"gh secret delete PULUMI_CONFIG_PASSPHRASE --repo {repo} || true",
        *(f"gh api -X PUT repos/{repo}/environments/{preview_environment(st)}" for st in s.github.preview_stacks),
        *(
            f"gh secret set PULUMI_CONFIG_PASSPHRASE --repo {repo} --env {env}  # the passphrase of stack {st}"
            for st, env in sorted(
                {*((st, preview_environment(st)) for st in s.github.preview_stacks),
                 *((env, env) for env in environments)}
            )
        ),
        "# 6. Each deploy role trusts any job that runs in its GitHub environment: let only "
        f"{', '.join(s.github.deploy_branches)} deploy to {', '.join(environments) or '(none)'} "
        "(deployment branch policies), and give prod required reviewers:",
    ]
    for env in environments:
        steps.append(
            f"gh api -X PUT repos/{repo}/environments/{env} -F 'deployment_branch_policy[protected_branches]=false' "
            "-F 'deployment_branch_policy[custom_branch_policies]=true'"
        )
        steps += [
            f"gh api -X POST repos/{repo}/environments/{env}/deployment-branch-policies -f name={branch} -f type=branch"
            for branch in s.github.deploy_branches
        ]
    return steps
