"""askflow's CrossGuard policy pack (https://www.pulumi.com/docs/iac/using-pulumi/crossguard/).

Each rule of :mod:`askflow.policies.rules` becomes one mandatory stack policy, so a preview or an
update that breaks one fails, the same way ``askflow plan`` exits 1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy import EnforcementLevel, PolicyPack, ReportViolation, StackValidationArgs, StackValidationPolicy
from pulumi_policy.proxy import _DictProxy, _is_unknown, _ListProxy

from askflow.policies.rules import RULES, UNKNOWN_VALUE, Resource, Rule


def plain(value: Any) -> Any:
    """Resource properties without pulumi_policy's unknown-checking proxies.

    Reading a proxy raises for values that are unknown during preview (ids of resources not
    created yet), which would turn every mandatory rule into a "cannot run during preview"
    advisory. Unknowns become :data:`UNKNOWN_VALUE`; the rules treat them as not yet decidable.
    The engine marks an unknown with one sentinel per type (string, bool, number, array, object,
    asset, archive: ``pulumi_policy.proxy``); every one of them is unknown here, not just the string's.
    """
    if isinstance(value, _DictProxy | _ListProxy):
        value = value["__target"]
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [plain(v) for v in value]
    return UNKNOWN_VALUE if _is_unknown(value) else value


def _parent(r: Any) -> str:
    """The parent's URN. AnalyzeStack gives each resource its parent (pulumi_policy links it as
    ``r.parent``, a PolicyResource); ``opts.parent`` is only a fallback, as the engine need not fill
    it for stack policies, and rules that match a bucket's ACL by component need the real parent."""
    parent = getattr(r, "parent", None)
    return str(getattr(parent, "urn", "") or getattr(r.opts, "parent", None) or "")


def _view(r: Any) -> Resource:
    provider = getattr(r, "provider", None)
    return Resource(
        urn=r.urn,
        type=r.resource_type,
        name=r.name,
        inputs=plain(r.props),
        protect=bool(r.opts.protect),
        provider=(getattr(provider, "urn", "") or "") if provider is not None else "",
        parent=_parent(r),
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
