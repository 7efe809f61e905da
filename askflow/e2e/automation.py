"""The real backend: Pulumi through its Automation API (``pulumi.automation``, which drives the
Pulumi CLI: https://www.pulumi.com/docs/iac/using-pulumi/automation-api/), the cluster through the
stack's kubeconfig output (:mod:`askflow.e2e.kube`), the bucket through the OSS SDK
(:mod:`askflow.e2e.oss`).

The CLI runs in the project root, so ``stackConfigDir: environments`` applies as for ``make up``;
the stack is created with the passphrase secrets provider (``PULUMI_CONFIG_PASSPHRASE``), as the
README's stacks are, in whatever backend ``pulumi login`` / ``PULUMI_BACKEND_URL`` names.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from askflow.e2e.backend import Bucket, Cluster, DriftFound, Say, StepFailed
from askflow.e2e.plan import POLICY_PACK
from askflow.errors import AskflowError

# Environment variables that hold Alibaba Cloud credentials, as the provider reads them (its
# `alicloud/provider.go`: ALIBABA_CLOUD_* and the older ALICLOUD_* names).
ACCESS_KEY_VARS = ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY")
SECRET_KEY_VARS = ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY")
TOKEN_VARS = ("ALIBABA_CLOUD_SECURITY_TOKEN", "ALICLOUD_SECURITY_TOKEN")


def env_first(names: tuple[str, ...]) -> str | None:
    return next((os.environ[n] for n in names if os.environ.get(n)), None)


def preflight(project_root: Path) -> None:
    """What a real run needs before it creates anything; each missing piece is one line."""
    if shutil.which("pulumi") is None:
        raise AskflowError("the Pulumi CLI is not on PATH: install the version CI pins "
                           "(PULUMI_VERSION in .github/workflows/infrastructure.yml)", path="pulumi")
    if not (env_first(ACCESS_KEY_VARS) and env_first(SECRET_KEY_VARS)):
        raise AskflowError("no Alibaba Cloud credentials in the environment: export ALIBABA_CLOUD_ACCESS_KEY_ID and "
                           "ALIBABA_CLOUD_ACCESS_KEY_SECRET (and ALIBABA_CLOUD_SECURITY_TOKEN for STS), or assume a "
                           "role through OIDC in CI", path="ALIBABA_CLOUD_ACCESS_KEY_ID")
    if not (os.environ.get("PULUMI_CONFIG_PASSPHRASE") or os.environ.get("PULUMI_CONFIG_PASSPHRASE_FILE")):
        raise AskflowError("the throw-away stack uses the passphrase secrets provider: export PULUMI_CONFIG_PASSPHRASE",
                           path="PULUMI_CONFIG_PASSPHRASE")
    if not (project_root / POLICY_PACK / "PulumiPolicy.yaml").is_file():
        raise AskflowError("is not a policy pack (no PulumiPolicy.yaml)", file=str(project_root / POLICY_PACK))


def _one_line(exc: Exception) -> str:
    """The CLI's own error, not the Automation API's whole captured output."""
    text = str(getattr(exc, "stderr", "") or "").strip() or str(exc).strip()
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.lower().startswith("error")]
    return (errors or lines or [type(exc).__name__])[-1][:400]


class PulumiStack:
    """:class:`askflow.e2e.backend.Stack` over ``pulumi.automation.Stack``."""

    def __init__(self, project_root: Path, name: str) -> None:
        from pulumi import automation as auto

        self._auto = auto
        self.name = name
        self._pack = str((project_root / POLICY_PACK).resolve())
        self._secret: frozenset[str] = frozenset()
        try:
            self._stack = auto.create_or_select_stack(
                stack_name=name,
                work_dir=str(project_root.resolve()),
                opts=auto.LocalWorkspaceOptions(secrets_provider="passphrase"),
            )
        except auto.CommandError as exc:
            raise StepFailed(f"pulumi stack init {name}: {_one_line(exc)}") from None

    def _run(self, what: str, fn: Any, **kwargs: Any) -> Any:
        try:
            return fn(color="never", **kwargs)
        except self._auto.CommandError as exc:
            raise StepFailed(f"pulumi {what}: {_one_line(exc)}") from None

    def up(self, say: Say) -> Mapping[str, Any]:
        result = self._run("up", self._stack.up, policy_packs=[self._pack], on_output=say)
        self._secret = frozenset(k for k, v in result.outputs.items() if v.secret)
        return {k: v.value for k, v in result.outputs.items()}

    def secret_outputs(self) -> frozenset[str]:
        return self._secret

    def refresh(self, say: Say) -> None:
        # run_program: the Kubernetes provider's kubeconfig in state is a temporary credential
        # (infra/components/cluster.py KUBECONFIG_MINUTES); the program fetches a fresh one.
        self._run("refresh", self._stack.refresh, on_output=say, run_program=True)

    def preview_no_changes(self, say: Say) -> None:
        lines: list[str] = []

        def keep(line: str) -> None:
            lines.append(line)
            say(line)

        try:
            result = self._stack.preview(expect_no_changes=True, diff=True, policy_packs=[self._pack],
                                         on_output=keep, color="never")
        except self._auto.CommandError as exc:
            raise DriftFound(f"preview after refresh is not empty: {_one_line(exc)}", "\n".join(lines)) from None
        changed = {op: n for op, n in (result.change_summary or {}).items() if op != "same" and n}
        if changed:
            raise DriftFound("preview after refresh would change: "
                             + ", ".join(f"{n} {op}" for op, n in sorted(changed.items())), "\n".join(lines))

    def destroy(self, say: Say) -> None:
        self._run("destroy", self._stack.destroy, on_output=say, run_program=True)

    def remaining(self) -> list[str]:
        try:
            deployment = self._stack.export_stack().deployment or {}
        except self._auto.CommandError as exc:
            raise StepFailed(f"pulumi stack export: {_one_line(exc)}") from None
        return sorted(str(r.get("urn")) for r in deployment.get("resources") or []
                      if not str(r.get("type", "")).startswith("pulumi:"))

    def remove(self) -> None:
        try:
            self._stack.workspace.remove_stack(self.name)
        except self._auto.CommandError as exc:
            raise StepFailed(f"pulumi stack rm {self.name}: {_one_line(exc)}") from None


class RealBackend:
    """:class:`askflow.e2e.backend.Backend` for a real account."""

    def __init__(self, project_root: Path) -> None:
        self.project_root = project_root

    def stack(self, name: str) -> PulumiStack:
        return PulumiStack(self.project_root, name)

    def cluster(self, kubeconfig: str) -> Cluster:
        from askflow.e2e.kube import KubeCluster

        return KubeCluster(kubeconfig)

    def bucket(self, name: str, endpoint: str, region: str) -> Bucket:
        from askflow.e2e.oss import OssBucket

        return OssBucket(name, endpoint, region, env_first(ACCESS_KEY_VARS) or "", env_first(SECRET_KEY_VARS) or "",
                         env_first(TOKEN_VARS))


def stream(line: str) -> None:
    """Pulumi's output as it comes (the CLI's lines end with their own newline)."""
    sys.stdout.write(line if line.endswith("\n") else line + "\n")
    sys.stdout.flush()
