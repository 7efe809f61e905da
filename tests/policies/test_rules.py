"""One test per mandatory rule that makes it fail; and the good shape passes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from askflow.policies.documents import https_only_bucket_policy
from askflow.policies.rules import RULES, Resource, evaluate, wildcard_problems

PROVIDER = "urn:pulumi:s::askflow::pulumi:providers:kubernetes::c-k8s"


def good(env: str = "prod") -> list[Resource]:
    tags = {"askflow-environment": env}
    return [
        Resource("b", "alicloud:oss/bucket:Bucket", "b", {
            "bucket": "x", "tags": tags, "serverSideEncryptionRule": {"sseAlgorithm": "AES256"},
            "versioning": {"status": "Enabled"},
            "lifecycleRules": [{"enabled": True, "prefix": "", "expirations": [{"days": 1}],
                                "abortMultipartUploads": [{"days": 2}]}],
        }, protect=True),
        Resource("acl", "alicloud:oss/bucketAcl:BucketAcl", "acl", {"bucket": "x", "acl": "private"}),
        Resource("pab", "alicloud:oss/bucketPublicAccessBlock:BucketPublicAccessBlock", "pab",
                 {"bucket": "x", "blockPublicAccess": True}),
        Resource("bp", "alicloud:oss/bucketPolicy:BucketPolicy", "bp",
                 {"bucket": "x", "policy": json.dumps(https_only_bucket_policy("x"))}),
        Resource("c", "alicloud:cs/serverlessKubernetes:ServerlessKubernetes", "c", {
            "tags": tags, "enableRrsa": True, "endpointPublicAccessEnabled": False, "deletionProtection": True,
        }, protect=True),
        Resource("p", "alicloud:ram/policy:Policy", "p", {"policyDocument": json.dumps({"Statement": [
            {"Effect": "Allow", "Action": ["oss:GetObject"], "Resource": ["acs:oss:*:*:x/*"]}]})}),
        Resource("ns", "kubernetes:core/v1:Namespace", "ns", {}, provider=PROVIDER),
        Resource("tns", "kubernetes:core/v1:Namespace", "tns",
                 {"metadata": {"name": "team", "labels": {"askflow.dev/tenant": "team"}}}, provider=PROVIDER),
        Resource("quota", "kubernetes:core/v1:ResourceQuota", "quota", {
            "metadata": {"name": "askflow-quota", "namespace": "team"},
            "spec": {"hard": QUOTA}}, provider=PROVIDER),
        Resource("vap", "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy", "vap",
                 {"metadata": {"name": "askflow-tenant-artifacts"}, "spec": VAP_SPEC}, provider=PROVIDER),
        Resource("vapb", "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding", "vapb",
                 {"metadata": {"name": "askflow-tenant-artifacts-team"}, "spec": BINDING_SPEC}, provider=PROVIDER),
    ]


QUOTA = {"requests.cpu": "8", "requests.memory": "32Gi", "limits.cpu": "8", "limits.memory": "32Gi", "pods": "100"}
VAP_SPEC = {
    "failurePolicy": "Fail",
    "matchConstraints": {"resourceRules": [{
        "apiGroups": ["argoproj.io"], "apiVersions": ["*"], "operations": ["CREATE", "UPDATE"],
        "resources": ["workflows", "workflowtemplates", "cronworkflows", "workflowtaskresults"]}]},
    "validations": [{"expression": "true"}],
}
BINDING_SPEC = {
    "policyName": "askflow-tenant-artifacts", "validationActions": ["Deny"],
    "matchResources": {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "team"}}},
}


def change(resources: list[Resource], urn: str, protect: bool | None = None, **inputs: Any) -> list[Resource]:
    out = []
    for r in resources:
        if r.urn == urn:
            r = Resource(r.urn, r.type, r.name, {**r.inputs, **inputs}, protect=r.protect if protect is None else protect,
                         provider=r.provider)
        out.append(r)
    return out


def tenant_named(resources: list[Resource], name: str) -> list[Resource]:
    """The good plan with its tenant called ``name`` (namespace, quota and binding alike)."""
    rs = change(resources, "tns", metadata={"name": name, "labels": {"askflow.dev/tenant": name}})
    rs = change(rs, "quota", metadata={"name": "askflow-quota", "namespace": name})
    return change(rs, "vapb", spec={**BINDING_SPEC, "matchResources": {"namespaceSelector": {
        "matchLabels": {"kubernetes.io/metadata.name": name}}}})


def rules_broken(resources: list[Resource]) -> set[str]:
    return {v.rule for v in evaluate(resources)}


def test_good_passes() -> None:
    assert evaluate(good()) == []


@pytest.mark.parametrize(
    ("mutate", "rule"),
    [
        (lambda rs: change(rs, "acl", acl="public-read"), "bucket-private"),
        (lambda rs: [r for r in rs if r.urn != "pab"], "bucket-private"),
        (lambda rs: change(rs, "b", serverSideEncryptionRule={}), "bucket-encrypted"),
        (lambda rs: [r for r in rs if r.urn != "bp"], "bucket-https-only"),
        (lambda rs: change(rs, "bp", policy=json.dumps({"Version": "1", "Statement": []})), "bucket-https-only"),
        (lambda rs: change(rs, "b", lifecycleRules=[]), "bucket-lifecycle"),
        (lambda rs: change(rs, "b", lifecycleRules=[{"enabled": True, "expirations": [{"days": 1}]},
                                                     {"enabled": True, "abortMultipartUploads": [{"days": 2}]}]),
         "bucket-lifecycle-accepted"),
        (lambda rs: change(rs, "b", versioning={"status": "Suspended"}), "bucket-versioned-in-prod"),
        (lambda rs: change(rs, "c", endpointPublicAccessEnabled=True), "cluster-api-private"),
        (lambda rs: change(rs, "c", enableRrsa=False), "cluster-rrsa"),
        (lambda rs: change(rs, "c", deletionProtection=False), "deletion-protection-in-prod"),
        (lambda rs: change(rs, "b", protect=False), "protect-stateful-in-prod"),
        (lambda rs: [*rs, Resource("k", "alicloud:ram/accessKey:AccessKey", "k", {})], "no-access-keys"),
        (lambda rs: [*rs, Resource("cm", "kubernetes:core/v1:ConfigMap", "cm",
                                   {"data": {"oss": "oss:\n  accessKeySecret: {name: s}"}}, provider=PROVIDER)],
         "no-access-keys"),
        (lambda rs: change(rs, "p", policyDocument=json.dumps(
            {"Statement": [{"Effect": "Allow", "Action": "oss:*", "Resource": "*"}]})), "ram-no-wildcard-resources"),
        (lambda rs: change(rs, "p", policyDocument=json.dumps(
            {"Statement": [{"Effect": "Allow", "Action": ["oss:*"], "Resource": ["acs:oss:*:*:x/*"]}]})),
         "ram-no-wildcard-resources"),
        (lambda rs: [*[r for r in rs if r.urn != "ns"], Resource("ns", "kubernetes:core/v1:Namespace", "ns", {})],
         "k8s-explicit-provider"),
        # The CI deploy role of before issue #20: it could write any policy and attach it.
        (lambda rs: change(rs, "p", policyDocument=json.dumps({"Statement": [
            {"Effect": "Allow", "Action": ["ram:CreatePolicy", "ram:CreatePolicyVersion"],
             "Resource": ["acs:ram:*:1:policy/askflow-dev-*"]}]})), "ram-no-policy-write"),
        (lambda rs: change(rs, "p", policyDocument=json.dumps({"Statement": [
            {"Effect": "Allow", "Action": ["ram:AttachPolicyToRole"],
             "Resource": ["acs:ram:*:1:role/askflow-dev-*", "acs:ram:*:1:policy/askflow-dev-*"]}]})),
         "ram-no-policy-write"),
        (lambda rs: change(rs, "p", policyDocument=json.dumps({"Statement": [
            {"Effect": "Allow", "Action": ["ram:AttachPolicyToRole"], "Resource": ["acs:ram:*:1:role/askflow-dev-*"]}]})),
         "ram-no-policy-write"),
        (lambda rs: change(rs, "p", policyDocument=json.dumps({"Statement": [
            {"Effect": "Allow", "Action": ["ram:Create*"], "Resource": ["acs:ram:*:1:policy/x"]}]})),
         "ram-no-policy-write"),
        (lambda rs: change(rs, "p", policyDocument=json.dumps({"Statement": [
            {"Effect": "Allow", "Action": ["rds:ModifyDBInstanceDeletionProtection", "rds:Describe*"],
             "Resource": ["acs:rds:cn-hangzhou:1:*"]}]})), "tag-scoped-statements"),
        (lambda rs: change(rs, "p", policyDocument=json.dumps({"Statement": [
            {"Effect": "Allow", "Action": ["tag:TagResources"], "Resource": ["acs:tag:cn-hangzhou:1:*"]}]})),
         "tag-scoped-statements"),
        # A deny on another key, or without values, scopes nothing.
        (lambda rs: change(rs, "p", policyDocument=json.dumps({"Statement": [
            {"Effect": "Allow", "Action": ["kms:DisableKey"], "Resource": ["acs:kms:cn-hangzhou:1:*"]},
            {"Effect": "Deny", "Action": ["kms:DisableKey"], "Resource": ["acs:kms:cn-hangzhou:1:*"],
             "Condition": {"StringEquals": {"kms:tag/team": ["prod"]}}},
            {"Effect": "Deny", "Action": ["kms:DisableKey"], "Resource": ["acs:kms:cn-hangzhou:1:*"],
             "Condition": {"StringEquals": {"kms:tag/askflow-environment": []}}}]})), "tag-scoped-statements"),
        # Tenants: quotas cap limits (ECI bills by limits), no reserved names, artifact admission bound.
        (lambda rs: change(rs, "quota", spec={"hard": {k: v for k, v in QUOTA.items() if k != "limits.cpu"}}),
         "tenant-quota-limits"),
        (lambda rs: change(rs, "quota", spec={"hard": {k: v for k, v in QUOTA.items() if not k.startswith("limits.")}}),
         "tenant-quota-limits"),
        (lambda rs: change(rs, "quota", metadata={"name": "askflow-quota", "namespace": "elsewhere"}),
         "tenant-quota-limits"),
        (lambda rs: tenant_named(rs, "uploads"), "tenant-name-not-reserved"),
        (lambda rs: tenant_named(rs, "access-logs"), "tenant-name-not-reserved"),
        (lambda rs: [r for r in rs if r.urn != "vapb"], "tenant-admission-policy"),
        (lambda rs: [r for r in rs if r.urn != "vap"], "tenant-admission-policy"),
        (lambda rs: change(rs, "vapb", spec={**BINDING_SPEC, "validationActions": ["Warn"]}), "tenant-admission-policy"),
        (lambda rs: change(rs, "vapb", spec={**BINDING_SPEC, "matchResources": {"namespaceSelector": {
            "matchLabels": {"kubernetes.io/metadata.name": "other"}}}}), "tenant-admission-policy"),
        (lambda rs: change(rs, "vap", spec={**VAP_SPEC, "failurePolicy": "Ignore"}), "tenant-admission-policy"),
        (lambda rs: change(rs, "vap", spec={**VAP_SPEC, "matchConstraints": {"resourceRules": [{
            **VAP_SPEC["matchConstraints"]["resourceRules"][0], "resources": ["workflows"]}]}}),  # type: ignore[index]
         "tenant-admission-policy"),
    ],
)
def test_each_rule_fails_when_broken(mutate: Any, rule: str) -> None:
    assert rules_broken(mutate(good())) == {rule}


def test_a_tenant_with_an_ordinary_name_passes() -> None:
    assert evaluate(tenant_named(good(), "uploads-team")) == []
    assert rules_broken(tenant_named(good(), "kube-team")) == {"tenant-name-not-reserved"}


def test_an_admission_policy_a_preview_does_not_know_yet_still_counts() -> None:
    """The policy's spec is computed from the bucket name, unknown in a preview of a new stack."""
    assert evaluate(change(good(), "vap", spec="[unknown]")) == []


