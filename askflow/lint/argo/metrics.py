"""Prometheus metrics on templates: metric and label names, help, values, and realtime gauges
(validate.go: validateMetrics)."""

from __future__ import annotations

import re

from askflow.lint.argo.documents import Checks, Tmpl, d, lst, text

RULES = ("metric",)

_METRIC_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


class MetricChecks(Checks):
    def validate_metrics(self, tmpl: Tmpl) -> None:  # (22)
        t, tp = tmpl.name, tmpl.path
        for i, metric in enumerate(lst(d(tmpl.data.get("metrics")).get("prometheus"))):
            metric = d(metric)
            here = f"{tp}.metrics.prometheus[{i}]"
            name = text(metric.get("name"))
            if not _METRIC_NAME.match(name):
                self.emit(
                    "metric",
                    f"{here}.name",
                    f"templates.{t} metric name '{name}' is invalid. Metric names must "
                    "contain alphanumeric characters or '_'",
                )
            for j, label in enumerate(lst(metric.get("labels"))):
                key = text(d(label).get("key"))
                if not _METRIC_NAME.match(key):
                    self.emit(
                        "metric",
                        f"{here}.labels[{j}].key",
                        f"metric label '{key}' is invalid: keys may only contain alphanumeric characters or '_'",
                    )
            if not text(metric.get("help")):
                self.emit(
                    "metric",
                    f"{here}.help",
                    f"templates.{t} metric '{name}' must contain a help string under 'help: ' field",
                )
            gauge = metric.get("gauge")
            for kind in ("gauge", "counter", "histogram"):
                value = metric.get(kind)
                if isinstance(value, dict) and not text(value.get("value")):
                    self.emit(
                        "metric",
                        f"{here}.{kind}",
                        f"templates.{t} metric '{name}' error: missing {kind}.value",
                    )
            if (
                isinstance(gauge, dict)
                and gauge.get("realtime") is True
                and "resourcesDuration." in text(gauge.get("value"))
            ):
                self.emit(
                    "metric",
                    f"{here}.gauge.value",
                    f"templates.{t} metric '{name}' error: 'resourcesDuration.*' metrics cannot be used in real-time",
                )


# ----------------------------------------------------------------------------------------------
