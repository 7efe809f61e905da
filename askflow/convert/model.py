"""The converter's intermediate form: a job as a graph of tasks, and the report entries about it.

Each source format (``aws_batch``, ``batchcompute``, ``kubernetes``) turns a definition into a
:class:`JobPlan`: leaf container templates (:class:`Task`) with their fan-out and dependencies,
workflow parameters, spec fields and :class:`Entry` report lines. :mod:`askflow.convert.build`
turns a plan into an Argo `WorkflowTemplate
<https://argo-workflows.readthedocs.io/en/latest/workflow-templates/>`_ (a ``dag`` entrypoint named
``main``) and, for scheduled jobs, a `CronWorkflow
<https://argo-workflows.readthedocs.io/en/latest/cron-workflows/>`_.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from askflow.convert.codes import CODES, Severity
from askflow.errors import format_path

PathParts = Sequence[str | int]

#: The platform's per-tenant workflow service account (argo-helm ``workflow.serviceAccount`` name).
PLATFORM_SERVICE_ACCOUNT = "argo-workflow"
#: Name of the DAG entrypoint every converted template has.
ENTRYPOINT = "main"
#: Name of the leaf input parameter that receives a fan-out index (``{{item}}``).
INDEX_PARAM = "index"
#: How a leaf template reads its index.
INDEX_REF = "{{inputs.parameters." + INDEX_PARAM + "}}"


def workflow_parameter(name: str) -> str:
    """``{{workflow.parameters.<name>}}``."""
    return "{{workflow.parameters." + name + "}}"


def input_parameter(name: str) -> str:
    """``{{inputs.parameters.<name>}}``."""
    return "{{inputs.parameters." + name + "}}"


@dataclass(frozen=True)
class Source:
    """Where a definition came from: file, document index in the file, JSON path inside it."""

    file: str
    doc: int
    format: str  # "aws-batch" | "batchcompute" | "k8s"
    kind: str  # e.g. "job definition", "SubmitJob pipeline", "DAG job", "Job", "CronJob"
    #: JSON path of the definition inside the document (empty: the document itself).
    parts: tuple[str | int, ...] = ()

    @property
    def path(self) -> str:
        return format_path(self.parts)


@dataclass(frozen=True)
class Found:
    """One definition found in a document of an input file: its format, what it is, and where."""

    file: str
    doc: int
    format: str
    kind: str
    parts: tuple[str | int, ...]
    data: Any

    @property
    def source(self) -> Source:
        return Source(self.file, self.doc, self.format, self.kind, self.parts)


@dataclass(frozen=True)
class Entry:
    """One report line: a stable code, its severity, the source JSON path, and what happened."""

    code: str
    path: str
    message: str
    #: Where it went in the output (an Argo JSON path), when it went somewhere.
    target: str = ""

    @property
    def severity(self) -> Severity:
        return CODES[self.code].severity

    def to_json(self) -> dict[str, str]:
        out = {"code": self.code, "severity": self.severity, "path": self.path, "message": self.message}
        if self.target:
            out["target"] = self.target
        return out


class Reporter:
    """Collects :class:`Entry` lines for one job; paths are relative to a base JSON path."""

    def __init__(self, base: PathParts = (), prefix: str = "", entries: list[Entry] | None = None,
                 seen: set[Entry] | None = None) -> None:
        self.base: tuple[str | int, ...] = tuple(base)
        #: Put before every path: the file, when an entry is about another file than the job's own.
        self.prefix = prefix
        self.entries: list[Entry] = [] if entries is None else entries
        self._seen: set[Entry] = set(self.entries) if seen is None else seen

    def child(self, base: PathParts, prefix: str = "") -> Reporter:
        """A reporter with another base path (and file prefix) adding to the same entries."""
        return Reporter(base, prefix, self.entries, self._seen)

    def add(self, code: str, path: PathParts | str, message: str, target: str = "") -> None:
        if code not in CODES:  # a programming error, caught by the tests
            raise KeyError(f"undocumented report code {code}")
        if isinstance(path, str):
            rendered = path
        else:
            rendered = format_path((*self.base, *path))
        if self.prefix:
            rendered = f"{self.prefix}: {rendered}" if rendered else self.prefix
        entry = Entry(code, rendered, message, target)
        if entry not in self._seen:  # the same fact reported twice (e.g. per fused task) counts once
            self._seen.add(entry)
            self.entries.append(entry)

    def rewrite_paths(self, rewrite: Callable[[str], str]) -> None:
        """Every entry's path through ``rewrite`` (a definition read from another spelling, such as
        CloudFormation's, reports the paths its file has)."""
        entries = [dataclasses.replace(e, path=rewrite(e.path)) for e in self.entries]
        self.entries[:] = []
        self._seen.clear()
        for entry in entries:
            if entry not in self._seen:
                self._seen.add(entry)
                self.entries.append(entry)

    @property
    def blocked(self) -> bool:
        return any(CODES[e.code].blocking for e in self.entries)


