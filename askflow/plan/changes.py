"""What ``pulumi up`` would change, offline: this plan against an earlier ``--json`` plan.

Per resource (by URN): ``create``, ``delete``, ``update`` (the inputs that differ) or ``replace``
(the changed inputs the provider marks ForceNew: ``data/contract.json`` for alicloud and random,
:mod:`askflow.plan.contract.facts` for Kubernetes). A resource whose type changes has a new URN, so
it shows as a delete and a create; the cluster's type follows ``cluster.kind``, and that pair is
reported as the cluster being replaced.

A protected resource (Pulumi ``protect``) that would be replaced or deleted is refused: ``pulumi up``
would stop there, half-way. ``cluster.allow_replacement`` allows it for the cluster and everything
that depends on it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from askflow.errors import AskflowError
from askflow.plan import Plan
from askflow.plan.contract import DYNAMIC_PREFIX, contract, resource_spec
from askflow.plan.contract.facts import (
    HELM_FORCE_NEW,
    HELM_SOURCE,
    K8S_FORCE_NEW,
    K8S_IDENTITY,
    K8S_MUTABLE_OPTION,
    K8S_SOURCE,
)
from askflow.substrate import ACK_ONE_CLUSTER, CLUSTER_TYPES, MANAGED_KUBERNETES, SERVERLESS_KUBERNETES, SUBSTRATES

SERVERLESS = SERVERLESS_KUBERNETES
MANAGED = MANAGED_KUBERNETES
HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
# ManagedKubernetes' ``profile`` (ForceNew) by cluster.kind (askflow.substrate); ServerlessKubernetes is ask-legacy.
KIND_BY_PROFILE = {s.profile: s.kind for s in SUBSTRATES.values() if s.profile}
ALLOW_KEY = "askflow:platform.cluster.allow_replacement"


@dataclass
class Change:
    urn: str
    type: str
    name: str
    action: str  # create | update | replace | delete
    properties: list[str] = field(default_factory=list)  # changed inputs
    forced_by: list[str] = field(default_factory=list)  # the ForceNew ones among them
    protected: bool = False
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"urn": self.urn, "type": self.type, "action": self.action,
                               "properties": self.properties}
        if self.forced_by:
            out["replacedBecause"] = self.forced_by
        if self.protected:
            out["protected"] = True
        if self.note:
            out["note"] = self.note
        return out


@dataclass
class Comparison:
    against: str
    changes: list[Change]
    refused: list[str]  # one line per protected resource that would be replaced or deleted
    notes: list[str]  # what a reader must know first (the cluster is replaced)

    def counts(self) -> dict[str, int]:
        out = {a: 0 for a in ("create", "update", "replace", "delete")}
        for c in self.changes:
            out[c.action] += 1
        return out


def read_plan_json(path: Path) -> dict[str, Any]:
    """An earlier ``askflow plan --json`` file, or a one-line error."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AskflowError("not found: pass a file written by askflow plan --json", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AskflowError(f"cannot be read ({exc}); pass a file written by askflow plan --json", file=str(path)) from None
    except ValueError as exc:
        raise AskflowError(f"is not JSON ({exc}); pass a file written by askflow plan --json", file=str(path)) from None
    if not isinstance(data, dict) or not isinstance(data.get("resources"), list) or not all(
        isinstance(r, dict) and isinstance(r.get("urn"), str) and isinstance(r.get("type"), str)
        for r in data["resources"]
    ):
        raise AskflowError("is not a plan (no resources with urn and type); pass a file written by askflow plan --json",
                           file=str(path), path="resources")
    return data


def _is_resource(typ: str) -> bool:
    return typ.startswith(("alicloud:", "kubernetes:", "random:", "pulumi:providers:", DYNAMIC_PREFIX))


