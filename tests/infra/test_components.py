"""Components under recording mocks: the properties that matter, dev versus prod."""

from __future__ import annotations

import json
from typing import Any

import pytest

from askflow.plan import Plan, plan_stack
from askflow.plan.mocks import MOCK_ACCOUNT_ID
from askflow.plan.output import violations
from askflow.policies.documents import bucket_access_policy, rrsa_trust_policy
from askflow.settings import parse_settings
from askflow.substrate import MANAGED_KUBERNETES, SERVERLESS_KUBERNETES
from tests.conftest import ROOT
from tests.plan.harness import record
from tests.test_settings import BASE, platform

BUCKET = "alicloud:oss/bucket:Bucket"
CLUSTER = MANAGED_KUBERNETES


def one(plan: Plan, typ: str) -> Any:
    found = plan.of_type(typ)
    assert len(found) == 1, [r.urn for r in found]
    return found[0]


@pytest.fixture(scope="module")
def dev() -> Plan:
    return plan_stack("dev", ROOT)


@pytest.fixture(scope="module")
def prod() -> Plan:
    return plan_stack("prod", ROOT)


def test_bucket_private_encrypted_lifecycle_and_prod_protection(dev: Plan, prod: Plan) -> None:
    for plan in (dev, prod):
        bucket = one(plan, BUCKET)
        assert bucket.inputs["serverSideEncryptionRule"]["sseAlgorithm"] == "AES256"
        rules = {r["id"]: r for r in bucket.inputs["lifecycleRules"]}
        assert rules["expire-ui-uploads"]["prefix"] == "uploads/"
        assert rules["whole-bucket"]["prefix"] == ""
        assert rules["whole-bucket"]["abortMultipartUploads"][0]["days"] == 2
        assert bucket.inputs["lifecycleRuleAllowSameActionOverlap"] is True  # uploads/ expires sooner
        assert one(plan, "alicloud:oss/bucketAcl:BucketAcl").inputs["acl"] == "private"
        assert one(plan, "alicloud:oss/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs["blockPublicAccess"]
    d, p = one(dev, BUCKET), one(prod, BUCKET)
    assert d.inputs["bucket"] == "askflow-dev-cn-hangzhou-artifacts"
    assert (d.inputs["forceDestroy"], p.inputs["forceDestroy"]) == (True, False)
    assert (d.protect, p.protect) == (False, True)
    assert (d.inputs["versioning"]["status"], p.inputs["versioning"]["status"]) == ("Suspended", "Enabled")
    assert (d.inputs["redundancyType"], p.inputs["redundancyType"]) == ("LRS", "ZRS")
    prod_rules = {r["id"]: r for r in p.inputs["lifecycleRules"]}
    assert prod_rules["whole-bucket"]["expirations"][0]["days"] == 90
    assert prod_rules["whole-bucket"]["noncurrentVersionExpirations"][0]["days"] == 7
    assert "noncurrentVersionExpirations" not in {r["id"]: r for r in d.inputs["lifecycleRules"]}["whole-bucket"]


def test_bucket_refuses_plain_http(dev: Plan, prod: Plan) -> None:
    """OSS answers plain HTTP unless a bucket policy denies `acs:SecureTransport: false` (Cloud Config
    rule oss-bucket-only-https-enabled); every stack's bucket has that deny, for everyone."""
    for plan in (dev, prod):
        name = one(plan, BUCKET).inputs["bucket"]
        policy = one(plan, "alicloud:oss/bucketPolicy:BucketPolicy")
        assert policy.inputs["bucket"] == name
        assert json.loads(policy.inputs["policy"])["Statement"] == [{
            "Effect": "Deny", "Principal": ["*"], "Action": ["oss:*"],
            "Resource": [f"acs:oss:*:*:{name}", f"acs:oss:*:*:{name}/*"],
            "Condition": {"Bool": {"acs:SecureTransport": ["false"]}},
        }]
        assert violations(plan) == []
        # The bucket reads the live policy back and an update with none deletes it: the bucket
        # must leave `policy` to the BucketPolicy (ignore_changes), or a refresh then an up drops it.
        assert one(plan, BUCKET).ignore_changes == ["acl", "policy"]


def test_cluster_properties_dev_versus_prod(dev: Plan, prod: Plan) -> None:
    d, p = one(dev, CLUSTER), one(prod, CLUSTER)
    for c in (d, p):
        assert c.inputs["profile"] == "Default"  # ack-pro-eci, the default kind
        assert c.inputs["enableRrsa"] is True
        assert c.inputs["slbInternetEnabled"] is False  # the provider's default is true: stated
        assert c.inputs["clusterSpec"] == "ack.pro.small"
        assert c.inputs["serviceCidr"] == "172.21.0.0/20"
        assert c.inputs["newNatGateway"] is False
        assert [a["name"] for a in c.inputs["addons"]] == ["terway-eniip"]
        assert {o["resourceType"] for o in c.inputs["deleteOptions"]} == {
            "SLB", "ALB", "PrivateZone", "SLS_Data", "SLS_ControlPlane"}
        plan = dev if c is d else prod
        key = one(plan, "alicloud:kms/key:Key")
        assert c.inputs["encryptionProviderKey"] == key.id and key.inputs["automaticRotation"] == "Enabled"
        # DescribeKey returns seconds; "365d" would diff on every up.
        assert key.inputs["rotationInterval"] == "31536000s"
        # auto-upgrade moves the version; podCidr is read back though never set, and ForceNew.
        assert sorted(c.ignore_changes) == ["podCidr", "version"]
        # The cluster comes up after the stack's egress, so ACK makes no NAT gateway of its own.
        snat = {r.urn for r in plan.of_type("alicloud:vpc/snatEntry:SnatEntry")}
        assert snat and snat <= set(c.dependencies)
    assert not dev.of_type(SERVERLESS_KUBERNETES) and not prod.of_type(SERVERLESS_KUBERNETES)
    assert (d.inputs["deletionProtection"], p.inputs["deletionProtection"]) == (False, True)
    assert (d.protect, p.protect) == (False, True)
    assert p.inputs["operationPolicy"]["clusterAutoUpgrade"] == {"enabled": True, "channel": "stable"}
    assert p.inputs["maintenanceWindow"]["weeklyPeriod"] == "Tuesday"
    assert {o["resourceType"]: o["deleteMode"] for o in d.inputs["deleteOptions"]}["SLS_Data"] == "delete"
    assert {o["resourceType"]: o["deleteMode"] for o in p.inputs["deleteOptions"]}["SLS_Data"] == "retain"
    assert not dev.of_type("alicloud:eci/virtualNode:VirtualNode")


def test_system_node_pool_of_ack_pro_eci(dev: Plan, prod: Plan) -> None:
    """ACK Pro with ECI keeps its system add-ons on a small ECS pool: one node in dev, two spread
    over the zones in prod; encrypted disks, pay-as-you-go, auto-repair."""
    for plan, size in ((dev, "1"), (prod, "2")):
        pool = one(plan, "alicloud:cs/nodePool:NodePool")
        assert pool.inputs["clusterId"] == one(plan, CLUSTER).id
        assert pool.inputs["desiredSize"] == size
        assert pool.inputs["multiAzPolicy"] == "BALANCE"
        assert pool.inputs["instanceChargeType"] == "PostPaid"
        assert pool.inputs["systemDiskEncrypted"] is True
        assert pool.inputs["management"]["autoRepair"] is True
        assert sorted(pool.inputs["vswitchIds"]) == sorted(r.id for r in plan.of_type("alicloud:vpc/switch:Switch"))


def test_workflow_and_argo_namespaces_go_to_eci(prod: Plan) -> None:
    """On ack-pro-eci nothing of a tenant's or Argo's namespace may land on the system nodes."""
    namespaces = {r.inputs["metadata"]["name"]: r for r in prod.of_type("kubernetes:core/v1:Namespace")}
    assert set(namespaces) == {"argo", "data-eng", "ml"}
    for ns in namespaces.values():
        assert ns.inputs["metadata"]["labels"]["alibabacloud.com/eci"] == "true"
    # The release waits for ECI to exist (the virtual-node add-on) and for the system nodes.
    release = one(prod, "kubernetes:helm.sh/v3:Release")
    addons = {r.inputs["name"]: r.urn for r in prod.of_type("alicloud:cs/kubernetesAddon:KubernetesAddon")}
    pool = one(prod, "alicloud:cs/nodePool:NodePool").urn
    assert {addons["ack-virtual-node"], pool} <= set(release.dependencies)
    # ack-virtual-node's controller runs on an ECS node: it is installed once the pool exists.
    virtual_node = next(r for r in prod.of_type("alicloud:cs/kubernetesAddon:KubernetesAddon")
                        if r.inputs["name"] == "ack-virtual-node")
    assert pool in virtual_node.dependencies


def test_addons_per_environment(dev: Plan, prod: Plan) -> None:
    addons = lambda plan: {r.inputs["name"]: r for r in plan.of_type("alicloud:cs/kubernetesAddon:KubernetesAddon")}  # noqa: E731
    assert sorted(addons(dev)) == ["ack-pod-identity-webhook", "ack-virtual-node", "logtail-ds"]
    assert sorted(addons(prod)) == ["ack-pod-identity-webhook", "ack-virtual-node", "arms-prometheus", "logtail-ds"]
    # Uninstalling ack-virtual-node must clean up what it made (the provider requires the choice).
    assert addons(prod)["ack-virtual-node"].inputs["cleanupCloudResources"] is True
    # The config as the provider reads it back (Go's json.Marshal): compact, or every up diffs.
    assert addons(prod)["logtail-ds"].inputs["config"] == '{"sls_project_name":"askflow-prod-cn-hangzhou-logs"}'


def test_eci_profile_spreads_pods_over_every_vswitch(prod: Plan) -> None:
    patch = one(prod, "kubernetes:core/v1:ConfigMapPatch")
    switches = sorted(r.id for r in prod.of_type("alicloud:vpc/switch:Switch"))
    assert sorted(patch.inputs["data"]["vSwitchIds"].split(",")) == switches and len(switches) == 3
    assert patch.inputs["data"]["securityGroupId"] == one(prod, "alicloud:ecs/securityGroup:SecurityGroup").id
    selectors = json.loads(patch.inputs["data"]["selectors"])
    assert selectors == [{
        "effect": {"annotations": {"k8s.aliyun.com/eci-spot-fallback": "true",
                                   "k8s.aliyun.com/eci-spot-strategy": "SpotAsPriceGo"}},
        "name": "tenant-data-eng",
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "data-eng"}},
    }]


