"""Render a :class:`~askflow.convert.model.JobPlan` as a WorkflowTemplate (and CronWorkflows).

Shape of every converted template::

    spec:
      entrypoint: main            # a dag: one task per job (or per fused N_TO_N group)
      serviceAccountName: ...     # never `default`
      activeDeadlineSeconds: ...  # from the source, or a reported default
      arguments: {parameters}     # what a submitter supplies (images without a pinned tag, Ref:: params)
      templates: [main, <leaf container templates>, <fan-out wrappers>]

Fan-out is ``withSequence`` on the DAG task, with ``{{item}}`` passed to the leaf's ``index``
input (`loops <https://argo-workflows.readthedocs.io/en/latest/walk-through/loops/>`_). A fan-out
that must be throttled (SEQUENTIAL, Kubernetes parallelism) in a DAG with other tasks goes through a
steps wrapper carrying ``parallelism``, since a template's parallelism applies to all its tasks.
AWS N_TO_N groups become one per-index DAG fanned out once (child i right after child i).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from askflow.convert.graph import find_cycle, longest_path, topological
from askflow.convert.model import ENTRYPOINT, INDEX_PARAM, INDEX_REF, Dep, JobPlan, Task
from askflow.convert.naming import Allocator

API_VERSION = "argoproj.io/v1alpha1"
#: Whole-workflow deadline when the source has none: long enough for a day's batch, short enough to stop
#: a job that hangs (strict lint requires a deadline).
DEFAULT_DEADLINE_SECONDS = 86400
#: More fan-out items than this make a workflow object large: each item is a node in status.nodes, and
#: the object must stay under etcd's 1.5 MiB request limit (Argo's node status offload moves them to a database).
LARGE_FAN_OUT = 1000


@dataclass
class _Unit:
    """A DAG task of ``main``: one source task, or a fused N_TO_N group of them."""

    name: str
    members: list[Task]
    internal: dict[str, list[Dep]] = field(default_factory=dict)  # member -> its N_TO_N parents

    @property
    def fused(self) -> bool:
        return len(self.members) > 1

    @property
    def count(self) -> int | None:
        return self.members[0].count

    @property
    def sequential(self) -> bool:
        return any(m.sequential for m in self.members)

    @property
    def parallelism(self) -> int | None:
        limits = [m.parallelism for m in self.members if m.parallelism is not None]
        return 1 if self.sequential else (min(limits) if limits else None)


def _components(plan: JobPlan) -> list[list[Task]]:
    """Groups of tasks joined by N_TO_N edges (union-find), in the plan's order."""
    root = {t.name: t.name for t in plan.tasks}

    def find(x: str) -> str:
        while root[x] != x:
            root[x] = root[root[x]]
            x = root[x]
        return x

    for t in plan.tasks:
        for d in t.depends:
            if d.n_to_n:
                root[find(t.name)] = find(d.task)
    groups: dict[str, list[Task]] = {}
    for t in plan.tasks:
        groups.setdefault(find(t.name), []).append(t)
    return list(groups.values())


def _units(plan: JobPlan) -> list[_Unit]:
    """Fuse N_TO_N groups where that keeps the graph acyclic; otherwise fall back to a barrier."""
    groups = _components(plan)
    unit_of = {t.name: i for i, g in enumerate(groups) for t in g}
    broken: set[int] = set()
    for t in plan.tasks:
        for d in t.depends:
            if not d.n_to_n and unit_of[t.name] == unit_of[d.task]:
                broken.add(unit_of[t.name])  # a plain edge inside a group: fusing it would wait on itself
    # Break groups until the contracted graph is acyclic: each cycle found contains at least one fused
    # group (the task graph itself is acyclic), and splitting it back into tasks removes that cycle;
    # other cycles may remain, so look again until none is left.
    def node(task: str) -> str:
        i = unit_of[task]
        return f"t:{task}" if i in broken else f"g:{i}"

    while True:
        contracted: dict[str, list[str]] = {node(t.name): [] for t in plan.tasks}
        for t in plan.tasks:
            for d in t.depends:
                a, b = node(t.name), node(d.task)
                if a != b:
                    contracted[a].append(b)
        cyclic = find_cycle(contracted)
        if not cyclic:
            break
        fused = {int(x[2:]) for x in cyclic if x.startswith("g:") and len(groups[int(x[2:])]) > 1}
        if not fused:  # pragma: no cover - the task graph is checked for cycles before building
            raise AssertionError("dependency cycle among single tasks")
        broken |= fused
    names = Allocator((ENTRYPOINT, *(t.name for t in plan.tasks)))
    units: list[_Unit] = []
    for i, group in enumerate(groups):
        if len(group) > 1 and i in broken:
            for t in group:
                for d in t.depends:
                    if d.n_to_n:
                        plan.report.add("N_TO_N_BARRIER", d.path, f"{t.name} waits for every child of {d.task} "
                                        "(fusing them would create a cycle with the other dependencies)",
                                        target=f"spec.templates[{ENTRYPOINT}].dag.tasks[{t.name}].depends")
                t.depends = [Dep(d.task, False, d.tolerate_failure, d.path) for d in t.depends]
            units.extend(_Unit(t.name, [t]) for t in group)
            continue
        if len(group) == 1:
            units.append(_Unit(group[0].name, group))
            continue
        members = {t.name: t for t in group}
        internal = {t.name: [d for d in t.depends if d.n_to_n] for t in group}
        order = topological({n: [d.task for d in internal[n]] for n in members})
        joined = "-".join(order)
        unit = _Unit(names.take(joined if len(joined) <= 50 else f"{order[0]}-n-to-n"),
                     [members[n] for n in order], internal)
        for t in group:
            for d in internal[t.name]:
                plan.report.add("N_TO_N_FUSED", d.path, f"child i of {t.name} runs right after child i of "
                                f"{d.task} inside {unit.name}-per-index, fanned out {t.count} times",
                                target=f"spec.templates[{unit.name}-per-index]")
        units.append(unit)
    return units


