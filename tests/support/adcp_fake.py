"""A recorded fake of ACK One's API (adcp 2022-01-01) over HTTP, for the real SDK client.

The SDK (``alibabacloud-adcp20220101``) builds, signs and sends each request and parses each answer
with its own models' ``from_map``, exactly as against Alibaba; only the endpoint differs
(:class:`FakeEndpointProvider`, the provider with its client pointed here). Answers are the recorded bodies in
``tests/support/adcp/<Action>.json`` (field names from the SDK's models.py; the round-trip test in
tests/ackone/test_fake.py fails on a name the SDK would drop) with the fake cluster's current
values put in. Every request is recorded: action, API version and query parameters.

A fake cluster can start in ``initial`` (``initial_polls``), apply a feature update only after some
polls (``apply_after``), or answer an action with an API error (``fail``), as Alibaba's gateway
does: HTTP 4xx/5xx with ``RequestId``, ``HostId``, ``Code``, ``Message``, ``Recommend``.
"""

from __future__ import annotations

import copy
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from askflow.ackone.api import Adcp
from askflow.ackone.provider import WorkflowClusterFeaturesProvider

RECORDED = Path(__file__).resolve().parent / "adcp"


def recorded(action: str) -> dict[str, Any]:
    """A recorded response body (a fresh copy)."""
    return json.loads((RECORDED / f"{action}.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@dataclass
class FakeCluster:
    cluster_id: str
    region: str = "cn-hangzhou"
    profile: str = "XFlow"
    state: str = "running"
    argo_server_enabled: bool = False
    scheduling_mode: str = "stock-optimized"
    error_message: str = ""
    initial_polls: int = 0  # DescribeHubClusterDetails answers `initial` this many times first
    apply_after: int = 0  # an update shows in DescribeHubClusterDetails only after this many polls
    pending: dict[str, Any] = field(default_factory=dict)
    pending_polls: int = 0


@dataclass(frozen=True)
class Call:
    action: str
    version: str
    params: dict[str, str]


class AdcpFake:
    """Serve the adcp actions askflow calls for a set of fake clusters; record every request."""

    def __init__(self) -> None:
        self.clusters: dict[str, FakeCluster] = {}
        self.calls: list[Call] = []
        #: action -> (HTTP status, Code, Message): that action fails (every time) until removed.
        self.fail: dict[str, tuple[int, str, str]] = {}
        #: action -> how many of its next requests fail as ``fail`` says (then the entry goes).
        self.fail_times: dict[str, int] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # -- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> AdcpFake:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def endpoint(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{host}:{port}"

    def add(self, cluster: FakeCluster) -> FakeCluster:
        self.clusters[cluster.cluster_id] = cluster
        return cluster

    def actions(self) -> list[str]:
        return [c.action for c in self.calls]

    def writes(self) -> list[Call]:
        return [c for c in self.calls if not c.action.startswith("Describe")]

    # -- the API -----------------------------------------------------------------------------

    def answer(self, action: str, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            if action in self.fail:
                status, code, message = self.fail[action]
                if action in self.fail_times:
                    self.fail_times[action] -= 1
                    if self.fail_times[action] <= 0:
                        del self.fail_times[action], self.fail[action]
                return status, _error(code, message)
            cluster = self.clusters.get(params.get("ClusterId", ""))
            if cluster is None or cluster.state == "deleted":
                return 404, _error("Cluster.NotFound", "The specified cluster does not exist.")
            if action == "DescribeHubClusterDetails":
                return 200, self._details(cluster)
            if action == "DescribeHubClusterKubeconfig":
                body = recorded(action)
                if params.get("PrivateIpAddress", "").lower() != "true":
                    body["Kubeconfig"] = body["Kubeconfig"].replace("https://172.16.3.14:6443", "https://47.96.1.2:6443")
                body["Kubeconfig"] = body["Kubeconfig"].replace("c5f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5", cluster.cluster_id)
                return 200, body
            if action == "UpdateHubClusterFeature":
                if cluster.state != "running":
                    return 400, _error("ClusterStatusNotRunning", f"cluster {cluster.cluster_id} is {cluster.state}")
                change: dict[str, Any] = {}
                if "ArgoServerEnabled" in params:
                    change["argo_server_enabled"] = params["ArgoServerEnabled"].lower() == "true"
                if "WorkflowScheduleMode" in params:
                    mode = params["WorkflowScheduleMode"]
                    if mode not in ("stock-optimized", "cost-optimized"):
                        return 400, _error("InvalidParameter.WorkflowScheduleMode", f"invalid value {mode}")
                    change["scheduling_mode"] = mode
                if cluster.apply_after:
                    cluster.pending, cluster.pending_polls = change, cluster.apply_after
                else:
                    for key, value in change.items():
                        setattr(cluster, key, value)
                return 200, recorded(action)
            return 400, _error("InvalidAction.NotFound", f"the fake does not serve {action}")

    def _details(self, cluster: FakeCluster) -> dict[str, Any]:
        if cluster.pending:
            if cluster.pending_polls <= 0:
                for key, value in cluster.pending.items():
                    setattr(cluster, key, value)
                cluster.pending = {}
            cluster.pending_polls -= 1
        state = cluster.state
        if cluster.initial_polls > 0:
            cluster.initial_polls -= 1
            state = "initial"
        body = copy.deepcopy(recorded("DescribeHubClusterDetails"))
        info = body["Cluster"]["ClusterInfo"]
        info.update(ClusterId=cluster.cluster_id, RegionId=cluster.region, Profile=cluster.profile, State=state,
                    ErrorMessage=cluster.error_message)
        info["MetaData"]["ACKOne"]["WorkFlow"]["ArgoWorkflow"]["ServerEnabled"] = str(cluster.argo_server_enabled).lower()
        body["Cluster"]["WorkflowConfig"].update(ArgoServerEnabled=cluster.argo_server_enabled,
                                                 WorkflowScheduleMode=cluster.scheduling_mode)
        return body

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("content-length") or 0)
                form = parse_qs(self.rfile.read(length).decode()) if length else {}
                query = parse_qs(urlparse(self.path).query)
                params = {k: v[-1] for k, v in {**form, **query}.items()}
                action = self.headers.get("x-acs-action", "")
                version = self.headers.get("x-acs-version", "")
                fake.calls.append(Call(action, version, params))
                if version != "2022-01-01" or not self.headers.get("authorization"):
                    status, body = 400, _error("MissingSignature", "unsigned request or wrong API version")
                else:
                    status, body = fake.answer(action, params)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json;charset=utf-8")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


class FakeEndpointProvider(WorkflowClusterFeaturesProvider):
    """The provider, calling the fake at ``endpoint`` over plain HTTP instead of adcp.<region>.aliyuncs.com.

    A plain field, so that it pickles (by reference to this module) like the real one and works in
    another process, such as Pulumi's dynamic provider host.
    """

    def __init__(self, endpoint: str, *, poll_seconds: float = 0, timeout_seconds: float = 5,
                 retry_waits: tuple[float, ...] = (0, 0)) -> None:
        super().__init__(poll_seconds=poll_seconds, timeout_seconds=timeout_seconds, retry_waits=retry_waits)
        self.endpoint = endpoint

    def _api(self, region: str) -> Adcp:
        return Adcp(region, {"endpoint": self.endpoint, "protocol": "http"}, retry_waits=self.retry_waits)


def _error(code: str, message: str) -> dict[str, Any]:
    body = recorded("error")
    body.update(Code=code, Message=message, Recommend=f"https://api.aliyun.com/troubleshoot?q={code}&product=adcp")
    return body
