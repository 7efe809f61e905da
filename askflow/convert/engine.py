"""One conversion run: read every input, convert every job, render every file, then write them all.

Everything is validated and rendered in memory before anything is written, so a run that fails
(exit 2: unreadable or malformed input) writes nothing, and a run that succeeds writes each file
atomically. Output is deterministic: the same inputs give byte-identical files and JSON report.

With ``keep_going`` (what ``askflow convert`` does), a definition that reads but cannot be
converted (a malformed field, a dependency cycle) does not stop the run: it becomes a
:class:`Failure` at its file, line and column, and the other jobs are converted. A SubmitJob
pipeline whose job definition failed, or may be in an input that could not be read, fails too,
pointing at its ``jobDefinition``: converted without it, it would become a template with the
image as a parameter, a different template than the one the fixed input gives. Nothing is written
for a job that failed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from askflow import yamlio
from askflow.convert import aws_batch, batchcompute, kubernetes
from askflow.convert.build import render_crons, render_template
from askflow.convert.detect import discover, read_definitions
from askflow.convert.model import Found, JobPlan
from askflow.convert.naming import MAX_TEMPLATE_NAME, Allocator, template_name
from askflow.convert.report import job_json, render_markdown, run_json
from askflow.convert.substrate import adapt, adapt_engine
from askflow.convert.writer import check_out, check_report, existing_crons, new_library_lock, next_version
from askflow.errors import AskflowError
from askflow.files import write_all
from askflow.library.lock import dumps_lock
from askflow.lint.positions import Positions
from askflow.substrate import ClusterKind, Engine

#: Called with a job's file and the share of its work just done (0.5 when converted, 0.5 when rendered).
Progress = Callable[[str, float], None]


@dataclass
class JobResult:
    """A converted (or not converted) job and the files it produces."""

    plan: JobPlan
    version: int | None = None
    template: dict[str, Any] | None = None
    crons: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    #: Output path -> content, in the order they are listed in the report.
    files: dict[Path, str] = field(default_factory=dict)

    @property
    def converted(self) -> bool:
        return self.plan.converted and self.template is not None

    def json(self) -> dict[str, Any]:
        return job_json(self.plan, self.version, [str(p) for p in self.files])


@dataclass(frozen=True)
class Failure:
    """An input that could not be converted, where it is (line and column from its YAML or JSON
    node; 1:1 for a whole file) and why."""

    file: str
    line: int
    column: int
    path: str
    message: str

    def json(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column, "path": self.path,
                "message": self.message}

    def where(self) -> str:
        """``file:line:column:`` and, when known, `` json.path:``."""
        return f"{self.file}:{self.line}:{self.column}:" + (f" {self.path}:" if self.path else "")


def failure(exc: AskflowError, file: str | Path, doc: int = 0, positions: Positions | None = None) -> Failure:
    """``exc`` as a :class:`Failure`: its own line and column (a syntax error) or those of the node
    its path names in document ``doc`` of its file (else the file's first line)."""
    where = exc.file or str(file)
    path = exc.path or ""
    if exc.line_no:
        line, column = exc.line_no, exc.column or 1
    elif path.startswith("document "):  # a document of a multi-document file, numbered from 1
        line, column = (positions or Positions()).of(where, int(path.split()[1]) - 1, "")
    else:
        line, column = (positions or Positions()).of(where, doc, path)
    return Failure(where, line, column, "" if path.startswith("document ") and not exc.line_no else path,
                   " ".join(exc.message.split()))


@dataclass
class Run:
    out: Path
    results: list[JobResult]
    #: Definitions that were read but could not be converted (only with ``keep_going``).
    failures: list[Failure] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0: every job converted (warnings allowed); 1: some job could not be converted."""
        return 0 if all(r.converted for r in self.results) and not self.failures else 1

    def report(self) -> dict[str, Any]:
        data = run_json([r.json() for r in self.results])
        data["malformed"] = [f.json() for f in self.failures]
        return data

    def report_text(self) -> str:
        return yamlio.dumps_json(self.report())

    def files(self) -> dict[Path, str]:
        out: dict[Path, str] = {}
        for r in self.results:
            out.update(r.files)
        return out

    def write(self, json_report: Path | None = None) -> None:
        files = self.files()
        lock = new_library_lock(self.out)
        if lock is not None and files:
            files[lock] = dumps_lock({})
        if json_report is not None:
            check_report(json_report, self.out, files)
            files[json_report] = self.report_text()
        write_all(files)


def _convert(found: Found, ctx: aws_batch.Context, name: str | None) -> JobPlan:
    if found.format == "aws-batch":
        return aws_batch.convert(found, ctx, name)
    if found.format == "batchcompute":
        return batchcompute.convert(found, name)
    return kubernetes.convert(found, name)


def _deduplicate(plans: Sequence[JobPlan]) -> None:
    names = Allocator()
    for plan in plans:
        unique = names.take(plan.name, MAX_TEMPLATE_NAME)
        if unique != plan.name:
            plan.report.add("NAME_DEDUPLICATED", plan.source.path, f"another job of this run is also named "
                            f"{plan.name!r}: this one is {unique!r}")
            plan.name = unique


def plan_run(inputs: Sequence[str | Path], out: str | Path, *, source_format: str | None = None,
             name: str | None = None, on_detect: Callable[[str, list[str]], None] | None = None,
             progress: Progress | None = None, on_total: Callable[[int], None] | None = None,
             cluster_kind: ClusterKind = "ack-pro-eci", keep_going: bool = False,
             unreadable: Sequence[str] = (), engine: Engine = "self-managed") -> Run:
    """Convert ``inputs`` for the library at ``out`` without writing; AskflowError (exit 2) for bad input.
    ``cluster_kind`` is the substrate the templates will run on (askflow.convert.substrate). With
    ``keep_going``, a definition that cannot be converted is a :class:`Failure` of the run instead;
    ``unreadable`` names input files left out because they could not be read."""
    out = Path(out)
    check_out(out)
    files = discover(inputs)
    found = read_definitions(files, source_format, on_detect)
    if name is not None:
        if template_name(name) != name:
            raise AskflowError(f"--name {name!r} is not a template name (lower-case letters, digits and '-', at most "
                               f"{MAX_TEMPLATE_NAME} characters, not ending in -v<N>); try {template_name(name)!r}")
        if len(found) > 1:
            raise AskflowError(f"--name names one job, but the inputs hold {len(found)}; convert them one at a time "
                               "or drop --name")
    if on_total is not None:
        on_total(len(found))
    ctx = aws_batch.Context.of(found, unreadable)
    converted: dict[int, JobPlan] = {}
    failed: dict[int, Failure] = {}
    positions = Positions()
    # Pipelines last: whether the job definitions they run converted is known by then.
    for i in sorted(range(len(found)), key=lambda i: found[i].kind == aws_batch.PIPELINE):
        f = found[i]
        try:
            plan = _convert(f, ctx, name)
        except AskflowError as exc:
            if not keep_going:
                raise
            failed[i] = failure(exc, f.file, f.doc, positions)
            ctx.broken[id(f)] = failed[i]
        else:
            adapt(plan, cluster_kind)
            adapt_engine(plan, engine)
            converted[i] = plan
        if progress is not None:
            progress(f.file, 0.5 if i in converted else 1.0)
    plans = [converted[i] for i in range(len(found)) if i in converted]
    _deduplicate(plans)
    taken_crons = existing_crons(out)
    cron_names = Allocator()
    results: list[JobResult] = []
    for plan in plans:
        result = JobResult(plan)
        results.append(result)
        if progress is not None:
            progress(plan.source.file, 0.5)
        if not plan.converted:
            continue
        for cron in plan.crons:
            owner = taken_crons.get(cron.name)
            if owner is not None and owner != plan.name or cron.name in cron_names.used:
                unique = cron_names.take(f"{cron.name}-{plan.name}" if cron.name != plan.name else f"{cron.name}-2", 52)
                plan.report.add("NAME_DEDUPLICATED", plan.source.path, f"a CronWorkflow named {cron.name!r} already "
                                f"exists in the library or this run: this one is {unique!r}")
                cron.name = unique
            else:
                cron_names.used.add(cron.name)
        folder = out / plan.name
        result.version = next_version(folder)
        result.template = render_template(plan, result.version)
        result.crons = render_crons(plan, result.version)
        template_path = folder / f"v{result.version}.yaml"
        report_path = folder / f"v{result.version}.migration.md"
        result.files[template_path] = yamlio.dumps(result.template)
        for cron_name, cron_doc in result.crons:
            result.files[folder / f"cron-{cron_name}.yaml"] = yamlio.dumps(cron_doc)
        names = [p.name for p in result.files] + [report_path.name]
        result.files[report_path] = render_markdown(plan, result.version, names)
    return Run(out, results, [failed[i] for i in sorted(failed)])