def _diff_paths(old: Any, new: Any, prefix: str) -> list[str]:
    """Dotted paths of the leaves that differ (a list that changes length differs as a whole)."""
    if old == new:
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key in sorted(set(old) | set(new)):
            out += _diff_paths(old.get(key), new.get(key), f"{prefix}.{key}" if prefix else key)
        return out
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        out = []
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            out += _diff_paths(a, b, f"{prefix}[{i}]")
        return out
    return [prefix]


def _strip_index(path: str) -> list[str]:
    """``vswitchIds[1]`` -> ``["vswitchIds"]``; ``maintenanceWindow.enable`` -> two parts."""
    parts = []
    for part in path.split("."):
        parts.append(part.split("[", 1)[0])
    return parts


def _forced_alicloud(typ: str, path: str) -> str | None:
    """The ForceNew property on ``path`` (the path itself or an enclosing property), from the data."""
    data = contract()
    spec = resource_spec(typ)
    if spec is None:
        return None
    walked: list[str] = []
    obj: dict[str, Any] | None = spec
    for part in _strip_index(path):
        if obj is None:
            return None
        prop = obj["properties"].get(part)
        if prop is None:
            return None
        walked.append(part)
        tf = prop.get("terraform") or {}
        if tf.get("forceNew"):
            return f"{'.'.join(walked)} ({tf.get('source', '')})"
        ref = prop.get("ref") or (prop.get("items") or {}).get("ref")
        obj = data["types"].get(ref) if ref else None
    return None


def _forced_kubernetes(typ: str, path: str, provider_inputs: dict[str, Any]) -> str | None:
    fields: tuple[str, ...]
    if typ == HELM_RELEASE:
        fields, source = HELM_FORCE_NEW, HELM_SOURCE
    else:
        fields = K8S_IDENTITY
        if not typ.endswith("Patch"):  # patch resources update everything else in place
            option = K8S_MUTABLE_OPTION.get(typ)
            mutable = option is not None and str(provider_inputs.get(option)).lower() == "true"
            fields = fields + (() if mutable else K8S_FORCE_NEW.get(typ, ()))
        source = K8S_SOURCE
    for f in fields:
        if path == f or path.startswith(f + ".") or path.startswith(f + "["):
            return f"{f} ({source})"
    return None


def _dependents(roots: set[str], resources: list[dict[str, Any]]) -> set[str]:
    """``roots`` and every resource that depends on one of them (dependencies or provider), transitively."""
    edges: dict[str, set[str]] = {}
    for r in resources:
        for dep in [*r.get("dependencies", []), r.get("provider") or ""]:
            if dep:
                edges.setdefault(dep, set()).add(r["urn"])
    seen, todo = set(roots), list(roots)
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _follow_replacements(plan: Plan, changes: list[Change], providers: dict[str, dict[str, Any]]) -> None:
    """A replaced (or newly created) resource gets a new id: the inputs that take it change too.

    The engine records which resources each input came from (property dependencies); where such
    an input is ForceNew, the dependent is replaced in turn (a vSwitch replaced replaces the
    cluster whose ``vswitchIds`` hold it), until nothing more changes.
    """
    by_urn = {c.urn: c for c in changes}
    registrations = {r.urn: r for r in plan.resources}
    renewed = {c.urn for c in changes if c.action in ("replace", "create")}
    todo = list(renewed)
    while todo:
        todo = []
        for r in plan.resources:
            change = by_urn.get(r.urn)
            if not _is_resource(r.type) or (change is not None and change.action in ("create", "replace")):
                continue
            props = sorted(p for p, deps in r.property_dependencies.items() if renewed.intersection(deps))
            if not props:
                continue
            if change is None:
                change = Change(r.urn, r.type, r.name, "update")
                changes.append(change)
                by_urn[r.urn] = change
            for p in props:
                if p not in change.properties:
                    change.properties = sorted({*change.properties, p})
                if r.type.startswith("kubernetes:"):
                    why = _forced_kubernetes(r.type, p, providers.get(r.provider, {}))
                else:
                    why = _forced_alicloud(r.type, p)
                if why:
                    source = next(iter(sorted(renewed.intersection(r.property_dependencies[p]))))
                    why = f"{why}, which takes {registrations[source].name if source in registrations else source}"
                    if why not in change.forced_by:
                        change.forced_by.append(why)
            if change.forced_by and change.action != "replace":
                change.action = "replace"
                change.protected = r.protect
                renewed.add(r.urn)
                todo.append(r.urn)
    changes.sort(key=lambda c: c.urn)


