"""The RAM roles ACK (managed Pro, ACS, ACK Serverless) and ECI need before a first cluster can be created.

A fresh account has none of them; the console creates them when someone clicks through "quick
authorization", and a first ``pulumi up`` without them fails (terraform-provider-alicloud #2565:
``EntityNotExist.AliyunECIContainerGroupRole``; #1034: ``ErrKubernetesAuditRoleNotAttach``). Two kinds:

- **service-linked roles** (``resourcemanager.ServiceLinkedRole``): created by RAM for a service
  name, with a policy the service owns. A service creates its own on first use only when the
  caller may call ``ram:CreateServiceLinkedRole``; creating them here keeps that permission out
  of the CI role.
  https://www.alibabacloud.com/help/en/ram/user-guide/service-linked-roles
- **service roles**: ordinary RAM roles with fixed names that trust a service principal, with a
  system policy attached. The list and the policy names are the ones Alibaba Cloud's own
  Terraform recipe for ACK's default roles creates
  (https://www.alibabacloud.com/help/en/ack/ack-managed-and-ack-dedicated/user-guide/use-terraform-to-assign-default-roles-to-ack),
  restricted to what askflow's cluster kinds use: a managed cluster with logs and Prometheus, ECI,
  and ack-pro-eci's system node pool with Terway (no CSI or autoscaler roles).

A role that already exists cannot be created again, so a stack lists the ones its account already
has in ``existing_roles``: the program then checks they exist instead of creating them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class ServiceRole:
    """One role ASK/ECI expects by name."""

    name: str
    kind: Literal["service-linked", "service"]
    service: str
    """The service name (service-linked) or the trusted service principal (service role)."""
    why: str
    policy: str | None = None
    """The system policy attached to a service role."""


SERVICE_ROLES: tuple[ServiceRole, ...] = (
    ServiceRole(
        "AliyunServiceRoleForECI", "service-linked", "eci.aliyuncs.com",
        "ECI creates the instances behind every pod (CreateContainerGroup creates it on first use).",
    ),
    ServiceRole(
        "AliyunServiceRoleForAutoScaling", "service-linked", "ess.aliyuncs.com",
        "A node pool is an Auto Scaling group (ack-pro-eci's system nodes); the first scaling group of an "
        "account needs it (Auto Scaling docs, \"Service-linked role\").",
    ),
    ServiceRole(
        "AliyunServiceRoleForNatgw", "service-linked", "nat.aliyuncs.com",
        "The first enhanced NAT gateway of the account (CreateNatGateway creates it on first use).",
    ),
    ServiceRole(
        "AliyunCSServerlessKubernetesRole", "service", "cs.aliyuncs.com",
        "ACK Serverless uses it by default to manage VPC, SLB, PrivateZone resources of the cluster.",
        "AliyunCSServerlessKubernetesRolePolicy",
    ),
    ServiceRole(
        "AliyunCSManagedVKRole", "service", "cs.aliyuncs.com",
        "The virtual-kubelet of ACK Serverless and the ack-virtual-node add-on of ACK Pro (pods on ECI).",
        "AliyunCSManagedVKRolePolicy",
    ),
    ServiceRole(
        "AliyunCSManagedKubernetesRole", "service", "cs.aliyuncs.com",
        "The control plane of ACK managed clusters (cluster.kind ack-pro-eci, acs and ask are cs.ManagedKubernetes).",
        "AliyunCSManagedKubernetesRolePolicy",
    ),
    ServiceRole(
        "AliyunCSManagedNetworkRole", "service", "cs.aliyuncs.com",
        "Terway, the network plugin of ack-pro-eci's system nodes (ENIs and their IPs).",
        "AliyunCSManagedNetworkRolePolicy",
    ),
    ServiceRole(
        "AliyunCSClusterRole", "service", "cs.aliyuncs.com",
        "Components running inside an ACK managed cluster that call cloud APIs.",
        "AliyunCSClusterRolePolicy",
    ),
    ServiceRole(
        "AliyunOOSLifecycleHook4CSRole", "service", "oos.aliyuncs.com",
        "Node pools: the scaling group's lifecycle hooks add and remove ack-pro-eci's system nodes.",
        "AliyunOOSLifecycleHook4CSRolePolicy",
    ),
    ServiceRole(
        "AliyunCSDefaultRole", "service", "cs.aliyuncs.com",
        "ACK itself, while managing clusters.",
        "AliyunCSDefaultRolePolicy",
    ),
    ServiceRole(
        "AliyunCSKubernetesAuditRole", "service", "cs.aliyuncs.com",
        "API server auditing to SLS (cluster creation fails with ErrKubernetesAuditRoleNotAttach without it).",
        "AliyunCSKubernetesAuditRolePolicy",
    ),
    ServiceRole(
        "AliyunCSManagedSecurityRole", "service", "cs.aliyuncs.com",
        "KMS envelope encryption of Secrets (the cluster's encryption_provider_key); missing: "
        "MissingAuth.AliyuncsManagedSecurityRole.",
        "AliyunCSManagedSecurityRolePolicy",
    ),
    ServiceRole(
        "AliyunCSManagedLogRole", "service", "cs.aliyuncs.com",
        "The logtail-ds add-on (pod logs to SLS).",
        "AliyunCSManagedLogRolePolicy",
    ),
    ServiceRole(
        "AliyunCSManagedArmsRole", "service", "cs.aliyuncs.com",
        "The managed Prometheus (ARMS) add-on.",
        "AliyunCSManagedArmsRolePolicy",
    ),
    ServiceRole(
        "AliyunECIContainerGroupRole", "service", "eci.aliyuncs.com",
        "ECI container groups; ASK creation fails with EntityNotExist.AliyunECIContainerGroupRole without it.",
        "AliyunECIContainerGroupRolePolicy",
    ),
)

SERVICE_ROLE_NAMES: tuple[str, ...] = tuple(r.name for r in SERVICE_ROLES)


def service_trust_policy(service: str) -> dict[str, object]:
    """The trust policy of a service role: only ``service`` may assume it."""
    return {
        "Version": "1",
        "Statement": [{"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": [service]}}],
    }
