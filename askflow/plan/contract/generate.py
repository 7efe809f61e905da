"""Generate ``askflow/plan/contract/data/contract.json`` from the providers' own sources.

Run by a maintainer after a provider version changes in ``requirements.lock`` (a test fails until
then), in the project's virtualenv (which holds the pinned provider SDKs) and with checkouts (or
bare mirrors) of the upstream repositories::

    .venv/bin/python -m askflow.plan.contract.generate \\
        --alicloud-terraform ../terraform-provider-alicloud/.git \\
        --alicloud-pulumi ../pulumi-alicloud/.git \\
        --random-terraform ../terraform-provider-random/.git \\
        --oss-go-sdk ../aliyun-oss-go-sdk/.git

Where the facts come from:

- names, types, required inputs, enums and property deprecations of every resource: the pinned
  Pulumi SDKs (``pulumi_alicloud``, ``pulumi_kubernetes``, ``pulumi_random``), which
  pulumi-language-python generates from each package's schema at that version (the
  ``@pulumi.input_type`` Args classes, their getters' Pulumi names and their ``deprecated`` notes);
- allowed values, integer ranges, lengths, patterns, ForceNew and resource-level deprecations of
  alicloud resources: ``aliyun/terraform-provider-alicloud``'s Go source (:mod:`.tfsource`), joined by
  the Terraform resource name that pulumi-alicloud's ``bridge-metadata.json`` gives each token;
- which random attributes force a replacement: ``hashicorp/terraform-provider-random``'s source;
- regions: ``alicloud/connectivity/regions.go`` of the Terraform provider.

The committed data (2026-12-04) came from snapshots in which the pinned versions are not tagged:
pulumi-alicloud's latest tag there is v3.105.0 (its ``schema.json`` is not stored), so the Pulumi
facts come from the pinned 4.0.0 SDK itself, which documents arguments "Available since v1.295.0",
and terraform-provider-alicloud's newest commit there is v1.289.0-8-g81c43b672 (2026-08-21): the
Terraform facts are from that commit (``--alicloud-terraform-ref HEAD``), older than the version
4.0.0 bridges; ``--oss-go-sdk-ref v2.2.9`` (the version the provider's go.mod names). With full
checkouts, pass the tag the pinned pulumi-alicloud's ``provider/go.mod`` names as
``--alicloud-terraform-ref``.

``ASKFLOW_UPSTREAM_MIRRORS=<folder of owner+repo/repo mirrors> make test`` checks that a rerun
reproduces the committed data byte for byte (tests/plan/test_contract_generate.py).

Which resources: every type ``infra/`` and ``bootstrap/`` create (found in their source), plus
:data:`EXTRA_TYPES`. ``tests/plan/test_contract.py`` fails when a plan records a type the data lacks.
"""

from __future__ import annotations

import argparse
import collections.abc
import enum
import importlib
import importlib.metadata
import inspect
import json
import re
import subprocess
import sys
import types
import typing
from pathlib import Path
from typing import Any

import pulumi
from pulumi import _types as pulumi_types

from askflow.plan.contract.tfsource import AlicloudSource, Git, RandomSource, TfResource

ROOT = Path(__file__).resolve().parents[3]
DATA = Path(__file__).resolve().parent / "data"
PACKAGES = {"alicloud": "pulumi-alicloud", "kubernetes": "pulumi-kubernetes", "random": "pulumi-random"}
SDK_MODULES = {"alicloud": "pulumi_alicloud", "k8s": "pulumi_kubernetes", "random": "pulumi_random"}

# Types the program may create that its source does not name directly: both cluster resources
# (``cluster.kind`` switches between them) and the ACK One cluster of the managed-Argo option.
EXTRA_TYPES = (
    "alicloud.cs.ManagedKubernetes",
    "alicloud.cs.ServerlessKubernetes",
    "alicloud.cs.KubernetesAddon",
    "alicloud.ackone.Cluster",
    "k8s.Provider",
)


def scan_sources(*folders: Path) -> list[str]:
    """``alicloud.cs.ServerlessKubernetes``-style constructor paths used in the Python files."""
    found: set[str] = set()
    pattern = re.compile(r"\b(alicloud|k8s|random)((?:\.[a-z_][a-z0-9_]*)*\.[A-Z]\w*)\(")
    for folder in folders:
        for path in sorted(folder.rglob("*.py")):
            for m in pattern.finditer(path.read_text(encoding="utf-8")):
                name = m.group(1) + m.group(2)
                if not name.endswith(("Args", "Options")) and not name.split(".")[-1].startswith("Get"):
                    found.add(name)
    return sorted(found | set(EXTRA_TYPES))


