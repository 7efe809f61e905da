"""Helpers for the converter tests: run a conversion, read its output back as a job graph, validate it.

The graph is read from the rendered WorkflowTemplate the way Argo runs it (DAG ``depends``, fan-out
``withSequence``, wrapper ``parallelism``, per-index DAGs), not from the converter's own data, so a
test comparing it to the source's edges checks the output and not the converter against itself.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from askflow import yamlio
from askflow.convert import Run, plan_run


def convert(tmp_path: Path, *inputs: str | Path, **kwargs: Any) -> tuple[Run, Path]:
    """Convert ``inputs`` into ``tmp_path/out`` and write; returns the run and the library folder."""
    out = tmp_path / "out"
    run = plan_run([str(i) for i in inputs], out, **kwargs)
    run.write()
    return run, out


def write_json(tmp_path: Path, name: str, data: Any) -> Path:
    path = tmp_path / "in" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yamlio.dumps_json(data), encoding="utf-8")
    return path


def write_yaml(tmp_path: Path, name: str, *docs: Any) -> Path:
    path = tmp_path / "in" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yamlio.dumps_all(list(docs)), encoding="utf-8")
    return path


def template_of(out: Path, name: str, version: int = 1) -> dict[str, Any]:
    doc: dict[str, Any] = yamlio.load_file(out / name / f"v{version}.yaml")
    return doc


def templates_by_name(wt: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["name"]: t for t in wt["spec"]["templates"]}


def _depends(expr: str) -> set[str]:
    """Task names in a ``depends`` expression (``a && (b.Succeeded || b.Failed || b.Errored)``)."""
    return {m.group(1) for m in re.finditer(r"([a-z][a-z0-9-]*)(?:\.[A-Za-z]+)?", expr)
            if m.group(1) not in ("Succeeded", "Failed")}


@dataclass
class Graph:
    """Leaf templates (jobs) of a converted template and how Argo runs them."""

    #: (upstream leaf, downstream leaf, "all" | "n_to_n")
    edges: set[tuple[str, str, str]] = field(default_factory=set)
    #: leaf -> fan-out count (absent: runs once)
    counts: dict[str, int] = field(default_factory=dict)
    #: leaf -> max items at once
    parallelism: dict[str, int] = field(default_factory=dict)
    #: leaf -> retryStrategy.limit
    retries: dict[str, int] = field(default_factory=dict)
    leaves: set[str] = field(default_factory=set)


def graph(wt: dict[str, Any]) -> Graph:
    """Read the job graph back from a rendered WorkflowTemplate."""
    tmpl = templates_by_name(wt)
    main = tmpl[wt["spec"]["entrypoint"]]
    g = Graph()

    def fan(step: dict[str, Any]) -> int | None:
        seq = step.get("withSequence")
        return int(seq["count"]) if seq else None

    def expand(template_name: str, count: int | None, limit: int | None) -> tuple[list[str], list[str]]:
        """(entry leaves, exit leaves) of a template called with ``count`` items."""
        t = tmpl[template_name]
        if "container" in t:
            g.leaves.add(template_name)
            if count is not None:
                g.counts[template_name] = count
            if limit is not None:
                g.parallelism[template_name] = limit
            g.retries[template_name] = int(t["retryStrategy"]["limit"])
            return [template_name], [template_name]
        if "steps" in t:
            (step,), = t["steps"]
            return expand(step["template"], fan(step) or count, t.get("parallelism", limit))
        tasks = t["dag"]["tasks"]
        inner: dict[str, tuple[list[str], list[str]]] = {}
        for task in tasks:
            inner[task["name"]] = expand(task["template"], fan(task) or count, t.get("parallelism", limit))
        has_children = set()
        for task in tasks:
            for parent in _depends(task.get("depends", "")):
                has_children.add(parent)
                kind = "n_to_n" if template_name != wt["spec"]["entrypoint"] else "all"
                for up in inner[parent][1]:
                    for down in inner[task["name"]][0]:
                        g.edges.add((up, down, kind))
        entries = [leaf for task in tasks if not task.get("depends") for leaf in inner[task["name"]][0]]
        exits = [leaf for task in tasks if task["name"] not in has_children for leaf in inner[task["name"]][1]]
        return entries, exits

    expand(main["name"], None, main.get("parallelism"))
    return g


def lint_findings(out: Path) -> list[Any]:
    """Strict lint findings for every YAML file of the library at ``out`` (deployed names resolvable)."""
    from askflow.lint import lint_documents

    docs: list[tuple[str, int, Any]] = []
    extra: list[dict[str, Any]] = []
    for path in sorted(out.glob("*/*.yaml")):
        obj = yamlio.load_file(path)
        docs.append((str(path), 0, obj))
        if obj["kind"] == "WorkflowTemplate":
            deployed = copy.deepcopy(obj)
            deployed["metadata"]["name"] = f"{obj['metadata']['name']}-{path.stem}"
            extra.append(deployed)
    return list(lint_documents(docs, strict=True, extra_templates=extra))


def crd_problems(out: Path) -> list[str]:
    from tests.support.argo_crds import crd_errors

    problems: list[str] = []
    for path in sorted(out.glob("*/*.yaml")):
        problems += [f"{path}: {e}" for e in crd_errors(yamlio.load_file(path))]
    return problems


def codes(run: Run, job: str | None = None) -> set[str]:
    return {e.code for r in run.results if job is None or r.plan.name == job for e in r.plan.report.entries}


def entries(run: Run, code: str) -> list[Any]:
    return [e for r in run.results for e in r.plan.report.entries if e.code == code]


def evaluate(expression: str, exit_code: str, status: str = "Failed", message: str = "", duration: str = "1.5") -> bool:
    """Evaluate a converted ``retryStrategy.expression`` for one failure, as Argo's expr would.

    Only the subset the converter emits: ``lastRetry.exitCode``/``lastRetry.status``/``lastRetry.message``,
    ``asFloat(lastRetry.duration)`` (Argo passes the duration as ``fmt.Sprint(seconds)``, e.g. "600.25"),
    ``==``, ``>=``, ``in [...]``, ``matches '<regex>'``, ``!``, ``&&``, ``||``, parentheses, ``true``/``false``.
    """
    py = expression.replace("asFloat(lastRetry.duration)", "float(duration)")
    py = re.sub(r"(lastRetry\.\w+) matches ('[^']*')", r"_match(\2, \1)", py)
    py = py.replace("lastRetry.exitCode", "code").replace("lastRetry.status", "status")
    py = py.replace("lastRetry.message", "message")
    py = py.replace("&&", " and ").replace("||", " or ").replace("!(", " not (")
    py = re.sub(r"\btrue\b", "True", re.sub(r"\bfalse\b", "False", py))
    scope = {"code": exit_code, "status": status, "message": message, "duration": duration, "float": float,
             "_match": lambda p, s: re.search(p, s) is not None}
    return bool(eval(py, {"__builtins__": {}}, scope))  # noqa: S307 - test helper over converter output
