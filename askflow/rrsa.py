"""What each RRSA role of a stack may do in the artifact bucket, and the RAM policy that says it.

The environment stacks create the RRSA roles (their trust names the cluster's OIDC provider, which
exists only once the cluster does) but never a policy document: the account bootstrap
(``bootstrap/``, run by a person with admin rights) creates these policies from the same settings,
and a stack only attaches them. So the CI identity that deploys a stack can attach a document a
person approved, never write one (issue #20: no identity that CI holds can grant more than it has).

Both sides compute the policies here, from :class:`askflow.settings.Settings`: the bootstrap for
every stack file of the main project, ``infra/__main__.py`` for its own stack.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from askflow.policies.documents import bucket_access_policy
from askflow.settings import Settings

# RAM custom policy names: at most 128 characters (role names are at most 64, plus "-oss").
POLICY_SUFFIX = "-oss"


@dataclass(frozen=True, kw_only=True)
class BucketGrant:
    """One RRSA role's access to the artifact bucket."""

    key: str
    """Short name (``executor-<tenant>``, ``argo-server``); resource names derive from it."""
    role_name: str
    """RAM role name (at most 64 characters)."""
    prefixes: tuple[str, ...]
    """Bucket prefixes (`team-a/`) the role may read and write; `("",)` for the whole bucket."""
    read_prefixes: tuple[str, ...] = ()
    """Further prefixes it may only read."""
    read_only: bool = False
    """Only get and list on `prefixes` too."""
    allow_delete: bool = False
    """Also `oss:DeleteObject` (artifact garbage collection)."""

    @property
    def policy_name(self) -> str:
        """The custom policy the bootstrap creates for this role and the stack attaches."""
        return f"{self.role_name}{POLICY_SUFFIX}"


def bucket_grants(s: Settings) -> tuple[BucketGrant, ...]:
    """Every RRSA role of the stack and its bucket access: one executor per tenant, and argo-server
    (self-managed engine only)."""
    if not s.rrsa_available:
        return ()  # ack-one without an OIDC issuer: no role could be assumed (the plan warns)
    grants = [
        BucketGrant(
            key=f"executor-{t.name}",
            role_name=s.executor_role_name(t.name),  # validated: at most 64 characters, unique
            prefixes=(f"{t.name}/",),
            # What the Argo UI uploaded for this namespace (argo-server writes uploads/<ns>/…).
            read_prefixes=(f"uploads/{t.name}/",),
            allow_delete=s.storage.enable_artifact_gc,
        )
        for t in s.tenants
    ]
    if s.argo.engine == "ack-one":
        # The managed argo-server is Alibaba's, in a namespace askflow does not manage: no role of ours.
        return tuple(grants)
    grants.append(BucketGrant(
        key="argo-server",
        role_name=s.argo_server_role_name,
        # The UI reads the artifacts (and archived logs) of workflows in the tenant namespaces, under
        # their prefixes; Argo v4.0 writes nothing (UI uploads to uploads/<ns>/ arrived in v4.1).
        # It still reads every tenant's prefix: infra/components/admission.py keeps each tenant's
        # keys in its own.
        prefixes=tuple(f"{t.name}/" for t in s.tenants),
        read_only=True,
    ))
    return tuple(grants)


def kms_key_arn(s: Settings) -> str | None:
    """The artifact bucket's SSE-KMS key, when it has one (any account: the key id is unique)."""
    return f"acs:kms:{s.region}:*:key/{s.storage.kms_key_id}" if s.storage.kms_key_id else None


def grant_document(s: Settings, grant: BucketGrant) -> dict[str, Any]:
    """The policy document of ``grant``: only the stack's artifact bucket, only its prefixes."""
    return bucket_access_policy(
        s.bucket_name, grant.prefixes, read_only=grant.read_only, allow_delete=grant.allow_delete,
        read_prefixes=grant.read_prefixes, kms_key_arn=kms_key_arn(s),
    )


def stack_policies(s: Settings) -> dict[str, dict[str, Any]]:
    """Every RRSA policy of the stack by name: what the bootstrap creates and the stack attaches."""
    return {g.policy_name: grant_document(s, g) for g in bucket_grants(s)}
