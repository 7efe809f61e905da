"""AWS Batch job definitions and SubmitJob pipelines -> WorkflowTemplates.

Field semantics: the AWS Batch user guide (`job definition parameters
<https://docs.aws.amazon.com/batch/latest/userguide/job_definition_parameters.html>`_, `retries
<https://docs.aws.amazon.com/batch/latest/userguide/job_retries.html>`_, `array jobs
<https://docs.aws.amazon.com/batch/latest/userguide/array_jobs.html>`_, `dependencies
<https://docs.aws.amazon.com/batch/latest/userguide/job_dependencies.html>`_); the mapping is
FORMATS.md section 2.7.

- A job definition becomes a template with one task. ``command`` is Docker CMD, so it becomes the
  container's ``args``; ``Ref::x`` placeholders become input parameters (defaults from
  ``parameters``) exposed as workflow parameters.
- A SubmitJob list (a "pipeline") becomes one DAG: each SubmitJob a task running its job definition
  (found among the inputs by name and revision) with the submission's overrides. ``dependsOn``
  jobIds are the symbolic ids of such manifests: a ``jobName`` or ``<jobName>_job_ID``.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from askflow.convert import cloudformation, retry, terraform
from askflow.convert.access import Reader, describe, meaningful
from askflow.convert.containers import ensure_requests, gpu_instance_type, resolve_image
from askflow.convert.graph import find_cycle
from askflow.convert.kubernetes import check_schema
from askflow.convert.model import (
    ENTRYPOINT,
    INDEX_REF,
    PLATFORM_SERVICE_ACCOUNT,
    Dep,
    Found,
    JobPlan,
    PathParts,
    Reporter,
    Task,
    input_parameter,
)
from askflow.convert.naming import Allocator, job_template_name, k8s_name, task_name, template_name
from askflow.convert.pod import as_root, map_pod
from askflow.convert.resources import (
    ANNOTATION_EIP,
    ANNOTATION_EXTRA_STORAGE,
    ANNOTATION_SPECS,
    FREE_EPHEMERAL_GIB,
    cpu_quantity,
    eci_spec,
    mib_quantity,
)
from askflow.errors import AskflowError, format_path
from askflow.settings import WORKFLOW_RUN_AS_USER

FORMAT = "aws-batch"
PIPELINE = "SubmitJob pipeline"
ARRAY_INDEX_ENV = "AWS_BATCH_JOB_ARRAY_INDEX"
_REF = re.compile(r"Ref::([A-Za-z0-9_-]+)")
_ARN = re.compile(r"^arn:aws[a-z-]*:batch:[^:]*:[0-9]*:job-definition/(?P<name>[^:]+)(?::(?P<rev>[0-9]+))?$")
_JOB_ID_SUFFIX = re.compile(r"[_-]?job[_-]?id$", re.IGNORECASE)
#: Fields of DescribeJobDefinitions output that describe the registration, not the job.
_REGISTRATION = {"jobDefinitionName", "jobDefinitionArn", "revision", "status", "containerOrchestrationType", "type"}
_MISSING_VARIABLES = ("AWS_BATCH_JOB_ID, AWS_BATCH_JOB_ATTEMPT, AWS_BATCH_JQ_NAME and AWS_BATCH_CE_NAME are not "
                      "set; use {{workflow.name}} / {{pod.name}} for ids and {{retries}} (0-based) for the attempt")


@dataclass
class Context:
    """Everything a pipeline may refer to across the run: job definitions and job queues by name."""

    definitions: dict[str, list[Found]] = field(default_factory=dict)
    queues: dict[str, Found] = field(default_factory=dict)
    #: Input files of the run that could not be read: a definition missing here may be in one.
    unreadable: tuple[str, ...] = ()
    #: Definitions of the run that could not be converted (``id(found)`` -> why, with its position).
    broken: dict[int, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, found: Sequence[Found], unreadable: Sequence[str] = ()) -> Context:
        ctx = cls(unreadable=tuple(unreadable))
        for f in found:
            if f.format != FORMAT or not isinstance(f.data, dict):
                continue
            if f.kind == "job definition" and isinstance(f.data.get("jobDefinitionName"), str):
                ctx.definitions.setdefault(f.data["jobDefinitionName"], []).append(f)
            elif f.kind == "job queue" and isinstance(f.data.get("jobQueueName"), str):
                ctx.queues.setdefault(f.data["jobQueueName"], f)
        return ctx

    def definition(self, ref: str) -> Found | None:
        """``name``, ``name:revision`` or an ARN -> the definition among the inputs (latest revision if none given)."""
        m = _ARN.match(ref)
        name, rev = (m.group("name"), m.group("rev")) if m else (ref.partition(":")[0], ref.partition(":")[2] or None)
        candidates = self.definitions.get(name, [])

        def revision(f: Found) -> int:
            value = f.data.get("revision")
            return value if isinstance(value, int) and not isinstance(value, bool) else 0

        if rev is not None:
            exact = [f for f in candidates if revision(f) == int(rev)] if rev.isdigit() else []
            candidates = exact or [f for f in candidates if revision(f) == 0]
        return max(candidates, key=revision) if candidates else None


@dataclass
class _Sub:
    """What a SubmitJob adds to its job definition; ``reader``/``report`` are at the SubmitJob body."""

    reader: Reader
    report: Reporter
    body: dict[str, Any]

    @property
    def overrides(self) -> dict[str, Any]:
        return self.reader.opt_map(self.body, "containerOverrides")

    @property
    def oreader(self) -> Reader:
        return self.reader.at("containerOverrides")


def _number(reader: Reader, value: Any, path: PathParts, *, text: bool = False) -> float:
    if value is None:
        reader.fail(path, "is required" + (' (a number as a string, e.g. "2")' if text else ""))
    number = reader.number(value, path, text=text)
    if number <= 0:
        reader.fail(path, f"must be positive, found {value!r}")
    return number


def _requirements(reader: Reader, props: dict[str, Any], path: PathParts) -> dict[str, tuple[float, PathParts]]:
    """``{VCPU|MEMORY|GPU: (value, path)}`` from resourceRequirements and the deprecated vcpus/memory."""
    out: dict[str, tuple[float, PathParts]] = {}
    for key, kind in (("vcpus", "VCPU"), ("memory", "MEMORY")):
        if props.get(key) is not None:
            out[kind] = (_number(reader, props[key], (*path, key)), (*path, key))
    for i, req in enumerate(reader.opt_list(props, "resourceRequirements", path)):
        rpath = (*path, "resourceRequirements", i)
        req = reader.mapping(req, rpath)
        kind = reader.req_str(req, "type", rpath).upper()
        if kind not in ("VCPU", "MEMORY", "GPU"):
            reader.fail((*rpath, "type"), f"unknown resource type {kind!r} (VCPU, MEMORY or GPU)")
        # a string in RegisterJobDefinition ("2", "0.25"), unlike the deprecated integer vcpus/memory
        out[kind] = (_number(reader, req.get("value"), (*rpath, "value"), text=True), rpath)
    return out


def _retry(reader: Reader, report: Reporter, strategy: dict[str, Any], path: PathParts, task: str,
           timeout: int | None) -> dict[str, Any]:
    attempts = reader.opt_int(strategy, "attempts", path, minimum=1)
    if attempts is not None and attempts > 10:
        reader.fail((*path, "attempts"), f"must be 1-10, found {attempts}")
    attempts = attempts or 1
    limit = attempts - 1
    out: dict[str, Any] = {"limit": str(limit)}
    rules: list[tuple[str, bool]] = []
    by_reason = False
    for i, rule in enumerate(reader.opt_list(strategy, "evaluateOnExit", path)):
        rpath = (*path, "evaluateOnExit", i)
        rule = reader.mapping(rule, rpath)
        action = reader.req_str(rule, "action", rpath).upper()
        if action not in ("RETRY", "EXIT"):
            reader.fail((*rpath, "action"), f"unknown action {rule['action']!r} (RETRY or EXIT)")
        conditions: list[str] = []
        code = reader.opt_str(rule, "onExitCode", rpath)
        if code is not None:
            if not re.fullmatch(r"[0-9]*\*?", code) or not code:
                reader.fail((*rpath, "onExitCode"), f"{code!r} is not an exit-code pattern (digits, may end in *)")
            conditions.append(retry.exit_code_glob(code))
        for key in ("onReason", "onStatusReason"):
            glob = reader.opt_str(rule, key, rpath)
            if glob is None or glob == "*":
                continue
            conditions.append(retry.INFRASTRUCTURE_FAILURE)
            by_reason = True
            report.add("RETRY_REASON_APPROXIMATED", (*rpath, key), f"{key} {glob!r} ({action}) has no Argo "
                       f"counterpart; read as an infrastructure failure ({retry.INFRASTRUCTURE_FAILURE})",
                       target=f"spec.templates[{task}].retryStrategy.expression")
        if not any(k in rule for k in ("onExitCode", "onReason", "onStatusReason")):
            reader.fail(rpath, "needs onExitCode, onReason or onStatusReason")
        rules.append((retry.all_of(conditions), action == "RETRY"))
    expression = retry.fold(rules)
    if rules and limit > 0 and expression != retry.FALSE:
        report.add("RETRY_EXIT_CODES", (*path, "evaluateOnExit"), f"evaluateOnExit became the retry expression "
                   f"{expression!r}" + (" (reasons approximated)" if by_reason else ""),
                   target=f"spec.templates[{task}].retryStrategy.expression")
    if expression == retry.FALSE:
        limit = 0
        out["limit"] = "0"
    report.add("RETRY_LIMIT", (*path, "attempts"), f"attempts {attempts} (the first run included) became "
               f"retryStrategy.limit {limit}" + (" (evaluateOnExit never retries)" if expression == retry.FALSE else ""),
               target=f"spec.templates[{task}].retryStrategy.limit")
    if limit > 0:
        out["retryPolicy"] = "Always"  # AWS retries any failure, infrastructure or exit code, unless a rule says EXIT
        if timeout is not None:
            # AWS Batch never retries an attempt that timed out (job_retries, FORMATS.md 2.3); Argo would.
            guard = retry.NOT_TIMED_OUT
            expression = retry.all_of([guard, expression])
            report.add("TIMEOUT_NOT_RETRIED", (*path, "attempts"), "AWS Batch does not retry an attempt that timed "
                       f"out: the retry expression excludes a pod stopped at its deadline ({guard}); not verified "
                       "on ECI's virtual kubelet, where a timed-out attempt may still be retried",
                       target=f"spec.templates[{task}].retryStrategy.expression")
        if expression != retry.TRUE:
            out["expression"] = expression
    return out


def _secret_ref(arn: str) -> str:
    """A Kubernetes Secret name for a Secrets Manager / SSM ARN (its last name segment)."""
    if ":secret:" in arn:
        name = arn.split(":secret:", 1)[1].split(":")[0]
        name = re.sub(r"-[A-Za-z0-9]{6}$", "", name)  # Secrets Manager appends 6 random characters
    else:
        name = arn.rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    return k8s_name(name, limit=63, fallback="secret")


def _substitute(values: list[Any], reader: Reader, path: PathParts, used: list[str]) -> list[str]:
    """``Ref::x`` -> ``{{inputs.parameters.x}}`` in a command (a list of strings in AWS Batch: a number,
    boolean or NaN is an error, not its Python ``str()``)."""
    out: list[str] = []
    for i, value in enumerate(values):
        value = reader.string(value, (*path, i))

        def sub(m: re.Match[str]) -> str:
            if m.group(1) not in used:
                used.append(m.group(1))
            return input_parameter(m.group(1))

        out.append(_REF.sub(sub, value))
    return out


class _Job:
    """Builds one task from a job definition (and optionally the SubmitJob that runs it)."""

    def __init__(self, plan: JobPlan, task: str, report: Reporter, reader: Reader, definition: dict[str, Any] | None,
                 sub: _Sub | None) -> None:
        self.plan, self.task, self.report, self.reader, self.jd, self.sub = plan, task, report, reader, definition, sub
        self.template: dict[str, Any] = {}
        self.annotations: dict[str, str] = {}
        self.labels: dict[str, str] = {}
        self.role = False

    # ---- containerProperties -------------------------------------------------------------------
    def container(self, props: dict[str, Any], path: PathParts, count: int | None, used: list[str]) -> dict[str, Any]:
        r, report, task = self.reader, self.report, self.task
        overrides = self.sub.overrides if self.sub else {}
        c: dict[str, Any] = {}
        image = r.req_str(props, "image", path)
        c["image"] = resolve_image(self.plan, report, f"{task}-image", image, (*path, "image"), what=f"task {task}")
        command = r.opt_list(props, "command", path)
        command_path: PathParts = (*path, "command")
        command_reader = r
        if "command" in overrides and self.sub:
            command = self.sub.oreader.opt_list(overrides, "command")
            command_path, command_reader = ("command",), self.sub.oreader
        if command:
            c["args"] = _substitute(command, command_reader, command_path, used)
            report.add("COMMAND_MAPPED", (*path, "command"), "command (Docker CMD) became args; the image's "
                       "ENTRYPOINT still runs first", target=f"spec.templates[{task}].container.args")
        env = self._environment(props, path)
        if count is not None:
            env = [e for e in env if e.get("name") != ARRAY_INDEX_ENV]
            env.append({"name": ARRAY_INDEX_ENV, "value": INDEX_REF})
        if env:
            c["env"] = env
        self._resources(c, props, path)
        mounts, volumes = self._volumes(props, path)
        if mounts:
            c["volumeMounts"] = mounts
        if volumes:
            self.template["volumes"] = volumes
        security = self._security(props, path)
        if security:
            c["securityContext"] = security
        self._properties(props, path)
        return c

    def _environment(self, props: dict[str, Any], path: PathParts) -> list[dict[str, Any]]:
        r = self.reader
        env: dict[str, dict[str, Any]] = {}
        for i, item in enumerate(r.opt_list(props, "environment", path)):
            item = r.mapping(item, (*path, "environment", i))
            name = r.req_str(item, "name", (*path, "environment", i))
            env[name] = {"name": name, "value": r.opt_str(item, "value", (*path, "environment", i)) or ""}
        if self.sub and "environment" in self.sub.overrides:
            sr = self.sub.oreader
            for i, item in enumerate(sr.opt_list(self.sub.overrides, "environment")):
                item = sr.mapping(item, ("environment", i))
                name = sr.req_str(item, "name", ("environment", i))
                env[name] = {"name": name, "value": sr.opt_str(item, "value", ("environment", i)) or ""}
        if env:
            self.report.add("ENVIRONMENT_MAPPED", (*path, "environment"), f"{len(env)} variable(s): "
                            f"{', '.join(env)}", target=f"spec.templates[{self.task}].container.env")
        for i, secret in enumerate(r.opt_list(props, "secrets", path)):
            spath = (*path, "secrets", i)
            secret = r.mapping(secret, spath)
            name = r.req_str(secret, "name", spath)
            arn = r.req_str(secret, "valueFrom", spath)
            ref = _secret_ref(arn)
            env[name] = {"name": name, "valueFrom": {"secretKeyRef": {"name": ref, "key": name}}}
            # secret-arn:json-key:version-stage:version-id: AWS injects one field of a JSON secret, not all of it
            json_key = arn.split(":secret:", 1)[1].split(":")[1:2] if ":secret:" in arn else []
            field = (f" holding the value of JSON key {json_key[0]!r} of that secret (AWS injects that field, not "
                     "the whole JSON document)" if json_key and json_key[0] else "")
            self.report.add("NEEDS_CLUSTER_RESOURCE", spath, f"secret {arn} is read from Kubernetes Secret {ref!r}, "
                            f"key {name!r}{field}: create it in the namespace (e.g. with External Secrets from KMS)")
        return list(env.values())

    def _resources(self, c: dict[str, Any], props: dict[str, Any], path: PathParts) -> None:
        r, report, task = self.reader, self.report, self.task
        reqs = _requirements(r, props, path)
        if self.sub and self.sub.overrides:
            reqs.update(_requirements(self.sub.oreader, self.sub.overrides, ()))
        requests: dict[str, str] = {}
        limits: dict[str, str] = {}
        said: list[str] = []
        if "VCPU" in reqs:
            requests["cpu"] = cpu_quantity(reqs["VCPU"][0])
            said.append(f"{reqs['VCPU'][0]:g} vCPU -> requests.cpu {requests['cpu']}")
        if "MEMORY" in reqs:
            requests["memory"] = limits["memory"] = mib_quantity(reqs["MEMORY"][0])
            said.append(f"{reqs['MEMORY'][0]:g} MiB -> requests/limits.memory {requests['memory']} (a hard limit "
                        "in AWS too)")
        if "GPU" in reqs:
            wanted = reqs["GPU"][0]
            count = math.ceil(wanted)
            gpus = str(count)
            if count != wanted:
                # A pod gets whole GPUs (nvidia.com/gpu is an integer resource): the job needs at least
                # part of one to run, so it gets the next whole number rather than none.
                report.add("GPU_ROUNDED_UP", reqs["GPU"][1], f"GPU {wanted:g} is not a whole number of GPUs; "
                           f"rounded up to {gpus} (Kubernetes allocates whole GPUs)",
                           target=f"spec.templates[{task}].container.resources")
            requests["nvidia.com/gpu"] = limits["nvidia.com/gpu"] = gpus
            self.annotations[ANNOTATION_SPECS] = gpu_instance_type(self.plan, report, task, count, reqs["GPU"][1])
        if requests or limits:
            c["resources"] = {k: v for k, v in (("limits", limits), ("requests", requests)) if v}
        ensure_requests(c, report, (*path, "resourceRequirements"), what=f"task {task}")
        if "VCPU" in reqs and "MEMORY" in reqs and "GPU" not in reqs:
            spec, rounded = eci_spec(reqs["VCPU"][0], reqs["MEMORY"][0])
            self.annotations[ANNOTATION_SPECS] = spec
            if rounded:
                report.add("ECI_SPEC_ROUNDED", (*path, "resourceRequirements"), f"{reqs['VCPU'][0]:g} vCPU / "
                           f"{reqs['MEMORY'][0]:g} MiB rounded up to the ECI shape {spec}",
                           target=f"spec.templates[{task}].metadata.annotations")
            said.append(f"ECI spec {spec}")
        if said:
            report.add("RESOURCES_MAPPED", (*path, "resourceRequirements"), "; ".join(said),
                       target=f"spec.templates[{task}].container.resources")

    def _volumes(self, props: dict[str, Any], path: PathParts) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        r, report = self.reader, self.report
        names = Allocator()
        by_name: dict[str, str] = {}
        sub_paths: dict[str, str] = {}
        volumes: list[dict[str, Any]] = []
        for i, vol in enumerate(r.opt_list(props, "volumes", path)):
            vpath = (*path, "volumes", i)
            vol = r.mapping(vol, vpath)
            source_name = r.req_str(vol, "name", vpath)
            name = names.take(k8s_name(source_name, limit=63, fallback="volume"), 63)
            by_name[source_name] = name
            efs = r.opt_map(vol, "efsVolumeConfiguration", vpath)
            host = r.opt_map(vol, "host", vpath)
            if efs:
                epath = (*vpath, "efsVolumeConfiguration")
                fs = r.req_str(efs, "fileSystemId", epath)
                claim = k8s_name(f"nas-{fs}", limit=63)
                volumes.append({"name": name, "persistentVolumeClaim": {"claimName": claim}})
                root = r.opt_str(efs, "rootDirectory", epath) or "/"
                # the container sees rootDirectory, not the file system's root: mount that folder of the PVC
                if root.strip("/"):
                    sub_paths[source_name] = root.strip("/")
                access_point = r.opt_str(r.opt_map(efs, "authorizationConfig", epath), "accessPointId",
                                         (*epath, "authorizationConfig"))
                where = (f"mounted through subPath {root.strip('/')!r}" if root.strip("/") else "the PVC's root")
                report.add("NEEDS_CLUSTER_RESOURCE", epath, f"EFS {fs} (root {root}) became PVC {claim!r}, "
                           f"{where}: copy the data to NAS keeping its layout and create that PVC (NAS CSI) in "
                           "the namespace")
                if access_point:
                    report.add("VOLUMES_APPROXIMATED", (*epath, "authorizationConfig", "accessPointId"),
                               f"EFS access point {access_point} chooses its own root directory and POSIX user, "
                               "which are not in the definition: the PVC's root is mounted; set the mount's "
                               "subPath (and runAsUser) to the access point's")
            elif source_path := r.opt_str(host, "sourcePath", (*vpath, "host")):
                volumes.append({"name": name, "emptyDir": {}})
                report.add("VOLUMES_APPROXIMATED", (*vpath, "host", "sourcePath"), f"host path "
                           f"{source_path!r} became an empty emptyDir: ECI pods have no host files")
            else:
                volumes.append({"name": name, "emptyDir": {}})
        mounts: list[dict[str, Any]] = []
        for i, mp in enumerate(r.opt_list(props, "mountPoints", path)):
            mpath = (*path, "mountPoints", i)
            mp = r.mapping(mp, mpath)
            source = r.req_str(mp, "sourceVolume", mpath)
            if source not in by_name:
                r.fail((*mpath, "sourceVolume"), f"names volume {source!r}, which is not in volumes")
            mount: dict[str, Any] = {"name": by_name[source], "mountPath": r.req_str(mp, "containerPath", mpath)}
            if source in sub_paths:
                mount["subPath"] = sub_paths[source]
            if r.opt_bool(mp, "readOnly", mpath):
                mount["readOnly"] = True
            mounts.append(mount)
        linux = r.opt_map(props, "linuxParameters", path)
        lpath = (*path, "linuxParameters")
        shm = r.opt_int(linux, "sharedMemorySize", lpath, minimum=1)
        if shm:
            name = names.take("dshm", 63)
            volumes.append({"name": name, "emptyDir": {"medium": "Memory", "sizeLimit": f"{shm}Mi"}})
            mounts.append({"name": name, "mountPath": "/dev/shm"})
        for i, tmpfs in enumerate(r.opt_list(linux, "tmpfs", lpath)):
            tpath = (*lpath, "tmpfs", i)
            tmpfs = r.mapping(tmpfs, tpath)
            name = names.take(f"tmpfs-{i}", 63)
            size = r.opt_int(tmpfs, "size", tpath, minimum=1)
            empty: dict[str, Any] = {"medium": "Memory"}
            if size:
                empty["sizeLimit"] = f"{size}Mi"
            volumes.append({"name": name, "emptyDir": empty})
            mounts.append({"name": name, "mountPath": r.req_str(tmpfs, "containerPath", tpath)})
            if meaningful(tmpfs.get("mountOptions")):
                report.add("DROPPED_FIELD", (*tpath, "mountOptions"), "tmpfs mountOptions dropped: an emptyDir "
                           "in memory has no mount options")
        for key in ("devices", "initProcessEnabled", "maxSwap", "swappiness"):
            if meaningful(linux.get(key)):
                report.add("DROPPED_FIELD", (*lpath, key), f"linuxParameters.{key} dropped: no pod field on ECI")
        if volumes or mounts:
            report.add("VOLUMES_MAPPED", path, f"{len(volumes)} volume(s), {len(mounts)} mount(s)",
                       target=f"spec.templates[{self.task}].volumes")
        return mounts, volumes

    def _security(self, props: dict[str, Any], path: PathParts) -> dict[str, Any]:
        r, report = self.reader, self.report
        security: dict[str, Any] = {}
        user = r.opt_str(props, "user", path)
        if user:
            # Docker --user: name|uid[:group|gid]. root is uid/gid 0 on every Linux image.
            uid, _, gid = user.partition(":")
            if uid.isdigit() or uid == "root":
                security["runAsUser"] = int(uid) if uid.isdigit() else 0
            elif uid == "nobody":
                security["runAsUser"] = 65534
                report.add("USER_NOT_NUMERIC", (*path, "user"), "user 'nobody' became runAsUser 65534 (nobody on "
                           "most images); check the image's /etc/passwd")
            else:
                report.add("USER_NOT_NUMERIC", (*path, "user"), f"user {user!r} dropped: Kubernetes needs a numeric "
                           "id (runAsUser); the image's default user runs: set runAsUser to the id of "
                           f"{uid!r} in the image")
            if gid and "runAsUser" in security:
                if gid.isdigit() or gid == "root":
                    security["runAsGroup"] = int(gid) if gid.isdigit() else 0
                else:
                    report.add("USER_NOT_NUMERIC", (*path, "user"), f"group {gid!r} of user {user!r} dropped: "
                               "Kubernetes needs a numeric id (runAsGroup); the user's primary group applies")
        if "runAsUser" not in security:
            report.add("USER_DEFAULTED", (*path, "user"), "the image's own user runs in the source; here uid "
                       f"{WORKFLOW_RUN_AS_USER}, non-root, where argo.workflow_pods_non_root is on (the default)")
        if r.opt_bool(props, "privileged", path):
            report.add("POD_SECURITY_BASELINE", (*path, "privileged"), "privileged: tenant namespaces enforce Pod "
                       "Security baseline, which refuses privileged containers")
        if r.opt_bool(props, "readonlyRootFilesystem", path):
            security["readOnlyRootFilesystem"] = True
        if security:
            report.add("SECURITY_CONTEXT_MAPPED", path, ", ".join(f"{k}: {v}" for k, v in security.items()),
                       target=f"spec.templates[{self.task}].container.securityContext")
        if security.get("runAsUser") == 0:
            # Root, as in the source: the platform's defaults would refuse it or take its capabilities.
            security = as_root(security)
            report.add("ROOT_KEPT", (*path, "user"), "runs as root: runAsNonRoot false and the runtime's default "
                       "capabilities except NET_RAW (Pod Security baseline) are set explicitly",
                       target=f"spec.templates[{self.task}].container.securityContext")
        return security

    def _properties(self, props: dict[str, Any], path: PathParts) -> None:
        """The rest of containerProperties: roles, networking, platform, dropped fields."""
        r, report, plan = self.reader, self.report, self.plan
        role = r.opt_str(props, "jobRoleArn", path)
        if role:
            self.role = True
            role_name = role.rsplit("/", 1)[-1]
            report.add("JOB_ROLE_TO_SERVICE_ACCOUNT", (*path, "jobRoleArn"), f"IAM role {role} -> the tenant's "
                       f"workflow service account {PLATFORM_SERVICE_ACCOUNT}: create a RAM role with the same "
                       f"permissions as {role_name!r} and bind it with RRSA (annotate the service account "
                       "pod-identity.alibabacloud.com/role-name)", target="spec.serviceAccountName")
        network = r.opt_map(props, "networkConfiguration", path)
        public_ip = network.get("assignPublicIp")
        if public_ip is not None and not (isinstance(public_ip, str) and public_ip.upper() in ("ENABLED", "DISABLED")):
            r.fail((*path, "networkConfiguration", "assignPublicIp"), f"expected ENABLED or DISABLED, found "
                   f"{describe(public_ip)}")
        if public_ip is not None and public_ip.upper() == "ENABLED":
            self.annotations[ANNOTATION_EIP] = "true"
            report.add("PUBLIC_IP_TO_EIP", (*path, "networkConfiguration", "assignPublicIp"), "the pod gets an "
                       f"elastic IP ({ANNOTATION_EIP}); a NAT gateway for the cluster's vSwitches is cheaper",
                       target=f"spec.templates[{self.task}].metadata.annotations")
        storage = r.opt_map(props, "ephemeralStorage", path)
        size = r.opt_int(storage, "sizeInGiB", (*path, "ephemeralStorage"), minimum=1)
        if size and size > FREE_EPHEMERAL_GIB:
            self.annotations[ANNOTATION_EXTRA_STORAGE] = f"{size - FREE_EPHEMERAL_GIB}Gi"
            report.add("SYSTEM_DISK_TO_EPHEMERAL", (*path, "ephemeralStorage"), f"{size} GiB of ephemeral storage: "
                       f"{size - FREE_EPHEMERAL_GIB} GiB beyond ECI's free {FREE_EPHEMERAL_GIB} GiB")
        platform = r.opt_map(props, "runtimePlatform", path)
        arch = (r.opt_str(platform, "cpuArchitecture", (*path, "runtimePlatform")) or "").upper()
        if arch == "ARM64":
            self.template["nodeSelector"] = {"kubernetes.io/arch": "arm64"}
            report.add("RESOURCES_MAPPED", (*path, "runtimePlatform"), "ARM64 -> nodeSelector kubernetes.io/arch: "
                       "arm64 (ECI offers ARM instance types in some regions)")
        family = r.opt_str(platform, "operatingSystemFamily", (*path, "runtimePlatform")) or "LINUX"
        if family.upper() != "LINUX":
            report.add("DROPPED_FIELD", (*path, "runtimePlatform", "operatingSystemFamily"), "only Linux pods run "
                       "on the platform")
        credentials = r.opt_map(props, "repositoryCredentials", path)
        parameter = r.opt_str(credentials, "credentialsParameter", (*path, "repositoryCredentials"))
        if parameter:
            secret = _secret_ref(parameter)
            plan.spec["imagePullSecrets"] = [{"name": secret}]
            report.add("NEEDS_CLUSTER_RESOURCE", (*path, "repositoryCredentials"), f"private registry credentials "
                       f"-> imagePullSecrets {secret!r}: create that docker-registry Secret",
                       target="spec.imagePullSecrets")
        dropped = {
            "executionRoleArn": "the ECS agent's role (image pulls, logs); ECI pulls with the cluster's ACR "
                                "access or imagePullSecrets",
            "logConfiguration": "ECI sends container logs to the cluster's log service; Argo's archiveLogs keeps "
                                "them in the artifact repository",
            "ulimits": "no pod-spec equivalent",
            "instanceType": "an EC2 instance type (multi-node jobs only)",
            "fargatePlatformConfiguration": None,
        }
        handled = {"image", "command", "environment", "secrets", "vcpus", "memory", "resourceRequirements", "volumes",
                   "mountPoints", "linuxParameters", "user", "privileged", "readonlyRootFilesystem", "jobRoleArn",
                   "networkConfiguration", "ephemeralStorage", "runtimePlatform", "repositoryCredentials"}
        for key, value in props.items():
            if key in handled or not meaningful(value):
                continue
            if key in dropped:
                if dropped[key]:
                    report.add("DROPPED_FIELD", (*path, key), f"{key} dropped: {dropped[key]}")
            else:
                report.add("DROPPED_FIELD", (*path, key), f"{key} is not a container property askflow converts")

    # ---- the whole job definition ---------------------------------------------------------------
    def build(self, count: int | None, path: PathParts) -> Task | None:
        """The task for this job; None when the job cannot be converted (the report says why)."""
        jd, r, report, task = self.jd or {}, self.reader, self.report, self.task
        kind = jd.get("type", "container")
        if kind == "multinode" or "nodeProperties" in jd:
            nodes = jd.get("nodeProperties")
            count_nodes = nodes.get("numNodes", "?") if isinstance(nodes, dict) else "?"
            report.add("UNSUPPORTED_MULTINODE", [*path, "type"], "a multi-node parallel job (MPI-style gang of "
                       f"{count_nodes} nodes) is not converted")
            return None
        if kind not in ("container", None):
            r.fail([*path, "type"], f"unknown job definition type {kind!r} (container or multinode)")
        if "ecsProperties" in jd:
            report.add("UNSUPPORTED_ECS_PROPERTIES", [*path, "ecsProperties"], "ecsProperties (multi-container ECS "
                       "tasks) is not converted")
            return None
        used: list[str] = []
        if self.jd is None:
            container = self._undefined(count, used)
        elif "eksProperties" in jd:
            container = self._eks(jd, path, count, used)
        else:
            props = r.req_map(jd, "containerProperties", path)
            container = self.container(props, (*path, "containerProperties"), count, used)
        if count is not None:
            report.add("RUNTIME_VARIABLES", path, f"{ARRAY_INDEX_ENV} is the item index (0-based, as in AWS)",
                       target=f"spec.templates[{task}].container.env")
        report.add("RUNTIME_VARIABLES_MISSING", path, _MISSING_VARIABLES)
        timeout = self._timeout(path)
        strategy = self._strategy(path, timeout)
        inputs, arguments = self._parameters(path, used)
        template: dict[str, Any] = {}
        if inputs:
            template["inputs"] = {"parameters": inputs}
        metadata = {key: dict(sorted(values.items())) for key, values in
                    (("annotations", self.annotations), ("labels", self.labels)) if values}
        if metadata:
            template["metadata"] = metadata
        template["container"] = container
        template.update(self.template)
        template["retryStrategy"] = strategy
        if timeout is not None:
            template["activeDeadlineSeconds"] = str(timeout)
        self._top_level(path)
        worst = (timeout or 0) * (int(strategy["limit"]) + 1)
        return Task(name=task, template=template, arguments=arguments, count=count, worst_seconds=worst)

    def _undefined(self, count: int | None, used: list[str]) -> dict[str, Any]:
        """No job definition among the inputs: an image parameter and the SubmitJob's overrides.

        ``Ref::x`` in a command override is collected into ``used``, so the task declares input ``x``.
        """
        assert self.sub is not None
        ref = self.sub.body.get("jobDefinition")
        param = f"{self.task}-image"
        description = f"Container image for task {self.task} (job definition {ref} was not among the inputs)."
        c: dict[str, Any] = {"image": self.plan.add_parameter(param, description=description)}
        self.sub.report.add("JOB_DEFINITION_NOT_FOUND", ["jobDefinition"], f"job definition {ref!r} is not among "
                            f"the inputs: task {self.task} runs the workflow parameter `{param}` with the image's "
                            "default command and the SubmitJob's overrides; pass the definition's file too to "
                            "convert its command, resources, volumes and role",
                            target=f"spec.arguments.parameters[{param}]")
        overrides = self.sub.overrides
        if "command" in overrides:
            c["args"] = _substitute(self.sub.oreader.opt_list(overrides, "command"), self.sub.oreader, ["command"],
                                    used)
        env = self._environment({}, ("containerOverrides",))
        if count is not None:
            env.append({"name": ARRAY_INDEX_ENV, "value": INDEX_REF})
        if env:
            c["env"] = env
        self._resources(c, {}, ("containerOverrides",))
        return c

    def _eks(self, jd: dict[str, Any], path: PathParts, count: int | None, used: list[str]) -> dict[str, Any]:
        r = self.reader
        eks = r.req_map(jd, "eksProperties", path)
        pod = dict(r.req_map(eks, "podProperties", (*path, "eksProperties")))
        meta = r.mapping(pod.pop("metadata", None) or {}, (*path, "eksProperties", "podProperties", "metadata"))
        ppath = (*path, "eksProperties", "podProperties")
        # AWS names containers itself when a name is missing; Kubernetes' schema requires one
        named = {**pod, **{key: [{"name": f"c{i}", **c} if isinstance(c, dict) else c for i, c in enumerate(pod[key])]
                           for key in ("containers", "initContainers") if isinstance(pod.get(key), list)}}
        check_schema(r, "Pod", named, ppath, api="v1")
        mapped = map_pod(self.plan, self.report, r, pod, ppath, task=self.task, pod_metadata=meta,
                         metadata_path=(*ppath, "metadata"),
                         index_env=ARRAY_INDEX_ENV if count is not None else None, count=count)
        self.role = self.plan.service_account != PLATFORM_SERVICE_ACCOUNT or self.role
        self.plan.spec.update(mapped.spec)
        template = dict(mapped.template)
        container = template.pop("container")
        for key in ("command", "args"):
            if key in container:
                container[key] = _substitute(container[key], r, (*ppath, "containers", 0, key), used)
        pod_meta = template.pop("metadata", {}) or {}
        self.annotations.update(pod_meta.get("annotations", {}))
        self.labels.update(pod_meta.get("labels", {}))
        self.template.update(template)
        return dict(container)

    def _timeout(self, path: PathParts) -> int | None:
        sources: list[tuple[Reader, Reporter, dict[str, Any], PathParts]] = []
        if self.sub and self.sub.body.get("timeout") is not None:
            sources.append((self.sub.reader, self.sub.report, self.sub.body, ()))
        if self.jd is not None:
            sources.append((self.reader, self.report, self.jd, path))
        for reader, report, obj, base in sources:
            timeout = reader.opt_map(obj, "timeout", base)
            seconds = reader.opt_int(timeout, "attemptDurationSeconds", (*base, "timeout"), minimum=1)
            if seconds is not None:
                report.add("ATTEMPT_TIMEOUT", [*base, "timeout"], f"each attempt may run {seconds} s",
                           target=f"spec.templates[{self.task}].activeDeadlineSeconds")
                return seconds
        return None

    def _strategy(self, path: PathParts, timeout: int | None) -> dict[str, Any]:
        if self.sub and self.sub.body.get("retryStrategy") is not None:
            sr = self.sub.reader
            return _retry(sr, self.sub.report, sr.opt_map(self.sub.body, "retryStrategy"), ["retryStrategy"],
                          self.task, timeout)
        strategy = self.reader.opt_map(self.jd or {}, "retryStrategy", path)
        return _retry(self.reader, self.report, strategy, [*path, "retryStrategy"], self.task, timeout)

    def _parameters(self, path: PathParts, used: list[str]) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
        """Leaf inputs (with definition defaults) and what the DAG passes for them."""
        defaults = self.reader.str_map(self.jd or {}, "parameters", path)
        submitted = self.sub.reader.str_map(self.sub.body, "parameters") if self.sub else {}
        names = list(dict.fromkeys([*used, *defaults, *submitted]))
        inputs: list[dict[str, str]] = []
        arguments: list[dict[str, str]] = []
        for name in names:
            param: dict[str, str] = {"name": name}
            if name in defaults:
                param["default"] = defaults[name]
            inputs.append(param)
            if self.sub is None:  # a job definition on its own: every parameter is a workflow parameter
                ref = self.plan.add_parameter(name, value=defaults.get(name), description=f"Ref::{name} in the "
                                              "command" + ("" if name in defaults else " (no default)"))
                arguments.append({"name": name, "value": ref})
            elif name in submitted:
                arguments.append({"name": name, "value": submitted[name]})
            elif name not in defaults:
                ref = self.plan.add_parameter(f"{self.task}-{name}", description=f"Ref::{name} of task {self.task}")
                arguments.append({"name": name, "value": ref})
        if names:
            required = [n for n in names if n not in defaults and n not in submitted]
            self.report.add("PARAMETERS_TO_INPUTS", [*path, "parameters"], f"parameters {', '.join(names)} became "
                            "input parameters of " + self.task + (f"; {', '.join(required)} must be supplied at "
                                                                  "submit time" if required else ""),
                            target=f"spec.templates[{self.task}].inputs.parameters")
        return inputs, arguments

    def _top_level(self, path: PathParts) -> None:
        jd, r, report = self.jd, self.reader, self.report
        if jd is None:
            return
        if [p.upper() for p in r.str_list(jd, "platformCapabilities", path)] == ["FARGATE"]:
            extra = " (fargatePlatformConfiguration too)" if meaningful(
                (jd.get("containerProperties") or {}).get("fargatePlatformConfiguration")) else ""
            report.add("FARGATE_NOT_NEEDED", [*path, "platformCapabilities"], "Fargate capacity needs nothing on "
                       f"ECI: every pod is serverless{extra}")
        priority = r.opt_int(jd, "schedulingPriority", path, minimum=0)
        if priority is not None:
            report.add("PRIORITY_ON_SUBMIT", [*path, "schedulingPriority"], f"schedulingPriority {priority}: submit "
                       f"with --priority {priority}")
        handled = {"containerProperties", "eksProperties", "retryStrategy", "timeout", "parameters",
                   "platformCapabilities", "schedulingPriority", "propagateTags", *_REGISTRATION}
        for key, value in jd.items():
            if key in handled or not meaningful(value):
                continue
            if key == "tags":
                report.add("DROPPED_FIELD", [*path, key], "tags dropped: label submitted workflows "
                           "(workflowMetadata) for cost allocation instead")
            else:
                report.add("DROPPED_FIELD", [*path, key], f"{key} is not a job definition field askflow converts")


def _definition_name(plan_name: str | None, data: dict[str, Any], reader: Reader, report: Reporter) -> tuple[str, str]:
    source = reader.req_str(data, "jobDefinitionName")
    return job_template_name(plan_name, source, report, ["jobDefinitionName"]), source


def _new_plan(found: Found, name: str, source_name: str, report: Reporter) -> JobPlan:
    source = found.source
    plan = JobPlan(name=name, source=source, report=report, source_name=source_name)
    plan.annotations["askflow.dev/converted-from"] = f"{FORMAT} {found.kind} {source_name}"
    return plan


def _finish_identity(plan: JobPlan, jobs: Sequence[_Job]) -> None:
    if not any(j.role for j in jobs) and plan.service_account == PLATFORM_SERVICE_ACCOUNT:
        plan.report.add("SERVICE_ACCOUNT_DEFAULTED", plan.source.path, "no jobRoleArn: spec.serviceAccountName is "
                        f"{PLATFORM_SERVICE_ACCOUNT}, the tenant's workflow service account",
                        target="spec.serviceAccountName")


def convert_definition(found: Found, name: str | None = None) -> JobPlan:
    reader = Reader(found.file, found.parts, strict=True)
    report = Reporter(found.parts)
    data = reader.mapping(found.data, ())
    reader.opt_int(data, "revision", minimum=1)  # pipelines pick a definition by it (Context.definition)
    plan_name, source_name = _definition_name(name, data, reader, report)
    plan = _new_plan(found, plan_name, source_name, report)
    job = _Job(plan, task_name(plan_name), report, reader, data, None)
    task = job.build(None, [])
    if task is not None:
        plan.tasks.append(task)
        _finish_identity(plan, [job])
    return plan


def convert_queue(found: Found, name: str | None = None) -> JobPlan:
    reader = Reader(found.file, found.parts, strict=True)
    report = Reporter(found.parts)
    data = reader.mapping(found.data, ())
    source_name = reader.opt_str(data, "jobQueueName") or ""
    plan = _new_plan(found, name or template_name(source_name or "job-queue"), source_name, report)
    priority = reader.opt_int(data, "priority", minimum=0) or 0
    order: list[str] = []
    for i, entry in enumerate(reader.opt_list(data, "computeEnvironmentOrder")):
        environment = reader.opt_str(reader.mapping(entry, ["computeEnvironmentOrder", i]), "computeEnvironment",
                                     ["computeEnvironmentOrder", i])
        if environment:
            order.append(environment)
    report.add("JOB_QUEUE_NOT_A_JOB", [], f"job queue {source_name or '(unnamed)'!r} (priority "
               f"{priority}" + (f", compute environments {', '.join(order)}" if order else "") +
               ") is not converted: use workflow priority and a semaphore per queue; SubmitJobs that name it report "
               "its priority")
    return plan


def _resolve(jobs: list[tuple[str, dict[str, Any]]], job_id: str) -> str | None:
    """A symbolic jobId -> the task of that SubmitJob (exact jobName, or jobName + ``_job_ID``)."""
    for task, body in jobs:
        if body.get("jobName") == job_id or body.get("jobId") == job_id:  # DescribeJobs details carry jobId
            return task
    stripped = _JOB_ID_SUFFIX.sub("", job_id)
    matches = [task for task, body in jobs if body.get("jobName") == stripped]
    return matches[0] if len(matches) == 1 else None


def convert_pipeline(found: Found, ctx: Context, name: str | None = None) -> JobPlan:
    reader = Reader(found.file, found.parts, strict=True)
    report = Reporter(found.parts)
    listed = isinstance(found.data, list)
    bodies: list[Any] = found.data if listed else [found.data]

    def at(i: int) -> list[str | int]:
        return [i] if listed else []

    if len(bodies) == 1:
        source_name = reader.req_str(reader.mapping(bodies[0], at(0)), "jobName", at(0))
        plan_name = job_template_name(name, source_name, report, [*at(0), "jobName"])
    else:
        source_name = Path(found.file).stem
        plan_name = name or template_name(source_name)
        if not name:
            report.add("NAME_FROM_FILE", [], f"a SubmitJob list has no name: the template is {plan_name!r}, after "
                       "the file (pass --name to choose)")
    plan = _new_plan(found, plan_name, source_name, report)
    names = Allocator((ENTRYPOINT,))
    jobs: list[tuple[str, dict[str, Any]]] = []
    sizes: dict[str, int | None] = {}
    for i, body in enumerate(bodies):
        body = reader.mapping(body, at(i))
        task = names.take(task_name(reader.req_str(body, "jobName", at(i))))
        reader.req_str(body, "jobDefinition", at(i))
        size = reader.opt_int(reader.opt_map(body, "arrayProperties", at(i)), "size", [*at(i), "arrayProperties"])
        if size is not None and not 2 <= size <= 10000:
            reader.fail([*at(i), "arrayProperties", "size"], f"an array job has 2-10000 children, found {size}")
        jobs.append((task, body))
        sizes[task] = size
    graph = {task: _depends(reader, at(i), body, jobs, sizes, task) for i, (task, body) in enumerate(jobs)}
    cycle = find_cycle({task: [d.task for d in deps] for task, (deps, _) in graph.items()})
    if cycle:
        names_of = {task: str(body.get("jobName")) for task, body in jobs}
        reader.fail([], "dependency cycle: " + " -> ".join(names_of[t] for t in cycle) + "; remove one dependsOn")
    built: list[_Job] = []
    for i, (task, body) in enumerate(jobs):
        sub = _Sub(reader.at(*at(i)), report.child([*found.parts, *at(i)]), body)
        ref = str(body["jobDefinition"])
        definition = ctx.definition(ref)
        if definition is not None and id(definition) in ctx.broken:
            why = ctx.broken[id(definition)]
            reader.fail([*at(i), "jobDefinition"], f"job definition {ref!r} could not be converted ({why.where()} "
                        f"{why.message}): fix it there and convert both again")
        if definition is None and ctx.unreadable:
            reader.fail([*at(i), "jobDefinition"], f"job definition {ref!r} is not among the inputs read, and "
                        f"{', '.join(ctx.unreadable)} could not be read: fix that first (or convert this pipeline "
                        "without it)")
        if definition is None:
            job = _Job(plan, task, sub.report, sub.reader, None, sub)
        else:
            prefix = definition.file if definition.file != found.file else ""
            job = _Job(plan, task, report.child(definition.parts, prefix),
                       Reader(definition.file, definition.parts, strict=True), reader.mapping(definition.data, ()), sub)
        count = sizes[task]
        if count is not None:
            sub.report.add("FAN_OUT", ["arrayProperties", "size"], f"array of {count} children -> withSequence "
                           f"count {count}", target=f"spec.templates[{ENTRYPOINT}].dag.tasks[{task}].withSequence")
        built_task = job.build(count, [])
        _submission(sub, task, ctx)
        if built_task is None:
            continue
        built_task.depends, built_task.sequential = graph[task]
        if built_task.sequential:
            sub.report.add("SEQUENTIAL_APPROXIMATED", ["dependsOn"], f"the {count} children of {task} run one at a "
                           "time in index order (parallelism 1, failFast)", target=f"spec.templates[{task}-items]")
        plan.tasks.append(built_task)
        built.append(job)
    if report.blocked:
        return plan
    edges = sum(len(t.depends) for t in plan.tasks)
    if edges:
        report.add("DEPENDENCIES_MAPPED", [], f"{len(plan.tasks)} SubmitJobs became DAG tasks with {edges} "
                   "dependency edge(s)", target=f"spec.templates[{ENTRYPOINT}].dag")
    _finish_identity(plan, built)
    return plan


def _depends(reader: Reader, bpath: PathParts, body: dict[str, Any], jobs: list[tuple[str, dict[str, Any]]],
             sizes: dict[str, int | None], task: str) -> tuple[list[Dep], bool]:
    deps: list[Dep] = []
    sequential = False
    for j, dep in enumerate(reader.opt_list(body, "dependsOn", bpath)):
        dpath = [*bpath, "dependsOn", j]
        dep = reader.mapping(dep, dpath)
        kind = reader.opt_str(dep, "type", dpath)
        job_id = reader.opt_str(dep, "jobId", dpath)
        if kind not in (None, "N_TO_N", "SEQUENTIAL"):
            reader.fail([*dpath, "type"], f"unknown dependency type {kind!r} (N_TO_N or SEQUENTIAL)")
        if kind == "SEQUENTIAL":
            if job_id:
                reader.fail(dpath, "a SEQUENTIAL dependency has no jobId (it orders the job's own children)")
            if sizes[task] is None:
                reader.fail(dpath, "SEQUENTIAL applies to array jobs; this job has no arrayProperties.size")
            sequential = True
            continue
        if not job_id:
            reader.fail([*dpath, "jobId"], "is required (the jobName, or '<jobName>_job_ID', of another SubmitJob)")
        parent = _resolve(jobs, job_id)
        if parent is None:
            known = ", ".join(str(b.get("jobName")) for _, b in jobs)
            reader.fail([*dpath, "jobId"], f"{job_id!r} names no job of this pipeline (jobs: {known}); use a jobName "
                        "or '<jobName>_job_ID'")
        if kind == "N_TO_N":
            if sizes[task] is None or sizes[parent] is None:
                reader.fail(dpath, "N_TO_N links two array jobs; one of them has no arrayProperties.size")
            if sizes[task] != sizes[parent]:
                reader.fail(dpath, f"N_TO_N needs arrays of the same size ({sizes[parent]} and {sizes[task]})")
        deps.append(Dep(parent, n_to_n=kind == "N_TO_N", path=format_path([*reader.base, *dpath])))
    return deps, sequential


def _submission(sub: _Sub, task: str, ctx: Context) -> None:
    """SubmitJob fields beyond the container: queue, priority, tags."""
    body, reader, report = sub.body, sub.reader, sub.report
    queue = reader.opt_str(body, "jobQueue")
    if queue:
        q = ctx.queues.get(queue.rsplit("/", 1)[-1])
        # the queue's own conversion checks its priority (an integer); anything else is not repeated here
        priority = q.data.get("priority") if q is not None and isinstance(q.data, dict) else None
        if isinstance(priority, bool) or not isinstance(priority, int):
            priority = None
        report.add("JOB_QUEUE_REPLACED", ["jobQueue"], f"job queue {queue!r} has no Argo counterpart; limit "
                   "concurrency with a semaphore (one ConfigMap key per queue)")
        if priority:
            report.add("PRIORITY_ON_SUBMIT", ["jobQueue"], f"queue priority {priority}: submit with --priority "
                       f"{priority}")
    fair_share = {"schedulingPriorityOverride": reader.opt_int(body, "schedulingPriorityOverride", minimum=0),
                  "shareIdentifier": reader.opt_str(body, "shareIdentifier")}
    for key, value in fair_share.items():
        if value is not None:
            report.add("PRIORITY_ON_SUBMIT", [key], f"{key} {value}: fair-share scheduling becomes workflow "
                       "priority (--priority) and semaphores")
    handled = {"jobName", "jobQueue", "jobDefinition", "parameters", "containerOverrides", "arrayProperties",
               "dependsOn", "retryStrategy", "timeout", "schedulingPriorityOverride", "shareIdentifier",
               "propagateTags"}
    for key, value in body.items():
        if key in handled or not meaningful(value):
            continue
        why = ("label submitted workflows (workflowMetadata) instead" if key == "tags"
               else f"not a SubmitJob field askflow converts (task {task})")
        report.add("DROPPED_FIELD", [key], f"{key} dropped: {why}")
    overrides = sub.overrides
    for key, value in overrides.items():
        if key not in ("command", "environment", "resourceRequirements", "vcpus", "memory") and meaningful(value):
            report.add("DROPPED_FIELD", ["containerOverrides", key], f"containerOverrides.{key} is not converted")


class _Spelling:
    """Report paths as the user's file spells them. A CloudFormation or Terraform definition is converted
    as the RegisterJobDefinition request it stands for (camelCase); ``spelled`` maps each request path
    back to the file's own (``containerProperties.image`` -> ``ContainerProperties.Image``), and
    ``fallback(file path so far, key)`` spells a key the file does not have (a default the report names)."""

    def __init__(self, base: Sequence[str | int], spelled: dict[tuple[str | int, ...], tuple[str | int, ...]],
                 fallback: Callable[[str, str], str]) -> None:
        self.table = {format_path((*base, *api)): format_path((*base, *own)) for api, own in spelled.items()}
        self.fallback = fallback

    def path(self, rendered: str) -> str:
        if rendered in self.table:
            return self.table[rendered]
        best = max((k for k in self.table if rendered.startswith(k) and rendered[len(k):len(k) + 1] in (".", "[")),
                   key=len, default=None)
        if best is None:
            return rendered
        own = self.table[best]
        out = own
        for index, key in _PATH_PARTS.findall(rendered[len(best):]):
            out += f"[{index}]" if index else "." + self.fallback(out, key)
        return out

    def report(self, report: Reporter) -> None:
        report.rewrite_paths(self.path)

    def error(self, exc: AskflowError) -> AskflowError:
        if exc.path:
            exc.path = self.path(exc.path)
        exc.args = (exc.line(),)
        return exc


_PATH_PARTS = re.compile(r"\[(\d+)\]|\.?([^.\[\]]+)")


def convert_cloudformation(found: Found, name: str | None = None) -> JobPlan:
    """An AWS::Batch::JobDefinition resource: its Properties as the RegisterJobDefinition request."""
    logical, props = found.data
    expressions: list[tuple[list[str | int], str]] = []
    spelled: dict[tuple[str | int, ...], tuple[str | int, ...]] = {}
    data = cloudformation.to_api(props, expressions, [], spelled=spelled)
    if isinstance(data, dict) and "jobDefinitionName" not in data:
        data = {"jobDefinitionName": logical, **data}  # CloudFormation names it after the stack otherwise
    spelling = _Spelling(found.parts, spelled, lambda _own, key: cloudformation.spell(key))
    try:
        plan = convert_definition(dataclasses.replace(found, data=data), name)
    except AskflowError as exc:
        raise spelling.error(exc) from None
    for path, what in expressions:
        plan.report.add("CLOUDFORMATION_EXPRESSION", path, f"{what}: resolved when the stack deploys; replace the "
                        "text with the deployed value")
    spelling.report(plan.report)
    return plan


def _terraform_key(base: str) -> Callable[[str, str], str]:
    """Inside a JSON argument keys are the API's own; in HCL arguments and blocks they are snake_case."""
    json_roots = tuple(f"{base}.{argument}" for argument in terraform.JSON_ARGUMENTS)

    def spell(own: str, key: str) -> str:
        inside_json = any(own == root or own.startswith((root + ".", root + "[")) for root in json_roots)
        return key if inside_json else terraform.snake(key)

    return spell


