"""The Kubernetes cluster of a stack, on the substrate ``cluster.kind`` chooses (askflow.substrate).

- ``ack-pro-eci`` (default), ``acs`` and ``ask``: ``cs.ManagedKubernetes`` with the kind's ``profile``
  (``Default``, ``Acs``, ``Serverless``); ``ask-legacy``: the deprecated ``cs.ServerlessKubernetes``,
  kept only so that clusters created with it keep planning without a replacement (the program warns).
- Every kind: RRSA on (irreversible: "Once the RRSA function is turned on, it is not allowed to turn
  off", terraform-provider-alicloud docs), a private API endpoint unless the stack asks, Secrets
  encrypted with a KMS key (created with rotation, or given), the maintenance window and
  auto-upgrade channel, and ``delete_options`` stated explicitly.
- ``ack-pro-eci``: ECI through the ``ack-virtual-node`` add-on, Terway networking, and a small ECS
  node pool for the system add-ons (CoreDNS, metrics, the RRSA webhook, the log controller). Alibaba
  documents no way to run those on virtual nodes alone, and its own node-less mode (ACK Auto Mode)
  still keeps an ``ack-system`` ECS node pool for them
  (https://www.alibabacloud.com/help/en/ack/ack-managed-and-ack-dedicated/user-guide/system-node-pool).
  Workflow pods never land there: tenant and Argo namespaces carry ``alibabacloud.com/eci: "true"``,
  which sends every pod of the namespace to ECI (askflow.substrate.ECI_SCHEDULING_LABEL).
- Add-ons after creation with ``cs.KubernetesAddon`` (``addons`` on the cluster work only at create).
- The kubeconfig from the ``cs.get_cluster_credential`` data source builds the one ``k8s.Provider``
  that every Kubernetes resource uses. It is a temporary credential (``temporary_duration_minutes``),
  so the state never holds a long-lived cluster-admin certificate.
- Kinds with pods on ECI: the ``eci-profile`` ConfigMap (kube-system; ack-virtual-node and ACK
  Serverless read it) is patched so that pods spread over every vSwitch of the stack, use its
  security group, and get per-namespace ECI annotations (ECI Effect).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_alicloud as alicloud
import pulumi_kubernetes as k8s

from askflow import logs
from askflow.settings import Cluster
from askflow.substrate import DEPRECATION_WARNING, Substrate, network_policy_warning, substrate


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
    depends_on: tuple[pulumi.Resource, ...] = ()
    """What the cluster and its nodes wait for (internet egress: the SNAT entries)."""


#: Lifetime of the kubeconfig Pulumi deploys with (DescribeClusterUserKubeconfig
#: TemporaryDurationMinutes, 15 to 4320): long enough for one `pulumi up` after the cluster exists
#: (the Helm release, the database, the templates), short enough that a copy of the state is no
#: standing admin credential. terraform-provider-alicloud
#: alicloud/data_source_alicloud_cs_cluster_credential.go l. 22-25, 99-108 (81c43b67): it is fetched anew on
#: every run.
KUBECONFIG_MINUTES = 180
#: KMS RotationInterval as DescribeKey returns it (seconds with an `s`): the provider stores the
#: API's value as read (alicloud/resource_alicloud_kms_key.go l. 295) and compares it with what the
#: stack says (l. 482), so "365d" would show a change and call UpdateRotationPolicy on every `up`.
KMS_ROTATION_INTERVAL = f"{365 * 86400}s"


def addon_config(config: dict[str, str]) -> str:
    """An add-on ``config`` as the provider reads it back: Go's ``json.Marshal`` of the merged map,
    keys sorted, no spaces (alicloud/resource_alicloud_cs_kubernetes_addon.go l. 102-123 at 81c43b67).
    Python's default separators would differ from that on every `up`."""
    return json.dumps(config, sort_keys=True, separators=(",", ":"))


