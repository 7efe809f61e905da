"""Read a template library folder into a :class:`~askflow.library.model.Library`.

Layout (everything else is a layout error, reported on one line naming the file)::

    workflows/
      versions.lock                  digests of released versions (askflow.library.lock)
      README.md                      optional
      <name>/                        one folder per template; <name> is a Kubernetes name
        v<N>.yaml                    one WorkflowTemplate, metadata.name: <name>   (N = 1, 2, ...)
        v<N>.py                      or: build() returns a hera WorkflowTemplate named <name>
        cron-<schedule>.yaml         a CronWorkflow named <schedule>, running <name>-v<N>
        v<N>.migration.md            optional: the report `askflow convert` wrote for v<N>
        README.md                    optional

Each file is parsed once per load; the parsed, canonical form and its digest are cached by file
content, so loading a library of hundreds of versions again (the plan does) costs one read per file.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from askflow import yamlio
from askflow.errors import AskflowError
from askflow.library import buildcache
from askflow.library.canonical import canonical_json, digest_of_canonical
from askflow.library.model import (
    LOCK_FILE,
    MANAGED_ANNOTATIONS,
    MANAGED_LABELS,
    CronEntry,
    Library,
    TemplateVersion,
)
from askflow.lint.argo import MAX_CRON_NAME, MAX_NAME
from askflow.lint.structure import API_VERSION

#: Kubernetes object names are at most 63 characters, and so are Argo WorkflowTemplate names
#: (validate.go: "workflow template name %q must not be more than 63 characters long").
MAX_DEPLOYED_NAME = MAX_NAME

TEMPLATE_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?\Z")
VERSION_FILE = re.compile(r"^v([1-9][0-9]*)\.(yaml|py)\Z")
CRON_FILE = re.compile(r"^cron-([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.yaml\Z")
DEPLOYED_NAME = re.compile(r"^([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)-v([1-9][0-9]*)\Z")
_ENDS_WITH_VERSION = re.compile(r"-v[0-9]+\Z")
_IGNORED = {"README.md", "__pycache__"}
# Reports `askflow convert` writes beside the version it converted: documentation, not content.
MIGRATION_REPORT = re.compile(r"^v[1-9][0-9]*\.migration\.md\Z")


def parse_deployed_name(text: str) -> tuple[str, int] | None:
    """``etl-v2`` -> ``("etl", 2)``; None when ``text`` is not a deployed name.

    A deployed name is at most :data:`MAX_DEPLOYED_NAME` characters (ASCII digits only, as the
    pattern says), so its number always converts: ``etl-v`` and 5,000 nines is no deployed name,
    rather than a ValueError from Python's limit on converting long digit strings."""
    if len(text) > MAX_DEPLOYED_NAME:
        return None
    m = DEPLOYED_NAME.match(text)
    return (m.group(1), int(m.group(2))) if m else None


@dataclass(frozen=True)
class _Parsed:
    canonical: str
    digest: str
    doc: dict


# source path -> (sha256 of the file's bytes, parsed result). Keyed by content, so an edited file is
# always re-parsed, and an unchanged one never is.
_CACHE: dict[Path, tuple[str, _Parsed]] = {}


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise AskflowError(f"cannot be read ({exc.strerror})", file=str(path)) from None


def _parse_yaml(path: Path, data: bytes) -> Any:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise AskflowError("is not UTF-8 text", file=str(path)) from None
    docs = yamlio.loads_all(text, str(path))
    if len(docs) != 1:
        raise AskflowError(
            f"expected exactly one YAML document, found {len(docs)}; one object per file", file=str(path)
        )
    return docs[0]


