"""The CrossGuard pack, driven the way `pulumi preview --policy-pack policy` drives it.

pulumi_policy's own analyzer servicer (the gRPC service the CLI talks to) gets an AnalyzeStack
request built from a planned stack; what it reports must be exactly what `askflow plan` reports.
"""

from __future__ import annotations

import copy
import runpy
from functools import cache
from typing import Any
from unittest import mock

from google.protobuf import struct_pb2
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import EnforcementLevel
from pulumi_policy.policy import _PolicyAnalyzerServicer
from pulumi_policy.proxy import UNKNOWN_BOOLEAN_VALUE, UNKNOWN_OBJECT_VALUE, UNKNOWN_STRING_VALUE

from askflow.plan import Plan, plan_stack
from askflow.plan.mocks import Registration
from askflow.plan.output import violations
from tests.conftest import ROOT

STACK_URN = "urn:pulumi:prod::askflow::pulumi:pulumi:Stack::askflow-prod"
DEFAULT_K8S = "urn:pulumi:prod::askflow::pulumi:providers:kubernetes::default_4_34_2"


@cache
def _servicer() -> _PolicyAnalyzerServicer:
    with mock.patch("pulumi_policy.PolicyPack") as pack:
        runpy.run_path(str(ROOT / "policy" / "__main__.py"), run_name="__main__")
    kwargs = pack.call_args.kwargs
    return _PolicyAnalyzerServicer(kwargs["name"], "0.0.1", kwargs["policies"], kwargs["enforcement_level"],
                                   None, None, None, None, None, None, None)


@cache
def _plan() -> Plan:
    return plan_stack("prod", ROOT)