def test_public_endpoint_passes_with_a_waiver() -> None:
    rs = change(good(), "c", endpointPublicAccessEnabled=True,
                tags={"askflow-environment": "prod", "askflow-waiver-public-endpoint": "vendor CI needs it"})
    assert evaluate(rs) == []


def test_dev_needs_no_prod_protections() -> None:
    rs = change(change(good("dev"), "b", protect=False, versioning={"status": "Suspended"}), "c",
                deletionProtection=False, protect=False)
    assert evaluate(rs) == []


def test_every_rule_is_tested() -> None:
    assert {r.name for r in RULES} == {
        "bucket-private", "bucket-https-only", "bucket-encrypted", "bucket-lifecycle", "bucket-lifecycle-accepted", "bucket-versioned-in-prod", "cluster-api-private",
        "cluster-rrsa", "deletion-protection-in-prod", "protect-stateful-in-prod", "no-access-keys",
        "ram-no-wildcard-resources", "k8s-explicit-provider", "ram-no-policy-write", "tag-scoped-statements",
        "tenant-quota-limits", "tenant-name-not-reserved", "tenant-admission-policy",
        "managed-engine-alone"}  # tests/infra/test_engine.py


def test_scoped_shapes_pass() -> None:
    """What the bootstrap plans: named policies to attach, and region-wide writes denied by tag."""
    document = {"Statement": [
        {"Effect": "Allow", "Action": ["ram:AttachPolicyToRole", "ram:CreateRole"],
         "Resource": ["acs:ram:*:1:role/askflow-dev-*", "acs:ram:*:1:policy/askflow-dev-ml-executor-oss"]},
        {"Effect": "Allow", "Action": ["cs:ModifyCluster", "cs:Describe*"], "Resource": ["acs:cs:cn-hangzhou:1:*"]},
        {"Effect": "Deny", "Action": ["cs:ModifyCluster"], "Resource": ["acs:cs:cn-hangzhou:1:*"],
         "Condition": {"StringEquals": {"acs:ResourceTag/askflow-environment": ["staging", "prod"]}}},
        # One named cluster needs no tag: its ARN is the scope.
        {"Effect": "Allow", "Action": ["cs:DeleteCluster"], "Resource": ["acs:cs:cn-hangzhou:1:cluster/c123"]},
        {"Effect": "Deny", "Action": ["ram:CreatePolicy"], "Resource": ["acs:ram:*:1:policy/*"]},
    ]}
    assert evaluate(change(good(), "p", policyDocument=json.dumps(document))) == []


