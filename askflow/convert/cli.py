"""``askflow convert``: batch job definitions -> versioned WorkflowTemplates with migration reports.

Every input file is read, like a linter's: a file that cannot be read or is not a definition of any
known format, and a definition that cannot be converted (a malformed field, a dependency cycle, a
SubmitJob pipeline whose job definition failed in another file), is reported on one line,
``file:line:column: [json.path:] not converted: why``, and the other files are converted all the same;
nothing is written for what failed. The JSON report lists them under ``unreadable`` and ``malformed``.

Exit codes: 0 every job converted (approximations and dropped fields are reported, not errors);
1 some job or file could not be converted (the others are still written); 2 a usage error (a path
that does not exist, a folder without definitions, a bad --name) or no input file could be read
(nothing written).

Output: stdout has what the run did (each file's detected format, the summary table, where it
wrote); stderr has only what went wrong: the one error line of exit 2 and nothing else, or one
"not converted" line per job of exit 1 (and, on a terminal, the progress bar). With ``--json -``
stdout has the JSON report alone, and what the run did goes to stderr (:mod:`askflow.jsonout`).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from askflow import jsonout, yamlio
from askflow.convert.codes import CODES
from askflow.convert.detect import FORMATS, discover, read_definitions
from askflow.convert.engine import Failure, Run, failure, plan_run
from askflow.convert.report import counts
from askflow.convert.writer import check_json
from askflow.errors import AskflowError
from askflow.library.model import LOCK_FILE
from askflow.lint.positions import Positions
from askflow.substrate import CLUSTER_KINDS, ENGINES

#: More jobs than this get a progress bar (on a terminal).
HANDFUL = 5


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "convert",
        help="convert AWS Batch, BatchCompute or Kubernetes Job/CronJob definitions into WorkflowTemplates",
        description="Convert batch job definitions (files or folders, JSON or YAML) into new versions of "
                    "WorkflowTemplates in a template library (DIR/<name>/v<N>.yaml, cron-<schedule>.yaml for "
                    "scheduled jobs) with a migration report beside each (v<N>.migration.md). Every file is "
                    "read: one that cannot be is reported and the others are converted.",
    )
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="definition files or folders (recursive)")
    parser.add_argument("--from", dest="source_format", choices=FORMATS,
                        help="the inputs' format (default: detect it per file; the output says which)")
    parser.add_argument("--name", help="template name for the job (one job only)")
    parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="the template library folder")
    jsonout.add_argument(parser, "every job's report, and every input that could not be converted, also")
    parser.add_argument("--cluster-kind", choices=CLUSTER_KINDS, default="ack-pro-eci",
                        help="the cluster.kind the templates will run on (default ack-pro-eci): on acs, ECI "
                             "annotations become ACS compute-class and QoS labels or are reported as dropped")
    parser.add_argument("--engine", choices=ENGINES, default="self-managed",
                        help="the argo.engine the templates will run on (default self-managed): on ack-one each "
                             "report says which of askflow's workflow defaults the template must set itself")
    parser.set_defaults(func=run)


class _Bar:
    """A rich progress bar on stderr, shown only on a terminal and for more than a handful of jobs."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.progress: Progress | None = None
        self.task: Any = None

    def start(self, total: int) -> None:
        if total > HANDFUL and self.console.is_terminal:
            self.progress = Progress(TextColumn("converting"), BarColumn(), MofNCompleteColumn(),
                                     TimeElapsedColumn(), console=self.console, transient=True)
            self.progress.start()
            self.task = self.progress.add_task("convert", total=total)

    def advance(self, _: str, share: float = 1.0) -> None:
        if self.progress is not None:
            self.progress.advance(self.task, share)

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()


def summary_table(result: Run) -> Table:
    table = Table(title="askflow convert", title_justify="left")
    for column in ("job", "source", "status", "version", "mapped", "approx.", "not conv."):
        numeric = column in ("version", "mapped", "approx.", "not conv.")
        table.add_column(column, justify="right" if numeric else "left", overflow="fold", no_wrap=numeric)
    total = {"mapped": 0, "approximated": 0, "not-converted": 0}
    for r in result.results:
        c = counts(r.plan.report.entries)
        for k in total:
            total[k] += c[k]
        src = r.plan.source
        # Text cells: a file name is data, not Rich markup ("[x]") or emoji codes (":x:")
        table.add_row(Text(r.plan.name), Text(f"{Path(src.file).name}" + (f"#{src.doc + 1}" if src.doc else "")),
                      Text("converted") if r.converted else Text("not converted", style="red"),
                      f"v{r.version}" if r.version else "-", str(c["mapped"]), str(c["approximated"]),
                      str(c["not-converted"]))
    done = sum(r.converted for r in result.results)
    table.add_section()
    table.add_row(f"{done}/{len(result.results)} converted", "", "", "", str(total["mapped"]),
                  str(total["approximated"]), str(total["not-converted"]))
    return table


