"""Where a workflow's pod logs are: the SLS fields they are indexed by, the query and the console
link that find them (``askflow logs``), and the OSS prefix Argo archives them under.

Collection (``infra/components/cluster.py``): the log add-on's ``AliyunLogConfig`` runs Logtail's
container stdout input (``service_docker_stdout``) over every container, which adds
``_namespace_``, ``_pod_name_`` and ``_container_name_`` to each log, and copies pod labels and
container environment variables into fields through ``ExternalK8sLabelTag`` and ``ExternalEnvTag``
(Simple Log Service, Logtail plugin parameters, "Container stdout (legacy)": "if you set LabelKey
to app and LabelValue to k8s_label_app ... the added field is k8s_label_app: serviceA"). From what
Argo puts on every workflow pod (argoproj/argo-workflows v4.0.10):

- the label ``workflows.argoproj.io/workflow`` (the workflow's name: ``workflow/controller/workflowpod.go``
  l. 204, ``workflow/common/common.go`` l. 91) becomes field ``workflow``;
- the environment variable ``ARGO_NODE_ID`` on every container, init and wait included
  (``workflowpod.go`` l. 340-372) becomes field ``node_id``; a node's id is the workflow's name, a
  dash and the 32-bit FNV-1a hash of the node's name (``pkg/apis/workflow/v1alpha1/workflow_types.go``
  l. 3750-3758), so ``--node NAME`` needs no cluster access (:func:`node_id`);
- the label :data:`TEMPLATE_LABEL`, which every deployed WorkflowTemplate puts on its pods
  (``spec.podMetadata``, :func:`template_labels`), becomes field ``template``;
- the namespace is the tenant (``_namespace_``).

``infra/components/observability.py`` indexes those fields (``log.StoreIndex``) with delimiters that
keep a name whole, so ``workflow: etl-v3-x7k2p`` matches that workflow only.

The console link opens the logstore's search page with the query (Simple Log Service, "Customize
the UI of embedded pages": ``/lognext/project/<project>/logsearch/<logstore>``, ``encode=base64``
and a base64 ``queryString``, ``queryTimeType`` 7 for the last 30 days).

Archived logs: with ``archiveLogs`` in a tenant's artifact repository Argo saves each step's main
container log as the artifact ``main-logs`` (``main.log``) under the repository's key format
(``infra/components/tenants.py``: ``<tenant>/<yyyy>/<mm>/<dd>/<workflow>/<pod>``), so one workflow's
logs are under one OSS prefix once its date is known.
"""

from __future__ import annotations

import argparse
import base64
import re
import urllib.parse
from dataclasses import dataclass
from typing import Any

from askflow import jsonout
from askflow.errors import AskflowError

#: The logstore every container's stdout and stderr go to (infra/components/observability.py).
LOGSTORE = "pods"
#: Fields of each log line, as Logtail names them (built-in) or as the stack maps them.
FIELD_TENANT = "_namespace_"
FIELD_POD = "_pod_name_"
FIELD_CONTAINER = "_container_name_"
FIELD_WORKFLOW = "workflow"
FIELD_TEMPLATE = "template"
FIELD_NODE = "node_id"
WORKFLOW_LABEL = "workflows.argoproj.io/workflow"
NODE_ID_ENV = "ARGO_NODE_ID"
TEMPLATE_LABEL = "askflow/template"
#: Pod labels and container env vars Logtail copies into fields (ExternalK8sLabelTag, ExternalEnvTag).
LABEL_FIELDS = {WORKFLOW_LABEL: FIELD_WORKFLOW, TEMPLATE_LABEL: FIELD_TEMPLATE}
ENV_FIELDS = {NODE_ID_ENV: FIELD_NODE}
#: Indexed as whole words: split only at whitespace, quotes, commas and semicolons, never at the
#: '-', '.' or '/' inside names (the provider splits ``token`` into single characters,
#: alicloud/resource_alicloud_log_store_index.go l. 427, 442 at 81c43b67).
NAME_TOKEN = " \t\r\n,;\"'"
#: The console's default delimiters for full-text search of the message.
TEXT_TOKEN = ", '\";=()[]{}?@&<>/:\n\t\r"
INDEXED_NAMES = (FIELD_TENANT, FIELD_POD, FIELD_CONTAINER, FIELD_WORKFLOW, FIELD_TEMPLATE, FIELD_NODE)
#: Kubernetes object names (what a workflow name and a namespace are): lowercase RFC 1123.
_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")


def stdout_detail() -> dict[str, object]:
    """``inputDetail.plugin.inputs[0].detail`` of the AliyunLogConfig that collects pod logs."""
    return {"Stdout": True, "Stderr": True, "ExternalK8sLabelTag": dict(LABEL_FIELDS), "ExternalEnvTag": dict(ENV_FIELDS)}


def template_labels(manifest: dict, deployed_name: str) -> dict:
    """``manifest`` (a rendered WorkflowTemplate) with :data:`TEMPLATE_LABEL` on its pods."""
    spec = dict(manifest["spec"])
    pod_metadata = dict(spec.get("podMetadata") or {})
    pod_metadata["labels"] = {**(pod_metadata.get("labels") or {}), TEMPLATE_LABEL: deployed_name}
    spec["podMetadata"] = pod_metadata
    return {**manifest, "spec": spec}


