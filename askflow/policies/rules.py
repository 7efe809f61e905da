"""The rules every askflow stack is held to (mandatory), as plain functions over planned resources.

Both the CrossGuard pack in ``policy/`` (``pulumi preview --policy-pack policy``) and
``askflow plan`` run these same functions, over :class:`Resource` views built from their own
inputs. A rule returns the violations it finds; each names the rule and the resource.

The environment class comes from the ``askflow-environment`` tag the program puts on every cloud
resource; a waiver (the public API endpoint) is the ``askflow-waiver-<rule>`` tag carrying the
reason the stack file gave.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from askflow.substrate import ACK_ONE_CLUSTER, ACK_ONE_WORKFLOW_PROFILE, CLUSTER_TYPES, SERVERLESS_KUBERNETES

ENV_TAG = "askflow-environment"
UNKNOWN_VALUE = "[unknown]"  # a value the engine does not know yet (preview of a new stack)
WAIVER_TAG_PREFIX = "askflow-waiver-"

BUCKET = "alicloud:oss/bucket:Bucket"
BUCKET_ACL = "alicloud:oss/bucketAcl:BucketAcl"
BUCKET_PAB = "alicloud:oss/bucketPublicAccessBlock:BucketPublicAccessBlock"
BUCKET_POLICY = "alicloud:oss/bucketPolicy:BucketPolicy"
RAM_POLICY = "alicloud:ram/policy:Policy"
ACCESS_KEY_TYPES = ("alicloud:ram/accessKey:AccessKey",)
STATEFUL = (
    BUCKET,
    *CLUSTER_TYPES,
    ACK_ONE_CLUSTER,  # argo.engine ack-one: the provider has no deletion protection for it, so protect is all there is
    "alicloud:kms/key:Key",
    "alicloud:log/project:Project",
    "alicloud:log/store:Store",
    "alicloud:rds/instance:Instance",
)


@dataclass(frozen=True)
class Resource:
    """What a rule sees of a resource: engine (camelCase) inputs and the options that matter."""

    urn: str
    type: str
    name: str
    inputs: Mapping[str, Any]
    protect: bool = False
    provider: str = ""
    parent: str = ""

    @property
    def tags(self) -> Mapping[str, str]:
        tags = self.inputs.get("tags")
        return tags if isinstance(tags, Mapping) else {}

    @property
    def environment(self) -> str | None:
        env = self.tags.get(ENV_TAG)
        return str(env) if env else None

    def waiver(self, rule: str) -> str | None:
        reason = self.tags.get(WAIVER_TAG_PREFIX + rule)
        return str(reason) if reason else None


@dataclass(frozen=True)
class Violation:
    rule: str
    urn: str
    message: str

    def line(self) -> str:
        return f"{self.rule}: {self.urn}: {self.message}"


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    check: Callable[[Sequence[Resource]], Iterable[Violation]] = field(compare=False)


def _stack_environment(resources: Sequence[Resource]) -> str | None:
    for r in resources:
        if r.environment:
            return r.environment
    return None


def _each(resources: Sequence[Resource], *types: str) -> Iterable[Resource]:
    return (r for r in resources if r.type in types)


def _bucket_key(r: Resource) -> str:
    """Which bucket an ACL or access block is for: its name, or (still unknown in a preview of a
    new stack) the component it was created in beside the bucket."""
    name = r.inputs.get("bucket")
    return f"parent:{r.parent}" if name in (None, UNKNOWN_VALUE) else str(name)


def _bucket_private(resources: Sequence[Resource]) -> Iterable[Violation]:
    acls = {_bucket_key(r): r for r in _each(resources, BUCKET_ACL)}
    blocks = {_bucket_key(r): r for r in _each(resources, BUCKET_PAB)}
    for acl in acls.values():
        if acl.inputs.get("acl") != "private":
            yield Violation("bucket-private", acl.urn, f"bucket ACL is {acl.inputs.get('acl')!r}; it must be private")
    for block in blocks.values():
        if block.inputs.get("blockPublicAccess") is not True:
            yield Violation("bucket-private", block.urn, "public access block must be on (blockPublicAccess: true)")
    for b in _each(resources, BUCKET):
        name = str(b.inputs.get("bucket"))
        if b.inputs.get("acl") not in (None, "private"):
            yield Violation("bucket-private", b.urn, f"bucket acl is {b.inputs.get('acl')!r}; it must be private")
        if name not in acls and f"parent:{b.parent}" not in acls:
            yield Violation("bucket-private", b.urn, "no oss.BucketAcl(acl='private') for this bucket")
        if name not in blocks and f"parent:{b.parent}" not in blocks:
            yield Violation("bucket-private", b.urn, "no oss.BucketPublicAccessBlock for this bucket")


def _denies_plain_http(document: Any, bucket: str) -> bool:
    """Whether a bucket policy denies every principal every OSS action over plain HTTP, on the
    bucket and on its objects (``Bool: {acs:SecureTransport: false}``)."""
    for stmt in _statements(document):
        condition = stmt.get("Condition")
        secure = condition.get("Bool") if isinstance(condition, Mapping) else None
        if (
            stmt.get("Effect") != "Deny"
            or not isinstance(secure, Mapping)
            or [v.lower() for v in _as_list(secure.get("acs:SecureTransport"))] != ["false"]
            or "*" not in _as_list(stmt.get("Principal"))
            or not {"oss:*", "*"} & set(_as_list(stmt.get("Action")))
        ):
            continue
        resources = set(_as_list(stmt.get("Resource")))
        if bucket in ("None", UNKNOWN_VALUE):
            # The name is not known yet (a preview of a new stack): the deny must still cover one
            # whole bucket, itself and its objects, to be that bucket's (OSS takes no other's).
            names = {r[len("acs:oss:*:*:"):] for r in resources if isinstance(r, str) and r.startswith("acs:oss:*:*:")}
            if any(n and "/" not in n and f"{n}/*" in names for n in names):
                return True
        elif {f"acs:oss:*:*:{bucket}", f"acs:oss:*:*:{bucket}/*"} <= resources:
            return True
    return False


def _bucket_https_only(resources: Sequence[Resource]) -> Iterable[Violation]:
    """The bucket's policy (its own ``policy`` input, or an ``oss.BucketPolicy`` for it) denies
    plain HTTP."""
    policies = {_bucket_key(r): r for r in _each(resources, BUCKET_POLICY)}
    for b in _each(resources, BUCKET):
        name = str(b.inputs.get("bucket"))
        holder = b if b.inputs.get("policy") else policies.get(name) or policies.get(f"parent:{b.parent}")
        if holder is None:
            yield Violation("bucket-https-only", b.urn, "no bucket policy denies plain-HTTP requests to this bucket")
            continue
        document = holder.inputs.get("policy")
        if document == UNKNOWN_VALUE:
            continue  # not known before the update; the next preview decides
        if not _denies_plain_http(document, name):
            yield Violation(
                "bucket-https-only", holder.urn,
                "the bucket policy must deny oss:* to every principal on the bucket and bucket/* when "
                "acs:SecureTransport is false",
            )


def _object(r: Resource, key: str) -> Mapping[str, Any] | None:
    """An object input, ``{}`` when unset or not an object; None while a preview does not know it
    yet (the next preview decides)."""
    value = r.inputs.get(key)
    if value == UNKNOWN_VALUE:
        return None
    return value if isinstance(value, Mapping) else {}


def _objects(r: Resource, key: str) -> list[Mapping[str, Any]] | None:
    """The known objects of a list input (a preview may not know some, or the whole list: None)."""
    value = r.inputs.get(key)
    if value == UNKNOWN_VALUE:
        return None
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _bucket_encrypted(resources: Sequence[Resource]) -> Iterable[Violation]:
    for b in _each(resources, BUCKET):
        sse = _object(b, "serverSideEncryptionRule")
        if sse is not None and sse.get("sseAlgorithm") not in ("AES256", "KMS", UNKNOWN_VALUE):
            yield Violation("bucket-encrypted", b.urn, "server-side encryption (AES256 or KMS) must be set")


def _bucket_lifecycle(resources: Sequence[Resource]) -> Iterable[Violation]:
    for b in _each(resources, BUCKET):
        known = _objects(b, "lifecycleRules")
        raw = b.inputs.get("lifecycleRules")
        if known is None or (isinstance(raw, list) and UNKNOWN_VALUE in raw):
            continue  # a rule the preview does not know yet may be the one
        rules = [r for r in known if r.get("enabled")]
        if not any(r.get("expirations") for r in rules):
            yield Violation("bucket-lifecycle", b.urn, "no enabled lifecycle rule expires objects")
        if not any(r.get("abortMultipartUploads") for r in rules):
            yield Violation("bucket-lifecycle", b.urn, "no enabled lifecycle rule aborts incomplete multipart uploads")


# The actions of an OSS lifecycle rule, as engine inputs. Transitions count as the same action
# only when they go to the same storage class (OSS error 0014-00000079).
_LIFECYCLE_ACTIONS = ("expirations", "abortMultipartUploads", "noncurrentVersionExpirations")
_LIFECYCLE_TRANSITIONS = ("transitions", "noncurrentVersionTransitions")


def _lifecycle_actions(rule: Mapping[str, Any]) -> set[str]:
    actions = {key for key in _LIFECYCLE_ACTIONS if rule.get(key)}
    for key in _LIFECYCLE_TRANSITIONS:
        transitions = rule.get(key)
        if isinstance(transitions, list):
            actions.update(f"{key} to {t.get('storageClass')}" for t in transitions if isinstance(t, Mapping))
    return actions


def _bucket_lifecycle_accepted(resources: Sequence[Resource]) -> Iterable[Violation]:
    """Lifecycle rules OSS accepts (PutBucketLifecycle): a rule's prefix is unique (error
    0014-00000085), and rules whose prefixes overlap may not share an action (0014-00000084)
    unless the bucket allows it (``lifecycleRuleAllowSameActionOverlap``)."""
    for b in _each(resources, BUCKET):
        rules = _objects(b, "lifecycleRules") or []
        overlap_allowed = b.inputs.get("lifecycleRuleAllowSameActionOverlap") is True
        for i, first in enumerate(rules):
            for second in rules[i + 1:]:
                a, z = str(first.get("prefix") or ""), str(second.get("prefix") or "")
                names = f"{first.get('id') or a!r} and {second.get('id') or z!r}"
                if a == z:
                    yield Violation("bucket-lifecycle-accepted", b.urn,
                                    f"lifecycle rules {names} have the same prefix {a!r}; OSS refuses that: "
                                    "put the actions for one prefix in one rule")
                    continue
                shared = _lifecycle_actions(first) & _lifecycle_actions(second)
                if (a.startswith(z) or z.startswith(a)) and shared and not overlap_allowed:
                    yield Violation("bucket-lifecycle-accepted", b.urn,
                                    f"lifecycle rules {names} overlap ({a!r}, {z!r}) with the same action "
                                    f"({', '.join(sorted(shared))}); OSS refuses that unless "
                                    "lifecycle_rule_allow_same_action_overlap is set")


def _bucket_versioned_prod(resources: Sequence[Resource]) -> Iterable[Violation]:
    for b in _each(resources, BUCKET):
        versioning = _object(b, "versioning")
        if b.environment == "prod" and versioning is not None and versioning.get("status") not in ("Enabled", UNKNOWN_VALUE):
            yield Violation("bucket-versioned-in-prod", b.urn, "prod buckets must have versioning Enabled")


def _cluster_public(c: Resource) -> bool:
    """Whether the cluster's API server gets an internet endpoint. ASK's endpointPublicAccessEnabled
    defaults to false; ManagedKubernetes' slbInternetEnabled defaults to true in the provider's
    schema (resource_alicloud_cs_managed_kubernetes.go l. 356-360 at 81c43b67), so there only an
    explicit false is private."""
    if c.type == SERVERLESS_KUBERNETES:
        return bool(c.inputs.get("endpointPublicAccessEnabled"))
    return c.inputs.get("slbInternetEnabled") is not False


def _cluster_api_private(resources: Sequence[Resource]) -> Iterable[Violation]:
    for c in _each(resources, *CLUSTER_TYPES):
        if _cluster_public(c) and not c.waiver("public-endpoint"):
            yield Violation(
                "cluster-api-private", c.urn,
                "the API server is public; keep it private or set cluster.public_endpoint_reason in the stack file",
            )


def _cluster_rrsa(resources: Sequence[Resource]) -> Iterable[Violation]:
    for c in _each(resources, *CLUSTER_TYPES):
        if c.inputs.get("enableRrsa") is not True:
            yield Violation("cluster-rrsa", c.urn, "RRSA must be enabled (enableRrsa: true): no access keys in pods")


def _prod_deletion_protection(resources: Sequence[Resource]) -> Iterable[Violation]:
    checks = {
        **{t: ("deletionProtection", True) for t in CLUSTER_TYPES},
        "alicloud:rds/instance:Instance": ("deletionProtection", True),
        "alicloud:kms/key:Key": ("deletionProtection", "Enabled"),
    }
    for r in resources:
        if r.type in checks and r.environment == "prod":
            key, want = checks[r.type]
            if r.inputs.get(key) != want:
                yield Violation("deletion-protection-in-prod", r.urn, f"{key} must be {want!r} in prod")


def _prod_protect(resources: Sequence[Resource]) -> Iterable[Violation]:
    env = _stack_environment(resources)
    for r in _each(resources, *STATEFUL):
        if (r.environment or env) == "prod" and not r.protect:
            yield Violation("protect-stateful-in-prod", r.urn, "stateful resources must have protect=True in prod")


def _no_access_keys(resources: Sequence[Resource]) -> Iterable[Violation]:
    for r in _each(resources, *ACCESS_KEY_TYPES):
        yield Violation("no-access-keys", r.urn, "RAM access keys are not allowed: use RRSA roles")
    for r in resources:
        if r.type.startswith("kubernetes:") and r.type.endswith("ConfigMap"):
            text, what = json.dumps(r.inputs.get("data") or {}), "artifact repository"
        elif r.type == "kubernetes:helm.sh/v3:Release":
            text, what = json.dumps(r.inputs.get("values") or {}), "Helm values"
        else:
            continue
        if any(word in text for word in ("accessKeySecret", "secretKeySecret", "securityToken")):
            yield Violation("no-access-keys", r.urn, f"{what} name static OSS credentials; use useSDKCreds (RRSA)")


def _statements(document: Any) -> list[Mapping[str, Any]]:
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return []
    if not isinstance(document, Mapping):
        return []
    stmts = document.get("Statement") or []
    return [s for s in (stmts if isinstance(stmts, list) else [stmts]) if isinstance(s, Mapping)]


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def wildcard_problems(document: Any) -> list[str]:
    """Why a RAM policy document is too broad (``*`` resources, ``*`` or ``service:*`` actions)."""
    problems = []
    for i, stmt in enumerate(_statements(document)):
        if stmt.get("Effect") != "Allow":
            continue
        for res in _as_list(stmt.get("Resource")):
            if res == "*" or res.rstrip("*:") in ("acs", "") or res.endswith(":*:*:*") :
                problems.append(f"Statement[{i}] allows Resource {res!r}")
        for action in _as_list(stmt.get("Action")):
            # `*`, `*:Get…` and every action of a service (`oss:*`, `ram:*`).
            if action == "*" or action.startswith("*:") or action.endswith(":*"):
                problems.append(f"Statement[{i}] allows Action {action!r}")
    return problems


def _ram_no_wildcards(resources: Sequence[Resource]) -> Iterable[Violation]:
    for r in _each(resources, RAM_POLICY):
        for problem in wildcard_problems(r.inputs.get("policyDocument") or r.inputs.get("document")):
            yield Violation("ram-no-wildcard-resources", r.urn, problem)


# RAM actions that write a policy document (or attach one to a user or group): whoever holds one
# can write `Action: *` and grant it. No policy askflow plans ever allows them (issue #20).
RAM_POLICY_WRITES = (
    "ram:CreatePolicy", "ram:CreatePolicyVersion", "ram:DeletePolicyVersion", "ram:SetDefaultPolicyVersion",
    "ram:AttachPolicyToUser", "ram:AttachPolicyToGroup",
)
RAM_ATTACH_TO_ROLE = ("ram:AttachPolicyToRole",)


def _matches(pattern: str, action: str) -> bool:
    """Whether an action pattern of a policy (``ram:Create*``, ``ram:*``, ``*``) covers ``action``."""
    from fnmatch import fnmatchcase

    return fnmatchcase(action.lower(), pattern.lower())


def _allowed(stmt: Mapping[str, Any], actions: Iterable[str]) -> list[str]:
    patterns = _as_list(stmt.get("Action"))
    return [a for a in actions if any(_matches(p, a) for p in patterns)]


def ram_policy_write_problems(document: Any) -> list[str]:
    """Why a RAM policy lets its holder grant more than it has: it allows writing policy documents,
    or attaching a policy it does not name (a wildcard, or any system policy)."""
    problems = []
    for i, stmt in enumerate(_statements(document)):
        if stmt.get("Effect") != "Allow":
            continue
        for action in _allowed(stmt, RAM_POLICY_WRITES):
            problems.append(f"Statement[{i}] allows {action}: a holder could write and grant any policy")
        if _allowed(stmt, RAM_ATTACH_TO_ROLE):
            policies = [r for r in _as_list(stmt.get("Resource")) if ":policy/" in r or r == "*" or r.endswith(":*")]
            loose = [r for r in policies if "*" in r.rsplit("/", 1)[-1] or ":system:" in r or "/" not in r]
            if not any(":policy/" in r for r in policies) or loose:
                problems.append(
                    f"Statement[{i}] allows ram:AttachPolicyToRole on {', '.join(loose) or 'no named policy'}: "
                    "name each custom policy that may be attached (never a pattern or a system policy)"
                )
    return problems


def _ram_no_policy_write(resources: Sequence[Resource]) -> Iterable[Violation]:
    for r in _each(resources, RAM_POLICY):
        for problem in ram_policy_write_problems(r.inputs.get("policyDocument") or r.inputs.get("document")):
            yield Violation("ram-no-policy-write", r.urn, problem)


# Services whose resources have ids, not names a policy could scope: writes to them must be denied on
# another environment class's resources, by the `askflow-environment` tag (the bootstrap's tag_scope).
TAG_SCOPED_SERVICES = ("cs", "ecs", "kms", "rds", "tag", "vpc")
_READ_VERBS = ("Describe", "Get", "List", "Query", "Check")


def _tag_denied(document: Any, action: str) -> bool:
    for stmt in _statements(document):
        condition = stmt.get("Condition")
        equals = condition.get("StringEquals") if isinstance(condition, Mapping) else None
        if stmt.get("Effect") != "Deny" or not isinstance(equals, Mapping) or not _allowed(stmt, [action]):
            continue
        if any(k.endswith(f"/{ENV_TAG}") and _as_list(v) for k, v in equals.items()):
            return True
    return False


def tag_scope_problems(document: Any) -> list[str]:
    """Write actions of ACK, ECS, KMS, RDS, Tag or VPC allowed on a whole region (a resource pattern)
    without a Deny of the same action on resources tagged with another environment class."""
    problems = []
    for i, stmt in enumerate(_statements(document)):
        if stmt.get("Effect") != "Allow" or not any("*" in r for r in _as_list(stmt.get("Resource"))):
            continue
        for action in _as_list(stmt.get("Action")):
            service, _, name = action.partition(":")
            if service not in TAG_SCOPED_SERVICES or name.startswith(_READ_VERBS) or action == "kms:GetKeyPolicy":
                continue
            if not _tag_denied(document, action):
                problems.append(
                    f"Statement[{i}] allows {action} on {', '.join(_as_list(stmt.get('Resource')))} with no Deny on "
                    f"resources whose {ENV_TAG} tag names another environment"
                )
    return problems


def _tag_scoped_statements(resources: Sequence[Resource]) -> Iterable[Violation]:
    for r in _each(resources, RAM_POLICY):
        for problem in tag_scope_problems(r.inputs.get("policyDocument") or r.inputs.get("document")):
            yield Violation("tag-scoped-statements", r.urn, problem)


def _k8s_explicit_provider(resources: Sequence[Resource]) -> Iterable[Violation]:
    for r in resources:
        if not r.type.startswith("kubernetes:"):
            continue
        if not r.provider or "::default" in r.provider:
            yield Violation("k8s-explicit-provider", r.urn, "uses the ambient (default) Kubernetes provider; pass the cluster's provider")


NAMESPACE = "kubernetes:core/v1:Namespace"
RESOURCE_QUOTA = "kubernetes:core/v1:ResourceQuota"
ADMISSION_POLICY = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy"
ADMISSION_BINDING = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding"
TENANT_LABEL = "askflow.dev/tenant"
#: What the artifact admission policy must check (components.admission): every Argo kind a tenant
#: writes or whose status argo-server serves artifacts from.
ADMISSION_RESOURCES = ("workflows", "workflowtemplates", "cronworkflows", "workflowtaskresults")


def _meta(r: Resource) -> Mapping[str, Any]:
    meta = r.inputs.get("metadata")
    return meta if isinstance(meta, Mapping) else {}


def _tenant_namespaces(resources: Sequence[Resource]) -> list[tuple[Resource, str]]:
    """The namespaces askflow made for tenants (labelled askflow.dev/tenant), with their names."""
    out = []
    for r in _each(resources, NAMESPACE):
        labels = _meta(r).get("labels")
        if isinstance(labels, Mapping) and TENANT_LABEL in labels:
            out.append((r, str(_meta(r).get("name") or labels[TENANT_LABEL])))
    return out


def _quota_limits(resources: Sequence[Resource]) -> Iterable[Violation]:
    """ECI sizes and bills a pod with limits by its limits: a quota on requests alone caps nothing."""
    quotas: dict[str, list[Resource]] = {}
    for q in _each(resources, RESOURCE_QUOTA):
        quotas.setdefault(str(_meta(q).get("namespace")), []).append(q)
    for ns, name in _tenant_namespaces(resources):
        if name not in quotas:
            yield Violation("tenant-quota-limits", ns.urn, f"tenant namespace {name!r} has no ResourceQuota")
    for q in _each(resources, RESOURCE_QUOTA):
        spec = _object(q, "spec")
        hard = spec.get("hard") if spec is not None else UNKNOWN_VALUE
        if hard == UNKNOWN_VALUE:
            continue
        missing = [k for k in ("limits.cpu", "limits.memory") if not isinstance(hard, Mapping) or k not in hard]
        if missing:
            yield Violation("tenant-quota-limits", q.urn,
                            f"the quota does not cap {', '.join(missing)}; ECI sizes and bills pods by their limits")


def _reserved_tenant_names(resources: Sequence[Resource]) -> Iterable[Violation]:
    from askflow.settings import RESERVED_TENANT_NAMES

    for ns, name in _tenant_namespaces(resources):
        if name in RESERVED_TENANT_NAMES or name.startswith("kube-"):
            why = RESERVED_TENANT_NAMES.get(name, "Kubernetes namespace")
            yield Violation("tenant-name-not-reserved", ns.urn, f"tenant name {name!r} is reserved ({why})")


def _admission_policy_problem(policy: Resource) -> str | None:
    """Why a ValidatingAdmissionPolicy would not guard tenants' artifacts (None: it would)."""
    spec = _object(policy, "spec")
    if spec is None:
        return None  # computed from the bucket name, unknown before a new stack's update
    if spec.get("failurePolicy") == "Ignore":
        return "its failurePolicy is Ignore: an expression that fails to evaluate would let the object in"
    rules = (spec.get("matchConstraints") or {}).get("resourceRules") or []
    covered = {res for rule in rules if isinstance(rule, Mapping) and "argoproj.io" in _as_list(rule.get("apiGroups"))
               and {"CREATE", "UPDATE"} <= set(_as_list(rule.get("operations"))) for res in _as_list(rule.get("resources"))}
    missing = [res for res in ADMISSION_RESOURCES if res not in covered]
    if missing:
        return f"it does not check {', '.join(missing)} (argoproj.io) on create and update"
    if not spec.get("validations"):
        return "it has no validations"
    return None


