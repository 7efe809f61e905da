"""RAM roles for Kubernetes service accounts through RRSA: no access keys anywhere.

Each role trusts exactly one service account through the cluster's OIDC provider (conditions on
``oidc:iss``, ``oidc:aud`` and the exact ``oidc:sub``; the pattern ``ack-ram-tool rrsa
associate-role`` generates), and gets the artifact bucket policy of its :class:`~askflow.rrsa.BucketGrant`
attached: that policy names only the artifact bucket and the role's prefixes. The stack attaches
it and never writes it: the account bootstrap created it from the same settings
(:func:`askflow.rrsa.stack_policies`), so the identity deploying the stack needs no right to write
RAM policy documents (issue #20).
https://www.alibabacloud.com/help/en/ack/ack-managed-and-ack-dedicated/user-guide/use-rrsa-to-authorize-pods-to-access-different-cloud-services
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

import pulumi
import pulumi_alicloud as alicloud

from askflow.policies.documents import rrsa_trust_policy
from askflow.rrsa import BucketGrant


@dataclass(frozen=True, kw_only=True)
class ServiceAccountBinding:
    """A Kubernetes service account that gets a RAM role."""

    grant: BucketGrant
    """The role's name and bucket access (its policy is created by the bootstrap)."""
    namespace: str
    """Namespace of the service account."""
    service_account: str
    """Service account name."""


@dataclass(frozen=True, kw_only=True)
class IdentityArgs:
    oidc_issuer_url: pulumi.Input[str]
    """The cluster's RRSA OIDC issuer URL."""
    oidc_provider_arn: pulumi.Input[str]
    """The cluster's RAM OIDC provider ARN."""
    bindings: tuple[ServiceAccountBinding, ...]
    """One role per service account."""


def _trust_document(b: ServiceAccountBinding, oidc: list[str]) -> str:
    return json.dumps(rrsa_trust_policy(oidc[0], oidc[1], b.namespace, b.service_account), sort_keys=True)


def _or_default(default: str, value: str | None) -> str:
    return value or default


class IdentityComponent(pulumi.ComponentResource):
    """RAM roles for RRSA, each with its pre-approved bucket policy attached (``askflow:identity:Rrsa``)."""

    role_arns: dict[str, pulumi.Output[str]]
    role_names: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: IdentityArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("askflow:identity:Rrsa", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.role_arns = {}
        self.role_names = {}
        for b in args.bindings:
            g = b.grant
            trust = pulumi.Output.all(args.oidc_issuer_url, args.oidc_provider_arn).apply(
                functools.partial(_trust_document, b)
            )
            role = alicloud.ram.Role(
                f"{name}-{g.key}",
                role_name=g.role_name,
                description=f"RRSA role of system:serviceaccount:{b.namespace}:{b.service_account}",
                assume_role_policy_document=trust,
                max_session_duration=3600,
                opts=child,
            )
            # A custom policy the bootstrap created (bootstrap/program: rrsa_policies); attaching a
            # missing one fails with EntityNotExist.Policy: run the bootstrap's `pulumi up` first.
            alicloud.ram.RolePolicyAttachment(
                f"{name}-{g.key}-oss",
                role_name=role.role_name,
                policy_name=g.policy_name,
                policy_type="Custom",
                opts=child,
            )
            self.role_arns[g.key] = role.arn
            self.role_names[g.key] = role.role_name.apply(functools.partial(_or_default, g.role_name))
        self.register_outputs({
            "roleArns": pulumi.Output.all(**self.role_arns) if self.role_arns else {},
        })
