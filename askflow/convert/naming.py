"""Kubernetes names from source names (AWS ``[A-Za-z0-9_-]{1,128}``, BatchCompute, file names).

Template names become library folders (``DIR/<name>/v<N>.yaml``) and deployed names
``<name>-v<N>`` (at most 63 characters, `RFC 1123 labels
<https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-label-names>`_);
task names must also start with a letter (Argo: "name cannot begin with a digit when using
'depends'").
"""

from __future__ import annotations

import hashlib
import re

from askflow.convert.model import PathParts, Reporter

#: Leaves room for ``-v<N>`` (up to 4 digits) within 63 characters, and fits a CronWorkflow name (52).
MAX_TEMPLATE_NAME = 50
MAX_TASK_NAME = 60
_INVALID = re.compile(r"[^a-z0-9-]+")
_VERSION_SUFFIX = re.compile(r"-v[0-9]+$")


def _shorten(text: str, original: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    digest = hashlib.sha256(original.encode()).hexdigest()[:6]
    return f"{text[: limit - 7].rstrip('-')}-{digest}"


def k8s_name(text: str, *, limit: int = MAX_TEMPLATE_NAME, fallback: str = "job") -> str:
    """Lower-case letters, digits and '-', starting and ending with an alphanumeric, at most ``limit``."""
    name = _INVALID.sub("-", text.strip().lower().replace("_", "-")).strip("-")
    name = re.sub(r"-{2,}", "-", name) or fallback
    return _shorten(name, text, limit)


def template_name(text: str) -> str:
    """A library folder name: a Kubernetes name that does not end in ``-v<N>`` (askflow adds that)."""
    name = k8s_name(text)
    if _VERSION_SUFFIX.search(name):
        name = _shorten(f"{name}-job", text, MAX_TEMPLATE_NAME)
    return name


def job_template_name(given: str | None, source_name: str, report: Reporter, path: PathParts) -> str:
    """``given`` (``--name``, already checked) or the template name for ``source_name``; a name that had to
    change is reported (NAME_SANITIZED) at ``path``, the source field holding it."""
    if given:
        return given
    name = template_name(source_name)
    if name != source_name:
        report.add("NAME_SANITIZED", path, f"{source_name!r} became {name!r}")
    return name


def task_name(text: str) -> str:
    """A DAG task / template name: a Kubernetes name starting with a letter."""
    name = k8s_name(text, limit=MAX_TASK_NAME, fallback="task")
    if not name[0].isalpha():
        name = _shorten(f"t-{name}", text, MAX_TASK_NAME)
    return name


class Allocator:
    """Hands out unique names: the second ``x`` becomes ``x-2``, and so on."""

    def __init__(self, reserved: tuple[str, ...] = ()) -> None:
        self.used: set[str] = set(reserved)

    def take(self, name: str, limit: int = MAX_TASK_NAME) -> str:
        candidate, n = name, 1
        while candidate in self.used:
            n += 1
            suffix = f"-{n}"
            candidate = f"{name[: limit - len(suffix)].rstrip('-')}{suffix}"
        self.used.add(candidate)
        return candidate
