"""What the ACK One workflow cluster resource costs a plan to import, and what its lazy SDK import saves.

``askflow plan`` imports ``components.workflow_cluster`` (the dynamic resource and its provider);
the adcp SDK and the credentials chain load only inside a provider call (askflow/ackone/api.py).

Each repeat is a fresh Python process run with ``-X importtime`` that imports Pulumi
(``pulumi``, ``pulumi.dynamic``: paid by every program anyway), then the resource, then the SDK
modules a provider call imports (``alibabacloud_adcp20220101.client``, ``.models``,
``alibabacloud_credentials.client``). From its report (microseconds, cumulative, per top-level
import) come ``resource_ms`` (what a plan pays for the resource beyond Pulumi) and ``sdk_ms`` (what
an import at module level would have added to every plan). Reading the interpreter's own
per-import clock, rather than timing whole processes, keeps process start-up and the machine's
load out of the comparison (whole-process figures moved by +-20% between runs here).

Figures are medians over ``repeat`` processes; the target is ``resource_over_sdk`` at most 0.10:
the lazy import keeps at least 90% of the SDK's import cost out of every plan. Printed, never asserted.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

RESOURCE = "components.workflow_cluster"
SDK = ("alibabacloud_adcp20220101.client", "alibabacloud_adcp20220101.models", "alibabacloud_credentials.client")
CODE = ("import pulumi, pulumi.dynamic, sys; sys.path.insert(0, 'infra'); "
        f"import {RESOURCE}; " + "; ".join(f"import {m}" for m in SDK))
TARGET = 0.10


def _importtime() -> dict[str, int]:
    """Cumulative microseconds per top-level import of one fresh process running :data:`CODE`."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", CODE], cwd=ROOT, check=True,
                          capture_output=True, text=True)
    out: dict[str, int] = {}
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line[len("import time:"):].split("|")
        # Nested imports are indented under the import that caused them; a top-level one is not,
        # and its cumulative figure holds everything it imported.
        if cumulative.strip().isdigit() and not name.startswith("  "):
            out[name.strip()] = int(cumulative)
    return out


def run(repeat: int = 11) -> dict[str, Any]:
    resource, sdk = [], []
    for _ in range(repeat):
        times = _importtime()
        resource.append(times[RESOURCE])
        sdk.append(sum(times.get(m, 0) for m in SDK))
    resource_ms, sdk_ms = statistics.median(resource) / 1000, statistics.median(sdk) / 1000
    return {
        "repeat": repeat,
        "resource_ms": round(resource_ms, 1),
        "sdk_ms": round(sdk_ms, 1),
        "resource_over_sdk": round(resource_ms / sdk_ms, 3) if sdk_ms else None,
        "target": f"resource_over_sdk <= {TARGET}",
    }


if __name__ == "__main__":
    print(run())
