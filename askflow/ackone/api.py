"""The three adcp (ACK One, 2022-01-01) calls askflow makes, through Alibaba's Python SDK.

``DescribeHubClusterDetails`` (state and current workflow settings), ``UpdateHubClusterFeature``
(``ArgoServerEnabled``, ``WorkflowScheduleMode``) and ``DescribeHubClusterKubeconfig``
(``PrivateIpAddress=true``). Field names are the SDK's (``alibabacloud-adcp20220101`` 3.1.1,
``models.py``: ``DescribeHubClusterDetailsResponseBodyCluster{ClusterInfo,WorkflowConfig}``,
``UpdateHubClusterFeatureRequest``, ``DescribeHubClusterKubeconfigRequest`` /
``...ResponseBody.Kubeconfig``).

The SDK is imported inside :func:`connect`, not here: it pulls aiohttp, cryptography and the
credentials chain (about 0.4 s), which ``askflow plan`` never needs. Credentials come from
``alibabacloud-credentials``' default chain only (``ALIBABA_CLOUD_ACCESS_KEY_ID`` / ``_SECRET`` /
``ALIBABA_CLOUD_SECURITY_TOKEN``, the OIDC role variables ``ALIBABA_CLOUD_ROLE_ARN``,
``ALIBABA_CLOUD_OIDC_PROVIDER_ARN``, ``ALIBABA_CLOUD_OIDC_TOKEN_FILE`` in CI, ``~/.alibabacloud/credentials.ini``,
the CLI's profile): never keys in Pulumi config or state.

Every SDK error becomes one :class:`~askflow.errors.AskflowError` line: the action, the cluster and
region, the API's Code and Message (and request id), and what to do.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from askflow.errors import AskflowError

API_VERSION = "2022-01-01"
#: ``ClusterInfo.State`` (SDK models.py, DescribeHubClusterDetailsResponseBodyClusterClusterInfo):
#: initial, failed, running, inactive, deleting, delete_failed, deleted.
RUNNING = "running"
#: States from which a cluster does not become running by waiting.
DEAD_STATES: tuple[str, ...] = ("failed", "deleting", "delete_failed", "deleted")
#: The RAM actions these calls need (the deploy role's policy, askflow/bootstrap/policy.py); reads only
#: match ``adcp:Describe*``, UpdateHubClusterFeature is a write.
RAM_ACTIONS: tuple[str, ...] = (
    "adcp:DescribeHubClusterDetails", "adcp:UpdateHubClusterFeature", "adcp:DescribeHubClusterKubeconfig")
#: The error code the provider treats as "gone" (service_alicloud_ack_one_v2.go l. 46).
NOT_FOUND_CODES: tuple[str, ...] = ("Cluster.NotFound",)

_PERMISSION_CODES = ("Forbidden", "NoPermission", "InvalidAccessKeyId", "SignatureDoesNotMatch",
                     "InvalidSecurityToken", "InvalidCredentials", "InvalidAccessKeySecret")
_CREDENTIALS_HINT = (
    "give the caller the RAM action adcp:{action} and credentials through the default chain "
    "(ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET, the OIDC role variables in CI, or ~/.alibabacloud/credentials.ini)"
)

T = TypeVar("T")


class ClusterNotFound(AskflowError):
    """The workflow cluster does not exist (any more)."""


@dataclass(frozen=True)
class ClusterView:
    """What DescribeHubClusterDetails says about one workflow cluster."""

    cluster_id: str
    state: str
    profile: str
    argo_server_enabled: bool | None
    scheduling_mode: str | None
    error_message: str = ""


def connect(region: str, overrides: dict[str, Any] | None = None) -> Any:
    """A new SDK client for ``region`` (never kept between calls: the dynamic provider is pickled).

    The SDK picks ``adcp.<region>.aliyuncs.com`` from the region (client.py ``_endpoint_map``);
    ``overrides`` are further ``alibabacloud_tea_openapi.models.Config`` fields (the tests' fake
    endpoint, tests/support/adcp_fake.py).
    """
    from alibabacloud_adcp20220101.client import Client
    from alibabacloud_tea_openapi.models import Config

    return Client(Config(credential=credentials(), region_id=region, **(overrides or {})))


@cache
def credentials() -> Any:
    """alibabacloud-credentials' default chain, made once per process (not pickled with the provider).

    Each chain starts a background refresh thread for ECS RAM role credentials
    (``alibabacloud_credentials/provider/ecs_ram_role.py``, ``BackgroundScheduler``, stopped only at
    exit), so one chain per API call would leave a thread behind per call.
    """
    from alibabacloud_credentials.client import Client as CredentialClient

    return CredentialClient()


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


#: Seconds to wait before each retry of a transient failure: the provider's incrementalWait(3s, 5s)
#: (resource_alicloud_ack_one_cluster.go l. 121, 257; service_alicloud_ack_one_v2.go l. 30), a
#: bounded number of times here (about half a minute) rather than until the operation's timeout.
RETRY_WAITS: tuple[float, ...] = (3, 5, 5, 5, 5, 5)


def transient(exc: BaseException) -> bool:
    """What the provider retries (terraform-provider-alicloud ``alicloud/errors.go`` ``NeedRetry``):
    throttling, ServiceUnavailable, any HTTP 5xx, and a request that got no answer (no Code)."""
    data = getattr(exc, "data", None)
    data = data if isinstance(data, dict) else {}
    code = str(data.get("Code") or getattr(exc, "code", "") or "")
    status = data.get("statusCode") or getattr(exc, "status_code", None)
    if "Throttling" in code or code == "ServiceUnavailable":
        return True
    if isinstance(status, int) and 500 <= status < 600:
        return True
    return type(exc).__name__ == "UnretryableException" and "credentials" not in str(exc)


class Adcp:
    """adcp calls in one region. Build one per provider call; the SDK client is made on first use.

    A transient failure (:func:`transient`) is tried again after each of ``retry_waits`` seconds;
    every call askflow makes is safe to repeat (reads, and UpdateHubClusterFeature with the same values).
    """

    def __init__(self, region: str, overrides: dict[str, Any] | None = None, *,
                 retry_waits: tuple[float, ...] = RETRY_WAITS) -> None:
        self.region = region
        self.overrides = overrides
        self.retry_waits = retry_waits
        self._client: Any = None

    def _sdk(self) -> Any:
        if self._client is None:
            self._client = self._call("client setup", "", lambda: connect(self.region, self.overrides))
        return self._client

    def _call(self, action: str, cluster_id: str, fn: Callable[[], T]) -> T:
        waits = list(self.retry_waits)
        attempts = 0
        while True:
            attempts += 1
            try:
                return fn()
            except AskflowError:
                raise
            except Exception as exc:  # the SDK's exceptions share no base below Exception (Tea, credentials)
                if not _is_sdk_error(exc):
                    raise
                if transient(exc) and waits:
                    time.sleep(waits.pop(0))
                    continue
                error = api_error(action, cluster_id, self.region, exc, attempts=attempts)
            raise error from None

    def details(self, cluster_id: str) -> ClusterView:
        """DescribeHubClusterDetails: state, profile and the workflow settings."""
        from alibabacloud_adcp20220101 import models

        request = models.DescribeHubClusterDetailsRequest(cluster_id=cluster_id)
        sdk = self._sdk()
        body = self._call("DescribeHubClusterDetails", cluster_id,
                          lambda: sdk.describe_hub_cluster_details(request)).body
        cluster: Any = body.cluster if body else None
        info = cluster.cluster_info if cluster else None
        if cluster is None or info is None:
            raise AskflowError(f"ACK One DescribeHubClusterDetails on workflow cluster {cluster_id} ({self.region}) "
                               f"returned no ClusterInfo (request id {getattr(body, 'request_id', '?')}): "
                               "check the cluster id, then report it with the request id")
        workflow = cluster.workflow_config
        argo = workflow.argo_server_enabled if workflow else None
        if argo is None:  # older clusters report it only in MetaData.ACKOne.WorkFlow.ArgoWorkflow.ServerEnabled
            meta = info.meta_data.ackone if info.meta_data else None
            flow = meta.work_flow.argo_workflow if meta and meta.work_flow else None
            argo = flow.server_enabled if flow else None
        return ClusterView(
            cluster_id=info.cluster_id or cluster_id,
            state=info.state or "",
            profile=info.profile or "",
            argo_server_enabled=_as_bool(argo),
            scheduling_mode=workflow.workflow_schedule_mode if workflow else None,
            error_message=info.error_message or "",
        )

    def update_features(self, cluster_id: str, *, argo_server_enabled: bool | None = None,
                        scheduling_mode: str | None = None) -> None:
        """UpdateHubClusterFeature with only the settings given (an unset field is not sent: client.py
        ``update_hub_cluster_feature_with_options`` skips unset ones)."""
        from alibabacloud_adcp20220101 import models

        request = models.UpdateHubClusterFeatureRequest(
            cluster_id=cluster_id, argo_server_enabled=argo_server_enabled, workflow_schedule_mode=scheduling_mode)
        sdk = self._sdk()
        self._call("UpdateHubClusterFeature", cluster_id, lambda: sdk.update_hub_cluster_feature(request))

    def kubeconfig(self, cluster_id: str) -> str:
        """DescribeHubClusterKubeconfig for the VPC (``PrivateIpAddress=true``): askflow's ``pulumi up``
        runs inside the VPC (README), and no public endpoint is opened for it."""
        from alibabacloud_adcp20220101 import models

        request = models.DescribeHubClusterKubeconfigRequest(cluster_id=cluster_id, private_ip_address=True)
        sdk = self._sdk()
        body = self._call("DescribeHubClusterKubeconfig", cluster_id,
                          lambda: sdk.describe_hub_cluster_kubeconfig(request)).body
        text = body.kubeconfig if body else None
        if not text:
            raise AskflowError(f"ACK One DescribeHubClusterKubeconfig on workflow cluster {cluster_id} ({self.region}) "
                               f"returned no Kubeconfig (request id {getattr(body, 'request_id', '?')}): "
                               "wait until the cluster is running and run again")
        return str(text)


def _is_sdk_error(exc: BaseException) -> bool:
    """An error of the SDK's stack (Tea/Darabonba, the credentials chain), not a bug of ours."""
    names = {f"{c.__module__}.{c.__name__}" for c in type(exc).__mro__}
    return any(n.startswith(("Tea.exceptions.", "darabonba.exceptions.", "alibabacloud_credentials.exceptions.",
                             "alibabacloud_tea_openapi.exceptions."))
               for n in names)


