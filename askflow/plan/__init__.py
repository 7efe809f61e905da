"""``askflow plan``: a whole stack planned offline, without cloud credentials.

:func:`plan_stack` reads the stack file, validates its settings (one-line errors), runs the
program under recording mocks (:mod:`askflow.plan.runner`) and returns a :class:`Plan`: every
resource with its engine inputs, options and dependencies, and the stack outputs (secrets masked).
:meth:`Plan.to_json` is canonical, so the same stack planned twice is byte-identical.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from askflow import yamlio
from askflow.plan.contract.check import Finding, KeyIndex, check_resources
from askflow.plan.mocks import Registration
from askflow.plan.runner import ProgramRun, run_program
from askflow.settings import PLATFORM_KEY, REGION_KEY
from askflow.stacks import Project, StackConfig, load_project, load_settings, read_stack


@dataclass
class Plan:
    """A planned stack."""

    project: str
    stack: str
    stack_file: str
    resources: list[Registration]
    outputs: dict[str, Any]
    secret_outputs: tuple[str, ...] = ()
    warnings: list[str] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)
    """The stack file's ``config`` as written (to name the key a value came from)."""
    defaults: dict[str, Any] = field(default_factory=dict)
    """The settings the program got, defaults included, under their stack-file key."""
    contract_errors: list[Finding] = field(default_factory=list)
    """Inputs the providers would refuse (:mod:`askflow.plan.contract.check`)."""

    def by_urn(self) -> dict[str, Registration]:
        return {r.urn: r for r in self.resources}

    def of_type(self, typ: str) -> list[Registration]:
        return [r for r in self.resources if r.type == typ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "stack": self.stack,
            "resources": [
                {
                    "urn": r.urn,
                    "type": r.type,
                    "name": r.name,
                    "parent": r.parent,
                    "provider": r.provider,
                    "inputs": r.inputs,
                    "options": {
                        "protect": r.protect,
                        "retain_on_delete": r.retain_on_delete,
                        "delete_before_replace": r.delete_before_replace,
                        "ignore_changes": r.ignore_changes,
                        "depends_on": r.explicit_dependencies,
                    },
                    "dependencies": r.dependencies,
                }
                for r in self.resources
            ],
            "outputs": self.outputs,
        }

    def to_json(self) -> str:
        return yamlio.dumps_json(self.to_dict())


def plan_from_run(run: ProgramRun, stack_file: str) -> Plan:
    return Plan(
        project=run.project,
        stack=run.stack,
        stack_file=stack_file,
        resources=run.registrations,
        outputs=run.outputs,
        secret_outputs=run.secret_outputs,
        warnings=list(run.warnings),
    )


def hold_to_contract(plan: Plan) -> Plan:
    """Check every resource against the providers' contract: errors on the plan, warnings with its warnings."""
    findings = check_resources(plan.resources, KeyIndex(plan.config, plan.defaults))
    plan.contract_errors = [f for f in findings if f.severity == "error"]
    plan.warnings.extend(f.line() for f in findings if f.severity == "warning")
    return plan


def _planned(project: Project, stack_config: StackConfig, region: str, defaults: dict[str, Any]) -> Plan:
    plan = plan_from_run(run_program(project, stack_config, region), stack_config.file)
    plan.config = dict(stack_config.config)
    plan.defaults = defaults
    return hold_to_contract(plan)


def plan_config(project: Project, stack_config: StackConfig, region: str) -> Plan:
    """Plan a stack whose config is already read (``askflow stack new`` plans before writing)."""
    return _planned(project, stack_config, region, {})


def plan_stack(stack: str, project_root: str | Path = ".") -> Plan:
    """Plan ``environments/Pulumi.<stack>.yaml`` of the project at ``project_root``.

    Raises :class:`~askflow.errors.AskflowError` for a missing stack, bad YAML or bad settings,
    before anything runs. Provider contract errors are on ``Plan.contract_errors``.
    """
    project = load_project(project_root)
    stack_config = read_stack(project, stack)
    defaults: dict[str, Any] = {}
    if project.name == "askflow":
        settings = load_settings(stack_config)
        region = settings.region
        defaults = {PLATFORM_KEY: settings.model_dump(mode="json", exclude={"region"})}
    else:
        region = str(stack_config.config.get(REGION_KEY) or "cn-hangzhou")
    return _planned(project, stack_config, region, defaults)
