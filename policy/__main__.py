"""askflow's CrossGuard policy pack (https://www.pulumi.com/docs/iac/using-pulumi/crossguard/).

Each rule of :mod:`askflow.policies.rules` becomes one mandatory stack policy, so a preview or an
update that breaks one fails, the same way ``askflow plan`` exits 1.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, PolicyPack, ReportViolation, StackValidationArgs, StackValidationPolicy

from askflow.policies.rules import RULES, Resource, Rule


def _view(r: Any) -> Resource:
    provider = getattr(r, "provider", None)
    return Resource(
        urn=r.urn,
        type=r.resource_type,
        name=r.name,
        inputs=dict(r.props),
        protect=bool(r.opts.protect),
        provider=(getattr(provider, "urn", "") or "") if provider is not None else "",
        parent=(r.opts.parent or ""),
    )


def _policy(rule: Rule) -> StackValidationPolicy:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        resources = [_view(r) for r in args.resources]
        for violation in rule.check(resources):
            report_violation(violation.message, violation.urn)

    return StackValidationPolicy(
        name=rule.name,
        description=rule.description,
        enforcement_level=EnforcementLevel.MANDATORY,
        validate=validate,
    )


PolicyPack(name="askflow", enforcement_level=EnforcementLevel.MANDATORY, policies=[_policy(r) for r in RULES])
