"""Alibaba Cloud BatchCompute jobs (API 2015-11-11 and the legacy 2015-06-30) -> WorkflowTemplates.

BatchCompute is deprecated; Alibaba's own migration target is Argo on ECI (`Migrate from Batch
Compute to Argo Workflows <https://www.alibabacloud.com/help/en/ack/ack-argo-workflow-cluster/
use-cases/migrate-batch-computing-to-argo-workflow-clusters>`_). Field semantics and SDK defaults:
FORMATS.md section 1; the mapping is section 1.11.

- ``DAG.Dependencies`` maps a task to its **downstream** tasks; Argo's ``depends`` names upstream
  tasks, so the map is inverted.
- ``InstanceCount: N`` runs N instances of the task: ``withSequence`` count N, with the instance id
  in ``BATCH_COMPUTE_DAG_INSTANCE_ID``.
- OSS paths (``oss://bucket/key``) become OSS artifacts with RRSA credentials (``useSDKCreds``);
  the endpoint (region) is not in the source, so it is the workflow parameter ``oss-endpoint``.
"""

from __future__ import annotations

from typing import Any

from askflow.convert.access import Reader, meaningful
from askflow.convert.containers import ensure_requests, resolve_image
from askflow.convert.graph import find_cycle
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
)
from askflow.convert.naming import Allocator, job_template_name, k8s_name, task_name
from askflow.convert.resources import (
    ANNOTATION_EXTRA_STORAGE,
    ANNOTATION_SPECS,
    ANNOTATION_SPOT_PRICE,
    ANNOTATION_SPOT_STRATEGY,
    FREE_EPHEMERAL_GIB,
    cpu_quantity,
    instance_type_size,
    is_legacy_type,
    memory_gib_quantity,
)
from askflow.errors import format_path

FORMAT = "batchcompute"
#: SDK defaults applied when a field is absent, so hand-written and SDK-written JSON convert alike.
DEFAULT_TIMEOUT = 3600
SDK_DESCRIPTION = "Batchcompute Python SDK"
WORKDIR = "/batchcompute/workdir"  # BatchCompute's working directory inside Docker (PWD)
OSS_ENDPOINT_PARAM = "oss-endpoint"
DOCKER_IMAGE_ENV = "BATCH_COMPUTE_DOCKER_IMAGE"
DOCKER_REGISTRY_ENV = "BATCH_COMPUTE_DOCKER_REGISTRY_OSS_PATH"
INSTANCE_ENV = "BATCH_COMPUTE_DAG_INSTANCE_ID"
_INTERPRETERS = {"python": "python", "shell": "sh", "sh": "sh", "bash": "bash", "perl": "perl"}


