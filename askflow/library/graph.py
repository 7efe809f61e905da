"""A version's DAG or steps as a graph, drawn as Mermaid (GitHub renders it) or Graphviz DOT.

What is drawn, starting from ``spec.entrypoint`` (every template when there is none):

- each `DAG <https://argo-workflows.readthedocs.io/en/latest/walk-through/dag/>`_ or
  `steps <https://argo-workflows.readthedocs.io/en/latest/walk-through/steps/>`_ template reachable
  from it is a group (Mermaid subgraph, DOT cluster) holding one node per task or step;
- dependency edges: a DAG task's ``dependencies`` and the task names in its ``depends`` expression
  (labelled with the result when one is named, e.g. ``Succeeded``); a step follows every step of the
  previous parallel group;
- fan-outs (``withItems``, ``withParam``, ``withSequence``) are marked in the label and drawn with a
  distinct shape;
- a task that runs another local DAG/steps template has a dotted ``calls`` edge to that group, and a
  ``templateRef`` to another version has a dotted edge to a node for that version (``etl-v1``).

A version whose entrypoint is a single container or script is drawn as one node.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from askflow.lint.argo import depends_terms, template_type

FANOUT_KEYS = ("withItems", "withParam", "withSequence")
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    #: "task", "step", "leaf" (a single-template version), or "ref" (another version).
    kind: str
    #: The group (template name) it is drawn in; None for refs and leaves.
    group: str | None = None
    #: "withItems" / "withParam" / "withSequence" when the node fans out.
    fanout: str | None = None
    #: What the node runs: a local template name or ``<deployed name>/<template>``.
    runs: str | None = None


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    #: "depends" (ordering), "calls" (runs a local DAG/steps group) or "templateRef".
    kind: str
    label: str | None = None


@dataclass(frozen=True)
class Group:
    id: str
    template: str
    #: "dag" or "steps".
    type: str


@dataclass
class Graph:
    title: str
    groups: list[Group] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)


def _template_type(t: dict) -> str:
    """The template's type (``dag``, ``container``, ...), "unknown" when it has none."""
    types = template_type(t)
    return types[0] if types else "unknown"


def _runs(call: dict) -> str | None:
    ref = call.get("templateRef")
    if isinstance(ref, dict):
        return f"{ref.get('name')}/{ref.get('template')}"
    template = call.get("template")
    return template if isinstance(template, str) else None


def build_graph(doc: dict, title: str) -> Graph:
    """The graph of a WorkflowTemplate document (source or rendered)."""
    spec = doc.get("spec") or {}
    templates: dict[str, dict] = {
        t["name"]: t for t in spec.get("templates") or [] if isinstance(t, dict) and isinstance(t.get("name"), str)
    }
    graph = Graph(title=title)
    used_ids: set[str] = set()

    def new_id(*parts: str) -> str:
        base = "_".join(_ID_UNSAFE.sub("_", p) for p in parts) or "n"
        candidate, i = base, 2
        while candidate in used_ids:
            candidate, i = f"{base}_{i}", i + 1
        used_ids.add(candidate)
        return candidate

    entry = spec.get("entrypoint")
    roots = [entry] if isinstance(entry, str) and entry in templates else list(templates)
    composite = [n for n in roots if _template_type(templates[n]) in ("dag", "steps")]
    if not composite:  # a single container or script: one node
        for name in roots:
            graph.nodes.append(
                Node(
                    new_id("leaf", str(name)),
                    f"{name} ({_template_type(templates[name])})",
                    "leaf",
                    runs=str(name),
                )
            )
        return graph

    group_ids: dict[str, str] = {}
    ref_ids: dict[str, str] = {}
    queue = list(composite)
    pending_calls: list[tuple[str, str]] = []  # (node id, local composite template)
    while queue:
        tname = queue.pop(0)
        if tname in group_ids:
            continue
        template = templates[tname]
        ttype = _template_type(template)
        gid = new_id("g", tname)
        group_ids[tname] = gid
        graph.groups.append(Group(gid, tname, ttype))
        calls: list[tuple[str, dict]] = []  # (task name, call dict)
        edges: list[tuple[str, str, str | None]] = []  # (from task, to task, label)
        if ttype == "dag":
            tasks = [t for t in (template["dag"] or {}).get("tasks") or [] if isinstance(t, dict)]
            names = {t.get("name") for t in tasks}
            for task in tasks:
                calls.append((str(task.get("name")), task))
                for dep in task.get("dependencies") or []:
                    edges.append((dep, str(task.get("name")), None))
                depends = task.get("depends")
                if isinstance(depends, str):
                    # One edge per task named, labelled with the results named for it
                    # ("etl.Succeeded || etl.Failed" -> "Succeeded/Failed").
                    results: dict[str, list[str]] = {}
                    for dep, result in depends_terms(depends):
                        if dep in names:
                            got = results.setdefault(dep, [])
                            if result and result not in got:
                                got.append(result)
                    for dep, got in results.items():
                        edges.append((dep, str(task.get("name")), "/".join(got) or None))
        else:
            previous: list[str] = []
            for group in template["steps"] or []:
                current = [s for s in (group if isinstance(group, list) else [group]) if isinstance(s, dict)]
                for step in current:
                    calls.append((str(step.get("name")), step))
                    edges.extend((p, str(step.get("name")), None) for p in previous)
                previous = [str(s.get("name")) for s in current]
        node_ids: dict[str, str] = {}
        for task_name, call in calls:
            fanout = next((k for k in FANOUT_KEYS if k in call), None)
            runs = _runs(call)
            label = task_name if runs in (None, task_name) else f"{task_name}: {runs}"
            if fanout:
                label += f" (fan-out {fanout})"
            nid = new_id("t", tname, task_name)
            node_ids[task_name] = nid
            graph.nodes.append(Node(nid, label, "task" if ttype == "dag" else "step", tname, fanout, runs))
            ref = call.get("templateRef")
            if isinstance(ref, dict) and isinstance(ref.get("name"), str):
                target = ref["name"]
                if target not in ref_ids:
                    ref_ids[target] = new_id("ref", target)
                    graph.nodes.append(Node(ref_ids[target], target, "ref", runs=target))
                graph.edges.append(Edge(nid, ref_ids[target], "templateRef", str(ref.get("template"))))
            called = call.get("template")
            if (
                isinstance(called, str)
                and called in templates
                and _template_type(templates[called]) in ("dag", "steps")
            ):
                pending_calls.append((nid, called))
                queue.append(called)
        for src, dst, result in edges:
            if src in node_ids and dst in node_ids:
                graph.edges.append(Edge(node_ids[src], node_ids[dst], "depends", result))
    for nid, local in pending_calls:
        graph.edges.append(Edge(nid, group_ids[local], "calls"))
    return graph


