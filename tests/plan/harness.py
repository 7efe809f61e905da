"""Run Pulumi code under askflow's recording mocks in a test, the way the plan does."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from askflow.plan import Plan, plan_from_run
from askflow.plan.runner import run_program
from askflow.stacks import Project, StackConfig

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
if str(INFRA) not in sys.path:  # components import as `components.<module>`, as under the language host
    sys.path.insert(0, str(INFRA))


def record(fn: Callable[[], None], *, stack: str = "test", config: dict[str, Any] | None = None) -> Plan:
    """Run ``fn`` (which creates resources) under the plan's mocks and return what it registered."""
    project = Project(root=ROOT, name="askflow", main=INFRA, stack_config_dir=ROOT / "environments")
    sc = StackConfig(project="askflow", stack=stack, file="<test>", config=config or {})
    return plan_from_run(run_program(project, sc, "cn-hangzhou", program_fn=fn), "<test>")