def _tenant_admission(resources: Sequence[Resource]) -> Iterable[Violation]:
    """Each tenant namespace is bound, with Deny, to an admission policy that keeps artifact keys in
    the tenant's prefix (components.admission): argo-server reads every tenant's prefix."""
    policies = {}
    for p in _each(resources, ADMISSION_POLICY):
        problem = _admission_policy_problem(p)
        if problem:
            yield Violation("tenant-admission-policy", p.urn, problem)
        else:
            policies[str(_meta(p).get("name"))] = p
    bound: set[str] = set()
    for b in _each(resources, ADMISSION_BINDING):
        spec = _object(b, "spec") or {}
        selector = ((spec.get("matchResources") or {}).get("namespaceSelector") or {}).get("matchLabels") or {}
        if spec.get("policyName") in policies and "Deny" in _as_list(spec.get("validationActions")) \
                and isinstance(selector, Mapping) and "kubernetes.io/metadata.name" in selector:
            bound.add(str(selector["kubernetes.io/metadata.name"]))
    for ns, name in _tenant_namespaces(resources):
        if name not in bound:
            yield Violation("tenant-admission-policy", ns.urn,
                            f"tenant namespace {name!r} is not bound (validationActions: [Deny]) to an admission "
                            "policy that keeps its artifact keys in its prefix")


