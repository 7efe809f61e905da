"""A copy of the project (stack files, template library) for e2e runs that write a stack file, and a
fake backend recording what the runner asks of Pulumi, the cluster and the bucket."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from askflow.e2e.backend import DriftFound, Say, StepFailed
from askflow.e2e.plan import E2EPlan, resolve
from tests.support.projects import stack_files_project


def make_project(root: Path) -> Path:
    return stack_files_project(root, workflows=True)


@pytest.fixture(scope="module")
def module_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project(tmp_path_factory.mktemp("e2e") / "project")


@pytest.fixture(scope="module")
def dev_plan(module_project: Path) -> E2EPlan:
    return resolve("dev", module_project)


@pytest.fixture(scope="module")
def staging_plan(module_project: Path) -> E2EPlan:
    return resolve("staging", module_project)


class FakeStack:
    def __init__(self, backend: FakeBackend) -> None:
        self.b = backend

    def _maybe_fail(self, op: str) -> None:
        self.b.calls.append(op)
        failure = self.b.fail.get(op)
        if isinstance(failure, list):  # fail the first len(list) calls
            if failure:
                raise failure.pop(0)
        elif failure is not None:
            raise failure

    def up(self, say: Say) -> Mapping[str, Any]:
        self._maybe_fail("up")
        say("pulumi up output")
        return self.b.outputs

    def secret_outputs(self) -> frozenset[str]:
        return frozenset({"kubeconfig"})

    def refresh(self, say: Say) -> None:
        self._maybe_fail("refresh")

    def preview_no_changes(self, say: Say) -> None:
        self._maybe_fail("preview")

    def destroy(self, say: Say) -> None:
        self._maybe_fail("destroy")

    def remaining(self) -> list[str]:
        self.b.calls.append("remaining")
        return ["urn:pulumi:x::askflow::alicloud:vpc/switch:Switch::dev-vsw-0"]

    def remove(self) -> None:
        self._maybe_fail("remove")


class FakeCluster:
    def __init__(self, backend: FakeBackend) -> None:
        self.b = backend

    def deployments_ready(self, namespace: str, suffixes: tuple[str, ...]) -> dict[str, str]:
        self.b.calls.append(f"argo:{namespace}")
        return self.b.argo_states.pop(0) if len(self.b.argo_states) > 1 else self.b.argo_states[0]

    def submit_workflow(self, namespace: str, template: str, parameters: Mapping[str, str],
                        labels: Mapping[str, str]) -> str:
        self.b.calls.append(f"submit:{namespace}/{template}")
        self.b.token = parameters["token"]
        return "e2e-smoke-v1-abcde"

    def workflow(self, namespace: str, name: str) -> Mapping[str, Any]:
        self.b.calls.append("workflow")
        phase = self.b.phases.pop(0) if len(self.b.phases) > 1 else self.b.phases[0]
        status: dict[str, Any] = {"phase": phase}
        if phase == "Succeeded":
            status["nodes"] = {"n1": {"type": "Pod", "phase": "Succeeded", "templateName": "write",
                                      "displayName": "write", "outputs": {"artifacts": [
                                          {"name": "marker", "oss": {"key": "data-eng/2026/12/04/wf/pod/marker.txt"}}]}}}
        if phase == "Failed":
            status["message"] = "child failed"
            status["nodes"] = {"n2": {"type": "Pod", "phase": "Failed", "displayName": "read",
                                      "message": "Error (exit code 1)"}}
        return {"status": status}


class FakeBucket:
    def __init__(self, backend: FakeBackend) -> None:
        self.b = backend

    def read(self, key: str) -> bytes:
        self.b.calls.append(f"read:{key}")
        return self.b.object if self.b.object is not None else self.b.token.encode()

    def empty(self) -> int:
        self.b.calls.append("empty")
        return 3


class FakeBackend:
    """Records every call in order; ``fail`` maps an operation to the exception it raises."""

    def __init__(self, **fail: Any) -> None:
        self.calls: list[str] = []
        self.fail: dict[str, Any] = fail
        self.outputs: dict[str, Any] = {"kubeconfig": "apiVersion: v1", "bucketName": "b",
                                        "ossInternalEndpoint": "https://oss-cn-hangzhou-internal.aliyuncs.com"}
        self.argo_states: list[dict[str, str]] = [{"argo-workflows-workflow-controller": "ready",
                                                   "argo-workflows-server": "ready"}]
        self.phases = ["Running", "Succeeded"]
        self.token = ""
        self.object: bytes | None = None

    def stack(self, name: str) -> FakeStack:
        self._create = self.fail.get("stack")
        self.calls.append(f"stack:{name}")
        if self._create:
            raise self._create
        return FakeStack(self)

    def cluster(self, kubeconfig: str) -> FakeCluster:
        return FakeCluster(self)

    def bucket(self, name: str, endpoint: str, region: str) -> FakeBucket:
        self.calls.append(f"bucket:{name}")
        return FakeBucket(self)


__all__ = ["DriftFound", "FakeBackend", "StepFailed"]