def _depends(deps: Sequence[Dep], unit_of: dict[str, str], own: str) -> str:
    parts: list[str] = []
    for d in deps:
        target = unit_of[d.task]
        if target == own:
            continue
        # Enhanced depends: Failed is a non-zero exit only; Errored (pod deleted, evicted, deadline, image pull)
        # is a separate result, so "whatever the end" needs all three
        # (https://argo-workflows.readthedocs.io/en/latest/enhanced-depends-logic/).
        part = f"({target}.Succeeded || {target}.Failed || {target}.Errored)" if d.tolerate_failure else target
        if part not in parts:
            parts.append(part)
    return " && ".join(parts)


def _leaf(task: Task) -> dict[str, Any]:
    body = {"name": task.name, **task.template}
    if task.count is not None:
        inputs = dict(body.get("inputs") or {})
        params = list(inputs.get("parameters") or [])
        if not any(p.get("name") == INDEX_PARAM for p in params):
            params.insert(0, {"name": INDEX_PARAM})
        inputs["parameters"] = params
        body = {"name": task.name, "inputs": inputs, **{k: v for k, v in task.template.items() if k != "inputs"}}
    return body


def _call(name: str, template: str, arguments: list[dict[str, str]], index: str | None, count: int | None,
          depends: str = "") -> dict[str, Any]:
    call: dict[str, Any] = {"name": name, "template": template}
    if depends:
        call["depends"] = depends
    args = list(arguments)
    if count is not None and index is not None:
        args = [{"name": INDEX_PARAM, "value": index}, *args]
    if args:
        call["arguments"] = {"parameters": args}
    if count is not None and index == "{{item}}":
        call["withSequence"] = {"count": str(count)}
    return call


