"""Where pod logs go: an SLS project and logstore with the stack's retention.

The ``logtail-ds`` add-on (installed by the cluster component) ships container stdout/stderr to
this project; ``logging_type``/``sls_project_name`` on the cluster are deprecated since provider
v1.229.1 in favour of the add-on. Argo also archives step logs to OSS (see the argo component).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_alicloud as alicloud

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
        self.project_name = project.project_name.apply(lambda p: p or args.project_name)
        self.logstore_name = store.logstore_name.apply(lambda s: s or "pods")
        self.register_outputs({"projectName": self.project_name, "logstoreName": self.logstore_name})
