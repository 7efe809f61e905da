"""The e2e orchestration over a fake backend: every failure path ends in destroy and stack rm, a
destroy that fails says what is left and how to finish, Ctrl-C still cleans up, --keep does not."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from askflow.e2e.backend import DriftFound, StepFailed
from askflow.e2e.plan import ARGO_READY_TIMEOUT, E2EPlan
from askflow.e2e.runner import Result, Runner, artifact_key
from tests.e2e.conftest import FakeBackend


class Clock:
    """Time that moves only when the runner sleeps (or a step takes a fixed time)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0  # every look at the clock costs a second: steps get non-zero times
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(autouse=True)
def no_leftover_files(dev_plan: E2EPlan, staging_plan: E2EPlan) -> Iterator[None]:
    yield
    for plan in (dev_plan, staging_plan):
        plan.new.path.unlink(missing_ok=True)


def run(plan: E2EPlan, backend: FakeBackend, *, keep: bool = False) -> tuple[Result, list[str]]:
    lines: list[str] = []
    clock = Clock()
    result = Runner(plan, backend, lines.append, keep=keep, clock=clock, sleep=clock.sleep, token="tok").run()
    return result, lines


def test_passes_and_cleans_up(dev_plan: E2EPlan) -> None:
    backend = FakeBackend()
    result, lines = run(dev_plan, backend)
    assert result.passed and result.exit_code == 0, lines
    assert backend.calls == [
        "stack:dev-e2e", "up", "argo:argo", "submit:data-eng/e2e-smoke-v1", "workflow", "workflow",
        "bucket:b", "read:data-eng/2026/12/04/wf/pod/marker.txt", "refresh", "preview", "destroy", "remove",
    ]
    assert [s.step for s in result.steps] == ["stack", "up", "argo", "smoke", "drift", "destroy"]
    assert all(s.status == "ok" and s.seconds > 0 for s in result.steps)
    assert not dev_plan.new.path.exists()
    assert "PASSED" in lines
    data = json.loads(result.to_json())
    assert data["result"] == "passed" and data["outputs"]["kubeconfig"] == "[secret]"
    assert [s["step"] for s in data["steps"]] == ["stack", "up", "argo", "smoke", "drift", "destroy"]
    assert data["total_seconds"] >= sum(s["seconds"] for s in data["steps"])


@pytest.mark.parametrize(
    ("fail", "failed_step", "message"),
    [
        ({"up": StepFailed("pulumi up: error: policy violation")}, "up", "policy violation"),
        ({"refresh": StepFailed("pulumi refresh: error: boom")}, "drift", "boom"),
        ({"preview": DriftFound("preview after refresh would change: 1 update", "~ bucket: policy changed")},
         "drift", "1 update"),
    ],
)
def test_a_failed_step_still_destroys(dev_plan: E2EPlan, fail: dict, failed_step: str, message: str) -> None:
    backend = FakeBackend(**fail)
    result, lines = run(dev_plan, backend)
    assert result.exit_code == 1 and message in (result.failure or "")
    assert backend.calls[-2:] == ["destroy", "remove"]
    assert {s.step: s.status for s in result.steps}[failed_step] == "failed"
    assert "FAILED" in lines[-1]
    assert not dev_plan.new.path.exists()


def test_drift_prints_the_diff(dev_plan: E2EPlan) -> None:
    backend = FakeBackend(preview=DriftFound("preview after refresh would change: 1 update", "~ bucket: policy"))
    _, lines = run(dev_plan, backend)
    assert "~ bucket: policy" in lines
    assert lines.index("~ bucket: policy") < lines.index("== destroy")


def test_failed_workflow_says_why_and_destroys(dev_plan: E2EPlan) -> None:
    backend = FakeBackend()
    backend.phases = ["Pending", "Running", "Failed"]
    result, _ = run(dev_plan, backend)
    assert result.failure == "workflow data-eng/e2e-smoke-v1-abcde Failed: child failed; read: Error (exit code 1)"
    assert "refresh" not in backend.calls
    assert backend.calls[-2:] == ["destroy", "remove"]


def test_wrong_object_in_the_bucket_fails(dev_plan: E2EPlan) -> None:
    backend = FakeBackend()
    backend.object = b"something else"
    result, _ = run(dev_plan, backend)
    assert "not the run's token" in (result.failure or "")
    assert backend.calls[-2:] == ["destroy", "remove"]


def test_argo_never_ready_times_out(dev_plan: E2EPlan) -> None:
    backend = FakeBackend()
    backend.argo_states = [{"argo-workflows-workflow-controller": "0/1 ready", "*-server": "missing"}]
    result, lines = run(dev_plan, backend)
    assert f"not ready after {ARGO_READY_TIMEOUT}s" in (result.failure or "")
    assert "*-server: missing" in (result.failure or "")
    # progress is printed when it changes, not on every poll
    assert sum("argo (argo):" in ln for ln in lines) == 1
    assert backend.calls[-2:] == ["destroy", "remove"]


def test_destroy_fails_says_what_is_left_and_how_to_finish(dev_plan: E2EPlan) -> None:
    backend = FakeBackend(destroy=StepFailed("pulumi destroy: error: DependencyViolation"))
    result, lines = run(dev_plan, backend)
    assert result.exit_code == 1 and not result.passed
    assert backend.calls.count("destroy") == 2  # one retry, as make destroy does
    assert "remove" not in backend.calls
    assert result.left_behind == ["urn:pulumi:x::askflow::alicloud:vpc/switch:Switch::dev-vsw-0"]
    text = "\n".join(lines)
    assert "destroy failed: pulumi destroy: error: DependencyViolation" in text
    assert "  make destroy STACK=dev-e2e" in lines
    assert '  PATH="$PWD/.venv/bin:$PATH" pulumi stack rm dev-e2e --yes' in lines
    assert dev_plan.new.path.exists()  # the state still refers to it: the commands remove it
    assert json.loads(result.to_json())["left_behind"] == result.left_behind