class ClusterComponent(pulumi.ComponentResource):
    """The cluster, its add-ons, eci-profile and the Kubernetes provider (``askflow:cluster:Cluster``)."""

    cluster_id: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]
    oidc_issuer_url: pulumi.Output[str]
    oidc_provider_arn: pulumi.Output[str]
    provider: k8s.Provider
    addons: list[alicloud.cs.KubernetesAddon]
    pod_identity_webhook: alicloud.cs.KubernetesAddon | None
    prometheus_addon: alicloud.cs.KubernetesAddon | None
    """The add-on that makes the cluster's ARMS Prometheus instance (scrape configs and alert rules live there)."""
    ready: list[pulumi.Resource]
    """What must exist before pods can be scheduled (the virtual-node add-on, the system node pool)."""

    def __init__(self, name: str, args: ClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("askflow:cluster:Cluster", name, None, opts)
        s = args.settings
        sub = substrate(s.kind)
        child = pulumi.ResourceOptions(parent=self)
        stateful = pulumi.ResourceOptions(parent=self, protect=args.protect)

        # Secret encryption with KMS exists only on Pro clusters (ACK docs, "Use KMS to encrypt
        # Kubernetes Secrets"); they take Aliyun_AES_256 keys.
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
                rotation_interval=KMS_ROTATION_INTERVAL,
                pending_window_in_days=30,
                deletion_protection="Enabled" if args.deletion_protection else "Disabled",
                tags=args.tags,
                opts=stateful,
            )
            key_id = key.id

        cluster_opts = pulumi.ResourceOptions(
            parent=self,
            protect=args.protect,
            # The provider's docs say not to set `version` with auto-upgrade on: ACK moves the
            # version, and the provider would then try to move it back. The stack still creates
            # the cluster at a known version (staging and prod start alike) and ignores the
            # version after that, which is what the advice protects against.
            ignore_changes=[
                *(["version"] if s.auto_upgrade_channel != "none" else []),
                # ManagedKubernetes reads `pod_cidr` back from the cluster (ContainerCidr,
                # resource_alicloud_cs_managed_kubernetes.go l. 1308-1314) although it is Optional,
                # not Computed, and ForceNew (l. 235-239): a value ACK reports that the stack never set
                # would plan a replacement. askflow never sets it (Terway and ECI take vSwitch IPs).
                *(["podCidr"] if sub.profile else []),
            ] or None,
            depends_on=list(args.depends_on),
            custom_timeouts=pulumi.CustomTimeouts(create="90m" if sub.profile else "60m", delete="60m" if sub.profile else "30m"),
        )
        cluster: alicloud.cs.ManagedKubernetes | alicloud.cs.ServerlessKubernetes
        if sub.profile is None:
            pulumi.log.warn(f"{args.cluster_name}: {DEPRECATION_WARNING}")
            # The name ASK stacks were created with: the same URN, so nothing is replaced.
            cluster = self._legacy(f"{name}-ask", args, key_id, cluster_opts)
        else:
            cluster = self._managed(f"{name}-ack", args, sub, key_id, cluster_opts)
        self.cluster_id = cluster.id
        # The tenants' default-deny NetworkPolicies need an enforcer that askflow cannot install
        # (askflow.substrate.network_policy_warning): every plan says so, per kind.
        pulumi.log.warn(f"{args.cluster_name}: {network_policy_warning(s.kind, s.cluster_spec)}")
        self.oidc_issuer_url = cluster.rrsa_metadata.apply(lambda m: (m.rrsa_oidc_issuer_url or "") if m else "")
        self.oidc_provider_arn = cluster.rrsa_metadata.apply(lambda m: (m.ram_oidc_provider_arn or "") if m else "")

        self.ready = []
        if sub.system_node_pool:
            self.ready.append(self._system_node_pool(name, args, cluster))

        # The add-ons' own pods run on the system nodes (ack-pro-eci) and wait for them, not for ECI.
        nodes = list(self.ready)
        self.addons = []
        self.pod_identity_webhook = None
        addon_opts = pulumi.ResourceOptions(parent=self, custom_timeouts=pulumi.CustomTimeouts(create="10m"))
        if sub.virtual_node_addon:
            # ECI in an ACK managed cluster (PLATFORM-FACTS "Corrections"). Uninstalling it must say
            # whether to clean up the ECI resources it made (the provider's doc for
            # cleanup_cloud_resources: required for ack-virtual-node): it must, or pods' instances,
            # ENIs and the vSwitches' IPs outlive the cluster.
            # Its controller runs on an ECS node: it waits for the system node pool, or its create
            # timeout could run out on a fresh cluster.
            virtual_node = alicloud.cs.KubernetesAddon(
                f"{name}-virtual-node", cluster_id=cluster.id, name="ack-virtual-node",
                cleanup_cloud_resources=True, opts=pulumi.ResourceOptions.merge(
                    addon_opts, pulumi.ResourceOptions(depends_on=nodes)),
            )
            self.addons.append(virtual_node)
            self.ready.append(virtual_node)
        if s.enable_pod_identity_webhook:
            self.pod_identity_webhook = alicloud.cs.KubernetesAddon(
                f"{name}-pod-identity-webhook", cluster_id=cluster.id, name="ack-pod-identity-webhook",
                opts=pulumi.ResourceOptions(parent=self, depends_on=nodes,
                                            custom_timeouts=pulumi.CustomTimeouts(create="10m")),
            )
            self.addons.append(self.pod_identity_webhook)
        log_addon: alicloud.cs.KubernetesAddon | None = None
        if s.enable_log_collection:
            config = pulumi.Output.from_input(args.sls_project_name or "").apply(
                lambda project: addon_config({"sls_project_name": project} if project else {})
            )
            log_addon = alicloud.cs.KubernetesAddon(
                f"{name}-logs", cluster_id=cluster.id, name=sub.log_addon, config=config,
                opts=pulumi.ResourceOptions(
                    parent=self, depends_on=nodes, custom_timeouts=pulumi.CustomTimeouts(create="10m"),
                    # Stacks made before cluster.kind had `logtail-ds` as `<name>-logtail`. The alias makes
                    # its move to the serverless kinds' `alibaba-log-controller` one replacement (the add-on
                    # name is ForceNew) in which the old add-on goes first, not two add-ons side by side.
                    aliases=[pulumi.Alias(name=f"{name}-logtail")],
                    delete_before_replace=True,
                ),
            )
            self.addons.append(log_addon)
        self.prometheus_addon = None
        if s.enable_prometheus:
            self.prometheus_addon = alicloud.cs.KubernetesAddon(
                f"{name}-prometheus", cluster_id=cluster.id, name=sub.prometheus_addon,
                opts=pulumi.ResourceOptions(parent=self, depends_on=nodes,
                                            custom_timeouts=pulumi.CustomTimeouts(create="10m")),
            )
            self.addons.append(self.prometheus_addon)

        credential = alicloud.cs.get_cluster_credential_output(
            cluster_id=cluster.id, temporary_duration_minutes=KUBECONFIG_MINUTES,
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        self.kubeconfig = pulumi.Output.secret(credential.kube_config)
        self.provider = k8s.Provider(
            f"{name}-k8s",
            kubeconfig=self.kubeconfig,
            enable_server_side_apply=True,
            opts=child,
        )

        if log_addon is not None and args.sls_project_name is not None and args.sls_logstore_name is not None:
            # Every container's stdout/stderr (ECI and ACS pods included) into the stack's
            # logstore, through the log controller's AliyunLogConfig CRD, which every log add-on
            # above serves (https://help.aliyun.com/en/ack/product-overview/logtail-ds).
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
                        # Workflow, template and node as fields beside Logtail's own namespace, pod and
                        # container (askflow.logs: what `askflow logs` queries).
                        "inputDetail": {"plugin": {"inputs": [
                            {"type": "service_docker_stdout", "detail": logs.stdout_detail()},
                        ]}},
                    },
                },
                opts=pulumi.ResourceOptions(parent=self, provider=self.provider, depends_on=[log_addon]),
            )

        if sub.pods_on_eci:
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
                # ack-virtual-node creates the map; on the serverless kinds it comes with the cluster.
                opts=pulumi.ResourceOptions(parent=self, provider=self.provider, depends_on=self.ready),
            )
        self.register_outputs({
            "clusterId": self.cluster_id,
            "kubeconfig": self.kubeconfig,
            "oidcIssuerUrl": self.oidc_issuer_url,
            "oidcProviderArn": self.oidc_provider_arn,
        })

    @staticmethod
    def _shared_arguments(args: ClusterArgs, key_id: pulumi.Input[str] | None, resource: str) -> dict[str, Any]:
        """The arguments both cluster resources take alike; ``resource`` (``ManagedKubernetes`` or
        ``ServerlessKubernetes``) names the SDK's nested Args classes, which differ only by that prefix."""
        s = args.settings
        cs = alicloud.cs
        auto_upgrade = s.auto_upgrade_channel != "none"
        # What happens to resources ACK created on our behalf when the cluster goes: load
        # balancers of Services are deleted (no orphaned, billed SLB/ALB), logs are kept outside
        # dev, and the PrivateZone records go with the cluster.
        delete_mode = "retain" if args.retain_logs_on_delete else "delete"
        return dict(
            name=args.cluster_name,
            cluster_spec=s.cluster_spec,
            version=s.kubernetes_version,
            security_group_id=args.security_group_id,
            service_cidr=str(s.service_cidr),
            enable_rrsa=True,
            encryption_provider_key=key_id,
            deletion_protection=args.deletion_protection,
            maintenance_window=getattr(cs, f"{resource}MaintenanceWindowArgs")(
                enable=s.maintenance_window.enabled,
                weekly_period=s.maintenance_window.weekly_period,
                maintenance_time=s.maintenance_window.maintenance_time,
                duration=s.maintenance_window.duration,
            ),
            operation_policy=getattr(cs, f"{resource}OperationPolicyArgs")(
                cluster_auto_upgrade=getattr(cs, f"{resource}OperationPolicyClusterAutoUpgradeArgs")(
                    enabled=auto_upgrade, channel=s.auto_upgrade_channel if auto_upgrade else None
                )
            ),
            delete_options=[
                getattr(cs, f"{resource}DeleteOptionArgs")(resource_type=t, delete_mode=m)
                for t, m in (
                    ("SLB", "delete"),
                    ("ALB", "delete"),
                    ("PrivateZone", "delete"),
                    ("SLS_Data", delete_mode),
                    ("SLS_ControlPlane", delete_mode),
                )
            ],
            tags=args.tags,
        )

    def _managed(
        self, resource_name: str, args: ClusterArgs, sub: Substrate, key_id: pulumi.Input[str] | None, opts: pulumi.ResourceOptions
    ) -> alicloud.cs.ManagedKubernetes:
        """``cs.ManagedKubernetes`` with the kind's profile (resource_alicloud_cs_managed_kubernetes.go at 81c43b67)."""
        s = args.settings
        # ack-pro-eci's ECS nodes need a CNI: Terway, whose pods take their IPs from the stack's
        # (pod) vSwitches as ECI pods do. Its NetworkPolicy option polices pods on ECS nodes only (the
        # system add-ons here); ECI pods need Poseidon (askflow.substrate.network_policy_warning).
        # The serverless profiles bring their own networking and take no network add-on.
        addons = [alicloud.cs.ManagedKubernetesAddonArgs(name="terway-eniip")] if sub.system_node_pool else None
        return alicloud.cs.ManagedKubernetes(
            resource_name,
            profile=sub.profile,
            vswitch_ids=args.vswitch_ids,
            pod_vswitch_ids=args.pod_vswitch_ids if sub.system_node_pool else None,
            addons=addons,
            # The create call sends these only when true (d.GetOk, l. 1018-1024), so false leaves
            # CreateCluster's own defaults: no NAT gateway of ACK's (egress is the network
            # component's, which the cluster waits for) and a private API server
            # (endpoint_public_access, default false). Both API defaults are false as documented on
            # CreateClusterRequest.snat_entry and .endpoint_public_access in Alibaba's own SDK
            # (alibabacloud_cs20151215 7.2.3, models/_create_cluster_request.py l. 280-287, 589-597).
            # The schema's own default for
            # slb_internet_enabled is true (l. 356-360): it must be stated, not omitted.
            new_nat_gateway=False,
            slb_internet_enabled=s.endpoint_public_access,
            **self._shared_arguments(args, key_id, "ManagedKubernetes"),
            opts=opts,
        )

    def _legacy(
        self, resource_name: str, args: ClusterArgs, key_id: pulumi.Input[str] | None, opts: pulumi.ResourceOptions
    ) -> alicloud.cs.ServerlessKubernetes:
        """The deprecated ASK resource, unchanged, so an existing cluster is not replaced."""
        s = args.settings
        return alicloud.cs.ServerlessKubernetes(
            resource_name,
            vpc_id=args.vpc_id,
            vswitch_ids=args.vswitch_ids,
            new_nat_gateway=False,  # egress is the network component's NAT gateway (or the user's)
            endpoint_public_access_enabled=s.endpoint_public_access,
            service_discovery_types=["CoreDNS"],
            **self._shared_arguments(args, key_id, "ServerlessKubernetes"),
            opts=opts,
        )

    def _system_node_pool(
        self, name: str, args: ClusterArgs, cluster: alicloud.cs.ManagedKubernetes | alicloud.cs.ServerlessKubernetes
    ) -> alicloud.cs.NodePool:
        """ECS nodes for what cannot run on ECI: CoreDNS, metrics-server, the RRSA webhook, the log
        controller and Terway. Pay-as-you-go, spread over the stack's vSwitches, auto-repaired."""
        pool = args.settings.system_node_pool
        return alicloud.cs.NodePool(
            f"{name}-system",
            cluster_id=cluster.id,
            node_pool_name=f"{args.cluster_name}-system",
            vswitch_ids=args.vswitch_ids,
            instance_types=list(pool.instance_types),
            desired_size=str(pool.size),  # a string in the provider's schema (resource_alicloud_cs_kubernetes_node_pool.go l. 158)
            multi_az_policy="BALANCE",
            instance_charge_type="PostPaid",
            image_type="AliyunLinux3",
            system_disk_category="cloud_essd",
            system_disk_size=pool.system_disk_gib,
            system_disk_encrypted=True,
            security_group_ids=[args.security_group_id],
            # So the add-ons' pods, and only theirs, land here (workflow namespaces go to ECI).
            labels=[alicloud.cs.NodePoolLabelArgs(key="askflow/pool", value="system")],
            management=alicloud.cs.NodePoolManagementArgs(enable=True, auto_repair=True),
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.depends_on),
                                        custom_timeouts=pulumi.CustomTimeouts(create="30m")),
        )


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
