"""The plan's cloud mocks answer the way the providers do, so the program runs its real code paths."""

from __future__ import annotations

import importlib
import inspect
import re
from functools import cache
from typing import Any

import pulumi
import pulumi_alicloud as alicloud
import pulumi_kubernetes as k8s
import pytest

from askflow.plan import Plan, plan_stack
from askflow.plan.mocks import CloudMocks
from tests.plan.harness import ROOT, record


@cache
def _plan(stack: str) -> Plan:
    return plan_stack(stack, ROOT)


def _output_names(cls: type) -> dict[str, Any]:
    """Engine (camelCase) name -> the SDK property (or output type) of every output of ``cls``."""
    out = {}
    for _, prop in inspect.getmembers(cls, lambda v: isinstance(v, property)):
        name = getattr(prop.fget, "_pulumi_name", None)
        if name:
            out[name] = prop
    return out


def _resource_class(token: str) -> type:
    pkg, module, cls = re.match(r"^([^:]+):([^:]+):(.+)$", token).groups()  # type: ignore[union-attr]
    if pkg == "alicloud":
        return getattr(importlib.import_module(f"pulumi_alicloud.{module.split('/')[0]}"), cls)
    if pkg == "kubernetes" and module == "helm.sh/v3":
        return getattr(k8s.helm.v3, cls)
    raise LookupError(token)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_mocked_output_is_an_output_of_the_real_resource(stack: str) -> None:
    """What the mocks add beyond the inputs must be named as the provider names it (a misspelt key
    is silently None in the program) and be an output the real resource has."""
    mocks = CloudMocks("cn-hangzhou")
    checked = set()
    for r in _plan(stack).resources:
        if not r.custom or not (r.type.startswith("alicloud:") or r.type == "kubernetes:helm.sh/v3:Release"):
            continue
        args = pulumi.runtime.MockResourceArgs(typ=r.type, name=r.name, inputs=r.inputs, provider=None,
                                               resource_id=None, custom=True)
        _, outputs = mocks.new_resource(args)
        known = _output_names(_resource_class(r.type))
        for key in set(outputs) - set(r.inputs):
            assert key in known, f"{r.type}: the mock returns {key!r}, which the resource has no output named"
        checked.add(r.type)
    assert "alicloud:cs/managedKubernetes:ManagedKubernetes" in checked


def test_the_release_status_has_the_shape_of_helm_v3_release_status() -> None:
    (release,) = _plan("dev").of_type("kubernetes:helm.sh/v3:Release")
    args = pulumi.runtime.MockResourceArgs(typ=release.type, name=release.name, inputs=release.inputs,
                                           provider=None, resource_id=None, custom=True)
    rid, outputs = CloudMocks("cn-hangzhou").new_resource(args)
    status = outputs["status"]
    fields = _output_names(k8s.helm.v3.outputs.ReleaseStatus)
    assert set(status) <= set(fields)
    # `revision` is Helm's release number (an int); `version` is the chart's version (a string).
    assert status["revision"] == 1
    assert status["version"] == release.inputs["version"]
    assert rid == f"{release.inputs['namespace']}/{release.inputs['name']}"


def _rrsa(enable: bool | None) -> list[Any]:
    got: list[Any] = []

    def program() -> None:
        kwargs = {} if enable is None else {"enable_rrsa": enable}
        cluster = alicloud.cs.ServerlessKubernetes("c", name="c", vpc_id="vpc-1", vswitch_ids=["vsw-1"], **kwargs)
        cluster.rrsa_metadata.apply(got.append)

    record(program)
    return got


def test_the_cluster_has_an_oidc_issuer_only_with_rrsa_on() -> None:
    """ACK creates the issuer only for an RRSA cluster: a program that forgot enable_rrsa must not
    get a working issuer from the mocks (its trust policies would look fine in the plan)."""
    (on,) = _rrsa(True)
    assert on.enabled is True
    assert on.rrsa_oidc_issuer_url.startswith("https://oidc-ack-cn-hangzhou.oss-cn-hangzhou.aliyuncs.com/c")
    assert on.ram_oidc_provider_arn.startswith("acs:ram::") and ":oidc-provider/ack-rrsa-c" in on.ram_oidc_provider_arn
    for enable in (False, None):
        (off,) = _rrsa(enable)
        assert off.enabled is False
        assert not off.rrsa_oidc_issuer_url and not off.ram_oidc_provider_arn
