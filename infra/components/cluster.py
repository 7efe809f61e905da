"""The serverless ACK (ASK) cluster: pods run on ECI, no nodes to manage.

- ``cs.ServerlessKubernetes`` with RRSA on (irreversible: "Once the RRSA function is turned on, it
  is not allowed to turn off", terraform-provider-alicloud docs), a private API endpoint unless the
  stack asks, CoreDNS, Secrets encrypted with a KMS key (created with rotation, or given), the
  maintenance window and auto-upgrade channel, and ``delete_options`` stated explicitly.
- Add-ons after creation with ``cs.KubernetesAddon`` (``addons`` on the cluster work only at create).
- The kubeconfig from the ``cs.get_cluster_credential`` data source (a secret) builds the one
  ``k8s.Provider`` that every Kubernetes resource of the stack uses.
- The ``eci-profile`` ConfigMap (kube-system) is patched so that pods spread over every vSwitch of
  the stack, use its security group, and get per-namespace ECI annotations (ECI Effect).
  ASK's virtual nodes are built in: no ``eci.VirtualNode`` here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pulumi
import pulumi_alicloud as alicloud
import pulumi_kubernetes as k8s

from askflow.settings import Cluster


@dataclass(frozen=True, kw_only=True)
class EciSelector:
    """ECI Effect: annotations injected into every pod of a namespace."""

    name: str
    """Selector name (unique in the profile)."""
    namespace: str
    """Namespace whose pods get the annotations."""
    annotations: dict[str, str]
    """ECI pod annotations (`k8s.aliyun.com/eci-*`)."""


@dataclass(frozen=True, kw_only=True)
class ClusterArgs:
    settings: Cluster
    """The stack's cluster settings."""
    cluster_name: str
    """Cluster name in ACK."""
    vpc_id: pulumi.Input[str]
    """VPC of the cluster."""
    vswitch_ids: pulumi.Input[list[str]]
    """vSwitches of the cluster (one per zone)."""
    pod_vswitch_ids: pulumi.Input[list[str]]
    """vSwitches ECI pods spread over (eci-profile `vSwitchIds`)."""
    security_group_id: pulumi.Input[str]
    """Security group of the cluster and ECI pods."""
    sls_project_name: pulumi.Input[str] | None = None
    """SLS project the log add-on writes to (when log collection is on)."""
    sls_logstore_name: pulumi.Input[str] | None = None
    """Logstore that receives every container's stdout and stderr."""
    eci_selectors: tuple[EciSelector, ...] = ()
    """Per-namespace ECI defaults."""
    deletion_protection: bool = False
    """Cloud-side deletion protection (prod)."""
    protect: bool = False
    """Pulumi `protect` on the cluster and the KMS key (prod)."""
    retain_logs_on_delete: bool = True
    """Keep SLS data when the cluster is deleted."""
    tags: dict[str, str] = field(default_factory=dict)
    """Tags for every taggable resource."""


