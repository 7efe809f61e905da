"""The targets the benchmarks are held to, and the verdict on a run's figures (met / not met).

Each target names the figure it reads (the key path in a benchmark's result), its limit and where
the limit comes from. A figure a run did not produce (a benchmark skipped) is ``not measured``,
never ``met``. Benchmarks without a target here (lint, convert) are reported as figures only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Target:
    benchmark: str
    figure: tuple[str, ...]  # key path in the benchmark's result
    limit: float
    why: str

    @property
    def name(self) -> str:
        return f"{self.benchmark}: {' / '.join(self.figure)} <= {self.limit}"


TARGETS = (
    *(
        Target("bench_plan", (f"{n} versions", "end_to_end", "ratio"), 1.2,
               "askflow plan in a fresh process (what a user waits for) at most 1.2x the same resources "
               "registered under bare SDK mocks in a fresh process (bench_plan.py)")
        for n in (10, 100, 400)
    ),
    Target("bench_plan", ("shipped library", "end_to_end", "ratio"), 1.2,
           "the README's `askflow plan` of dev with the repository's own library, build cache filled"),
    Target("bench_plan", ("growth_400_over_100",), 4.4,
           "planning grows about linearly with the library: 4x the versions, at most 4.4x the time"),
    *(
        Target("bench_contract", (label, "overhead_ratio"), 1.10,
               "the provider contract check costs at most 10% of askflow plan (bench_contract.py)")
        for label in ("prod", "prod, 100 versions")
    ),
    Target("bench_ackone", ("resource_over_sdk",), 0.10,
           "the ACK One workflow cluster resource's imports cost a plan at most 10% of what importing the "
           "adcp SDK would: the SDK loads only inside a provider call (bench_ackone.py)"),
)

#: Figures printed beside the verdicts as regression signals, without a verdict: the in-process
#: overhead (imports excluded on both sides) moves with the machine's load far more than the
#: end-to-end figure and is not what a user waits for.
SIGNALS = (
    *(("bench_plan", (f"{n} versions", "overhead_ratio")) for n in (10, 100, 400)),
    ("bench_plan", ("shipped library", "end_to_end_cold", "ratio")),  # a clone's first run: hera imported
)


def _figure(result: Any, path: tuple[str, ...]) -> float | None:
    for key in path:
        if not isinstance(result, Mapping) or key not in result:
            return None
        result = result[key]
    return float(result) if isinstance(result, int | float) and not isinstance(result, bool) else None


def verdicts(results: Mapping[str, Any]) -> list[tuple[Target, float | None, str]]:
    """``(target, figure, "met" | "not met" | "not measured")`` for every target, in order."""
    out = []
    for target in TARGETS:
        value = _figure(results.get(target.benchmark), target.figure)
        verdict = "not measured" if value is None else "met" if value <= target.limit else "not met"
        out.append((target, value, verdict))
    return out


def verdict_lines(results: Mapping[str, Any]) -> list[str]:
    lines = [
        f"{verdict:>12}  {target.name}" + (f" (measured {value:g})" if value is not None else "")
        for target, value, verdict in verdicts(results)
    ]
    for benchmark, path in SIGNALS:
        value = _figure(results.get(benchmark), path)
        if value is not None:
            lines.append(f"{'signal':>12}  {benchmark}: {' / '.join(path)} = {value:g} (regression signal, not a target)")
    return lines