def resolve(path: str) -> type:
    alias, *rest = path.split(".")
    obj: Any = importlib.import_module(SDK_MODULES[alias])
    for part in rest:
        obj = getattr(obj, part)
    return typing.cast(type, obj)


def token_of(cls: type) -> str:
    if issubclass(cls, pulumi.ProviderResource):
        return f"pulumi:providers:{cls.__module__.split('.')[0].removeprefix('pulumi_')}"
    source = inspect.getsource(sys.modules[cls.__module__])
    m = re.search(rf"super\({cls.__name__}, __self__\)\.__init__\(\s*['\"]([^'\"]+)['\"]", source)
    if m:
        return m.group(1)
    raise ValueError(f"no type token found for {cls.__module__}.{cls.__name__}")


class TypeTable:
    """Named object types (the SDK's Args classes), shared by every resource that uses them."""

    def __init__(self) -> None:
        self.types: dict[str, dict[str, Any]] = {}

    def spec(self, hint: Any) -> dict[str, Any]:
        """A property's type as data: string, integer, number, boolean, array, map, ref, any."""
        origin = typing.get_origin(hint)
        args = typing.get_args(hint)
        if origin in (typing.Union, types.UnionType):
            members = [a for a in args if not _plumbing(a)]
            if len(members) == 1:
                return self.spec(members[0])
            specs = [self.spec(m) for m in members]
            if any(s == {"type": "any"} for s in specs):
                return {"type": "any"}
            unique = [s for i, s in enumerate(specs) if s not in specs[:i]]
            return unique[0] if len(unique) == 1 else {"oneOf": unique}
        if origin is typing.Literal:
            return {"type": "string", "enum": list(args)} if all(isinstance(a, str) for a in args) else {"type": "any"}
        if origin in (collections.abc.Sequence, list, tuple):
            return {"type": "array", "items": self.spec(args[0]) if args else {"type": "any"}}
        if origin in (collections.abc.Mapping, dict):
            return {"type": "map", "values": self.spec(args[1]) if len(args) == 2 else {"type": "any"}}
        if hint is str:
            return {"type": "string"}
        if hint is bool:
            return {"type": "boolean"}
        if hint is int:
            return {"type": "integer"}
        if hint is float:
            return {"type": "number"}
        if isinstance(hint, type) and issubclass(hint, enum.Enum):
            return {"type": "string", "enum": sorted(str(m.value) for m in hint)}
        if isinstance(hint, type) and pulumi_types.is_input_type(hint):
            name = f"{hint.__module__.split('.')[0]}:{hint.__qualname__}"
            if name not in self.types:
                self.types[name] = {}  # recursion guard (JSONSchemaProps refers to itself)
                self.types[name] = self.object(hint)
            return {"type": "ref", "ref": name}
        return {"type": "any"}

    def object(self, args_cls: type) -> dict[str, Any]:
        names = pulumi_types.input_type_py_to_pulumi_names(args_cls)
        hints = pulumi_types.input_type_types(args_cls)
        signature = inspect.signature(args_cls.__init__)  # type: ignore[misc]
        required = sorted(
            names[p] for p, v in signature.parameters.items()
            if p in names and v.default is inspect.Parameter.empty
        )
        deprecated = _deprecations(args_cls)
        props: dict[str, Any] = {}
        for py, pu in sorted(names.items(), key=lambda kv: kv[1]):
            spec = self.spec(hints.get(pu, Any))
            if py in deprecated:
                spec["deprecated"] = deprecated[py]
            props[pu] = spec
        return {"properties": props, "required": required, "python": dict(sorted(names.items()))}


def _plumbing(hint: Any) -> bool:
    origin = typing.get_origin(hint) or hint
    if hint is type(None):
        return True
    if isinstance(origin, type) and issubclass(origin, collections.abc.Awaitable):
        return True
    return isinstance(origin, type) and issubclass(origin, pulumi.Output)


def _deprecations(args_cls: type) -> dict[str, str]:
    """Python property name -> deprecation message, from the SDK's ``_utilities.deprecated`` getters."""
    try:
        source = inspect.getsource(args_cls)
    except (OSError, TypeError):
        return {}
    return {
        m.group(2): m.group(1)
        for m in re.finditer(
            r'@_utilities\.deprecated\("""(.*?)"""\)\s*def (\w+)\(', source, re.S
        )
    }


def _args_class(cls: type) -> type | None:
    module = sys.modules[cls.__module__]
    # ``<Resource>InitArgs`` where the schema has a type named ``<Resource>Args`` already.
    return getattr(module, f"{cls.__name__}InitArgs", None) or getattr(module, f"{cls.__name__}Args", None)


