"""Mocks that stand in for the Pulumi engine and the cloud, and record what the program asks for.

:class:`RecordingMonitor` reads the engine's own ``RegisterResource`` request (type, name, parent,
provider, options, dependencies) before the SDK's :class:`~pulumi.runtime.mocks.MockMonitor`
answers it. :class:`CloudMocks` answers with realistic outputs (ids, ARNs, the cluster's RRSA OIDC
issuer and provider ARN, a kubeconfig) so that code depending on them runs, and it derives every
id from the resource's type and name so that two plans are byte-identical.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from typing import Any

import pulumi
from google.protobuf import json_format, struct_pb2
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor

from askflow.ackone.features import FEATURES_TYPE
from askflow.errors import AskflowError
from askflow.substrate import CLUSTER_TYPES

MOCK_ACCOUNT_ID = "1234567890123456"
SIG_KEY = rpc._special_sig_key  # how the SDK marks secrets, references, assets in serialized values
UNKNOWN = rpc.UNKNOWN
MASK = "[secret]"


def _digest(*parts: str, length: int = 16) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:length]


@dataclass
class Registration:
    """One resource as the engine saw it."""

    urn: str
    type: str
    name: str
    custom: bool
    parent: str
    provider: str
    inputs: dict[str, Any]
    protect: bool
    retain_on_delete: bool
    delete_before_replace: bool
    ignore_changes: list[str]
    dependencies: list[str]
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    id: str = ""
    outputs: dict[str, Any] = field(default_factory=dict)

    @property
    def explicit_dependencies(self) -> list[str]:
        """``depends_on``: what the resource waits for beyond the Outputs it was given."""
        implied = {urn for urns in self.property_dependencies.values() for urn in urns}
        return [urn for urn in self.dependencies if urn not in implied]


def _masked(value: Any) -> Any:
    """A secret's value with every leaf masked and its shape kept, so that a secret map (a Secret's
    ``stringData``) is still a map with its keys in manifests (Kubernetes schemas require one)."""
    if isinstance(value, dict) and SIG_KEY not in value:
        return {k: _masked(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return MASK


def _plain(value: Any) -> Any:
    """Engine-serialized property values as plain JSON, secrets masked and unknowns named."""
    if isinstance(value, dict):
        sig = value.get(SIG_KEY)
        if sig == rpc._special_secret_sig:
            return _masked(value.get("value"))
        if sig == rpc._special_resource_sig:
            return {"$ref": value.get("urn", "")}
        if sig in (rpc._special_asset_sig, rpc._special_archive_sig):
            return {"$asset": value.get("path") or value.get("uri") or "<text>"}
        if sig == rpc._special_output_value_sig:
            if value.get("secret"):
                return _masked(value.get("value"))
            return _plain(value.get("value")) if "value" in value else "[unknown]"
        return {k: _plain(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return _plain_scalar(value)


def _plain_scalar(value: Any) -> Any:
    """A scalar as the plan shows it: the SDK's unknown named, whole floats as integers."""
    if value == UNKNOWN:
        return "[unknown]"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _plain_struct(struct: struct_pb2.Struct) -> dict[str, Any]:
    """A request's ``object`` as :func:`_plain` gives it, read straight from the protobuf Struct.

    One walk instead of ``json_format.MessageToDict`` followed by :func:`_plain` (a plan records
    every resource, so this is on the plan's hot path); the rare special values (secrets, resource
    references, assets, output values) still go through :func:`_plain`.
    """
    if SIG_KEY in struct.fields:
        return _plain(json_format.MessageToDict(struct, preserving_proto_field_name=True))  # type: ignore[no-any-return]
    return {key: _plain_value(struct.fields[key]) for key in sorted(struct.fields)}


def _plain_value(value: struct_pb2.Value) -> Any:
    kind = value.WhichOneof("kind")
    if kind == "struct_value":
        return _plain_struct(value.struct_value)
    if kind == "list_value":
        return [_plain_value(v) for v in value.list_value.values]
    if kind == "number_value" and not math.isfinite(value.number_value):
        # JSON has no NaN or infinity (MessageToDict refuses them too).
        raise AskflowError(f"an input is {value.number_value}, which JSON cannot hold; pass a finite number")
    if kind in ("string_value", "number_value", "bool_value"):
        return _plain_scalar(getattr(value, kind))
    return None