def _lifecycle(*rules: dict[str, Any], allow_overlap: bool | None = None) -> list[str]:
    extra = {} if allow_overlap is None else {"lifecycleRuleAllowSameActionOverlap": allow_overlap}
    whole = {"id": "whole", "enabled": True, "prefix": "", "expirations": [{"days": 90}],
             "abortMultipartUploads": [{"days": 2}]}
    found = evaluate(change(good(), "b", lifecycleRules=[whole, *rules], **extra))
    return [v.message for v in found if v.rule == "bucket-lifecycle-accepted"]


def test_lifecycle_rules_oss_accepts() -> None:
    """OSS's PutBucketLifecycle errors 0014-00000084/85: same prefix twice; overlapping prefixes with
    the same action unless the bucket allows it. Disjoint prefixes and different actions are fine."""
    uploads = {"id": "uploads", "enabled": True, "prefix": "uploads/", "expirations": [{"days": 1}]}
    assert _lifecycle(uploads) == [
        "lifecycle rules 'whole' and 'uploads' overlap ('', 'uploads/') with the same action (expirations); "
        "OSS refuses that unless lifecycle_rule_allow_same_action_overlap is set"]
    assert _lifecycle(uploads, allow_overlap=True) == []
    assert _lifecycle(uploads, allow_overlap=False)
    same_prefix = {"id": "noncurrent", "enabled": True, "prefix": "", "noncurrentVersionExpirations": [{"days": 7}]}
    assert _lifecycle(same_prefix, allow_overlap=True) == [
        "lifecycle rules 'whole' and 'noncurrent' have the same prefix ''; OSS refuses that: "
        "put the actions for one prefix in one rule"]
    ia = {"id": "ia", "enabled": True, "prefix": "logs/", "transitions": [{"days": 30, "storageClass": "IA"}]}
    assert _lifecycle(ia) == []  # overlapping, but a different action
    archive = {"id": "archive", "enabled": True, "prefix": "logs/old/", "transitions": [{"days": 60, "storageClass": "Archive"}]}
    assert _lifecycle(ia, archive) == []  # transitions to different classes
    assert _lifecycle(ia, {**archive, "transitions": [{"days": 60, "storageClass": "IA"}]})
    assert _lifecycle({**uploads, "prefix": "logs/"}, {**uploads, "id": "tmp", "prefix": "tmp/"}, allow_overlap=True) == []