def _struct(value: dict[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(value)
    return struct


def _request(plan: Plan, *, options_parent: bool = False) -> analyzer_pb2.AnalyzeStackRequest:
    """The stack as the engine sends it: the root stack, every resource with its parent, options and
    provider. ``options.parent`` is left empty unless asked: the pack must not depend on it."""
    by_urn = plan.by_urn()
    resources = [analyzer_pb2.AnalyzerResource(type="pulumi:pulumi:Stack", urn=STACK_URN, name="askflow-prod")]
    for r in plan.resources:
        provider = None
        if r.custom and not r.type.startswith("pulumi:providers:"):
            urn = r.provider or DEFAULT_K8S if r.type.startswith("kubernetes:") else r.provider
            if urn:
                p = by_urn.get(urn)
                provider = analyzer_pb2.AnalyzerProviderResource(
                    type=p.type if p else "pulumi:providers:kubernetes", urn=urn, name=urn.rsplit("::", 1)[-1],
                    properties=_struct({}))
        resources.append(analyzer_pb2.AnalyzerResource(
            type=r.type, urn=r.urn, name=r.name, properties=_struct(r.inputs),
            options=analyzer_pb2.AnalyzerResourceOptions(protect=r.protect,
                                                          parent=r.parent if options_parent else ""),
            provider=provider, parent=r.parent or STACK_URN, dependencies=r.dependencies,
        ))
    return analyzer_pb2.AnalyzeStackRequest(resources=resources)


def _pack_findings(plan: Plan, **kwargs: Any) -> list[tuple[str, str, str]]:
    response = _servicer().AnalyzeStack(_request(plan, **kwargs), None)
    mandatory = analyzer_pb2.EnforcementLevel.Value("MANDATORY")
    assert all(d.enforcementLevel == mandatory for d in response.diagnostics), response.diagnostics
    # pulumi_policy puts the policy's description on the line before the violation's message.
    assert all(d.message.startswith(d.description + "\n") for d in response.diagnostics)
    return sorted((d.policyName, d.urn, d.message.split("\n", 1)[1]) for d in response.diagnostics)


def _plan_findings(plan: Plan) -> list[tuple[str, str, str]]:
    return sorted((v.rule, v.urn, v.message) for v in violations(plan))


def _one(plan: Plan, typ: str) -> Registration:
    (r,) = plan.of_type(typ)
    return r


def test_the_pack_is_mandatory_and_passes_the_prod_plan() -> None:
    assert str(_servicer()._PolicyAnalyzerServicer__policy_pack_enforcement_level) == str(EnforcementLevel.MANDATORY)
    assert _pack_findings(_plan()) == [] == _plan_findings(_plan())


def test_the_pack_reports_exactly_what_the_plan_reports() -> None:
    plan = copy.deepcopy(_plan())
    _one(plan, "alicloud:oss/bucketAcl:BucketAcl").inputs["acl"] = "public-read"
    _one(plan, "alicloud:oss/bucket:Bucket").protect = False
    _one(plan, "alicloud:cs/managedKubernetes:ManagedKubernetes").inputs["enableRrsa"] = False
    # The stacks create no RAM policy (the bootstrap does): one from the bootstrap's plan, broken.
    policy = copy.deepcopy(plan_stack("platform", ROOT / "bootstrap").of_type("alicloud:ram/policy:Policy")[0])
    policy.inputs["policyDocument"] = (
        '{"Statement": [{"Effect": "Allow", "Action": ["oss:*", "ram:CreatePolicy", "rds:DeleteDBInstance"], '
        '"Resource": "*"}]}')
    plan.resources.append(policy)
    plan.of_type("kubernetes:core/v1:Namespace")[0].provider = ""  # the ambient default provider
    expected = _plan_findings(plan)
    assert {rule for rule, _, _ in expected} == {
        "bucket-private", "protect-stateful-in-prod", "cluster-rrsa", "ram-no-wildcard-resources",
        "k8s-explicit-provider", "ram-no-policy-write", "tag-scoped-statements"}
    assert _pack_findings(plan) == expected


def _second_bucket_without_acl(plan: Plan) -> Plan:
    """A preview of a new stack with a second artifact store whose ACL was forgotten: every bucket
    argument of ACLs, access blocks and bucket policies is still unknown, so the rules match them
    to their bucket by parent component."""
    plan = copy.deepcopy(plan)
    bucket = _one(plan, "alicloud:oss/bucket:Bucket")
    store = plan.by_urn()[bucket.parent]
    other_store = copy.deepcopy(store)
    other_store.urn = store.urn + "-2"
    other_bucket = copy.deepcopy(bucket)
    other_bucket.urn, other_bucket.parent = bucket.urn + "-2", other_store.urn
    other_bucket.inputs["bucket"] = bucket.inputs["bucket"] + "-2"
    siblings = [r for r in plan.resources if r.parent == store.urn and r.urn != bucket.urn]
    for r in siblings:
        r.inputs["bucket"] = UNKNOWN_STRING_VALUE
    # Only the bucket policy of the second store exists (HTTPS-only is decided by it).
    (policy,) = [copy.deepcopy(r) for r in siblings if r.type == "alicloud:oss/bucketPolicy:BucketPolicy"]
    policy.urn, policy.parent = policy.urn + "-2", other_store.urn
    policy.inputs["policy"] = UNKNOWN_STRING_VALUE  # it would name the second bucket
    plan.resources += [other_store, other_bucket, policy]
    return plan


def test_components_are_told_apart_by_the_engine_given_parent() -> None:
    plan = _second_bucket_without_acl(_plan())
    for r in plan.resources:  # the plan reads the unknowns as "[unknown]"
        r.inputs = {k: "[unknown]" if v == UNKNOWN_STRING_VALUE else v for k, v in r.inputs.items()}
    expected = _plan_findings(plan)
    assert [(rule, urn) for rule, urn, _ in expected] == [
        ("bucket-private", plan.resources[-2].urn), ("bucket-private", plan.resources[-2].urn)]
    pack_plan = _second_bucket_without_acl(_plan())
    assert _pack_findings(pack_plan) == expected
    assert _pack_findings(pack_plan, options_parent=True) == expected


def test_every_kind_of_preview_unknown_is_unknown_to_the_rules() -> None:
    """The engine marks unknowns with a sentinel per type; the rules see one "[unknown]" for all."""
    with mock.patch("pulumi_policy.PolicyPack"):
        pack = runpy.run_path(str(ROOT / "policy" / "__main__.py"), run_name="__main__")
    assert pack["plain"]({"a": UNKNOWN_STRING_VALUE, "b": [UNKNOWN_BOOLEAN_VALUE], "c": {"d": UNKNOWN_OBJECT_VALUE}}) == {
        "a": "[unknown]", "b": ["[unknown]"], "c": {"d": "[unknown]"}}
