"""plan.md: the Mermaid diagram's structure checked against the plan's own dependencies."""

from __future__ import annotations

import re
from functools import cache

from askflow.plan import Plan, plan_stack
from askflow.plan.diagram import component_edges, group_id, mermaid, plan_markdown
from askflow.plan.mocks import Registration
from askflow.plan.output import component_of, violations
from askflow.policies.rules import RULES, Violation
from tests.plan.harness import ROOT

ID = r"[A-Za-z][A-Za-z0-9_]*"
NODE = re.compile(rf'^\s+({ID})\["([^"\[\]<>]*)"\]$')
SUBGRAPH = re.compile(rf'^  subgraph ({ID})\["([^"\[\]<>]*)"\]$')
EDGE = re.compile(rf"^  ({ID}) --> ({ID})$")


@cache
def _plan(stack: str) -> Plan:
    return plan_stack(stack, ROOT)


def _parse(text: str) -> tuple[dict[str, str | None], list[tuple[str, str]], set[str]]:
    """Every line must be a header, subgraph, end, node or edge: returns node -> subgraph, edges, subgraphs."""
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    nodes: dict[str, str | None] = {}
    edges: list[tuple[str, str]] = []
    groups: set[str] = set()
    current: str | None = None
    for line in lines[1:]:
        if m := SUBGRAPH.match(line):
            assert current is None
            current = m.group(1)
            groups.add(current)
        elif line == "  end":
            assert current is not None
            current = None
        elif m := EDGE.match(line):
            edges.append((m.group(1), m.group(2)))
        elif m := NODE.match(line):
            assert m.group(1) not in nodes, line
            nodes[m.group(1)] = current
        else:
            raise AssertionError(f"not valid in askflow's Mermaid subset: {line!r}")
    assert current is None
    return nodes, edges, groups


def test_nodes_are_the_components_and_edges_exactly_their_dependencies() -> None:
    plan = _plan("prod")
    nodes, edges, groups = _parse(mermaid(plan))
    by_urn = plan.by_urn()
    custom = [r for r in plan.resources if r.custom]
    assert groups == set() and set(nodes) == {group_id(component_of(plan, r.urn, by_urn)) for r in custom}
    expected = {(group_id(component_of(plan, d, by_urn)), group_id(component_of(plan, r.urn, by_urn)))
                for r in custom for d in r.dependencies if by_urn[d].custom}
    assert set(edges) == {(a, b) for a, b in expected if a != b}
    assert len(edges) == len(set(edges)), "duplicate arrows"
    assert edges == [(group_id(a), group_id(b)) for a, b in component_edges(plan)]  # sorted: stable order
    # A few dependencies everyone knows are there.
    cluster = component_of(plan, plan.of_type("alicloud:cs/managedKubernetes:ManagedKubernetes")[0].urn)
    network = component_of(plan, plan.of_type("alicloud:vpc/switch:Switch")[0].urn)
    assert (group_id(network), group_id(cluster)) in edges


def test_the_diagram_stays_small_whatever_the_library_holds() -> None:
    """WorkflowTemplates are one node with their count; the size follows the components, not the
    resources (dev's diagram had 61 nodes and 80 edges when it drew every resource)."""
    for stack in ("dev", "staging", "prod"):
        plan = _plan(stack)
        text = mermaid(plan)
        nodes, edges, _ = _parse(text)
        assert len(nodes) <= 20 and len(edges) <= 40, (stack, len(nodes), len(edges))
        templates = len(plan.of_type("kubernetes:argoproj.io/v1alpha1:WorkflowTemplate"))
        assert templates > 0 and text.count(f": {templates} WorkflowTemplates") == 1, stack
        assert "WorkflowTemplate: " not in text  # no node per template


def test_plan_md_is_deterministic_and_complete() -> None:
    plan = _plan("prod")
    text = plan_markdown(plan, violations(plan))
    assert text == plan_markdown(plan_stack("prod", ROOT), violations(plan))
    assert text.count("```mermaid") == 1
    custom = [r for r in plan.resources if r.custom]
    resources = text.split("## Resources", 1)[1].split("\n## ", 1)[0]
    table = [line for line in resources.splitlines() if line.startswith("| ") and "`" in line]
    assert len(table) == len(custom)
    assert f"All {len(RULES)} mandatory rules pass" in text
    for r in custom:
        if r.protect:
            assert f"{r.name}: protect" in text


def test_violations_and_awkward_names_are_escaped() -> None:
    odd = Registration(urn='urn:pulumi:s::p::x:y:Z::we"ird|<name>[1]#', type="x:y:Z", name='we"ird|<name>[1]#',
                       custom=True, parent="", provider="", inputs={}, protect=False, retain_on_delete=False,
                       delete_before_replace=False, ignore_changes=[], dependencies=[])
    plan = Plan(project="p", stack="s", stack_file="f", resources=[odd], outputs={})
    text = plan_markdown(plan, [Violation("bucket-private", odd.urn, "is | public")])
    diagram = text.split("```mermaid\n")[1].split("```")[0]
    nodes, _, _ = _parse(diagram)
    assert list(nodes) == [group_id("(stack)")]
    assert "1 mandatory rule violation(s)" in text
    html = _render(text)
    assert "<td>we&quot;ird|&lt;name&gt;[1]#</td>" in html  # table cell: pipe and tag shown as written
    assert "<li><strong>bucket-private</strong>: <code>" in html and ": is | public</li>" in html


def _render(markdown: str) -> str:
    """plan.md as GitHub renders it: CommonMark with GFM tables and raw HTML passed through."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)


def test_names_and_messages_render_as_written_not_as_markup() -> None:
    """A RAM policy's resource `acs:oss:*:*:b/*` (the ram-no-wildcard-resources message) must not
    turn into emphasis, and a name with `<...>`, `_`, `*` or a backtick must not become HTML or code."""
    name = "a_b_*c*_<img src=x>`d`"
    urn = f"urn:pulumi:s::p::x:y:Z::{name}|e"
    odd = Registration(urn=urn, type="x:y:Z", name=name, custom=True, parent="", provider="", inputs={},
                       protect=True, retain_on_delete=False, delete_before_replace=False, ignore_changes=[],
                       dependencies=[])
    plan = Plan(project="p", stack="s", stack_file="f", resources=[odd], outputs={}, warnings=["w *x* <y>"])
    message = "Statement[0] allows Resource 'acs:oss:*:*:b/*'"
    html = _render(plan_markdown(plan, [Violation("ram-no-wildcard-resources", urn, message)]))
    assert "<em>" not in html and "<img" not in html
    assert f"<td>{name.replace('<', '&lt;').replace('>', '&gt;')}</td>" in html
    assert "<li><code>x:y.Z</code> a_b_*c*_&lt;img src=x&gt;`d`: protect</li>" in html
    assert (f"<code>{urn.replace('<', '&lt;').replace('>', '&gt;')}</code>: "
            "Statement[0] allows Resource 'acs:oss:*:*:b/*'</li>") in html
    assert "<li>w *x* &lt;y&gt;</li>" in html
