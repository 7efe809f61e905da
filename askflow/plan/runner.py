"""Run a Pulumi program offline, the way the Pulumi language host does, under recording mocks.

The language host (pulumi/pulumi ``sdk/python/cmd/pulumi-language-python-exec``) sets the stack's
config with ``set_all_config``, configures the runtime and runs the ``main`` folder with
``runpy.run_path(main, run_name="__main__")``. :func:`run_program` does the same, with
:class:`~askflow.plan.mocks.RecordingMonitor` in place of the engine, inside a fresh
``contextvars`` context so that runs in one process never see each other's state.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import runpy
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pulumi
from pulumi.runtime.settings import get_root_resource
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from askflow.collector import batch_collector
from askflow.errors import AskflowError
from askflow.plan.mocks import MASK, CloudMocks, RecordingMonitor, Registration, _plain
from askflow.stacks import Project, StackConfig


@dataclass
class ProgramRun:
    """What one run of the program registered, and what it exported."""

    project: str
    stack: str
    registrations: list[Registration]
    outputs: dict[str, Any]
    secret_outputs: tuple[str, ...]
    warnings: tuple[str, ...]


class _LogCapture(logging.Handler):
    """Collects what the program logs through ``pulumi.log`` (the mock engine logs to ``logging``)."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


async def _resolve_outputs(raw: dict[str, Any]) -> tuple[dict[str, Any], tuple[str, ...]]:
    values: dict[str, Any] = {}
    secret: list[str] = []
    for key in sorted(raw):
        out = pulumi.Output.from_input(raw[key])
        is_secret = await out.is_secret()
        value = await out.future(with_unknowns=True)
        if is_secret:
            secret.append(key)
            values[key] = MASK
        else:
            values[key] = _plain(_jsonable(value))
    return values, tuple(secret)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def _run(
    project: Project, stack_config: StackConfig, region: str, program_fn: Callable[[], None] | None
) -> ProgramRun:
    mocks = CloudMocks(region)
    monitor = RecordingMonitor(mocks)
    logger = logging.getLogger(f"askflow.plan.{stack_config.stack}")
    logger.propagate = False
    capture = _LogCapture()
    logger.handlers = [capture]
    pulumi.runtime.set_all_config(stack_config.engine_config(), list(stack_config.secret_keys))
    pulumi.runtime.set_mocks(
        mocks, project=project.name, stack=stack_config.stack, preview=False, logger=logger, monitor=monitor
    )
    # A partial, not a wrapper function: the SDK records the whole Python stack of every resource
    # (its source position), so each frame between here and the program costs once per resource.
    program = program_fn or cast(
        Callable[[], None], functools.partial(runpy.run_path, str(project.main), run_name="__main__")
    )
    try:
        with warnings.catch_warnings():
            # Deprecation warnings of provider SDKs are for the provider's authors, not our users.
            warnings.simplefilter("ignore", DeprecationWarning)
            _sync_await(run_pulumi_func(program))
    except pulumi.RunError as exc:
        cause = exc.__cause__
        if isinstance(cause, AskflowError):
            raise cause from None
        raise AskflowError(str(exc), file=project.display(project.main)) from None
    except AskflowError:
        raise
    if monitor.problems:
        raise monitor.problems[0]
    root = get_root_resource()
    raw_outputs = dict(getattr(root, "outputs", {}) or {})
    outputs, secret = _sync_await(_resolve_outputs(raw_outputs))
    return ProgramRun(
        project=project.name,
        stack=stack_config.stack,
        registrations=sorted(monitor.registrations.values(), key=lambda r: r.urn),
        outputs=outputs,
        secret_outputs=secret,
        warnings=tuple(capture.messages),
    )


def _forget_other_programs(main: Path) -> None:
    """Drop cached modules that the program folder would import but that came from elsewhere.

    Each `pulumi up` starts a fresh interpreter; a second plan in this one, of another copy of the
    project, must not reuse the first copy's ``components.*``.
    """
    main_dir = main.resolve() if main.is_dir() else main.resolve().parent
    local = {p.stem for p in main_dir.iterdir() if p.suffix == ".py" or p.is_dir()} - {"__main__"}
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] not in local:
            continue
        file = getattr(module, "__file__", None)
        if file and not Path(file).resolve().is_relative_to(main_dir):
            del sys.modules[name]


def run_program(
    project: Project, stack_config: StackConfig, region: str, program_fn: Callable[[], None] | None = None
) -> ProgramRun:
    """Run ``project.main`` (or ``program_fn``) for one stack under recording mocks.

    Tests pass ``program_fn`` to build a single component from hand-made Args under exactly the
    mocks the plan uses.
    """
    context = contextvars.Context()
    loop = asyncio.new_event_loop()
    _forget_other_programs(project.main)
    asyncio.set_event_loop(loop)
    try:
        with batch_collector():
            return context.run(_run, project, stack_config, region, program_fn)
    finally:
        asyncio.set_event_loop(None)
        loop.close()
