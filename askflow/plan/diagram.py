"""``plan.md``: a planned stack as a Mermaid diagram, a resource table, protections and policy results.

GitHub renders Mermaid in Markdown (https://docs.github.com/en/get-started/writing-on-github/
working-with-advanced-formatting/creating-diagrams). The diagram is a Mermaid flowchart
(https://mermaid.js.org/syntax/flowchart.html): one ``subgraph`` per top-level component, one node
per custom resource, and an arrow ``A --> B`` for each dependency the engine recorded (B waits for A).
Node ids are derived from URNs and made safe (letters, digits, underscores); labels are quoted and
their quotes and angle brackets written as Mermaid entity codes. Output is deterministic.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict

from askflow.plan import Plan
from askflow.plan.mocks import Registration
from askflow.plan.output import component_of, short_type
from askflow.policies.rules import RULES, Violation

STACK_GROUP = "(stack)"


def node_id(urn: str) -> str:
    """A Mermaid-safe id for a URN: readable, and unique thanks to a short hash of the whole URN."""
    name = urn.rsplit("::", 1)[-1]
    slug = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_")[:40]
    return f"r_{slug}_{hashlib.sha256(urn.encode()).hexdigest()[:6]}"


def group_id(component: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "_", component).strip("_")[:40]
    return f"g_{slug}_{hashlib.sha256(component.encode()).hexdigest()[:6]}"


def mermaid_label(text: str) -> str:
    """A quoted Mermaid label: quotes, angle brackets and ``#`` as entity codes, so nothing breaks it."""
    escaped = (text.replace("#", "#35;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
               .replace("[", "#91;").replace("]", "#93;"))
    return f'"{escaped}"'


# Characters that Markdown may read as markup in running text: emphasis (``*``, ``_``, ``~``),
# links, raw HTML and entities, code, table cells. Each is backslash-escaped (CommonMark: any ASCII
# punctuation may be), so a RAM resource ``acs:oss:*:*:b/*`` or a name ``<x>`` shows as written.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")


def _md_text(text: str) -> str:
    """Plain text (names, messages) as literal Markdown, in a table cell or a list item."""
    return _MD_SPECIAL.sub(r"\\\1", text.replace("\n", " "))


def _md_code(text: str, *, in_table: bool = False) -> str:
    """A code span showing ``text`` as written. Backslashes are literal in code spans; only a table
    needs ``|`` escaped (GFM splits cells first), and a backtick needs a longer fence."""
    text = text.replace("\n", " ")
    if in_table:
        text = text.replace("|", "\\|")
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def diagram_edges(plan: Plan) -> list[tuple[str, str]]:
    """``(dependency URN, dependent URN)`` for every dependency between resources drawn in the diagram.

    A dependency on a component stays a dependency on that component (drawn from its subgraph).
    Sorted and without duplicates.
    """
    by_urn = plan.by_urn()
    edges: set[tuple[str, str]] = set()
    for r in plan.resources:
        if not r.custom:
            continue
        for dep in r.dependencies:
            if dep in by_urn and dep != r.urn:
                edges.add((dep, r.urn))
    return sorted(edges)


def mermaid(plan: Plan) -> str:
    """The stack as a Mermaid flowchart (without the Markdown fence)."""
    by_urn = plan.by_urn()
    groups: dict[str, list[Registration]] = defaultdict(list)
    for r in plan.resources:
        if r.custom:
            groups[component_of(plan, r.urn, by_urn)].append(r)
    lines = ["flowchart LR"]
    for component in sorted(groups):
        members = sorted(groups[component], key=lambda r: r.urn)
        indent = "  "
        if component != STACK_GROUP:
            lines.append(f"  subgraph {group_id(component)}[{mermaid_label(component)}]")
            indent = "    "
        for r in members:
            lines.append(f"{indent}{node_id(r.urn)}[{mermaid_label(f'{short_type(r.type)}: {r.name}')}]")
        if component != STACK_GROUP:
            lines.append("  end")

    def endpoint(urn: str) -> str:
        # A component has no node: an arrow to or from it attaches to its top-level subgraph.
        return node_id(urn) if by_urn[urn].custom else group_id(component_of(plan, urn, by_urn))

    drawn: set[tuple[str, str]] = set()
    for dep, urn in diagram_edges(plan):
        edge = (endpoint(dep), endpoint(urn))
        if edge not in drawn:
            drawn.add(edge)
            lines.append(f"  {edge[0]} --> {edge[1]}")
    return "\n".join(lines) + "\n"


def plan_markdown(plan: Plan, violations: list[Violation], changes: list[str] | None = None) -> str:
    """The whole ``plan.md``: changes (with ``--against``), diagram, resource table, protections, policy results."""
    custom = [r for r in plan.resources if r.custom]
    out = [
        f"# Plan of {plan.project}/{plan.stack}",
        "",
        f"Planned offline by `askflow plan --stack {plan.stack}` from `{plan.stack_file}`: "
        f"{len(custom)} resources in {len(plan.resources) - len(custom)} components. "
        "An arrow A → B means B waits for A. Kubernetes resources also wait for their provider "
        "(not drawn).",
        "",
        *(changes or []),
        "```mermaid",
        mermaid(plan).rstrip("\n"),
        "```",
        "",
        "## Resources",
        "",
        "| component | type | name | protect |",
        "| --- | --- | --- | --- |",
    ]
    by_urn = plan.by_urn()
    rows = sorted((component_of(plan, r.urn, by_urn), short_type(r.type), r.name, r.protect) for r in custom)
    for component, typ, name, protect in rows:
        out.append(f"| {_md_text(component)} | {_md_code(typ, in_table=True)} | {_md_text(name)} | "
                   f"{'yes' if protect else ''} |")
    out += ["", "## Protections", ""]
    protected = sorted((r for r in custom if r.protect or r.retain_on_delete), key=lambda r: r.urn)
    if protected:
        for r in protected:
            flags = ", ".join(f for f, on in (("protect", r.protect), ("retainOnDelete", r.retain_on_delete)) if on)
            out.append(f"- {_md_code(short_type(r.type))} {_md_text(r.name)}: {flags}")
    else:
        out.append("Nothing is protected: `pulumi destroy` deletes every resource of this stack.")
    out += ["", "## Policy", ""]
    if violations:
        out.append(f"{len(violations)} mandatory rule violation(s): `pulumi up` would be refused.")
        out.append("")
        for v in sorted(violations, key=lambda v: (v.rule, v.urn, v.message)):
            out.append(f"- **{_md_text(v.rule)}**: {_md_code(v.urn)}: {_md_text(v.message)}")
    else:
        out.append(f"All {len(RULES)} mandatory rules pass:")
        out.append("")
        for rule in RULES:
            # Descriptions are askflow's own Markdown (`protect`ed): kept as written.
            out.append(f"- {_md_code(rule.name)}: {rule.description}")
    if plan.warnings:
        out += ["", "## Warnings", ""] + [f"- {_md_text(w)}" for w in sorted(plan.warnings)]
    return "\n".join(out) + "\n"