def fnv1a_32(text: str) -> int:
    """Go's ``hash/fnv`` New32a over UTF-8 bytes."""
    h = 0x811C9DC5
    for byte in text.encode():
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


def node_id(workflow: str, node: str) -> str:
    """Argo's id of node ``node`` of ``workflow``. ``node`` is the node's full name
    (``<workflow>.<task>``, ``<workflow>[0].<step>``), or a name relative to the workflow
    (``extract``, ``[0].extract``), which gets the workflow's name in front."""
    full = node if node == workflow or node.startswith((f"{workflow}.", f"{workflow}[")) else (
        f"{workflow}{node}" if node.startswith("[") else f"{workflow}.{node}")
    return workflow if full == workflow else f"{workflow}-{fnv1a_32(full)}"


@dataclass(frozen=True)
class LogSearch:
    """What finds one workflow's (or node's) logs."""

    project: str
    logstore: str
    region: str
    query: str
    console_url: str
    archive_prefix: str | None
    """``oss://<bucket>/<tenant>/<yyyy>/<mm>/<dd>/<workflow>/`` with the date left as a pattern, or
    None when the stack does not archive logs."""


def _check_name(value: str, what: str) -> None:
    if not _NAME.match(value) or len(value) > 253:
        raise AskflowError(f"{value!r} is not a {what} name (lowercase letters, digits, '-' and '.')", path=what)


def log_search(*, project: str, logstore: str, region: str, workflow: str, node: str | None = None,
               tenant: str | None = None, bucket: str | None = None) -> LogSearch:
    """The SLS query (and console link) for ``workflow``'s logs, one node's with ``node``."""
    _check_name(workflow, "workflow")
    terms = [f"{FIELD_WORKFLOW}: \"{workflow}\""]
    if tenant is not None:
        _check_name(tenant, "tenant")
        terms.insert(0, f"{FIELD_TENANT}: \"{tenant}\"")
    if node is not None:
        if not node.strip() or any(c in node for c in NAME_TOKEN):
            raise AskflowError(f"{node!r} is not a node name (as `argo get` shows it)", path="--node")
        terms.append(f"{FIELD_NODE}: \"{node_id(workflow, node)}\"")
    query = " and ".join(terms)
    encoded = base64.b64encode(query.encode()).decode()
    params = urllib.parse.urlencode({"encode": "base64", "queryString": encoded, "queryTimeType": "7", "slsRegion": region})
    url = f"https://sls.console.aliyun.com/lognext/project/{project}/logsearch/{logstore}?{params}"
    archive = None
    if bucket is not None:
        archive = f"oss://{bucket}/{tenant or '<tenant>'}/<yyyy>/<mm>/<dd>/{workflow}/"
    return LogSearch(project=project, logstore=logstore, region=region, query=query, console_url=url,
                     archive_prefix=archive)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "logs",
        help="the SLS query and console link that find a workflow's (or one node's) pod logs",
        description="Print the Simple Log Service query that finds the pod logs of WORKFLOW (or of one node with "
        "--node), and the console link that runs it, for a stack's log project; with the stack's "
        "observability.archive_logs, also the OSS prefix Argo archives each step's main log under. Nothing is "
        "contacted: the link opens in the console with your own login.",
    )
    parser.add_argument("workflow", metavar="WORKFLOW", help="the workflow's name (metadata.name), e.g. etl-v3-x7k2p")
    parser.add_argument("--node", metavar="NAME",
                        help="one node: its name as `argo get` shows it (extract, [0].extract) or its full name")
    parser.add_argument("--tenant", metavar="NAMESPACE", help="the tenant (namespace) the workflow ran in")
    parser.add_argument("--stack", default="dev", help="stack name: environments/Pulumi.<stack>.yaml (default: dev)")
    parser.add_argument("--project", default=".", metavar="DIR", help="the Pulumi project folder (default: .)")
    jsonout.add_argument(parser, "the query, link and archive prefix")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from askflow.stacks import load_project, load_settings, read_stack

    jsonout.check(args.json_path)
    settings = load_settings(read_stack(load_project(args.project), args.stack))
    if not settings.cluster.enable_log_collection:
        raise AskflowError(f"stack {args.stack} collects no pod logs (cluster.enable_log_collection is false)",
                           path="cluster.enable_log_collection")
    if args.tenant is not None and args.tenant not in {t.name for t in settings.tenants}:
        raise AskflowError(f"{args.tenant!r} is not a tenant of stack {args.stack}; tenants: "
                           + ", ".join(sorted(t.name for t in settings.tenants)), path="--tenant")
    search = log_search(project=settings.sls_project_name, logstore=LOGSTORE, region=settings.region,
                        workflow=args.workflow, node=args.node, tenant=args.tenant,
                        bucket=settings.bucket_name if settings.observability.archive_logs else None)
    data = {"project": search.project, "logstore": search.logstore, "region": search.region, "query": search.query,
            "console_url": search.console_url, "archive_prefix": search.archive_prefix}
    if args.json_path:
        jsonout.write(args.json_path, jsonout.dumps(data))
        return 0
    print(f"query ({search.project}/{search.logstore}): {search.query}")
    print(f"console: {search.console_url}")
    if search.archive_prefix:
        print(f"archived main logs: {search.archive_prefix} (main.log of each step's pod)")
    return 0
