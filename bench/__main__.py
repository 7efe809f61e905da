"""Run every benchmark of the offline tools side by side with its baseline; write build/bench/results.md.

The run's results go under ``build/`` (ignored), never over the tracked ``bench/results.md``, which
is the reference a person chose to commit (copy a run's file over it deliberately). At the end,
every target of :mod:`bench.targets` gets a verdict, printed and written: met, not met, or not
measured.

Each figure is a ratio against a baseline measured in the same run on the same machine:
- contract: ``askflow plan`` of prod with the provider contract check versus without it (bench/bench_contract.py);
- plan: ``askflow plan`` of the prod stack with 10/100/400 template versions versus bare Pulumi SDK
  mocks registering the same number and types of resources (bench/bench_plan.py);
- lint: Argo's examples linted versus check-jsonschema on the same documents (bench/bench_lint.py);
- convert: 1,000 generated AWS Batch pipeline jobs, jobs per second and peak memory (bench/bench_convert.py);
- ackone: what importing the workflow cluster resource costs a plan versus what importing the adcp
  SDK would (bench/bench_ackone.py).
"""

from __future__ import annotations

import datetime
import importlib
import json
import os
import platform
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: Where a run writes its results (the tracked bench/results.md is never overwritten).
OUT = HERE.parent / "build" / "bench" / "results.md"


def main() -> int:
    sys.path.insert(0, str(HERE.parent))
    from bench.targets import verdict_lines

    sections = []
    results: dict[str, object] = {}
    for name in ("bench_plan", "bench_contract", "bench_lint", "bench_convert", "bench_ackone"):
        try:
            module = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError as exc:
            sections.append(f"## {name}\n\nnot available: {exc}\n")
            continue
        print(f"== {name}", flush=True)
        result = module.run()
        results[name] = result
        sections.append(f"## {name}\n\n```json\n{json.dumps(result, indent=2, sort_keys=True, default=str)}\n```\n")
    header = (
        "# Benchmark results\n\n"
        f"- date: {datetime.date.today().isoformat()}\n"
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.platform()}\n"
        "- command: `make bench`\n"
        "- how each figure is measured (baselines, repeats, statistic): the docstring of `bench/bench_<name>.py`\n\n"
    )
    lines = verdict_lines(results)
    verdicts = "## targets\n\n```\n" + "\n".join(lines) + "\n```\n"
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(header + verdicts + "\n" + "\n".join(sections))
    print("== targets")
    print("\n".join(lines))
    print(f"wrote {OUT.relative_to(HERE.parent)} (bench/results.md, the committed reference, is unchanged)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