class _Task:
    """Converts one task description (either dialect) into a :class:`Task`."""

    def __init__(self, plan: JobPlan, report: Reporter, reader: Reader, source_name: str, task: str,
                 desc: dict[str, Any], path: PathParts, legacy: bool) -> None:
        self.plan, self.report, self.reader = plan, report, reader
        self.source_name, self.task, self.desc, self.path, self.legacy = source_name, task, desc, path, legacy
        self.annotations: dict[str, str] = {}
        self.volumes: list[dict[str, Any]] = []
        self.mounts: list[dict[str, Any]] = []
        self.inputs: list[dict[str, Any]] = []
        self.outputs: list[dict[str, Any]] = []
        self.volume_names = Allocator()
        self.extra_storage = 0

    # ---- OSS ------------------------------------------------------------------------------------
    def oss(self, url: str, path: PathParts) -> dict[str, Any]:
        if not url.startswith("oss://"):
            self.reader.fail(path, f"{url!r} is not an OSS path (oss://bucket/key)")
        bucket, _, key = url[len("oss://"):].partition("/")
        if not bucket:
            self.reader.fail(path, f"{url!r} names no bucket (oss://bucket/key)")
        endpoint = self.plan.add_parameter(
            OSS_ENDPOINT_PARAM, description="OSS endpoint of the job's buckets, e.g. "
            "https://oss-cn-hangzhou-internal.aliyuncs.com (BatchCompute paths carry no region).")
        self.report.add("OSS_ENDPOINT_PARAMETER", path, f"OSS bucket {bucket!r}: endpoint from the workflow "
                        f"parameter `{OSS_ENDPOINT_PARAM}`, credentials from the service account (RRSA)",
                        target=f"spec.arguments.parameters[{OSS_ENDPOINT_PARAM}]")
        return {"endpoint": endpoint, "bucket": bucket, "key": key.rstrip("/"), "useSDKCreds": True}

    # ---- parts of the template ----------------------------------------------------------------
    def command(self) -> dict[str, Any]:
        r, desc, path = self.reader, self.desc, self.path
        c: dict[str, Any] = {}
        if self.legacy:
            program = r.req_str(desc, "ProgramName", path)
            kind = (r.opt_str(desc, "ProgramType", path) or "python").lower()
            arguments = r.opt_str(desc, "ProgramArguments", path) or ""
            line = " ".join(p for p in (_INTERPRETERS.get(kind, kind), program, arguments) if p)
            self.report.add("LEGACY_PROGRAM", [*path, "ProgramName"], f"ProgramType {kind!r} + ProgramName "
                            f"{program!r} became the command line {line!r}", target=f"spec.templates[{self.task}]"
                            ".container.args")
            package, package_path = r.opt_str(desc, "PackageUri", path), [*path, "PackageUri"]
        else:
            params = r.req_map(desc, "Parameters", path)
            command = r.req_map(params, "Command", [*path, "Parameters"])
            cpath = [*path, "Parameters", "Command"]
            line = r.req_str(command, "CommandLine", cpath)
            package, package_path = r.opt_str(command, "PackagePath", cpath), [*cpath, "PackagePath"]
            self.report.add("COMMAND_LINE_SHELL", [*cpath, "CommandLine"], f"{line!r} runs as `sh -c`",
                            target=f"spec.templates[{self.task}].container.args")
        c["command"] = ["sh", "-c"]
        c["args"] = [line]
        if package:
            self.inputs.append({"name": "package", "path": WORKDIR, "oss": self.oss(package, package_path)})
            c["workingDir"] = WORKDIR
            self.report.add("PACKAGE_ARTIFACT", package_path, f"{package} is downloaded and unpacked in {WORKDIR} "
                            "(the working directory) before the command runs",
                            target=f"spec.templates[{self.task}].inputs.artifacts[package]")
        return c

    def environment(self) -> tuple[list[dict[str, str]], str | None, bool]:
        r, desc, path = self.reader, self.desc, self.path
        if self.legacy:
            env, epath = r.str_map(desc, "EnvironmentVariables", path, coerce=True), [*path, "EnvironmentVariables"]
            docker = None
        else:
            command = desc["Parameters"]["Command"]
            cpath = [*path, "Parameters", "Command"]
            env, epath = r.str_map(command, "EnvVars", cpath, coerce=True), [*cpath, "EnvVars"]
            docker = r.opt_str(r.opt_map(command, "Docker", cpath), "Image", [*cpath, "Docker"])
        image = docker or env.pop(DOCKER_IMAGE_ENV, None) or None
        oss_registry = env.pop(DOCKER_REGISTRY_ENV, None)
        if env:
            self.report.add("ENVIRONMENT_MAPPED", epath, f"{len(env)} variable(s): {', '.join(env)}",
                            target=f"spec.templates[{self.task}].container.env")
        out = [{"name": k, "value": v} for k, v in env.items()]
        return out, image, bool(oss_registry)

    def image(self, image: str | None, oss_registry: bool) -> str:
        r, desc, path = self.reader, self.desc, self.path
        param = f"{self.task}-image"
        if image and oss_registry:
            self.report.add("OSS_REGISTRY_IMAGE", [*path, "Parameters", "Command", "EnvVars", DOCKER_REGISTRY_ENV],
                            f"{image!r} is stored in an OSS-backed registry: push it to ACR and supply it as `{param}`",
                            target=f"spec.arguments.parameters[{param}]")
            return self.plan.add_parameter(param, description=f"Container image for task {self.task} (was "
                                           f"{image!r} in a BatchCompute OSS registry; push it to ACR).")
        if image:
            where = [*path, "Parameters", "Command"]
            return resolve_image(self.plan, self.report, param, image, where, what=f"task {self.task}")
        cluster = r.opt_map(desc, "AutoCluster", path)
        cpath = [*path, "AutoCluster"]
        vm = (r.opt_str(desc, "ImageId", path) or r.opt_str(cluster, "ImageId", cpath)
              or r.opt_str(cluster, "ECSImageId", cpath) or "")
        self.report.add("NEEDS_CONTAINER_IMAGE", [*path, "ImageId"] if self.legacy else [*path, "AutoCluster"],
                        f"task {self.source_name} runs on a VM image ({vm or 'unnamed'}), not a container: build an "
                        f"image with its program and runtime and supply it as `{param}`",
                        target=f"spec.arguments.parameters[{param}]")
        return self.plan.add_parameter(param, description=f"Container image for task {self.task} (BatchCompute ran "
                                       f"it on VM image {vm or 'unnamed'}; build an image with the program's runtime).")

    def resources(self, container: dict[str, Any]) -> None:
        r, desc, path, report = self.reader, self.desc, self.path, self.report
        cluster = r.opt_map(desc, "AutoCluster", path)
        cpath = [*path, "AutoCluster"]
        instance_type = r.opt_str(cluster, "InstanceType", cpath)
        requests: dict[str, str] = {}
        if instance_type:
            size = instance_type_size(instance_type)
            tpath = [*cpath, "InstanceType"]
            if size is not None:
                requests = {"cpu": cpu_quantity(size[0]), "memory": memory_gib_quantity(size[1])}
            if is_legacy_type(instance_type):
                if size is not None:
                    spec = f"{cpu_quantity(size[0])}-{memory_gib_quantity(size[1])}"
                    self.annotations[ANNOTATION_SPECS] = spec
                    report.add("INSTANCE_TYPE_APPROXIMATED", tpath, f"{instance_type} is not offered on ECI: the "
                               f"same size {spec} ({ANNOTATION_SPECS}) and requests cpu {requests['cpu']}, memory "
                               f"{requests['memory']}", target=f"spec.templates[{self.task}].metadata.annotations")
                else:
                    report.add("INSTANCE_TYPE_APPROXIMATED", tpath, f"{instance_type} is not offered on ECI and its "
                               "size is unknown to askflow: size the pod with requests or "
                               f"{ANNOTATION_SPECS}")
            else:
                self.annotations[ANNOTATION_SPECS] = instance_type
                report.add("INSTANCE_TYPE_TO_ECI", tpath, f"{ANNOTATION_SPECS}: {instance_type}" + (
                    f"; requests cpu {requests['cpu']}, memory {requests['memory']}" if requests else ""),
                    target=f"spec.templates[{self.task}].metadata.annotations")
        described = r.opt_map(desc, "ResourceDescription", path)
        if described and not requests:
            cpu = r.opt_number(described, "Cpu", [*path, "ResourceDescription"])
            memory = r.opt_number(described, "Memory", [*path, "ResourceDescription"])
            if cpu:
                requests["cpu"] = cpu_quantity(cpu / 100)
            if memory:
                requests["memory"] = f"{int(memory)}Mi"
            report.add("RESOURCE_UNITS_APPROXIMATED", [*path, "ResourceDescription"], f"Cpu {cpu:g} / Memory "
                       f"{memory:g} read as {requests.get('cpu')} cores / {requests.get('memory')} (units are "
                       "not documented: check)" if cpu and memory else "ResourceDescription read with undocumented "
                       "units: check the requests", target=f"spec.templates[{self.task}].container.resources")
        if requests:
            container["resources"] = {"requests": requests}
            report.add("RESOURCES_MAPPED", [*path, "AutoCluster"] if instance_type else [*path, "ResourceDescription"],
                       f"requests cpu {requests.get('cpu')}, memory {requests.get('memory')}",
                       target=f"spec.templates[{self.task}].container.resources")
        ensure_requests(container, report, [*path, "AutoCluster", "InstanceType"], what=f"task {self.task}")
        strategy_type = r.opt_str(cluster, "ResourceType", cpath)
        if strategy_type == "Spot":
            strategy = r.opt_str(cluster, "SpotStrategy", cpath) or "SpotAsPriceGo"
            if strategy not in ("SpotWithPriceLimit", "SpotAsPriceGo"):
                r.fail([*cpath, "SpotStrategy"], f"unknown SpotStrategy {strategy!r} (SpotWithPriceLimit, SpotAsPriceGo)")
            self.annotations[ANNOTATION_SPOT_STRATEGY] = strategy
            price = r.opt_number(cluster, "SpotPriceLimit", cpath)
            if price is not None:
                self.annotations[ANNOTATION_SPOT_PRICE] = f"{price:g}"
            elif strategy == "SpotWithPriceLimit":
                r.fail([*cpath, "SpotPriceLimit"], "SpotWithPriceLimit needs SpotPriceLimit")
            report.add("SPOT_TO_ECI", [*cpath, "ResourceType"], f"{ANNOTATION_SPOT_STRATEGY}: {strategy}" + (
                f", {ANNOTATION_SPOT_PRICE}: {price:g}" if price is not None else ""),
                target=f"spec.templates[{self.task}].metadata.annotations")
        elif strategy_type not in (None, "", "OnDemand"):
            r.fail([*cpath, "ResourceType"], f"unknown ResourceType {strategy_type!r} (OnDemand or Spot)")
        if r.opt_str(desc, "ClusterId", path):
            report.add("CLUSTER_BINDING_DROPPED", [*path, "ClusterId"], f"cluster {desc['ClusterId']} dropped: each "
                       "ECI pod gets its own instance; size it with requests")
        self.cluster_config(cluster, cpath)

    def cluster_config(self, cluster: dict[str, Any], cpath: PathParts) -> None:
        r, report = self.reader, self.report
        configs = r.opt_map(cluster, "Configs", cpath)
        gpath = [*cpath, "Configs"]
        disks = r.opt_map(configs, "Disks", gpath)
        system = r.opt_map(disks, "SystemDisk", [*gpath, "Disks"])
        size = r.opt_int(system, "Size", [*gpath, "Disks", "SystemDisk"], minimum=0) or 0
        if size > FREE_EPHEMERAL_GIB:
            self.extra_storage += size - FREE_EPHEMERAL_GIB
        data = r.opt_map(disks, "DataDisk", [*gpath, "Disks"])
        mount_point = r.opt_str(data, "MountPoint", [*gpath, "Disks", "DataDisk"])
        data_size = r.opt_int(data, "Size", [*gpath, "Disks", "DataDisk"], minimum=0) or 0
        if mount_point:
            name = self.volume_names.take("data-disk", 63)
            empty: dict[str, Any] = {"sizeLimit": f"{data_size}Gi"} if data_size else {}
            self.volumes.append({"name": name, "emptyDir": empty})
            self.mounts.append({"name": name, "mountPath": mount_point})
            self.extra_storage += data_size
        if size > FREE_EPHEMERAL_GIB or mount_point:
            report.add("SYSTEM_DISK_TO_EPHEMERAL", [*gpath, "Disks"], f"system disk {size} GiB"
                       + (f", data disk {data_size} GiB at {mount_point} (an emptyDir)" if mount_point else "")
                       + f": {self.extra_storage} GiB beyond ECI's free {FREE_EPHEMERAL_GIB} GiB" if self.extra_storage
                       else "the disks fit ECI's free 30 GiB", target=f"spec.templates[{self.task}].metadata")
        networks = r.opt_map(configs, "Networks", gpath)
        if meaningful(networks):
            report.add("DROPPED_FIELD", [*gpath, "Networks"], "VPC/network settings dropped: the cluster's vSwitches "
                       "decide the pod network")
        self.mount_entries(r.opt_map(configs, "Mounts", gpath), [*gpath, "Mounts"])
        for key, why in (("UserData", "VM user data has no pod counterpart"),
                         ("ReserveOnFail", "failed pods are kept until pod GC; inspect them with `argo logs`"),
                         ("DependencyIsvService", "no ECI counterpart")):
            if meaningful(cluster.get(key)):
                report.add("DROPPED_FIELD", [*cpath, key], f"{key} dropped: {why}")
        for key in cluster:
            if key not in ("InstanceType", "ResourceType", "SpotStrategy", "SpotPriceLimit", "ImageId", "ECSImageId",
                           "Configs", "UserData", "ReserveOnFail", "DependencyIsvService") and meaningful(cluster[key]):
                report.add("DROPPED_FIELD", [*cpath, key], f"AutoCluster.{key} is not converted")

    def mount_entries(self, mounts: dict[str, Any], mpath: PathParts) -> None:
        r, report = self.reader, self.report
        for i, entry in enumerate(r.opt_list(mounts, "Entries", mpath)):
            epath = [*mpath, "Entries", i]
            entry = r.mapping(entry, epath)
            source = r.req_str(entry, "Source", epath)
            destination = r.req_str(entry, "Destination", epath)
            writable = bool(r.opt_bool(entry, "WriteSupport", epath))
            name = self.volume_names.take(k8s_name(f"mount-{i}", limit=63), 63)
            if source.startswith("nas://"):
                server, _, nas_path = source[len("nas://"):].rstrip("!").partition(":")
                volume: dict[str, Any] = {"name": name, "nfs": {"server": server, "path": nas_path or "/"}}
                if not writable:
                    volume["nfs"]["readOnly"] = True
                report.add("NAS_MOUNT_NFS", epath, f"{source} -> NFS volume at {destination}"
                           + ("" if writable else " (read-only)"), target=f"spec.templates[{self.task}].volumes")
            elif source.startswith("oss://"):
                bucket = source[len("oss://"):].partition("/")[0]
                claim = k8s_name(f"oss-{bucket}", limit=63)
                volume = {"name": name, "persistentVolumeClaim": {"claimName": claim, "readOnly": not writable}}
                report.add("NEEDS_CLUSTER_RESOURCE", epath, f"{source} -> PVC {claim!r} mounted at {destination}: "
                           "create it with the OSS CSI driver (RRSA credentials)")
            else:
                report.add("DROPPED_FIELD", epath, f"mount source {source!r} is neither nas:// nor oss://")
                continue
            self.volumes.append(volume)
            mount: dict[str, Any] = {"name": name, "mountPath": destination}
            if not writable:
                mount["readOnly"] = True
            self.mounts.append(mount)
        for key in ("CacheSupport", "Lock", "NasMetaCache"):
            if mounts.get(key) is True:
                report.add("DROPPED_FIELD", [*mpath, key], f"Mounts.{key} dropped: no ECI counterpart")
        for key in ("Locale", "CacheBlockSize", "CacheTotalSize", "RefreshStrategy", "RefreshTopicName",
                    "RefreshTimeOut", "NAS"):
            if meaningful(mounts.get(key)):
                report.add("DROPPED_FIELD", [*mpath, key], f"Mounts.{key} dropped: no ECI counterpart")
        if meaningful(mounts.get("OSS")):
            report.add("DROPPED_FIELD", [*mpath, "OSS"], "OSS access keys dropped: never inline credentials; the "
                       "service account's RAM role (RRSA) reads OSS")

    def mappings(self) -> None:
        r, desc, path, report = self.reader, self.desc, self.path, self.report
        for key in ("InputMapping", "OssMapping") if self.legacy else ("InputMapping",):
            for oss, local in r.str_map(desc, key, path).items():
                mpath = [*path, key, oss]
                self.inputs.append({"name": f"input-{len(self.inputs)}", "path": local, "oss": self.oss(oss, mpath)})
                report.add("INPUT_MAPPING_COPIED", mpath, f"{oss} is copied to {local} before the task starts "
                           "(BatchCompute mounted it); for large data mount an OSS volume instead",
                           target=f"spec.templates[{self.task}].inputs.artifacts")
        for key, prefix in (("OutputMapping", "output"), ("LogMapping", "log")):
            for i, (local, oss) in enumerate(r.str_map(desc, key, path).items()):
                mpath = [*path, key, local]
                self.outputs.append({"name": f"{prefix}-{i}", "path": local, "oss": self.oss(oss, mpath),
                                     "archive": {"none": {}}})
                report.add("OUTPUT_MAPPING_ARTIFACT", mpath, f"{local} is uploaded to {oss} when the task ends",
                           target=f"spec.templates[{self.task}].outputs.artifacts")

    def build(self, count: int | None) -> Task:
        r, desc, path, report, task = self.reader, self.desc, self.path, self.report, self.task
        container = self.command()
        env, image, oss_registry = self.environment()
        container = {"image": self.image(image, oss_registry), **container}
        index = INDEX_REF if count is not None else "0"
        env += [{"name": "BATCH_COMPUTE_DAG_JOB_ID", "value": "{{workflow.name}}"},
                {"name": "BATCH_COMPUTE_DAG_TASK_ID", "value": self.source_name},
                {"name": INSTANCE_ENV, "value": index}]
        container["env"] = env
        report.add("RUNTIME_VARIABLES", path, "BATCH_COMPUTE_DAG_JOB_ID = the workflow name, "
                   f"BATCH_COMPUTE_DAG_TASK_ID = {self.source_name}, {INSTANCE_ENV} = "
                   + ("the item index" if count is not None else "0"), target=f"spec.templates[{task}].container.env")
        report.add("RUNTIME_VARIABLES_MISSING", path, "BATCH_COMPUTE_OSS_HOST, BATCH_COMPUTE_REGION, "
                   "BATCH_COMPUTE_CLUSTER_ID and BATCH_COMPUTE_WORKER_ID are not set")
        self.resources(container)
        self.mount_entries(r.opt_map(desc, "Mounts", path), [*path, "Mounts"])
        self.mappings()
        if self.mounts:
            container["volumeMounts"] = self.mounts
        logs = self.logs()
        limit = r.opt_int(desc, "MaxRetryCount", path, minimum=0) or 0
        report.add("RETRY_LIMIT", [*path, "MaxRetryCount"], f"MaxRetryCount {limit} became retryStrategy.limit "
                   f"{limit}", target=f"spec.templates[{task}].retryStrategy.limit")
        strategy: dict[str, Any] = {"limit": str(limit)}
        if limit:
            strategy["retryPolicy"] = "Always"  # BatchCompute retries an instance whatever failed (VM or program)
        timeout = r.opt_int(desc, "Timeout", path, minimum=1)
        origin = f"Timeout {timeout}" if timeout is not None else f"no Timeout (the SDK default {DEFAULT_TIMEOUT} s)"
        timeout = timeout or DEFAULT_TIMEOUT
        report.add("TASK_TIMEOUT", [*path, "Timeout"], f"{origin}: each pod attempt may run {timeout} s",
                   target=f"spec.templates[{task}].activeDeadlineSeconds")
        if self.extra_storage:
            self.annotations[ANNOTATION_EXTRA_STORAGE] = f"{self.extra_storage}Gi"
        template: dict[str, Any] = {}
        inputs: dict[str, Any] = {}
        if self.inputs:
            inputs["artifacts"] = self.inputs
        if inputs:
            template["inputs"] = inputs
        if self.outputs:
            template["outputs"] = {"artifacts": self.outputs}
        if self.annotations:
            template["metadata"] = {"annotations": dict(sorted(self.annotations.items()))}
        if logs:
            template["archiveLocation"] = {"archiveLogs": True}
        template["container"] = container
        if self.volumes:
            template["volumes"] = self.volumes
        template["retryStrategy"] = strategy
        template["activeDeadlineSeconds"] = str(timeout)
        self.leftovers()
        return Task(name=task, template=template, count=count, worst_seconds=timeout * (limit + 1))

    def logs(self) -> bool:
        r, desc, path = self.reader, self.desc, self.path
        holder, hpath = (desc, path) if self.legacy else (r.opt_map(desc, "Parameters", path), [*path, "Parameters"])
        redirected = [k for k in ("StdoutRedirectPath", "StderrRedirectPath") if r.opt_str(holder, k, hpath)]
        if redirected:
            self.report.add("LOG_SPLIT_LOST", [*hpath, redirected[0]], "stdout/stderr redirection "
                            f"({', '.join(str(holder[k]) for k in redirected)}) became archiveLogs: one log per pod "
                            "in the artifact repository", target=f"spec.templates[{self.task}].archiveLocation")
        if not self.legacy:
            config = r.opt_map(holder, "InputMappingConfig", hpath)
            if config.get("Lock") is True or config.get("Locale") not in (None, "", "GBK"):
                self.report.add("DROPPED_FIELD", [*hpath, "InputMappingConfig"], "InputMappingConfig (Lock/Locale) "
                                "dropped: input artifacts are copied, not mounted")
        elif desc.get("OssMappingLock") is True or meaningful(desc.get("OssMappingLocale")):
            self.report.add("DROPPED_FIELD", [*path, "OssMappingLock"], "OssMappingLock/Locale dropped: input "
                            "artifacts are copied, not mounted")
        return bool(redirected)

    def leftovers(self) -> None:
        known = ({"InstanceCount", "Timeout", "ImageId", "PackageUri", "ProgramName", "ProgramType", "ProgramArguments",
                  "EnvironmentVariables", "StdoutRedirectPath", "StderrRedirectPath", "OssMapping", "OssMappingLock",
                  "OssMappingLocale", "ResourceDescription", "MaxRetryCount"} if self.legacy else
                 {"Parameters", "InstanceCount", "MaxRetryCount", "Timeout", "ClusterId", "AutoCluster",
                  "InputMapping", "OutputMapping", "LogMapping", "WriteSupport", "Mounts"})
        for key, value in self.desc.items():
            if key not in known and meaningful(value):
                self.report.add("DROPPED_FIELD", [*self.path, key], f"{key} is not a task field askflow converts")


