"""``askflow plan --terraform-json``: the planned Alibaba Cloud resources as Terraform JSON.

Terraform scanners (checkov, tfsec/trivy) read ``*.tf.json`` files
(https://developer.hashicorp.com/terraform/language/syntax/json): ``{"resource": {"<type>":
{"<name>": {<arguments>}}}}``. pulumi-alicloud bridges terraform-provider-alicloud
(https://github.com/pulumi/pulumi-alicloud), so each Pulumi resource is a Terraform resource whose
arguments are the Pulumi inputs with their Terraform names back:

* types: ``alicloud:<module>/<camelName>:<Name>`` is ``alicloud_<module>_<snake_name>`` unless the
  bridge maps it to an older Terraform name (:data:`TERRAFORM_TYPES`, from pulumi-alicloud's
  provider mapping ``provider/resources.go``);
* arguments: camelCase to snake_case; list blocks that the bridge pluralised get their Terraform
  (singular) name back (:data:`BLOCK_NAMES`; each is the name the SDK docstring points to with
  "See `<name>` below"); ``tags`` stays a map, every other object is a nested block.

Values the plan cannot know (``[unknown]``) or masks (``[secret]``) are kept as those strings.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from askflow import yamlio
from askflow.plan import Plan

#: Pulumi type tokens whose Terraform type is not ``alicloud_<module>_<snake_name>``.
TERRAFORM_TYPES: dict[str, str] = {
    "alicloud:vpc/network:Network": "alicloud_vpc",
    "alicloud:vpc/switch:Switch": "alicloud_vswitch",
    "alicloud:vpc/natGateway:NatGateway": "alicloud_nat_gateway",
    "alicloud:vpc/snatEntry:SnatEntry": "alicloud_snat_entry",
    "alicloud:ecs/eipAddress:EipAddress": "alicloud_eip_address",
    "alicloud:ecs/eipAssociation:EipAssociation": "alicloud_eip_association",
    "alicloud:ecs/securityGroup:SecurityGroup": "alicloud_security_group",
    "alicloud:rds/instance:Instance": "alicloud_db_instance",
    "alicloud:rds/database:Database": "alicloud_db_database",
    "alicloud:rds/rdsAccount:RdsAccount": "alicloud_rds_account",
    "alicloud:rds/accountPrivilege:AccountPrivilege": "alicloud_db_account_privilege",
    "alicloud:cs/nodePool:NodePool": "alicloud_cs_kubernetes_node_pool",
    # argo.engine ack-one; pulumi-alicloud maps the prefix ack_one to module AckOne (provider/resources.go l. 177).
    "alicloud:ackone/cluster:Cluster": "alicloud_ack_one_cluster",
}

#: Pulumi's pluralised names of repeated blocks -> the Terraform block name.
BLOCK_NAMES: dict[str, str] = {
    "lifecycleRules": "lifecycle_rule",
    "expirations": "expiration",
    "abortMultipartUploads": "abort_multipart_upload",
    "noncurrentVersionExpirations": "noncurrent_version_expiration",
    "transitions": "transition",
    "noncurrentVersionTransitions": "noncurrent_version_transition",
    "corsRules": "cors_rule",
    "deleteOptions": "delete_options",  # already plural in Terraform
}

#: Object-valued arguments that are Terraform maps (keys kept as they are), not nested blocks.
MAP_ARGUMENTS = frozenset({"tags", "resourceGroupTags", "labels"})

_TOKEN = re.compile(r"^alicloud:([A-Za-z0-9]+)/([A-Za-z0-9]+):[A-Za-z0-9]+$")


def snake(name: str) -> str:
    """``serverSideEncryptionRule`` -> ``server_side_encryption_rule``."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def terraform_type(token: str) -> str:
    """The Terraform resource type of a pulumi-alicloud type token."""
    if token in TERRAFORM_TYPES:
        return TERRAFORM_TYPES[token]
    m = _TOKEN.match(token)
    if not m:
        raise ValueError(f"not a pulumi-alicloud resource type: {token}")
    return f"alicloud_{snake(m.group(1))}_{snake(m.group(2))}"


def terraform_name(name: str) -> str:
    """A valid Terraform resource name: letters, digits, ``_`` and ``-``, not starting with a digit or ``-``."""
    out = re.sub(r"[^A-Za-z0-9_-]", "_", name)
    return out if re.match(r"^[A-Za-z_]", out) else f"_{out}"


def _value(key: str, value: Any) -> Any:
    if key in MAP_ARGUMENTS and isinstance(value, dict):
        return dict(sorted(value.items()))
    if isinstance(value, dict):
        if "$ref" in value and len(value) == 1:
            return str(value["$ref"])
        if "$asset" in value and len(value) == 1:
            return str(value["$asset"])
        return arguments(value)
    if isinstance(value, list):
        return [_value(key, v) for v in value]
    return value


def arguments(inputs: dict[str, Any]) -> dict[str, Any]:
    """Pulumi inputs (engine camelCase) as Terraform arguments and nested blocks, sorted."""
    out: dict[str, Any] = {}
    for key, value in inputs.items():
        if key.startswith("__"):
            continue
        out[BLOCK_NAMES.get(key) or snake(key)] = _value(key, value)
    return dict(sorted(out.items()))


def terraform_document(plan: Plan) -> dict[str, Any]:
    """``{"resource": {type: {name: arguments}}}`` for every ``alicloud:`` resource of the plan."""
    resources: dict[str, dict[str, Any]] = {}
    for r in sorted(plan.resources, key=lambda r: r.urn):
        if not r.custom or not r.type.startswith("alicloud:"):
            continue
        by_name = resources.setdefault(terraform_type(r.type), {})
        name = terraform_name(r.name)
        if name in by_name:  # two Pulumi names that differ only in characters Terraform forbids
            name = f"{name}_{hashlib.sha256(r.urn.encode()).hexdigest()[:6]}"
        by_name[name] = arguments(r.inputs)
    return {"resource": {t: dict(sorted(v.items())) for t, v in sorted(resources.items())}}


def to_terraform_json(plan: Plan) -> str:
    """The Terraform JSON text (canonical: sorted keys, fixed indentation)."""
    return yamlio.dumps_json(terraform_document(plan))