def _join_terraform(resource: dict[str, Any], tf: TfResource, table: TypeTable) -> None:
    """Put the Terraform facts on the Pulumi properties they belong to (joined by snake_case name)."""
    resource["terraform"] = {"resource": tf.name, "source": f"{tf.file}:{tf.line}"}
    if tf.deprecation:
        resource["deprecated"] = tf.deprecation
        resource["deprecatedSource"] = f"{tf.file}:{tf.line}"

    def join(obj: dict[str, Any], attrs: dict[str, Any]) -> None:
        by_python = {py: pu for py, pu in obj.get("python", {}).items()}
        for tf_name, attr in attrs.items():
            pu = by_python.get(tf_name)
            if pu is None or pu not in obj["properties"]:
                continue
            spec = obj["properties"][pu]
            facts: dict[str, Any] = {"source": f"{tf.file}:{attr.line}"}
            if attr.force_new:
                facts["forceNew"] = True
            if attr.rules:
                facts["rules"] = attr.rules
            if attr.each_rules:
                facts["eachRules"] = attr.each_rules
            if attr.deprecated and "deprecated" not in spec:
                spec["deprecated"] = attr.deprecated
            if len(facts) > 1:
                spec["terraform"] = facts
            if attr.nested:
                ref = _ref_of(spec)
                if ref and ref in table.types:
                    join(table.types[ref], attr.nested)

    join(resource, tf.attributes)


def _ref_of(spec: dict[str, Any]) -> str | None:
    if spec.get("type") == "ref":
        return str(spec["ref"])
    if spec.get("type") == "array":
        return _ref_of(spec["items"])
    return None


def _version(package: str) -> str:
    return importlib.metadata.version(package)


def _tf_name_index(bridge_metadata: dict[str, Any]) -> dict[str, str]:
    return {v["current"]: k for k, v in bridge_metadata["auto-aliasing"]["resources"].items() if "current" in v}


def regions(git: Git) -> dict[str, Any]:
    """Region ids from the provider's region constants; zone ids the provider's source and docs name.

    The zone list is what the provider's own files mention, so it is incomplete by nature: the plan
    warns (never refuses) about a zone outside it, with the nearest known zone.
    """
    path = "alicloud/connectivity/regions.go"
    src = git.show(path)
    ids = sorted(set(re.findall(r'=\s*Region\("([a-z0-9-]+)"\)', src)))
    alternatives = "|".join(re.escape(r) for r in sorted(ids, key=len, reverse=True))
    proc = subprocess.run(
        ["git", f"--git-dir={git.git_dir}", "grep", "-h", "-o", "-E", f'"({alternatives})-?[a-z]"',
         git.commit, "--", "*.go", "website/docs/*"],
        capture_output=True, text=True,
    )
    zones: dict[str, set[str]] = {}
    for hit in set(proc.stdout.split()):
        zone = hit.strip('"')
        region = max((r for r in ids if zone.startswith(r)), key=len)
        rest = zone[len(region):]
        if re.fullmatch(r"-[a-z]" if not region[-1].isdigit() else r"-?[a-z]", rest) and zone not in ids:
            zones.setdefault(region, set()).add(zone)
    where = f"aliyun/terraform-provider-alicloud at {git.commit} ({git.describe}, {git.date})"
    return {
        "regions": ids,
        "regionsSource": f"{path} of {where}",
        "zones": {r: sorted(z) for r, z in sorted(zones.items())},
        "zonesSource": f"zone ids named in the *.go files and website/docs of {where} (incomplete: a zone "
                       "outside it is a warning)",
    }


