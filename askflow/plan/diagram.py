"""``plan.md``: a planned stack as a Mermaid diagram, a table per component, protections and policy results.

GitHub renders Mermaid in Markdown (https://docs.github.com/en/get-started/writing-on-github/
working-with-advanced-formatting/creating-diagrams). The diagram is a Mermaid flowchart
(https://mermaid.js.org/syntax/flowchart.html) of the stack's top-level components (network,
cluster, storage, identity, argo, tenants, templates, ...): one node per component, labelled with
what it holds (a template library is one node with its count of WorkflowTemplates), and an arrow
``A --> B`` when a resource of B waits for a resource of A. Its size grows with the number of
components, not of resources, so it stays readable whatever the library holds; each component's
resources are listed in its own table below it. Node ids are derived from the component and made
safe (letters, digits, underscores); labels are quoted and their quotes and angle brackets written
as Mermaid entity codes. Output is deterministic.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict

from askflow import cost_tags, yamlio
from askflow.plan import Plan
from askflow.plan.mocks import Registration
from askflow.plan.output import component_of, short_type
from askflow.policies.rules import RULES, Violation
from askflow.substrate import ACK_ONE_CLUSTER, ACK_ONE_DIFFERENCES, ACS_COMPUTE_CLASS_LABEL

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


def component_edges(plan: Plan) -> list[tuple[str, str]]:
    """``(component waited for, waiting component)`` for every dependency between resources of two
    different components; sorted and without duplicates."""
    by_urn = plan.by_urn()
    edges = {(component_of(plan, dep, by_urn), component_of(plan, urn, by_urn)) for dep, urn in diagram_edges(plan)}
    return sorted((a, b) for a, b in edges if a != b)


def _component_label(component: str, members: list[Registration]) -> str:
    """``templates askflow-dev-templates: 8 WorkflowTemplates, 2 CronWorkflows`` or ``network
    askflow-dev: 7 resources``: what the component is and how much it holds."""
    kind, _, name = component.partition(" ")
    title = f"{kind.split(':')[1] if kind.count(':') == 2 else kind} {name}".strip()
    kinds = Counter(short_type(r.type).rsplit(".", 1)[-1] for r in members)
    if kinds.get("WorkflowTemplate"):
        held = ", ".join(f"{kinds[k]} {k}s" for k in ("WorkflowTemplate", "CronWorkflow") if kinds.get(k))
        rest = len(members) - kinds["WorkflowTemplate"] - kinds.get("CronWorkflow", 0)
        return f"{title}: {held}" + (f", {rest} other resources" if rest else "")
    return f"{title}: {len(members)} resource{'s' if len(members) != 1 else ''}"


def components(plan: Plan) -> dict[str, list[Registration]]:
    """Top-level component -> its custom resources (sorted by URN), components sorted."""
    by_urn = plan.by_urn()
    groups: dict[str, list[Registration]] = defaultdict(list)
    for r in plan.resources:
        if r.custom:
            groups[component_of(plan, r.urn, by_urn)].append(r)
    return {c: sorted(groups[c], key=lambda r: r.urn) for c in sorted(groups)}


def mermaid(plan: Plan) -> str:
    """The stack's components and the dependencies between them as a Mermaid flowchart (without the
    Markdown fence)."""
    lines = ["flowchart LR"]
    for component, members in components(plan).items():
        lines.append(f"  {group_id(component)}[{mermaid_label(_component_label(component, members))}]")
    for a, b in component_edges(plan):
        lines.append(f"  {group_id(a)} --> {group_id(b)}")
    return "\n".join(lines) + "\n"


_ALERT_RULE = "alicloud:arms/prometheusAlertRule:PrometheusAlertRule"
_SCRAPE = "alicloud:arms/prometheusMonitoring:PrometheusMonitoring"
_LOG_ALERT = "alicloud:log/alert:Alert"


def _alerts_section(resources: list[Registration]) -> list[str]:
    """The stack's alert rules (ARMS Prometheus) and who receives them; nothing without rules."""
    rules = sorted((r for r in resources if r.type == _ALERT_RULE), key=lambda r: r.inputs["prometheusAlertRuleName"])
    log_rules = sorted((r for r in resources if r.type == _LOG_ALERT), key=lambda r: r.inputs["alertName"])
    if not rules:
        return _log_alerts(log_rules, ["", "## Alerts", ""]) if log_rules else []
    contacts = sorted(f"email {r.inputs['email']}" for r in resources if r.type == "alicloud:arms/alertContact:AlertContact")
    contacts += sorted(f"{r.inputs['robotType']} robot {r.inputs['alertRobotName']}"
                       for r in resources if r.type == "alicloud:arms/alertRobot:AlertRobot")
    dispatched = any(r.inputs.get("notifyType") == "DISPATCH_RULE" for r in rules)
    where = (f"through one ARMS dispatch rule to: {', '.join(contacts)}." if dispatched and contacts else
             "to ARMS' alert manager only (no `observability.alert_contacts`): the ARMS console shows them.")
    out = ["", "## Alerts", "", f"{len(rules)} alert rules on Argo's controller metrics go {_md_text(where)}", "",
           "| alert | for | expression |", "| --- | --- | --- |"]
    for r in rules:
        out.append(f"| {_md_text(r.inputs['prometheusAlertRuleName'])} | {_md_text(str(r.inputs['duration']))} | "
                   f"{_md_code(r.inputs['expression'], in_table=True)} |")
    scraped = []
    for r in resources:
        if r.type == _SCRAPE and isinstance(r.inputs.get("configYaml"), str):
            doc = yamlio.loads(r.inputs["configYaml"])
            (endpoint,) = doc["spec"]["endpoints"]
            labels = doc["spec"]["selector"]["matchLabels"]
            scraped.append(f"{doc['metadata']['name']} ({labels.get('app.kubernetes.io/name')} port {endpoint['port']} "
                           f"{endpoint['path']}, {endpoint['scheme']})")
    out += ["", f"Scraped by ARMS Prometheus (ServiceMonitors): {_md_text(', '.join(sorted(scraped)))}." if scraped else
            "Nothing is scraped: `argo-controller-down` fires until something scrapes the controller."]
    return _log_alerts(log_rules, out + [""]) if log_rules else out


