"""Plan overhead: `askflow plan` of the prod stack with N template versions versus bare SDK mocks.

For N in 10, 100 and 400 it generates a library of N versions in a copy of the project and plans
prod with `templates.deploy: all`. Beside it, in the same run, :mod:`bench.baseline` registers the
same resources (same types, names, inputs, parents, providers, dependencies and property
dependencies, components included; tests/bench checks this request by request) under the SDK's
own ``MockMonitor`` with trivial mocks: the cost of Pulumi alone.

Figures, each a median of pairs run back to back in alternating order:
- ``overhead_ratio`` (a regression signal, printed, not a target): the ``askflow plan --stack prod --quiet`` command in
  this interpreter (stack file, settings, library parsed and linted, the program, recording,
  policy rules, plan.md, every manifest written) against the baseline, both after their imports;
- ``planning_only_ratio``: the planning part of the command alone (``plan_stack``);
- ``end_to_end`` (the target's figure, ``ratio`` at most 1.2, bench/targets.py): fresh processes,
  interpreter start-up and imports included on both sides, as a user runs ``askflow plan`` (a few
  pairs: each process takes seconds);
- ``shipped library``: the README's ``askflow plan --stack dev`` with the repository's own library
  (a hera version among it), fresh processes only, with the build cache of Python versions filled
  (the target) and without it (a clone's first run, which imports hera: a signal);
- ``ratio_to_raw_registration``: for reference only, against bare ``pulumi.CustomResource``
  objects with every dependency as ``depends_on`` (this benchmark's baseline before 2026-11-28),
  which skips work the SDK does for the resources of any real program.

Both sides are measured alike: each resource is built through the class a program uses
(``alicloud.oss.Bucket``, ``k8s.core.v1.Namespace``, ``k8s.apiextensions.CustomResource`` for
objects of CRDs); the same collector regime (:func:`askflow.collector.batch_collector`), after a
collection that is not timed; event loop and teardown timed on both sides; askflow's in-process
caches of parsed library files cleared before each timed command (a fresh process has none).
Figures are printed, never asserted.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from askflow import yamlio
from askflow.cli import main as cli_main
from askflow.library import forget_parsed
from askflow.plan import Plan, plan_stack
from bench.baseline import baseline, dump_resources

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


def _copy_project(prefix: str, names: tuple[str, ...]) -> Path:
    """A temporary folder holding copies of these files and folders of the repository."""
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    for name in names:
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, tmp / name)  # type: ignore[operator]
    return tmp


def _project(versions: int) -> Path:
    tmp = _copy_project("askflow-bench-", ("Pulumi.yaml", "infra", "environments"))
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


def _shipped(out_base: Path) -> dict[str, Any]:
    """The README's first command as a user runs it: the dev stack with the repository's own
    library (a hera version among it), in fresh processes. ``end_to_end``: with the build cache of
    Python versions filled by an earlier run (every run after a clone's first);
    ``end_to_end_cold``: without it (the first run imports hera)."""
    from askflow.library import buildcache

    project = _copy_project("askflow-bench-shipped-", ("Pulumi.yaml", "infra", "environments", "workflows"))
    try:
        out = out_base / "shipped"
        plan = plan_stack("dev", project)  # also fills the project's build cache
        warm = _end_to_end(project, out, plan, stack="dev")
        cold = _end_to_end(project, out, plan, stack="dev", extra_env={buildcache.DISABLE_ENV: "1"})
        print(f"plan, shipped library (dev), fresh processes: ratio {warm['ratio']:.2f}x with the build cache, "
              f"{cold['ratio']:.2f}x without (a clone's first run)", flush=True)
        return {"resources": len([r for r in plan.resources if r.custom]), "end_to_end": warm, "end_to_end_cold": cold}
    finally:
        shutil.rmtree(project, ignore_errors=True)


def _out_base() -> Path:
    """Where the timed command writes its manifests: tmpfs when there is one.

    On this VM, creating the ~420 files of a 400-version plan on the ext4 disk takes 0.1-0.35 s and
    varies with the kernel's writeback, against 0.01 s on tmpfs: the disk, not askflow.
    """
    shm = Path("/dev/shm")
    return Path(tempfile.mkdtemp(prefix="askflow-bench-out-", dir=shm if shm.is_dir() else None))


def _timed_command(project: Path, out: Path) -> float:
    """``askflow plan --stack prod --quiet --out OUT`` in this interpreter, as a fresh process runs it
    after its imports: the library and lock parsed again (askflow keeps them by content within a
    process), the policy rules, plan.md, and every manifest and Helm values file written."""
    forget_parsed()
    argv = ["plan", "--stack", "prod", "--project", str(project), "--out", str(out), "--quiet"]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()) as err:
        start = time.perf_counter()
        code = cli_main(argv)
        elapsed = time.perf_counter() - start
    if code != 0:
        raise SystemExit(f"bench: askflow plan exited {code}: {err.getvalue().strip()}")
    return elapsed


def _timed_planning(project: Path) -> float:
    """Only the planning part of the command (``plan_stack``: stack, library, program, recording)."""
    forget_parsed()
    start = time.perf_counter()
    plan_stack("prod", project)
    return time.perf_counter() - start


def _rounds(timers: list[Callable[[], float]], n: int) -> list[list[float]]:
    """``n`` rounds of timings, one list per timer. In each round the first two (askflow and its
    baseline) run back to back, in alternating order, then the others; a collection (not timed)
    before each, so that no timer pays for another's garbage."""
    times: list[list[float]] = [[] for _ in timers]
    for i in range(n):
        order = [1, 0, *range(2, len(timers))] if i % 2 else list(range(len(timers)))
        for k in order:
            gc.collect()
            times[k].append(timers[k]())
    return times


def _end_to_end(project: Path, out: Path, plan: Plan, pairs: int = 5, stack: str = "prod",
                extra_env: dict[str, str] | None = None) -> dict[str, float]:
    """Fresh processes, imports included: ``askflow plan`` against ``python -m bench.baseline``
    registering the same resources. Bytecode is cached as on a default Python install (this
    sandbox sets PYTHONDONTWRITEBYTECODE, which would recompile askflow's modules every time)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    resources = out.parent / f"{project.name}-resources.json"
    dump_resources(plan.resources, resources)
    ours_cmd = [str(Path(sys.executable).with_name("askflow")), "plan", "--stack", stack,
                "--project", str(project), "--out", str(out), "--quiet"]
    base_cmd = [sys.executable, "-m", "bench.baseline", str(resources)]

    ours_env = {**env, **(extra_env or {})}

    def timed(cmd: list[str], cmd_env: dict[str, str]) -> float:
        start = time.perf_counter()
        done = subprocess.run(cmd, cwd=ROOT, env=cmd_env, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"bench: {' '.join(cmd[:3])} exited {done.returncode}: {done.stderr.strip()[-300:]}")
        return elapsed

    timed(ours_cmd, ours_env), timed(base_cmd, env)  # warm-up: bytecode caches, the OS's file cache
    ours, base = _rounds([lambda: timed(ours_cmd, ours_env), lambda: timed(base_cmd, env)], pairs)
    return {
        "askflow_plan_process_s": round(statistics.median(ours), 3),
        "baseline_process_s": round(statistics.median(base), 3),
        "ratio": round(statistics.median(o / b for o, b in zip(ours, base, strict=True)), 2),
        "pairs": pairs,
    }


def run(repeat: int = 21) -> dict[str, Any]:
    """Each size: ``repeat`` pairs (askflow, baseline) run back to back, the order alternating.

    The figure is the median of the pairs' ratios, with their range: a pair shares the state of the
    machine, so a slow moment affects both sides of it (this VM's timings drift by +-30%). With 11
    pairs the median of the 400-version ratio moved by +-0.04 between runs; 21 halve that.
    """
    results: dict[str, Any] = {}
    out_base = _out_base()
    for n in SIZES:
        project = _project(n)
        out = out_base / f"{n}"
        try:
            plan = plan_stack("prod", project)  # warm-up of every side (imports, caches), not counted
            _timed_command(project, out)
            baseline(plan.resources)
            baseline(plan.resources, raw=True)
            ours, base, planning, floor = _rounds(
                [
                    functools.partial(_timed_command, project, out),
                    functools.partial(baseline, plan.resources),
                    functools.partial(_timed_planning, project),
                    functools.partial(baseline, plan.resources, raw=True),
                ],
                repeat,
            )
            ratios = sorted(o / b for o, b in zip(ours, base, strict=True))
            planning_ratio = statistics.median(p / b for p, b in zip(planning, base, strict=True))
            to_floor = statistics.median(o / f for o, f in zip(ours, floor, strict=True))
            results[f"{n} versions"] = {
                "resources": len([r for r in plan.resources if r.custom]),
                "askflow_plan_s": round(statistics.median(ours), 3),
                "bare_mocks_s": round(statistics.median(base), 3),
                "overhead_ratio": round(statistics.median(ratios), 2),
                "overhead_ratio_range": [round(ratios[0], 2), round(ratios[-1], 2)],
                "pairs": repeat,
                # Where the time goes: the planning alone (no policy rules, plan.md or files).
                "planning_only_s": round(statistics.median(planning), 3),
                "planning_only_ratio": round(planning_ratio, 2),
                # For reference, not the target's baseline: bare CustomResources (see bench.baseline).
                "raw_registration_s": round(statistics.median(floor), 3),
                "ratio_to_raw_registration": round(to_floor, 2),
                # Whole processes, imports included on both sides (a user's `askflow plan`).
                "end_to_end": _end_to_end(project, out, plan),
            }
            print(
                f"plan, {n:4d} versions: askflow plan {statistics.median(ours):.3f}s, bare SDK mocks "
                f"{statistics.median(base):.3f}s, ratio {statistics.median(ratios):.2f}x "
                f"(pairs {ratios[0]:.2f}-{ratios[-1]:.2f}x); planning alone {planning_ratio:.2f}x; "
                f"raw registration floor {statistics.median(floor):.3f}s ({to_floor:.2f}x)",
                flush=True,
            )
            e2e = results[f"{n} versions"]["end_to_end"]
            print(
                f"plan, {n:4d} versions, fresh processes: askflow plan {e2e['askflow_plan_process_s']:.2f}s, "
                f"baseline {e2e['baseline_process_s']:.2f}s, ratio {e2e['ratio']:.2f}x",
                flush=True,
            )
        finally:
            shutil.rmtree(project, ignore_errors=True)
    results["shipped library"] = _shipped(out_base)
    shutil.rmtree(out_base, ignore_errors=True)
    growth = results["400 versions"]["askflow_plan_s"] / results["100 versions"]["askflow_plan_s"]
    results["growth_400_over_100"] = round(growth, 2)
    print(f"plan growth 400/100 versions: {growth:.2f}x (target <= 4.4x); fresh-process target <= 1.2x", flush=True)
    return results


if __name__ == "__main__":
    run()
