"""What the ACK One workflow cluster resource costs a plan to import, and what it avoids.

``askflow plan`` imports ``components.workflow_cluster`` (the dynamic resource and its provider);
the adcp SDK and the credentials chain load only inside a provider call (askflow/ackone/api.py).
Three fresh Python processes, timed from start to exit, ``repeat`` times each in rotating order:

- ``base``: ``import pulumi, pulumi.dynamic`` (what any program importing the resource pays anyway);
- ``component``: the same, then ``import components.workflow_cluster``;
- ``eager``: the same as ``component``, then the SDK modules a provider call imports
  (``alibabacloud_adcp20220101.client``, ``.models``, ``alibabacloud_credentials.client``): what an
  import at module level would have added to every plan.

Figures are medians in seconds, with the ratios ``component / base`` (the target: at most 1.10) and
``eager / base``. Printed, never asserted.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

BASE = "import pulumi, pulumi.dynamic"
COMPONENT = f"{BASE}; import sys; sys.path.insert(0, 'infra'); import components.workflow_cluster"
EAGER = (f"{COMPONENT}; import alibabacloud_adcp20220101.client, alibabacloud_adcp20220101.models, "
         "alibabacloud_credentials.client")
TARGET = 1.10


def _timed(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
    return time.perf_counter() - start


def run(repeat: int = 11) -> dict[str, Any]:
    cases = {"base": BASE, "component": COMPONENT, "eager": EAGER}
    times: dict[str, list[float]] = {k: [] for k in cases}
    for i in range(repeat):
        order = list(cases)[i % 3:] + list(cases)[:i % 3]
        for key in order:
            times[key].append(_timed(cases[key]))
    med = {k: statistics.median(v) for k, v in times.items()}
    return {
        "repeat": repeat,
        "median_seconds": {k: round(v, 3) for k, v in med.items()},
        "component_over_base": round(med["component"] / med["base"], 3),
        "eager_over_base": round(med["eager"] / med["base"], 3),
        "sdk_import_seconds_avoided": round(med["eager"] - med["component"], 3),
        "target": f"component_over_base <= {TARGET}",
    }


if __name__ == "__main__":
    print(run())
