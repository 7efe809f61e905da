"""The e2e run: steps 1-4 on the throw-away stack, then step 5 (destroy, stack rm) whatever happened.

Every step is timed; a step that fails stops the steps after it (not the cleanup). Ctrl-C during
steps 1-4 goes straight to the cleanup; Ctrl-C during the cleanup abandons it, and, like a destroy
that fails, prints what is left and the exact commands that finish it. The result (steps, their
times, what failed) is returned for ``--json``.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from askflow.e2e.backend import Backend, Bucket, Cluster, DriftFound, Say, Stack, StepFailed
from askflow.e2e.plan import ARGO_DEPLOYMENTS, ARGO_READY_TIMEOUT, WORKFLOW_TIMEOUT, E2EPlan
from askflow.errors import AskflowError
from askflow.stacks.new import write_new_stack

#: Seconds between two looks at the cluster while waiting.
POLL_SECONDS = 10.0
#: After Ctrl-C, the Pulumi CLI (which got the same SIGINT) cancels its operation and releases the
#: stack's lock; the cleanup waits this long before it runs its own.
SETTLE_SECONDS = 15.0
#: The smoke template's step that writes the artifact, and the artifact's name.
WRITE_STEP, ARTIFACT = "write", "marker"
E2E_LABEL = "askflow.dev/e2e-stack"


@dataclass
class StepResult:
    step: str
    seconds: float
    status: str  # ok | failed | interrupted | skipped
    detail: str = ""


@dataclass
class Result:
    stack: str
    source: str
    smoke_template: str
    steps: list[StepResult] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    failure: str | None = None
    interrupted: bool = False
    kept: bool = False
    left_behind: list[str] = field(default_factory=list)
    total_seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.failure is None and not self.interrupted and not self.left_behind

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return 130
        return 0 if self.passed else 1

    def to_json(self) -> str:
        return json.dumps({
            "stack": self.stack,
            "source": self.source,
            "smoke_template": self.smoke_template,
            "result": "passed" if self.passed else "interrupted" if self.interrupted else "failed",
            "failure": self.failure,
            "kept": self.kept,
            "left_behind": self.left_behind,
            "outputs": self.outputs,
            "steps": [{"step": s.step, "seconds": round(s.seconds, 1), "status": s.status, "detail": s.detail}
                      for s in self.steps],
            "total_seconds": round(self.total_seconds, 1),
        }, indent=2, sort_keys=True) + "\n"


class Runner:
    """Runs one plan over one backend. ``clock`` and ``sleep`` are injectable for the tests."""

    def __init__(
        self,
        plan: E2EPlan,
        backend: Backend,
        say: Say = print,
        *,
        keep: bool = False,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        token: str | None = None,
    ) -> None:
        self.plan, self.backend, self.say, self.keep = plan, backend, say, keep
        self.clock, self.sleep = clock, sleep
        self.token = token or secrets.token_hex(8)
        self.result = Result(stack=plan.stack, source=plan.source, smoke_template=plan.smoke)
        self._stack: Stack | None = None
        self._outputs: Mapping[str, Any] = {}
        self._wrote = False

    # ------------------------------------------------------------------ timing
    @contextmanager
    def _step(self, name: str) -> Iterator[None]:
        self.say(f"== {name}")
        start = self.clock()
        status, detail = "ok", ""
        try:
            yield
        except KeyboardInterrupt:
            status, detail = "interrupted", "Ctrl-C"
            raise
        except Exception as exc:
            status, detail = "failed", str(exc) if isinstance(exc, StepFailed) else unexpected(exc)
            raise
        finally:
            seconds = self.clock() - start
            self.result.steps.append(StepResult(name, seconds, status, detail))
            self.say(f"== {name}: {status} ({seconds:.0f}s){': ' + detail if detail else ''}")

    # ------------------------------------------------------------------ the run
    def run(self) -> Result:
        start = self.clock()
        try:
            self._steps()
        except StepFailed as exc:
            self.result.failure = str(exc)
            if isinstance(exc, DriftFound) and exc.diff:
                self.say(exc.diff)
        except KeyboardInterrupt:
            self.result.interrupted = True
            self.say(f"interrupted: cleaning up in {SETTLE_SECONDS:.0f}s (Ctrl-C again abandons the cleanup)")
        except AskflowError:  # the stack file exists already: nothing was created, nothing to clean up
            raise
        except Exception as exc:  # anything else a backend raised: still a failure to clean up after
            self.result.failure = unexpected(exc)
        try:
            if self.result.interrupted:
                self.sleep(SETTLE_SECONDS)
            self._cleanup()
        except StepFailed as exc:
            self.result.failure = self.result.failure or f"cleanup: {exc}"
        except KeyboardInterrupt:
            self.result.interrupted = True
            self._left_behind("the cleanup was interrupted")
        self.result.total_seconds = self.clock() - start
        self._summary()
        return self.result

    def _steps(self) -> None:
        plan = self.plan
        with self._step("stack"):
            write_new_stack(plan.new)
            self._wrote = True
            self.say(f"wrote {plan.stack_file}")
            self._stack = self.backend.stack(plan.stack)
        stack = self._stack
        with self._step("up"):
            self._outputs = stack.up(self.say)
            secret = stack.secret_outputs()
            self.result.outputs = {k: "[secret]" if k in secret else v for k, v in sorted(self._outputs.items())}
            missing = [k for k in ("kubeconfig", "bucketName", "ossInternalEndpoint") if not self._outputs.get(k)]
            if missing:
                raise StepFailed(f"the stack has no output {', '.join(missing)}: the program must export it")
        with self._step("argo"):
            cluster = self.backend.cluster(str(self._outputs["kubeconfig"]))
            self._wait_argo(cluster)
        with self._step("smoke"):
            self._smoke(cluster)
        with self._step("drift"):
            stack.refresh(self.say)
            stack.preview_no_changes(self.say)

    def _wait_argo(self, cluster: Cluster) -> None:
        ns = self.plan.argo_namespace
        if not ns:  # argo.engine ack-one: Alibaba runs Argo; the feature resource waited for the cluster
            self.say("argo: managed by the ACK One workflow cluster (argo.engine ack-one): nothing to wait for")
            return
        deadline = self.clock() + ARGO_READY_TIMEOUT
        last = ""
        while True:
            state = cluster.deployments_ready(ns, ARGO_DEPLOYMENTS)
            line = ", ".join(f"{name}: {s}" for name, s in sorted(state.items()))
            if line != last:
                self.say(f"argo ({ns}): {line}")
                last = line
            if state and all(s == "ready" for s in state.values()):
                return
            if self.clock() >= deadline:
                raise StepFailed(f"Argo was not ready after {ARGO_READY_TIMEOUT}s in namespace {ns}: {line}")
            self.sleep(POLL_SECONDS)

    def _smoke(self, cluster: Cluster) -> None:
        plan = self.plan
        name = cluster.submit_workflow(plan.namespace, plan.smoke, {"token": self.token}, {E2E_LABEL: plan.stack})
        self.say(f"submitted workflow {plan.namespace}/{name} from workflowtemplate/{plan.smoke}")
        deadline = self.clock() + WORKFLOW_TIMEOUT
        phase = ""
        while True:
            wf = cluster.workflow(plan.namespace, name)
            status = wf.get("status") or {}
            if status.get("phase") != phase:
                phase = str(status.get("phase") or "Pending")
                self.say(f"workflow {name}: {phase}")
            if phase in ("Succeeded", "Failed", "Error"):
                break
            if self.clock() >= deadline:
                raise StepFailed(f"workflow {plan.namespace}/{name} did not finish in {WORKFLOW_TIMEOUT}s (phase {phase})")
            self.sleep(POLL_SECONDS)
        if phase != "Succeeded":
            raise StepFailed(f"workflow {plan.namespace}/{name} {phase}: {_why(status)}")
        key = artifact_key(status)
        if key is None:
            raise StepFailed(f"workflow {name} succeeded but records no OSS key for {WRITE_STEP}'s artifact {ARTIFACT}")
        body = self._bucket().read(key)
        if body != self.token.encode():
            raise StepFailed(f"oss://{self._outputs['bucketName']}/{key} holds {body[:64]!r}, not the run's token")
        self.say(f"oss://{self._outputs['bucketName']}/{key}: holds the token")

    # ------------------------------------------------------------------ step 5
    def _cleanup(self) -> None:
        plan = self.plan
        if self.keep:
            self.result.kept = True
            self.say(f"--keep: {plan.stack} stays (and is billed). Clean up later, from the project root:")
            for command in plan.cleanup_commands():
                self.say(f"  {command}")
            return
        if self._stack is None:
            if self._wrote:
                plan.new.path.unlink(missing_ok=True)
            return
        stack = self._stack
        with self._step("destroy"):
            try:
                if not plan.force_destroy:
                    # force_destroy is dev-only (settings): empty a staging copy's bucket first.
                    name = str(self._outputs.get("bucketName") or plan.bucket)
                    bucket = self._bucket()
                    self.say(f"emptied oss://{name}: {bucket.empty()} object versions deleted")
                try:
                    stack.destroy(self.say)
                except StepFailed as first:
                    # vSwitches can refuse deletion once while ECI releases its ENIs (make destroy retries too).
                    self.say(f"destroy failed ({first}); retrying once")
                    stack.destroy(self.say)
                stack.remove()
            except Exception as exc:
                why = str(exc) if isinstance(exc, StepFailed) else unexpected(exc)
                self._left_behind(f"destroy failed: {why}")
                raise StepFailed(why) from None
            if plan.new.path.exists():  # `pulumi stack rm` deletes it; a backend that did not
                plan.new.path.unlink()
            self.say(f"removed stack {plan.stack} and {plan.stack_file}")

    def _bucket(self) -> Bucket:
        """The bucket, named by the stack's outputs (by the plan when `up` failed before it recorded any)."""
        return self.backend.bucket(str(self._outputs.get("bucketName") or self.plan.bucket),
                                   str(self._outputs.get("ossInternalEndpoint") or self.plan.oss_endpoint),
                                   self.plan.region)

    def _left_behind(self, why: str) -> None:
        left: list[str] = []
        if self._stack is not None:
            try:
                left = self._stack.remaining()
            except (StepFailed, KeyboardInterrupt) as exc:
                left = [f"(could not read the stack's state: {exc or 'interrupted'})"]
        self.result.left_behind = left or [f"the stack {self.plan.stack} (its state and {self.plan.stack_file})"]
        self.say(f"{why}. Left behind in {self.plan.stack}:")
        for urn in self.result.left_behind:
            self.say(f"  {urn}")
        self.say("Finish it from the project root, with the same credentials:")
        for command in self.plan.cleanup_commands():
            self.say(f"  {command}")

    def _summary(self) -> None:
        r = self.result
        self.say("")
        self.say(f"e2e of {r.source} on {r.stack} (smoke template {r.smoke_template}):")
        for s in r.steps:
            self.say(f"  {s.step:<8} {s.seconds:>7.1f}s  {s.status}")
        self.say(f"  {'total':<8} {r.total_seconds:>7.1f}s")
        if r.passed:
            self.say("PASSED")
        else:
            self.say(f"{'INTERRUPTED' if r.interrupted else 'FAILED'}: {r.failure or 'see above'}"
                     + (" (the stack was kept)" if r.kept else ""))


def unexpected(exc: Exception) -> str:
    """An error no backend turned into a StepFailed, on one line."""
    return f"{type(exc).__name__}: {exc}".splitlines()[0][:400]


def _why(status: Mapping[str, Any]) -> str:
    """The workflow's message and its failed nodes' messages, on one line."""
    parts = [str(status["message"])] if status.get("message") else []
    for node in sorted((status.get("nodes") or {}).values(), key=lambda n: str(n.get("displayName"))):
        if node.get("phase") in ("Failed", "Error") and node.get("type") == "Pod":
            parts.append(f"{node.get('displayName')}: {node.get('message') or node.get('phase')}")
    return "; ".join(parts) or "no message"


def artifact_key(status: Mapping[str, Any]) -> str | None:
    """The OSS key Argo recorded for the ``write`` step's ``marker`` artifact."""
    for node in (status.get("nodes") or {}).values():
        if node.get("type") != "Pod" or node.get("phase") != "Succeeded":
            continue
        if node.get("templateName") != WRITE_STEP:
            continue
        for art in (node.get("outputs") or {}).get("artifacts") or []:
            if art.get("name") == ARTIFACT and (art.get("oss") or {}).get("key"):
                return str(art["oss"]["key"])
    return None
