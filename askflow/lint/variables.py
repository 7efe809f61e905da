"""``{{...}}`` variables and the scopes they must resolve in.

Argo (``workflow/validate/validate.go`` ``resolveAllVariables``, ``util/template/validate.go``)
scans the JSON of a template for ``{{tag}}``: expression tags (``{{=...}}``) are not checked, nor
are tags whose trimmed text does not start with one of the prefixes in :data:`CHECKED_PREFIXES`
(so ``{{item}}``, ``{{retries}}``, ``{{lastRetry.status}}`` and metric variables such as
``{{duration}}`` always pass). A checked tag must be a key of the scope being validated, or a
global, or match one of the exemptions Argo hard-codes. The variable catalogue is Argo's
``util/variables/keys/*.go``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

TAG = re.compile(r"\{\{(.*?)\}\}", re.S)
# common.GlobalVarValidWorkflowVariablePrefix
CHECKED_PREFIXES = ("item.", "steps.", "inputs.", "outputs.", "pod.", "workflow.", "tasks.")
# Tags Argo accepts without a scope entry (resolveAllVariables): `outputs.*` is a template
# referring to its own outputs (metrics), the rest are only known at run time.
EXEMPT_PREFIXES = (
    "outputs.",
    "workflow.creationTimestamp",
    "workflow.scheduledTime",
    "workflow.duration",
    "tasks.name",
    "steps.name",
    "node.name",
)
# Argo's anyWorkflowOutputArtifactMagicValue: as a global, any workflow.outputs.artifacts.* resolves.
ANY_OUTPUT_ARTIFACT = "workflow.outputs.artifacts.*"
# A parameter reference, as Argo's `isParameter` recognises one (a templated globalName, target).
PARAMETER = re.compile(r"\{\{[-a-zA-Z0-9]+(\.[-a-zA-Z0-9_]+)*\}\}")

# (path parts relative to the scanned value, raw tag text between the braces)
Tag = tuple[tuple[str | int, ...], str]

# A tag with no tag inside it; in a name (``run-{{inputs.parameters.d}}``) it is a hole that Argo
# fills with a placeholder before it validates the template (common.ProcessArgs).
_INNER = re.compile(r"\{\{([^{}]*)\}\}")
HOLE = "{{}}"


def skeleton(text: str) -> str:
    """``text`` with every innermost ``{{...}}`` replaced by :data:`HOLE`: a step named
    ``run-{{inputs.parameters.d}}`` is referred to as ``{{steps.run-{{inputs.parameters.d}}.status}}``
    and both read ``steps.run-{{}}.status`` (argoproj/argo-workflows#15896)."""
    return _INNER.sub(HOLE, text) if "{{" in text else text


def tags_in(text: str) -> list[str]:
    """The tags of one string. A nested tag (``{{steps.run-{{inputs.parameters.d}}.status}}``)
    gives its inner tags, each checked on its own, and the outer one as its :func:`skeleton`."""
    found = TAG.findall(text)
    if not any("{{" in tag for tag in found):
        return found
    inner = _INNER.findall(text)
    outer = [tag.replace("\x00", HOLE) for tag in TAG.findall(_INNER.sub("\x00", text))]
    return inner + outer


class Scope:
    """Variables resolvable at one point of a template.

    ``keys`` are exact names (``inputs.parameters.x``, ``steps.a.outputs.result``); the flags are
    Argo's magic entries (``item.*`` with ``withParam``, ``workflow.outputs.*`` when a globalName is
    itself a parameter); ``prefixes`` are names this linter accepts wholesale because what they
    refer to could not be resolved statically (a templateRef built from variables), so that one
    unknown does not turn into a cascade of errors.
    """

    __slots__ = ("keys", "prefixes", "any_item", "any_output_parameter", "any_output_artifact")

    def __init__(self) -> None:
        self.keys: set[str] = set()
        self.prefixes: tuple[str, ...] = ()
        self.any_item = False
        self.any_output_parameter = False
        self.any_output_artifact = False

    def copy(self) -> Scope:
        other = Scope()
        other.keys = set(self.keys)
        other.prefixes = self.prefixes
        other.any_item = self.any_item
        other.any_output_parameter = self.any_output_parameter
        other.any_output_artifact = self.any_output_artifact
        return other

    def add(self, key: str) -> None:
        self.keys.add(skeleton(key))

    def add_prefix(self, prefix: str) -> None:
        if prefix not in self.prefixes:
            self.prefixes = (*self.prefixes, prefix)

    def resolves(self, tag: str, globals_: set[str], workflow_template: bool) -> bool:
        """Whether Argo's validator would accept ``{{tag}}`` here (``tag`` is the raw text)."""
        if tag.startswith("="):
            return True  # expression tags are not validated
        name = tag.strip()
        if not name.startswith(CHECKED_PREFIXES):
            return True
        if name in self.keys or name in globals_:
            return True
        if self.any_item and (name == "item" or name.startswith("item.")):
            return True
        if self.any_output_parameter and name.startswith("workflow.outputs.parameters."):
            return True
        if (self.any_output_artifact or ANY_OUTPUT_ARTIFACT in globals_) and name.startswith(
            "workflow.outputs.artifacts."
        ):
            return True
        if name.startswith(EXEMPT_PREFIXES):
            return True
        if workflow_template and name.startswith("workflow.parameters"):
            # a WorkflowTemplate linted alone: the Workflow that uses it supplies its parameters
            return True
        return bool(self.prefixes) and name.startswith(self.prefixes)


def collect(value: Any, out: list[Tag], rel: list[str | int] | None = None) -> list[Tag]:
    """Every ``{{tag}}`` in strings (and mapping keys) under ``value``, with its relative path."""
    rel = [] if rel is None else rel
    if isinstance(value, str):
        if "{{" in value:
            here = tuple(rel)
            out.extend((here, m) for m in tags_in(value))
    elif isinstance(value, dict):
        for key, item in value.items():
            rel.append(key)
            if isinstance(key, str) and "{{" in key:
                here = tuple(rel)
                out.extend((here, m) for m in tags_in(key))
            if isinstance(item, (str, dict, list)):
                collect(item, out, rel)
            rel.pop()
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, (str, dict, list)):
                rel.append(i)
                collect(item, out, rel)
                rel.pop()
    return out


def has_tag(value: Any) -> bool:
    """Whether any string under ``value`` contains ``{{``."""
    if isinstance(value, str):
        return "{{" in value
    if isinstance(value, dict):
        return any(has_tag(v) for v in value.values())
    if isinstance(value, list):
        return any(has_tag(v) for v in value)
    return False


def is_parameter(text: Any) -> bool:
    return isinstance(text, str) and PARAMETER.search(text) is not None


def join(base: str, rel: Iterable[str | int]) -> str:
    """``base`` plus relative parts: ``spec.templates[0]`` + ``("script", "source")``."""
    out = base
    for part in rel:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
