"""Convert throughput: 1,000 generated AWS Batch pipeline jobs, jobs per second and peak memory.

The generator writes SubmitJob pipelines of 10 jobs each (chains with ``dependsOn``; every third job
an array of 100 children, consecutive arrays linked N_TO_N, some SEQUENTIAL) plus the 20 job
definitions they run (``Ref::`` parameters, resources, evaluateOnExit retries, timeouts), then runs
``askflow convert`` on the folder as the CLI does: read, detect, convert, render, write every file
and the JSON report. A second, identical run under ``tracemalloc`` measures peak Python memory
(tracing slows it, so it is not timed). Figures are printed, never asserted.
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from askflow.convert import plan_run

PIPELINE_LENGTH = 10
DEFINITIONS = 20
ARRAY_SIZE = 100


def _definition(i: int) -> dict[str, Any]:
    return {
        "jobDefinitionName": f"step-{i:02d}",
        "type": "container",
        "parameters": {"day": "2024-01-01"},
        "containerProperties": {
            "image": f"registry.example.com/batch/step-{i:02d}:1.{i}",
            "command": ["python", "-m", f"steps.s{i}", "--day", "Ref::day", "--input", "Ref::input"],
            "resourceRequirements": [{"type": "VCPU", "value": str(1 + i % 4)},
                                     {"type": "MEMORY", "value": str(2048 * (1 + i % 3))}],
            "environment": [{"name": "STEP", "value": str(i)}],
            "jobRoleArn": "arn:aws:iam::123456789012:role/batch-step",
        },
        "retryStrategy": {"attempts": 3, "evaluateOnExit": [{"action": "RETRY", "onExitCode": "137"},
                                                            {"action": "EXIT", "onReason": "*"}]},
        "timeout": {"attemptDurationSeconds": 900},
    }


def _pipeline(p: int, length: int) -> list[dict[str, Any]]:
    jobs: list[dict[str, Any]] = []
    for j in range(length):
        body: dict[str, Any] = {"jobName": f"P{p}J{j}", "jobQueue": "batch",
                                "jobDefinition": f"step-{(p + j) % DEFINITIONS:02d}:1",
                                "parameters": {"input": f"oss://data/p{p}/j{j}"}}
        array = j % 3 == 1 or j % 3 == 2  # pairs of arrays: (1, 2), (4, 5), (7, 8)
        if array:
            body["arrayProperties"] = {"size": ARRAY_SIZE}
        if j:
            body["dependsOn"] = [{"jobId": f"P{p}J{j - 1}_job_ID", **({"type": "N_TO_N"} if j % 3 == 2 else {})}]
            if j == 4:
                body["dependsOn"].append({"type": "SEQUENTIAL"})
        jobs.append(body)
    return jobs


def generate(folder: Path, jobs: int) -> int:
    """Write ``jobs`` SubmitJobs (as pipelines) and their definitions; return the number of pipelines."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(DEFINITIONS):
        (folder / f"definition-{i:02d}.json").write_text(json.dumps(_definition(i)))
    pipelines = 0
    for start in range(0, jobs, PIPELINE_LENGTH):
        (folder / f"pipeline-{pipelines:04d}.json").write_text(
            json.dumps(_pipeline(pipelines, min(PIPELINE_LENGTH, jobs - start))))
        pipelines += 1
    return pipelines


def _convert(inputs: Path, out: Path) -> Any:
    run = plan_run([inputs], out)
    run.write(out.parent / f"{out.name}-report.json")
    return run


def run(jobs: int = 1000) -> dict[str, Any]:
    """Generate ``jobs`` pipeline jobs, convert them, and return throughput and memory figures."""
    with tempfile.TemporaryDirectory(prefix="askflow-bench-convert-") as tmp:
        root = Path(tmp)
        pipelines = generate(root / "in", jobs)
        start = time.perf_counter()
        result = _convert(root / "in", root / "timed")
        seconds = time.perf_counter() - start
        files = sum(1 for p in (root / "timed").rglob("*") if p.is_file())
        tracemalloc.start()
        _convert(root / "in", root / "traced")
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
        figures = {
            "submit_jobs": jobs,
            "pipelines": pipelines,
            "job_definitions": DEFINITIONS,
            "templates_written": sum(r.converted for r in result.results),
            "files_written": files,
            "exit_code": result.exit_code,
            "seconds": round(seconds, 3),
            "jobs_per_second": round(jobs / seconds, 1),
            "peak_python_memory_mib": round(peak / 2**20, 1),
            "max_rss_mib": round(rss_kib / 1024, 1),
        }
    print(f"convert: {jobs} AWS Batch jobs in {pipelines} pipelines + {DEFINITIONS} definitions -> "
          f"{figures['templates_written']} templates in {figures['seconds']} s = {figures['jobs_per_second']} jobs/s; "
          f"peak Python memory {figures['peak_python_memory_mib']} MiB, max RSS {figures['max_rss_mib']} MiB")
    return figures


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
