"""DAG templates: tasks, ``depends``/``dependencies`` (no cycles, no unknown tasks, valid results),
targets, arguments that reference tasks they do not depend on (validate.go: validateDAG,
validateDAGTargets, validateDAGTaskArgumentDependency; common.GetTaskDependencies)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from askflow.lint.argo.documents import FAKE, TASK_RESULTS, Call, Checks, Holder, Tmpl, d, lst, text
from askflow.lint.variables import Scope, is_parameter

RULES = (
    "dag-empty",
    "dag-undefined-dependency",
    "dag-cycle",
    "dag-dependencies",
    "dag-task-result",
    "dag-target",
    "dag-missing-dependency",
    "invalid-name",
)

# common.GetTaskDependencies / ValidateTaskResults
_TASK_NAME = re.compile(r"([a-zA-Z0-9][-a-zA-Z0-9]*?\.[A-Z][a-zA-Z]+)|([a-zA-Z0-9][-a-zA-Z0-9]*)")
_TASK_RESULT = re.compile(r"([a-zA-Z0-9][-a-zA-Z0-9]*?\.[A-Z][a-zA-Z]+)")


class DagChecks(Checks):
    def validate_dag(self, scope: Scope, tmpl: Tmpl, ctx: Holder) -> None:  # (30-36)
        self.validate_non_leaf(tmpl)
        t, tp = tmpl.name, tmpl.path
        dag = d(tmpl.data.get("dag"))
        raw_tasks = lst(dag.get("tasks"))
        if not raw_tasks:
            self.emit("dag-empty", f"{tp}.dag.tasks", f"templates.{t} must have at least one task")
            return
        # sortDAGTasks runs first and refuses a repeated name with its own message
        self.validate_names(
            raw_tasks,
            f"{tp}.dag.tasks",
            f"templates.{t}.tasks",
            params=False,
            duplicate=f"templates.{t} sorting failed: duplicated nodeName %s",
        )
        tasks: dict[str, tuple[int, dict[str, Any]]] = {}
        for i, task in enumerate(raw_tasks):
            if isinstance(task, dict) and text(task.get("name")):
                tasks.setdefault(text(task.get("name")), (i, task))
        using_depends = any(text(task.get("depends")) for _, task in tasks.values())
        deps: dict[str, dict[str, bool]] = {}  # task -> {dependency: items-based}
        for name, (i, task) in tasks.items():
            deps[name] = task_dependencies(task)
            for dep in deps[name]:
                if dep not in tasks:
                    where = "depends" if text(task.get("depends")) else "dependencies"
                    self.emit(
                        "dag-undefined-dependency",
                        f"{tp}.dag.tasks[{i}].{where}",
                        f"templates.{t} sorting failed: invalid dependency {dep}",
                    )
        graph = {n: [x for x in ds if x in tasks] for n, ds in deps.items()}
        cycle = find_cycle(graph)
        if cycle:
            self.emit(
                "dag-cycle",
                f"{tp}.dag.tasks[{tasks[cycle[0]][0]}]",
                f"templates.{t} sorting failed: graph with cycle ({'->'.join(cycle)})",
            )
        order = topological(list(tasks), graph)
        resolved: dict[str, Tmpl | None] = {}
        for name in order:
            i, task = tasks[name]
            tpath = f"{tp}.dag.tasks[{i}]"
            err_prefix = f"templates.{t}.tasks.{name} "
            if (using_depends or lst(task.get("dependencies"))) and name[:1].isdigit():
                self.emit(
                    "invalid-name",
                    f"{tpath}.name",
                    f"templates.{t}.tasks.{name} name cannot begin with a digit when using either 'depends' or 'dependencies'",
                )
            if using_depends and lst(task.get("dependencies")):
                self.emit(
                    "dag-dependencies",
                    f"{tpath}.dependencies",
                    f"templates.{t} cannot use both 'depends' and 'dependencies' in the same DAG template",
                )
            if using_depends and task.get("continueOn") is not None:
                self.emit(
                    "dag-dependencies",
                    f"{tpath}.continueOn",
                    f"templates.{t} cannot use 'continueOn' when using 'depends'. Instead use "
                    "'dep-task.Failed'/'dep-task.Errored'",
                )
            arguments = d(task.get("arguments"))
            args = arguments if isinstance(task.get("templateRef"), dict) else FAKE
            resolved[name] = self.validate_template_holder(Call(task, tpath, err_prefix.rstrip()), ctx, args)
            aggregate = bool(lst(task.get("withItems"))) or bool(text(task.get("withParam")))
            self.add_outputs(resolved[name], f"tasks.{name}", scope, aggregate, False)
            for match in _TASK_RESULT.findall(text(task.get("depends"))):
                dep, result = match.split(".", 1)
                if result not in TASK_RESULTS:
                    self.emit(
                        "dag-task-result",
                        f"{tpath}.depends",
                        f"{err_prefix}task result '{result}' for task '{dep}' is invalid",
                    )
            for dep, items_based in deps[name].items():
                if items_based and dep in tasks:
                    other = tasks[dep][1]
                    if (
                        not lst(other.get("withItems"))
                        and not text(other.get("withParam"))
                        and other.get("withSequence") is None
                    ):
                        self.emit(
                            "dag-task-result",
                            f"{tpath}.depends",
                            f"{err_prefix}dependency '{dep}' uses an items-based condition such as .AnySucceeded or "
                            ".AllFailed but does not contain any items",
                        )
        target = text(dag.get("target"))
        if target:
            self.resolve_all(scope, dag.get("target"), f"{tp}.dag.target", f"templates.{t}.targets ")
            # validateDAGTargets splits on single spaces: "a  b" names a task ''.
            for name in target.split(" "):
                if not is_parameter(name) and name not in tasks:
                    self.emit(
                        "dag-target",
                        f"{tp}.dag.target",
                        f"templates.{t}.targets: target '{name}' is not defined",
                    )
        for name in order:
            i, task = tasks[name]
            tpath = f"{tp}.dag.tasks[{i}]"
            err_prefix = f"templates.{t}.tasks.{name} "
            prefix = f"tasks.{name}"
            if task.get("hooks") is not None:
                scope.add(prefix + ".status")
            self.add_outputs(resolved[name], prefix, scope, False, False)
            self.check_hook_templates(task, tpath, ctx, err_prefix)
            self.validate_hooks(d(task.get("hooks")), f"{tpath}.hooks", err_prefix.rstrip(), task=True)
            task_scope = scope.copy()
            ancestry = ancestors(name, graph)
            for anc in ancestry:
                anc_task = tasks[anc][1]
                aggregate = bool(lst(anc_task.get("withItems"))) or bool(text(anc_task.get("withParam")))
                self.add_outputs(resolved.get(anc), f"tasks.{anc}", task_scope, aggregate, True)
            inline = d(task.get("inline"))
            for param in lst(d(inline.get("inputs")).get("parameters")):
                task_scope.add("inputs.parameters." + text(d(param).get("name")))
            self.add_items(task, task_scope, tpath, err_prefix)
            self.resolve_all(task_scope, task, tpath, err_prefix)
            arguments = d(task.get("arguments"))
            self.validate_arguments(f"templates.{t}.tasks.{name}.arguments.", arguments, False, f"{tpath}.arguments")
            for j, param in enumerate(lst(arguments.get("parameters"))):
                value = text(d(param).get("value"))
                if value.startswith("{{tasks.") and value.split(".")[1] not in ancestry:
                    self.emit(
                        "dag-missing-dependency",
                        f"{tpath}.arguments.parameters[{j}].value",
                        f"{err_prefix}missing dependency '{value.split('.')[1]}' for parameter "
                        f"'{text(d(param).get('name'))}'",
                    )
            for j, art in enumerate(lst(arguments.get("artifacts"))):
                source = text(d(art).get("from"))
                if source.startswith("{{tasks.") and source.split(".")[1] not in ancestry:
                    self.emit(
                        "dag-missing-dependency",
                        f"{tpath}.arguments.artifacts[{j}].from",
                        f"{err_prefix}missing dependency '{source.split('.')[1]}' for artifact "
                        f"'{text(d(art).get('name'))}'",
                    )
            tmpl_resolved = resolved[name]
            if tmpl_resolved is not None and not isinstance(task.get("templateRef"), dict):
                self.process_args(tmpl_resolved, arguments, Call(task, tpath, err_prefix.rstrip()))


def task_dependencies(task: Mapping[str, Any]) -> dict[str, bool]:
    """The tasks a DAG task depends on, each flagged when the dependency is items-based
    (``.AnySucceeded``/``.AllFailed``), as common.GetTaskDependencies reads them."""
    depends = text(task.get("depends"))
    out: dict[str, bool] = {}
    if not depends:
        for dep in lst(task.get("dependencies")):
            out.setdefault(text(dep), False)
        return out
    for name, result in depends_terms(depends):
        if result in ("AnySucceeded", "AllFailed"):
            out[name] = True
        else:
            out.setdefault(name, False)
    return out


def depends_terms(depends: str) -> Iterator[tuple[str, str | None]]:
    """``(task, result or None)`` for every task a ``depends`` expression names, in order, read
    with common.GetTaskDependencies' pattern: ``(a.Succeeded || b) && !c.Failed`` ->
    ``a, Succeeded``; ``b, None``; ``c, Failed``
    (https://argo-workflows.readthedocs.io/en/latest/enhanced-depends-logic/)."""
    for full, bare in _TASK_NAME.findall(depends):
        if full:
            name, result = full.split(".", 1)
            yield name, result
        elif bare:
            yield bare, None


def find_cycle(graph: Mapping[str, Iterable[str]]) -> list[str]:
    """One cycle as ``[a, b, a]`` (following dependencies), or empty; deterministic."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for dep in graph.get(node, ()):
            if state.get(dep) == 1:
                return stack[stack.index(dep) :] + [dep]
            if dep not in state and dep in graph:
                found = visit(dep)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return []

    for node in graph:
        if node not in state:
            found = visit(node)
            if found:
                return found
    return []


def topological(names: list[str], graph: Mapping[str, list[str]]) -> list[str]:
    """Dependencies first, otherwise in document order; members of cycles last."""
    done: set[str] = set()
    order: list[str] = []
    remaining = list(names)
    while remaining:
        ready = [n for n in remaining if all(dep in done for dep in graph.get(n, []))]
        if not ready:
            order.extend(remaining)
            break
        for n in ready:
            done.add(n)
            order.append(n)
        remaining = [n for n in remaining if n not in done]
    return order


def ancestors(name: str, graph: Mapping[str, list[str]]) -> list[str]:
    seen: dict[str, None] = {}

    def walk(node: str) -> None:
        for dep in graph.get(node, []):
            if dep not in seen and dep != name:
                seen[dep] = None
                walk(dep)

    walk(name)
    return list(seen)
