"""Plan overhead: `askflow plan` of the prod stack with N template versions versus bare SDK mocks.

For N in 10, 100 and 400 it generates a library of N versions in a copy of the project, plans
prod with `templates.deploy: all`, and, in the same run, replays the same resources (same types,
names, inputs, parents and dependencies, components included) as plain ``pulumi`` resources under
the SDK's own ``MockMonitor``: the cost of Pulumi alone. The ratio is what askflow adds (reading
and validating the stack, loading and linting the library, the program's own code, recording).
Figures are printed, never asserted.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime.mocks import MockMonitor

from askflow import yamlio
from askflow.plan import Plan, plan_stack

ROOT = Path(__file__).resolve().parent.parent
SIZES = (10, 100, 400)


def _template(name: str, n: int) -> dict[str, Any]:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "WorkflowTemplate",
        "metadata": {"name": name},
        "spec": {
            "entrypoint": "main",
            "serviceAccountName": "argo-workflow",
            "activeDeadlineSeconds": 600,
            "templates": [{
                "name": "main",
                "retryStrategy": {"limit": 2},
                "container": {
                    "image": "alpine:3.20",
                    "command": ["echo", f"v{n}"],
                    "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}},
                },
            }],
        },
    }


def _project(versions: int) -> Path:
    tmp = Path(tempfile.mkdtemp(prefix="askflow-bench-"))
    for name in ("Pulumi.yaml", "infra", "environments"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, tmp / name)  # type: ignore[operator]
    lib = tmp / "workflows"
    for i in range(versions):
        name = f"job-{i // 4:03d}"
        (lib / name).mkdir(parents=True, exist_ok=True)
        (lib / name / f"v{i % 4 + 1}.yaml").write_text(yamlio.dumps(_template(name, i % 4 + 1)))
    # Released, as a prod stack requires (drafts deploy only in dev).
    from askflow.library import load_library
    from askflow.library.authoring import lock_library

    lock_library(load_library(lib))
    prod = yamlio.load_file(tmp / "environments" / "Pulumi.prod.yaml")
    prod["config"]["askflow:platform"]["templates"] = {"deploy": "all", "crons": "all", "namespaces": ["data-eng"]}
    (tmp / "environments" / "Pulumi.prod.yaml").write_text(yamlio.dumps(prod))
    return tmp


class _Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list]:
        return {}, []


def _baseline(plan: Plan) -> float:
    """Register the plan's custom resources, same types, names and inputs, under bare mocks."""
    import asyncio
    import contextvars

    from pulumi.runtime.stack import run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await

    by_urn = plan.by_urn()
    order: list[str] = []
    seen: set[str] = set()

    def visit(urn: str) -> None:  # parents and dependencies first, as the program registers them
        if urn in seen or urn not in by_urn:
            return
        seen.add(urn)
        r = by_urn[urn]
        for before in (r.parent, *r.dependencies):
            visit(before)
        order.append(urn)

    for urn in sorted(by_urn):
        visit(urn)

    def program() -> None:
        made: dict[str, pulumi.Resource] = {}
        for urn in order:
            r = by_urn[urn]
            opts = pulumi.ResourceOptions(
                parent=made.get(r.parent),
                depends_on=[made[d] for d in r.dependencies if d in made],
            )
            if r.type.startswith("pulumi:providers:"):
                made[urn] = pulumi.ProviderResource(r.type.split(":")[-1], r.name, dict(r.inputs), opts)
            elif r.custom:
                made[urn] = pulumi.CustomResource(r.type, r.name, dict(r.inputs), opts)
            else:
                component = pulumi.ComponentResource(r.type, r.name, None, opts)
                component.register_outputs({})
                made[urn] = component

    def run() -> float:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        mocks = _Mocks()
        start = time.perf_counter()
        pulumi.runtime.set_mocks(mocks, project="askflow", stack="prod", preview=False, monitor=MockMonitor(mocks))
        _sync_await(run_pulumi_func(program))
        elapsed = time.perf_counter() - start
        loop.close()
        return elapsed

    return contextvars.Context().run(run)


def run(repeat: int = 7) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for n in SIZES:
        project = _project(n)
        try:
            ours, base = [], []
            _baseline(plan_stack("prod", project))  # warm-up of both (imports, caches), not counted
            for _ in range(repeat):
                start = time.perf_counter()
                plan = plan_stack("prod", project)
                ours.append(time.perf_counter() - start)
                base.append(_baseline(plan))
            # The fastest of the runs: the least disturbed by the rest of the machine, for both sides.
            o, b = min(ours), min(base)
            results[f"{n} versions"] = {
                "resources": len([r for r in plan.resources if r.custom]),
                "askflow_plan_s": round(o, 3),
                "bare_mocks_s": round(b, 3),
                "overhead_ratio": round(o / b, 2),
            }
            print(f"plan, {n:4d} versions: askflow {o:.3f}s, bare SDK mocks {b:.3f}s, ratio {o / b:.2f}x", flush=True)
        finally:
            shutil.rmtree(project, ignore_errors=True)
    growth = results["400 versions"]["askflow_plan_s"] / results["100 versions"]["askflow_plan_s"]
    results["growth_400_over_100"] = round(growth, 2)
    print(f"plan growth 400/100 versions: {growth:.2f}x (target <= 4.4x); overhead target <= 1.3x", flush=True)
    return results


if __name__ == "__main__":
    run()