def _terraform_advice(expression: str) -> str:
    head = expression.split(".", 1)[0].split("(", 1)[0].strip()
    if head == "var":
        return "a variable: put the value it has in your terraform.tfvars (or -var) in its place"
    if head in ("local", "data", "module", "each", "count", "path", "terraform", "self"):
        return f"a {head} value known only to Terraform: put the value `terraform console` prints in its place"
    if "(" in expression:
        return "a function askflow does not evaluate: put the value `terraform console` prints in its place"
    return "another resource's attribute, known after terraform apply: put the deployed value in its place"


def convert_terraform(found: Found, name: str | None = None) -> JobPlan:
    """A Terraform aws_batch_job_definition: the RegisterJobDefinition request it stands for
    (:mod:`askflow.convert.terraform`), converted as a job definition; values only Terraform knows are
    written as text and reported at their line."""
    definition: terraform.Definition = found.data
    registered = str(definition.request.get("jobDefinitionName") or definition.label)
    if definition.unreadable:
        report = Reporter(found.parts)
        plan = _new_plan(found, name or template_name(registered), registered, report)
        for unreadable in definition.unreadable:
            report.add("TERRAFORM_DEFINITION", [unreadable.argument], f"{found.file}:{unreadable.line}: "
                       f"{unreadable.argument} = {unreadable.expression}: askflow reads jsonencode({{...}}) or JSON written out (a heredoc), not "
                       "this; export what Terraform registered and convert that: aws batch "
                       f"describe-job-definitions --job-definition-name {registered} --status ACTIVE > "
                       f"{definition.label}.json")
        return plan
    spelling = _Spelling(found.parts, definition.spelled, _terraform_key(format_path(found.parts)))
    try:
        plan = convert_definition(dataclasses.replace(found, data=definition.request), name)
    except AskflowError as exc:
        unknown = {format_path((*found.parts, *u.path)): u for u in definition.unresolved}
        item = unknown.get(exc.path or "")
        if item is not None:  # a field that needs a literal (a number) holds what only Terraform knows
            exc.message = (f"{found.file}:{item.line}: {item.expression} is {_terraform_advice(item.expression)}; "
                           f"this field cannot hold it as text ({exc.message}); or convert what Terraform "
                           f"registered: aws batch describe-job-definitions --job-definition-name {registered} "
                           "--status ACTIVE")
        raise spelling.error(exc) from None
    for item in definition.unresolved:
        plan.report.add("TERRAFORM_EXPRESSION", list(item.path), f"{found.file}:{item.line}: {item.expression} is "
                        f"{_terraform_advice(item.expression)} (written as the text ${{{item.expression}}})")
    spelling.report(plan.report)
    return plan


def convert(found: Found, ctx: Context, name: str | None = None) -> JobPlan:
    """One AWS Batch definition (job definition, SubmitJob list, job queue) -> a plan."""
    if found.kind == "CloudFormation job definition":
        return convert_cloudformation(found, name)
    if found.kind == "Terraform job definition":
        return convert_terraform(found, name)
    if found.kind == "job definition":
        return convert_definition(found, name)
    if found.kind == "job queue":
        return convert_queue(found, name)
    return convert_pipeline(found, ctx, name)
