"""Alibaba Cloud region ids, from the committed list (``askflow/plan/contract/data/regions.json``).

The list is generated with the provider contract (:mod:`askflow.plan.contract.generate`) from
terraform-provider-alicloud's ``alicloud/connectivity/regions.go``; the file records the commit
and its date. Read without importing the plan machinery (the settings use it).
"""

from __future__ import annotations

import difflib
import json
from functools import cache
from pathlib import Path
from typing import Any

REGIONS_FILE = Path(__file__).resolve().parent / "plan" / "contract" / "data" / "regions.json"


@cache
def region_list() -> dict[str, Any]:
    return json.loads(REGIONS_FILE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def unknown_region(value: str) -> str | None:
    """Why ``value`` is not a known region (with the nearest one), or None when it is one."""
    data = region_list()
    if value in data["regions"]:
        return None
    near = difflib.get_close_matches(value, data["regions"], n=1)
    hint = f"; did you mean {near[0]}?" if near else ""
    return f"{value!r} is not an Alibaba Cloud region{hint} (regions from {data['regionsSource']})"
