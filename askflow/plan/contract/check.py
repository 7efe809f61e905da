"""Hold every resource of a plan to its provider's contract (``data/contract.json``).

For each recorded resource: unknown input names, missing required inputs, wrong types, values
outside an enum, and the Terraform rules pulumi-alicloud applies at preview (allowed values, integer
ranges, lengths, patterns, CIDR sizes) are errors; a deprecated resource type or a deprecated
property that is set is a warning. Values the plan cannot know (outputs of other resources, shown as
``[unknown]``), secrets and resource references are skipped, never guessed.

An error names the stack-file key its value came from when the value is found in the stack file
(or is a settings default), else the resource and the property.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from askflow.plan.contract import DYNAMIC_PREFIX, REGENERATE, contract, dynamic_resources, regions

UNKNOWN = "[unknown]"
SECRET = "[secret]"
CUSTOM_RESOURCE_META = "pulumi_kubernetes:ObjectMetaArgs"
PROVIDER_PACKAGES = ("alicloud:", "kubernetes:", "random:", "pulumi:providers:")
VSWITCH = "alicloud:vpc/switch:Switch"


@dataclass(frozen=True)
class Finding:
    """One contract error or warning about one value."""

    severity: str  # "error" | "warning"
    resource: str  # the resource's name in the program
    type: str
    path: str  # the property, ``maintenanceWindow.weeklyPeriod`` or ``vswitchIds[1]``
    message: str
    source: str = ""  # the upstream file:line the rule comes from
    key: str = ""  # the stack-file key that produced the value, when known

    def line(self) -> str:
        where = f"{self.key}: " if self.key else ""
        cite = f" ({self.source})" if self.source else ""
        return f"{where}{short(self.type)} {self.resource}: {self.path}: {self.message}{cite}"


def short(typ: str) -> str:
    m = re.match(r"^([^:]+):([^/:]+)(?:/[^:]*)?:(.+)$", typ)
    return f"{m.group(1)}:{m.group(2)}.{m.group(3)}" if m else typ


def _skipped(value: Any) -> bool:
    if value == UNKNOWN or value == SECRET:
        return True
    return isinstance(value, dict) and ("$ref" in value or "$asset" in value)


class KeyIndex:
    """Where a value came from: stack-file keys (and settings defaults) by the value they hold."""

    def __init__(self, config: dict[str, Any] | None, defaults: dict[str, Any] | None = None) -> None:
        self.by_value: dict[str, list[str]] = {}
        for key, value in _leaves(config or {}, ()):
            self.by_value.setdefault(_norm(value), []).append(_key(key))
        for key, value in _leaves(defaults or {}, ()):
            self.by_value.setdefault(_norm(value), []).append(_key(key) + " (default)")

    def key(self, value: Any) -> str:
        """The one key holding ``value``; none when several do (a coincidence is not an answer)."""
        if isinstance(value, bool):
            return ""
        keys = self.by_value.get(_norm(value)) or []
        explicit = [k for k in keys if not k.endswith(" (default)")]
        chosen = explicit or keys
        return chosen[0] if len(chosen) == 1 else ""


def _key(parts: tuple[str | int, ...]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _leaves(value: Any, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(v, (*path, str(k)))
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            yield from _leaves(v, (*path, i))
    elif value is not None and path:
        yield path, value


def _norm(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@cache
def _regex(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:  # RE2 syntax Python does not read: not checked rather than guessed
        return None


def rule_problem(rule: dict[str, Any], value: Any) -> str | None:
    """Why ``value`` breaks ``rule`` (one of tfsource.validator's rules), or None."""
    if "unparsed" in rule:
        return None
    if "in" in rule:
        allowed = rule["in"]
        if rule.get("ignoreCase") and isinstance(value, str):
            ok = value.lower() in {str(a).lower() for a in allowed}
        else:
            ok = value in allowed
        if not ok:
            near = difflib.get_close_matches(str(value), [str(a) for a in allowed], n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            return f"{value!r} is not one of {', '.join(map(repr, allowed))}{hint}"
    if ("min" in rule or "max" in rule) and isinstance(value, int | float) and not isinstance(value, bool):
        lo, hi = rule.get("min"), rule.get("max")
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            span = f"between {lo} and {hi}" if lo is not None and hi is not None else (
                f"at least {lo}" if lo is not None else f"at most {hi}")
            return f"{value} is out of range: must be {span}"
    if ("minLength" in rule) and isinstance(value, str):
        if not rule["minLength"] <= len(value) <= rule["maxLength"]:
            return f"{value!r} has {len(value)} characters: must have {rule['minLength']} to {rule['maxLength']}"
    if "pattern" in rule and isinstance(value, str):
        rx = _regex(rule["pattern"])
        if rx is not None and not rx.search(value):
            why = f" ({rule['message']})" if rule.get("message") else ""
            return f"{value!r} does not match {rule['pattern']!r}{why}"
    if "notPattern" in rule and isinstance(value, str):
        rx = _regex(rule["notPattern"])
        if rx is not None and rx.search(value):
            why = f" ({rule['message']})" if rule.get("message") else ""
            return f"{value!r} must not match {rule['notPattern']!r}{why}"
    if "cidr" in rule and isinstance(value, str):
        lo, hi = rule["cidr"]
        try:
            net = ipaddress.ip_network(value, strict=True)
        except ValueError:
            return f"{value!r} is not a network CIDR"
        if not lo <= net.prefixlen <= hi:
            return f"{value!r} has prefix /{net.prefixlen}: must be /{lo} to /{hi}"
    if "ip" in rule and isinstance(value, str):
        try:
            ipaddress.ip_address(value)
        except ValueError:
            return f"{value!r} is not an IP address"
    if rule.get("json") and isinstance(value, str):
        try:
            json.loads(value)
        except ValueError:
            return f"{value[:40]!r} is not JSON"
    if rule.get("notEmpty") and value in ("", 0, None):
        return "must not be empty"
    if "anyOf" in rule:
        problems = [[rule_problem(r, value) for r in alternative] for alternative in rule["anyOf"]]
        if all(any(p for p in alt) for alt in problems):
            return next(p for alt in problems for p in alt if p)
    return None


class Checker:
    """Walks a resource's inputs along its contract."""

    def __init__(self, keys: KeyIndex) -> None:
        data = contract()
        self.resources: dict[str, Any] = {**data["resources"], **dynamic_resources()}
        self.types: dict[str, Any] = data["types"]
        self.keys = keys
        self.findings: list[Finding] = []
        self._resource = ("", "")

    def add(self, severity: str, path: str, message: str, source: str = "", value: Any = None) -> None:
        key = self.keys.key(value) if value is not None and severity == "error" else ""
        name, typ = self._resource
        self.findings.append(Finding(severity, name, typ, path, message, source, key))

    def resource(self, name: str, typ: str, inputs: dict[str, Any]) -> None:
        self._resource = (name, typ)
        spec = self.resources.get(typ)
        if spec is None:
            if typ.startswith("kubernetes:") and not typ.startswith("kubernetes:helm.sh"):
                # A CustomResource: its type is its apiVersion/kind; only its metadata has a schema.
                meta = inputs.get("metadata")
                if meta is not None and not _skipped(meta):
                    self.value({"type": "ref", "ref": CUSTOM_RESOURCE_META}, meta, "metadata")
            elif typ.startswith(PROVIDER_PACKAGES):
                self.add("warning", "(type)", f"not in the provider contract data; regenerate it: {REGENERATE}")
            elif typ.startswith(DYNAMIC_PREFIX):
                # Unchecked inputs would reach `pulumi up` unseen: a dynamic resource must say what it takes.
                self.add("error", "(type)", "a dynamic resource askflow does not declare: subclass pulumi.dynamic.Resource "
                         "with module= and name=, and add its inputs to askflow.plan.contract.dynamic_resources")
            return
        if typ.startswith(DYNAMIC_PREFIX) and inputs.get("__provider") not in (None, SECRET):
            # The SDK makes it a secret unless the provider sets serialize_as_secret_always = False;
            # a pickled provider can hold whatever it captured, and would sit in state in the clear.
            self.add("error", "__provider", "the pickled provider is not a secret: keep serialize_as_secret_always = True")
        if typ.startswith("pulumi:providers:"):
            # The engine sends a provider's inputs as strings, JSON-encoded where they are not strings.
            inputs = {k: _decoded(spec["properties"].get(k), v) for k, v in inputs.items()}
        if spec.get("deprecated"):
            self.add("warning", "(resource type)", f"deprecated: {spec['deprecated']}", spec.get("deprecatedSource", ""))
        self.object(spec, inputs, "")

    def object(self, spec: dict[str, Any], value: dict[str, Any], prefix: str) -> None:
        props = spec["properties"]
        for name in spec.get("required", ()):
            if value.get(name) is None:
                self.add("error", f"{prefix}{name}", "is required by the provider and not set")
        for name, item in value.items():
            path = f"{prefix}{name}"
            prop = props.get(name)
            if prop is None:
                if name == "__defaults":
                    continue
                near = difflib.get_close_matches(name, list(props), n=1)
                hint = f"; did you mean {near[0]!r}?" if near else ""
                self.add("error", path, f"is not an input of this resource{hint}")
                continue
            if item is None:
                continue
            if prop.get("deprecated"):
                source = prop.get("terraform", {}).get("source", "")
                self.add("warning", path, f"deprecated: {prop['deprecated']}", source)
            self.value(prop, item, path)

    def value(self, spec: dict[str, Any], value: Any, path: str) -> None:
        if _skipped(value):
            return
        if "oneOf" in spec:
            trial = Checker(self.keys)
            trial._resource = self._resource
            for alternative in spec["oneOf"]:
                trial.findings = []
                trial.value(alternative, value, path)
                if not [f for f in trial.findings if f.severity == "error"]:
                    return
            self.add("error", path, f"{_shown(value)} matches none of the accepted types", value=value)
            return
        kind = spec.get("type", "any")
        problem = _type_problem(kind, value)
        if problem:
            self.add("error", path, problem, value=value)
            return
        if "enum" in spec and value not in spec["enum"]:
            near = difflib.get_close_matches(str(value), [str(e) for e in spec["enum"]], n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            self.add("error", path, f"{_shown(value)} is not one of {', '.join(map(repr, spec['enum']))}{hint}",
                     value=value)
        tf = spec.get("terraform")
        if tf:
            for rule in tf.get("rules", ()):
                why = rule_problem(rule, value)
                if why:
                    self.add("error", path, why, tf.get("source", ""), value)
            if isinstance(value, list):
                for i, element in enumerate(value):
                    if _skipped(element):
                        continue
                    for rule in tf.get("eachRules", ()):
                        why = rule_problem(rule, element)
                        if why:
                            self.add("error", f"{path}[{i}]", why, tf.get("source", ""), element)
        if kind == "array":
            for i, element in enumerate(value):
                self.value(spec["items"], element, f"{path}[{i}]")
        elif kind == "map":
            for k, element in value.items():
                self.value(spec["values"], element, f"{path}.{k}")
        elif kind == "ref":
            inner = self.types.get(spec["ref"])
            if inner:
                self.object(inner, value, f"{path}.")


def _decoded(prop: dict[str, Any] | None, value: Any) -> Any:
    if prop is None or prop.get("type") == "string" or not isinstance(value, str) or _skipped(value):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _shown(value: Any) -> str:
    text = json.dumps(value, sort_keys=True) if isinstance(value, dict | list) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _type_problem(kind: str, value: Any) -> str | None:
    ok = {
        "string": lambda v: isinstance(v, str),
        "boolean": lambda v: isinstance(v, bool),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "array": lambda v: isinstance(v, list),
        "map": lambda v: isinstance(v, dict),
        "ref": lambda v: isinstance(v, dict),
    }.get(kind)
    if ok is None or ok(value):
        return None
    wanted = {"map": "a map", "ref": "an object", "array": "a list", "integer": "an integer"}.get(kind, f"a {kind}")
    return f"{_shown(value)} is not {wanted}"


def check_zones(plan_resources: list[Any], keys: KeyIndex) -> list[Finding]:
    """vSwitch zones against the committed zone list: a warning, with the nearest known zone."""
    data = regions()
    known = {z for zs in data["zones"].values() for z in zs}
    out = []
    for r in plan_resources:
        if r.type != VSWITCH:
            continue
        zone = r.inputs.get("zoneId")
        if not isinstance(zone, str) or _skipped(zone) or zone in known:
            continue
        near = difflib.get_close_matches(zone, sorted(known), n=1)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        out.append(Finding("warning", r.name, r.type, "zoneId",
                           f"{zone!r} is not in the committed zone list ({data['zonesSource']}){hint}",
                           key=keys.key(zone)))
    return out


def check_resources(resources: list[Any], keys: KeyIndex) -> list[Finding]:
    """Findings (errors, then warnings) for every custom resource of a plan."""
    checker = Checker(keys)
    for r in resources:
        if r.custom or r.type.startswith("pulumi:providers:"):
            checker.resource(r.name, r.type, r.inputs)
    found = checker.findings + check_zones(resources, keys)
    unique = list(dict.fromkeys(found))
    return sorted(unique, key=lambda f: (f.severity != "error", f.type, f.resource, f.path))
