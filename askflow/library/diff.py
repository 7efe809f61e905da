"""What changed between two versions of a template, structurally and then as text.

Sections, in the order printed: ``spec`` (workflow-level fields such as serviceAccountName or
activeDeadlineSeconds), ``templates`` (added, removed, type changed, other fields changed),
``tasks`` (DAG tasks / steps added or removed, changed dependencies, what they run, fan-out,
arguments), ``parameters`` and ``artifacts`` (workflow arguments, template inputs and outputs),
``images`` and ``resources`` (per container). Each change is ``+`` added, ``-`` removed or ``~``
changed.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from askflow import yamlio
from askflow.library.graph import FANOUT_KEYS
from askflow.library.model import TemplateVersion
from askflow.lint.argo import depends_terms, template_type
from askflow.lint.platform import pod_containers, with_inline

SECTIONS = ("spec", "templates", "tasks", "parameters", "artifacts", "images", "resources")
@dataclass(frozen=True)
class Change:
    section: str
    #: "+" added, "-" removed, "~" changed.
    op: str
    #: What changed, as a path people read: ``main.validate``, ``spec.arguments.parameters.rows``.
    subject: str
    detail: str = ""

    def line(self) -> str:
        return f"  {self.op} {self.subject}" + (f": {self.detail}" if self.detail else "")


def _show(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, separators=(",", ":"))


def _type(template: dict) -> str:
    types = template_type(template)
    return types[0] if types else "unknown"


def _templates(doc: dict) -> dict[str, dict]:
    spec = doc.get("spec") or {}
    return {
        t["name"]: t for t in spec.get("templates") or [] if isinstance(t, dict) and isinstance(t.get("name"), str)
    }


def _map_changes(section: str, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    for key in sorted(set(old) | set(new)):
        if key not in old:
            yield Change(section, "+", key, _show(new[key]))
        elif key not in new:
            yield Change(section, "-", key, _show(old[key]))
        elif old[key] != new[key]:
            yield Change(section, "~", key, f"{_show(old[key])} → {_show(new[key])}")


def _tasks(template: dict) -> dict[str, dict[str, Any]]:
    """Task or step name -> what matters about it: what it runs, after what, fan-out, arguments.

    The document has the API's types (see :func:`askflow.library.cli.readable`), but null is allowed
    anywhere and means unset, as Go reads it: a null task or dependency is skipped."""
    out: dict[str, dict[str, Any]] = {}
    if "dag" in template:
        for task in (template["dag"] or {}).get("tasks") or []:
            if not isinstance(task, dict):
                continue
            after = {dep for dep in task.get("dependencies") or [] if isinstance(dep, str)}
            if isinstance(task.get("depends"), str):
                after |= {name for name, _ in depends_terms(task["depends"])}
            out[str(task.get("name"))] = _task_info(task, sorted(after), task.get("depends"))
    elif "steps" in template:
        previous: list[str] = []
        for group in template["steps"] or []:
            current = [s for s in (group if isinstance(group, list) else [group]) if isinstance(s, dict)]
            for step in current:
                out[str(step.get("name"))] = _task_info(step, sorted(previous), None)
            previous = [str(s.get("name")) for s in current]
    return out


#: Task and step fields the tasks section reports by name; any other changed field is listed too.
_TASK_FIELDS = frozenset(
    {"name", "template", "templateRef", "dependencies", "depends", "arguments", "when", *FANOUT_KEYS}
)


def _task_info(call: dict, after: list[str], depends: Any) -> dict[str, Any]:
    ref = call.get("templateRef")
    runs = f"{ref.get('name')}/{ref.get('template')}" if isinstance(ref, dict) else call.get("template")
    fanout = {k: call[k] for k in FANOUT_KEYS if k in call}
    return {
        # Every other field of the task or step (continueOn, hooks, onExit, inline, ...): the
        # templates section leaves dag.tasks and steps to this one, so nothing may go unreported.
        "other": {k: _inline_rest(v) if k == "inline" else v for k, v in call.items() if k not in _TASK_FIELDS},
        "runs": runs,
        "after": after,
        "depends": depends,
        "dependencies": call.get("dependencies"),
        "fanout": fanout,
        "arguments": call.get("arguments"),
        "when": call.get("when"),
    }


def _written(info: dict[str, Any]) -> str:
    if info["depends"] is not None:
        return f"depends {_show(info['depends'])}"
    return f"dependencies {_show(info['dependencies'] or [])}"


def _io(doc: dict, kind: str) -> dict[str, Any]:
    """Every declared parameter (kind="parameters") or artifact, keyed by where it is declared."""
    out: dict[str, Any] = {}
    spec = doc.get("spec") or {}
    for item in (spec.get("arguments") or {}).get(kind) or []:
        if isinstance(item, dict):
            out[f"spec.arguments.{kind}.{item.get('name')}"] = {k: v for k, v in item.items() if k != "name"}
    for tname, t in _templates(doc).items():
        for side in ("inputs", "outputs"):
            for item in (t.get(side) or {}).get(kind) or []:
                if isinstance(item, dict):
                    out[f"templates.{tname}.{side}.{kind}.{item.get('name')}"] = {
                        k: v for k, v in item.items() if k != "name"
                    }
    return out


def _containers(doc: dict) -> Iterator[tuple[str, dict]]:
    """(subject, container) for every container, inline templates' included: a named template's
    ``templates.<name>.container``, a list member by its name (``templates.<name>.sidecars.<name>``),
    an inline template by where it sits (``templates.<name>.dag.tasks[2].inline.container``)."""
    for tname, top in _templates(doc).items():
        for tmpl, tpath in with_inline(top, f"templates.{tname}"):
            for role, c, cpath in pod_containers(tmpl, tpath):
                yield (cpath if role in ("container", "script") else f"{tpath}.{role}.{c.get('name')}"), c


def _flatten(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict) and value:
        for k, v in value.items():
            yield from _flatten(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(value, list) and value:
        for i, v in enumerate(value):
            yield from _flatten(v, f"{prefix}[{i}]")
    else:
        yield prefix, value


_CONTAINER_FIELD = re.compile(
    r"^(container|script|containerSet\.containers\[[0-9]+\]|initContainers\[[0-9]+\]|sidecars\[[0-9]+\])\."
    r"(image|resources)(\.|$)"
)
_OTHER_SECTIONS = (
    # The tasks section reports every field of a task or step; dag.failFast and dag.target are
    # template fields and stay in the "changed ..." summary.
    "dag.tasks",
    "steps",
    "inputs.parameters",
    "inputs.artifacts",
    "outputs.parameters",
    "outputs.artifacts",
)


# An image or resources field anywhere inside an inline template (nested inline ones included).
_INLINE_CONTAINER_FIELD = re.compile(
    r"(^|\.)(container|script|containerSet\.containers\[[0-9]+\]|initContainers\[[0-9]+\]|sidecars\[[0-9]+\])\."
    r"(image|resources)(\.|$)"
)


def _inline_rest(inline: Any) -> dict[str, Any]:
    """An inline template's fields but its containers' images and resources, which the images and
    resources sections report (by where the inline template sits)."""
    return {p: v for p, v in _flatten(inline) if not _INLINE_CONTAINER_FIELD.search(p)}


def _covered(path: str) -> bool:
    """Template fields other sections report, left out of the "other fields changed" summary."""
    return path.startswith(_OTHER_SECTIONS) or bool(_CONTAINER_FIELD.match(path))


def diff_documents(a: dict, b: dict) -> list[Change]:
    """Structural changes from document ``a`` to document ``b`` (WorkflowTemplate specs)."""
    changes: list[Change] = []
    spec_a, spec_b = a.get("spec") or {}, b.get("spec") or {}
    skip = {"templates", "arguments"}
    changes += _map_changes(
        "spec",
        {f"spec.{k}": v for k, v in spec_a.items() if k not in skip},
        {f"spec.{k}": v for k, v in spec_b.items() if k not in skip},
    )
    ta, tb = _templates(a), _templates(b)
    for name in sorted(set(ta) | set(tb)):
        if name not in ta:
            changes.append(Change("templates", "+", name, _type(tb[name])))
        elif name not in tb:
            changes.append(Change("templates", "-", name, _type(ta[name])))
        elif _type(ta[name]) != _type(tb[name]):
            changes.append(Change("templates", "~", name, f"type {_type(ta[name])} → {_type(tb[name])}"))
        else:
            fa, fb = dict(_flatten(ta[name])), dict(_flatten(tb[name]))
            other = sorted({p for p in set(fa) | set(fb) if fa.get(p, None) != fb.get(p, None) and not _covered(p)})
            if other:
                changes.append(Change("templates", "~", name, "changed " + ", ".join(other)))
    for name in sorted(set(ta) | set(tb)):
        old = _tasks(ta[name]) if name in ta else {}
        new = _tasks(tb[name]) if name in tb else {}
        for task in sorted(set(old) | set(new)):
            subject = f"{name}.{task}"
            if task not in old:
                after = ", ".join(new[task]["after"]) or "start"
                changes.append(Change("tasks", "+", subject, f"runs {new[task]['runs']}, after {after}"))
            elif task not in new:
                changes.append(Change("tasks", "-", subject, f"ran {old[task]['runs']}"))
            else:
                parts = []
                o, n = old[task], new[task]
                if o["after"] != n["after"]:
                    parts.append(f"after [{', '.join(o['after'])}] → [{', '.join(n['after'])}]")
                elif o["depends"] != n["depends"] or o["dependencies"] != n["dependencies"]:
                    parts.append(f"dependencies written as {_written(n)} (was {_written(o)})")
                if o["runs"] != n["runs"]:
                    parts.append(f"runs {o['runs']} → {n['runs']}")
                if o["fanout"] != n["fanout"]:
                    parts.append(f"fan-out {_show(o['fanout'] or None)} → {_show(n['fanout'] or None)}")
                for key in ("arguments", "when"):
                    if o[key] != n[key]:
                        parts.append(f"{key} changed")
                other = sorted(
                    k for k in set(o["other"]) | set(n["other"]) if o["other"].get(k) != n["other"].get(k)
                )
                parts += [f"{key} changed" for key in other]
                if parts:
                    changes.append(Change("tasks", "~", subject, "; ".join(parts)))
    changes += _map_changes("parameters", _io(a, "parameters"), _io(b, "parameters"))
    changes += _map_changes("artifacts", _io(a, "artifacts"), _io(b, "artifacts"))
    ca, cb = dict(_containers(a)), dict(_containers(b))
    changes += _map_changes(
        "images", {k: c.get("image") for k, c in ca.items()}, {k: c.get("image") for k, c in cb.items()}
    )
    # Containers in both versions: one change per resource key; added or removed ones: one line each.
    both = set(ca) & set(cb)
    ra = {f"{k}.{p}": v for k, c in ca.items() if k in both for p, v in _flatten(c.get("resources") or {}) if p}
    rb = {f"{k}.{p}": v for k, c in cb.items() if k in both for p, v in _flatten(c.get("resources") or {}) if p}
    ra.update({k: c.get("resources") for k, c in ca.items() if k not in both})
    rb.update({k: c.get("resources") for k, c in cb.items() if k not in both})
    changes += _map_changes("resources", ra, rb)
    return changes


def diff_versions(a: TemplateVersion, b: TemplateVersion) -> list[Change]:
    """Structural changes from version ``a`` to version ``b`` (source documents)."""
    return diff_documents(a.document, b.document)


def format_changes(a: TemplateVersion, b: TemplateVersion, changes: list[Change]) -> str:
    lines = [f"{a.name}: v{a.number} → v{b.number} ({a.source} → {b.source})"]
    if not changes:
        same = a.digest == b.digest
        lines.append("  no changes" if same else "  no structural changes (see --text)")
    for section in SECTIONS:
        group = [c for c in changes if c.section == section]
        if group:
            lines.append(f"{section}:")
            lines.extend(c.line() for c in group)
    return "\n".join(lines) + "\n"


def text_diff(a: TemplateVersion, b: TemplateVersion) -> str:
    """A unified diff: of the files when both are YAML (comments included), else of canonical YAML."""
    if a.source.suffix == b.source.suffix == ".yaml":
        old, new = yamlio.read_text(a.source), yamlio.read_text(b.source)
    else:
        old, new = yamlio.dumps(a.document, sort_keys=True), yamlio.dumps(b.document, sort_keys=True)
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=str(a.source),
            tofile=str(b.source),
        )
    )