@dataclass(frozen=True)
class Dep:
    """An upstream task of a :class:`Task`."""

    task: str
    #: AWS Batch N_TO_N: child i waits for child i of ``task`` (both are fanned out over the same count).
    n_to_n: bool = False
    #: Run even when ``task`` failed (BatchCompute JobFailOnInstanceFail: false).
    tolerate_failure: bool = False
    #: Source JSON path of the dependency, for the report.
    path: str = field(default="", compare=False)


@dataclass
class Task:
    """One DAG task and the leaf template it runs (the template body, without its name)."""

    name: str
    template: dict[str, Any]
    #: Arguments the DAG passes: ``[{"name": ..., "value": ...}]``.
    arguments: list[dict[str, str]] = field(default_factory=list)
    #: Fan-out: run ``count`` items (``withSequence``); the leaf reads the index from input ``index``.
    count: int | None = None
    #: Run the items one at a time, in order (AWS SEQUENTIAL).
    sequential: bool = False
    #: Maximum items at once (Kubernetes parallelism).
    parallelism: int | None = None
    depends: list[Dep] = field(default_factory=list)
    #: Worst case of one item, for the default workflow deadline: attempt timeout x attempts.
    worst_seconds: int = 0


@dataclass
class CronPlan:
    """A CronWorkflow for a scheduled job; ``spec`` is everything but ``workflowSpec``."""

    name: str
    spec: dict[str, Any]
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)


@dataclass
class JobPlan:
    """Everything needed to write one job as a template version, or to say why it was not converted."""

    name: str
    source: Source
    report: Reporter
    tasks: list[Task] = field(default_factory=list)
    #: ``spec.arguments.parameters``: what a submitter supplies (``value`` is the default).
    parameters: list[dict[str, str]] = field(default_factory=list)
    service_account: str = PLATFORM_SERVICE_ACCOUNT
    #: Whole-workflow deadline from the source; None = use the default.
    deadline: int | None = None
    #: Extra ``spec`` fields (ttlStrategy, suspend, workflowMetadata, imagePullSecrets, ...).
    spec: dict[str, Any] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    crons: list[CronPlan] = field(default_factory=list)
    #: Extra Markdown for the report (e.g. the resource-template alternative for a Kubernetes Job).
    notes: list[str] = field(default_factory=list)
    #: The name as the source spells it (before sanitising), for the report.
    source_name: str = ""
    #: What the source had for a parameter without a default (e.g. the unpinned image), for CronWorkflows.
    source_values: dict[str, str] = field(default_factory=dict)

    @property
    def converted(self) -> bool:
        return not self.report.blocked

    def add_parameter(self, name: str, *, value: str | None = None, description: str = "") -> str:
        """Declare a workflow parameter once; returns the ``{{workflow.parameters.x}}`` reference."""
        if not any(p["name"] == name for p in self.parameters):
            param: dict[str, str] = {"name": name}
            if value is not None:
                param["value"] = value
            if description:
                param["description"] = description
            self.parameters.append(param)
        return workflow_parameter(name)
