"""Changing the library: start a new version, and record released versions in the lock.

``new`` copies the latest version of a template to the next number. It refuses while the latest
version is still a draft (not in ``versions.lock``): a draft may be edited in place, and stacking a
second draft on top of it leaves two unreleased versions whose difference nobody reviewed. Lock the
draft first (``askflow workflows lock NAME-vN``), or keep editing it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from askflow import files, yamlio
from askflow.errors import AskflowError, quoted
from askflow.library.lock import dumps_lock, next_number, read_lock, read_retired, updated_lock
from askflow.library.model import Library


def new_version(library: Library, name: str) -> tuple[Path, int]:
    """Copy the latest version of ``name`` to ``v<latest+1>``; return the new file and how many
    mentions of the old deployed name (``<name>-v<latest>``: self-references and comments such as
    ``argo submit --from workflowtemplate/<name>-v<latest>``) now name the new version."""
    latest = library.latest(name)
    recorded = read_lock(library.lock_path)
    if latest.deployed_name not in recorded:
        raise AskflowError(
            f"{latest.deployed_name} is not released yet (not in {library.lock_path.name}): edit it in "
            "place, or run `askflow workflows lock {latest.deployed_name}` to release it before starting the next version",
            file=str(latest.source),
        )
    number = next_number(library, name, recorded)
    deployed = f"{name}-v{number}"
    target = latest.source.with_name(f"v{number}{latest.source.suffix}")
    # The copy keeps comments and formatting; references to the version itself (a templateRef
    # between its own templates, by deployed name) must follow it to the new number, and so should
    # the comments that tell people how to submit it.
    text = yamlio.read_text(latest.source)
    text, moved = re.subn(rf"(?<![-a-z0-9]){re.escape(latest.deployed_name)}(?![-a-z0-9])", deployed, text)
    if len(deployed) > 63:
        raise AskflowError(f"the next deployed name {deployed!r} would be over 63 characters", file=str(target))
    files.write_text(target, text)
    return target, moved


def select_drafts(library: Library, drafts: Sequence[str], wanted: Sequence[str]) -> tuple[str, ...]:
    """The drafts named by ``wanted`` (``etl-v4``: that version; ``etl``: every draft of etl), in
    library order. A name that is not a draft is refused, saying what it is."""
    chosen: set[str] = set()
    for want in wanted:
        if want in library.by_deployed_name:
            if want not in drafts:
                raise AskflowError(f"{want} is released already; nothing to lock", path=want)
            chosen.add(want)
        elif want in library.by_name:
            mine = [d for d in drafts if library.by_deployed_name[d].name == want]
            if not mine:
                raise AskflowError(f"{want} has no draft; every version of it is released", path=want)
            chosen.update(mine)
        else:
            raise AskflowError(
                f"{quoted(want, 70)} is neither a template nor a version of {library.root}; "
                f"drafts: {', '.join(drafts) or 'none'}",
                path=want,
            )
    return tuple(d for d in drafts if d in chosen)


def identical_to_previous(library: Library, deployed_name: str) -> str | None:
    """The deployed name of the version just before ``deployed_name`` when both have the same
    content (the same digest), else None: a copy nobody changed is not a new version."""
    version = library.by_deployed_name[deployed_name]
    earlier = [v for v in library.versions if v.name == version.name and v.number < version.number]
    if earlier:
        previous = max(earlier, key=lambda v: v.number)
        if previous.digest == version.digest:
            return previous.deployed_name
    return None


def lock_library(library: Library, names: Sequence[str] | None = None) -> tuple[str, ...]:
    """Record the digests of the drafts ``names`` select (:func:`select_drafts`; None: every draft)
    in the lock; return the deployed names added.

    Refuses (AskflowError, exit code 1) when a recorded version changed (the lock only grows), when
    a selected draft fails strict lint, or when it is identical to its previous version.
    """
    versions, drafts = updated_lock(library, library.lock_path)
    added = drafts if names is None else select_drafts(library, drafts, names)
    for name in added:
        same = identical_to_previous(library, name)
        if same is not None:
            raise AskflowError(
                f"{name} is identical to {same}: edit it before releasing it, or delete it",
                file=str(library.by_deployed_name[name].source),
                exit_code=1,
            )
    # A release is forever: only versions that pass strict lint may be recorded.
    from askflow.library.linting import lint_library

    new = {str(library.by_deployed_name[name].source) for name in added}
    errors = [f for f in lint_library(library.root, strict=True) if f.severity == "error" and f.file in new]
    if errors:
        raise AskflowError(
            f"{errors[0].path}: {errors[0].message} [{errors[0].rule}]; fix it before releasing "
            f"({len(errors)} strict lint error(s); askflow lint --strict {library.root})",
            file=errors[0].file,
            exit_code=1,
        )
    skipped = set(drafts) - set(added)
    kept = {k: v for k, v in versions.items() if k not in skipped}
    if added or not library.lock_path.exists():
        files.write_text(library.lock_path, dumps_lock(kept, read_retired(library.lock_path)))
    return added
