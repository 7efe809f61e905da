"""Every report code ``askflow convert`` emits, with its severity and meaning.

A code is stable: scripts may match on it (``--json REPORT``). Each report entry carries one code,
the severity the code has here, the JSON path in the source definition it comes from, and a
message with the specific values. Severities:

- ``mapped``: carried over with the same meaning;
- ``approximated``: carried over, but the meaning differs in a way the report explains, or a value
  the source did not give was filled in (a clearly marked parameter or platform default);
- ``not-converted``: dropped; the message says what to do instead.

Codes marked *blocking* mean the whole job was not converted (nothing is written for it and the
run exits 1). The field mappings follow ``../shared/batch-jobs/FORMATS.md`` (sections 1.11, 2.7
and 3.4), whose suggested codes (section 6) are reused where they exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from askflow.settings import WORKFLOW_RUN_AS_USER

Severity = Literal["mapped", "approximated", "not-converted"]
SEVERITIES: tuple[Severity, ...] = ("mapped", "approximated", "not-converted")


@dataclass(frozen=True)
class Code:
    severity: Severity
    #: What the code means, in one sentence a user can act on.
    meaning: str
    #: The job as a whole was not converted.
    blocking: bool = False
    #: A platform default most jobs get: the Markdown report says it in one line, the JSON report's summary
    #: once per run (the job's entries still hold it).
    platform_default: bool = False


M: Severity = "mapped"
A: Severity = "approximated"
N: Severity = "not-converted"

CODES: dict[str, Code] = {
    # ---- names, images, commands (every format) ---------------------------------------------
    "NAME_SANITIZED": Code(M, "The source name is not a Kubernetes name; the template name was derived from it."),
    "NAME_DEDUPLICATED": Code(A, "Two jobs of this run map to the same template name; this one got a numeric "
                                 "suffix (or pass --name when converting one job)."),
    "NAME_FROM_FILE": Code(M, "A SubmitJob pipeline has no name of its own; the template is named after the "
                              "file (use --name to choose)."),
    "IMAGE_MAPPED": Code(M, "The container image is pinned (tag or digest) and used as is."),
    "IMAGE_PARAMETER": Code(A, "The image is unpinned, `latest` or a placeholder; it cannot be invented, so it "
                               "is a workflow parameter without a default that must be supplied at submit "
                               "time (or written into a new version)."),
    "NEEDS_CONTAINER_IMAGE": Code(A, "The source runs on a VM image, not a container image; the image is a "
                                     "workflow parameter without a default: build an image with the program."),
    "OSS_REGISTRY_IMAGE": Code(A, "The image lives in a BatchCompute OSS-backed registry; push it to ACR and "
                                  "supply it through the image parameter."),
    "ECR_IMAGE": Code(A, "The image is in AWS ECR, which ECI cannot pull without credentials; push it to "
                         "ACR (or add an imagePullSecret)."),
    "COMMAND_MAPPED": Code(M, "The command is carried over (AWS Batch `command` is Docker CMD, so it becomes "
                              "`args` and the image ENTRYPOINT is kept)."),
    "COMMAND_LINE_SHELL": Code(M, "A BatchCompute command line runs through `sh -c`, as BatchCompute runs it "
                                  "in a shell."),
    "LEGACY_PROGRAM": Code(A, "A legacy BatchCompute ProgramName/ProgramType became a shell command line; "
                              "interpreters other than python and shell are a guess."),
    "ENVIRONMENT_MAPPED": Code(M, "Environment variables are carried over."),
    "PARAMETERS_TO_INPUTS": Code(M, "`Ref::` parameters became input parameters (with their defaults) "
                                    "substituted into the arguments."),
    "RUNTIME_VARIABLES": Code(M, "Variables the source platform sets at run time (array index, instance id, "
                                 "task name) are set from Argo variables."),
    "RUNTIME_VARIABLES_MISSING": Code(A, "Some variables the source platform sets at run time have no Argo "
                                         "counterpart and are not set; the message lists replacements."),
    # ---- resources and ECI --------------------------------------------------------------------
    "RESOURCES_MAPPED": Code(M, "CPU, memory and GPU requirements became container requests/limits (ECI sizes "
                                "pods from them)."),
    "RESOURCES_DEFAULTED": Code(A, "The source gives no CPU/memory; ECI's default size (2 vCPU, 4 GiB) is "
                                   "written explicitly so the pod is sized predictably; adjust it.", platform_default=True),
    "RESOURCE_UNITS_APPROXIMATED": Code(A, "Legacy BatchCompute ResourceDescription units are not documented "
                                           "(read as 1/100 core and MB); check the requests."),
    "ECI_SPEC_ROUNDED": Code(A, "An ECI instance spec (k8s.aliyun.com/eci-use-specs) was derived from "
                                "vCPU/memory, rounded up to the nearest vCPU:memory shape."),
    "ACS_BEST_EFFORT": Code(A, "--cluster-kind acs: a spot strategy became the ACS pod label "
                               "alibabacloud.com/compute-qos: best-effort (preemptible, no price cap)."),
    "ACS_GPU_CLASS": Code(A, "--cluster-kind acs: a GPU instance type became alibabacloud.com/compute-class: gpu; "
                             "set alibabacloud.com/gpu-model-series to the GPU model."),
    "ACS_SPEC_DROPPED": Code(M, "--cluster-kind acs: an ECI instance spec was dropped; ACS sizes the pod from the "
                                "container requests the converter wrote."),
    "ACS_ANNOTATION_DROPPED": Code(N, "--cluster-kind acs: an ECI annotation with no ACS counterpart (extra "
                                      "ephemeral storage, elastic IP) was dropped; provide it another way."),
    "ACK_ONE_DEFAULTS": Code(A, "--engine ack-one: the managed engine applies none of askflow's workflow defaults "
                                "(ttlStrategy, podGC, the non-root securityContext); the template runs with Alibaba's "
                                "controller defaults unless it sets them (askflow lint --engine ack-one)."),
    "INSTANCE_TYPE_TO_ECI": Code(M, "The instance type became the ECI annotation k8s.aliyun.com/eci-use-specs."),
    "INSTANCE_TYPE_APPROXIMATED": Code(A, "The instance type is an old family ECI does not offer; a "
                                          "`<vCPU>-<mem>Gi` spec of the same size is used instead."),
    "GPU_INSTANCE_TYPE": Code(A, "GPUs became an `nvidia.com/gpu` limit; ECI needs a GPU instance type in "
                                 "k8s.aliyun.com/eci-use-specs too (see GPU_SPEC_PARAMETER)."),
    "GPU_SPEC_PARAMETER": Code(A, "The ECI GPU instance type (k8s.aliyun.com/eci-use-specs) is a workflow "
                                  "parameter `<task>-gpu-instance-type`: ecs.gn6i-c4g1.xlarge by default for one "
                                  "GPU, required for more; check it."),
    "GPU_ROUNDED_UP": Code(A, "A fractional GPU count was rounded up to whole GPUs (Kubernetes allocates whole "
                              "nvidia.com/gpu)."),
    "SPOT_TO_ECI": Code(M, "The spot strategy and price limit became ECI annotations "
                           "(k8s.aliyun.com/eci-spot-strategy, eci-spot-price-limit)."),
    "SYSTEM_DISK_TO_EPHEMERAL": Code(A, "Disk size beyond ECI's free 30 GiB became "
                                        "k8s.aliyun.com/eci-extra-ephemeral-storage; data disks became emptyDir "
                                        "volumes (contents do not outlive the pod)."),
    "FARGATE_NOT_NEEDED": Code(M, "Fargate is AWS's serverless capacity; ECI pods are already serverless, so "
                                  "platformCapabilities and fargatePlatformConfiguration need nothing."),
    "PUBLIC_IP_TO_EIP": Code(M, "assignPublicIp became the ECI annotation k8s.aliyun.com/eci-with-eip."),
    "CLUSTER_BINDING_DROPPED": Code(A, "The job was bound to a fixed cluster or compute environment; on ECI "
                                       "each pod gets its own instance, so the binding is dropped."),
    # ---- identity, security, storage ------------------------------------------------------------
    "SERVICE_ACCOUNT_DEFAULTED": Code(A, "The source names no role or service account; "
                                         "spec.serviceAccountName is `argo-workflow`, the platform's per-tenant "
                                         "workflow service account (not `default`).", platform_default=True),
    "SERVICE_ACCOUNT_MAPPED": Code(M, "The pod's serviceAccountName is carried over."),
    "JOB_ROLE_TO_SERVICE_ACCOUNT": Code(A, "The IAM job role became the tenant's workflow service account; "
                                           "bind an equivalent RAM role to it with RRSA."),
    "USER_DEFAULTED": Code(A, "The source runs as the image's own user; workflow pods run as uid "
                              f"{WORKFLOW_RUN_AS_USER}, non-root, on the platform (argo.workflow_pods_non_root): set the template's securityContext "
                              "if the image needs its own user.", platform_default=True),
    "ROOT_KEPT": Code(A, "The job runs as root: its container sets runAsNonRoot false and adds back the container "
                         "runtime's default capabilities, which the platform's workflow-pod defaults drop, except "
                         "NET_RAW (Pod Security baseline refuses it)."),
    "SECURITY_CONTEXT_MAPPED": Code(M, "User and read-only root filesystem settings became the "
                                       "container securityContext."),
    "USER_NOT_NUMERIC": Code(A, "Kubernetes needs a numeric user or group id; a name was mapped to its usual "
                                "id (nobody = 65534) or dropped."),
    "VOLUMES_MAPPED": Code(M, "Volumes and mount points became pod volumes and volumeMounts."),
    "VOLUMES_APPROXIMATED": Code(A, "A host volume became an emptyDir (ECI has no host paths; data does not "
                                    "persist across pods), or an EFS access point's root is not known."),
    "NEEDS_CLUSTER_RESOURCE": Code(A, "The template references a Kubernetes object that must exist in the "
                                      "namespace (a Secret, a PVC for NAS/EFS/OSS); create it."),
    # ---- retries, deadlines ----------------------------------------------------------------------
    "RETRY_LIMIT": Code(M, "Retries became retryStrategy.limit (AWS attempts minus one; BatchCompute "
                           "MaxRetryCount; Kubernetes backoffLimit for a single pod)."),
    "RETRY_EXIT_CODES": Code(M, "Exit-code retry rules became a retryStrategy.expression on lastRetry.exitCode."),
    "RETRY_REASON_APPROXIMATED": Code(A, "A retry rule on a failure reason (AWS onReason/onStatusReason, "
                                         "Kubernetes pod conditions) has no Argo equivalent; it is "
                                         "approximated by lastRetry.status == 'Error' (infrastructure failure)."),
    "RETRY_COUNT_SEMANTICS": Code(A, "A job-wide failure budget (Kubernetes backoffLimit over several pods) "
                                     "became a per-item retry limit."),
    "POD_FAILURE_POLICY_APPROXIMATED": Code(A, "A podFailurePolicy action (FailIndex, Count, Ignore) is "
                                               "approximated by the retry expression."),
    "MAX_FAILED_INDEXES": Code(A, "maxFailedIndexes has no Argo equivalent: any failed item fails the task."),
    "ATTEMPT_TIMEOUT": Code(M, "The per-attempt timeout became the template's activeDeadlineSeconds."),
    "TIMEOUT_NOT_RETRIED": Code(A, "AWS Batch does not retry a timed-out attempt: the retry expression excludes "
                                   "a pod stopped at its activeDeadlineSeconds (matched on the kubelet's "
                                   "message, lastRetry.message; not verified on ECI's virtual kubelet)."),
    "TASK_TIMEOUT": Code(A, "The BatchCompute task Timeout became a per-pod activeDeadlineSeconds; whether "
                            "BatchCompute counts it per instance or per task is not documented."),
    "DEADLINE_MAPPED": Code(M, "The whole-job deadline became spec.activeDeadlineSeconds."),
    "DEADLINE_DEFAULTED": Code(A, "The source has no whole-job deadline; spec.activeDeadlineSeconds is set "
                                  "(24 h, or the longest chain of attempt timeouts if longer) so runaway jobs "
                                  "stop; adjust it.", platform_default=True),
    # ---- graphs, fan-out, scheduling --------------------------------------------------------------
    "DEPENDENCIES_MAPPED": Code(M, "Job dependencies became DAG `depends` edges."),
    "DEPENDENCIES_INVERTED": Code(M, "BatchCompute Dependencies (task -> downstream tasks) were inverted "
                                     "into Argo `depends` (task <- upstream tasks)."),
    "FAN_OUT": Code(M, "An array job / InstanceCount / Indexed completions became withSequence over a "
                       "count, with the index passed to the container."),
    "NON_INDEXED_COMPLETIONS": Code(A, "NonIndexed completions became N items, each with its own retries "
                                       "(Kubernetes keeps creating pods until N succeed)."),
    "WORK_QUEUE_SEMANTICS": Code(A, "A work-queue Job (parallelism without completions) became P items that "
                                    "must all succeed (Kubernetes stops at the first success)."),
    "PARALLELISM_MAPPED": Code(M, "parallelism became the fan-out's `parallelism`."),
    "N_TO_N_FUSED": Code(A, "An N_TO_N dependency between array jobs became one per-index DAG fanned out once "
                            "(child i runs right after child i of its dependency, as in AWS); dependencies of "
                            "the group's members on other jobs apply to the whole group."),
    "N_TO_N_BARRIER": Code(A, "An N_TO_N dependency could not be fused and became a full barrier (every "
                              "child waits for all children of the dependency)."),
    "LARGE_FAN_OUT": Code(A, "A fan-out of more than 1000 items: every item is a node in the Workflow's status; "
                             "enable node status offload (persistence.nodeStatusOffLoad) in the controller."),
    "SEQUENTIAL_APPROXIMATED": Code(A, "SEQUENTIAL array children run one at a time (parallelism 1, failFast) "
                                       "in index order."),
    "FAIL_ON_INSTANCE_FAIL": Code(A, "JobFailOnInstanceFail false: downstream tasks also run after a failed "
                                     "task (`depends: x.Succeeded || x.Failed || x.Errored`)."),
    "PRIORITY_ON_SUBMIT": Code(A, "Priority belongs on the submitted Workflow, not a WorkflowTemplate: submit "
                                  "with `argo submit --from workflowtemplate/<name>-v<N> --priority P` (or set "
                                  "spec.workflowSpec.priority in a CronWorkflow)."),
    "JOB_QUEUE_REPLACED": Code(A, "Argo has no job queues; ordering and limits come from workflow priority, "
                                  "parallelism and semaphores."),
    "JOB_DEFINITION_NOT_FOUND": Code(A, "The SubmitJob names a job definition that is not among the inputs; "
                                        "its image is a parameter and the image's default command runs "
                                        "(convert it together with the definition to carry everything over)."),
    # ---- logs, artifacts, notifications (BatchCompute) ---------------------------------------------
    "PACKAGE_ARTIFACT": Code(M, "The OSS program package became an input artifact unpacked in the working "
                                "directory."),
    "INPUT_MAPPING_COPIED": Code(A, "InputMapping (an OSS path mounted read-only) became an input artifact, "
                                    "which copies the data into the pod before it starts."),
    "OUTPUT_MAPPING_ARTIFACT": Code(M, "OutputMapping/LogMapping became OSS output artifacts (not archived, "
                                       "uploaded as files)."),
    "OSS_ENDPOINT_PARAMETER": Code(A, "BatchCompute OSS paths carry no region; the OSS endpoint is the "
                                      "workflow parameter `oss-endpoint` (credentials come from RRSA, "
                                      "useSDKCreds)."),
    "LOG_SPLIT_LOST": Code(A, "stdout/stderr redirection became archiveLogs (one log per pod in the artifact "
                              "repository; no separate stdout/stderr paths)."),
    "NAS_MOUNT_NFS": Code(M, "A NAS mount became an NFS volume."),
    "NOTIFICATION_REWRITE": Code(N, "Notifications (MNS topics) are not converted; use an onExit handler or "
                                    "Argo workflow events."),
    "AUTO_RELEASE_TTL": Code(M, "AutoRelease became ttlStrategy.secondsAfterSuccess: 0."),
    "DESCRIPTION_MAPPED": Code(M, "The description became the workflows.argoproj.io/description annotation."),
    "LEGACY_DIALECT": Code(M, "The definition uses the legacy BatchCompute API (2015-06-30: JobName, TaskDag)."),
    # ---- Kubernetes specifics ----------------------------------------------------------------------
    "POD_TEMPLATE_MAPPED": Code(M, "The Job's pod template became a container template (pod fields on the "
                                   "template or, where Argo has no field, in podSpecPatch)."),
    "LEGACY_API_VERSION": Code(M, "batch/v1beta1 is read as batch/v1 (same fields)."),
    "MULTI_CONTAINER_SIDECARS": Code(A, "Extra containers became Argo sidecars, which are stopped when the "
                                        "main container ends (a Job waits for all containers)."),
    "RESTART_POLICY_CHANGED": Code(A, "restartPolicy OnFailure restarts the container in place; Argo creates "
                                      "a new pod for each retry."),
    "UNSUPPORTED_SUCCESS_POLICY": Code(N, "successPolicy (early success of an Indexed Job) has no Argo "
                                          "equivalent; run the Job unchanged (see the report) if you need it."),
    "TTL_MAPPED": Code(M, "ttlSecondsAfterFinished became ttlStrategy (after completion, success and failure: the controller's defaults would override completion alone)."),
    "SUSPEND_APPROXIMATED": Code(A, "suspend became spec.suspend: each submitted workflow starts suspended "
                                    "until resumed."),
    "RESOURCE_TEMPLATE_OFFERED": Code(M, "What Argo cannot express is listed here; the report also shows how "
                                         "to run the Job unchanged through a `resource` template."),
    "WORKFLOW_METADATA": Code(M, "Job / jobTemplate labels and annotations became the labels and annotations "
                                 "of each submitted workflow (workflowMetadata)."),
    "CRON_MAPPED": Code(M, "The CronJob's schedule, time zone, concurrency policy, suspend and history limits "
                           "became the CronWorkflow's fields."),
    "CRON_SUSPENDED": Code(A, "The template needs parameters without defaults (an unpinned image); the "
                              "CronWorkflow passes the source's values and starts suspended until they are "
                              "pinned."),
    "CRON_DEADLINE_DEFAULT": Code(A, "The CronJob has no startingDeadlineSeconds (Kubernetes: missed runs still "
                                     "start); Argo's default 0 skips missed runs."),
    # ---- dropped fields, unsupported jobs -----------------------------------------------------------
    "AUTOMOUNT_TOKEN_DROPPED": Code(N, "The pod's automountServiceAccountToken: false was dropped: Argo's "
                                       "executor needs the token unless executor.serviceAccountName is set; limit "
                                       "the service account's permissions instead."),
    "DROPPED_FIELD": Code(N, "A source field has no counterpart on the platform and was dropped; the message "
                             "says why and what to use instead."),
    "POD_SECURITY_BASELINE": Code(N, "The job needs what Pod Security's baseline level refuses (privileged "
                                     "containers, host namespaces, hostPath volumes, host ports or added "
                                     "capabilities), which tenant namespaces enforce: remove it from the job or run "
                                     "the job outside the platform.", blocking=True),
    "UNSUPPORTED_MULTINODE": Code(N, "Multi-node parallel jobs need gang scheduling and the main node's address; "
                                     "they are not a DAG of independent pods (run an MPIJob through a resource "
                                     "template).", blocking=True),
    "UNSUPPORTED_APP_JOB": Code(N, "A BatchCompute App job refers to a registered App whose definition is "
                                   "not in the input.", blocking=True),
    "UNSUPPORTED_ECS_PROPERTIES": Code(N, "Multi-container ECS task properties are not converted; use "
                                          "containerProperties or eksProperties.", blocking=True),
    "CLOUDFORMATION_EXPRESSION": Code(A, "A CloudFormation intrinsic function (!Ref, !Sub, !GetAtt, ...) is "
                                         "resolved at deploy time; it is written as text (${Name}); replace it "
                                         "with the deployed value."),
    "TERRAFORM_DEFINITION": Code(N, "A Terraform aws_batch_job_definition whose container_properties is neither "
                                    "jsonencode({...}) nor JSON written out (file(), a local, a data source): "
                                    "export the registered definition with `aws batch describe-job-definitions` "
                                    "and convert that JSON.", blocking=True),
    "TERRAFORM_EXPRESSION": Code(A, "A Terraform value only Terraform knows (a variable, another resource's "
                                    "attribute, a function other than jsonencode) is written as text (${var.x}); "
                                    "replace it with its value."),
    "NODE_SELECTOR_DROPPED": Code(A, "A nodeSelector label of another cloud (GKE, EKS, AKS, Karpenter, instance "
                                     "types, zones) matches no ECI virtual node; it is not carried over (ECI "
                                     "pods are sized by k8s.aliyun.com/eci-use-specs)."),
    "NATIVE_SIDECAR": Code(A, "An init container with restartPolicy Always is a native sidecar: it runs beside "
                              "the main container, so its requests add to the pod's size (ECI bills the sum)."),
    "JOB_QUEUE_NOT_A_JOB": Code(N, "A job queue is not a job: Argo replaces it with workflow priority, "
                                   "parallelism and semaphores (FORMATS.md section 4); nothing to write.",
                                blocking=True),
}


def severity_of(code: str) -> Severity:
    return CODES[code].severity
