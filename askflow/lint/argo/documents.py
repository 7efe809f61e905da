"""The objects Argo's checks run on: template holders, templates, the registry ``templateRef``
resolves against, the call a template is validated for, and the validator's reporting core.

Every check module adds methods to :class:`Checks`; :class:`askflow.lint.argo.Validator` combines
them. Constants that several checks share (template types, name limits and patterns) live here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from askflow.lint.variables import Scope, Tag, collect

Report = Callable[[str, str, str], None]  # (rule, path, message)

TEMPLATE_TYPES = (
    "container",
    "containerSet",
    "steps",
    "script",
    "resource",
    "dag",
    "suspend",
    "data",
    "http",
    "plugin",
)
TYPE_NAMES = {
    "container": "Container",
    "containerSet": "ContainerSet",
    "steps": "Steps",
    "script": "Script",
    "resource": "Resource",
    "dag": "DAG",
    "suspend": "Suspend",
    "data": "Data",
    "http": "HTTP",
    "plugin": "Plugin",
}
LEAF_TYPES = {"container", "containerSet", "script", "resource", "data", "http", "plugin"}
POD_TYPES = {"container", "containerSet", "script", "resource", "data"}
ARTIFACT_LOCATIONS = ("s3", "git", "http", "artifactory", "hdfs", "raw", "oss", "gcs", "azure", "plugin")
RETRY_POLICIES = {"Always", "OnError", "OnFailure", "OnTransientError", ""}
PODGC_STRATEGIES = {"", "OnPodCompletion", "OnPodSuccess", "OnWorkflowCompletion", "OnWorkflowSuccess"}
CONCURRENCY_POLICIES = {"Allow", "Forbid", "Replace", ""}
TASK_RESULTS = {
    "Succeeded",
    "Failed",
    "Skipped",
    "Omitted",
    "Errored",
    "Daemoned",
    "AnySucceeded",
    "AllFailed",
}
RESOURCE_ACTIONS = {"get", "create", "apply", "delete", "replace", "patch"}
RESERVED_CONTAINER_NAMES = {"wait", "supervisor"}
RESERVED_CONTAINER_PREFIX = "artifact-plugin-"
MAX_NAME = 63
MAX_CRON_NAME = 52

_FIELD_NAME = re.compile(r"^[a-zA-Z0-9][-a-zA-Z0-9]*$")
_FIELD_NAME_MSG = (
    "name must consist of alpha-numeric characters or '-', and must start with an "
    "alpha-numeric character (e.g. My-name1-2, 123-NAME)"
)
PARAM_NAME = re.compile(r"^[-a-zA-Z0-9_]+[-a-zA-Z0-9_]*$")
PARAM_NAME_MSG = (
    "Parameter/Artifact name must consist of alpha-numeric characters, '_' or '-' e.g. my_param_1, MY-PARAM-1"
)
ARGO_VARIABLE = re.compile(r"^\{\{.+\}\}$", re.S)

# Rules whose outcome depends on the calling workflow: reported at the call site when the template
# comes from another document.
_CONTEXT_RULES = {"unresolved-variable"}
# Argo's FakeArguments: a template validated without a caller's arguments (every input parameter
# gets a placeholder value); a templateRef call is validated again with its real arguments.
FAKE = None


def d(value: Any) -> dict[str, Any]:
    """``value`` if it is a mapping, else empty: semantic checks run on documents that may have
    structure errors (reported separately) and must not crash on them."""
    return value if isinstance(value, dict) else {}


def lst(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def text(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def goq(value: str) -> str:
    """Go's ``%q``: a double-quoted string with escapes."""
    return json.dumps(value, ensure_ascii=False)


# a simple tag template.Replace fills from the workflow's parameters
_GLOBAL_TAG = re.compile(r"\{\{\s*(workflow\.parameters\.[^{}\s]+)\s*\}\}")


def substitute_globals(value: Any, values: Mapping[str, str]) -> Any:
    """``value`` with ``{{workflow.parameters.x}}`` replaced where ``x`` has a value, as
    common.SubstituteParams does before a template is validated; the same object when nothing changes."""
    if not values:
        return value
    if isinstance(value, str):
        return _GLOBAL_TAG.sub(lambda m: values.get(m.group(1), m.group(0)), value) if "{{" in value else value
    if isinstance(value, dict):
        items = {k: substitute_globals(v, values) for k, v in value.items()}
        return items if any(items[k] is not value[k] for k in value) else value
    if isinstance(value, list):
        elems = [substitute_globals(v, values) for v in value]
        return elems if any(a is not b for a, b in zip(elems, value, strict=True)) else value
    return value


def field_name_errors(name: str) -> list[str]:
    errs = []
    if len(name) > 128:
        errs.append("must be no more than 128 characters")
    if not _FIELD_NAME.match(name):
        errs.append(_FIELD_NAME_MSG)
    return errs


