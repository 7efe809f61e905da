"""``make bench``: results under build/, never over bench/results.md; a verdict for every target."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

import bench.__main__ as bench_main
from bench.targets import TARGETS, verdict_lines, verdicts
from tests.conftest import ROOT

PLAN = {"10 versions": {"overhead_ratio": 1.6, "end_to_end": {"ratio": 1.1}},
        "100 versions": {"overhead_ratio": 1.0, "end_to_end": {"ratio": 1.21}},
        "400 versions": {"overhead_ratio": 1.3, "end_to_end": {"ratio": 1.2}}, "growth_400_over_100": 3.9}


def test_verdicts_met_not_met_and_not_measured() -> None:
    found = {target.name: verdict for target, _, verdict in verdicts({"bench_plan": PLAN})}
    assert found["bench_plan: 10 versions / end_to_end / ratio <= 1.2"] == "met"
    assert found["bench_plan: 100 versions / end_to_end / ratio <= 1.2"] == "not met"
    assert found["bench_plan: 400 versions / end_to_end / ratio <= 1.2"] == "met"  # the limit itself is met
    assert not [name for name in found if name.endswith("overhead_ratio <= 1.3")]  # in-process: no target
    assert found["bench_plan: growth_400_over_100 <= 4.4"] == "met"
    assert {v for name, v in found.items() if name.startswith("bench_contract")} == {"not measured"}
    assert len(verdict_lines({})) == len(TARGETS)
    signals = [line for line in verdict_lines({"bench_plan": PLAN}) if line.lstrip().startswith("signal")]
    assert signals[0] == ("      signal  bench_plan: 10 versions / overhead_ratio = 1.6 "
                          "(regression signal, not a target)") and len(signals) == 3


def test_a_run_writes_under_build_and_leaves_the_committed_results_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert bench_main.OUT == ROOT / "build" / "bench" / "results.md"
    committed = (ROOT / "bench" / "results.md").read_bytes()
    figures = {"bench_plan": PLAN, "bench_contract": {"prod": {"overhead_ratio": 1.05}},
               "bench_lint": [], "bench_convert": {}, "bench_ackone": {"resource_over_sdk": 0.2}}
    for name, result in figures.items():
        module = types.ModuleType(f"bench.{name}")
        module.run = lambda result=result: result  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, f"bench.{name}", module)
    out = tmp_path / "build" / "bench" / "results.md"
    monkeypatch.setattr(bench_main, "OUT", out)
    monkeypatch.setattr(bench_main, "HERE", tmp_path / "bench")
    assert bench_main.main() == 0
    printed = capsys.readouterr().out
    assert "     not met  bench_plan: 100 versions / end_to_end / ratio <= 1.2 (measured 1.21)" in printed
    assert "         met  bench_contract: prod / overhead_ratio <= 1.1 (measured 1.05)" in printed
    assert "not measured  bench_contract: prod, 100 versions / overhead_ratio <= 1.1" in out.read_text()
    assert "     not met  bench_ackone: resource_over_sdk <= 0.1 (measured 0.2)" in printed
    assert (ROOT / "bench" / "results.md").read_bytes() == committed