def test_wildcards() -> None:
    assert wildcard_problems({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "acs:oss:*:*:b"}]})
    assert wildcard_problems({"Statement": [{"Effect": "Allow", "Action": "oss:GetObject", "Resource": "acs:*:*:*:*"}]})
    assert not wildcard_problems({"Statement": [{"Effect": "Allow", "Action": "oss:GetObject", "Resource": "acs:oss:*:*:b/*"}]})


def test_a_whole_service_is_a_wildcard_action() -> None:
    """`oss:*` grants every OSS action, bucket deletion and policy changes included."""
    for action in ("oss:*", "ram:*"):
        assert wildcard_problems({"Statement": [{"Effect": "Allow", "Action": action, "Resource": "acs:oss:*:*:b/*"}]}) == [
            f"Statement[0] allows Action {action!r}"]
    assert not wildcard_problems({"Statement": [{"Effect": "Deny", "Action": "oss:*", "Resource": "acs:oss:*:*:b"}]})


def _https_only_violations(document: Any, bucket: str = "x") -> list[str]:
    rs = change(good(), "bp", policy=json.dumps(document), bucket=bucket)
    return [v.urn for v in evaluate(rs) if v.rule == "bucket-https-only"]


def test_https_only_needs_a_deny_on_insecure_transport_for_everyone() -> None:
    doc = https_only_bucket_policy("x")
    assert _https_only_violations(doc) == []
    stmt = doc["Statement"][0]
    for broken in (
        {**stmt, "Effect": "Allow"},
        {**stmt, "Condition": {"Bool": {"acs:SecureTransport": ["true"]}}},
        {**stmt, "Principal": ["1234567890"]},
        {**stmt, "Action": ["oss:GetObject"]},
        {**stmt, "Resource": ["acs:oss:*:*:x"]},  # objects still served over HTTP
        {**stmt, "Resource": ["acs:oss:*:*:other", "acs:oss:*:*:other/*"]},
    ):
        assert _https_only_violations({"Version": "1", "Statement": [broken]}) == ["bp"], broken
    # The bucket's own (inline) policy counts too, and is held to the same standard.
    inline = [r for r in change(good(), "b", policy=json.dumps(doc)) if r.urn != "bp"]
    assert [v for v in evaluate(inline) if v.rule == "bucket-https-only"] == []
    inline = [r for r in change(good(), "b", policy=json.dumps({"Statement": [{**stmt, "Effect": "Allow"}]}))
              if r.urn != "bp"]
    assert [v.urn for v in evaluate(inline) if v.rule == "bucket-https-only"] == ["b"]
    # A preview of a new stack: the bucket (and so the document) may still be unknown.
    assert [v for v in evaluate(change(good(), "bp", policy="[unknown]")) if v.rule == "bucket-https-only"] == []
    # A bucket whose name is not known yet: the deny must still cover a whole bucket and its objects.
    def unnamed(document: Any, name: Any) -> list[str]:
        rs = change(change(good(), "b", bucket=name), "bp", bucket=name, policy=json.dumps(document))
        return [v.urn for v in evaluate(rs) if v.rule == "bucket-https-only"]

    for name in ("[unknown]", None):
        assert unnamed(https_only_bucket_policy("not-known-yet"), name) == []
        for resources in (["acs:oss:*:*:other/*"], ["acs:oss:*:*:other"], ["acs:oss:*:*:a", "acs:oss:*:*:b/*"]):
            assert unnamed({"Version": "1", "Statement": [{**stmt, "Resource": resources}]}, name) == ["bp"], resources