def template_type(tmpl: Mapping[str, Any]) -> list[str]:
    """The template types set on ``tmpl`` (Argo counts non-nil fields; ``steps: []`` counts)."""
    return [t for t in TEMPLATE_TYPES if tmpl.get(t) is not None]


# ArtifactLocation.Get's order: the first location set is the artifact's location.
_LOCATION_ORDER = ("artifactory", "azure", "git", "gcs", "hdfs", "http", "oss", "raw", "s3", "plugin")


def has_location(art: Mapping[str, Any]) -> bool:
    """ArtifactLocation.HasLocationOrKey: the first location set (in Go's order) is complete, or has a
    key (pkg/apis/workflow/v1alpha1/workflow_types.go v4.1.2: each type's HasLocation and GetKey).
    An incomplete location without a key (``s3: {bucket: b}``) is not enough."""
    loc = next((art[k] for k in _LOCATION_ORDER if isinstance(art.get(k), dict)), None)
    if loc is None:
        return False
    kind = next(k for k in _LOCATION_ORDER if isinstance(art.get(k), dict))

    def has(*keys: str) -> bool:
        return all(text(loc.get(k)) for k in keys)

    complete = {
        "artifactory": has("url") and loc.get("usernameSecret") is not None,
        "azure": has("endpoint", "container", "blob"),
        "git": has("repo"),
        "gcs": has("bucket", "key"),
        "hdfs": bool(lst(loc.get("addresses"))),
        "http": has("url"),
        "oss": has("bucket", "endpoint", "key"),
        "raw": True,
        "s3": has("endpoint", "bucket", "key"),
        "plugin": has("name", "configuration", "key"),
    }[kind]
    if complete:
        return True
    if kind in ("artifactory", "http"):  # GetKey: the URL's path
        return bool(urlsplit(text(loc.get("url"))).path)
    key = {"azure": "blob", "hdfs": "path", "gcs": "key", "oss": "key", "s3": "key", "plugin": "key"}.get(kind)
    return key is not None and bool(text(loc.get(key)))


# ----------------------------------------------------------------------------------------------

# ----------------------------------------------------------------------------------------------
# Template holders: the objects templates live in, and where to find them.
# Template holders: the objects templates live in, and where to find them.


@dataclass(eq=False)
class Holder:
    """A Workflow, WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow's workflowSpec."""

    kind: str
    name: str
    namespace: str
    spec: dict[str, Any]
    spec_path: str
    labels: list[str] = field(default_factory=list)
    annotations: list[str] = field(default_factory=list)
    templates: dict[str, Tmpl] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for i, raw in enumerate(lst(self.spec.get("templates"))):
            if isinstance(raw, dict):
                tmpl = Tmpl(raw, f"{self.spec_path}.templates[{i}]", self)
                self.templates.setdefault(text(raw.get("name")), tmpl)

    @property
    def scope_id(self) -> str:
        return f"{self.kind}/{self.namespace}/{self.name}"


@dataclass(eq=False)
class Tmpl:
    data: dict[str, Any]
    path: str
    holder: Holder
    inline: bool = False

    @property
    def name(self) -> str:
        return text(self.data.get("name"))

    @property
    def types(self) -> list[str]:
        return template_type(self.data)

    @property
    def type(self) -> str:
        types = self.types
        return types[0] if types else ""

    @property
    def is_leaf(self) -> bool:
        return self.type in LEAF_TYPES

    @property
    def is_pod(self) -> bool:
        return self.type in POD_TYPES


def not_found(name: str, cluster: bool, namespace: str) -> str:
    """Argo's offline client's miss (pkg/apiclient/offline-client.go)."""
    if cluster:
        return f"couldn't find cluster workflow template {goq(name)}"
    return f"couldn't find workflow template {goq(name)} in namespace {goq(namespace)}"


class Registry:
    """WorkflowTemplates and ClusterWorkflowTemplates that ``templateRef`` can resolve to."""

    def __init__(self) -> None:
        self.namespaced: dict[str, list[Holder]] = {}
        self.cluster: dict[str, Holder] = {}

    def add(self, holder: Holder) -> Holder | None:
        """Register ``holder``; returns the holder it duplicates, if any."""
        if holder.kind == "ClusterWorkflowTemplate":
            if holder.name in self.cluster:
                return self.cluster[holder.name]
            self.cluster[holder.name] = holder
            return None
        same = self.namespaced.setdefault(holder.name, [])
        for other in same:
            if other.namespace == holder.namespace:
                return other
        same.append(holder)
        return None

    def get(self, name: str, cluster: bool, namespace: str) -> Holder | None:
        if cluster:
            return self.cluster.get(name)
        candidates = self.namespaced.get(name, [])
        for holder in candidates:
            if holder.namespace == namespace:
                return holder
        return candidates[0] if candidates else None


