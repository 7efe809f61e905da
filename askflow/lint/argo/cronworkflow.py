"""CronWorkflow checks: name length, schedules, timezone, concurrencyPolicy, startingDeadlineSeconds,
then the workflow it would start (validate.go: ValidateCronWorkflow)."""

from __future__ import annotations

from typing import Any

from askflow.lint import cron
from askflow.lint.argo.documents import CONCURRENCY_POLICIES, MAX_CRON_NAME, Checks, Holder, d, goq, lst, text

RULES = ("name-too-long", "cron-schedule", "cron-timezone", "cron-concurrency-policy", "cron-starting-deadline")


class CronChecks(Checks):
    def validate_cron(self, obj: dict[str, Any], holder: Holder) -> None:  # (11)
        meta = d(obj.get("metadata"))
        spec = d(obj.get("spec"))
        name = text(meta.get("name"))
        if len(name) > MAX_CRON_NAME:
            self.emit(
                "name-too-long",
                "metadata.name",
                f"cron workflow name {goq(name)} must not be more than 52 characters long (currently {len(name)})",
            )
        schedules = [s for s in lst(spec.get("schedules"))]
        if not schedules:
            self.emit("cron-schedule", "spec.schedules", "cron workflow must have at least one schedule")
        for i, schedule in enumerate(schedules):
            try:
                cron.parse_standard(text(schedule))
            except cron.CronError as exc:
                self.emit(
                    "cron-schedule",
                    f"spec.schedules[{i}]",
                    f"cron schedule {text(schedule)} is malformed: {exc}",
                )
        timezone = spec.get("timezone")
        if isinstance(timezone, str):
            problem = cron.timezone_error(timezone)
            if problem:
                self.emit("cron-timezone", "spec.timezone", f"invalid timezone {goq(timezone)}: {problem}")
        policy = spec.get("concurrencyPolicy")
        if isinstance(policy, str) and policy not in CONCURRENCY_POLICIES:
            self.emit(
                "cron-concurrency-policy",
                "spec.concurrencyPolicy",
                f"'{policy}' is not a valid concurrencyPolicy",
            )
        deadline = spec.get("startingDeadlineSeconds")
        if isinstance(deadline, int) and not isinstance(deadline, bool) and deadline < 0:
            self.emit(
                "cron-starting-deadline",
                "spec.startingDeadlineSeconds",
                "startingDeadlineSeconds must be positive",
            )
        # ConvertCronWorkflowToWorkflow, then ValidateWorkflow with empty options.
        self.validate_workflow(
            holder,
            lint=False,
            ignore_entrypoint=False,
            workflow_template=False,
            prefix="cannot validate Workflow: ",
        )
