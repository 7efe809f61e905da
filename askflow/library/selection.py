"""What one stack deploys from the library, and the reference guard.

A stack lists the versions it deploys (``templates.deploy``: ``all``, or deployed names such as
``etl-v2``, or a template name such as ``etl`` meaning every version of it) and the CronWorkflows
(``templates.crons``). A deployed object must never point at a version the stack leaves out: a
`templateRef <https://argo-workflows.readthedocs.io/en/latest/workflow-templates/#referencing-other-workflowtemplates>`_
to a missing WorkflowTemplate fails at run time, so the selection fails now, naming both objects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from askflow.errors import AskflowError
from askflow.library.model import CronEntry, Library, TemplateVersion

DEPLOY_KEY = "templates.deploy"
CRONS_KEY = "templates.crons"


@dataclass(frozen=True)
class Selection:
    """The versions and CronWorkflows one stack deploys, in library order."""

    versions: tuple[TemplateVersion, ...]
    crons: tuple[CronEntry, ...]

    @property
    def images(self) -> tuple[str, ...]:
        """Every image the selected versions run, sorted and unique (for ECI image caches)."""
        return tuple(sorted({image for v in self.versions for image in v.images}))


def _entries(value: Literal["all"] | Sequence[str], key: str) -> Sequence[str] | None:
    if value == "all":
        return None
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise AskflowError(f'{key} must be "all" or a list of names, found {value!r}', path=key)
    for i, entry in enumerate(value):
        if not isinstance(entry, str):
            raise AskflowError(f"expected a name, found {entry!r}", path=f"{key}[{i}]")
    return value


def resolve_deploy(library: Library, deploy: Literal["all"] | Sequence[str]) -> tuple[TemplateVersion, ...]:
    """The versions ``deploy`` names (no reference guard); unknown names are an error."""
    entries = _entries(deploy, DEPLOY_KEY)
    if entries is None:
        return library.versions
    chosen: set[str] = set()
    for i, entry in enumerate(entries):
        if entry in library.by_deployed_name:
            chosen.add(entry)
        elif entry in library.by_name:
            chosen.update(v.deployed_name for v in library.by_name[entry])
        else:
            raise AskflowError(
                f"{entry!r} is not in the template library: use a deployed name such as "
                f"{_example(library)} or a template name ({', '.join(library.names) or 'none'})",
                path=f"{DEPLOY_KEY}[{i}]",
            )
    return tuple(v for v in library.versions if v.deployed_name in chosen)


def resolve_crons(library: Library, crons: Literal["all"] | Sequence[str]) -> tuple[CronEntry, ...]:
    entries = _entries(crons, CRONS_KEY)
    if entries is None:
        return library.crons
    for i, entry in enumerate(entries):
        if entry not in library.crons_by_name:
            raise AskflowError(
                f"{entry!r} is not a CronWorkflow in the template library "
                f"(known: {', '.join(library.crons_by_name) or 'none'})",
                path=f"{CRONS_KEY}[{i}]",
            )
    wanted = set(entries)
    return tuple(c for c in library.crons if c.name in wanted)


def _example(library: Library) -> str:
    return library.versions[-1].deployed_name if library.versions else "etl-v2"


def select(
    library: Library,
    deploy: Literal["all"] | Sequence[str],
    crons: Literal["all"] | Sequence[str],
) -> Selection:
    """Resolve a stack's ``templates.deploy`` and ``templates.crons`` against the library.

    Raises :class:`AskflowError` for an unknown name, and when a selected version or CronWorkflow
    references (``templateRef``, ``workflowTemplateRef``) a version the selection leaves out.
    """
    versions = resolve_deploy(library, deploy)
    chosen_crons = resolve_crons(library, crons)
    deployed = {v.deployed_name for v in versions}
    referrers: list[tuple[str, str, tuple[str, ...]]] = [
        (v.deployed_name, str(v.source), v.references) for v in versions
    ]
    referrers += [(c.name, str(c.source), c.references) for c in chosen_crons]
    for who, source, refs in referrers:
        for ref in refs:
            if ref in deployed:
                continue
            if ref in library.by_deployed_name:
                raise AskflowError(
                    f"{who} references {ref}, which this stack does not deploy; add {ref} to {DEPLOY_KEY}",
                    file=source,
                )
            raise AskflowError(
                f"{who} references {ref}, which is not in the template library ({library.root}); fix the reference",
                file=source,
            )
    return Selection(versions=versions, crons=chosen_crons)
