"""RAM roles for Kubernetes service accounts through RRSA: no access keys anywhere.

Each role trusts exactly one service account through the cluster's OIDC provider (conditions on
``oidc:iss``, ``oidc:aud`` and the exact ``oidc:sub``; the pattern ``ack-ram-tool rrsa
associate-role`` generates), and is granted a policy that names only the artifact bucket and the
prefix the account may touch: get, put, list, and delete only when artifact GC is on.
https://www.alibabacloud.com/help/en/ack/ack-managed-and-ack-dedicated/user-guide/use-rrsa-to-authorize-pods-to-access-different-cloud-services
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

import pulumi
import pulumi_alicloud as alicloud

from askflow.policies.documents import bucket_access_policy, rrsa_trust_policy


@dataclass(frozen=True, kw_only=True)
class ServiceAccountBinding:
    """A Kubernetes service account that gets a RAM role."""

    key: str
    """Short name of the binding (resource names derive from it)."""
    role_name: str
    """RAM role name (at most 64 characters)."""
    namespace: str
    """Namespace of the service account."""
    service_account: str
    """Service account name."""
    prefixes: tuple[str, ...]
    """Bucket prefixes (`team-a/`) the role may read and write; `("",)` for the whole bucket."""
    read_prefixes: tuple[str, ...] = ()
    """Further prefixes it may only read."""
    read_only: bool = False
    """Only get and list on `prefixes` too."""
    allow_delete: bool = False
    """Also `oss:DeleteObject` (artifact garbage collection)."""


@dataclass(frozen=True, kw_only=True)
class IdentityArgs:
    oidc_issuer_url: pulumi.Input[str]
    """The cluster's RRSA OIDC issuer URL."""
    oidc_provider_arn: pulumi.Input[str]
    """The cluster's RAM OIDC provider ARN."""
    bucket_name: pulumi.Input[str]
    """The artifact bucket."""
    bindings: tuple[ServiceAccountBinding, ...]
    """One role per service account."""
    kms_key_arn: str | None = None
    """The bucket's SSE-KMS key, when it has one."""


def _trust_document(b: ServiceAccountBinding, oidc: list[str]) -> str:
    return json.dumps(rrsa_trust_policy(oidc[0], oidc[1], b.namespace, b.service_account), sort_keys=True)


def _access_document(b: ServiceAccountBinding, kms_key_arn: str | None, bucket: str) -> str:
    policy = bucket_access_policy(
        bucket, b.prefixes, read_only=b.read_only, allow_delete=b.allow_delete,
        read_prefixes=b.read_prefixes, kms_key_arn=kms_key_arn,
    )
    return json.dumps(policy, sort_keys=True)


def _or_default(default: str, value: str | None) -> str:
    return value or default


class IdentityComponent(pulumi.ComponentResource):
    """RAM roles and policies for RRSA (``askflow:identity:Rrsa``)."""

    role_arns: dict[str, pulumi.Output[str]]
    role_names: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: IdentityArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("askflow:identity:Rrsa", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.role_arns = {}
        self.role_names = {}
        for b in args.bindings:
            trust = pulumi.Output.all(args.oidc_issuer_url, args.oidc_provider_arn).apply(
                functools.partial(_trust_document, b)
            )
            role = alicloud.ram.Role(
                f"{name}-{b.key}",
                role_name=b.role_name,
                description=f"RRSA role of system:serviceaccount:{b.namespace}:{b.service_account}",
                assume_role_policy_document=trust,
                max_session_duration=3600,
                opts=child,
            )
            document = pulumi.Output.from_input(args.bucket_name).apply(
                functools.partial(_access_document, b, args.kms_key_arn)
            )
            policy = alicloud.ram.Policy(
                f"{name}-{b.key}-oss",
                policy_name=f"{b.role_name}-oss",
                description=f"Artifact bucket access for {b.namespace}/{b.service_account}",
                policy_document=document,
                opts=child,
            )
            alicloud.ram.RolePolicyAttachment(
                f"{name}-{b.key}-oss",
                role_name=role.role_name,
                policy_name=policy.policy_name,
                policy_type="Custom",
                opts=child,
            )
            self.role_arns[b.key] = role.arn
            self.role_names[b.key] = role.role_name.apply(functools.partial(_or_default, b.role_name))
        self.register_outputs({
            "roleArns": pulumi.Output.all(**self.role_arns) if self.role_arns else {},
        })
