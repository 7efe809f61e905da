"""Tenant isolation in the planned stacks: network policy, tenant-user RBAC, the archive database's
allow-list, argo-server's reads."""

from __future__ import annotations

from typing import Any

import pytest

from askflow.plan import Plan, plan_stack
from tests.conftest import ROOT

NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy"


@pytest.fixture(scope="module")
def prod() -> Plan:
    return plan_stack("prod", ROOT)


def by_namespace(plan: Plan, typ: str, name: str) -> dict[str, Any]:
    return {r.inputs["metadata"]["namespace"]: r.inputs for r in plan.of_type(typ) if r.inputs["metadata"]["name"] == name}


def test_each_tenant_namespace_denies_by_default(prod: Plan) -> None:
    """Ingress only from the namespace itself; egress: DNS, the namespace, outside the VPC, and
    inside it only the Kubernetes API (the executor writes WorkflowTaskResults). Nothing reaches
    another tenant's pods, argo-server (2746), the controller's metrics (9090) or the archive (5432)."""
    policies = by_namespace(prod, NETPOL, "askflow-default-deny")
    assert set(policies) == {"data-eng", "ml"}
    for spec in (p["spec"] for p in policies.values()):
        assert spec["podSelector"] == {} and spec["policyTypes"] == ["Ingress", "Egress"]
        assert spec["ingress"] == [{"from": [{"podSelector": {}}]}]
        egress = spec["egress"]
        assert {"ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]} in egress
        assert {"to": [{"podSelector": {}}]} in egress
        assert {"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.30.0.0/16"]}}]} in egress
        inside = [rule for rule in egress if any(t.get("ipBlock", {}).get("cidr") in ("10.30.0.0/16", "172.21.0.0/20")
                                                 for t in rule.get("to", []))]
        assert sorted(port["port"] for rule in inside for port in rule["ports"]) == [443, 6443]
        # No rule opens another namespace by selector.
        assert not any("namespaceSelector" in t for rule in egress + spec["ingress"]
                       for t in rule.get("to", []) + rule.get("from", []))


def test_tenant_users_submit_and_read_but_never_read_secrets(prod: Plan) -> None:
    (role,) = prod.of_type("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole")
    assert role.inputs["metadata"]["name"] == "askflow-tenant-user"
    granted = {(g, res): set(rule["verbs"]) for rule in role.inputs["rules"]
               for g in rule["apiGroups"] for res in rule["resources"]}
    assert {"create", "get", "list", "watch"} <= granted[("argoproj.io", "workflows")]
    assert granted[("", "pods/log")] == {"get", "list", "watch"}
    for forbidden in (("", "secrets"), ("", "configmaps"), ("", "pods/exec"), ("argoproj.io", "workflowtaskresults"),
                      ("rbac.authorization.k8s.io", "roles")):
        assert forbidden not in granted, forbidden
    assert not any("*" in key or "*" in verbs for key, verbs in granted.items())
    for ns, binding in by_namespace(prod, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "askflow-tenant-user").items():
        assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "askflow-tenant-user"}
        assert binding["subjects"] == [{"kind": "Group", "name": f"askflow:{ns}:users", "apiGroup": "rbac.authorization.k8s.io"}]


def test_the_archive_accepts_only_the_pod_vswitches(prod: Plan) -> None:
    (db,) = prod.of_type("alicloud:rds/instance:Instance")
    assert db.inputs["securityIps"] == ["10.30.0.0/19", "10.30.32.0/19", "10.30.64.0/19"]
    assert "10.30.0.0/16" not in db.inputs["securityIps"]
