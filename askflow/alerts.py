"""The alert rules of a stack: PromQL on the metrics Argo's workflow controller exports.

Plain data (no resources): ``infra/components/monitoring.py`` turns each :class:`AlertRule` into an
ARMS ``PrometheusAlertRule``, the plan lists them, and the tests evaluate every expression against
sample series (a failing series fires, a healthy one does not).

Metric names are Argo v4's, as ``docs/metrics.md`` lists them (argoproj/argo-workflows v4.0.10, the
stack's ``argo.image_tag``, and unchanged since v4.0.6: "Default Controller Metrics", l. 247-633;
prefix ``argo_workflows_``, l. 117). The Prometheus
exporter keeps them as written: no ``_total`` or unit suffix is added
(``util/telemetry/exporter_prometheus.go`` l. 41-44: ``WithoutCounterSuffixes``, ``WithoutUnits``);
histograms add Prometheus' ``_bucket``, ``_sum`` and ``_count`` series.

Artifact upload failures have no controller metric (none of the names below counts them): the
executor only logs them, so they are a log alert on SLS (:func:`log_alert_rules`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from askflow.settings import Alerts

PREFIX = "argo_workflows_"

#: Argo v4.0.10's default controller metrics (docs/metrics.md), without the prefix.
ARGO_METRICS: frozenset[str] = frozenset({
    "cronworkflows_concurrencypolicy_triggered", "cronworkflows_triggered_total", "deprecated_feature",
    "error_count", "gauge", "is_leader", "k8s_request_duration", "k8s_request_total", "log_messages",
    "operation_duration_seconds", "pod_missing", "pod_pending_count", "pod_restarts_total", "pods_gauge",
    "pods_total_count", "queue_adds_count", "queue_depth_gauge", "queue_duration", "queue_latency",
    "queue_longest_running", "queue_retries", "queue_unfinished_work", "total_count", "version",
    "workers_busy_count", "workflow_condition", "workflowtemplate_runtime", "workflowtemplate_triggered_total",
})
#: The histograms among them (docs/metrics.md: "A histogram ..."), which export _bucket/_sum/_count.
ARGO_HISTOGRAMS: frozenset[str] = frozenset({
    "k8s_request_duration", "operation_duration_seconds", "queue_duration", "queue_latency", "workflowtemplate_runtime",
})

_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')
_KEYWORDS = frozenset({"by", "without", "sum", "min", "max", "avg", "count", "increase", "rate", "min_over_time",
                       "max_over_time", "absent", "and", "or", "unless", "on", "ignoring", "group_left",
                       "group_right", "bool", "offset", "quantile", "sort_desc"})


def exported(metric: str) -> bool:
    """Whether Argo's controller exports the series name ``metric``."""
    if not metric.startswith(PREFIX):
        return False
    name = metric[len(PREFIX):]
    if name in ARGO_METRICS:
        return True
    base, _, suffix = name.rpartition("_")
    return suffix in ("bucket", "sum", "count") and base in ARGO_HISTOGRAMS


def metric_names(expression: str) -> set[str]:
    """The series names an expression reads (identifiers outside strings, label matchers, grouping
    clauses and range brackets that are not PromQL keywords or functions)."""
    text = _STRINGS.sub('""', expression)
    text = re.sub(r"\{[^}]*\}", "", text)  # label matchers
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)  # label lists
    text = re.sub(r"\[[^\]]*\]", "", text)  # ranges
    names = set()
    for m in _NAME.finditer(text):
        word = m.group(0)
        after = text[m.end():].lstrip()
        if word in _KEYWORDS or after.startswith("("):
            continue
        if m.start() > 0 and (text[m.start() - 1].isdigit() or text[m.start() - 1] == "."):
            continue
        names.add(word)
    return names


@dataclass(frozen=True)
class AlertRule:
    """One alert: an ARMS Prometheus alert rule."""

    name: str
    expression: str
    severity: str
    message: str
    """Sent with the alert; ``{{$labels.x}}`` and ``{{$value}}`` are filled in by ARMS."""
    duration_minutes: int = 1
    """How long the expression must hold before the alert fires (ARMS: 1 to 1440 minutes)."""