def api_error(action: str, cluster_id: str, region: str, exc: BaseException, *, attempts: int = 1) -> AskflowError:
    """One line for an SDK error: what was called on which cluster, the API's Code and Message, what to do."""
    data = getattr(exc, "data", None)
    data = data if isinstance(data, dict) else {}
    code = str(data.get("Code") or getattr(exc, "code", "") or "")
    message = str(data.get("Message") or getattr(exc, "message", "") or exc)
    request_id = str(data.get("RequestId") or getattr(exc, "request_id", "") or "")
    where = f"workflow cluster {cluster_id} ({region})" if cluster_id else f"region {region}"
    head = f"ACK One {action} on {where} failed"
    if code and code != "None":
        head += f": {code}: {message}"
    else:
        head += f": {message}"
    if request_id and request_id != "None":
        head += f" (request id {request_id})"
    if attempts > 1:
        head += f" after {attempts} attempts"
    if code in NOT_FOUND_CODES:
        return ClusterNotFound(f"{head}; check the cluster id and region (if it was deleted outside Pulumi, "
                               "run `pulumi refresh`)")
    if code.startswith(_PERMISSION_CODES) or type(exc).__name__ == "CredentialException" or "credentials" in message:
        ram = action if action[:1].isupper() else "DescribeHubClusterDetails"
        return AskflowError(f"{head}; {_CREDENTIALS_HINT.format(action=ram)}")
    if code.startswith("Throttling"):
        return AskflowError(f"{head}; the API is throttling: run again in a minute")
    if not code or code == "None":
        return AskflowError(f"{head}; check the network path to adcp.{region}.aliyuncs.com and run again")
    return AskflowError(f"{head}; fix what the message says, or run again if it was transient")