def test_the_crossguard_pack_loads_every_rule() -> None:
    import runpy
    from unittest import mock

    from tests.conftest import ROOT

    with mock.patch("pulumi_policy.PolicyPack") as pack:
        runpy.run_path(str(ROOT / "policy" / "__main__.py"), run_name="__main__")
    policies = pack.call_args.kwargs["policies"]
    assert [p.name for p in policies] == [r.name for r in RULES]
    assert all(str(p.enforcement_level).endswith("MANDATORY") for p in policies)


def test_the_pack_reads_preview_values_that_are_still_unknown() -> None:
    """A preview of a new stack: the ACL's bucket is unknown; the rules still run (no advisory)."""
    import runpy
    from unittest import mock

    from pulumi.runtime.rpc import UNKNOWN
    from pulumi_policy.proxy import unknown_checking_proxy

    from tests.conftest import ROOT

    with mock.patch("pulumi_policy.PolicyPack"):
        pack = runpy.run_path(str(ROOT / "policy" / "__main__.py"), run_name="__main__")
    parent = "urn:pulumi:s::askflow::askflow:storage:ArtifactStore::a"
    props = {"bucket": UNKNOWN, "acl": "private", "tags": {"x": UNKNOWN}}
    from types import SimpleNamespace

    resource = SimpleNamespace(urn="acl", resource_type="alicloud:oss/bucketAcl:BucketAcl", name="acl",
                               props=unknown_checking_proxy(props), opts=SimpleNamespace(protect=False, parent=parent),
                               provider=None)
    view = pack["_view"](resource)
    assert view.inputs == {"bucket": "[unknown]", "acl": "private", "tags": {"x": "[unknown]"}}
    rs = [Resource(r.urn, r.type, r.name, dict(r.inputs), protect=r.protect, provider=r.provider, parent=parent)
          for r in good()]
    rs = [view if r.urn == "acl" else r for r in rs]
    rs = [Resource(r.urn, r.type, r.name, {**r.inputs, "bucket": "[unknown]"}, parent=parent)
          if r.urn in ("pab", "bp") else r for r in rs]
    assert evaluate(rs) == []


