"""The cluster's API through the stack's ``kubeconfig`` output: the few REST calls e2e needs
(Deployments, Workflows), without kubectl or an ambient ``~/.kube/config``.

ACK's kubeconfig (``cs.get_cluster_credential``) authenticates with a client certificate and
pins the API server's CA; a bearer token is read too. The certificate and key are written to a
private temporary folder for the HTTP client, and removed when the process ends.
"""

from __future__ import annotations

import atexit
import base64
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import requests

from askflow import yamlio
from askflow.e2e.backend import StepFailed

WORKFLOWS = "/apis/argoproj.io/v1alpha1/namespaces/{ns}/workflows"
DEPLOYMENTS = "/apis/apps/v1/namespaces/{ns}/deployments"


def _named(items: Any, name: str, what: str) -> dict[str, Any]:
    for item in items or []:
        if isinstance(item, dict) and item.get("name") == name and isinstance(item.get(what), dict):
            return dict(item[what])
    raise StepFailed(f"the kubeconfig output has no {what} {name!r}")


class KubeCluster:
    """:class:`askflow.e2e.backend.Cluster` over the Kubernetes REST API."""

    def __init__(self, kubeconfig: str, timeout: float = 30.0) -> None:
        try:
            config = yamlio.loads(kubeconfig, "the kubeconfig output")
        except Exception as exc:  # an AskflowError for bad YAML: here it is the stack's output at fault
            raise StepFailed(f"the kubeconfig output is not YAML: {exc}") from None
        if not isinstance(config, dict):
            raise StepFailed("the kubeconfig output is not a kubeconfig")
        context = _named(config.get("contexts"), str(config.get("current-context")), "context")
        cluster = _named(config.get("clusters"), str(context.get("cluster")), "cluster")
        user = _named(config.get("users"), str(context.get("user")), "user")
        self.server = str(cluster.get("server", "")).rstrip("/")
        if not self.server.startswith("https://"):
            raise StepFailed(f"the kubeconfig's server {self.server!r} is not an https URL")
        self._dir = Path(tempfile.mkdtemp(prefix="askflow-e2e-kube-"))
        atexit.register(shutil.rmtree, self._dir, True)
        self.session = requests.Session()
        self.timeout = timeout
        if cluster.get("certificate-authority-data"):
            self.session.verify = self._file("ca.crt", cluster["certificate-authority-data"])
        if user.get("client-certificate-data") and user.get("client-key-data"):
            self.session.cert = (self._file("client.crt", user["client-certificate-data"]),
                                 self._file("client.key", user["client-key-data"]))
        elif user.get("token"):
            self.session.headers["Authorization"] = f"Bearer {user['token']}"
        else:
            raise StepFailed("the kubeconfig output has neither a client certificate nor a token")

    def _file(self, name: str, data: str) -> str:
        path = self._dir / name
        path.touch(mode=0o600)
        path.write_bytes(base64.b64decode(data))
        return str(path)

    def _call(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        try:
            response = self.session.request(method, self.server + path, json=body, timeout=self.timeout)
        except requests.RequestException as exc:
            raise StepFailed(f"{method} {path}: {exc} (the API endpoint is private: run inside the VPC)") from None
        if response.status_code == 404:
            return None
        if not response.ok:
            raise StepFailed(f"{method} {path}: HTTP {response.status_code} {response.text[:300]}")
        return response.json()

    def deployments_ready(self, namespace: str, suffixes: tuple[str, ...]) -> dict[str, str]:
        listing = self._call("GET", DEPLOYMENTS.format(ns=namespace)) or {}
        found = {str(d["metadata"]["name"]): d for d in listing.get("items") or []}
        state: dict[str, str] = {}
        for suffix in suffixes:
            names = [n for n in found if n.endswith(suffix)]
            if not names:
                state[f"*{suffix}"] = "missing"
            for name in names:
                d = found[name]
                want = int((d.get("spec") or {}).get("replicas", 1))
                status = d.get("status") or {}
                ready = int(status.get("readyReplicas") or 0)
                fresh = int(status.get("observedGeneration") or 0) >= int(d["metadata"].get("generation") or 0)
                state[name] = "ready" if fresh and ready >= want else f"{ready}/{want} ready"
        return state

    def submit_workflow(
        self, namespace: str, template: str, parameters: Mapping[str, str], labels: Mapping[str, str]
    ) -> str:
        body = {
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "Workflow",
            "metadata": {"generateName": f"{template}-", "namespace": namespace, "labels": dict(labels)},
            "spec": {
                "workflowTemplateRef": {"name": template},
                "arguments": {"parameters": [{"name": k, "value": v} for k, v in sorted(parameters.items())]},
            },
        }
        created = self._call("POST", WORKFLOWS.format(ns=namespace), body)
        if not created:
            raise StepFailed(f"namespace {namespace} has no Workflow API (are Argo's CRDs installed?)")
        return str(created["metadata"]["name"])

    def workflow(self, namespace: str, name: str) -> Mapping[str, Any]:
        found = self._call("GET", f"{WORKFLOWS.format(ns=namespace)}/{name}")
        if found is None:
            raise StepFailed(f"workflow {namespace}/{name} is gone")
        return dict(found)