def test_destroy_failing_once_is_retried(dev_plan: E2EPlan) -> None:
    backend = FakeBackend(destroy=[StepFailed("pulumi destroy: error: vSwitch in use")])
    result, _ = run(dev_plan, backend)
    assert result.passed
    assert backend.calls[-3:] == ["destroy", "destroy", "remove"]


def test_up_fails_and_destroy_fails(dev_plan: E2EPlan) -> None:
    backend = FakeBackend(up=StepFailed("pulumi up: error: quota"), destroy=StepFailed("pulumi destroy: error: x"))
    result, lines = run(dev_plan, backend)
    assert result.failure == "pulumi up: error: quota"  # the first failure is the one reported
    assert result.left_behind and "make destroy STACK=dev-e2e" in "\n".join(lines)


def test_ctrl_c_during_up_still_cleans_up(dev_plan: E2EPlan) -> None:
    backend = FakeBackend(up=KeyboardInterrupt())
    result, lines = run(dev_plan, backend)
    assert result.interrupted and result.exit_code == 130
    assert backend.calls[-2:] == ["destroy", "remove"]
    assert {s.step: s.status for s in result.steps}["up"] == "interrupted"
    assert lines[-1].startswith("INTERRUPTED")
    assert not dev_plan.new.path.exists()


def test_ctrl_c_during_destroy_prints_what_is_left(dev_plan: E2EPlan) -> None:
    backend = FakeBackend(destroy=KeyboardInterrupt())
    result, lines = run(dev_plan, backend)
    assert result.exit_code == 130 and result.left_behind
    assert "the cleanup was interrupted. Left behind in dev-e2e:" in lines


def test_keep_skips_destroy_and_says_how_to_clean_up(dev_plan: E2EPlan) -> None:
    backend = FakeBackend()
    result, lines = run(dev_plan, backend, keep=True)
    assert result.passed and result.kept
    assert "destroy" not in backend.calls and "remove" not in backend.calls
    assert "  make destroy STACK=dev-e2e" in lines
    assert dev_plan.new.path.exists()


def test_stack_init_fails_removes_the_file_and_destroys_nothing(dev_plan: E2EPlan) -> None:
    backend = FakeBackend(stack=StepFailed("pulumi stack init dev-e2e: error: no backend"))
    result, _ = run(dev_plan, backend)
    assert result.exit_code == 1 and "no backend" in (result.failure or "")
    assert backend.calls == ["stack:dev-e2e"]
    assert not dev_plan.new.path.exists()


def test_staging_copy_empties_its_bucket_before_destroy(staging_plan: E2EPlan) -> None:
    assert not staging_plan.force_destroy  # the settings allow force_destroy in dev only
    backend = FakeBackend()
    result, _ = run(staging_plan, backend)
    assert result.passed
    assert backend.calls[-4:] == ["bucket:b", "empty", "destroy", "remove"]


def test_staging_copy_empties_the_planned_bucket_when_up_failed(staging_plan: E2EPlan) -> None:
    backend = FakeBackend(up=StepFailed("pulumi up: error: x"))
    run(staging_plan, backend)
    assert f"bucket:{staging_plan.bucket}" in backend.calls
    assert backend.calls[-3:] == ["empty", "destroy", "remove"]


def test_artifact_key_reads_the_write_steps_marker() -> None:
    status = {"nodes": {
        "a": {"type": "Pod", "phase": "Succeeded", "templateName": "read", "outputs": {}},
        "b": {"type": "Pod", "phase": "Succeeded", "templateName": "write",
              "outputs": {"artifacts": [{"name": "main-logs", "oss": {"key": "x/main.log"}},
                                        {"name": "marker", "oss": {"key": "ns/y/marker.txt"}}]}},
    }}
    assert artifact_key(status) == "ns/y/marker.txt"
    assert artifact_key({"nodes": {}}) is None


def test_throw_away_file_is_the_derived_stack(dev_plan: E2EPlan, tmp_path: Path) -> None:
    # The runner writes what `askflow stack new` would: the validated text, never protect.
    assert "protect: false" in dev_plan.new.text and "deletion_protection: false" in dev_plan.new.text
    assert dev_plan.new.settings.protection.protect is False
    assert dev_plan.new.settings.storage.force_destroy is True


def test_an_unexpected_error_still_destroys(dev_plan: E2EPlan) -> None:
    backend = FakeBackend(refresh=ConnectionError("reset by peer"))
    result, _ = run(dev_plan, backend)
    assert result.failure == "ConnectionError: reset by peer"
    assert {s.step: s.status for s in result.steps}["drift"] == "failed"
    assert backend.calls[-2:] == ["destroy", "remove"]


def test_ctrl_c_waits_for_pulumi_to_release_the_lock(dev_plan: E2EPlan) -> None:
    from askflow.e2e.runner import SETTLE_SECONDS

    slept: list[float] = []
    backend = FakeBackend(up=KeyboardInterrupt())
    Runner(dev_plan, backend, lambda _: None, clock=Clock(), sleep=slept.append).run()
    assert slept == [SETTLE_SECONDS]


def test_an_existing_stack_file_is_bad_input_and_nothing_is_created(dev_plan: E2EPlan) -> None:
    from askflow.errors import AskflowError

    dev_plan.new.path.write_text("someone else's\n")
    backend = FakeBackend()
    with pytest.raises(AskflowError, match="already exists"):
        run(dev_plan, backend)
    assert backend.calls == []
    assert dev_plan.new.path.read_text() == "someone else's\n"