def convert(found: Found, name: str | None = None) -> JobPlan:
    """One BatchCompute job description -> a plan (raises AskflowError when it is malformed)."""
    reader = Reader(found.file, found.parts)
    report = Reporter(found.parts)
    data = reader.mapping(found.data, ())
    legacy = "JobName" in data
    source_name = reader.req_str(data, "JobName" if legacy else "Name")
    plan_name = job_template_name(name, source_name, report, ["JobName" if legacy else "Name"])
    source = found.source
    plan = JobPlan(name=plan_name, source=source, report=report, source_name=source_name)
    plan.annotations["askflow.dev/converted-from"] = f"{FORMAT} {found.kind} {source_name}"
    if legacy:
        report.add("LEGACY_DIALECT", ["JobName"], "API 2015-06-30 (JobName, TaskDag.TaskDescMap)")
    elif data.get("Type", "DAG") == "App":
        report.add("UNSUPPORTED_APP_JOB", ["Type"], f"App job {source_name!r} runs the registered App "
                   f"{reader.opt_map(data, 'App').get('AppName', '?')!r}, whose definition is not in the input")
        return plan
    elif data.get("Type", "DAG") != "DAG":
        reader.fail(["Type"], f"unknown job Type {data.get('Type')!r} (DAG or App)")
    dag_key, tasks_key = ("TaskDag", "TaskDescMap") if legacy else ("DAG", "Tasks")
    dag = reader.req_map(data, dag_key)
    descs = reader.req_map(dag, tasks_key, [dag_key])
    if not descs:
        reader.fail([dag_key, tasks_key], "a job needs at least one task")
    deps_key = "Dependences" if legacy and "Dependences" in dag and "Dependencies" not in dag else "Dependencies"
    downstream = reader.opt_map(dag, deps_key, [dag_key])
    names = Allocator((ENTRYPOINT,))
    task_of = {src: names.take(task_name(src)) for src in descs}
    fail_on_instance = reader.opt_bool(data, "JobFailOnInstanceFail")
    tolerate = fail_on_instance is False
    parents: dict[str, list[tuple[str, str]]] = {src: [] for src in descs}
    for parent, children in downstream.items():
        dpath = [dag_key, deps_key, parent]
        if parent not in descs:
            reader.fail(dpath, f"names task {parent!r}, which is not in {dag_key}.{tasks_key}")
        if not isinstance(children, list) or not all(isinstance(c, str) for c in children):
            reader.fail(dpath, "expected a list of downstream task names")
        for child in children:
            if child not in descs:
                reader.fail(dpath, f"names downstream task {child!r}, which is not in {dag_key}.{tasks_key}")
            if parent not in [p for p, _ in parents[child]]:
                parents[child].append((parent, format_path([*found.parts, *dpath])))
    cycle = find_cycle({child: [p for p, _ in ps] for child, ps in parents.items()})
    if cycle:
        reader.fail([dag_key, deps_key], "dependency cycle: " + " -> ".join(reversed(cycle)) + "; remove one edge")
    edges = [(p, c) for c, ps in parents.items() for p, _ in ps]
    if edges:
        report.add("DEPENDENCIES_INVERTED", [dag_key, deps_key], "downstream lists inverted into depends: "
                   + ", ".join(f"{task_of[c]} after {task_of[p]}" for p, c in edges),
                   target=f"spec.templates[{ENTRYPOINT}].dag.tasks")
    if tolerate and edges:
        report.add("FAIL_ON_INSTANCE_FAIL", ["JobFailOnInstanceFail"], "downstream tasks also run when a task "
                   "failed (depends: x.Succeeded || x.Failed || x.Errored)", target=f"spec.templates[{ENTRYPOINT}].dag.tasks")
    for src, desc in descs.items():
        tpath = [dag_key, tasks_key, src]
        desc = reader.mapping(desc, tpath)
        count = reader.opt_int(desc, "InstanceCount", tpath, minimum=1) or 1
        task = _Task(plan, report, reader, src, task_of[src], desc, tpath, legacy).build(count if count > 1 else None)
        if count > 1:
            report.add("FAN_OUT", [*tpath, "InstanceCount"], f"{count} instances -> withSequence count {count}, "
                       f"{INSTANCE_ENV} = the item", target=f"spec.templates[{ENTRYPOINT}].dag.tasks[{task.name}]")
        task.depends = [Dep(task_of[p], tolerate_failure=tolerate, path=where) for p, where in parents[src]]
        plan.tasks.append(task)
    _job_fields(plan, report, reader, data, legacy)
    report.add("SERVICE_ACCOUNT_DEFAULTED", plan.source.path, f"BatchCompute jobs name no role: "
               f"spec.serviceAccountName is {PLATFORM_SERVICE_ACCOUNT}, the tenant's workflow service account "
               "(bind the RAM role the job needs with RRSA)", target="spec.serviceAccountName")
    return plan


