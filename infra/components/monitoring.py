"""Argo's metrics in ARMS Prometheus: what is scraped, the alerts on it, and who receives them.

Scraping: one ``arms.PrometheusMonitoring`` (type ``serviceMonitor``) per
:class:`askflow.scraping.ScrapeTarget` (the workflow controller and argo-server, as the chart
renders their Services), on the cluster's Prometheus instance; the route per cluster kind is
``askflow.substrate.Substrate.scrape_route``.

Each :class:`askflow.alerts.AlertRule` becomes an ``arms.PrometheusAlertRule`` on the cluster's
Prometheus instance (``cluster_id``: the ACK cluster id; arguments from terraform-provider-alicloud
``alicloud/resource_alicloud_arms_prometheus_alert_rule.go`` l. 24-110 at 81c43b67: ``duration``,
``expression``, ``message``, ``prometheus_alert_rule_name`` required and ForceNew, ``notify_type``
``ALERT_MANAGER`` or ``DISPATCH_RULE``). ARMS' CreatePrometheusAlertRule takes the duration in
minutes as ``<N>m`` (1m to 1440m) and ``Type`` 101 for a Prometheus alert
(https://help.aliyun.com/zh/arms/developer-reference/api-arms-2019-08-08-createprometheusalertrule).

With ``observability.alert_contacts`` the rules go to one dispatch rule
(``alicloud/resource_alicloud_arms_dispatch_rule.go`` l. 24-180) that notifies an ARMS contact group
of the email contacts (``resource_alicloud_arms_alert_contact.go``,
``resource_alicloud_arms_alert_contact_group.go``) and each chat robot
(``resource_alicloud_arms_alert_robot.go`` l. 27-31: ``wechat``, ``dingding``, ``feishu``). Without
contacts (dev's default) the rules use ARMS' own alert manager, where the console shows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_alicloud as alicloud

from askflow.alerts import alert_rules
from askflow.scraping import scrape_targets
from askflow.settings import AlertContact, Alerts
from askflow.substrate import ScrapeRoute

#: ARMS alert robot types (alert_robot.go l. 31) and the dispatch channel each uses
#: (arms_dispatch_rule docs, notify_channels: dingTalk, sms, webhook, email, wechat). Lark has no
#: documented channel of its own: its robot is a webhook.
ROBOTS: dict[str, tuple[str, str]] = {"dingtalk": ("dingding", "dingTalk"), "lark": ("feishu", "webhook"),
                                      "wechat": ("wechat", "wechat")}
#: ARMS CreatePrometheusAlertRule Type: 101 is a Prometheus alert (99 a custom one).
RULE_TYPE = "101"


@dataclass(frozen=True, kw_only=True)
class MonitoringArgs:
    settings: Alerts
    """Thresholds of the alert rules."""
    contacts: tuple[AlertContact, ...]
    """Who receives the alerts (none: ARMS' alert manager only)."""
    cluster_id: pulumi.Input[str]
    """The cluster whose ARMS Prometheus instance evaluates the rules."""
    namespaces: tuple[str, ...]
    """Tenant namespaces (where workflows run)."""
    name_prefix: str
    """Prefix of every ARMS name (the stack's name)."""
    scrape_route: ScrapeRoute
    """How the cluster kind's Prometheus is told what to scrape (askflow.substrate)."""
    argo_values: dict[str, Any]
    """Argo's Helm values as known before any resource exists (``ArgoComponent.plan_values``):
    which Services and ports the chart renders."""
    argo_namespace: str
    """Namespace of Argo's release."""
    argo_release: str
    """Name of Argo's Helm release."""
    depends_on: tuple[pulumi.Resource, ...] = ()
    """What makes the Prometheus instance (the cluster's Prometheus add-on)."""


class MonitoringComponent(pulumi.ComponentResource):
    """Alert rules, contacts and their dispatch rule (``askflow:monitoring:Alerts``)."""

    rule_names: pulumi.Output[list[str]]
    scrape_names: list[str]
    dispatch_rule_id: pulumi.Output[str] | None

    def __init__(self, name: str, args: MonitoringArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("askflow:monitoring:Alerts", name, None, opts)
        child = pulumi.ResourceOptions(parent=self, depends_on=list(args.depends_on))
        self.scrape_names = self._scrape(name, args, child)
        rules = alert_rules(args.settings, args.namespaces)
        self.dispatch_rule_id = self._dispatch(name, args, child) if args.contacts else None
        for rule in rules:
            alicloud.arms.PrometheusAlertRule(
                f"{name}-{rule.name}",
                prometheus_alert_rule_name=f"{args.name_prefix}-{rule.name}",
                cluster_id=args.cluster_id,
                expression=rule.expression,
                duration=f"{rule.duration_minutes}m",
                message=rule.message,
                type=RULE_TYPE,
                labels=[alicloud.arms.PrometheusAlertRuleLabelArgs(name="severity", value=rule.severity)],
                notify_type="DISPATCH_RULE" if self.dispatch_rule_id is not None else "ALERT_MANAGER",
                dispatch_rule_id=self.dispatch_rule_id,
                opts=child,
            )
        self.rule_names = pulumi.Output.from_input([f"{args.name_prefix}-{r.name}" for r in rules])
        self.register_outputs({"ruleNames": self.rule_names, "scrapeNames": self.scrape_names,
                               "dispatchRuleId": self.dispatch_rule_id})

    def _scrape(self, name: str, args: MonitoringArgs, child: pulumi.ResourceOptions) -> list[str]:
        if args.scrape_route != "prometheus-monitoring":
            raise ValueError(f"no scraping for route {args.scrape_route}")
        targets = scrape_targets(args.argo_values, namespace=args.argo_namespace, release=args.argo_release,
                                 prefix=args.name_prefix)
        for t in targets:
            alicloud.arms.PrometheusMonitoring(
                f"{name}-scrape-{t.name.removeprefix(args.name_prefix + '-')}",
                cluster_id=args.cluster_id,
                type="serviceMonitor",
                status="run",
                config_yaml=t.config_yaml,
                opts=child,
            )
        return [t.name for t in targets]

    def _dispatch(self, name: str, args: MonitoringArgs, child: pulumi.ResourceOptions) -> pulumi.Output[str]:
        objects: list[alicloud.arms.DispatchRuleNotifyRuleNotifyObjectArgs] = []
        channels: set[str] = set()
        emails = [c for c in args.contacts if c.kind == "email"]
        if emails:
            contacts = [
                alicloud.arms.AlertContact(f"{name}-contact-{c.name}", alert_contact_name=f"{args.name_prefix}-{c.name}",
                                           email=c.address, opts=child)
                for c in emails
            ]
            group_name = f"{args.name_prefix}-oncall"
            group = alicloud.arms.AlertContactGroup(
                f"{name}-contacts", alert_contact_group_name=group_name, contact_ids=[c.id for c in contacts], opts=child)
            objects.append(alicloud.arms.DispatchRuleNotifyRuleNotifyObjectArgs(
                notify_object_id=group.id, notify_type="ARMS_CONTACT_GROUP", name=group_name))
            channels.add("email")
        for c in args.contacts:
            if c.kind in ROBOTS:
                robot_type, channel = ROBOTS[c.kind]
                robot = alicloud.arms.AlertRobot(
                    f"{name}-robot-{c.name}", alert_robot_name=f"{args.name_prefix}-{c.name}",
                    robot_type=robot_type, robot_addr=c.address, opts=child)
                objects.append(alicloud.arms.DispatchRuleNotifyRuleNotifyObjectArgs(
                    notify_object_id=robot.id, notify_type="ARMS_ROBOT", name=f"{args.name_prefix}-{c.name}"))
                channels.add(channel)
        rule = alicloud.arms.DispatchRule(
            f"{name}-dispatch",
            dispatch_rule_name=f"{args.name_prefix}-argo",
            dispatch_type="CREATE_ALERT",
            is_recover=True,
            # One notification per alert and namespace; repeated hourly while it holds.
            group_rules=[alicloud.arms.DispatchRuleGroupRuleArgs(
                group_wait_time=30, group_interval=300, repeat_interval=3600,
                grouping_fields=["alertname", "namespace"])],
            # Only this stack's rules: their names carry the stack's prefix.
            label_match_expression_grids=[alicloud.arms.DispatchRuleLabelMatchExpressionGridArgs(
                label_match_expression_groups=[alicloud.arms.DispatchRuleLabelMatchExpressionGridLabelMatchExpressionGroupArgs(
                    label_match_expressions=[
                        alicloud.arms.DispatchRuleLabelMatchExpressionGridLabelMatchExpressionGroupLabelMatchExpressionArgs(
                            key="_aliyun_arms_alert_name", value=f"^{args.name_prefix}-argo-.*", operator="re")])])],
            notify_rules=[alicloud.arms.DispatchRuleNotifyRuleArgs(
                notify_objects=objects, notify_channels=sorted(channels),
                notify_start_time="00:00", notify_end_time="23:59")],
            opts=child,
        )
        return rule.id