def _build_python(path: Path) -> Any:
    """Import ``path`` as a fresh module and call its ``build()``; return ``.to_dict()`` of the result."""
    from hera.workflows import WorkflowTemplate as HeraWorkflowTemplate  # only when a .py version exists

    module_name = f"askflow_library_{hashlib.sha256(str(path).encode()).hexdigest()[:16]}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:  # pragma: no cover - a .py path always has a loader
        raise AskflowError("cannot be imported as a Python module", file=str(path))
    module = importlib.util.module_from_spec(spec)
    saved = sys.dont_write_bytecode
    sys.dont_write_bytecode = True  # keep workflows/ free of __pycache__ folders
    sys.modules[module_name] = module  # hera's decorators look functions up through their module
    try:
        spec.loader.exec_module(module)
        build = getattr(module, "build", None)
        if not callable(build):
            raise AskflowError("a Python version must define build() returning a hera WorkflowTemplate", file=str(path))
        built = build()
        if not isinstance(built, HeraWorkflowTemplate):
            raise AskflowError(
                f"build() returned {type(built).__name__}, expected hera.workflows.WorkflowTemplate",
                file=str(path),
            )
        return built.to_dict()
    except (AskflowError, KeyboardInterrupt):
        raise  # Ctrl-C still interrupts askflow
    except BaseException as exc:  # noqa: BLE001 - any failure in user code is a user error, on one line
        # SystemExit too: sys.exit() in a version's module or build() must not end askflow silently.
        what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        raise AskflowError(f"building the template failed: {what}", file=str(path)) from None
    finally:
        sys.dont_write_bytecode = saved
        sys.modules.pop(module_name, None)


def _canonical(path: Path, doc: Any) -> str:
    try:
        return canonical_json(doc)
    except (TypeError, ValueError) as exc:  # e.g. a timestamp or NaN, which JSON cannot hold
        raise AskflowError(f"holds a value JSON cannot represent ({exc}); quote it", file=str(path)) from None


def _build_python_cached(path: Path, data: bytes) -> tuple[Any, str | None]:
    """``_build_python`` through :mod:`askflow.library.buildcache`, with the canonical JSON of what it
    built: a build of the same bytes (and of the same project modules it imported) is read back
    instead of importing hera again. The project modules a build imports are dropped afterwards,
    so the next build imports (and records) them afresh."""
    build_key = buildcache.key(data)
    canonical = buildcache.lookup(path, build_key)
    if canonical is not None:
        return json.loads(canonical), canonical
    before = set(sys.modules)
    try:
        doc = _build_python(path)
    finally:
        imported = buildcache.project_modules(before, path)
        for name in imported:
            sys.modules.pop(name, None)
    if not isinstance(doc, dict):
        return doc, None  # _parse reports it
    canonical = _canonical(path, doc)
    buildcache.store(path, build_key, canonical, buildcache.digests(imported.values()))
    return doc, canonical


def _parse(path: Path) -> _Parsed:
    data = _read_bytes(path)
    key = hashlib.sha256(data).hexdigest()
    cached = _CACHE.get(path)
    if cached is not None and cached[0] == key:
        return cached[1]
    doc, canonical = _build_python_cached(path, data) if path.suffix == ".py" else (_parse_yaml(path, data), None)
    if not isinstance(doc, dict):
        raise AskflowError(f"expected a mapping (a Kubernetes object), found {type(doc).__name__}", file=str(path))
    if canonical is None:
        canonical = _canonical(path, doc)
    parsed = _Parsed(canonical, digest_of_canonical(canonical), doc)
    _CACHE[path] = (key, parsed)
    return parsed


def referenced_names(node: Any) -> set[str]:
    """Every deployed name referenced inside ``node``.

    Covers ``templateRef`` (in steps, DAG tasks, hooks) and ``workflowTemplateRef`` anywhere.
    References to ClusterWorkflowTemplates (``clusterScope: true``) and names still holding
    ``{{...}}`` (resolved at run time, which Argo's validator skips too) are not library references.
    """
    # An explicit stack rather than recursion: every template is walked on every load.
    stack: list[Any] = [node] if isinstance(node, dict | list) else []
    found: set[str] = set()
    while stack:
        value = stack.pop()
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            if isinstance(item, dict):
                if key in ("templateRef", "workflowTemplateRef"):
                    name = item.get("name")
                    if isinstance(name, str) and not item.get("clusterScope") and "{{" not in name:
                        found.add(name)
                stack.append(item)
            elif isinstance(item, list):
                stack.append(item)
    return found


