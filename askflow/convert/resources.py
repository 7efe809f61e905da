"""CPU/memory quantities, ECI instance specs and instance-type sizes.

ECI sizes a pod from its containers' requests or from the pod annotation
``k8s.aliyun.com/eci-use-specs`` (``<vCPU>-<mem>Gi`` or an ECS instance type; ``../shared/
PLATFORM-FACTS.md``, "ECI pod annotations"). Every converted container gets explicit requests
(strict lint requires them); when the source gives none, ECI's own default size is written.
"""

from __future__ import annotations

import math
import re

#: ECI's size for a pod that requests nothing (2 vCPU, 4 GiB), written explicitly when the source is silent.
DEFAULT_CPU = "2"
DEFAULT_MEMORY = "4Gi"

ANNOTATION_SPECS = "k8s.aliyun.com/eci-use-specs"
ANNOTATION_SPOT_STRATEGY = "k8s.aliyun.com/eci-spot-strategy"
ANNOTATION_SPOT_PRICE = "k8s.aliyun.com/eci-spot-price-limit"
ANNOTATION_EXTRA_STORAGE = "k8s.aliyun.com/eci-extra-ephemeral-storage"
ANNOTATION_EIP = "k8s.aliyun.com/eci-with-eip"
#: ECI GPU instance type a 1-GPU job defaults to (1 NVIDIA T4, the smallest gn6i; FORMATS.md 5 ECI annotations).
DEFAULT_GPU_SPEC = "ecs.gn6i-c4g1.xlarge"
#: ECI gives every pod this much temporary storage for free.
FREE_EPHEMERAL_GIB = 30

# vCPU steps and vCPU:GiB ratios of ECI general-purpose shapes [inf from the ECI spec list]; used only
# to round a cpu/memory pair up to a shape ECI offers.
_CPU_STEPS = (0.25, 0.5, 1, 2, 4, 8, 12, 16, 24, 32, 52, 64)
_RATIOS_SMALL = (2, 4, 8)
_RATIOS = (1, 2, 4, 8)

#: Old or BatchCompute-only instance types ECI does not offer: (vCPU, GiB).
LEGACY_TYPES: dict[str, tuple[float, float]] = {
    "ecs.t1.small": (1, 1),
    "ecs.sn1.medium": (2, 4),
    "ecs.sn1.large": (4, 8),
    "ecs.sn1.xlarge": (8, 16),
    "ecs.sn2.medium": (2, 8),
    "ecs.sn2.large": (4, 16),
    "ecs.sn2.xlarge": (8, 32),
    "bcs.a2.large": (4, 8),
}
_LEGACY_FAMILY = re.compile(r"^(bcs\.|ecs\.(t1|s1|s2|s3|m1|m2|c1|c2|n1|n2|n4|e3|sn1|sn2|sn1ne|sn2ne)\.)")
# Current families with a fixed vCPU:GiB ratio: ecs.c6.large = 2 vCPU / 4 GiB, g = 1:4, r = 1:8.
_MODERN = re.compile(r"^ecs\.(?P<family>[cgr])(?P<gen>[5-9])[a-z]*\.(?P<size>large|xlarge|(?P<n>[0-9]+)xlarge)$")
_FAMILY_RATIO = {"c": 2, "g": 4, "r": 8}


def cpu_quantity(vcpus: float) -> str:
    """``2`` -> ``"2"``, ``0.25`` -> ``"250m"``."""
    if vcpus == int(vcpus):
        return str(int(vcpus))
    return f"{round(vcpus * 1000)}m"


def mib_quantity(mib: float) -> str:
    return f"{math.ceil(mib)}Mi"


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def eci_spec(vcpus: float, mib: float) -> tuple[str, bool]:
    """The smallest ECI shape ``<vCPU>-<GiB>Gi`` that fits; and whether it differs from the request."""
    gib = mib / 1024
    for cpu in _CPU_STEPS:
        if cpu < vcpus:
            continue
        for ratio in _RATIOS_SMALL if cpu < 2 else _RATIOS:
            mem = cpu * ratio
            if mem >= gib:
                return f"{_fmt(cpu)}-{_fmt(mem)}Gi", not (cpu == vcpus and math.isclose(mem, gib))
    return f"{_fmt(max(vcpus, 64))}-{_fmt(math.ceil(gib))}Gi", True


def instance_type_size(instance_type: str) -> tuple[float, float] | None:
    """(vCPU, GiB) of an instance type askflow knows, else None."""
    if instance_type in LEGACY_TYPES:
        return LEGACY_TYPES[instance_type]
    m = _MODERN.match(instance_type)
    if not m:
        return None
    size = m.group("size")
    cpu = 2 if size == "large" else 4 if size == "xlarge" else 4 * int(m.group("n"))
    return float(cpu), float(cpu * _FAMILY_RATIO[m.group("family")])


def is_legacy_type(instance_type: str) -> bool:
    return bool(_LEGACY_FAMILY.match(instance_type))


_CPU_UNITS = {"m": 0.001, "": 1.0, "k": 1e3, "M": 1e6, "G": 1e9}
_MEMORY_UNITS = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12,
                 "m": 1e-3, "": 1.0}
_QUANTITY = re.compile(r"^([0-9.]+(?:[eE][-+]?[0-9]+)?)([A-Za-z]*)$")


def parse_quantity(value: object, memory: bool) -> float | None:
    """A cpu quantity in cores or a memory quantity in bytes; None when it is not a plain quantity."""
    m = _QUANTITY.match(str(value).strip())
    units = _MEMORY_UNITS if memory else _CPU_UNITS
    if not m or m.group(2) not in units:
        return None
    try:
        return float(m.group(1)) * units[m.group(2)]
    except ValueError:
        return None


def memory_gib_quantity(gib: float) -> str:
    return f"{_fmt(gib)}Gi" if gib == int(gib) else mib_quantity(gib * 1024)
