"""What the e2e runner needs from Pulumi, the cluster and the bucket: small interfaces, so that the
orchestration is tested over fakes (tests/e2e) and runs over the real thing
(:mod:`askflow.e2e.automation`, :mod:`askflow.e2e.kube`, :mod:`askflow.e2e.oss`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

#: Receives each line a long operation prints (Pulumi's output, progress).
Say = Callable[[str], None]


class StepFailed(Exception):
    """A step did not do what it must; the message is one line for the user."""


class DriftFound(StepFailed):
    """``preview --expect-no-changes`` after ``refresh`` found changes; ``diff`` is what it printed."""

    def __init__(self, message: str, diff: str = "") -> None:
        super().__init__(message)
        self.diff = diff


class Stack(Protocol):
    """One Pulumi stack of the project (``pulumi.automation.Stack`` behind it)."""

    def up(self, say: Say) -> Mapping[str, Any]:
        """``pulumi up`` with the policy pack; the stack's outputs (plain values)."""

    def secret_outputs(self) -> frozenset[str]:
        """Names of the outputs whose values are secret (never printed or written)."""

    def refresh(self, say: Say) -> None: ...

    def preview_no_changes(self, say: Say) -> None:
        """``pulumi preview --expect-no-changes``; raises :class:`DriftFound` when anything would change."""

    def destroy(self, say: Say) -> None: ...

    def remaining(self) -> list[str]:
        """URNs of the resources still in the stack's state (after a failed destroy)."""

    def remove(self) -> None:
        """``pulumi stack rm`` (which also deletes the stack's config file)."""


class Cluster(Protocol):
    """The stack's Kubernetes API, through its kubeconfig output."""

    def deployments_ready(self, namespace: str, suffixes: tuple[str, ...]) -> dict[str, str]:
        """For each Deployment named ``*<suffix>``: ``ready`` or what it is waiting for (``0/1 ready``,
        ``missing``)."""

    def submit_workflow(self, namespace: str, template: str, parameters: Mapping[str, str], labels: Mapping[str, str]) -> str:
        """Create a Workflow from ``workflowTemplateRef: template``; its name."""

    def workflow(self, namespace: str, name: str) -> Mapping[str, Any]:
        """The Workflow object as the API returns it."""


class Bucket(Protocol):
    """The stack's OSS bucket, with the runner's own credentials."""

    def read(self, key: str) -> bytes: ...

    def empty(self) -> int:
        """Delete every object version and delete marker; how many were deleted."""


class Backend(Protocol):
    """Opens the three, each when the runner gets to it."""

    def stack(self, name: str) -> Stack: ...

    def cluster(self, kubeconfig: str) -> Cluster: ...

    def bucket(self, name: str, endpoint: str, region: str) -> Bucket: ...
