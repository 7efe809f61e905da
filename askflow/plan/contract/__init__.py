"""The providers' contract: what pulumi-alicloud, pulumi-kubernetes and pulumi-random accept.

``data/contract.json`` is generated (:mod:`.generate`) from the pinned provider SDKs and the
Terraform providers' Go source; ``data/regions.json`` from the provider's region list.
:mod:`.facts` holds the few facts that cannot be generated, each with its source line.
:mod:`.check` holds a plan's resources to the contract; :mod:`askflow.plan.changes` uses its
ForceNew facts to tell an update from a replacement.

askflow's own dynamic resources (``pulumi.dynamic.Resource`` subclasses, type
``pulumi-python:dynamic/<module>:<Name>``) have no provider schema to generate from: each declares
its inputs in the same form next to its provider (:func:`dynamic_resources`), and is checked alike.

Nothing here imports pulumi: the settings use the region list.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
CONTRACT_FILE = DATA / "contract.json"
REGIONS_FILE = DATA / "regions.json"
REGENERATE = "python -m askflow.plan.contract.generate (see askflow/plan/contract/generate.py)"


@cache
def contract() -> dict[str, Any]:
    """The generated contract data (read once per process)."""
    return json.loads(CONTRACT_FILE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


#: The type prefix of every Python dynamic resource (pulumi ``dynamic/dynamic.py``).
DYNAMIC_PREFIX = "pulumi-python:dynamic"


@cache
def dynamic_resources() -> dict[str, Any]:
    """askflow's dynamic resource types and their inputs, in the form of ``contract()["resources"]``."""
    from askflow.ackone import features

    return {features.FEATURES_TYPE: features.CONTRACT}


def resource_spec(typ: str) -> dict[str, Any] | None:
    """A resource type's contract entry: the providers' (generated) or askflow's dynamic ones."""
    spec = contract()["resources"].get(typ)
    return spec if spec is not None else dynamic_resources().get(typ)


@cache
def regions() -> dict[str, Any]:
    return json.loads(REGIONS_FILE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