def alert_rules(settings: Alerts, namespaces: tuple[str, ...]) -> tuple[AlertRule, ...]:
    """The stack's rules, in a stable order. ``namespaces`` are the tenants' (workflows run there)."""
    w = f"{settings.window_minutes}m"
    # Namespaces are DNS labels: nothing in them is special in a regex (and PromQL strings refuse
    # escapes such as re.escape's "\-").
    tenants = "|".join(sorted(namespaces))
    return (
        AlertRule(
            name="argo-workflows-failed",
            expression=(f'sum by (namespace) (increase({PREFIX}total_count{{phase=~"Failed|Error",namespace=~"{tenants}"}}[{w}]))'
                        f" >= {settings.workflow_failures}"),
            severity="critical",
            message=f"{{{{$value}}}} workflows failed or errored in tenant {{{{$labels.namespace}}}} in the last {w}",
        ),
        AlertRule(
            # pods_gauge counts workflow pods per phase: a floor above zero for the whole window means
            # pods have been pending that long (ECI out of stock in the zones, or the tenant's quota).
            name="argo-pods-pending",
            expression=f'min_over_time({PREFIX}pods_gauge{{phase="Pending"}}[{settings.pod_pending_minutes}m]) > 0',
            severity="warning",
            message=f"{{{{$value}}}} workflow pods pending for {settings.pod_pending_minutes} minutes or more "
                    "(ECI capacity or tenant quota)",
        ),
        AlertRule(
            name="argo-controller-queue-backlog",
            expression=(f'min_over_time({PREFIX}queue_depth_gauge{{queue_name="workflow_queue"}}[{settings.queue_minutes}m])'
                        f" >= {settings.queue_depth}"),
            severity="warning",
            message=f"the workflow controller's queue has held {{{{$value}}}} or more workflows for {settings.queue_minutes} "
                    "minutes: it is not keeping up",
        ),
        AlertRule(
            name="argo-controller-errors",
            expression=f'sum by (cause) (increase({PREFIX}error_count{{cause="OperationPanic"}}[{w}])) > 0',
            severity="critical",
            message=f"the workflow controller panicked {{{{$value}}}} times in the last {w}",
        ),
        AlertRule(
            # No leader reporting: the controller is down, or nothing scrapes it.
            name="argo-controller-down",
            expression=f"absent({PREFIX}is_leader == 1)",
            severity="critical",
            message="no workflow controller reports itself leader: workflows are not being run",
            duration_minutes=5,
        ),
        AlertRule(
            # concurrencyPolicy Forbid or Replace acted: a scheduled run was skipped or cut short.
            name="argo-cronworkflow-skipped",
            expression=(f"sum by (namespace, name) (increase({PREFIX}cronworkflows_concurrencypolicy_triggered[{w}]))"
                        " > 0"),
            severity="warning",
            message=f"CronWorkflow {{{{$labels.namespace}}}}/{{{{$labels.name}}}} missed a scheduled run (its previous "
                    f"run was still going) in the last {w}",
        ),
        AlertRule(
            name="argo-cronworkflow-submission-failed",
            expression=(f'sum by (cause) (increase({PREFIX}error_count{{cause=~"CronWorkflowSubmissionError|'
                        f'CronWorkflowSpecError"}}[{w}])) > 0'),
            severity="critical",
            message=f"a CronWorkflow could not submit its workflow ({{{{$labels.cause}}}}) in the last {w}",
        ),
    )


@dataclass(frozen=True)
class LogAlertRule:
    """One alert on the pods' logs in SLS (a ``log.Alert`` on the stack's logstore)."""

    name: str
    search: str
    """The search statement (SLS search syntax over the indexed fields, askflow.logs)."""
    analysis: str
    """The SQL that counts what the search found; the alert fires on a row where ``condition`` holds."""
    condition: str
    window_minutes: int
    severity: int
    """SLS severity: 2 report, 4 low, 6 medium, 8 high, 10 critical."""
    message: str

    @property
    def query(self) -> str:
        return f"{self.search} | {self.analysis}"


def log_alert_rules(settings: Alerts, namespaces: tuple[str, ...]) -> tuple[LogAlertRule, ...]:
    """Alerts on what only the logs show. Outputs not saved: the executor's ``wait`` container
    saves a step's output parameters, artifacts and logs after the main container ends, and logs
    every failure of those as ``executor error`` at level error before the step fails
    (``cmd/argoexec/commands/wait.go`` l. 67-92 and ``workflow/executor/executor.go`` l. 950-953,
    AddError, at argoproj/argo-workflows v4.0.10), in Go's slog text or JSON format
    (``util/logging/slog.go`` l. 55-62), so the words ``executor`` and ``error`` are both in the line;
    an artifact upload that OSS refuses is the usual one. One is enough: the step's outputs are lost."""
    tenants = " or ".join(f'_namespace_: "{n}"' for n in sorted(namespaces))
    return (
        LogAlertRule(
            name="argo-outputs-not-saved",
            search=f"_container_name_: wait and executor and error and ({tenants})",
            analysis='select "_namespace_" as tenant, count(1) as errors group by "_namespace_"',
            condition="errors >= 1",
            window_minutes=settings.window_minutes,
            severity=8,
            message="a workflow step in tenant ${tenant} could not save its outputs (artifact upload, output "
                    f"parameters or logs) ${{errors}} times in the last {settings.window_minutes}m: `askflow logs` "
                    "and the wait container's log say why",
        ),
    )