def _job_fields(plan: JobPlan, report: Reporter, reader: Reader, data: dict[str, Any], legacy: bool) -> None:
    priority = reader.opt_int(data, "Priority")
    if priority:
        report.add("PRIORITY_ON_SUBMIT", ["Priority"], f"Priority {priority} (higher first, as in Argo): submit with "
                   f"--priority {priority}")
    description = reader.opt_str(data, "Description")
    if description and description != SDK_DESCRIPTION:
        plan.annotations["workflows.argoproj.io/description"] = description
        report.add("DESCRIPTION_MAPPED", ["Description"], description,
                   target="metadata.annotations[workflows.argoproj.io/description]")
    if reader.opt_bool(data, "AutoRelease"):
        plan.spec["ttlStrategy"] = {"secondsAfterSuccess": 0}
        report.add("AUTO_RELEASE_TTL", ["AutoRelease"], "a succeeded workflow is deleted at once",
                   target="spec.ttlStrategy")
    topic = reader.opt_map(reader.opt_map(data, "Notification"), "Topic", ["Notification"])
    if meaningful(topic.get("Name")) or meaningful(topic.get("Events")):
        events = ", ".join(str(e) for e in reader.opt_list(topic, "Events", ["Notification", "Topic"]))
        report.add("NOTIFICATION_REWRITE", ["Notification"], f"MNS topic {topic.get('Name')!r}"
                   + (f" (events {events})" if events else "") + " is not converted: add an onExit handler that "
                   "posts to MNS, or consume Argo's workflow events")
    known = ({"JobName", "JobTag", "Priority", "TaskDag", "Description"} if legacy else
             {"Name", "Description", "Priority", "Type", "JobFailOnInstanceFail", "AutoRelease", "Notification", "DAG"})
    for key, value in data.items():
        if key in known or not meaningful(value):
            continue
        report.add("DROPPED_FIELD", [key], f"{key} is not a job field askflow converts")
    if legacy and meaningful(data.get("JobTag")):
        report.add("DROPPED_FIELD", ["JobTag"], f"JobTag {data['JobTag']!r} dropped: label submitted workflows "
                   "(workflowMetadata) instead")