def test_every_kubernetes_resource_uses_the_cluster_provider(prod: Plan) -> None:
    provider = one(prod, "pulumi:providers:kubernetes").urn
    k8s = [r for r in prod.resources if r.type.startswith("kubernetes:")]
    assert k8s and all(r.provider == provider for r in k8s)


def test_network_egress_one_snat_per_vswitch(prod: Plan) -> None:
    snat = prod.of_type("alicloud:vpc/snatEntry:SnatEntry")
    switches = {r.id for r in prod.of_type("alicloud:vpc/switch:Switch")}
    assert {s.inputs["sourceVswitchId"] for s in snat} == switches
    assert one(prod, "alicloud:vpc/natGateway:NatGateway").inputs["natType"] == "Enhanced"


def test_what_pulls_from_the_internet_waits_for_egress(prod: Plan) -> None:
    """The ECI image cache pulls its images through the vSwitch's SNAT entry, and the Argo release
    pulls quay.io images and the chart's CRDs from GitHub: both wait for every SNAT entry. Nothing
    else orders the image cache after the NAT gateway, so it would start with the network."""
    snat = {r.urn for r in prod.of_type("alicloud:vpc/snatEntry:SnatEntry")}
    assert len(snat) == 3
    for typ in ("alicloud:eci/imageCache:ImageCache", "kubernetes:helm.sh/v3:Release"):
        assert snat <= set(one(prod, typ).dependencies), typ