@dataclass
class Call:
    """Where a template is called from: the holder of a step/task/entrypoint and its path."""

    holder: dict[str, Any]  # the step, task or synthetic {template: ...} / {templateRef: ...}
    path: str  # JSON path of the call in the document being linted
    prefix: str  # Argo's message prefix for errors about the call
    synthetic: bool = False  # an entrypoint/onExit/templateRef made up here: report at `path` itself
    # Whether an argument with neither value nor valueFrom is already reported (argument-value);
    # when it is not (spec.arguments while linting), the input it names is reported as not supplied.
    empty_args_reported: bool = True

    def at(self, *parts: str) -> str:
        return self.path if self.synthetic else ".".join((self.path, *parts))


# ----------------------------------------------------------------------------------------------


class Checks:
    """The validator's state and reporting; the check modules subclass it (one concept each)."""

    def __init__(self, registry: Registry, report: Report, tag_cache: dict[tuple[str, int], list[Any]]) -> None:
        self.registry = registry
        self._report = report
        self._tags = tag_cache
        self.globals: set[str] = set()
        # workflow.parameters.<name> -> value, for the parameters given a value: Argo substitutes
        # them into a template before validating it (common.SubstituteParams), so a DAG target
        # written as {{workflow.parameters.x}} is checked with x's value.
        self.global_values: dict[str, str] = {}
        # substituted copies of templates live as long as the tag cache keyed by their id()
        self.keep_alive: list[Any] = tag_cache.setdefault(("keep-alive", 0), [])
        self.results: set[tuple[str, object]] = set()
        self.retry_checked: set[tuple[str, str]] = set()  # (holder, template path): one finding each
        self.holder: Holder | None = None
        self.redirect: tuple[str, str] | None = None  # (call path, message prefix) for external templates
        self.workflow_template = False

    # -- reporting -------------------------------------------------------------------------------
    def emit(self, rule: str, path: str, message: str) -> None:
        if self.redirect is None:
            self._report(rule, path, message)
        elif rule in _CONTEXT_RULES:
            call_path, prefix = self.redirect
            self._report(rule, call_path, f"{prefix}: {message}")

    def tags(self, value: Any) -> list[Tag]:
        # keyed by identity: every document stays alive (and unchanged) for the whole run
        key = ("all", id(value))
        found = self._tags.get(key)
        if found is None:
            found = self._tags[key] = collect(value, [])
        return found

    if TYPE_CHECKING:
        # What the check modules call on each other (defined there; combined in argo.Validator).
        def validate_workflow(
            self, holder: Holder, *, lint: bool, ignore_entrypoint: bool, workflow_template: bool, prefix: str = ""
        ) -> None: ...
        def validate_pod_resources(self, res: Any, path: str, label: str, prefix: str) -> None: ...
        def validate_names(
            self, items: list[Any], path: str, prefix: str, *, params: bool, duplicate: str | None = None
        ) -> None: ...
        def validate_arguments(
            self, prefix: str, args: dict[str, Any], allow_empty: bool, path: str, msg_prefix: str = ""
        ) -> None: ...
        def process_args(self, tmpl: Tmpl, args: dict[str, Any], call: Call) -> None: ...
        def validate_hooks(self, hooks: dict[str, Any], path: str, prefix: str, *, task: bool = False) -> None: ...
        def check_hook_templates(self, step: dict[str, Any], path: str, ctx: Holder, prefix: str) -> None: ...
        def validate_template_holder(self, call: Call, ctx: Holder, args: dict[str, Any] | None) -> Tmpl | None: ...
        def validate_template(self, tmpl: Tmpl, ctx: Holder) -> None: ...
        def validate_non_leaf(self, tmpl: Tmpl) -> None: ...
        def validate_artifact_location(self, prefix: str, loc: dict[str, Any], path: str) -> None: ...
        def resolve_all(
            self, scope: Scope, value: Any, base: str, prefix: str, tags: list[Tag] | None = None
        ) -> None: ...
        def leaf_tags(self, data: dict[str, Any]) -> list[Tag]: ...
        def add_items(self, step: dict[str, Any], scope: Scope, path: str, prefix: str) -> None: ...
        def add_outputs(
            self, tmpl: Tmpl | None, prefix: str, scope: Scope, aggregate: bool, ancestor: bool
        ) -> None: ...
        def validate_leaf(self, scope: Scope, tmpl: Tmpl, ctx: Holder) -> None: ...
        def validate_steps(self, scope: Scope, tmpl: Tmpl, ctx: Holder) -> None: ...
        def validate_dag(self, scope: Scope, tmpl: Tmpl, ctx: Holder) -> None: ...
        def validate_outputs(self, scope: Scope, tmpl: Tmpl) -> None: ...
        def validate_metrics(self, tmpl: Tmpl) -> None: ...
        def validate_cron(self, obj: dict[str, Any], holder: Holder) -> None: ...
