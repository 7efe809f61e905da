"""The settings model: everything a stack file says, parsed once, frozen, validated.

A stack file (``environments/Pulumi.<stack>.yaml``) holds the region under ``alicloud:region`` and
everything else under one structured key, ``askflow:platform``. :func:`parse_settings` turns those
two values into a :class:`Settings`; the Pulumi program calls it once and passes the parts to the
components, which never read configuration themselves.

Defaults live here and only here. The environment class (``dev``, ``staging``, ``prod``) chooses
protective defaults (deletion protection, ``protect``, retention, versioning, HA) from
:data:`ENVIRONMENT_DEFAULTS`; a stack overrides any of them by setting the key explicitly. Where a
stack can choose, the default is the safe choice and the unsafe one must be asked for by name.
"""

from __future__ import annotations

import copy
import ipaddress
import re
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from askflow.errors import AskflowError, format_path
from askflow.regions import unknown_region
from askflow.substrate import ACK_ONE_MAX_VSWITCHES, ACK_ONE_NOT_APPLIED, ACK_ONE_REFUSED_KEYS, ClusterKind, Engine

PROJECT = "askflow"
PLATFORM_KEY = f"{PROJECT}:platform"
REGION_KEY = "alicloud:region"
SSO_CLIENT_SECRET_KEY = f"{PROJECT}:argoSsoClientSecret"

EnvironmentClass = Literal["dev", "staging", "prod"]