def render_template(plan: JobPlan, version: int) -> dict[str, Any]:
    """The WorkflowTemplate for ``plan`` (``metadata.name`` is the library name; askflow adds ``-v<N>``)."""
    units = _units(plan)
    unit_of = {m.name: u.name for u in units for m in u.members}
    main: dict[str, Any] = {"name": ENTRYPOINT}
    tasks: list[dict[str, Any]] = []
    extra: list[dict[str, Any]] = []
    leaves: list[dict[str, Any]] = []
    only = len(units) == 1
    for unit in units:
        depends = _depends([d for m in unit.members for d in m.depends], unit_of, unit.name)
        if unit.fused:
            per_index = f"{unit.name}-per-index"
            inner = [_call(m.name, m.name, m.arguments, INDEX_REF, m.count,
                           " && ".join(d.task for d in unit.internal[m.name])) for m in unit.members]
            extra.append({"name": per_index, "inputs": {"parameters": [{"name": INDEX_PARAM}]},
                          "dag": {"tasks": inner}})
            entry, entry_args = per_index, []
        else:
            entry, entry_args = unit.members[0].name, unit.members[0].arguments
        leaves.extend(_leaf(m) for m in unit.members)
        count = unit.count
        if count is not None and count > LARGE_FAN_OUT:
            plan.report.add("LARGE_FAN_OUT", plan.source.path, f"{unit.name} fans out to {count} items (more than "
                            f"{LARGE_FAN_OUT}): each is a node in the workflow's status; enable node status offload "
                            "(controller persistence.nodeStatusOffLoad) so the Workflow object stays under etcd's "
                            "size limit", target=f"spec.templates[{ENTRYPOINT}].dag.tasks[{unit.name}].withSequence")
        if count is not None and unit.parallelism is not None and not only:
            wrapper = f"{unit.name}-items"
            step = _call(unit.name, entry, entry_args, "{{item}}", count)
            w: dict[str, Any] = {"name": wrapper, "parallelism": unit.parallelism}
            if unit.sequential:
                w["failFast"] = True
            w["steps"] = [[step]]
            extra.append(w)
            tasks.append(_call(unit.name, wrapper, [], None, None, depends))
        else:
            if count is not None and unit.parallelism is not None:  # the only unit: throttle main itself
                main["parallelism"] = unit.parallelism
                if unit.sequential:
                    main["failFast"] = True
            tasks.append(_call(unit.name, entry, entry_args, "{{item}}", count, depends))
    main["dag"] = {"tasks": tasks}

    deadline = plan.deadline
    if deadline is None:
        weight: dict[str, int] = {}
        for unit in units:
            chain = longest_path({m.name: [d.task for d in unit.internal.get(m.name, [])] for m in unit.members},
                                 {m.name: m.worst_seconds for m in unit.members})
            # a throttled fan-out (SEQUENTIAL, Kubernetes parallelism) runs its items in waves of `parallelism`
            waves = -(-(unit.count or 1) // unit.parallelism) if unit.parallelism else 1
            weight[unit.name] = chain * waves
        parents = {u.name: [unit_of[d.task] for m in u.members for d in m.depends if unit_of[d.task] != u.name]
                   for u in units}
        longest = longest_path(parents, weight)
        deadline = max(DEFAULT_DEADLINE_SECONDS, longest)
        why = ("the longest chain of attempt timeouts x attempts" if longest > DEFAULT_DEADLINE_SECONDS
               else "24 hours")
        plan.report.add("DEADLINE_DEFAULTED", plan.source.path, f"no whole-job deadline in the source: "
                        f"spec.activeDeadlineSeconds is {deadline} ({why}); change it if the job runs longer",
                        target="spec.activeDeadlineSeconds")

    spec: dict[str, Any] = {
        "entrypoint": ENTRYPOINT,
        "serviceAccountName": plan.service_account,
        "activeDeadlineSeconds": deadline,
    }
    if plan.parameters:
        spec["arguments"] = {"parameters": plan.parameters}
    spec.update(plan.spec)
    spec["templates"] = [main, *leaves, *extra]
    metadata: dict[str, Any] = {"name": plan.name}
    if plan.labels:
        metadata["labels"] = dict(sorted(plan.labels.items()))
    if plan.annotations:
        metadata["annotations"] = dict(sorted(plan.annotations.items()))
    return {"apiVersion": API_VERSION, "kind": "WorkflowTemplate", "metadata": metadata, "spec": spec}


def render_crons(plan: JobPlan, version: int) -> list[tuple[str, dict[str, Any]]]:
    """``(schedule name, CronWorkflow)`` for each schedule, pinned to ``<name>-v<version>``."""
    out: list[tuple[str, dict[str, Any]]] = []
    for cron in plan.crons:
        metadata: dict[str, Any] = {"name": cron.name}
        if cron.labels:
            metadata["labels"] = dict(sorted(cron.labels.items()))
        if cron.annotations:
            metadata["annotations"] = dict(sorted(cron.annotations.items()))
        spec = dict(cron.spec)
        workflow_spec = dict(spec.pop("workflowSpec", {}))
        required = [p["name"] for p in plan.parameters if "value" not in p]
        if required:
            # A scheduled run has nobody to supply a parameter; the source's own values would run
            # unpinned images, so the CronWorkflow carries them but starts suspended.
            workflow_spec["arguments"] = {"parameters": [{"name": n, "value": plan.source_values.get(n, "")}
                                                         for n in required]}
            spec["suspend"] = True
            plan.report.add("CRON_SUSPENDED", plan.source.path, f"the template needs {', '.join(required)} (no "
                            f"default); CronWorkflow {cron.name} passes the source's values ("
                            + ", ".join(repr(plan.source_values.get(n, "")) for n in required) + ") and is "
                            "suspended: pin them in its spec.workflowSpec.arguments, then set suspend: false",
                            target=f"cron-{cron.name}.yaml: spec.suspend")
        workflow_spec["workflowTemplateRef"] = {"name": f"{plan.name}-v{version}"}
        spec["workflowSpec"] = workflow_spec
        out.append((cron.name, {"apiVersion": API_VERSION, "kind": "CronWorkflow", "metadata": metadata,
                                "spec": spec}))
    return out
