"""The plan benchmark's baseline registers what the plan registers: same types, names, parents.

The benchmark's figure is only a ratio if both sides do the same registrations; a resource type the
baseline cannot build (a new provider class, say) would silently shrink it, so this runs the
baseline of every stack under a counting monitor. Timing is not checked here (`make bench`).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from pulumi.runtime.mocks import MockMonitor

from askflow.plan import plan_stack
from askflow.plan.mocks import _plain_struct
from bench import baseline as bench_baseline
from tests.conftest import ROOT


def _name(urn: str) -> str:
    """A parent's name; the root stack's (``pulumi:pulumi:Stack``) is left out, as the plan does."""
    return "" if not urn or urn.split("::")[2] == "pulumi:pulumi:Stack" else urn.rsplit("::", 1)[-1]


def _names(urns: Any) -> tuple[str, ...]:
    return tuple(sorted(_name(u) for u in urns))


class _Counting(MockMonitor):
    """Keeps what identifies each request: type, name, parent, dependencies, property dependencies."""

    seen: Counter[tuple[Any, ...]] = Counter()
    inputs: dict[tuple[str, str], Any] = {}

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802
        if request.type != "pulumi:pulumi:Stack":
            prop_deps = tuple(sorted((k, _names(v.urns)) for k, v in request.propertyDependencies.items() if v.urns))
            key = (request.type, request.name, _name(request.parent), _names(set(request.dependencies)), prop_deps)
            _Counting.seen[key] += 1
            if request.custom:
                _Counting.inputs[(request.type, request.name)] = _plain_struct(request.object)
        return super().RegisterResource(request)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_baseline_registers_the_same_resources_through_sdk_classes(stack: str, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = plan_stack(stack, ROOT)
    _Counting.seen = Counter()
    _Counting.inputs = {}
    monkeypatch.setattr(bench_baseline, "MockMonitor", _Counting)
    bench_baseline.baseline(plan.resources)
    assert _Counting.inputs == {(r.type, r.name): r.inputs for r in plan.resources if r.custom}
    assert _Counting.seen == Counter(
        (
            r.type,
            r.name,
            _name(r.parent),
            _names(r.dependencies),
            tuple(sorted((k, _names(v)) for k, v in r.property_dependencies.items())),
        )
        for r in plan.resources
    )


def test_every_cloud_type_is_built_through_its_provider_class() -> None:
    plan = plan_stack("prod", ROOT)
    for r in plan.resources:
        group = r.type.split(":")[1].split("/")[0]
        crd_object = r.type.startswith("kubernetes:") and "." in group and not group.endswith((".k8s.io", "helm.sh"))
        if r.custom and not crd_object:  # objects of CustomResourceDefinitions have no class of their own
            found = bench_baseline._sdk_class(r.type)
            assert found is not None, r.type
            assert found[0].__module__.startswith(("pulumi_alicloud", "pulumi_kubernetes", "pulumi_random")), r.type


def test_baseline_runs_as_its_own_program_from_the_resources_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The end-to-end figure runs `python -m bench.baseline FILE` in a fresh process."""
    plan = plan_stack("dev", ROOT)
    resources = tmp_path / "resources.json"
    bench_baseline.dump_resources(plan.resources, resources)
    _Counting.seen = Counter()
    _Counting.inputs = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(bench_baseline, "MockMonitor", _Counting)
        assert bench_baseline.main([str(resources)]) == 0
    assert float(capsys.readouterr().out) > 0
    assert sum(_Counting.seen.values()) == len(plan.resources)