@pytest.mark.parametrize("key", ["serverSideEncryptionRule", "lifecycleRules", "versioning"])
def test_an_object_a_preview_does_not_know_yet_is_not_a_crash_or_a_violation(key: str) -> None:
    """In a preview an input computed from another resource is the string "[unknown]" (the pack's
    reading of pulumi_policy's sentinels): the rules wait for the next preview instead of calling
    .get on a string."""
    bucket = next(r for r in good() if r.type == "alicloud:oss/bucket:Bucket")
    assert rules_broken(change(good(), bucket.urn, **{key: "[unknown]"})) == set()
    if key == "lifecycleRules":  # one rule still unknown: it may be the one that expires objects
        assert rules_broken(change(good(), bucket.urn, lifecycleRules=["[unknown]"])) == set()


@pytest.mark.parametrize(("key", "rule"), [
    ("serverSideEncryptionRule", "bucket-encrypted"), ("lifecycleRules", "bucket-lifecycle"),
    ("versioning", "bucket-versioned-in-prod"),
])
def test_an_object_input_of_the_wrong_type_is_a_violation_not_a_crash(key: str, rule: str) -> None:
    bucket = next(r for r in good() if r.type == "alicloud:oss/bucket:Bucket")
    assert rule in rules_broken(change(good(), bucket.urn, **{key: "AES256"}))