#: Whatever runs the stack's workflows: a cluster of ``cluster.kind`` or (argo.engine ack-one) a workflow cluster.
ENGINE_CLUSTER_TYPES = (*CLUSTER_TYPES, ACK_ONE_CLUSTER)


def _provider_moved(old: dict[str, Any], new: dict[str, Any], new_by: dict[str, dict[str, Any]]) -> str | None:
    """Why a resource is replaced when its provider is another one that the old plan did not have (the
    workflow cluster's instead of the cluster's, argo.engine): the engine replaces a resource whose provider
    reference changed when the new provider's configuration says so (pulumi/pulumi
    pkg/resource/deploy/step_generator.go ``providerChanged``, at 1b5949891b), and a kubeconfig of another
    cluster does."""
    before, after = old.get("provider") or "", new.get("provider") or ""
    if not before or not after or before == after or before in new_by:
        return None
    return f"provider ({before.rsplit('::', 1)[-1]} -> {after.rsplit('::', 1)[-1]}: another cluster)"


def _engine(resource: dict[str, Any]) -> str:
    return "ack-one" if resource["type"] == ACK_ONE_CLUSTER else "self-managed"


def _kind(resource: dict[str, Any]) -> str:
    if resource["type"] == ACK_ONE_CLUSTER:
        return "ack-one"
    if resource["type"] == SERVERLESS:
        return "ask-legacy"
    profile = (resource.get("inputs") or {}).get("profile") or "Default"
    return KIND_BY_PROFILE.get(str(profile), f"profile {profile}")


