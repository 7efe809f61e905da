"""Admission: a workflow in a tenant namespace names artifacts only inside its tenant's prefix.

argo-server serves an artifact from the location in the workflow's status with its own RAM role,
after checking only that the caller may read the workflow (Argo v4.0.6 and v4.0.10
``server/artifacts/artifact_server.go``, ``getArtifactAndDriver``: the artifact's own location,
else the template's ``archiveLocation``, else the namespace's artifact repository). That role
reads every tenant's prefix, so a tenant that could write ``oss.key: ml/...`` into a workflow
could read the ``ml`` tenant's artifacts through the UI. This ValidatingAdmissionPolicy
(admissionregistration.k8s.io/v1, GA in Kubernetes 1.30:
https://kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/) refuses
that; each tenant component binds it to its namespace.

What an artifact location in a tenant namespace may be (the namespace is ``request.namespace``):

- ``oss`` with a key under ``<tenant>/`` (or ``uploads/<tenant>/``), in the stack's bucket and
  endpoint or none (the namespace's repository fills them in); credential Secrets it might name
  are read with the requester's own rights, and tenant users read no Secrets;
- ``raw``, ``http``, ``git`` (nothing argo-server reads with its RAM role); no ``s3``, ``gcs``,
  ``azure``, ``hdfs``, ``artifactory`` or ``plugin`` (another store, other credentials);
- keys hold no ``..``, no empty segment (``//``), no ``.`` segment, no backslash, and do not start
  with ``/`` (the prefix test fails): the same path tricks Argo v4.1 refuses for upload keys
  (``server/utils/artifactkey.go``);
- a templated key (``{{...}}``) is accepted only after a literal ``<tenant>/``; what it resolves to
  is checked again where admission sees it: in the executor's WorkflowTaskResults and in the
  workflow status the controller writes (a ``..`` coming from a parameter is refused there).
- ``spec.artifactRepositoryRef`` names only the namespace's own ``artifact-repositories``.

Checked: Workflows, WorkflowTemplates, CronWorkflows (``spec.workflowSpec``) on create and update
(arguments, every template's inputs, outputs, ``archiveLocation``, ``data`` artifact paths, steps'
and DAG tasks' arguments and hooks, one level of inline templates, ``templateDefaults``, workflow
hooks), WorkflowTaskResults (the outputs the executor reports, which its service account writes),
and the nodes of a Workflow's status.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

POLICY_NAME = "askflow-tenant-artifacts"
ARTIFACT_REPOSITORIES = "artifact-repositories"
#: Artifact drivers a tenant may not use: another store and its own credentials.
FOREIGN_DRIVERS = ("s3", "gcs", "azure", "hdfs", "artifactory", "plugin")
#: The Argo kinds the policy checks (argoproj.io, any version).
RESOURCES = ("workflows", "workflowtemplates", "cronworkflows", "workflowtaskresults")


def _present(base: str, *fields: str) -> str:
    """``has(base.a) && has(base.a.b)``: CEL's has() needs every parent to exist."""
    parts, path = [], base
    for f in fields:
        path = f"{path}.{f}"
        parts.append(f"has({path})")
    return " && ".join(parts)


def _each(base: str, fields: tuple[str, ...], var: str, body: str) -> str:
    """``body`` holds for every element of the list ``base.fields`` (absent: vacuously)."""
    path = ".".join((base, *fields))
    return f"(!({_present(base, *fields)}) || {path}.all({var}, {body}))"


def _each_value(base: str, fields: tuple[str, ...], var: str, body: Callable[[str], str]) -> str:
    """``body(value)`` holds for every value of the map ``base.fields`` (absent: vacuously)."""
    path = ".".join((base, *fields))
    return f"(!({_present(base, *fields)}) || {path}.all({var}, {body(f'{path}[{var}]')}))"


def key_ok(k: str) -> str:
    """A key under the tenant's prefix, without path tricks (see the module docstring)."""
    prefix = "request.namespace + '/'"
    return (
        f"(({k}.startsWith({prefix}) || {k}.startsWith('uploads/' + {prefix}))"
        f" && !{k}.contains('..') && !{k}.contains('//') && !{k}.contains('/./') && !{k}.endsWith('/.')"
        f" && !{k}.contains('\\\\'))"
    )


def location_ok(a: str, bucket: str, endpoint: str) -> str:
    """An artifact (or artifact location) ``a`` a tenant may name."""
    foreign = " && ".join(f"!has({a}.{d})" for d in FOREIGN_DRIVERS)
    oss = f"{a}.oss"
    return (
        f"({foreign} && (!has({oss}) || ("
        f"(!has({oss}.bucket) || {oss}.bucket in ['', '{bucket}'])"
        f" && (!has({oss}.endpoint) || {oss}.endpoint in ['', '{endpoint}'])"
        f" && has({oss}.key) && {key_ok(f'{oss}.key')})))"
    )


def _arguments_ok(x: str, var: str, bucket: str, endpoint: str) -> str:
    return _each(x, ("arguments", "artifacts"), var, location_ok(var, bucket, endpoint))


def _hooks_ok(x: str, var: str, bucket: str, endpoint: str) -> str:
    return _each_value(x, ("hooks",), f"{var}h", lambda hook: _arguments_ok(hook, f"{var}a", bucket, endpoint))