class RecordingMonitor(MockMonitor):
    """A mock monitor that keeps every registration, options and dependencies included."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.registrations: dict[str, Registration] = {}
        self.problems: list[AskflowError] = []

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # The engine leaves the root stack out of a child's qualified type; MockMonitor does not.
        if parent and parent.split("::")[2] == "pulumi:pulumi:Stack":
            parent = ""
        return super().make_urn(parent, type_, name)

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (the engine's RPC name)
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            return response
        try:
            inputs = _plain_struct(request.object)
        except AskflowError as exc:
            # Not raised here: a failed RPC leaves the SDK's pending tasks behind for the next run
            # in this process. The runner raises it once the program has finished.
            self.problems.append(AskflowError(f"{exc.message} (resource {request.name}, {request.type})"))
            inputs = {}
        prop_deps = {
            key: sorted(deps.urns) for key, deps in sorted(request.propertyDependencies.items()) if deps.urns
        }
        self.registrations[response.urn] = Registration(
            urn=response.urn,
            type=request.type,
            name=request.name,
            custom=bool(request.custom),
            parent=request.parent,
            provider=_provider_urn(request.provider),
            inputs=inputs,
            protect=bool(request.protect),
            retain_on_delete=bool(request.retainOnDelete),
            delete_before_replace=bool(request.deleteBeforeReplace),
            ignore_changes=sorted(request.ignoreChanges),
            dependencies=sorted(set(request.dependencies)),
            property_dependencies=prop_deps,
            id=response.id,
        )
        return response


def _provider_urn(reference: str) -> str:
    """A provider reference is ``<urn>::<id>``; the plan shows the URN."""
    if not reference:
        return ""
    return reference.rsplit("::", 1)[0]


def mock_kubeconfig(cluster_id: str, region: str, *, server: str = "") -> str:
    """A kubeconfig shaped like the one ACK returns (certificate data elided)."""
    server = server or f"https://{cluster_id}.{region}.cs.aliyuncs.com:6443"
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "kubernetes", "cluster": {
                "server": server,
                "certificate-authority-data": "TU9DSw==",
            }}],
            "contexts": [{"name": cluster_id, "context": {"cluster": "kubernetes", "user": "askflow"}}],
            "current-context": cluster_id,
            "users": [{"name": "askflow", "user": {"client-certificate-data": "TU9DSw==", "client-key-data": "TU9DSw=="}}],
        },
        sort_keys=True,
    )


def rrsa_metadata(cluster_id: str, region: str, *, enabled: bool) -> dict[str, Any]:
    """The cluster's computed ``rrsa_metadata`` (``enabled``, ``rrsa_oidc_issuer_url``,
    ``ram_oidc_provider_name``, ``ram_oidc_provider_arn``: ../shared/PLATFORM-FACTS.md).

    ACK creates the OIDC issuer and the RAM OIDC provider only for a cluster with RRSA on; without
    ``enable_rrsa`` there is nothing to report, so a program that forgot it gets ``enabled: false``
    and empty fields here, not a working issuer that would hide the mistake.
    """
    if not enabled:
        return {"enabled": False, "rrsaOidcIssuerUrl": "", "ramOidcProviderName": "", "ramOidcProviderArn": ""}
    return {
        "enabled": True,
        "rrsaOidcIssuerUrl": f"https://oidc-ack-{region}.oss-{region}.aliyuncs.com/{cluster_id}",
        "ramOidcProviderName": f"ack-rrsa-{cluster_id}",
        "ramOidcProviderArn": f"acs:ram::{MOCK_ACCOUNT_ID}:oidc-provider/ack-rrsa-{cluster_id}",
    }


class CloudMocks(pulumi.runtime.Mocks):
    """Realistic, deterministic outputs for the resources and data sources askflow uses."""

    def __init__(self, region: str) -> None:
        self.region = region

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        typ, name, inputs = args.typ, args.name, dict(args.inputs)
        h = _digest(typ, name)
        outputs = dict(inputs)
        region = self.region
        if typ.startswith("pulumi:providers:"):
            return f"{name}-provider-id", outputs
        if not args.custom:
            return None, outputs
        if typ == "alicloud:vpc/network:Network":
            rid = f"vpc-{h}"
            outputs.update(routeTableId=f"vtb-{h}", routerId=f"vrt-{h}")
        elif typ == "alicloud:vpc/switch:Switch":
            rid = f"vsw-{h}"
        elif typ == "alicloud:ecs/securityGroup:SecurityGroup":
            rid = f"sg-{h}"
        elif typ == "alicloud:vpc/natGateway:NatGateway":
            rid = f"ngw-{h}"
            outputs.update(snatTableIds=f"stb-{h}", forwardTableIds=f"ftb-{h}")
        elif typ == "alicloud:ecs/eipAddress:EipAddress":
            rid = f"eip-{h}"
            outputs.update(ipAddress=f"47.96.{int(h[:2], 16)}.{int(h[2:4], 16)}")
        elif typ == "alicloud:kms/key:Key":
            rid = f"key-{h}"
            outputs.update(arn=f"acs:kms:{region}:{MOCK_ACCOUNT_ID}:key/key-{h}")
        elif typ in CLUSTER_TYPES:
            rid = f"c{_digest(typ, name, length=32)}"
            outputs.update(rrsaMetadata=rrsa_metadata(rid, region, enabled=inputs.get("enableRrsa") is True))
        elif typ == "alicloud:oss/bucket:Bucket":
            rid = str(inputs.get("bucket", name))
            outputs.update(
                extranetEndpoint=f"oss-{region}.aliyuncs.com",
                intranetEndpoint=f"oss-{region}-internal.aliyuncs.com",
                location=f"oss-{region}",
            )
        elif typ == "alicloud:ram/role:Role":
            role = str(inputs.get("roleName") or inputs.get("name") or name)
            rid = role
            outputs.update(arn=f"acs:ram::{MOCK_ACCOUNT_ID}:role/{role.lower()}", roleId=f"3{h}")
        elif typ == "alicloud:ram/policy:Policy":
            rid = str(inputs.get("policyName") or name)
        elif typ == "alicloud:log/project:Project":
            rid = str(inputs.get("projectName") or name)
        elif typ == "alicloud:rds/instance:Instance":
            rid = f"pgm-{h}"
            outputs.update(connectionString=f"pgm-{h}.pg.rds.aliyuncs.com", port="5432")
        elif typ == FEATURES_TYPE:
            # The dynamic provider's create: its id is the cluster id, and it adds the private-IP
            # kubeconfig (askflow/ackone/provider.py); a VPC address, as DescribeHubClusterKubeconfig
            # with PrivateIpAddress=true returns.
            rid = str(inputs.get("cluster_id") or name)
            outputs.update(kubeconfig=mock_kubeconfig(rid, region, server=f"https://172.16.{int(h[:2], 16)}.1:6443"))
        elif typ.startswith("kubernetes:"):
            meta = inputs.get("metadata") or {}
            ns = meta.get("namespace")
            rid = f"{ns}/{meta.get('name', name)}" if ns else str(meta.get("name", name))
            if typ == "kubernetes:helm.sh/v3:Release":
                namespace, release = inputs.get("namespace") or "default", inputs.get("name") or name
                rid = f"{namespace}/{release}"
                # helm.v3.ReleaseStatus: `revision` is Helm's release number, `version` the chart's.
                status = {"status": "deployed", "revision": 1, "name": release, "namespace": namespace}
                if inputs.get("chart"):
                    status["chart"] = inputs["chart"]
                if inputs.get("version"):
                    status["version"] = inputs["version"]
                outputs.update(status=status)
        else:
            rid = f"{typ.split(':')[-1].lower()}-{h}"
        return rid, outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list]:
        token, inputs = args.token, dict(args.args)
        if token == "alicloud:cs/getClusterCredential:getClusterCredential":
            cluster_id = str(inputs.get("clusterId", "c-unknown"))
            return {
                "id": cluster_id,
                "clusterId": cluster_id,
                "clusterName": cluster_id,
                "kubeConfig": mock_kubeconfig(cluster_id, self.region),
                "certificateAuthority": {},
            }, []
        if token == "alicloud:vpc/getNetworks:getNetworks":
            # A brought VPC: pretend it is 172.30.0.0/16 (the plan cannot know the real one).
            ids = list(inputs.get("ids") or [])
            nets = [{"id": i, "vpcId": i, "cidrBlock": "172.30.0.0/16", "vpcName": i, "status": "Available"} for i in ids]
            return {"id": ",".join(ids), "ids": ids, "names": ids, "networks": nets, "vpcs": nets}, []
        if token == "alicloud:vpc/getSwitches:getSwitches":
            # Brought vSwitches: pretend they are consecutive /20s of the pretended VPC above.
            ids = list(inputs.get("ids") or [])
            switches = [{"id": i, "vswitchId": i, "cidrBlock": f"172.30.{16 * n}.0/20", "vpcId": "", "zoneId": "",
                         "name": i, "vswitchName": i} for n, i in enumerate(ids)]
            return {"id": ",".join(ids), "ids": ids, "names": ids, "vswitches": switches}, []
        if token == "alicloud:ram/getRoles:getRoles":
            # The bootstrap checks that existing service roles are there: answer that they are.
            role = str(inputs.get("nameRegex", "")).strip("^$")
            return {"id": role, "ids": [role], "names": [role], "roles": [{"id": role, "name": role}]}, []
        if token == "alicloud:index/getAccount:getAccount":
            return {"id": MOCK_ACCOUNT_ID}, []
        if token == "alicloud:index/getRegions:getRegions":
            return {"ids": [self.region], "regions": [{"id": self.region, "regionId": self.region}]}, []
        return {}, []