def collect_images(spec: dict) -> tuple[str, ...]:
    """Every image a WorkflowTemplate spec runs (templates, inline templates in steps and DAG tasks,
    and templateDefaults), sorted and unique."""
    from askflow.lint.platform import pod_containers, walk_templates

    images: set[str] = set()
    holders = [*walk_templates(spec), (spec.get("templateDefaults"), "spec.templateDefaults")]
    for tmpl, path in holders:
        if isinstance(tmpl, dict):
            images.update(c["image"] for _, c, _ in pod_containers(tmpl, path) if isinstance(c.get("image"), str))
    return tuple(sorted(images))


def _check_object(path: Path, doc: dict, kind: str, name: str) -> tuple[dict, dict]:
    """The checks every library object passes: apiVersion, kind, metadata.name, no managed keys."""
    if doc.get("apiVersion") != API_VERSION or doc.get("kind") != kind:
        raise AskflowError(
            f"expected apiVersion {API_VERSION} and kind {kind}, found "
            f"{doc.get('apiVersion')!r} and {doc.get('kind')!r}",
            file=str(path),
        )
    meta = doc.get("metadata")
    if not isinstance(meta, dict):
        raise AskflowError("metadata is required (a mapping with name)", file=str(path), path="metadata")
    if meta.get("name") != name:
        raise AskflowError(
            f"metadata.name must be {name!r} (from the file's location), found {meta.get('name')!r}",
            file=str(path),
            path="metadata.name",
        )
    for key in ("namespace", "generateName"):
        if key in meta:
            raise AskflowError(
                f"remove metadata.{key}: the stack chooses the namespace and askflow the name",
                file=str(path),
                path=f"metadata.{key}",
            )
    for field_name, managed in (("labels", MANAGED_LABELS), ("annotations", MANAGED_ANNOTATIONS)):
        values = meta.get(field_name)
        if values is not None and not isinstance(values, dict):
            raise AskflowError(
                f"metadata.{field_name} must be a mapping", file=str(path), path=f"metadata.{field_name}"
            )
        for key in managed:
            if values and key in values:
                raise AskflowError(
                    f"remove {key}: askflow sets it when rendering",
                    file=str(path),
                    path=["metadata", field_name, key],
                )
    spec = doc.get("spec")
    if not isinstance(spec, dict):
        raise AskflowError("spec is required (a mapping)", file=str(path), path="spec")
    return meta, spec


def _load_version(path: Path, name: str, number: int) -> TemplateVersion:
    deployed = f"{name}-v{number}"
    if len(deployed) > MAX_DEPLOYED_NAME:
        raise AskflowError(
            f"deployed name {deployed!r} is {len(deployed)} characters; Kubernetes and Argo allow at most "
            f"{MAX_DEPLOYED_NAME}: shorten the template folder name",
            file=str(path),
        )
    parsed = _parse(path)
    _, spec = _check_object(path, parsed.doc, "WorkflowTemplate", name)
    refs = sorted(referenced_names(spec))
    return TemplateVersion(
        name=name,
        number=number,
        deployed_name=deployed,
        source=path,
        digest=parsed.digest,
        images=collect_images(spec),
        references=tuple(refs),
        _canonical=parsed.canonical,
    )


def _load_cron(path: Path, template: str, cron_name: str, numbers: set[int]) -> CronEntry:
    if len(cron_name) > MAX_CRON_NAME:
        raise AskflowError(
            f"CronWorkflow name {cron_name!r} is {len(cron_name)} characters; Argo allows at most "
            f"{MAX_CRON_NAME}: shorten the file name",
            file=str(path),
        )
    parsed = _parse(path)
    _, spec = _check_object(path, parsed.doc, "CronWorkflow", cron_name)
    wf_spec = spec.get("workflowSpec")
    ref = wf_spec.get("workflowTemplateRef") if isinstance(wf_spec, dict) else None
    ref_path = "spec.workflowSpec.workflowTemplateRef.name"
    target = ref.get("name") if isinstance(ref, dict) else None
    if not isinstance(target, str):
        raise AskflowError(
            f"a library CronWorkflow runs a pinned version: set {ref_path}: {template}-v<N>",
            file=str(path),
            path=ref_path,
        )
    parsed_ref = parse_deployed_name(target)
    if parsed_ref is None or parsed_ref[0] != template or ref.get("clusterScope"):  # type: ignore[union-attr]
        raise AskflowError(
            f"must reference a version of {template} (the folder it lives in) as {template}-v<N>, found {target!r}",
            file=str(path),
            path=ref_path,
        )
    if parsed_ref[1] not in numbers:
        known = ", ".join(f"{template}-v{n}" for n in sorted(numbers))
        raise AskflowError(
            f"references {target}, which does not exist (versions: {known})", file=str(path), path=ref_path
        )
    refs = sorted(referenced_names(spec))
    return CronEntry(
        name=cron_name,
        template=template,
        source=path,
        template_ref=target,
        digest=parsed.digest,
        references=tuple(refs),
        _canonical=parsed.canonical,
    )


