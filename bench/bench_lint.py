"""Lint speed: `askflow lint` (structure and semantics) versus check-jsonschema (schema only).

Both sides see the same documents: every Workflow, WorkflowTemplate, ClusterWorkflowTemplate and
CronWorkflow in Argo's v4.1.2 examples (../shared/argo/v4.1.2/examples/), written one document per
JSON file to a temporary folder (check-jsonschema reads one document per file, and JSON is the
cheapest format for it to parse).

Pointing check-jsonschema at the right definition: ``schema.json`` is a definitions bundle whose
root is a ``oneOf`` over five kinds, so ``--schemafile schema.json`` checks every document against
all five. The baseline instead uses a copy of ``schema.json`` whose root dispatches on ``kind``
(``allOf`` of ``if kind == K then $ref #/definitions/io.argoproj.workflow.v1alpha1.K``) and has no
remote ``$id``: each document is validated against its own definition only. The plain-root run is
reported too.

Rows (wall times, best of ``repeat``; ratio < 1 means askflow is faster):

* ``cli``: ``askflow lint --json`` versus ``check-jsonschema --schemafile <dispatching copy>`` over
  the same files, each one process end to end (interpreter start, imports, parsing, checks);
* ``cli-lint-only``: the same with ``python -m askflow.lint.cli``, which skips the imports of the
  other askflow commands (pulumi, rich, settings) that ``askflow`` loads to build its parser;
* ``cli-root-oneOf``: the same, with check-jsonschema given ``schema.json`` as it is;
* ``in-process``: ``lint_documents`` versus check-jsonschema's own validator
  (``SchemaLoader.get_validator``) iterating errors, documents already in memory;
* ``in-process-x5``: the same with the documents five times over (about 1,100), the size of a
  template library linted on every plan.

Nothing is asserted: figures are printed and returned.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("ASKFLOW_SHARED", ROOT.parent / "shared")).resolve()
ARGO = SHARED / "argo" / "v4.1.2"
KINDS = ("ClusterWorkflowTemplate", "CronWorkflow", "Workflow", "WorkflowTemplate")
BIN = Path(sys.executable).parent


def _documents() -> list[dict[str, Any]]:
    """Every Argo object of the examples. The one example with a duplicate key is read last-key-wins
    (askflow's strict loader would refuse it; both tools get the same parsed object here)."""
    docs = []
    for path in sorted(p for p in (ARGO / "examples").rglob("*") if p.suffix in (".yaml", ".yml", ".json")):
        with open(path, encoding="utf-8") as fh:
            for doc in yaml.load_all(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
                if isinstance(doc, dict) and doc.get("kind") in KINDS:
                    docs.append(doc)
    return docs


def _dispatching_schema(folder: Path) -> Path:
    bundle = json.loads((ARGO / "schema.json").read_text(encoding="utf-8"))
    bundle.pop("$id", None)  # resolve #/definitions locally, never over the network
    bundle.pop("oneOf", None)
    bundle.pop("type", None)
    bundle["allOf"] = [
        {
            "if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
            "then": {"$ref": f"#/definitions/io.argoproj.workflow.v1alpha1.{kind}"},
        }
        for kind in KINDS
    ]
    path = folder / "argo-by-kind.schema.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    return path


def _best(repeat: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def _process(argv: list[str]) -> Callable[[], int]:
    def run() -> int:
        return subprocess.run(
            argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
        ).returncode

    return run


def _row(name: str, documents: int, ours: float, theirs: float, **extra: Any) -> dict[str, Any]:
    row = {
        "name": name,
        "documents": documents,
        "askflow_s": round(ours, 4),
        "check_jsonschema_s": round(theirs, 4),
        "ratio": round(ours / theirs, 3),
        **extra,
    }
    print(
        f"lint {name:16} {documents:5} docs  askflow {ours:7.3f}s  check-jsonschema {theirs:7.3f}s  "
        f"ratio {row['ratio']:.2f}",
        flush=True,
    )
    return row


def run(repeat: int = 3) -> list[dict[str, Any]]:
    """Time askflow lint against check-jsonschema on Argo's examples; one row per comparison."""
    if not (ARGO / "schema.json").exists():
        return [{"name": "skipped", "reason": f"{ARGO} is absent (../shared is not beside the repository)"}]
    from check_jsonschema.formats import FormatOptions
    from check_jsonschema.regex_variants import RegexImplementation, RegexVariantName
    from check_jsonschema.schema_loader import SchemaLoader

    from askflow.lint import lint_documents

    docs = _documents()
    rows = []
    with tempfile.TemporaryDirectory(prefix="askflow-bench-lint-") as tmp:
        folder = Path(tmp)
        files = []
        for i, doc in enumerate(docs):
            path = folder / f"doc-{i:03d}.json"
            path.write_text(json.dumps(doc), encoding="utf-8")
            files.append(str(path))
        schema = _dispatching_schema(folder)

        ours_cli, ours_code = _best(repeat, _process([str(BIN / "askflow"), "lint", "--json", "-", *files]))
        theirs_cli, theirs_code = _best(
            repeat, _process([str(BIN / "check-jsonschema"), "--schemafile", str(schema), *files])
        )
        rows.append(
            _row(
                "cli",
                len(docs),
                ours_cli,
                theirs_cli,
                askflow_exit=ours_code,
                check_jsonschema_exit=theirs_code,
            )
        )
        alone, _ = _best(repeat, _process([sys.executable, "-m", "askflow.lint.cli", "--json", "-", *files]))
        rows.append(_row("cli-lint-only", len(docs), alone, theirs_cli))
        root_cli, root_code = _best(
            repeat,
            _process([str(BIN / "check-jsonschema"), "--schemafile", str(ARGO / "schema.json"), *files]),
        )
        rows.append(_row("cli-root-oneOf", len(docs), ours_cli, root_cli, check_jsonschema_exit=root_code))

        regex = RegexImplementation(RegexVariantName.default)
        validator = SchemaLoader(str(schema)).get_validator(
            str(schema), {}, FormatOptions(regex_impl=regex), regex, False
        )

        for name, batch in (("in-process", docs), ("in-process-x5", _times(docs, 5))):
            named = [(f"doc-{i}", 0, doc) for i, doc in enumerate(batch)]
            ours, findings = _best(repeat, lambda named=named: lint_documents(named))
            theirs, schema_errors = _best(
                repeat, lambda batch=batch: sum(1 for doc in batch for _ in validator.iter_errors(doc))
            )
            rows.append(
                _row(
                    name,
                    len(batch),
                    ours,
                    theirs,
                    askflow_findings=len(findings),
                    check_jsonschema_errors=schema_errors,
                )
            )
    return rows


def _times(docs: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    """``docs`` n times over, WorkflowTemplates renamed so that each copy stays distinct."""
    out = []
    for copy_index in range(n):
        for doc in docs:
            doc = copy.deepcopy(doc)
            if doc["kind"] in ("WorkflowTemplate", "ClusterWorkflowTemplate") and copy_index:
                doc["metadata"]["name"] = f"{doc['metadata'].get('name')}-{copy_index}"
            out.append(doc)
    return out


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