def _log_alerts(log_rules: list[Registration], out: list[str]) -> list[str]:
    """The alerts on the pods' logs (SLS), which notify nobody by themselves."""
    out += [f"{len(log_rules)} alert rule(s) on the pods' logs in SLS go to the log project's alert center only "
            "(SLS action policies are not ARMS contacts):", "", "| alert | window | query |", "| --- | --- | --- |"]
    for r in log_rules:
        (query,) = r.inputs["queryLists"]
        out.append(f"| {_md_text(r.inputs['alertName'])} | {_md_text(str(query['start']).lstrip('-'))} | "
                   f"{_md_code(query['query'], in_table=True)} |")
    return out


def _engine_section(custom: list[Registration]) -> list[str]:
    """``## Engine`` when the stack runs on the managed engine (an ACK One workflow cluster): what it does
    differently and how askflow handles it, each with Alibaba's page (askflow.substrate.ACK_ONE_DIFFERENCES)."""
    clusters = [r for r in custom if r.type == ACK_ONE_CLUSTER]
    if not clusters:
        return []
    out = ["", "## Engine", "",
           f"argo.engine `ack-one`: {_md_text(clusters[0].name)} is an ACK One workflow cluster (profile "
           f"`{_md_text(str(clusters[0].inputs.get('profile')))}`): Alibaba runs Argo. No Helm release, no archive "
           "database, no cluster of `cluster.kind`. What differs from the self-managed engine:", ""]
    for d in ACK_ONE_DIFFERENCES:
        out.append(f"- **{_md_text(d.topic)}**: {_md_text(d.handling)} (source: {_md_text(d.source)})")
    return out


def _cost_section(resources: list[Registration]) -> list[str]:
    """How the stack's workflow pods are told apart on the bill (askflow.cost_tags)."""
    for r in resources:
        if r.type != "kubernetes:helm.sh/v3:Release" or not isinstance(r.inputs.get("values"), dict):
            continue
        spec = r.inputs["values"].get("controller", {}).get("workflowDefaults", {}).get("spec", {})
        pod = spec.get("podMetadata", {})
        tags = pod.get("annotations", {}).get(cost_tags.ANNOTATION)
        if tags:
            keys = ", ".join(f"`{k}`" for k in cost_tags.parse(tags))
            return ["", "## Cost by tenant", "",
                    f"Workflow pods are ECI instances tagged {keys} (annotation `{cost_tags.ANNOTATION}`; each "
                    "WorkflowTemplate names its version, `none` for workflows that run none): split the bill by these tags."]
        if ACS_COMPUTE_CLASS_LABEL in pod.get("labels", {}):
            return ["", "## Cost by tenant", "", _md_text(cost_tags.ACS_NOTE)]
    return []


def plan_markdown(plan: Plan, violations: list[Violation], changes: list[str] | None = None) -> str:
    """The whole ``plan.md``: changes (with ``--against``), diagram, resource table, protections, policy results."""
    custom = [r for r in plan.resources if r.custom]
    out = [
        f"# Plan of {plan.project}/{plan.stack}",
        "",
        f"Planned offline by `askflow plan --stack {plan.stack}` from `{plan.stack_file}`: "
        f"{len(custom)} resources in {len(plan.resources) - len(custom)} components. "
        "The diagram shows the components; an arrow A → B means a resource of B waits for one of A. "
        "Kubernetes resources also wait for their provider (not drawn). Each component's resources are "
        "listed below it.",
        "",
        *(changes or []),
        "```mermaid",
        mermaid(plan).rstrip("\n"),
        "```",
        "",
        "## Resources",
    ]
    for component, members in components(plan).items():
        out += ["", f"### {_md_text(component)}", "", "| type | name | protect |", "| --- | --- | --- |"]
        for r in sorted(members, key=lambda r: (short_type(r.type), r.name)):
            out.append(f"| {_md_code(short_type(r.type), in_table=True)} | {_md_text(r.name)} | "
                       f"{'yes' if r.protect else ''} |")
    out += ["", "## Protections", ""]
    protected = sorted((r for r in custom if r.protect or r.retain_on_delete), key=lambda r: r.urn)
    if protected:
        for r in protected:
            flags = ", ".join(f for f, on in (("protect", r.protect), ("retainOnDelete", r.retain_on_delete)) if on)
            out.append(f"- {_md_code(short_type(r.type))} {_md_text(r.name)}: {flags}")
    else:
        out.append("Nothing is protected: `pulumi destroy` deletes every resource of this stack.")
    out += _alerts_section(custom)
    out += _engine_section(custom)
    out += _cost_section(custom)
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