def _mermaid_text(text: str) -> str:
    # Inside a quoted Mermaid label only '"' is special; entity codes keep the label one token.
    return text.replace('"', "#quot;").replace("|", "#124;")


def to_mermaid(graph: Graph) -> str:
    """Mermaid ``flowchart`` text (https://mermaid.js.org/syntax/flowchart.html)."""
    lines = ["---", f"title: {graph.title}", "---", "flowchart TD"]

    def node_line(n: Node) -> str:
        text = f'"{_mermaid_text(n.label)}"'
        if n.kind == "ref":
            return f"{n.id}[[{text}]]"  # subroutine shape: another version
        if n.fanout:
            return f"{n.id}[/{text}/]"  # parallelogram: runs once per item
        return f"{n.id}[{text}]"

    for g in graph.groups:
        lines.append(f'  subgraph {g.id}["{_mermaid_text(g.template)} ({g.type})"]')
        lines.extend(f"    {node_line(n)}" for n in graph.nodes if n.group == g.template)
        lines.append("  end")
    lines.extend(f"  {node_line(n)}" for n in graph.nodes if n.group is None)
    for e in graph.edges:
        arrow = "-->" if e.kind == "depends" else "-.->"
        label = e.label if e.kind != "calls" else "calls"
        lines.append(
            f"  {e.source} {arrow}|{_mermaid_text(label)}| {e.target}" if label else f"  {e.source} {arrow} {e.target}"
        )
    fanouts = [n.id for n in graph.nodes if n.fanout]
    if fanouts:
        lines.append("  classDef fanout stroke-width:3px,stroke-dasharray:6 3")
        lines.append(f"  class {','.join(fanouts)} fanout")
    return "\n".join(lines) + "\n"


def _dot_text(text: Any) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(graph: Graph) -> str:
    """Graphviz DOT text (https://graphviz.org/doc/info/lang.html), for ``dot -Tpng``."""
    lines = [
        f"digraph {_dot_text(graph.title)} {{",
        "  compound=true;",
        "  rankdir=TB;",
        f"  label={_dot_text(graph.title)};",
        "  labelloc=t;",
        '  node [shape=box, style=rounded, fontname="Helvetica"];',
        '  edge [fontname="Helvetica"];',
    ]

    def node_line(n: Node) -> str:
        shape = "component" if n.kind == "ref" else "box3d" if n.fanout else "box"
        return f"{n.id} [label={_dot_text(n.label)}, shape={shape}];"

    first_in_group: dict[str, str] = {}
    for i, g in enumerate(graph.groups):
        lines.append(f"  subgraph cluster_{i} {{")
        lines.append(f"    label={_dot_text(f'{g.template} ({g.type})')};")
        members = [n for n in graph.nodes if n.group == g.template]
        if members:
            first_in_group[g.id] = members[0].id
        lines.extend(f"    {node_line(n)}" for n in members)
        lines.append("  }")
    lines.extend(f"  {node_line(n)}" for n in graph.nodes if n.group is None)
    for e in graph.edges:
        attrs = []
        target = e.target
        if e.kind == "calls":
            # DOT edges join nodes; lhead clips the edge at the called group's border.
            target = first_in_group.get(e.target, e.target)
            cluster = next(i for i, g in enumerate(graph.groups) if g.id == e.target)
            attrs += [f"lhead=cluster_{cluster}", "style=dotted", 'label="calls"']
        elif e.kind == "templateRef":
            attrs += ["style=dotted"]
        if e.label and e.kind != "calls":
            attrs.append(f"label={_dot_text(e.label)}")
        suffix = f" [{', '.join(attrs)}]" if attrs else ""
        lines.append(f"  {e.source} -> {target}{suffix};")
    lines.append("}")
    return "\n".join(lines) + "\n"
