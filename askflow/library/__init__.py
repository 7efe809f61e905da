"""The versioned, immutable WorkflowTemplate library (``workflows/``).

Every version of a template is its own file and its own deployed object, ``<name>-v<N>``; released
versions are recorded by content digest in ``workflows/versions.lock`` and never change. See
:mod:`askflow.library.loader` for the layout, :mod:`askflow.library.model` for rendering,
:mod:`askflow.library.selection` for what a stack deploys, :mod:`askflow.library.lock` for
immutability.
"""

from askflow.library.canonical import canonical_json, content_digest
from askflow.library.linting import lint_library
from askflow.library.loader import load_library, parse_deployed_name
from askflow.library.lock import LOCK_FILE, check_lock, lock_problems, read_lock, unreleased
from askflow.library.model import (
    DIGEST_ANNOTATION,
    MANAGED_BY_LABEL,
    NAME_LABEL,
    VERSION_LABEL,
    CronEntry,
    Library,
    TemplateVersion,
)
from askflow.library.selection import Selection, resolve_crons, resolve_deploy, select


def forget_parsed() -> None:
    """Drop what this process has parsed of library files and locks (both cached by content).

    For measurements that must pay what a fresh ``askflow`` process pays (``make bench``).
    """
    from askflow.library import loader, lock

    loader._CACHE.clear()
    lock._parse.cache_clear()


__all__ = [
    "DIGEST_ANNOTATION",
    "LOCK_FILE",
    "MANAGED_BY_LABEL",
    "NAME_LABEL",
    "VERSION_LABEL",
    "CronEntry",
    "Library",
    "Selection",
    "TemplateVersion",
    "canonical_json",
    "check_lock",
    "content_digest",
    "forget_parsed",
    "lint_library",
    "load_library",
    "lock_problems",
    "parse_deployed_name",
    "read_lock",
    "resolve_crons",
    "resolve_deploy",
    "select",
    "unreleased",
]