class ClusterComponent(pulumi.ComponentResource):
    """ASK cluster, add-ons, eci-profile and the Kubernetes provider (``askflow:cluster:Cluster``)."""

    cluster_id: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]
    oidc_issuer_url: pulumi.Output[str]
    oidc_provider_arn: pulumi.Output[str]
    provider: k8s.Provider
    addons: list[alicloud.cs.KubernetesAddon]
    pod_identity_webhook: alicloud.cs.KubernetesAddon | None

    def __init__(self, name: str, args: ClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("askflow:cluster:Cluster", name, None, opts)
        s = args.settings
        child = pulumi.ResourceOptions(parent=self)
        stateful = pulumi.ResourceOptions(parent=self, protect=args.protect)

        # Secret encryption with KMS exists only on Pro clusters (ACK docs, "Use KMS to encrypt
        # Kubernetes Secrets"); ASK Pro takes Aliyun_AES_256 keys.
        key_id: pulumi.Input[str] | None = None
        if s.cluster_spec != "ack.pro.small":
            pulumi.log.warn(f"{args.cluster_name}: ack.standard cannot encrypt Secrets with KMS; use ack.pro.small")
        elif s.kms_key_id:
            key_id = s.kms_key_id
        else:
            key = alicloud.kms.Key(
                f"{name}-secrets-key",
                description=f"Encrypts Kubernetes Secrets of {args.cluster_name}",
                key_spec="Aliyun_AES_256",
                key_usage="ENCRYPT/DECRYPT",
                automatic_rotation="Enabled",
                rotation_interval="365d",
                pending_window_in_days=30,
                deletion_protection="Enabled" if args.deletion_protection else "Disabled",
                tags=args.tags,
                opts=stateful,
            )
            key_id = key.id

        auto_upgrade = s.auto_upgrade_channel != "none"
        delete_mode = "retain" if args.retain_logs_on_delete else "delete"
        cluster = alicloud.cs.ServerlessKubernetes(
            f"{name}-ask",
            name=args.cluster_name,
            cluster_spec=s.cluster_spec,
            version=s.kubernetes_version,
            vpc_id=args.vpc_id,
            vswitch_ids=args.vswitch_ids,
            security_group_id=args.security_group_id,
            new_nat_gateway=False,  # egress is the network component's NAT gateway (or the user's)
            endpoint_public_access_enabled=s.endpoint_public_access,
            service_cidr=str(s.service_cidr),
            service_discovery_types=["CoreDNS"],
            enable_rrsa=True,
            encryption_provider_key=key_id,
            deletion_protection=args.deletion_protection,
            maintenance_window=alicloud.cs.ServerlessKubernetesMaintenanceWindowArgs(
                enable=s.maintenance_window.enabled,
                weekly_period=s.maintenance_window.weekly_period,
                maintenance_time=s.maintenance_window.maintenance_time,
                duration=s.maintenance_window.duration,
            ),
            operation_policy=alicloud.cs.ServerlessKubernetesOperationPolicyArgs(
                cluster_auto_upgrade=alicloud.cs.ServerlessKubernetesOperationPolicyClusterAutoUpgradeArgs(
                    enabled=auto_upgrade, channel=s.auto_upgrade_channel if auto_upgrade else None
                )
            ),
            # What happens to resources ACK created on our behalf when the cluster goes: load
            # balancers of Services are deleted (no orphaned, billed SLB/ALB), logs are kept
            # outside dev, and the PrivateZone records go with the cluster.
            delete_options=[
                alicloud.cs.ServerlessKubernetesDeleteOptionArgs(resource_type=t, delete_mode=m)
                for t, m in (
                    ("SLB", "delete"),
                    ("ALB", "delete"),
                    ("PrivateZone", "delete"),
                    ("SLS_Data", delete_mode),
                    ("SLS_ControlPlane", delete_mode),
                )
            ],
            tags=args.tags,
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=args.protect,
                # The provider's docs say not to set `version` with auto-upgrade on: ACK moves the
                # version, and the provider would then try to move it back. The stack still creates
                # the cluster at a known version (staging and prod start alike) and ignores the
                # version after that, which is what the advice protects against.
                ignore_changes=["version"] if auto_upgrade else None,
                custom_timeouts=pulumi.CustomTimeouts(create="60m", delete="30m"),
            ),
        )
        self.cluster_id = cluster.id
        self.oidc_issuer_url = cluster.rrsa_metadata.apply(lambda m: (m.rrsa_oidc_issuer_url or "") if m else "")
        self.oidc_provider_arn = cluster.rrsa_metadata.apply(lambda m: (m.ram_oidc_provider_arn or "") if m else "")

        self.addons = []
        self.pod_identity_webhook = None
        addon_opts = pulumi.ResourceOptions(parent=self, custom_timeouts=pulumi.CustomTimeouts(create="10m"))
        if s.enable_pod_identity_webhook:
            self.pod_identity_webhook = alicloud.cs.KubernetesAddon(
                f"{name}-pod-identity-webhook", cluster_id=cluster.id, name="ack-pod-identity-webhook", opts=addon_opts
            )
            self.addons.append(self.pod_identity_webhook)
        logtail: alicloud.cs.KubernetesAddon | None = None
        if s.enable_log_collection:
            config = pulumi.Output.from_input(args.sls_project_name or "").apply(
                lambda project: json.dumps({"sls_project_name": project} if project else {}, sort_keys=True)
            )
            logtail = alicloud.cs.KubernetesAddon(
                f"{name}-logtail", cluster_id=cluster.id, name="logtail-ds", config=config, opts=addon_opts
            )
            self.addons.append(logtail)
        if s.enable_prometheus:
            self.addons.append(alicloud.cs.KubernetesAddon(
                f"{name}-prometheus", cluster_id=cluster.id, name="arms-prometheus", opts=addon_opts
            ))

        credential = alicloud.cs.get_cluster_credential_output(
            cluster_id=cluster.id, opts=pulumi.InvokeOutputOptions(parent=self)
        )
        self.kubeconfig = pulumi.Output.secret(credential.kube_config)
        self.provider = k8s.Provider(
            f"{name}-k8s",
            kubeconfig=self.kubeconfig,
            enable_server_side_apply=True,
            opts=child,
        )

        if logtail is not None and args.sls_project_name is not None and args.sls_logstore_name is not None:
            # Every container's stdout/stderr (ECI pods included) into the stack's logstore, through
            # logtail-ds's AliyunLogConfig CRD (https://www.alibabacloud.com/help/en/sls/).
            k8s.apiextensions.CustomResource(
                f"{name}-pod-logs",
                api_version="log.alibabacloud.com/v1alpha1",
                kind="AliyunLogConfig",
                metadata=k8s.meta.v1.ObjectMetaArgs(name="askflow-pod-stdout", namespace="kube-system"),
                spec={
                    "project": args.sls_project_name,
                    "logstore": args.sls_logstore_name,
                    "logtailConfig": {
                        "inputType": "plugin",
                        "configName": "askflow-pod-stdout",
                        "inputDetail": {"plugin": {"inputs": [
                            {"type": "service_docker_stdout", "detail": {"Stdout": True, "Stderr": True}},
                        ]}},
                    },
                },
                opts=pulumi.ResourceOptions(parent=self, provider=self.provider, depends_on=[logtail]),
            )

        profile = pulumi.Output.all(args.pod_vswitch_ids, args.security_group_id, args.vpc_id).apply(
            lambda v: _eci_profile(v[0], v[1], v[2], args.eci_selectors)
        )
        k8s.core.v1.ConfigMapPatch(
            f"{name}-eci-profile",
            metadata=k8s.meta.v1.ObjectMetaPatchArgs(
                name="eci-profile",
                namespace="kube-system",
                annotations={"pulumi.com/patchForce": "true"},  # ACK owns the rest of the map
            ),
            data=profile,
            opts=pulumi.ResourceOptions(parent=self, provider=self.provider),
        )
        self.register_outputs({
            "clusterId": self.cluster_id,
            "kubeconfig": self.kubeconfig,
            "oidcIssuerUrl": self.oidc_issuer_url,
            "oidcProviderArn": self.oidc_provider_arn,
        })


def _eci_profile(
    vswitch_ids: list[str], security_group_id: str, vpc_id: str, selectors: tuple[EciSelector, ...]
) -> dict[str, str]:
    """The eci-profile keys we own (https://www.alibabacloud.com/help/en/ack/serverless-kubernetes/user-guide/configure-eci-profile)."""
    return {
        "vpcId": vpc_id,
        "vSwitchIds": ",".join(vswitch_ids),
        "securityGroupId": security_group_id,
        "selectors": json.dumps(
            [
                {
                    "name": sel.name,
                    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": sel.namespace}},
                    "effect": {"annotations": dict(sorted(sel.annotations.items()))},
                }
                for sel in selectors
            ],
            sort_keys=True,
        ),
    }