def template_checks(t: str, bucket: str, endpoint: str, depth: int = 0) -> list[str]:
    """Every artifact a template ``t`` names, one expression per place: inputs, outputs, archive
    location, data source, and the arguments, hooks and inline templates (one level) of its steps
    and DAG tasks."""
    v = f"a{depth}"
    checks = [
        _each(t, ("inputs", "artifacts"), v, location_ok(v, bucket, endpoint)),
        _each(t, ("outputs", "artifacts"), v, location_ok(v, bucket, endpoint)),
        f"(!has({t}.archiveLocation) || {location_ok(f'{t}.archiveLocation', bucket, endpoint)})",
        f"(!({_present(t, 'data', 'source', 'artifactPaths')}) || "
        f"{location_ok(f'{t}.data.source.artifactPaths', bucket, endpoint)})",
    ]
    s, p = f"s{depth}", f"p{depth}"
    step_checks = [_arguments_ok(s, f"{s}a", bucket, endpoint), _hooks_ok(s, s, bucket, endpoint)]
    if depth == 0:
        step_checks.append(f"(!has({s}.inline) || {template_ok(f'{s}.inline', bucket, endpoint, depth + 1)})")
    else:
        step_checks.append(f"!has({s}.inline)")  # an inline template inside an inline template: refused
    for check in step_checks:
        checks.append(_each(t, ("steps",), p, f"{p}.all({s}, {check})"))
        checks.append(_each(t, ("dag", "tasks"), s, check))
    return checks


def template_ok(t: str, bucket: str, endpoint: str, depth: int = 0) -> str:
    return "(" + " && ".join(template_checks(t, bucket, endpoint, depth)) + ")"


def spec_checks(spec: str, bucket: str, endpoint: str) -> list[str]:
    """Every artifact a WorkflowSpec names, and its artifact repository reference, one expression
    per place (short expressions: each is parsed, and its cost budgeted, on its own)."""
    defaults = f"{spec}.templateDefaults"
    return [
        _arguments_ok(spec, "wa", bucket, endpoint),
        *(_each(spec, ("templates",), "t", check) for check in template_checks("t", bucket, endpoint)),
        *(f"(!has({defaults}) || {check})" for check in template_checks(defaults, bucket, endpoint)),
        _hooks_ok(spec, "w", bucket, endpoint),
        f"(!({_present(spec, 'artifactRepositoryRef', 'configMap')}) || "
        f"{spec}.artifactRepositoryRef.configMap == '{ARTIFACT_REPOSITORIES}')",
    ]


def policy_spec(bucket: str, endpoint: str) -> dict[str, object]:
    """The ValidatingAdmissionPolicy's spec (Kubernetes JSON field names)."""
    message = (
        "'an artifact in namespace ' + request.namespace + ' must be an OSS key under ' + request.namespace "
        "+ '/ (or uploads/' + request.namespace + '/) in the stack\\'s bucket, without \\'..\\', \\'//\\' or "
        "other storage drivers; see askflow README, Security'"
    )
    spec_var = ("object.kind == 'CronWorkflow' ? (has(object.spec) && has(object.spec.workflowSpec) ? "
                "object.spec.workflowSpec : {}) : (has(object.spec) ? object.spec : {})")
    return {
        "failurePolicy": "Fail",
        "matchConstraints": {"resourceRules": [{
            "apiGroups": ["argoproj.io"], "apiVersions": ["*"], "operations": ["CREATE", "UPDATE"],
            "resources": list(RESOURCES),
        }]},
        "variables": [{"name": "spec", "expression": spec_var}],
        "validations": [
            *({
                "expression": f"object.kind == 'WorkflowTaskResult' || {check}",
                "messageExpression": message,
                "reason": "Forbidden",
            } for check in spec_checks("variables.spec", bucket, endpoint)),
            {
                "expression": "object.kind != 'WorkflowTaskResult' || "
                + _each("object", ("outputs", "artifacts"), "r", location_ok("r", bucket, endpoint)),
                "messageExpression": message,
                "reason": "Forbidden",
            },
            {
                "expression": "object.kind != 'Workflow' || " + _each_value(
                    "object", ("status", "nodes"), "n",
                    lambda node: "(" + _each(node, ("inputs", "artifacts"), "i", location_ok("i", bucket, endpoint))
                    + " && " + _each(node, ("outputs", "artifacts"), "o", location_ok("o", bucket, endpoint)) + ")",
                ),
                "messageExpression": message,
                "reason": "Forbidden",
            },
        ],
    }


@dataclass(frozen=True, kw_only=True)
class ArtifactPolicyArgs:
    bucket_name: pulumi.Input[str]
    """The artifact bucket (the only one a tenant may name)."""
    oss_endpoint: str
    """The OSS endpoint of the namespaces' artifact repositories."""
    provider: k8s.Provider
    """The cluster's Kubernetes provider."""


class ArtifactPolicyComponent(pulumi.ComponentResource):
    """The cluster's tenant-artifact ValidatingAdmissionPolicy (``askflow:admission:ArtifactPolicy``);
    each tenant binds it to its namespace (:func:`components.tenants.TenantComponent`)."""

    policy: k8s.admissionregistration.v1.ValidatingAdmissionPolicy

    def __init__(self, name: str, args: ArtifactPolicyArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("askflow:admission:ArtifactPolicy", name, None, opts)
        spec = pulumi.Output.from_input(args.bucket_name).apply(lambda b: policy_spec(b, args.oss_endpoint))
        self.policy = k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
            f"{name}-policy",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=POLICY_NAME, labels={"app.kubernetes.io/managed-by": "askflow"}),
            spec=spec,  # type: ignore[arg-type]
            opts=pulumi.ResourceOptions(parent=self, provider=args.provider),
        )
        self.register_outputs({"policy": self.policy.metadata.apply(lambda m: m.name)})