@dataclass
class _BatchRun(Run):
    """A run plus the input files that could not be read: they are in the JSON report too."""

    unreadable: list[Failure] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.unreadable else super().exit_code

    def report(self) -> dict[str, Any]:
        data = super().report()
        data["unreadable"] = [f.json() for f in self.unreadable]
        return data


def readable_inputs(inputs: list[str], source_format: str | None) -> tuple[list[Path], list[Failure]]:
    """(files that hold definitions, one failure per file that cannot be read or holds none). A path that
    does not exist or a folder without definition files is a usage error (AskflowError, exit 2)."""
    good: list[Path] = []
    bad: list[Failure] = []
    positions = Positions()
    for file in discover(inputs):
        try:
            read_definitions([file], source_format)
        except AskflowError as exc:
            bad.append(failure(exc, file, 0, positions))
        else:
            good.append(file)
    return good, bad


def check_library(result: Run) -> None:
    """Refuse (exit 2, before anything is written) a run that would add a version to a library
    template ``askflow convert`` did not create (its folder has no ``v<N>.migration.md``), or write a
    version identical to the one before it (the same input converted again)."""
    from askflow.convert.build import render_template
    from askflow.library.lock import read_lock

    lock_path = result.out / LOCK_FILE
    recorded = read_lock(lock_path) if lock_path.is_file() else {}
    for r in result.results:
        if not r.converted or not r.version or r.version < 2:
            continue
        name, folder = r.plan.name, result.out / r.plan.name
        if not any(folder.glob("v*.migration.md")):
            raise AskflowError(
                f"job {name!r} is named like the library template {folder} that askflow convert did not create; "
                f"convert it under another name (--name {name}-converted, one job at a time) or rename the job",
                file=r.plan.source.file,
            )
        previous = folder / f"v{r.version - 1}.yaml"
        if previous.is_file() and \
                previous.read_text(encoding="utf-8") == yamlio.dumps(render_template(r.plan, r.version - 1)):
            state = "released" if f"{name}-v{r.version - 1}" in recorded else \
                f"a draft (release it with `askflow workflows lock {name}-v{r.version - 1}`)"
            raise AskflowError(
                f"{name}-v{r.version - 1} was converted from the same input and is {state}; a copy would be "
                "a duplicate version: change the input to convert it again",
                file=r.plan.source.file,
            )


def run(args: argparse.Namespace) -> int:
    err = Console(stderr=True, highlight=False)
    bar = _Bar(err)

    # Shown with the summary once the run has written its files: a run that fails (exit 2) prints its one
    # error line and nothing else
    detections: list[str] = []

    def detected(file: str, labels: list[str]) -> None:
        detections.append(f"{file}: detected {', '.join(labels)}")

    # --json -: the report goes to standard output once the run is over (jsonout)
    report = None if args.json_path is None or jsonout.to_stdout(args.json_path) else Path(args.json_path)
    if report is not None:
        check_json(report)  # before the conversion, not after it
    good, bad = readable_inputs(args.inputs, args.source_format)
    if not good:
        for item in bad:  # nothing could be read: these lines are all there is to say; nothing written
            print(f"{item.where()} {item.message}", file=sys.stderr)
        if jsonout.to_stdout(args.json_path):
            jsonout.write(args.json_path, _BatchRun(args.out, [], [], bad).report_text())
        return 2
    try:
        planned = plan_run([str(p) for p in good], args.out, source_format=args.source_format, name=args.name,
                          cluster_kind=args.cluster_kind, engine=args.engine, keep_going=True,
                          unreadable=[f.file for f in bad],
                          on_detect=detected, progress=bar.advance, on_total=bar.start)
    finally:
        bar.stop()
    check_library(planned)
    result = _BatchRun(planned.out, planned.results, planned.failures, bad)
    result.write(report)
    if jsonout.to_stdout(args.json_path):
        jsonout.write(args.json_path, result.report_text())
    for item in [*bad, *result.failures]:
        print(f"{item.where()} not converted: {item.message}", file=sys.stderr)
    for r in result.results:
        if not r.converted:
            blocking = [e for e in r.plan.report.entries if CODES[e.code].blocking]
            why = "; ".join(f"{e.code}: {e.message}" for e in blocking) or "not converted"
            print(f"{r.plan.source.file}: {r.plan.name}: not converted: {why}", file=sys.stderr)
    out = Console(highlight=False, emoji=False, width=max(100, Console().width))
    for line in detections:
        out.print(line, markup=False, soft_wrap=True)
    out.print(summary_table(result))
    written = sum(1 for r in result.results if r.converted)
    out.print(f"{written} template version(s) written to {args.out}/"
              + (f"; JSON report: {report}" if report else ""), markup=False, soft_wrap=True)
    return result.exit_code

