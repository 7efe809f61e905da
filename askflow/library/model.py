"""The template library as data: versions, CronWorkflows, and how each is rendered for deployment.

Argo has no versioning of `WorkflowTemplates <https://argo-workflows.readthedocs.io/en/latest/workflow-templates/>`_:
updating one in place changes every workflow that uses it. askflow deploys each version as its own
object named ``<name>-v<N>`` and never changes a released one (see :mod:`askflow.library.lock`).

Rendering adds, on top of what the author wrote:

- ``metadata.name``: the deployed name ``<name>-v<N>``;
- labels ``app.kubernetes.io/name: <name>``, ``app.kubernetes.io/version: "<N>"`` and
  ``app.kubernetes.io/managed-by: askflow`` (Kubernetes' `recommended labels
  <https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/>`_);
- the annotation ``askflow.dev/content-digest: sha256:<hex>`` (:data:`DIGEST_ANNOTATION`): the digest
  of the version's canonical source, the same value ``workflows/versions.lock`` records, so a
  deployed object can be traced to the exact released content (``kubectl get workflowtemplate -o
  jsonpath='{.metadata.annotations.askflow\\.dev/content-digest}'``);
- ``metadata.namespace`` when a namespace is given.

Authors write references between versions (``templateRef.name``, ``workflowTemplateRef.name``) with
deployed names (``etl-v2``): a reference pins a version, and nothing is rewritten at render time.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from askflow.errors import AskflowError

# The lock file at the library root; the linter owns the name because it is how `askflow lint`
# recognises a library folder (askflow.lint.libraries). askflow.library.lock exports it too.
from askflow.lint.libraries import LOCK_FILE as LOCK_FILE

NAME_LABEL = "app.kubernetes.io/name"
VERSION_LABEL = "app.kubernetes.io/version"
MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
MANAGED_BY = "askflow"
DIGEST_ANNOTATION = "askflow.dev/content-digest"
#: Metadata keys askflow sets; authors must not set them in a source file.
MANAGED_LABELS = (NAME_LABEL, VERSION_LABEL, MANAGED_BY_LABEL)
MANAGED_ANNOTATIONS = (DIGEST_ANNOTATION,)

# Kubernetes names: RFC 1123 labels (lower-case alphanumerics and '-').
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?\Z")


def check_namespace(namespace: str | None) -> None:
    if namespace is not None and (len(namespace) > 63 or not _DNS_LABEL.match(namespace)):
        raise AskflowError(
            f"namespace {namespace!r} is not a valid Kubernetes namespace name "
            "(lower-case letters, digits and '-', at most 63 characters)"
        )


def _render(canonical: str, name: str, labels: dict[str, str], digest: str, namespace: str | None) -> dict:
    check_namespace(namespace)
    # A fresh copy on every call (json.loads of the cached canonical text is a fast deep copy), so
    # callers may mutate what they get without touching the library.
    doc: dict[str, Any] = json.loads(canonical)
    meta = doc.setdefault("metadata", {})
    meta["name"] = name
    if namespace is not None:
        meta["namespace"] = namespace
    meta["labels"] = dict(sorted({**(meta.get("labels") or {}), **labels}.items()))
    meta["annotations"] = dict(sorted({**(meta.get("annotations") or {}), DIGEST_ANNOTATION: digest}.items()))
    doc["metadata"] = dict(sorted(meta.items()))
    return doc


@dataclass(frozen=True)
class TemplateVersion:
    """One immutable version of a WorkflowTemplate: ``workflows/<name>/v<number>.(yaml|py)``."""

    name: str
    number: int
    deployed_name: str
    source: Path
    digest: str
    #: Every container image the version runs, sorted and unique.
    images: tuple[str, ...]
    #: Deployed names this version references (``templateRef`` / ``workflowTemplateRef``), sorted.
    references: tuple[str, ...] = field(default=(), compare=False)
    _canonical: str = field(default="", repr=False, compare=False)

    @property
    def document(self) -> dict:
        """The source document as the author wrote it (a fresh copy)."""
        doc: dict = json.loads(self._canonical)
        return doc

    @property
    def labels(self) -> dict[str, str]:
        return {NAME_LABEL: self.name, VERSION_LABEL: str(self.number), MANAGED_BY_LABEL: MANAGED_BY}

    def render(self, namespace: str | None = None) -> dict:
        """The manifest to deploy: deployed name, labels, digest annotation, namespace when given."""
        return _render(self._canonical, self.deployed_name, self.labels, self.digest, namespace)


@dataclass(frozen=True)
class CronEntry:
    """A `CronWorkflow <https://argo-workflows.readthedocs.io/en/latest/cron-workflows/>`_ beside its
    template (``workflows/<name>/cron-<schedule>.yaml``), pinned to one version of it."""

    #: The CronWorkflow's ``metadata.name`` (equal to ``<schedule>`` in the file name).
    name: str
    #: The template it belongs to (the folder name).
    template: str
    source: Path
    #: The deployed name it runs: ``spec.workflowSpec.workflowTemplateRef.name``.
    template_ref: str
    digest: str
    #: Every deployed name it references (the pinned version and any templateRef), sorted.
    references: tuple[str, ...] = field(default=(), compare=False)
    _canonical: str = field(default="", repr=False, compare=False)

    @property
    def document(self) -> dict:
        doc: dict = json.loads(self._canonical)
        return doc

    @property
    def labels(self) -> dict[str, str]:
        number = self.template_ref.rsplit("-v", 1)[1]
        return {NAME_LABEL: self.template, VERSION_LABEL: number, MANAGED_BY_LABEL: MANAGED_BY}

    def render(self, namespace: str | None = None) -> dict:
        return _render(self._canonical, self.name, self.labels, self.digest, namespace)


@dataclass(frozen=True)
class Library:
    """Everything under a library root: versions sorted by (name, number), crons sorted by name."""

    root: Path
    versions: tuple[TemplateVersion, ...]
    crons: tuple[CronEntry, ...]

    @property
    def lock_path(self) -> Path:
        return self.root / LOCK_FILE

    @cached_property
    def by_deployed_name(self) -> dict[str, TemplateVersion]:
        return {v.deployed_name: v for v in self.versions}

    @cached_property
    def by_name(self) -> dict[str, tuple[TemplateVersion, ...]]:
        """Template name -> its versions, oldest first."""
        out: dict[str, list[TemplateVersion]] = {}
        for v in self.versions:
            out.setdefault(v.name, []).append(v)
        return {k: tuple(vs) for k, vs in out.items()}

    @cached_property
    def crons_by_name(self) -> dict[str, CronEntry]:
        return {c.name: c for c in self.crons}

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.by_name)

    def latest(self, name: str) -> TemplateVersion:
        versions = self.by_name.get(name)
        if not versions:
            raise AskflowError(
                f"no template named {name!r} in the library; known: {', '.join(self.names)}",
                file=str(self.root),
            )
        return versions[-1]

    def version(self, name: str, number: int) -> TemplateVersion:
        found = self.by_deployed_name.get(f"{name}-v{number}")
        if found is None:
            known = ", ".join(f"v{v.number}" for v in self.by_name.get(name, ())) or "none"
            raise AskflowError(f"{name} has no version v{number} (versions: {known})", file=str(self.root))
        return found

    @cached_property
    def referenced_by(self) -> dict[str, tuple[str, ...]]:
        """Deployed name -> names of the versions and crons that reference it (sorted)."""
        out: dict[str, set[str]] = {}
        for v in self.versions:
            for ref in v.references:
                if ref != v.deployed_name:
                    out.setdefault(ref, set()).add(v.deployed_name)
        for c in self.crons:
            for ref in c.references:
                out.setdefault(ref, set()).add(c.name)
        return {k: tuple(sorted(s)) for k, s in out.items()}