def generate(alicloud_tf: Git, alicloud_pulumi: Git, random_tf: Git, oss_sdk: Git | None = None) -> dict[str, Any]:
    table = TypeTable()
    bridge = json.loads(alicloud_pulumi.show("provider/cmd/pulumi-resource-alicloud/bridge-metadata.json"))
    tf_names = _tf_name_index(bridge)
    random_bridge = {"random:index/randomPassword:RandomPassword": "random_password"}
    alicloud = AlicloudSource(alicloud_tf, oss_sdk)
    random_source = RandomSource(random_tf)
    resources: dict[str, Any] = {}
    missing_tf: list[str] = []
    for path in scan_sources(ROOT / "infra", ROOT / "bootstrap"):
        cls = resolve(path)
        if cls.__name__ == "CustomResource":
            continue  # its type comes from apiVersion/kind: checked as CUSTOM_RESOURCE (check.py)
        token = token_of(cls)
        args_cls = _args_class(cls)
        resource = table.object(args_cls) if args_cls is not None else {"properties": {}, "required": [], "python": {}}
        resource["sdk"] = f"{cls.__module__}.{cls.__name__}"
        if token.startswith("alicloud:"):
            tf_name = tf_names.get(token)
            tf = alicloud.resource(tf_name) if tf_name else None
            if tf is None:
                missing_tf.append(token)
            else:
                _join_terraform(resource, tf, table)
        elif token.startswith("random:"):
            tf = random_source.resource(random_bridge.get(token, ""))
            if tf is not None:
                _join_terraform(resource, tf, table)
        resources[token] = resource
    for obj in [*resources.values(), *table.types.values()]:
        obj.pop("python", None)
    return {
        "generator": "python -m askflow.plan.contract.generate (see its docstring)",
        "providers": {
            "alicloud": {
                "package": "pulumi-alicloud", "version": _version("pulumi-alicloud"),
                "schema": "the pinned pulumi_alicloud SDK (generated from the package schema of that version)",
                "terraform": {"repository": "aliyun/terraform-provider-alicloud", "commit": alicloud_tf.commit,
                              "describe": alicloud_tf.describe, "date": alicloud_tf.date},
                "bridgeMetadata": {"repository": "pulumi/pulumi-alicloud", "commit": alicloud_pulumi.commit,
                                   "describe": alicloud_pulumi.describe, "date": alicloud_pulumi.date},
                "withoutTerraformFacts": sorted(missing_tf),
                **({"ossGoSdk": {"repository": "aliyun/aliyun-oss-go-sdk", "commit": oss_sdk.commit,
                                 "describe": oss_sdk.describe, "date": oss_sdk.date}} if oss_sdk else {}),
            },
            "kubernetes": {"package": "pulumi-kubernetes", "version": _version("pulumi-kubernetes"),
                           "schema": "the pinned pulumi_kubernetes SDK (generated from the package schema)"},
            "random": {
                "package": "pulumi-random", "version": _version("pulumi-random"),
                "schema": "the pinned pulumi_random SDK (generated from the package schema)",
                "terraform": {"repository": "hashicorp/terraform-provider-random", "commit": random_tf.commit,
                              "describe": random_tf.describe, "date": random_tf.date},
            },
        },
        "resources": dict(sorted(resources.items())),
        "types": dict(sorted(table.types.items())),
    }


def dumps(data: dict[str, Any]) -> str:
    """Compact but diffable: one line per resource and per type."""
    lines = ["{"]
    top = list(data.items())
    for i, (key, value) in enumerate(top):
        comma = "," if i < len(top) - 1 else ""
        if key in ("resources", "types"):
            lines.append(f"  {json.dumps(key)}: {{")
            items = list(value.items())
            for j, (name, obj) in enumerate(items):
                inner_comma = "," if j < len(items) - 1 else ""
                lines.append(f"    {json.dumps(name)}: {json.dumps(obj, sort_keys=True, separators=(',', ':'))}{inner_comma}")
            lines.append(f"  }}{comma}")
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value, sort_keys=True)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m askflow.plan.contract.generate", description=__doc__.split("\n")[0])
    parser.add_argument("--alicloud-terraform", required=True, type=Path, help="git dir of aliyun/terraform-provider-alicloud")
    parser.add_argument("--alicloud-terraform-ref", default="HEAD", help="the commit or tag pulumi-alicloud bridges")
    parser.add_argument("--alicloud-pulumi", required=True, type=Path, help="git dir of pulumi/pulumi-alicloud")
    parser.add_argument("--alicloud-pulumi-ref", default="HEAD")
    parser.add_argument("--random-terraform", required=True, type=Path, help="git dir of hashicorp/terraform-provider-random")
    parser.add_argument("--random-terraform-ref", default="HEAD")
    parser.add_argument("--oss-go-sdk", type=Path, help="git dir of aliyun/aliyun-oss-go-sdk (the OSS constants the provider uses)")
    parser.add_argument("--oss-go-sdk-ref", default="HEAD", help="the version terraform-provider-alicloud's go.mod names")
    parser.add_argument("--out", type=Path, default=DATA / "contract.json")
    args = parser.parse_args(argv)
    data = generate(
        Git(args.alicloud_terraform, args.alicloud_terraform_ref),
        Git(args.alicloud_pulumi, args.alicloud_pulumi_ref),
        Git(args.random_terraform, args.random_terraform_ref),
        Git(args.oss_go_sdk, args.oss_go_sdk_ref) if args.oss_go_sdk else None,
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(dumps(data), encoding="utf-8")
    region_data = regions(Git(args.alicloud_terraform, args.alicloud_terraform_ref))
    (args.out.parent / "regions.json").write_text(json.dumps(region_data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: {len(data['resources'])} resources, {len(data['types'])} types")
    return 0


if __name__ == "__main__":
    sys.exit(main())
