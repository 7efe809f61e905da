"""--terraform-json: Terraform's JSON shape, the provider's names, the bucket's blocks."""

from __future__ import annotations

import importlib.util
import json
import re
from functools import cache
from pathlib import Path

import pytest

from askflow.plan import Plan, plan_stack
from askflow.plan.terraform import BLOCK_NAMES, terraform_name, terraform_type, to_terraform_json
from tests.plan.harness import ROOT

# Located without importing it: importing all of pulumi_alicloud takes seconds.
_SPEC = importlib.util.find_spec("pulumi_alicloud")
assert _SPEC is not None and _SPEC.origin
SDK = Path(_SPEC.origin).parent
TF_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


@cache
def _plan(stack: str) -> Plan:
    return plan_stack(stack, ROOT)


@cache
def _doc(stack: str) -> dict:
    return json.loads(to_terraform_json(_plan(stack)))


@pytest.mark.parametrize(("token", "expected"), [
    ("alicloud:oss/bucket:Bucket", "alicloud_oss_bucket"),
    ("alicloud:cs/serverlessKubernetes:ServerlessKubernetes", "alicloud_cs_serverless_kubernetes"),
    ("alicloud:cs/kubernetesAddon:KubernetesAddon", "alicloud_cs_kubernetes_addon"),
    ("alicloud:ecs/eipAddress:EipAddress", "alicloud_eip_address"),
    ("alicloud:vpc/network:Network", "alicloud_vpc"),
    ("alicloud:vpc/switch:Switch", "alicloud_vswitch"),
    ("alicloud:ram/role:Role", "alicloud_ram_role"),
    ("alicloud:ram/rolePolicyAttachment:RolePolicyAttachment", "alicloud_ram_role_policy_attachment"),
    ("alicloud:ecs/securityGroup:SecurityGroup", "alicloud_security_group"),
    ("alicloud:oss/bucketPublicAccessBlock:BucketPublicAccessBlock", "alicloud_oss_bucket_public_access_block"),
    ("alicloud:rds/instance:Instance", "alicloud_db_instance"),
])
def test_known_type_mappings(token: str, expected: str) -> None:
    assert terraform_type(token) == expected


def test_names_are_terraform_identifiers() -> None:
    assert terraform_name("9a.b c") == "_9a_b_c"
    for stack in ("dev", "staging", "prod"):
        for typ, by_name in _doc(stack)["resource"].items():
            assert re.match(r"^alicloud_[a-z0-9_]+$", typ)
            assert all(TF_NAME.match(name) for name in by_name)


def test_shape_is_resource_type_name_arguments_and_only_alicloud() -> None:
    # checkov's Terraform JSON parser walks resource -> type -> name -> arguments (objects all the way).
    doc = _doc("prod")
    assert list(doc) == ["resource"]
    count = 0
    for typ, by_name in doc["resource"].items():
        assert isinstance(by_name, dict) and by_name
        for name, args in by_name.items():
            assert isinstance(args, dict), (typ, name)
            count += 1
    plan = _plan("prod")
    assert count == sum(1 for r in plan.resources if r.custom and r.type.startswith("alicloud:"))
    assert not any(t.startswith(("kubernetes", "random")) for t in doc["resource"])


def test_bucket_blocks() -> None:
    (bucket,) = _doc("prod")["resource"]["alicloud_oss_bucket"].values()
    assert bucket["server_side_encryption_rule"]["sse_algorithm"] in ("AES256", "KMS")
    rules = bucket["lifecycle_rule"]
    assert isinstance(rules, list) and len(rules) == 2 and all(r["enabled"] for r in rules)
    assert bucket["lifecycle_rule_allow_same_action_overlap"] is True
    assert any("abort_multipart_upload" in r for r in rules)
    assert any(r.get("prefix") == "uploads/" and "expiration" in r for r in rules)
    assert bucket["versioning"]["status"] == "Enabled"
    assert bucket["tags"]["askflow-environment"] == "prod"  # map keys are not snake_cased
    assert bucket["force_destroy"] is False and "lifecycleRules" not in bucket


def test_cluster_arguments_are_snake_case() -> None:
    (cluster,) = _doc("prod")["resource"]["alicloud_cs_managed_kubernetes"].values()
    assert cluster["enable_rrsa"] is True and cluster["deletion_protection"] is True
    assert cluster["slb_internet_enabled"] is False and cluster["profile"] == "Default"
    assert isinstance(cluster["delete_options"], list) and cluster["delete_options"][0]["delete_mode"]
    assert cluster["operation_policy"]["cluster_auto_upgrade"]["channel"]


def test_block_names_are_the_ones_the_sdk_docstrings_name() -> None:
    # pulumi-alicloud keeps the Terraform docs' "See `<block>` below" pointers: external truth for the names.
    text = "".join(p.read_text() for p in sorted((SDK / "oss").glob("*.py")))
    text += (SDK / "cs" / "managed_kubernetes.py").read_text()
    for pulumi_name, tf_name in BLOCK_NAMES.items():
        if pulumi_name in ("transitions", "corsRules"):
            continue
        assert f"See `{tf_name}` below" in text, pulumi_name


def test_deterministic() -> None:
    assert to_terraform_json(_plan("prod")) == to_terraform_json(plan_stack("prod", ROOT))


@pytest.mark.skipif(importlib.util.find_spec("checkov") is None, reason="checkov is not installed (CI runs it)")
def test_checkov_parses_the_export(tmp_path: Path) -> None:
    from checkov.terraform.runner import Runner  # type: ignore[import-not-found]

    (tmp_path / "prod.tf.json").write_text(to_terraform_json(_plan("prod")))
    report = Runner().run(root_folder=str(tmp_path))
    assert report.passed_checks or report.failed_checks
