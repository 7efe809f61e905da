"""Changing the library: start a new version, and record released versions in the lock.

``new`` copies the latest version of a template to the next number. It refuses while the latest
version is still a draft (not in ``versions.lock``): a draft may be edited in place, and stacking a
second draft on top of it leaves two unreleased versions whose difference nobody reviewed. Lock the
draft first (``askflow workflows lock``), or keep editing it.
"""

from __future__ import annotations

import re
from pathlib import Path

from askflow import files, yamlio
from askflow.errors import AskflowError
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
            "place, or run `askflow workflows lock` to release it before starting the next version",
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


def lock_library(library: Library) -> tuple[str, ...]:
    """Record every unreleased version's digest in the lock; return the deployed names added.

    Refuses (AskflowError, exit code 1) when a recorded version changed: the lock only grows.
    """
    versions, added = updated_lock(library, library.lock_path)
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
    if added or not library.lock_path.exists():
        files.write_text(library.lock_path, dumps_lock(versions, read_retired(library.lock_path)))
    return added
