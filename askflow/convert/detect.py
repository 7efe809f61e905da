"""Find, read and recognise definition files.

Inputs are files or folders (searched recursively for ``*.json``, ``*.yaml``, ``*.yml``, and ``*.tf``
files that declare ``aws_batch_job_definition``; hidden files and folders, ``.terraform/`` among them,
are skipped). A ``.json`` file is parsed as JSON (duplicate keys and truncation are
errors), anything else as YAML (multi-document). Each document is recognised by its shape:

======================  =================================================================
format                  recognised by
======================  =================================================================
``aws-batch``           ``jobDefinitionName`` (RegisterJobDefinition / one of
                        DescribeJobDefinitions' ``jobDefinitions``); ``jobName`` +
                        ``jobDefinition`` (a SubmitJob body or a DescribeJobs job detail) or a
                        list of them (a pipeline; DescribeJobs' ``jobs`` is one);
                        ``jobQueueName`` (a job queue, reported: not a job); CloudFormation
                        ``AWS::Batch::JobDefinition`` resources; a ``.tf`` file declaring
                        ``aws_batch_job_definition`` resources (read offline: see
                        :mod:`askflow.convert.terraform`)
``batchcompute``        ``Name`` + ``Type``/``DAG`` (API 2015-11-11), ``JobName`` +
                        ``TaskDag`` (legacy 2015-06-30), or a list of them
``k8s``                 ``apiVersion: batch/*`` and ``kind: Job`` or ``CronJob`` (also inside a
                        ``kind: List``); other Kubernetes kinds beside them are skipped
======================  =================================================================
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from askflow import yamlio
from askflow.convert import cloudformation, kubernetes, terraform
from askflow.convert.model import Found
from askflow.errors import AskflowError

FORMATS = ("aws-batch", "batchcompute", "k8s")
EXTENSIONS = (".json", ".yaml", ".yml")
KNOWN = ("an AWS Batch job definition, SubmitJob list or job queue; an Alibaba BatchCompute job; "
         "a Kubernetes Job or CronJob")


def discover(inputs: Sequence[str | Path]) -> list[Path]:
    """Every definition file named by ``inputs`` (folders recursively), in a stable order, without repeats."""
    files: list[Path] = []
    seen: set[Path] = set()
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and _in_folder(p)
                           and not any(part.startswith(".") for part in p.relative_to(path).parts))
            if not found:
                raise AskflowError(f"no {', '.join('*' + e for e in EXTENSIONS)} files (nor *.tf files declaring "
                                   f"{terraform.RESOURCE}) in this folder", file=str(path))
        elif path.is_file():
            found = [path]
        else:
            raise AskflowError(_not_readable(path), file=str(path))
        for p in found:
            key = p.resolve()
            if key not in seen:
                seen.add(key)
                files.append(p)
    return files


def _in_folder(path: Path) -> bool:
    """Whether a file found in a folder is an input: every JSON and YAML file, and those Terraform files
    that declare aws_batch_job_definition (a Terraform folder's other files - network, IAM - hold no job)."""
    suffix = path.suffix.lower()
    if suffix in EXTENSIONS:
        return True
    if suffix in terraform.SUFFIXES:
        try:
            return terraform.declares_job_definitions(path.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            return True  # unreadable: named as an input, so that reading it reports why
    return False


def _not_readable(path: Path) -> str:
    """Why ``path``, neither a folder nor a regular file, is no input."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        if path.is_symlink():
            return f"is a broken symbolic link (to {os.readlink(path)}); give a definition file or a folder"
        return "no such file or folder"
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc}); check the path and its permissions"
    kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a special file")
    return f"is {kind}, not a regular file; save the definition to a file and give that"


def load_documents(path: Path) -> list[Any]:
    """The documents of one file (JSON: one; YAML: every non-empty document)."""
    text = yamlio.read_text(path)
    if not text.strip():
        raise AskflowError("is empty; expected a job definition", file=str(path))
    if path.suffix.lower() == ".json":
        return [yamlio.loads_json(text, str(path))]
    if cloudformation.looks_like_cloudformation(text):
        return cloudformation.load(text, str(path))  # !Ref, !Sub and the other short forms
    return yamlio.loads_all(text, str(path))


def _terraform(path: Path) -> list[Found] | None:
    """The aws_batch_job_definition resources of a Terraform file (None for any other file)."""
    if path.suffix.lower() not in terraform.SUFFIXES:
        return None
    text = yamlio.read_text(path)
    if not terraform.declares_job_definitions(text):
        raise AskflowError("is a Terraform file without aws_batch_job_definition; askflow reads Terraform only for "
                           "the job definitions it declares", file=str(path))
    return [Found(str(path), 0, "aws-batch", "Terraform job definition", (terraform.RESOURCE, d.label), d)
            for d in terraform.read(text, str(path))]


def _aws_kind(doc: dict[str, Any]) -> str | None:
    if "jobDefinitionName" in doc:
        return "job definition"
    if "jobName" in doc and "jobDefinition" in doc:
        return "SubmitJob pipeline"
    if "jobQueueName" in doc:
        return "job queue"
    return None


def _batchcompute_kind(doc: dict[str, Any]) -> str | None:
    if "JobName" in doc and ("TaskDag" in doc or "TaskDescMap" in doc):
        return "legacy DAG job"
    if "Name" in doc and any(k in doc for k in ("DAG", "Type", "App")):
        return "App job" if doc.get("Type") == "App" else "DAG job"
    return None


def recognise(doc: Any) -> list[tuple[str, str, tuple[str | int, ...], Any]]:
    """``[(format, kind, JSON path, definition)]`` for one document; empty when nothing is recognised."""
    if isinstance(doc, dict):
        if kubernetes.is_kubernetes(doc):
            return [("k8s", kubernetes.describe(doc), (), doc)]
        if doc.get("kind") == "List" and isinstance(doc.get("items"), list):
            return [("k8s", kubernetes.describe(item), ("items", i), item)
                    for i, item in enumerate(doc["items"]) if kubernetes.is_kubernetes(item)]
        definitions = cloudformation.job_definitions(doc)
        if definitions:
            return [("aws-batch", "CloudFormation job definition", ("Resources", logical, "Properties"),
                     (logical, props)) for logical, props in definitions]
        jobs = doc.get("jobs")
        if isinstance(jobs, list) and jobs and len(doc) <= 2 and all(
                isinstance(j, dict) and _aws_kind(j) == "SubmitJob pipeline" for j in jobs):
            # DescribeJobs output: the same job details a single one is, read as one pipeline
            return [("aws-batch", "SubmitJob pipeline", ("jobs",), jobs)]
        for key, kind in (("jobDefinitions", "job definition"), ("jobQueues", "job queue")):
            if isinstance(doc.get(key), list) and len(doc) <= 2:  # Describe* output (+ nextToken)
                return [("aws-batch", kind, (key, i), item) for i, item in enumerate(doc[key])
                        if isinstance(item, dict) and _aws_kind(item) == kind]
        aws = _aws_kind(doc)
        if aws:
            return [("aws-batch", aws, (), [doc] if aws == "SubmitJob pipeline" else doc)]
        bc = _batchcompute_kind(doc)
        if bc:
            return [("batchcompute", bc, (), doc)]
    if isinstance(doc, list) and doc and all(isinstance(d, dict) for d in doc):
        if all(_aws_kind(d) == "SubmitJob pipeline" for d in doc):
            return [("aws-batch", "SubmitJob pipeline", (), doc)]
        kinds = [_batchcompute_kind(d) for d in doc]
        if all(kinds):
            return [("batchcompute", str(k), (i,), d) for i, (k, d) in enumerate(zip(kinds, doc, strict=True))]
    return []


def read_definitions(files: Sequence[Path], source_format: str | None = None,
                     on_detect: Callable[[str, list[str]], None] | None = None) -> list[Found]:
    """Every definition in ``files``; AskflowError (exit 2) for a file that holds none or the wrong format."""
    out: list[Found] = []
    for path in files:
        file = str(path)
        terraform = _terraform(path)
        if terraform is not None:
            if source_format and source_format != "aws-batch":
                raise AskflowError(f"is aws-batch (Terraform job definition), not --from {source_format}", file=file)
            out.extend(terraform)
            continue
        docs = load_documents(path)
        found: list[Found] = []
        skipped: list[str] = []
        for i, doc in enumerate(docs):
            where = f"document {i + 1}" if len(docs) > 1 else None
            hits = recognise(doc)
            if not hits:
                if isinstance(doc, dict) and "apiVersion" in doc and "kind" in doc and len(docs) > 1:
                    skipped.append(f"document {i + 1} ({doc.get('kind')})")
                    continue
                expected = f"a {source_format} definition" if source_format else KNOWN
                raise AskflowError(f"not a definition of any known format; expected {expected}",
                                   file=file, path=where)
            for fmt, kind, parts, data in hits:
                if source_format and fmt != source_format:
                    raise AskflowError(f"is {fmt} ({kind}), not --from {source_format}", file=file, path=where)
                found.append(Found(file, i, fmt, kind, parts, data))
        if not found:
            raise AskflowError(f"holds no job definition (only {', '.join(skipped)}); expected {KNOWN}", file=file)
        if on_detect is not None and source_format is None:
            labels = sorted({f"{f.format} ({f.kind})" for f in found})
            on_detect(file, labels + [f"skipped {s}" for s in skipped])
        out.extend(found)
    return out