def test_bring_your_own_network_creates_none() -> None:
    data = platform(network={"vpc_id": "vpc-own", "vswitch_ids": ["vsw-a", "vsw-b"], "security_group_id": "sg-own"})
    s = parse_settings("cn-hangzhou", data, file="x")
    from components.network import NetworkArgs, NetworkComponent  # type: ignore[import-not-found]

    plan = record(lambda: NetworkComponent("byo", NetworkArgs(settings=s.network)))
    assert [r.type for r in plan.resources] == ["askflow:network:Network"]
    egress: list[Any] = []
    record(lambda: egress.extend(NetworkComponent("byo", NetworkArgs(settings=s.network)).egress))
    assert egress == []  # a brought network's egress is its owner's: nothing to wait for
    without_sg = parse_settings(
        "cn-hangzhou", platform(network={"vpc_id": "vpc-own", "vswitch_ids": ["vsw-a", "vsw-b"]}), file="x"
    )
    plan = record(lambda: NetworkComponent("byo", NetworkArgs(settings=without_sg.network)))
    sg = one(plan, "alicloud:ecs/securityGroup:SecurityGroup")
    assert sg.inputs["vpcId"] == "vpc-own"


def test_created_network_from_settings() -> None:
    s = parse_settings("cn-hangzhou", BASE, file="x")
    from components.network import NetworkArgs, NetworkComponent  # type: ignore[import-not-found]

    plan = record(lambda: NetworkComponent("net", NetworkArgs(settings=s.network, protect=True)))
    assert one(plan, "alicloud:vpc/network:Network").inputs["cidrBlock"] == "10.0.0.0/16"
    assert sorted(r.inputs["cidrBlock"] for r in plan.of_type("alicloud:vpc/switch:Switch")) == [
        "10.0.0.0/20", "10.0.16.0/20"]


