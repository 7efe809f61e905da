"""The cluster client reads ACK's kubeconfig (client certificate, pinned CA) and asks the REST API."""

from __future__ import annotations

import base64
import os
from typing import Any

import pytest

from askflow import yamlio
from askflow.e2e.backend import StepFailed
from askflow.e2e.kube import KubeCluster


def kubeconfig(**user: str) -> str:
    b64 = base64.b64encode
    return yamlio.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "ctx",
        "clusters": [{"name": "k", "cluster": {"server": "https://10.0.0.1:6443",
                                               "certificate-authority-data": b64(b"CA").decode()}}],
        "contexts": [{"name": "ctx", "context": {"cluster": "k", "user": "u"}}],
        "users": [{"name": "u", "user": user}],
    })


class Response:
    def __init__(self, status: int, body: Any) -> None:
        self.status_code, self.body, self.ok, self.text = status, body, 200 <= status < 300, str(body)

    def json(self) -> Any:
        return self.body


def test_client_certificate_and_ca_are_used() -> None:
    b64 = base64.b64encode
    k = KubeCluster(kubeconfig(**{"client-certificate-data": b64(b"CERT").decode(),
                                  "client-key-data": b64(b"KEY").decode()}))
    assert k.server == "https://10.0.0.1:6443"
    cert, key = k.session.cert  # type: ignore[misc]
    assert open(cert, "rb").read() == b"CERT" and open(key, "rb").read() == b"KEY"
    assert os.stat(key).st_mode & 0o077 == 0
    assert open(str(k.session.verify), "rb").read() == b"CA"


def test_deployments_ready_and_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    k = KubeCluster(kubeconfig(token="t"))
    assert k.session.headers["Authorization"] == "Bearer t"
    items = [
        {"metadata": {"name": "argo-workflows-workflow-controller", "generation": 2},
         "spec": {"replicas": 1}, "status": {"observedGeneration": 2, "readyReplicas": 1}},
        {"metadata": {"name": "argo-workflows-server", "generation": 3},
         "spec": {"replicas": 2}, "status": {"observedGeneration": 3, "readyReplicas": 1}},
    ]
    calls: list[tuple[str, str]] = []

    def request(method: str, url: str, **kw: Any) -> Response:
        calls.append((method, url))
        return Response(200, {"items": items})

    monkeypatch.setattr(k.session, "request", request)
    assert k.deployments_ready("argo", ("-workflow-controller", "-server", "-missing")) == {
        "argo-workflows-workflow-controller": "ready", "argo-workflows-server": "1/2 ready", "*-missing": "missing"}
    assert calls == [("GET", "https://10.0.0.1:6443/apis/apps/v1/namespaces/argo/deployments")]


def test_submit_references_the_template(monkeypatch: pytest.MonkeyPatch) -> None:
    k = KubeCluster(kubeconfig(token="t"))
    sent: dict[str, Any] = {}

    def request(method: str, url: str, json: Any = None, **kw: Any) -> Response:
        sent.update(method=method, url=url, body=json)
        return Response(201, {"metadata": {"name": "e2e-smoke-v1-x7k2p"}})

    monkeypatch.setattr(k.session, "request", request)
    assert k.submit_workflow("data-eng", "e2e-smoke-v1", {"token": "abc"}, {"l": "v"}) == "e2e-smoke-v1-x7k2p"
    assert sent["url"].endswith("/apis/argoproj.io/v1alpha1/namespaces/data-eng/workflows")
    assert sent["body"]["spec"] == {"workflowTemplateRef": {"name": "e2e-smoke-v1"},
                                    "arguments": {"parameters": [{"name": "token", "value": "abc"}]}}


def test_http_errors_are_step_failures(monkeypatch: pytest.MonkeyPatch) -> None:
    k = KubeCluster(kubeconfig(token="t"))
    monkeypatch.setattr(k.session, "request", lambda *a, **kw: Response(403, "forbidden"))
    with pytest.raises(StepFailed, match="HTTP 403"):
        k.workflow("data-eng", "x")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1, 2]", "is not a kubeconfig"),
        (kubeconfig(), "neither a client certificate nor a token"),
        (kubeconfig(token="t").replace("current-context: ctx", "current-context: other"), "no context 'other'"),
    ],
)
def test_bad_kubeconfig(text: str, message: str) -> None:
    with pytest.raises(StepFailed, match=message):
        KubeCluster(text)
