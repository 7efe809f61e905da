"""Where pod logs go: an SLS project and logstore with the stack's retention, indexed by the fields
``askflow logs`` queries (tenant, pod, container, workflow, template, node: askflow.logs).

The ``logtail-ds`` add-on (installed by the cluster component) ships container stdout/stderr to
this project; ``logging_type``/``sls_project_name`` on the cluster are deprecated since provider
v1.229.1 in favour of the add-on. Argo also archives step logs to OSS (see the argo component).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_alicloud as alicloud

from askflow import logs
from askflow.alerts import LogAlertRule
from askflow.settings import Observability


@dataclass(frozen=True, kw_only=True)
class ObservabilityArgs:
    settings: Observability
    """The stack's observability settings."""
    project_name: str
    """SLS project name (deterministic per stack)."""
    protect: bool = False
    """Pulumi `protect` on the project and logstore (prod)."""
    tags: dict[str, str] = field(default_factory=dict)
    """Project tags."""
    log_alerts: tuple[LogAlertRule, ...] = ()
    """Alerts on the pods' logs (askflow.alerts.log_alert_rules)."""
    name_prefix: str = ""
    """Prefix of every alert's name (the stack's name)."""


class ObservabilityComponent(pulumi.ComponentResource):
    """SLS project and logstore (``askflow:observability:Logs``)."""

    project_name: pulumi.Output[str]
    logstore_name: pulumi.Output[str]

    def __init__(self, name: str, args: ObservabilityArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("askflow:observability:Logs", name, None, opts)
        stateful = pulumi.ResourceOptions(parent=self, protect=args.protect)
        project = alicloud.log.Project(
            f"{name}-project",
            project_name=args.project_name,
            description="askflow: pod and workflow logs",
            tags=args.tags,
            opts=stateful,
        )
        store = alicloud.log.Store(
            f"{name}-pods",
            project_name=project.project_name,
            logstore_name="pods",
            retention_period=args.settings.log_retention_days,
            shard_count=2,
            auto_split=True,
            max_split_shard_count=64,
            append_meta=True,
            opts=stateful,
        )
        # The fields `askflow logs` queries, kept whole (askflow.logs), and the message as full text.
        # alicloud_log_store_index: project and logstore Required+ForceNew, field_search type
        # text|long|double|json, token a string of one-character delimiters
        # (alicloud/resource_alicloud_log_store_index.go l. 26-35, 80-112, 427-442 at 81c43b67).
        index = alicloud.log.StoreIndex(
            f"{name}-pods-index",
            project=project.project_name,
            logstore=store.logstore_name,
            full_text=alicloud.log.StoreIndexFullTextArgs(case_sensitive=False, token=logs.TEXT_TOKEN),
            field_searches=[
                alicloud.log.StoreIndexFieldSearchArgs(name=field, type="text", token=logs.NAME_TOKEN,
                                                       case_sensitive=True, enable_analytics=True)
                for field in logs.INDEXED_NAMES
            ],
            opts=pulumi.ResourceOptions(parent=self),
        )
        for rule in args.log_alerts:
            # alicloud_log_alert, version 2.0 (query_list, severity_configurations, policy_configuration;
            # project_name and alert_name Required+ForceNew, severity one of 2, 4, 6, 8, 10:
            # alicloud/resource_alicloud_log_alert.go l. 25-45, 98-160, 231-250, 269-305 at 81c43b67).
            # SLS's built-in dynamic alert policy groups and de-duplicates; it names no action policy, so the
            # alert is in the project's alert center and notifies nobody by itself: SLS action policies are
            # SLS resources of their own, apart from ARMS' contacts (observability.alert_contacts).
            alicloud.log.Alert(
                f"{name}-{rule.name}",
                version="2.0",
                type="default",
                project_name=project.project_name,
                alert_name=f"{args.name_prefix}-{rule.name}",
                alert_displayname=f"{args.name_prefix} {rule.name}",
                alert_description=rule.message,
                schedule=alicloud.log.AlertScheduleArgs(type="FixedRate", interval="5m"),
                query_lists=[alicloud.log.AlertQueryListArgs(
                    store=store.logstore_name, store_type="log", query=rule.query,
                    start=f"-{rule.window_minutes}m", end="now", time_span_type="Custom", power_sql_mode="auto")],
                severity_configurations=[alicloud.log.AlertSeverityConfigurationArgs(
                    severity=rule.severity, eval_condition={"condition": rule.condition, "count_condition": ""})],
                group_configuration=alicloud.log.AlertGroupConfigurationArgs(type="custom", fields=["tenant"]),
                policy_configuration=alicloud.log.AlertPolicyConfigurationArgs(
                    alert_policy_id="sls.builtin.dynamic", repeat_interval="1h"),
                annotations=[alicloud.log.AlertAnnotationArgs(key="title", value=f"{args.name_prefix} {rule.name}"),
                             alicloud.log.AlertAnnotationArgs(key="desc", value=rule.message)],
                labels=[alicloud.log.AlertLabelArgs(key="askflow-stack", value=args.name_prefix)],
                send_resolved=True,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[index]),
            )
        self.project_name = project.project_name.apply(lambda p: p or args.project_name)
        self.logstore_name = store.logstore_name.apply(lambda s: s or "pods")
        self.register_outputs({"projectName": self.project_name, "logstoreName": self.logstore_name})