def test_trust_policy_has_the_exact_subject(prod: Plan) -> None:
    cluster = one(prod, CLUSTER)
    roles = {r.inputs["roleName"]: r for r in prod.of_type("alicloud:ram/role:Role")}
    assert set(roles) == {"askflow-prod-data-eng-executor", "askflow-prod-ml-executor", "askflow-prod-argo-server"}
    doc = json.loads(roles["askflow-prod-ml-executor"].inputs["assumeRolePolicyDocument"])
    issuer = f"https://oidc-ack-cn-hangzhou.oss-cn-hangzhou.aliyuncs.com/{cluster.id}"
    provider_arn = f"acs:ram::{MOCK_ACCOUNT_ID}:oidc-provider/ack-rrsa-{cluster.id}"
    assert doc == rrsa_trust_policy(issuer, provider_arn, "ml", "argo-workflow")
    assert doc["Statement"][0]["Condition"]["StringEquals"] == {
        "oidc:aud": "sts.aliyuncs.com", "oidc:iss": issuer, "oidc:sub": "system:serviceaccount:ml:argo-workflow"}
    server = json.loads(roles["askflow-prod-argo-server"].inputs["assumeRolePolicyDocument"])
    assert server["Statement"][0]["Condition"]["StringEquals"]["oidc:sub"] == (
        "system:serviceaccount:argo:argo-workflows-server")


def test_policy_documents_name_only_the_bucket_and_prefix(prod: Plan) -> None:
    """The documents the bootstrap creates for this stack (askflow.rrsa), and the roles attach them."""
    from askflow.rrsa import stack_policies
    from askflow.stacks import load_project, load_settings, read_stack

    policies = stack_policies(load_settings(read_stack(load_project(ROOT), "prod")))
    bucket = "askflow-prod-cn-hangzhou-artifacts"
    ml = policies["askflow-prod-ml-executor-oss"]
    assert ml["Statement"] == [
        {"Effect": "Allow", "Action": ["oss:GetObject", "oss:PutObject"], "Resource": [f"acs:oss:*:*:{bucket}/ml/*"]},
        {"Effect": "Allow", "Action": ["oss:GetObject"], "Resource": [f"acs:oss:*:*:{bucket}/uploads/ml/*"]},
        {"Effect": "Allow", "Action": ["oss:ListObjects"], "Resource": [f"acs:oss:*:*:{bucket}"],
         "Condition": {"StringLike": {"oss:Prefix": ["ml/*", "uploads/ml/*"]}}},
    ]
    # argo-server (the UI) reads the tenants' prefixes only, and writes nothing (Argo v4.0 has no
    # UI uploads): not the whole bucket, not the access logs.
    server = policies["askflow-prod-argo-server-oss"]["Statement"]
    assert server == [
        {"Effect": "Allow", "Action": ["oss:GetObject"],
         "Resource": [f"acs:oss:*:*:{bucket}/data-eng/*", f"acs:oss:*:*:{bucket}/ml/*"]},
        {"Effect": "Allow", "Action": ["oss:ListObjects"], "Resource": [f"acs:oss:*:*:{bucket}"],
         "Condition": {"StringLike": {"oss:Prefix": ["data-eng/*", "ml/*"]}}},
    ]
    attached = {(a.inputs["roleName"], a.inputs["policyName"])
                for a in prod.of_type("alicloud:ram/rolePolicyAttachment:RolePolicyAttachment")}
    assert ("askflow-prod-ml-executor", "askflow-prod-ml-executor-oss") in attached
    assert not prod.of_type("alicloud:ram/policy:Policy")
    assert not prod.of_type("alicloud:ram/accessKey:AccessKey")