def _entries(folder: Path) -> list[tuple[Path, os.DirEntry[str]]]:
    """The folder's entries by name, hidden and ignored ones left out (a scandir entry knows
    whether it is a file or folder without another system call per file)."""
    try:
        with os.scandir(folder) as listing:
            entries = [e for e in listing if not e.name.startswith(".") and e.name not in _IGNORED]
    except OSError as exc:
        raise AskflowError(f"cannot be listed ({exc.strerror})", file=str(folder)) from None
    return [(folder / e.name, e) for e in sorted(entries, key=lambda e: e.name)]


def load_library(root: Path) -> Library:
    """Load and check every version and CronWorkflow under ``root`` (normally ``workflows/``).

    Raises :class:`AskflowError` (one line, naming the file) for a bad layout: unexpected file
    names, a metadata.name that does not match the folder, YAML that does not parse, a ``.py``
    without ``build()``, a deployed name over 63 characters, a cron pinned to a missing version.
    """
    root = Path(root)
    if not root.is_dir():
        raise AskflowError("template library folder not found (pass --root)", file=str(root))
    versions: list[TemplateVersion] = []
    crons: list[CronEntry] = []
    cron_sources: dict[str, Path] = {}
    for folder, folder_entry in _entries(root):
        if not folder_entry.is_dir():
            if folder.name == LOCK_FILE:
                continue
            raise AskflowError(
                f"unexpected file; versions live in {root}/<template>/v<N>.yaml (or .py)", file=str(folder)
            )
        name = folder.name
        if not TEMPLATE_NAME.match(name) or _ENDS_WITH_VERSION.search(name):
            raise AskflowError(
                "template folder names are Kubernetes names (lower-case letters, digits, '-') "
                "and do not end in -v<N> (askflow adds the version)",
                file=str(folder),
            )
        found: dict[int, Path] = {}
        cron_files: list[tuple[Path, str]] = []
        for path, entry in _entries(folder):
            v = VERSION_FILE.match(entry.name)
            c = CRON_FILE.match(entry.name)
            if v and entry.is_file():
                number = int(v.group(1))
                if number in found:
                    raise AskflowError(
                        f"v{number} is defined twice ({found[number].name} and {path.name}); keep one",
                        file=str(path),
                    )
                found[number] = path
            elif c and entry.is_file():
                cron_files.append((path, c.group(1)))
            elif MIGRATION_REPORT.match(entry.name) and entry.is_file():
                continue
            else:
                raise AskflowError(
                    "unexpected file name; a template folder holds v<N>.yaml or v<N>.py (N = 1, 2, ... "
                    "without leading zeros) and cron-<schedule>.yaml",
                    file=str(path),
                )
        if not found:
            raise AskflowError("template folder has no versions; add v1.yaml", file=str(folder))
        versions.extend(_load_version(found[n], name, n) for n in sorted(found))
        for path, cron_name in cron_files:
            if cron_name in cron_sources:
                raise AskflowError(
                    f"CronWorkflow {cron_name!r} is already defined in {cron_sources[cron_name]}; "
                    "names are unique across the library",
                    file=str(path),
                )
            cron_sources[cron_name] = path
            crons.append(_load_cron(path, name, cron_name, set(found)))
    crons.sort(key=lambda c: c.name)
    return Library(root=root, versions=tuple(versions), crons=tuple(crons))
