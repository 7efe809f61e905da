"""Run every check over a set of documents or paths (``askflow lint``).

Like ``argo lint --offline``, every document given is linted and every WorkflowTemplate and
ClusterWorkflowTemplate among them (plus ``extra_templates``) is available to ``templateRef`` and
``workflowTemplateRef``. Documents without ``kind`` are skipped and other kinds ignored, as Argo
does (https://argo-workflows.readthedocs.io/en/latest/cli/argo_lint/).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from askflow import yamlio
from askflow.errors import AskflowError
from askflow.lint import argo, oss, platform, structure
from askflow.lint import libraries as libraries_
from askflow.lint.argo import Holder, Registry, d, text
from askflow.lint.finding import ERROR, RULES, WARNING, Finding
from askflow.lint.libraries import LOCK_FILE
from askflow.lint.positions import Positions

TEMPLATE_KINDS = ("WorkflowTemplate", "ClusterWorkflowTemplate")
SUFFIXES = (".yaml", ".yml", ".json")
CRON_LABEL = "workflows.argoproj.io/cron-workflow"
CRON_ANNOTATION = "workflows.argoproj.io/scheduled-time"


def make_holder(obj: Mapping[str, Any]) -> Holder:
    """The template holder of an Argo object (for a CronWorkflow, its ``spec.workflowSpec``)."""
    kind = text(obj.get("kind"))
    meta = d(obj.get("metadata"))
    spec = d(obj.get("spec"))
    labels = [str(k) for k in d(meta.get("labels"))]
    annotations = [str(k) for k in d(meta.get("annotations"))]
    if kind == "CronWorkflow":
        # common.ConvertCronWorkflowToWorkflow: the workflow gets spec.workflowMetadata's labels and
        # annotations, the cron-workflow label and the scheduled-time annotation.
        wm = d(spec.get("workflowMetadata"))
        labels += [str(k) for k in d(wm.get("labels"))] + [CRON_LABEL]
        annotations += [str(k) for k in d(wm.get("annotations"))] + [CRON_ANNOTATION]
        return Holder(
            kind,
            text(meta.get("name")),
            text(meta.get("namespace")),
            d(spec.get("workflowSpec")),
            "spec.workflowSpec",
            labels,
            annotations,
        )
    return Holder(
        kind, text(meta.get("name")), text(meta.get("namespace")), spec, "spec", labels, annotations
    )


class _Doc:
    __slots__ = ("file", "index", "obj", "kind", "name", "holder", "findings")

    def __init__(self, file: str, index: int, obj: dict[str, Any], kind: str) -> None:
        self.file = file
        self.index = index
        self.obj = obj
        self.kind = kind
        meta = d(obj.get("metadata"))
        self.name = text(meta.get("name")) or text(meta.get("generateName"))
        self.holder = make_holder(obj)
        self.findings: dict[tuple[str, str, str], None] = {}  # (rule, path, message), ordered, unique

    def report(self, rule: str, path: str, message: str) -> None:
        self.findings.setdefault((rule, path or "metadata", " ".join(message.split())), None)


def lint_documents(
    docs: Sequence[tuple[str, int, Any]],
    *,
    strict: bool = False,
    extra_templates: Sequence[Mapping[str, Any]] = (),
    engine: str = "self-managed",
) -> list[Finding]:
    """Findings for parsed documents ``(file, document index, object)``, sorted.

    ``extra_templates`` are further WorkflowTemplate/ClusterWorkflowTemplate objects references may
    resolve to; they are not reported on. With ``strict`` every warning is an error.
    """
    registry = Registry()
    entries: list[_Doc] = []
    for file, index, obj in docs:
        kind = obj.get("kind") if isinstance(obj, dict) else None
        if not isinstance(kind, str) or kind not in structure.KINDS:
            continue  # no kind: skipped; another kind: ignored (as argo lint does)
        doc = _Doc(file, index, obj, kind)
        entries.append(doc)
        for path, rule, message in structure.check_document(obj):
            doc.report(rule, path, message)
        if kind in TEMPLATE_KINDS:
            duplicate = registry.add(doc.holder)
            if duplicate is not None:
                doc.report(
                    "duplicate-template-resource",
                    "metadata.name",
                    f"duplicate {kind} found: {argo.goq(doc.holder.name)}",
                )
    for extra in extra_templates:
        if isinstance(extra, Mapping) and extra.get("kind") in TEMPLATE_KINDS:
            registry.add(make_holder(extra))

    tag_cache: dict[tuple[str, int], list[Any]] = {}
    for doc in entries:
        validator = argo.Validator(registry, doc.report, tag_cache)
        validator.validate_object(doc.obj, doc.holder)
        oss.check(doc.obj, doc.report)
        referenced = None
        ref = doc.holder.spec.get("workflowTemplateRef")
        if isinstance(ref, dict):
            target = registry.get(
                text(ref.get("name")), ref.get("clusterScope") is True, doc.holder.namespace
            )
            referenced = target.spec if target is not None else None
        platform.check(doc.obj, doc.holder.spec, doc.holder.spec_path, referenced, doc.report, engine=engine)

    findings: list[Finding] = []
    for doc in entries:
        semantic_paths = {path for rule, path, _ in doc.findings if RULES[rule].group != "structure"}
        for rule, path, message in doc.findings:
            if rule == "missing-field" and path in semantic_paths:
                continue  # Argo's own message for the same omission is clearer
            severity = RULES[rule].severity
            if strict and severity == WARNING:
                severity = ERROR
            findings.append(Finding(doc.file, doc.index, doc.kind, doc.name, severity, rule, path, message))
    return sorted(findings, key=Finding.sort_key)


def library_root(path: Path) -> Path | None:
    """The nearest folder holding ``versions.lock`` at or above ``path`` (a file or folder), or None.

    A relative path stays relative while its own parents are searched, so findings keep naming
    files the way they were given; above the working folder the search goes on absolutely."""
    start = path if path.is_dir() else path.parent
    for folder in (start, *start.parents):
        if (folder / LOCK_FILE).is_file():
            return folder
    if not start.is_absolute():
        for folder in start.resolve().parents:
            if (folder / LOCK_FILE).is_file():
                return folder
    return None


class Libraries:
    """Template libraries to lint, each once, with the paths inside each the user asked about."""

    def __init__(self) -> None:
        #: resolved root -> (root as given, resolved paths to report on; None: the whole library)
        self.roots: dict[Path, tuple[Path, set[Path] | None]] = {}

    def add(self, root: Path, inside: Path | None) -> None:
        key = root.resolve()
        given, wanted = self.roots.get(key, (root, set()))
        if wanted is None or inside is None or inside.resolve() == key:
            self.roots[key] = (given, None)
        else:
            wanted.add(inside.resolve())
            self.roots[key] = (given, wanted)

    def __iter__(self) -> Iterator[tuple[Path, set[Path] | None]]:
        return iter(self.roots.values())

    def __len__(self) -> int:
        return len(self.roots)


def _wanted(file: str, wanted: set[Path] | None) -> bool:
    if wanted is None:
        return True
    path = Path(file).resolve()
    return any(path == w or w in path.parents for w in wanted)


def discover(paths: Sequence[str]) -> tuple[list[Path], Libraries]:
    """(files to lint, template libraries) for the paths given; folders are walked recursively in
    sorted order, skipping hidden folders. A folder holding ``versions.lock`` is a template library:
    a path inside one (a template folder, a version file) lints that library and reports on the path
    only, so the lock check, ``.py`` versions and references between versions all apply."""
    files: list[Path] = []
    libraries = Libraries()
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise AskflowError("no such file or folder", file=str(raw))
        if not path.is_dir() and not path.is_file():
            raise AskflowError("is neither a file nor a folder", file=str(raw))
        root = library_root(path)
        if root is not None:
            libraries.add(root, path)
        elif path.is_file():
            files.append(path)
        else:
            for here_name, dirs, names in os.walk(path):
                here = Path(here_name)
                if (here / LOCK_FILE).is_file():
                    libraries.add(here, None)
                    dirs[:] = []
                    continue
                dirs[:] = sorted(x for x in dirs if not x.startswith("."))
                files.extend(here / n for n in sorted(names) if n.endswith(SUFFIXES))
    return files, libraries


def load_json(path: Path) -> list[Any]:
    """A JSON file as one document, read strictly (:func:`askflow.yamlio.loads_json`)."""
    return [yamlio.loads_json(yamlio.read_text(path), str(path))]


@dataclass
class LintRun:
    """What ``askflow lint`` checked and found.

    ``files``: files read (template library files included), ``unreadable``: files that could not
    be read or parsed (each an ``unreadable`` finding), ``documents``: Argo documents linted."""

    findings: list[Finding] = field(default_factory=list)
    files: int = 0
    unreadable: int = 0
    documents: int = 0

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == ERROR)

    @property
    def warnings(self) -> int:
        return len(self.findings) - self.errors


def unreadable(exc: AskflowError, file: str) -> Finding:
    """A file that cannot be read or parsed, as an error finding at the position the parser gave
    (the file's first line when it gave none)."""
    return Finding(
        exc.file or file, 0, "", "", ERROR, "unreadable", "", exc.message,
        exc.line_no or 1, exc.column or 1,
    )


_MISSING_VERSION = re.compile(r'couldn\'t find workflow template "([a-z0-9][-a-z0-9]*-v[1-9][0-9]*)"')


def _library_hint(finding: Finding) -> Finding:
    """A reference to ``NAME-vN`` that does not resolve, in files linted without a template
    library: say how to lint them with it (the versions it holds are what such names refer to)."""
    if finding.rule != "undefined-workflow-template":
        return finding
    match = _MISSING_VERSION.search(finding.message)
    if match is None:
        return finding
    library = "workflows" if (Path("workflows") / LOCK_FILE).is_file() else "LIBRARY"
    return replace(finding, message=f"{finding.message}; {match.group(1)} looks like a template library version: "
                   f"lint this file together with the library (askflow lint {finding.file} {library})")


def run_lint(paths: Sequence[str], *, strict: bool = False, engine: str = "self-managed") -> LintRun:
    """Lint files and folders (``*.yaml``, ``*.yml``, ``*.json``, multi-document YAML).

    Every file is read and linted: one that cannot be read or parsed (duplicate keys included) is
    an ``unreadable`` error finding, and so is a template library that does not load; the others
    are linted all the same. A path that does not exist raises :class:`~askflow.errors.AskflowError`
    (a usage error) before anything is read. Every finding is located (``line``/``column``).
    """
    files, libraries = discover(paths)
    if not files and not libraries:
        raise AskflowError(
            "no *.yaml, *.yml or *.json file to lint here; give the files or folders holding the manifests",
            file=" ".join(paths),
        )
    result = LintRun()
    docs: list[tuple[str, int, Any]] = []
    seen: set[Path] = set()
    for file in files:
        key = file.resolve()
        if key in seen:
            continue
        seen.add(key)
        result.files += 1
        try:
            loaded = load_json(file) if file.suffix == ".json" else yamlio.load_all_file(file)
        except AskflowError as exc:
            result.unreadable += 1
            result.findings.append(unreadable(exc, str(file)))
            continue
        for index, obj in enumerate(loaded):
            docs.append((str(file), index, obj))
    result.documents = sum(1 for _, _, o in docs if isinstance(o, dict) and o.get("kind") in structure.KINDS)
    # Files given beside a library may reference its versions (templateRef: etl-v2), as the
    # cluster would resolve them: the library's rendered versions are available, not linted twice.
    extra: list[Any] = []
    library_findings: list[Finding] = []
    for root, wanted in libraries:
        try:
            linter = libraries_.linter(root)
            if docs:
                extra.extend(linter.rendered(root))
            sources = linter.sources(root)
            library_findings.extend(f for f in linter.lint(root, strict=strict, engine=engine) if _wanted(f.file, wanted))
        except AskflowError as exc:  # a library that does not load: its first problem, the rest go on
            result.files += 1
            result.unreadable += 1
            result.findings.append(unreadable(exc, str(root)))
            continue
        wanted_sources = [s for s in sources if _wanted(s, wanted)]
        result.files += len(set(wanted_sources))
        result.documents += len(wanted_sources)
    result.findings.extend(lint_documents(docs, strict=strict, extra_templates=extra, engine=engine))
    result.findings.extend(library_findings)
    if not libraries:
        result.findings = [_library_hint(f) for f in result.findings]
    positions = Positions()
    result.findings = sorted(
        (f if f.line else replace(f, line=(at := positions.of(f.file, f.doc, f.path))[0], column=at[1])
         for f in result.findings),
        key=Finding.sort_key,
    )
    return result


def lint_paths(paths: Sequence[str], *, strict: bool = False, engine: str = "self-managed") -> list[Finding]:
    """The findings of :func:`run_lint`, sorted and located."""
    return run_lint(paths, strict=strict, engine=engine).findings