def compare(old: dict[str, Any], plan: Plan, *, against: str, allow_replacement: bool) -> Comparison:
    if (old.get("project"), old.get("stack")) != (plan.project, plan.stack):
        raise AskflowError(
            f"is the plan of {old.get('project')}/{old.get('stack')}, not of {plan.project}/{plan.stack}: "
            "compare plans of the same stack", file=against,
        )
    new = plan.to_dict()
    old_by = {r["urn"]: r for r in old["resources"] if _is_resource(r["type"])}
    new_by = {r["urn"]: r for r in new["resources"] if _is_resource(r["type"])}
    providers = {r["urn"]: r.get("inputs") or {} for r in new["resources"] if r["type"].startswith("pulumi:providers:")}
    changes: list[Change] = []
    for urn in sorted(set(old_by) | set(new_by)):
        o, n = old_by.get(urn), new_by.get(urn)
        r = n or o
        assert r is not None
        name = urn.rsplit("::", 1)[-1]
        if o is None:
            changes.append(Change(urn, r["type"], name, "create", sorted(r.get("inputs") or {})))
            continue
        if n is None:
            changes.append(Change(urn, r["type"], name, "delete", sorted(r.get("inputs") or {}),
                                  protected=bool((o.get("options") or {}).get("protect"))))
            continue
        ignored = set((n.get("options") or {}).get("ignore_changes") or [])
        paths = [p for p in _diff_paths(o.get("inputs") or {}, n.get("inputs") or {}, "")
                 if _strip_index(p)[0] not in ignored]
        moved = _provider_moved(o, n, new_by)
        if not paths and not moved:
            continue
        forced: list[str] = [moved] if moved else []
        for p in paths:
            if r["type"].startswith("kubernetes:"):
                why = _forced_kubernetes(r["type"], p, providers.get(n.get("provider") or "", {}))
            else:
                why = _forced_alicloud(r["type"], p)
            if why and why not in forced:
                forced.append(why)
        top = sorted({_strip_index(p)[0] for p in paths} | ({"provider"} if moved else set()))
        protect = bool((o.get("options") or {}).get("protect") or (n.get("options") or {}).get("protect"))
        changes.append(Change(urn, r["type"], name, "replace" if forced else "update", top, forced,
                              protected=protect and bool(forced)))

    _follow_replacements(plan, changes, providers)
    notes: list[str] = []
    old_clusters = [r for r in old_by.values() if r["type"] in ENGINE_CLUSTER_TYPES]
    new_clusters = [r for r in new_by.values() if r["type"] in ENGINE_CLUSTER_TYPES]
    cluster_urns = {r["urn"] for r in old_clusters + new_clusters}
    if old_clusters and new_clusters:
        before, after = _kind(old_clusters[0]), _kind(new_clusters[0])
        replaced = any(c.urn in cluster_urns and c.action in ("replace", "delete") for c in changes)
        if replaced:
            engines = _engine(old_clusters[0]), _engine(new_clusters[0])
            why = _engine_switch(changes, *engines) if engines[0] != engines[1] else \
                f"cluster.kind {before} -> {after}" if before != after else next(
                (", ".join(c.forced_by) for c in changes if c.urn in cluster_urns and c.forced_by), "")
            notes.append(f"the cluster is replaced: {why}")
            for c in changes:
                if c.urn in cluster_urns:
                    c.note = notes[-1]

    allowed = _dependents(cluster_urns, old["resources"]) | _dependents(cluster_urns, new["resources"]) \
        if allow_replacement else set()
    refused = []
    for c in changes:
        if c.protected and c.action in ("replace", "delete") and c.urn not in allowed:
            why = f" (forced by {', '.join(c.forced_by)})" if c.forced_by else ""
            advice = (f"; set {ALLOW_KEY}: true to allow it" if c.urn in _dependents(cluster_urns, new["resources"])
                      | _dependents(cluster_urns, old["resources"]) else
                      "; change the stack so that it is kept, or remove `protect` in a change of its own first")
            refused.append(f"{c.name} ({c.type}) is protected and would be {c.action}d{why}{advice}")
    return Comparison(against=against, changes=changes, refused=refused, notes=notes)


def _engine_switch(changes: list[Change], before: str, after: str) -> str:
    """Why the cluster goes when argo.engine changes, and what goes and comes with it, by type."""
    def tally(action: str) -> str:
        counts: dict[str, int] = {}
        for c in changes:
            if c.action == action and not c.type.startswith("pulumi:providers:"):
                short = c.type.split(":")[-1]
                counts[short] = counts.get(short, 0) + 1
        return ", ".join(f"{n} {t}" for t, n in sorted(counts.items())) or "nothing"
    return (f"argo.engine {before} -> {after} (a migration: running workflows and the archive do not move); "
            f"deleted: {tally('delete')}; created: {tally('create')}; replaced (moved to the new cluster): "
            f"{tally('replace')}")


def changes_markdown(comparison: Comparison) -> list[str]:
    """The ``## Changes`` section of plan.md (it comes first)."""
    counts = comparison.counts()
    out = ["## Changes", "",
           f"Against `{comparison.against}`: " + ", ".join(f"{n} to {a}" for a, n in counts.items()) + "."]
    for note in comparison.notes:
        out += ["", f"**{note}**"]
    for line in comparison.refused:
        out += ["", f"**Refused:** {line}"]
    if comparison.changes:
        out += ["", "| action | resource | type | properties |", "| --- | --- | --- | --- |"]
        for c in comparison.changes:
            props = ", ".join(c.forced_by) if c.forced_by else ", ".join(c.properties) if c.action == "update" else ""
            out.append(f"| {c.action}{' (protected)' if c.protected else ''} | {_md(c.name)} | `{c.type}` | {_md(props)} |")
    return out + [""]


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
