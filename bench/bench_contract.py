"""Contract overhead: ``askflow plan --stack prod`` with the provider contract check, side by side without it.

The check (:func:`askflow.plan.hold_to_contract`: reading ``contract.json`` and walking every
resource's inputs) is the only difference: the "without" side runs the same command with that
function replaced by one that returns the plan unchecked. The data's in-process cache is cleared
before each "with" run, so it pays for reading the file as a fresh process does.

Sizes: the prod stack as committed, and prod deploying 100 template versions (bench/bench_plan.py's
generated library). Each figure is the median of ``repeat`` pairs run back to back in alternating
order, with the range of the pairs' ratios; the target is an overhead of at most 10% (ratio <= 1.10).
``overhead_ratio_of_minima`` compares each side's fastest run, ``cpu_overhead_ratio`` the pairs' CPU
time of this process (what other processes on a shared machine disturb least). Beside them, the check alone is timed on the planned stack (``check_share_of_command``), a figure
this machine's noise (pairs range +-30%) does not hide.
Printed, never asserted.
"""

from __future__ import annotations

import gc
import shutil
import statistics
import time
from pathlib import Path
from typing import Any

import askflow.plan
from askflow.plan import contract as contract_data
from askflow.plan import plan_stack
from askflow.plan.contract.check import _regex
from bench.bench_plan import ROOT, _out_base, _project, _timed_command

TARGET = 1.10


def _unchecked(plan: askflow.plan.Plan) -> askflow.plan.Plan:
    return plan


def _cpu(project: Path, out: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of the command: CPU time of this process is what other processes on a
    shared machine disturb least."""
    start = time.process_time()
    wall = _timed_command(project, out)
    return wall, time.process_time() - start


def _with_check(project: Path, out: Path) -> tuple[float, float]:
    contract_data.contract.cache_clear()
    contract_data.regions.cache_clear()
    _regex.cache_clear()
    return _cpu(project, out)


def _without_check(project: Path, out: Path) -> tuple[float, float]:
    checked = askflow.plan.hold_to_contract
    askflow.plan.hold_to_contract = _unchecked
    try:
        return _cpu(project, out)
    finally:
        askflow.plan.hold_to_contract = checked


def _check_only(plan: askflow.plan.Plan) -> float:
    """The check alone on an already planned stack (data read again, as in a fresh process)."""
    contract_data.contract.cache_clear()
    contract_data.regions.cache_clear()
    _regex.cache_clear()
    warnings = list(plan.warnings)
    start = time.perf_counter()
    askflow.plan.hold_to_contract(plan)
    elapsed = time.perf_counter() - start
    plan.warnings = warnings
    return elapsed


def run(repeat: int = 21) -> dict[str, Any]:
    results: dict[str, Any] = {}
    out_base = _out_base()
    for label, versions in (("prod", 0), ("prod, 100 versions", 100)):
        project = _project(versions) if versions else ROOT
        out = out_base / label.replace(" ", "-").replace(",", "")
        try:
            _with_check(project, out)  # warm-up (imports, caches), not counted
            _without_check(project, out)
            with_runs: list[tuple[float, float]] = []
            without_runs: list[tuple[float, float]] = []
            for i in range(repeat):
                pair = ((_with_check, with_runs), (_without_check, without_runs))
                for fn, runs in (pair if i % 2 == 0 else pair[::-1]):
                    gc.collect()
                    runs.append(fn(project, out))
            with_times = [w for w, _ in with_runs]
            without_times = [w for w, _ in without_runs]
            cpu_ratios = sorted(w[1] / o[1] for w, o in zip(with_runs, without_runs, strict=True))
            ratios = sorted(w / o for w, o in zip(with_times, without_times, strict=True))
            ratio = statistics.median(ratios)
            plan = plan_stack("prod", project)
            check = statistics.median(_check_only(plan) for _ in range(repeat))
            share = check / statistics.median(without_times)
            results[label] = {
                "with_contract_s": round(statistics.median(with_times), 3),
                "without_contract_s": round(statistics.median(without_times), 3),
                "overhead_ratio": round(ratio, 3),
                "overhead_ratio_range": [round(ratios[0], 3), round(ratios[-1], 3)],
                # Fastest run of each side: what each costs when no other process interferes.
                "overhead_ratio_of_minima": round(min(with_times) / min(without_times), 3),
                # The same pairs in CPU time of this process (less disturbed by other processes).
                "cpu_overhead_ratio": round(statistics.median(cpu_ratios), 3),
                "cpu_overhead_ratio_range": [round(cpu_ratios[0], 3), round(cpu_ratios[-1], 3)],
                "pairs": repeat,
                # The same, measured directly: the check alone against the command without it (the
                # pairs' ratio above is within this shared machine's noise).
                "check_only_s": round(check, 4),
                "check_share_of_command": round(share, 4),
                "target": f"<= {TARGET}",
            }
            print(f"contract, {label}: with {statistics.median(with_times):.3f}s, without "
                  f"{statistics.median(without_times):.3f}s, overhead {ratio:.3f}x "
                  f"(fastest runs {min(with_times) / min(without_times):.3f}x, CPU time {statistics.median(cpu_ratios):.3f}x) "
                  f"(pairs {ratios[0]:.3f}-{ratios[-1]:.3f}x; target <= {TARGET}x); the check alone {check * 1000:.1f} ms "
                  f"= {share:.1%} of the command", flush=True)
        finally:
            if versions:
                shutil.rmtree(project, ignore_errors=True)
    shutil.rmtree(out_base, ignore_errors=True)
    return results


if __name__ == "__main__":
    run()