def test_sse_kms_key_is_granted_when_the_bucket_has_one() -> None:
    doc = bucket_access_policy("b", ["t/"], kms_key_arn="acs:kms:cn-hangzhou:*:key/key-1")
    assert doc["Statement"][-1] == {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                                    "Resource": ["acs:kms:cn-hangzhou:*:key/key-1"]}
    assert all("kms:" not in json.dumps(s) for s in bucket_access_policy("b", ["t/"])["Statement"])


def test_delete_only_with_artifact_gc() -> None:
    assert "oss:DeleteObject" not in bucket_access_policy("b", ["t/"])["Statement"][0]["Action"]
    assert "oss:DeleteObject" in bucket_access_policy("b", ["t/"], allow_delete=True)["Statement"][0]["Action"]


def test_logs_retention_per_environment(dev: Plan, prod: Plan) -> None:
    assert one(dev, "alicloud:log/store:Store").inputs["retentionPeriod"] == 7
    assert one(prod, "alicloud:log/store:Store").inputs["retentionPeriod"] == 180


def test_outputs_help_the_next_step(prod: Plan) -> None:
    assert prod.outputs["bucketName"] == "askflow-prod-cn-hangzhou-artifacts"
    assert prod.outputs["ossInternalEndpoint"] == "https://oss-cn-hangzhou-internal.aliyuncs.com"
    assert set(prod.outputs["roleArns"]) == {"argo-server", "executor-data-eng", "executor-ml"}
    assert any("argo submit" in step for step in prod.outputs["nextSteps"])
    # argo-server serves TLS (server.secure): the steps point the browser and the CLI at https.
    steps = "\n".join(prod.outputs["nextSteps"])
    assert "https://localhost:2746" in steps and "ARGO_SECURE=true" in steps and "http://" not in steps
    assert "argo auth token" in steps  # the argo CLI's command (there is no `argo token`)


WFT = "kubernetes:argoproj.io/v1alpha1:WorkflowTemplate"
CRON = "kubernetes:argoproj.io/v1alpha1:CronWorkflow"


def deployed(plan: Plan, typ: str = WFT) -> set[tuple[str, str]]:
    return {(r.inputs["metadata"]["namespace"], r.inputs["metadata"]["name"]) for r in plan.of_type(typ)}


def test_each_stack_deploys_exactly_the_versions_it_lists(dev: Plan, prod: Plan) -> None:
    from askflow.library import load_library

    everything = {v.deployed_name for v in load_library(ROOT / "workflows").versions}
    assert deployed(dev) == {(ns, n) for ns in ("data-eng", "ml") for n in everything}
    assert deployed(prod) == {(ns, n) for ns in ("data-eng", "ml") for n in ("hello-world-v2", "etl-v3", "fan-out-v3")}
    assert deployed(prod, CRON) == {("data-eng", "nightly-etl"), ("ml", "nightly-etl")}
    for r in prod.of_type(WFT):
        labels = r.inputs["metadata"]["labels"]
        assert labels["app.kubernetes.io/managed-by"] == "askflow"
        assert f"{labels['app.kubernetes.io/name']}-v{labels['app.kubernetes.io/version']}" == r.inputs["metadata"]["name"]


def test_prod_image_cache_covers_every_deployed_image(prod: Plan) -> None:
    from askflow.library import load_library, select
    from askflow.settings import Argo

    chosen = select(load_library(ROOT / "workflows"), ["hello-world-v2", "etl-v3", "fan-out-v3"], ["nightly-etl"])
    cache = one(prod, "alicloud:eci/imageCache:ImageCache")
    # The templates' images and Argo's executor (tests/infra/test_image_cache.py measures coverage).
    executor = f"quay.io/argoproj/argoexec:{Argo.model_fields['image_tag'].default}"
    assert cache.inputs["images"] == sorted({*chosen.images, executor}) and chosen.images
    assert cache.inputs["imageCacheSize"] == 20


def test_unpinned_image_is_refused_for_an_image_cache() -> None:
    from components.templates import pinned_images  # type: ignore[import-not-found]

    from askflow.errors import AskflowError

    assert pinned_images(("alpine:3.20", "registry/x@sha256:abc")) == ("alpine:3.20", "registry/x@sha256:abc")
    for bad in ("alpine", "alpine:latest", "registry.example.com:5000/team/app"):
        with pytest.raises(AskflowError, match="is not pinned"):
            pinned_images((bad,))