def _managed_engine_alone(resources: Sequence[Resource]) -> Iterable[Violation]:
    """A stack on the managed engine (an ACK One cluster) is a workflow cluster and nothing else of the
    kind: profile XFlow (``Default`` is a Fleet instance, which runs Argo CD, not Argo Workflows:
    resource_alicloud_ack_one_cluster.go l. 71-77), no cluster of ``cluster.kind`` beside it and no Argo
    Helm release (a second controller would fight the managed one over the same Workflows)."""
    workflow_clusters = list(_each(resources, ACK_ONE_CLUSTER))
    for c in workflow_clusters:
        if c.inputs.get("profile") not in (ACK_ONE_WORKFLOW_PROFILE, UNKNOWN_VALUE):
            yield Violation("managed-engine-alone", c.urn,
                            f"an ACK One cluster of askflow's is a workflow cluster: profile must be {ACK_ONE_WORKFLOW_PROFILE!r}")
    if not workflow_clusters:
        return
    for r in _each(resources, *CLUSTER_TYPES, "kubernetes:helm.sh/v3:Release"):
        yield Violation("managed-engine-alone", r.urn,
                        "the stack runs Argo on an ACK One workflow cluster (argo.engine ack-one): no other cluster or "
                        "Argo Helm release may come with it")