DNS_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
# OSS bucket names and SLS project names follow the same rule: 3-63 lowercase letters, digits and
# '-', starting and ending with a letter or digit (OSS "Bucket naming conventions"; SLS CreateProject).
OSS_BUCKET = re.compile(r"^[a-z0-9][-a-z0-9]{1,61}[a-z0-9]$")
SLS_PROJECT = OSS_BUCKET
# RAM CreateRole: RoleName is 1-64 characters.
RAM_ROLE_NAME_MAX = 64
# VPC CreateVpc: the standard private blocks or any other block except these, mask /8 to /28;
# CreateVSwitch: mask /16 to /29.
_VPC_FORBIDDEN = tuple(
    ipaddress.IPv4Network(n) for n in ("0.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4")
)
_VPC_PREFIX = (8, 28)
_VSWITCH_PREFIX = (16, 29)
# ACK (ROS ALIYUN::CS::ASKCluster ServiceCidr): 10.0.0.0/16-24, 172.16-31.0.0/16-24, 192.168.0.0/16-24.
_PRIVATE_BLOCKS = tuple(ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
_SERVICE_PREFIX = (16, 24)
# Alibaba Cloud tags: at most 20 per resource; askflow adds its own (see infra/__main__.py):
# managed-by, askflow-stack, askflow-environment, and askflow-waiver-public-endpoint on a public cluster.
MAX_TAGS = 20
ASKFLOW_TAGS = 3
#: The oldest Kubernetes askflow deploys: ValidatingAdmissionPolicy is GA (admissionregistration.k8s.io/v1) from 1.30.
MIN_KUBERNETES = (1, 30)
_K8S_VERSION = re.compile(r"^1\.\d{1,2}\.\d{1,2}(-aliyun\.\d+)?$")
_SEMVER = re.compile(r"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$")
REGION_ID = re.compile(r"^[a-z]{2}(-[a-z0-9]+)+$")
_QUANTITY = re.compile(r"^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$")
_DURATION = re.compile(r"^\d+(s|m|h|d)$")


class SettingsError(ValueError):
    """A cross-field check that failed, with the key path (relative to the model) it concerns."""

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc
        self.message = message


def _dns_label(value: str, what: str, max_len: int = 63) -> str:
    if len(value) > max_len or not DNS_LABEL.match(value):
        raise ValueError(
            f"{value!r} is not a valid {what}: use at most {max_len} lowercase letters, digits and '-', "
            "starting with a letter and ending with a letter or digit"
        )
    return value


def region_id(value: str) -> str:
    """``value`` when it is an Alibaba Cloud region id (of the committed list), else the one-line reason."""
    if not REGION_ID.match(value):
        raise ValueError(f"{value!r} is not an Alibaba Cloud region id (e.g. cn-hangzhou)")
    problem = unknown_region(value)
    if problem:
        raise ValueError(problem)
    return value


_PLACEHOLDER = re.compile(r"<[^<>]*>")


def _no_placeholder(value: str) -> str:
    """Refuse a value that still holds a placeholder such as the README's ``https://<your mirror>/...``."""
    m = _PLACEHOLDER.search(value)
    if m:
        raise ValueError(f"{value!r} still holds the placeholder {m.group(0)!r}: replace it with the real value")
    return value


#: A URL or registry address the stack file writes (never a placeholder left from an example).
Address = Annotated[str, AfterValidator(_no_placeholder)]


def _network(value: Any) -> ipaddress.IPv4Network:
    try:
        return ipaddress.IPv4Network(str(value), strict=True)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a valid IPv4 CIDR ({exc})") from None


def _prefix_in(cidr: ipaddress.IPv4Network, bounds: tuple[int, int], what: str) -> None:
    low, high = bounds
    if not low <= cidr.prefixlen <= high:
        raise ValueError(f"{cidr} is a /{cidr.prefixlen}: a {what} must be /{low} to /{high}")


def _vpc_cidr(cidr: ipaddress.IPv4Network) -> ipaddress.IPv4Network:
    """A CIDR CreateVpc accepts: mask /8-/28, none of the reserved blocks."""
    _prefix_in(cidr, _VPC_PREFIX, "VPC CIDR")
    for reserved in _VPC_FORBIDDEN:
        if cidr.overlaps(reserved):
            raise ValueError(f"{cidr} overlaps {reserved}, which a VPC cannot use (use 10.0.0.0/8, 172.16.0.0/12 "
                             "or 192.168.0.0/16)")
    return cidr


def _service_cidr(cidr: ipaddress.IPv4Network) -> ipaddress.IPv4Network:
    """A Service CIDR ACK accepts: /16-/24 inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16."""
    if not any(cidr.subnet_of(b) for b in _PRIVATE_BLOCKS):
        raise ValueError(f"{cidr} is not inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16, as ACK requires")
    _prefix_in(cidr, _SERVICE_PREFIX, "Service CIDR")
    return cidr


def _tag(key: str, value: str) -> None:
    """One tag as every tagged resource accepts it (the strictest, OSS bucket tags, for lengths)."""
    if not key:
        raise ValueError("a tag key cannot be empty")
    if len(key.encode()) > 64:
        raise ValueError(f"tag key {key!r} is {len(key.encode())} bytes: OSS bucket tags allow 64")
    if key.lower().startswith("aliyun") or key.lower().startswith("acs:"):
        raise ValueError(f"tag key {key!r} starts with a prefix Alibaba Cloud reserves (aliyun, acs:)")
    if value.lower().startswith("acs:"):
        raise ValueError(f"the value of tag {key!r} starts with acs:, which Alibaba Cloud reserves")
    if len(value.encode()) > 128:
        raise ValueError(f"the value of tag {key!r} is {len(value.encode())} bytes: tags allow 128")
    for text in (key, value):
        if "http://" in text.lower() or "https://" in text.lower():
            raise ValueError(f"tag {key!r} contains http:// or https://, which tags cannot hold")


def _quantity(value: str) -> str:
    if not _QUANTITY.match(str(value)):
        raise ValueError(f"{value!r} is not a Kubernetes quantity (e.g. 500m, 2, 4Gi)")
    return str(value)


_SUFFIX: dict[str, int | Fraction] = {"": 1, "m": Fraction(1, 1000), "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12,
           "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}


def quantity_value(value: str) -> Fraction:
    """The number a quantity :func:`_quantity` accepted stands for (``500m`` -> 1/2, ``1Gi`` -> 2**30)."""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([a-zA-Z]*)", value)
    if m is None or m.group(2) not in _SUFFIX:
        raise ValueError(f"{value!r} is not a Kubernetes quantity (e.g. 500m, 2, 4Gi)")
    return Fraction(m.group(1)) * _SUFFIX[m.group(2)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True, allow_inf_nan=False)


Cidr = Annotated[ipaddress.IPv4Network, BeforeValidator(_network)]


def matching(pattern: re.Pattern[str], what: str) -> AfterValidator:
    """A field validator: the string matches ``pattern``, else the error ``'<value>' is not <what>``.
    Used as ``Annotated[str, matching(...)]`` (here and in the bootstrap settings)."""

    def check(v: str) -> str:
        if not pattern.match(v):
            raise ValueError(f"{v!r} is not {what}")
        return v

    return AfterValidator(check)


#: The uid workflow pods run as under argo.workflow_pods_non_root (that of Argo's non-root executor
#: image, docs/workflow-pod-security-context.md).
WORKFLOW_RUN_AS_USER = 8737

_NAME_RULE = "3-63 lowercase letters, digits, '-', starting and ending with a letter or digit"
OssBucketName = Annotated[str, matching(OSS_BUCKET, f"a valid OSS bucket name ({_NAME_RULE})")]
SlsProjectName = Annotated[str, matching(SLS_PROJECT, f"a valid SLS project name ({_NAME_RULE})")]


class Protection(_Model):
    """Guards against losing state. Defaults come from the environment class."""

    protect: bool = Field(description="Pulumi `protect` on stateful resources (cluster, bucket, KMS key, logs, database). Always on in prod.")
    deletion_protection: bool = Field(description="Cloud-side deletion protection on the cluster (and database). Always on in prod.")


class Network(_Model):
    """The VPC: created by the stack (``vpc_cidr``, ``zones``, ``vswitch_cidrs``) or brought (``vpc_id``, ``vswitch_ids``)."""

    vpc_id: str | None = Field(None, description="Bring your own VPC: its id. Then `vswitch_ids` is required and nothing network-related is created.")
    vswitch_ids: tuple[str, ...] = Field((), description="Bring your own: the vSwitches (one per zone) the cluster and ECI pods use.")
    security_group_id: str | None = Field(None, description="Bring your own: the security group for ECI pods (created when unset).")
    vpc_cidr: Cidr = Field(ipaddress.IPv4Network("10.0.0.0/16"), description="CIDR of the VPC the stack creates (/8 to /28; not 100.64.0.0/10, 127.0.0.0/8, 169.254.0.0/16, 224.0.0.0/4).")
    zones: tuple[str, ...] = Field((), description="Zones of the region, one vSwitch each (at least two in prod).")
    vswitch_cidrs: tuple[Cidr, ...] = Field((), description="One CIDR per zone (/16 to /29), inside `vpc_cidr`. ECI pods take their IPs from these.")
    pod_vswitch_cidrs: tuple[Cidr, ...] = Field((), description="Optional extra vSwitches (one per zone, /16 to /29) reserved for ECI pods; inside `vpc_cidr`.")
    enable_nat_gateway: bool = Field(True, description="Internet egress (NAT gateway, EIP, one SNAT entry per vSwitch) for image pulls.")
    # AllocateEipAddress: a pay-as-you-go EIP billed by traffic (what the network component creates) allows 1-200 Mbit/s.
    eip_bandwidth_mbps: int = Field(100, ge=1, le=200, description="Bandwidth of the egress EIP (pay-by-traffic: 1 to 200 Mbit/s).")

    @property
    def bring_your_own(self) -> bool:
        return self.vpc_id is not None

    @field_validator("vpc_cidr")
    @classmethod
    def _vpc(cls, v: ipaddress.IPv4Network) -> ipaddress.IPv4Network:
        return _vpc_cidr(v)

    @field_validator("vswitch_cidrs", "pod_vswitch_cidrs")
    @classmethod
    def _vswitches(cls, v: tuple[ipaddress.IPv4Network, ...]) -> tuple[ipaddress.IPv4Network, ...]:
        for i, cidr in enumerate(v):
            if not _VSWITCH_PREFIX[0] <= cidr.prefixlen <= _VSWITCH_PREFIX[1]:
                raise SettingsError((i,), f"{cidr} is a /{cidr.prefixlen}: a vSwitch CIDR must be /16 to /29")
        return v

    @model_validator(mode="after")
    def _check(self) -> Network:
        if self.bring_your_own:
            if not self.vswitch_ids:
                raise SettingsError(("vswitch_ids",), "is required when vpc_id is set (bring your own network)")
            for key in ("zones", "vswitch_cidrs", "pod_vswitch_cidrs"):
                if getattr(self, key):
                    raise SettingsError((key,), "must be empty when vpc_id is set: the stack creates no network")
            return self
        if self.vswitch_ids or self.security_group_id:
            key = "vswitch_ids" if self.vswitch_ids else "security_group_id"
            raise SettingsError((key,), "is only for bring-your-own networks: set vpc_id too, or remove it")
        if not self.zones:
            raise SettingsError(("zones",), "list at least one zone (two or more in prod)")
        if len(set(self.zones)) != len(self.zones):
            raise SettingsError(("zones",), "lists a zone twice")
        for key in ("vswitch_cidrs", "pod_vswitch_cidrs"):
            cidrs = getattr(self, key)
            if (cidrs or key == "vswitch_cidrs") and len(cidrs) != len(self.zones):
                raise SettingsError((key,), f"has {len(cidrs)} entries for {len(self.zones)} zones: give one per zone")
        seen: list[tuple[tuple[str | int, ...], ipaddress.IPv4Network]] = []
        for key in ("vswitch_cidrs", "pod_vswitch_cidrs"):
            for i, cidr in enumerate(getattr(self, key)):
                if not cidr.subnet_of(self.vpc_cidr):
                    raise SettingsError((key, i), f"{cidr} is outside vpc_cidr {self.vpc_cidr}")
                for other_loc, other in seen:
                    if cidr.overlaps(other):
                        raise SettingsError((key, i), f"{cidr} overlaps {format_path(other_loc)} {other}")
                seen.append(((key, i), cidr))
        return self


class MaintenanceWindow(_Model):
    """When ACK may upgrade the control plane and add-ons."""

    enabled: bool = Field(True, description="Restrict maintenance to the window below.")
    weekly_period: str = Field("Thursday", description="Comma-separated weekdays (e.g. `Tuesday,Thursday`).")
    maintenance_time: str = Field("2026-01-01T03:00:00.000+08:00", description="Start time (RFC 3339; only the time of day matters).")
    duration: str = Field("3h", description="Length of the window.")

    @field_validator("weekly_period")
    @classmethod
    def _days(cls, v: str) -> str:
        days = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
        bad = [d for d in v.split(",") if d.strip() not in days]
        if bad:
            raise ValueError(f"{bad[0]!r} is not a weekday (Monday … Sunday)")
        return v


class SystemNodePool(_Model):
    """The small ECS node pool of an `ack-pro-eci` cluster, for its system add-ons only."""

    instance_types: tuple[str, ...] = Field(("ecs.u1-c1m2.large", "ecs.c7.large", "ecs.c6.large"), min_length=1, max_length=10, description="ECS instance types, in order of preference (2 vCPU / 4 GiB each by default; several, so one out of stock does not stop the pool).")
    size: int = Field(ge=1, le=10, description="Nodes in the pool (spread over the stack's zones). Two keep CoreDNS and the add-ons up through a node's loss.")
    system_disk_gib: int = Field(40, ge=20, le=2048, description="System disk per node (ESSD).")

    @field_validator("instance_types")
    @classmethod
    def _types(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for t in v:
            if not re.fullmatch(r"ecs\.[a-z0-9-]+\.[a-z0-9]+", t):
                raise ValueError(f"{t!r} is not an ECS instance type (e.g. ecs.c7.large)")
        return v


class Cluster(_Model):
    """The Kubernetes cluster; workflow pods run on serverless compute (ECI or ACS)."""

    kind: ClusterKind = Field("ack-pro-eci", description="Compute substrate: `ack-pro-eci` (ACK Pro, pods on ECI through virtual nodes, a small node pool for system add-ons), `acs` (an ACS cluster), `ask` (ACK Serverless, for accounts that may still create it) or `ask-legacy` (the deprecated resource, only for clusters that exist). Changing it replaces the cluster.")
    system_node_pool: SystemNodePool = Field(description="ECS nodes for the system add-ons of an `ack-pro-eci` cluster (ignored by the other kinds).")
    kubernetes_version: str = Field("1.33.3-aliyun.1", description="Kubernetes version the cluster is created at (ACK's version string); with an auto-upgrade channel ACK moves it from there.")
    cluster_spec: Literal["ack.pro.small", "ack.standard"] = Field("ack.pro.small", description="Pro (SLA, managed etcd backups) unless `ack.standard` is asked for.")
    service_cidr: Cidr = Field(ipaddress.IPv4Network("172.16.0.0/16"), description="Kubernetes Service CIDR: /16 to /24 inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16; must not overlap the VPC. Immutable.")
    endpoint_public_access: bool = Field(False, description="Expose the API server on the internet. Unsafe: needs `public_endpoint_reason`.")
    public_endpoint_reason: str | None = Field(None, description="Why the API server must be public (the policy waiver, recorded in the plan).")
    kms_key_id: str | None = Field(None, description="KMS key to encrypt Secrets with; a key with rotation is created when unset.")
    auto_upgrade_channel: Literal["none", "patch", "stable", "rapid"] = Field("patch", description="ACK auto-upgrade channel (`none` turns it off).")
    maintenance_window: MaintenanceWindow = Field(default_factory=MaintenanceWindow, description="Maintenance window.")
    enable_pod_identity_webhook: bool = Field(True, description="Install `ack-pod-identity-webhook` (RRSA tokens for pods). Needed by Argo's OSS access.")
    enable_log_collection: bool = Field(description="Install the log add-on of the kind (`logtail-ds` on `ack-pro-eci`, `alibaba-log-controller` on the serverless kinds): pod logs to SLS.")
    enable_prometheus: bool = Field(description="Install managed Prometheus (`arms-prometheus`; `acs-arms-prometheus` on `acs`).")
    allow_replacement: bool = Field(False, description="Let `askflow plan --against` accept a change that replaces or deletes the (protected) cluster and what depends on it.")

    @field_validator("service_cidr")
    @classmethod
    def _service(cls, v: ipaddress.IPv4Network) -> ipaddress.IPv4Network:
        return _service_cidr(v)

    @field_validator("kubernetes_version")
    @classmethod
    def _version(cls, v: str) -> str:
        if not _K8S_VERSION.match(v):
            raise ValueError(f"{v!r} does not look like an ACK Kubernetes version (e.g. 1.33.3-aliyun.1)")
        # The cluster always has RRSA on (enable_rrsa), which needs Kubernetes 1.22.3 or later
        # (terraform-provider-alicloud, alicloud_cs_serverless_kubernetes), and tenant namespaces rely
        # on Pod Security admission, on by default from 1.23 and GA in 1.25.
        # Each tenant namespace is guarded by a ValidatingAdmissionPolicy (artifact keys stay inside the
        # tenant's prefix), GA as admissionregistration.k8s.io/v1 in 1.30
        # (https://kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/).
        if tuple(int(n) for n in v.split("-", 1)[0].split(".")) < MIN_KUBERNETES:
            raise ValueError(f"{v!r} is older than 1.30: askflow relies on ValidatingAdmissionPolicy (GA in 1.30; "
                             "it keeps each tenant's artifact keys in its prefix), Pod Security admission and RRSA")
        return v

    @model_validator(mode="after")
    def _check(self) -> Cluster:
        if self.endpoint_public_access and not (self.public_endpoint_reason or "").strip():
            raise SettingsError(
                ("public_endpoint_reason",),
                "is required when endpoint_public_access is true: say why the API server must be public",
            )
        return self


class Eci(_Model):
    """Defaults for ECI pods (through the cluster's eci-profile); tenants may override."""

    spot_strategy: Literal["none", "SpotAsPriceGo", "SpotWithPriceLimit"] = Field("none", description="Spot instances for pods (`none`: pay-as-you-go).")
    spot_price_limit: float | None = Field(None, gt=0, description="Hourly price cap, only with `SpotWithPriceLimit`.")
    spot_fallback: bool = Field(True, description="Fall back to pay-as-you-go when spot stock runs out.")
    instance_specs: tuple[str, ...] = Field((), description="Fallback list of specs (`2-4Gi`, `ecs.c6.xlarge`); empty lets ECI size from requests.")

    @model_validator(mode="after")
    def _check(self) -> Eci:
        if (self.spot_price_limit is not None) != (self.spot_strategy == "SpotWithPriceLimit"):
            raise SettingsError(("spot_price_limit",), "is set exactly when spot_strategy is SpotWithPriceLimit")
        return self


class Storage(_Model):
    """The OSS bucket for Argo artifacts and logs."""

    bucket_name: OssBucketName | None = Field(None, description="Bucket name (globally unique); default `<name>-<region>-artifacts`.")
    redundancy: Literal["LRS", "ZRS"] = Field(description="OSS redundancy.")
    versioning: bool = Field(description="Bucket versioning. Always on in prod.")
    kms_key_id: str | None = Field(None, description="KMS key for server-side encryption (SSE-KMS); AES256 when unset.")
    artifact_retention_days: int = Field(ge=1, description="Artifacts and archived logs expire after this many days.")
    uploads_retention_days: int = Field(1, ge=1, description="Argo UI uploads under `uploads/` expire after this many days.")
    noncurrent_version_days: int = Field(ge=1, description="Old object versions expire after this many days.")
    abort_multipart_days: int = Field(2, ge=1, description="Incomplete multipart uploads are aborted after this many days.")
    force_destroy: bool = Field(description="Let `pulumi destroy` delete a non-empty bucket. Only allowed in dev.")
    enable_artifact_gc: bool = Field(False, description="Argo artifact garbage collection (grants `oss:DeleteObject` to executors).")


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AlertContact(_Model):
    """Someone (or a chat group) that receives the stack's alerts through ARMS.

    Kinds are what pulumi-alicloud can create: an ARMS alert contact with an email, or an ARMS alert
    robot (DingTalk, Lark, WeCom). A plain webhook is not offered: a dispatch rule notifies only
    ``ARMS_ROBOT``, ``ARMS_CONTACT`` or ``ARMS_CONTACT_GROUP`` objects (terraform-provider-alicloud
    ``alicloud/resource_alicloud_arms_dispatch_rule.go`` l. 123 at 81c43b67)."""

    name: str = Field(description="Name of the contact or robot in ARMS (a DNS label).")
    kind: Literal["email", "dingtalk", "lark", "wechat"] = Field(description="`email`, or a chat robot: `dingtalk`, `lark` (Feishu), `wechat` (WeCom).")
    address: Address = Field(description="The email address, or the robot's webhook URL (https).")

    @model_validator(mode="after")
    def _check(self) -> AlertContact:
        _dns_label(self.name, "name")
        if self.kind == "email" and not _EMAIL.match(self.address):
            raise SettingsError(("address",), f"{self.address!r} is not an email address")
        if self.kind != "email" and not self.address.startswith("https://"):
            raise SettingsError(("address",), f"a {self.kind} robot needs its webhook URL (https://...), found {self.address!r}")
        return self


class Observability(_Model):
    """Logs to SLS, and who receives alerts."""

    log_retention_days: int = Field(ge=1, le=3650, description="SLS logstore retention.")
    sls_project_name: SlsProjectName | None = Field(None, description="SLS project (globally unique; 3-63 lowercase letters, digits, '-'); default `<name>-<region>-logs`.")
    alert_contacts: tuple[AlertContact, ...] = Field((), description="Who receives the alerts (`alerts`): email or DingTalk/Lark/WeCom robots. None by default; prod refuses to plan without one.")
    archive_logs: bool = Field(True, description="Argo archives each step's main log to the tenant's OSS artifact repository (`archiveLogs`); `askflow logs` prints where.")


class Alerts(_Model):
    """Alert rules on Argo's controller metrics in ARMS Prometheus (with `cluster.enable_prometheus`)."""

    workflow_failures: int = Field(ge=1, description="Failed or errored workflows in one tenant namespace within `window_minutes` that raise an alert.")
    window_minutes: int = Field(ge=1, le=1440, description="Window over which failures, controller errors and skipped CronWorkflow runs are counted.")
    pod_pending_minutes: int = Field(ge=1, le=1440, description="Workflow pods pending this long (ECI capacity, quota) raise an alert.")
    queue_depth: int = Field(ge=1, description="Depth of the controller's workflow queue that raises an alert when held for `queue_minutes`.")
    queue_minutes: int = Field(ge=1, le=1440, description="How long the queue depth must hold.")


class Resources(_Model):
    cpu: str = Field(description="CPU request (and limit for memory-bound pods).")
    memory: str = Field(description="Memory request and limit.")

    _q = field_validator("cpu", "memory")(classmethod(lambda cls, v: _quantity(v)))


class Sso(_Model):
    """Argo server SSO (OIDC). The client secret is the Pulumi secret `askflow:argoSsoClientSecret`."""

    issuer: Address = Field(description="OIDC issuer URL.")
    client_id: str = Field(description="OIDC client id.")
    redirect_url: Address = Field(description="Callback URL, `https://<argo host>/oauth2/callback`.")
    scopes: tuple[str, ...] = Field(("groups",), description="Extra scopes.")
    rbac: bool = Field(True, description="Map SSO groups to service accounts (Argo SSO RBAC). Always on: off, every "
                       "SSO user would act as argo-server itself, as auth mode `server` does.")

    @field_validator("rbac")
    @classmethod
    def _rbac(cls, v: bool) -> bool:
        if v is not True:
            raise ValueError("cannot be false: every SSO user would act with argo-server's own permissions (as auth "
                             "mode `server`, which askflow never allows); map groups to service accounts instead")
        return v


ImageDigest = Annotated[str, matching(re.compile(r"^sha256:[0-9a-f]{64}$"), "an image digest (sha256: and 64 hex digits)")]

#: Where the CRD job of chart 1.0.18 downloads the full CRDs: the chart's own files at the commit its
#: release tag argo-workflows-1.0.18 points to (argoproj/argo-helm 4f4cc4f9...; the chart's default
#: URL names the tag, which can be moved). A commit names its content by hash, so what is applied is
#: what was reviewed; the chart's job runs `kubectl apply -f URL` and cannot check a checksum itself
#: (charts/argo-workflows/templates/crds-install-job.yaml). Bumping chart_version means bumping this.
ARGO_CRD_BASE_URL = (
    "https://raw.githubusercontent.com/argoproj/argo-helm/4f4cc4f9605668855e2303c9805f09ac4360f35e/"
    "charts/argo-workflows/files/crds/full"
)
ARGO_CRD_CHART = "1.0.18"


class ArgoImageDigests(_Model):
    """Digests that pin Argo's images beyond their tag (`image_tag@digest`; the chart accepts that as a
    tag, templates/_helpers.tpl). Take them from the registry the cluster pulls from (your mirror's
    `crane digest`/ACR console): none are set by default because no source readable offline publishes
    Argo's digests."""

    controller: ImageDigest | None = Field(None, description="Digest of workflow-controller:<image_tag>.")
    server: ImageDigest | None = Field(None, description="Digest of argocli:<image_tag> (argo-server).")
    executor: ImageDigest | None = Field(None, description="Digest of argoexec:<image_tag> (every workflow pod).")


class Argo(_Model):
    """Argo Workflows from its Helm chart, and the controller's defaults."""

    engine: Engine = Field("self-managed", description="`self-managed` (Argo from its Helm chart on the cluster of `cluster.kind`) or `ack-one` (an ACK One workflow cluster: Alibaba's managed Argo; no chart, no archive database, no cluster of `cluster.kind`). Changing it is a migration: see \"Moving to the managed engine\".")
    rrsa_oidc_issuer_url: Address | None = Field(None, description="`ack-one` only: the RRSA OIDC issuer URL of the workflow cluster, if your account has one (Alibaba documents none and the provider reports none). With `rrsa_oidc_provider_arn`, tenants' RAM roles trust it as on the self-managed engine; without them the stack creates no RRSA roles and workflow pods get no OSS credentials (the plan warns).")
    rrsa_oidc_provider_arn: str | None = Field(None, description="`ack-one` only: the RAM OIDC provider (`acs:ram::<account>:oidc-provider/<name>`) for `rrsa_oidc_issuer_url`.")
    chart_version: str = Field("1.0.18", description="argo-workflows chart version. 1.0.18 (appVersion v4.0.6) runs v4.0.10 through image_tag: no chart ships v4.0.9+ (1.0.22 has v4.0.8, 1.1.0 moved to v4.1), and Argo's manifests (CRDs, RBAC) are unchanged from v4.0.6 to v4.0.10.")
    chart_repository: Address = Field("https://argoproj.github.io/argo-helm", description="Helm repository (point at a mirror in China regions).")
    image_registry: Address = Field("quay.io", description="Registry for Argo's images (an ACR mirror in China regions).")
    image_tag: str = Field("v4.0.10", description="Argo's image tag, pinned (v4.0.10: security fixes over the chart's v4.0.6), set as the chart's `images.tag`.")
    image_digests: ArgoImageDigests = Field(default_factory=ArgoImageDigests, description="Optional digests that pin the controller, server and executor images beyond the tag.")
    kubectl_image: Address = Field("registry.k8s.io/kubectl", description="Image of the chart's CRD install job (mirror it in China regions).")
    crd_base_url: Address = Field(ARGO_CRD_BASE_URL, description="Where the chart's CRD job downloads the full CRDs (https): by default the chart's files at a commit of argo-helm, so the content is fixed; a mirror of those files in China regions (`askflow crds --stack NAME --verify` checks it against the recorded sha256 digests).")
    namespace: str = Field("argo", description="Namespace of the controller and server.")
    auth_mode: Literal["client", "sso"] = Field("client", description="Argo server auth. `server` mode is never allowed.")
    sso: Sso | None = Field(None, description="SSO settings, required when auth_mode is sso.")
    enable_private_load_balancer: bool = Field(False, description="An intranet SLB in front of argo-server.")
    enable_archive: bool = Field(description="Workflow archive in ApsaraDB RDS for PostgreSQL.")
    archive_ttl: str = Field("30d", description="How long archived workflows are kept.")
    archive_instance_type: str = Field(description="ApsaraDB RDS for PostgreSQL instance class of the archive.")
    archive_category: Literal["Basic", "HighAvailability"] = Field(description="RDS edition: HighAvailability keeps a standby in another zone.")
    ttl_after_success_seconds: int = Field(ge=0, description="Delete a workflow this long after it succeeds.")
    ttl_after_failure_seconds: int = Field(ge=0, description="Delete a workflow this long after it fails.")
    pod_gc_strategy: Literal["OnPodCompletion", "OnPodSuccess", "OnWorkflowCompletion", "OnWorkflowSuccess"] = Field(description="When pods are deleted.")
    active_deadline_seconds: int = Field(ge=60, description="Default deadline of a workflow.")
    retention_completed: int = Field(ge=0, description="Completed workflows kept per namespace.")
    retention_failed: int = Field(ge=0, description="Failed workflows kept.")
    retention_errored: int = Field(ge=0, description="Errored workflows kept.")
    parallelism: int = Field(ge=1, description="Workflows running at once, cluster-wide.")
    namespace_parallelism: int = Field(ge=1, description="Workflows running at once per namespace.")
    template_referencing: Literal["None", "Secure", "Strict"] = Field(description="`workflowRestrictions.templateReferencing`.")
    workflow_pods_non_root: bool = Field(
        True, description=f"Workflow pods run as uid {WORKFLOW_RUN_AS_USER}, non-root, and their main containers drop every capability "
        "and privilege escalation (Argo's defaults: the image's user, often root, and the runtime's capabilities). "
        "A template's own pod `securityContext` replaces the pod part; a workflow-level one is merged with it, so "
        "one that runs as root also sets `runAsNonRoot: false`. Off: Argo's defaults.")
    controller_replicas: int = Field(ge=1, description="Controller replicas (leader election).")
    server_replicas: int = Field(ge=1, description="argo-server replicas.")
    controller_resources: Resources = Field(description="Controller requests (Alibaba: at least 2 vCPU / 4 GiB in prod).")
    server_resources: Resources = Field(description="argo-server requests.")

    @field_validator("chart_version")
    @classmethod
    def _semver(cls, v: str) -> str:
        if not _SEMVER.match(v):
            raise ValueError(f"{v!r} is not a chart version (semver, e.g. 1.0.18)")
        return v

    @field_validator("crd_base_url")
    @classmethod
    def _https(cls, v: str) -> str:
        if not v.startswith("https://"):
            raise ValueError(f"{v!r} is not an https:// URL: the CRD job applies what it downloads, so the "
                             "download must be authenticated")
        return v.rstrip("/")

    @field_validator("archive_ttl")
    @classmethod
    def _ttl(cls, v: str) -> str:
        if not _DURATION.match(v):
            raise ValueError(f"{v!r} is not a duration (e.g. 30d, 12h)")
        return v

    @model_validator(mode="after")
    def _check(self) -> Argo:
        _dns_label(self.namespace, "namespace")
        if self.auth_mode == "sso" and self.sso is None:
            raise SettingsError(("sso",), "is required when auth_mode is sso (issuer, client_id, redirect_url)")
        if (self.rrsa_oidc_issuer_url is None) != (self.rrsa_oidc_provider_arn is None):
            key = "rrsa_oidc_provider_arn" if self.rrsa_oidc_provider_arn is None else "rrsa_oidc_issuer_url"
            raise SettingsError((key,), "is required with the other rrsa_oidc_* key: set both or neither")
        if self.rrsa_oidc_issuer_url is not None and self.engine != "ack-one":
            raise SettingsError(("rrsa_oidc_issuer_url",), "is for engine ack-one only: the self-managed engine's "
                                "cluster reports its own issuer; remove it")
        if self.rrsa_oidc_issuer_url is not None and not self.rrsa_oidc_issuer_url.startswith("https://"):
            raise SettingsError(("rrsa_oidc_issuer_url",), f"{self.rrsa_oidc_issuer_url!r} is not an https:// URL")
        if self.rrsa_oidc_provider_arn is not None and not re.fullmatch(
                r"acs:ram::\d+:oidc-provider/[A-Za-z0-9._-]+", self.rrsa_oidc_provider_arn):
            raise SettingsError(("rrsa_oidc_provider_arn",), f"{self.rrsa_oidc_provider_arn!r} is not a RAM OIDC "
                                "provider ARN (acs:ram::<account id>:oidc-provider/<name>)")
        if self.parallelism < self.namespace_parallelism:
            raise SettingsError(("namespace_parallelism",), "is larger than parallelism")
        if self.crd_base_url == ARGO_CRD_BASE_URL and self.chart_version != ARGO_CRD_CHART:
            raise SettingsError(("crd_base_url",), f"the default holds chart {ARGO_CRD_CHART}'s CRDs: with chart_version "
                                f"{self.chart_version} set it to that chart's files at its release commit, and record "
                                "their digests in askflow/crds/data")
        return self


class TenantEci(_Model):
    spot_strategy: Literal["none", "SpotAsPriceGo", "SpotWithPriceLimit"] | None = Field(None, description="Override the stack's spot strategy.")
    spot_price_limit: float | None = Field(None, gt=0, description="Price cap with SpotWithPriceLimit.")
    spot_fallback: bool | None = Field(None, description="Override the stack's spot fallback.")
    instance_specs: tuple[str, ...] | None = Field(None, description="Override the stack's instance specs.")

    @model_validator(mode="after")
    def _check(self) -> TenantEci:
        if self.spot_strategy is not None and (self.spot_price_limit is not None) != (self.spot_strategy == "SpotWithPriceLimit"):
            raise SettingsError(("spot_price_limit",), "is set exactly when spot_strategy is SpotWithPriceLimit")
        if self.spot_strategy is None and self.spot_price_limit is not None:
            raise SettingsError(("spot_price_limit",), "needs spot_strategy: SpotWithPriceLimit beside it")
        return self


class Quota(_Model):
    cpu: str = Field("64", description="Total CPU requests in the namespace.")
    memory: str = Field("256Gi", description="Total memory requests.")
    limits_cpu: str | None = Field(None, description="Total CPU limits in the namespace (ECI sizes and bills a pod whose containers have limits by those limits); default: `cpu`.")
    limits_memory: str | None = Field(None, description="Total memory limits; default: `memory`.")
    pods: int = Field(500, ge=1, description="Pods at once.")

    _q = field_validator("cpu", "memory", "limits_cpu", "limits_memory")(
        classmethod(lambda cls, v: v if v is None else _quantity(v)))

    @property
    def limits(self) -> Resources:
        """The totals of limits the ResourceQuota holds the namespace to."""
        return Resources(cpu=self.limits_cpu or self.cpu, memory=self.limits_memory or self.memory)

    @model_validator(mode="after")
    def _check(self) -> Quota:
        # A container's limit is never below its request: limits below the requests' total would
        # make the requests' total unreachable (and the quota say something it does not mean).
        for key, request in (("limits_cpu", self.cpu), ("limits_memory", self.memory)):
            limit = getattr(self, key)
            if limit is not None and quantity_value(limit) < quantity_value(request):
                raise SettingsError((key,), f"{limit!r} is below the requests' total {request!r} "
                                            f"({key.split('_')[1]}): a container's limit is never below its request")
        return self


#: Names a tenant cannot take, and why: prefixes of the artifact bucket the platform writes
#: (a tenant's executors read and write ``<tenant>/``), and namespaces Kubernetes owns.
RESERVED_TENANT_NAMES = {
    "uploads": "the bucket prefix of Argo UI uploads (uploads/<namespace>/), which would be every tenant's",
    "access-logs": "the bucket prefix of the bucket's own access logs",
    "default": "Kubernetes namespace",
}


class Tenant(_Model):
    """A team: a namespace with its own identity, quota and queues (instead of a batch job queue)."""

    name: str = Field(description="Namespace name (DNS label).")
    queues: dict[str, int] = Field(default_factory=lambda: {"default": 10}, description="Named queues and their concurrency (Argo semaphores).")
    quota: Quota = Field(default_factory=Quota, description="ResourceQuota of the namespace.")
    default_request: Resources = Field(default_factory=lambda: Resources(cpu="500m", memory="1Gi"), description="LimitRange default requests (ECI sizes a pod from its containers' requests when they set no limits).")
    default_limit: Resources | None = Field(None, description="LimitRange default limits of a container that sets none; default: `default_request`. The quota counts limits, so every container gets one; ECI sizes (and bills) a pod with limits by them, and a default equal to the request sizes it as the request would. A container that requests more than this must set its own limit.")
    container_max: Resources = Field(default_factory=lambda: Resources(cpu="16", memory="64Gi"), description="LimitRange `max`: the largest limit one container may have.")
    users_group: str | None = Field(None, description="Kubernetes group whose members may submit and read workflows in the namespace (RBAC Role `askflow-tenant-user`); default `askflow:<name>:users`.")
    eci: TenantEci = Field(default_factory=TenantEci, description="Per-tenant ECI overrides.")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        v = _dns_label(v, "tenant name", 40)
        # A tenant's name is its namespace and its prefix in the artifact bucket: not a namespace
        # Kubernetes owns, nor a prefix the platform writes (its executors would read and write it).
        if v in RESERVED_TENANT_NAMES or v.startswith("kube-"):
            raise ValueError(f"{v!r} is reserved ({RESERVED_TENANT_NAMES[v] if v in RESERVED_TENANT_NAMES else 'Kubernetes namespace'}); pick another tenant name")
        return v

    @field_validator("users_group")
    @classmethod
    def _group(cls, v: str | None) -> str | None:
        if v is not None and (not v.strip() or v.startswith("system:")):
            raise ValueError(f"{v!r} is not a group askflow binds: use a group of your identity provider or RAM "
                             "(not empty, not a Kubernetes system: group, which holds every user or every node)")
        return v

    @property
    def limits(self) -> Resources:
        """The LimitRange's default limits."""
        return self.default_limit or self.default_request

    @property
    def group(self) -> str:
        return self.users_group or f"askflow:{self.name}:users"

    @model_validator(mode="after")
    def _check(self) -> Tenant:
        # The API server refuses a LimitRange whose default request exceeds its default limit, or
        # whose default limit exceeds max (https://kubernetes.io/docs/concepts/policy/limit-range/).
        for kind in ("cpu", "memory"):
            request = getattr(self.default_request, kind)
            limit = getattr(self.limits, kind)
            top = getattr(self.container_max, kind)
            key = "default_limit" if self.default_limit is not None else "default_request"
            if quantity_value(request) > quantity_value(limit):
                raise SettingsError(("default_request", kind), f"{request!r} is above default_limit.{kind} {limit!r}")
            if quantity_value(limit) > quantity_value(top):
                raise SettingsError((key, kind), f"{limit!r} is above container_max.{kind} {top!r}")
        return self

    @field_validator("queues")
    @classmethod
    def _queues(cls, v: dict[str, int]) -> dict[str, int]:
        for key, limit in v.items():
            _dns_label(key, "queue name")
            if limit < 1:
                raise ValueError(f"queue {key!r} has concurrency {limit}: use 1 or more")
        return dict(sorted(v.items()))


class Templates(_Model):
    """Which WorkflowTemplate versions of `workflows/` this stack deploys."""

    deploy: Literal["all"] | tuple[str, ...] = Field("all", description="`all`, or deployed names (`etl-v2`) or template names (`etl`: every version).")
    crons: Literal["all"] | tuple[str, ...] = Field("all", description="`all`, or CronWorkflow names.")

    @field_validator("deploy", "crons", mode="before")
    @classmethod
    def _all_or_list(cls, v: Any) -> Any:
        if isinstance(v, str) and v != "all":
            raise ValueError(f"{v!r} is neither `all` nor a list; write [{v}] for a list of one")
        if not isinstance(v, str | list | tuple):
            raise ValueError(f"{v!r} is neither `all` nor a list of names")
        return v
    namespaces: tuple[str, ...] | None = Field(None, description="Tenant namespaces that get the library (default: every tenant).")
    enable_image_cache: bool = Field(False, description="An ECI image cache covering every image a workflow pod pulls: the deployed templates' and CronWorkflows' images and Argo's executor (`argoexec`); an image known only at run time is a plan warning.")
    image_cache_size_gib: int = Field(20, ge=20, le=500, description="Size of each image cache.")


class Settings(_Model):
    """Everything a stack deploys. Parsed from `alicloud:region` and `askflow:platform`."""

    environment: EnvironmentClass = Field(description="Environment class: dev, staging or prod. Sets protective defaults.")
    name: str = Field(description="Prefix of every physical name (cluster, bucket, roles); unique per stack.")
    region: str = Field(description="Alibaba Cloud region (from `alicloud:region`).")
    tags: dict[str, str] = Field(default_factory=dict, description="Tags on every taggable cloud resource: at most 17 (16 with a public API endpoint; Alibaba Cloud allows 20 per resource and askflow adds its own), keys up to 64 bytes and not starting with `aliyun` or `acs:`, values up to 128 bytes.")
    protection: Protection
    network: Network
    cluster: Cluster
    eci: Eci = Field(default_factory=Eci)
    storage: Storage
    observability: Observability
    alerts: Alerts
    argo: Argo
    tenants: tuple[Tenant, ...] = Field(description="Teams; each gets a namespace.")
    templates: Templates = Field(default_factory=Templates)

    @model_validator(mode="before")
    @classmethod
    def _environment_defaults(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        _refuse_on_managed_engine(data)
        env = data.get("environment")
        defaults = ENVIRONMENT_DEFAULTS.get(env) if isinstance(env, str) else None
        return deep_merge(defaults, data) if defaults else data

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return _dns_label(v, "stack name prefix", 24)

    @field_validator("tags")
    @classmethod
    def _tags(cls, v: dict[str, str]) -> dict[str, str]:
        for key, value in v.items():
            if key.startswith("askflow-") or key == "managed-by":
                raise ValueError(f"tag {key!r} is reserved: askflow sets it (the policy rules read it)")
            _tag(key, value)
        return v

    @field_validator("region")
    @classmethod
    def _region(cls, v: str) -> str:
        return region_id(v)

    @model_validator(mode="after")
    def _check(self) -> Settings:
        net = self.network
        for i, zone in enumerate(net.zones):
            rest = zone[len(self.region):] if zone.startswith(self.region) else None
            # cn-hangzhou-j; a region ending in a digit may also run the letter on (ap-southeast-1a).
            if rest is None or not re.fullmatch(r"-[a-z]" if not self.region[-1:].isdigit() else r"-?[a-z]", rest):
                raise SettingsError(("network", "zones", i),
                                    f"{zone!r} is not a zone of region {self.region} (e.g. {self.region}-j)")
        ours = ASKFLOW_TAGS + (1 if self.cluster.endpoint_public_access else 0)
        if len(self.tags) + ours > MAX_TAGS:
            raise SettingsError(("tags",), f"has {len(self.tags)} tags; askflow adds {ours} and Alibaba Cloud allows "
                                           f"{MAX_TAGS} per resource: keep at most {MAX_TAGS - ours}")
        if self.environment == "prod":
            # The policy rules (askflow.policies.rules) refuse these in prod without a waiver:
            # refuse them here, before a stack file that can never deploy is written.
            for path, value in ((("protection", "protect"), self.protection.protect),
                                (("protection", "deletion_protection"), self.protection.deletion_protection),
                                (("storage", "versioning"), self.storage.versioning)):
                if value is False:
                    raise SettingsError(path, "cannot be false in prod (the policy rules refuse it): remove it")
            zones = len(net.vswitch_ids) if net.bring_your_own else len(net.zones)
            if zones < 2:
                key = "vswitch_ids" if net.bring_your_own else "zones"
                raise SettingsError(("network", key), "prod needs at least two zones (one vSwitch each) for availability")
        if not net.bring_your_own and self.cluster.service_cidr.overlaps(net.vpc_cidr):
            raise SettingsError(
                ("cluster", "service_cidr"), f"{self.cluster.service_cidr} overlaps network.vpc_cidr {net.vpc_cidr}"
            )
        if self.storage.force_destroy and self.environment != "dev":
            raise SettingsError(("storage", "force_destroy"), f"is never allowed in {self.environment}: remove it")
        if not self.tenants:
            raise SettingsError(("tenants",), "list at least one tenant (a team and its namespace)")
        names = [t.name for t in self.tenants]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise SettingsError(("tenants", i, "name"), f"tenant {name!r} is listed twice")
            if name == self.argo.namespace:
                raise SettingsError(("tenants", i, "name"), f"{name!r} is Argo's own namespace; pick another")
        for i, ns in enumerate(self.templates.namespaces or ()):
            if ns not in names:
                raise SettingsError(("templates", "namespaces", i), f"{ns!r} is not a tenant ({', '.join(names)})")
        if self.storage.bucket_name is None and not OSS_BUCKET.match(self.bucket_name):
            raise SettingsError(("storage", "bucket_name"), f"the default {self.bucket_name!r} is too long: set bucket_name")
        if self.observability.sls_project_name is None and not SLS_PROJECT.match(self.sls_project_name):
            raise SettingsError(("observability", "sls_project_name"),
                                f"the default {self.sls_project_name!r} is too long: set sls_project_name")
        roles = self.ram_role_names
        for i, tenant in enumerate(self.tenants):
            full = f"{self.name}-{tenant.name}-executor"
            if roles[i] in roles[:i] + roles[i + 1:] and len(full) > RAM_ROLE_NAME_MAX:
                raise SettingsError(("tenants", i, "name"),
                                    f"makes the RAM role name {full!r} ({len(full)} characters), which RAM's limit of "
                                    f"{RAM_ROLE_NAME_MAX} cuts to {roles[i]!r}, the name of another role of this "
                                    "stack: shorten the tenant name")
        self._check_kind()
        self._check_engine()
        if self.environment == "prod" and not self.observability.alert_contacts:
            raise SettingsError(("observability", "alert_contacts"),
                                "prod needs at least one alert contact (email, dingtalk, lark or wechat): alerts nobody receives are not monitoring")
        if self.cluster.endpoint_public_access and self.cluster.public_endpoint_reason:
            # The reason travels as the cluster tag askflow-waiver-public-endpoint (cut to 128).
            try:
                _tag("askflow-waiver-public-endpoint", self.cluster.public_endpoint_reason[:128])
            except ValueError as exc:
                raise SettingsError(("cluster", "public_endpoint_reason"),
                                    f"becomes the value of a cluster tag, and {exc}: reword it") from None
        return self

    def _check_kind(self) -> None:
        """What the chosen ``cluster.kind`` cannot do (askflow.substrate)."""
        kind = self.cluster.kind
        if kind == "ack-pro-eci" and self.environment == "prod" and self.cluster.system_node_pool.size < 2:
            raise SettingsError(("cluster", "system_node_pool", "size"),
                                "prod needs at least 2 system nodes: CoreDNS and the add-ons must survive a node's loss")
        if kind != "acs":
            return
        # ACS sizes pods from their requests and its compute class; ECI annotations, ECI image
        # caches and spot price caps do not exist there (askflow.substrate, ACS pod overview).
        why = "ACS has no ECI"
        if self.eci.instance_specs:
            raise SettingsError(("eci", "instance_specs"), f"{why} instance specs: ACS sizes pods from their requests; remove it")
        if self.eci.spot_strategy == "SpotWithPriceLimit":
            raise SettingsError(("eci", "spot_strategy"), "ACS best-effort pods have no price cap: use SpotAsPriceGo "
                                                          "(best-effort QoS) or none")
        if self.templates.enable_image_cache:
            raise SettingsError(("templates", "enable_image_cache"),
                                f"{why} image caches (ACS image caches are not in the Pulumi provider): set it to false")
        for i, t in enumerate(self.tenants):
            for key in ("spot_strategy", "spot_price_limit", "spot_fallback", "instance_specs"):
                if getattr(t.eci, key) is not None:
                    raise SettingsError(("tenants", i, "eci", key),
                                        "per-tenant ECI settings do not apply on ACS (its QoS is stack-wide, "
                                        "a pod label in Argo's workflow defaults): remove it")

    def _check_engine(self) -> None:
        """What the managed engine cannot do, whatever set it (askflow.substrate.ACK_ONE_DIFFERENCES)."""
        if self.argo.engine != "ack-one":
            return
        refused: list[tuple[tuple[str | int, ...], bool, str]] = [
            (("argo", "enable_archive"), self.argo.enable_archive,
             "askflow creates no archive database for the managed engine (Alibaba documents persistence only as a "
             "hand edit of its workflow-controller-configmap): set it to false"),
            (("argo", "auth_mode"), self.argo.auth_mode == "sso",
             "argo-server of the managed engine is Alibaba's; askflow cannot configure its SSO: use client"),
            (("argo", "enable_private_load_balancer"), self.argo.enable_private_load_balancer,
             "the managed argo-server is already reached on a private VPC address: remove it"),
            (("cluster", "endpoint_public_access"), self.cluster.endpoint_public_access,
             "the provider creates a workflow cluster with a private API server only: remove it"),
            (("eci", "spot_strategy"), self.eci.spot_strategy == "SpotWithPriceLimit",
             "the managed engine's scheduling mode has no price cap askflow can set: use SpotAsPriceGo "
             "(cost-optimized) or none (stock-optimized)"),
            (("templates", "enable_image_cache"), self.templates.enable_image_cache,
             "workflow clusters place pods on ACS or ECI themselves, and ACS does not read ECI image caches: "
             "set it to false"),
        ]
        for loc, bad, message in refused:
            if bad:
                raise SettingsError(loc, f"{message} (argo.engine ack-one)")
        net = self.network
        count = len(net.vswitch_ids) if net.bring_your_own else len(net.pod_vswitch_cidrs or net.vswitch_cidrs)
        if count > ACK_ONE_MAX_VSWITCHES:
            key = "vswitch_ids" if net.bring_your_own else "zones"
            raise SettingsError(("network", key), f"gives the workflow cluster {count} vSwitches; ACK One takes at "
                                                  f"most {ACK_ONE_MAX_VSWITCHES} (argo.engine ack-one)")

    def not_applied_by_engine(self) -> list[str]:
        """``key=value`` of every setting the managed engine leaves unapplied (empty on self-managed);
        askflow.substrate.ACK_ONE_NOT_APPLIED says which and ACK_ONE_DIFFERENCES why."""
        if self.argo.engine == "self-managed":
            return []
        out = []
        for path in ACK_ONE_NOT_APPLIED:
            value: Any = self
            for part in path:
                value = getattr(value, part)
            if isinstance(value, BaseModel):
                value = ",".join(f"{k}={v}" for k, v in value.model_dump().items())
            out.append(f"{'.'.join(path)}={value}")
        return out

    # Derived names: deterministic per stack, so a platform team can find them.
    @property
    def bucket_name(self) -> str:
        return self.storage.bucket_name or f"{self.name}-{self.region}-artifacts"

    @property
    def sls_project_name(self) -> str:
        return self.observability.sls_project_name or f"{self.name}-{self.region}-logs"

    def executor_role_name(self, tenant: str) -> str:
        """The RAM role (RRSA) of a tenant's workflow pods: ``<name>-<tenant>-executor`` cut to RAM's 64
        characters, as stacks have always been deployed (the settings refuse two roles the cut makes one)."""
        return f"{self.name}-{tenant}-executor"[:RAM_ROLE_NAME_MAX]

    @property
    def argo_server_role_name(self) -> str:
        """The RAM role (RRSA) of argo-server (a stack name has at most 24 characters: never cut)."""
        return f"{self.name}-argo-server"

    @property
    def ram_role_names(self) -> tuple[str, ...]:
        """Every RAM role the stack creates (names are unique in the account)."""
        return (*(self.executor_role_name(t.name) for t in self.tenants), self.argo_server_role_name)

    @property
    def rrsa_available(self) -> bool:
        """Whether workflow pods can get RAM roles through RRSA: always on the self-managed engine (its
        cluster has RRSA on); on ack-one only with the argo.rrsa_oidc_* keys (askflow.substrate.ACK_ONE_DIFFERENCES)."""
        return self.argo.engine == "self-managed" or self.argo.rrsa_oidc_issuer_url is not None

    @property
    def oss_internal_endpoint(self) -> str:
        return f"https://oss-{self.region}-internal.aliyuncs.com"

    @property
    def template_namespaces(self) -> tuple[str, ...]:
        if self.templates.namespaces is not None:
            return self.templates.namespaces
        return tuple(t.name for t in self.tenants)


# Protective defaults per environment class. A stack overrides any key by setting it.
ENVIRONMENT_DEFAULTS: dict[str, dict[str, Any]] = {
    "dev": {
        "protection": {"protect": False, "deletion_protection": False},
        "cluster": {"enable_log_collection": True, "enable_prometheus": False, "system_node_pool": {"size": 1}},
        "storage": {
            "redundancy": "LRS", "versioning": False, "artifact_retention_days": 7,
            "noncurrent_version_days": 1, "force_destroy": True,
        },
        "observability": {"log_retention_days": 7},
        "alerts": {"workflow_failures": 5, "window_minutes": 30, "pod_pending_minutes": 30, "queue_depth": 200, "queue_minutes": 15},
        "argo": {
            "enable_archive": False, "ttl_after_success_seconds": 3600, "ttl_after_failure_seconds": 86400,
            "archive_instance_type": "pg.n2.2c.1m", "archive_category": "Basic",
            "pod_gc_strategy": "OnPodCompletion", "active_deadline_seconds": 3600 * 6,
            "retention_completed": 20, "retention_failed": 10, "retention_errored": 10,
            "parallelism": 50, "namespace_parallelism": 20, "template_referencing": "None",
            "controller_replicas": 1, "server_replicas": 1,
            "controller_resources": {"cpu": "500m", "memory": "1Gi"},
            "server_resources": {"cpu": "250m", "memory": "512Mi"},
        },
    },
    "staging": {
        "protection": {"protect": False, "deletion_protection": False},
        "cluster": {"enable_log_collection": True, "enable_prometheus": True, "system_node_pool": {"size": 1}},
        "storage": {
            "redundancy": "LRS", "versioning": True, "artifact_retention_days": 14,
            "noncurrent_version_days": 3, "force_destroy": False,
        },
        "observability": {"log_retention_days": 30},
        "alerts": {"workflow_failures": 3, "window_minutes": 30, "pod_pending_minutes": 20, "queue_depth": 100, "queue_minutes": 10},
        "argo": {
            "enable_archive": False, "ttl_after_success_seconds": 3600 * 6, "ttl_after_failure_seconds": 86400 * 3,
            "archive_instance_type": "pg.n2.2c.1m", "archive_category": "Basic",
            "pod_gc_strategy": "OnPodSuccess", "active_deadline_seconds": 3600 * 12,
            "retention_completed": 50, "retention_failed": 20, "retention_errored": 20,
            "parallelism": 200, "namespace_parallelism": 50, "template_referencing": "Secure",
            "controller_replicas": 1, "server_replicas": 1,
            "controller_resources": {"cpu": "1", "memory": "2Gi"},
            "server_resources": {"cpu": "500m", "memory": "1Gi"},
        },
    },
    "prod": {
        "protection": {"protect": True, "deletion_protection": True},
        "cluster": {"enable_log_collection": True, "enable_prometheus": True, "system_node_pool": {"size": 2}},
        "storage": {
            "redundancy": "ZRS", "versioning": True, "artifact_retention_days": 90,
            "noncurrent_version_days": 7, "force_destroy": False,
        },
        "observability": {"log_retention_days": 180},
        "alerts": {"workflow_failures": 1, "window_minutes": 15, "pod_pending_minutes": 10, "queue_depth": 50, "queue_minutes": 5},
        "argo": {
            "enable_archive": True, "ttl_after_success_seconds": 86400, "ttl_after_failure_seconds": 86400 * 7,
            "archive_instance_type": "pg.n2.2c.2m", "archive_category": "HighAvailability",
            "pod_gc_strategy": "OnPodSuccess", "active_deadline_seconds": 86400,
            "retention_completed": 100, "retention_failed": 50, "retention_errored": 50,
            "parallelism": 1000, "namespace_parallelism": 200, "template_referencing": "Secure",
            "controller_replicas": 2, "server_replicas": 2,
            "controller_resources": {"cpu": "2", "memory": "4Gi"},
            "server_resources": {"cpu": "2", "memory": "4Gi"},
        },
    },
}


def _refuse_on_managed_engine(data: Mapping[str, Any]) -> None:
    """With ``argo.engine: ack-one``, a key the stack file sets that the managed engine has no use for
    is refused (askflow.substrate.ACK_ONE_REFUSED_KEYS); defaults are never refused."""
    argo = data.get("argo")
    if not isinstance(argo, Mapping) or argo.get("engine") != "ack-one":
        return
    for path, why in ACK_ONE_REFUSED_KEYS.items():
        node: Any = data
        for part in path:
            node = node.get(part) if isinstance(node, Mapping) else None
        if node is not None:
            raise SettingsError(path, f"does not apply with argo.engine ack-one: {why}; remove it")
    tenants = data.get("tenants")
    for i, tenant in enumerate(tenants if isinstance(tenants, list | tuple) else ()):
        if isinstance(tenant, Mapping) and tenant.get("eci"):
            raise SettingsError(("tenants", i, "eci"), "does not apply with argo.engine ack-one: the managed engine's "
                                                       "scheduling mode is cluster-wide (eci.spot_strategy); remove it")


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` on top of ``base``, mappings merged key by key; neither input is changed."""
    out: dict[str, Any] = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


# pydantic adds the member of a union that failed (`literal['all']`, `tuple[str, ...]`) to an
# error's location; users know keys, not members.
_UNION_MEMBER = re.compile(r"^(literal|tuple|list|dict|set|frozenset|function-[a-z]+|is-instance|nullable|union)\[.*\]$")


def _is_member(part: Any) -> bool:
    return isinstance(part, str) and bool(_UNION_MEMBER.match(part))


def _depth_past_union(loc: Sequence[Any]) -> int:
    members = [i for i, part in enumerate(loc) if _is_member(part)]
    return len(loc) - members[-1] if members else 0


def _error_message(err: Mapping[str, Any]) -> tuple[tuple[str | int, ...], str]:
    loc: tuple[str | int, ...] = tuple(p for p in err["loc"] if not _is_member(p))
    if loc and loc[-1] == "[key]":  # a mapping's key, not its value, is wrong
        path, msg = _error_message({**err, "loc": loc[:-2]})
        return path, f"key {msg}"
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, SettingsError):
        return loc + cause.loc, cause.message
    kind = err["type"]
    if kind == "extra_forbidden":
        return loc, "unknown key: check its spelling against the configuration reference (README)"
    if kind == "missing":
        return loc, "is required"
    msg = str(err["msg"])
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    inp = err.get("input")
    if kind.endswith("_type") or kind in {"literal_error", "enum"} or kind.startswith("int_") or kind.startswith("bool_"):
        msg = f"{inp!r}: {msg[0].lower()}{msg[1:]}" if isinstance(inp, str | int | float | bool) else msg
    return loc, msg


M = TypeVar("M", bound=BaseModel)


def validate_config(
    model: type[M], region: Any, raw: Any, *, file: str, key: str, what: str, region_hint: str
) -> M:
    """Validate one structured config key (plus the region) into ``model``, or raise one line.

    The error names ``file`` and the key path starting at the config key
    (``askflow:platform.network.vswitch_cidrs[1]``); of several errors, typos come first (they
    explain the rest), then wrong values, then missing keys, in the model's field order.
    """
    if region is None:
        raise AskflowError(f"is required: {region_hint}", file=file, path=REGION_KEY)
    if not isinstance(raw, Mapping):
        kind = "missing" if raw is None else f"a {type(raw).__name__}"
        raise AskflowError(f"is {kind}; it must be a mapping of {what}", file=file, path=key)
    if "region" in raw:
        raise AskflowError(f"unknown key: the region is set with {REGION_KEY}", file=file, path=f"{key}.region")
    try:
        return model.model_validate({**raw, "region": region})
    except ValidationError as exc:
        rank = {"extra_forbidden": 0, "missing": 2}
        # Of a union's members, the one that got further into the value explains it best
        # (`deploy: [etl, 5]`: item 1 is not a string, rather than "should be 'all'").
        errors = sorted(exc.errors(), key=lambda e: (rank.get(e["type"], 1), -_depth_past_union(e["loc"])))
        loc, msg = _error_message(errors[0])
        path = REGION_KEY if loc[:1] == ("region",) else format_path((key, *loc))
        raise AskflowError(msg, file=file, path=path) from None


def parse_settings(region: Any, platform: Any, *, file: str) -> Settings:
    """Build :class:`Settings` from the two stack config values, or raise one :class:`AskflowError`.

    ``file`` names the stack file in the error (``environments/Pulumi.prod.yaml``).
    """
    return validate_config(
        Settings, region, platform, file=file, key=PLATFORM_KEY, what="platform settings",
        region_hint="the region, e.g. cn-hangzhou",
    )
