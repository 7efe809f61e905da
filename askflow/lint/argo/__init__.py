"""Argo's semantic checks, offline: a port of ``argo lint`` (Argo Workflows v4.1.2).

The behaviour follows ``workflow/validate/validate.go`` as described in
``../shared/argo/LINT-CHECKS.md`` (numbers in comments refer to its list), with Argo's messages.
Two deliberate differences, both toward fewer false errors and more useful output:

* Argo stops at the first error; this reports every error it finds, each at the JSON path of the
  offending value. Where one error makes a later check meaningless (an undefined template, a
  templateRef built from variables) the later check accepts what it cannot know.
* Argo substitutes arguments into a template before scanning it for ``{{...}}``; this scans the
  template as written (input values are replaced by placeholders under Argo's fake arguments
  anyway), and checks the arguments at the call site, which is where Argo reports them too.

Templates from another document (a ``templateRef`` to a WorkflowTemplate given in another file,
or one of the library's ``extra_templates``) are validated in the caller's context, as Argo does,
but only problems that depend on that context (``{{workflow.*}}`` variables the calling workflow
does not define) are reported, at the call site; the rest belong to that template's own document.

Where to look: one module per Argo concept, each with the rule ids it reports in ``RULES``
(:data:`CHECKS` lists them all, in the order a document is checked):

==================  ==================================================================
``workflow``        object names, workflowTemplateRef, spec arguments, entrypoint, onExit, podGC
``cronworkflow``    CronWorkflow schedules, timezone, policies
``arguments``       names, arguments, enums, inputs a call must supply
``templates``       template resolution (template/templateRef/inline), type, inputs, timeouts
``pod_templates``   container, script, containerSet and resource templates
``steps``           steps templates
``dag``             DAG templates: dependencies, cycles, task results, targets
``references``      ``{{...}}`` variables and expressions, and the scope steps/tasks build
``outputs``         output parameters and artifacts
``artifacts``       artifact locations and paths
``hooks``           lifecycle hooks and exit handlers
``metrics``         Prometheus metrics
==================  ==================================================================

``documents`` holds what they share: holders, templates, the ``templateRef`` registry, constants.
"""

from __future__ import annotations

from types import ModuleType

from askflow.lint.argo import (
    arguments,
    artifacts,
    cronworkflow,
    dag,
    hooks,
    metrics,
    outputs,
    pod_templates,
    references,
    steps,
    templates,
    workflow,
)
from askflow.lint.argo.artifacts import clean_path_error
from askflow.lint.argo.dag import ancestors, depends_terms, find_cycle, task_dependencies, topological
from askflow.lint.argo.documents import (
    LEAF_TYPES,
    MAX_CRON_NAME,
    MAX_NAME,
    POD_TYPES,
    TEMPLATE_TYPES,
    Call,
    Holder,
    Registry,
    Report,
    Tmpl,
    d,
    goq,
    lst,
    template_type,
    text,
)
from askflow.lint.argo.workflow import label_selector_error


class Validator(
    workflow.WorkflowChecks,
    cronworkflow.CronChecks,
    arguments.ArgumentChecks,
    templates.TemplateChecks,
    pod_templates.PodTemplateChecks,
    steps.StepChecks,
    dag.DagChecks,
    references.ReferenceChecks,
    outputs.OutputChecks,
    artifacts.ArtifactChecks,
    hooks.HookChecks,
    metrics.MetricChecks,
):
    """Validates one document; findings go to ``report(rule, path, message)``."""


#: The check modules, in the order a document meets them; each module's ``RULES`` names the rule
#: ids it reports (see :data:`askflow.lint.RULES` for what each rule means).
CHECKS: tuple[ModuleType, ...] = (
    workflow,
    cronworkflow,
    arguments,
    templates,
    pod_templates,
    steps,
    dag,
    references,
    outputs,
    artifacts,
    hooks,
    metrics,
)


def rules_by_module() -> dict[str, tuple[str, ...]]:
    """``{module: rule ids}``: where to look for the code behind a rule."""
    return {m.__name__.rsplit(".", 1)[1]: tuple(m.RULES) for m in CHECKS}


__all__ = [
    "CHECKS",
    "LEAF_TYPES",
    "MAX_CRON_NAME",
    "MAX_NAME",
    "POD_TYPES",
    "TEMPLATE_TYPES",
    "Call",
    "Holder",
    "Registry",
    "Report",
    "Tmpl",
    "Validator",
    "ancestors",
    "clean_path_error",
    "d",
    "depends_terms",
    "find_cycle",
    "goq",
    "label_selector_error",
    "lst",
    "rules_by_module",
    "task_dependencies",
    "template_type",
    "text",
    "topological",
]