RULES: tuple[Rule, ...] = (
    Rule("bucket-private", "OSS buckets are private: ACL private and public access blocked.", _bucket_private),
    Rule("bucket-https-only", "OSS buckets refuse plain-HTTP requests (bucket policy on acs:SecureTransport).", _bucket_https_only),
    Rule("bucket-encrypted", "OSS buckets have server-side encryption.", _bucket_encrypted),
    Rule("bucket-lifecycle", "OSS buckets expire objects and abort incomplete uploads.", _bucket_lifecycle),
    Rule(
        "bucket-lifecycle-accepted",
        "OSS bucket lifecycle rules are ones OSS accepts: one rule per prefix, overlapping same actions allowed explicitly.",
        _bucket_lifecycle_accepted,
    ),
    Rule("bucket-versioned-in-prod", "Prod buckets are versioned.", _bucket_versioned_prod),
    Rule("cluster-api-private", "The cluster API server is private unless waived with a reason.", _cluster_api_private),
    Rule("cluster-rrsa", "RRSA is on for every cluster.", _cluster_rrsa),
    Rule("deletion-protection-in-prod", "Cluster, database and KMS key have deletion protection in prod.", _prod_deletion_protection),
    Rule("protect-stateful-in-prod", "Stateful resources are `protect`ed in prod.", _prod_protect),
    Rule("no-access-keys", "No RAM access keys and no static OSS credentials anywhere.", _no_access_keys),
    Rule("ram-no-wildcard-resources", "RAM policies name their resources and actions; no wildcards.", _ram_no_wildcards),
    Rule("k8s-explicit-provider", "Every Kubernetes resource uses the cluster's explicit provider.", _k8s_explicit_provider),
    Rule(
        "ram-no-policy-write",
        "No RAM policy allows writing policy documents, or attaching a policy it does not name (CI can grant "
        "nothing a person did not approve).",
        _ram_no_policy_write,
    ),
    Rule(
        "tag-scoped-statements",
        "ACK, ECS, KMS, RDS, Tag and VPC writes allowed region-wide are denied on resources tagged with another "
        "environment class (askflow-environment).",
        _tag_scoped_statements,
    ),
    Rule("tenant-quota-limits", "Every tenant namespace has a ResourceQuota, and quotas cap limits.cpu and limits.memory (ECI bills by limits).", _quota_limits),
    Rule("tenant-name-not-reserved", "No tenant takes a reserved name (a bucket prefix the platform writes, a Kubernetes namespace).", _reserved_tenant_names),
    Rule("managed-engine-alone", "An ACK One cluster is a workflow cluster (profile XFlow), alone: no other cluster or Argo Helm release beside it.", _managed_engine_alone),
    Rule("tenant-admission-policy", "Every tenant namespace is bound (Deny) to the admission policy that keeps its artifact keys in its prefix.", _tenant_admission),
)


def evaluate(resources: Sequence[Resource], rules: Sequence[Rule] = RULES) -> list[Violation]:
    """Every violation of every rule, sorted (rule, resource)."""
    found = [v for rule in rules for v in rule.check(resources)]
    return sorted(set(found), key=lambda v: (v.rule, v.urn, v.message))
