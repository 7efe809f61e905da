"""The plan benchmark's baseline: a plan's resources registered under bare Pulumi SDK mocks.

Used in-process by :mod:`bench.bench_plan`, and as its own program for the end-to-end figure::

    python -m bench.baseline RESOURCES.json   # prints the seconds the registration took

It imports only the Pulumi SDK, the provider SDKs and askflow's ``Registration`` record, so a
fresh process of it pays the same provider imports as a fresh ``askflow plan`` and no more.
"""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pulumi_alicloud  # noqa: F401 (registers its resource modules)
import pulumi_kubernetes as k8s
import pulumi_random  # noqa: F401
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from askflow.collector import batch_collector
from askflow.plan.mocks import Registration


def _sdk_class(typ: str) -> tuple[Any, dict[str, str]] | None:
    """The provider SDK's class for a type token, and its engine-name -> Python-name map.

    Found the way the SDK itself rehydrates resources: through the modules and packages each
    provider SDK registers on import (``pulumi.runtime.rpc._RESOURCE_MODULES``/``_PACKAGES``).
    """
    import importlib

    from pulumi import _types
    from pulumi.runtime import rpc

    pkg, mod, _ = typ.split(":")
    if pkg == "pulumi" and mod == "providers":
        infos = [p.pkg_info for p in rpc._RESOURCE_PACKAGES.get(typ.split(":")[-1], []) if hasattr(p, "pkg_info")]
        found = [(i["fqn"], i["class"]) for i in infos if i.get("token") == typ]
    else:
        infos = [m.mod_info for m in rpc._RESOURCE_MODULES.get(f"{pkg}:{mod}", []) if hasattr(m, "mod_info")]
        found = [(i["fqn"], i["classes"][typ]) for i in infos if typ in i.get("classes", {})]
    if not found:
        return None
    module = importlib.import_module(found[0][0])
    cls = getattr(module, found[0][1])
    # From the class's own file, named `<Class>InitArgs` where the package also has an input type
    # `<Class>Args` (ConfigMap, KubernetesAddon), `<Class>Args` otherwise.
    own = importlib.import_module(cls.__module__)
    args_cls = getattr(own, f"{found[0][1]}InitArgs", None) or getattr(own, f"{found[0][1]}Args", None)
    names = _types.input_type_py_to_pulumi_names(args_cls) if args_cls is not None else {}
    return cls, {engine: py for py, engine in names.items()}


Made = dict[str, pulumi.Resource]


def _builder(r: Registration) -> Callable[[pulumi.ResourceOptions, Made], pulumi.Resource]:
    """How the baseline builds ``r``: the same SDK class a program uses, with the recorded inputs.

    An input the plan received from other resources (a property dependency, such as a vSwitch's
    ``vpcId``) is given as an Output of those resources, as in a program, so the request carries
    the same property dependencies. Resolved before the clock starts; every recorded input must
    map to an argument of the class, so the baseline never registers less than the plan did.
    """

    recorded = dict(r.inputs)
    if r.type.startswith("pulumi:providers:"):
        # The engine receives a provider's non-string inputs JSON-encoded ("true"); give the values.
        for key, value in recorded.items():
            try:
                recorded[key] = json.loads(value) if isinstance(value, str) else value
            except ValueError:
                pass

    def inputs(made: Made) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in recorded.items():
            deps = [made[urn] for urn in r.property_dependencies.get(key, ()) if urn in made]
            out[key] = pulumi.Output.all(*[d.urn for d in deps]).apply(lambda _, v=value: v) if deps else value
        return out

    if r.type.startswith("kubernetes:") and _sdk_class(r.type) is None:
        # An object of a CustomResourceDefinition (WorkflowTemplate, CronWorkflow, AliyunLogConfig).
        def crd_object(opts: pulumi.ResourceOptions, made: Made) -> pulumi.Resource:
            given = inputs(made)
            return k8s.apiextensions.CustomResource(
                r.name, api_version=given["apiVersion"], kind=given["kind"],
                metadata=given.get("metadata"), spec=given.get("spec"), opts=opts,
            )

        return crd_object
    found = _sdk_class(r.type)
    if found is None:
        raise SystemExit(f"bench: no SDK class for {r.type}; the baseline must register every type the plan has")
    cls, names = found
    unmapped = sorted(set(r.inputs) - set(names))
    if unmapped:
        raise SystemExit(f"bench: {r.type} inputs {unmapped} have no argument in {cls.__name__}")

    def typed(opts: pulumi.ResourceOptions, made: Made) -> pulumi.Resource:
        return cls(r.name, opts=opts, **{names[key]: value for key, value in inputs(made).items()})  # type: ignore[no-any-return]

    return typed


class _Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list]:
        return {}, []


def _raw_builder(r: Registration) -> Callable[[pulumi.ResourceOptions, Made], pulumi.Resource]:
    """The reference floor: a bare ``pulumi.CustomResource`` with the recorded inputs as they are."""
    if r.type.startswith("pulumi:providers:"):
        return lambda opts, made: pulumi.ProviderResource(r.type.split(":")[-1], r.name, dict(r.inputs), opts)
    return lambda opts, made: pulumi.CustomResource(r.type, r.name, dict(r.inputs), opts)


def baseline(resources: list[Registration], *, raw: bool = False) -> float:
    """Register the plan's resources under bare mocks: same types, names, inputs, parents, dependencies.

    ``raw``: the reference floor instead (bare ``pulumi.CustomResource``, every dependency given as
    ``depends_on``), which skips work the SDK does for the resources of any real program.
    """
    by_urn = {r.urn: r for r in resources}
    order: list[str] = []
    seen: set[str] = set()

    def visit(urn: str) -> None:  # parents and dependencies first, as the program registers them
        if urn in seen or urn not in by_urn:
            return
        seen.add(urn)
        r = by_urn[urn]
        for before in (r.parent, *r.dependencies):
            visit(before)
        order.append(urn)

    for urn in sorted(by_urn):
        visit(urn)
    builders = {urn: (_raw_builder if raw else _builder)(by_urn[urn]) for urn in order if by_urn[urn].custom}

    def program() -> None:
        made: Made = {}
        for urn in order:
            r = by_urn[urn]
            provider = made.get(r.provider)
            opts = pulumi.ResourceOptions(
                parent=made.get(r.parent),
                provider=provider if isinstance(provider, pulumi.ProviderResource) else None,
                depends_on=[made[d] for d in (r.dependencies if raw else r.explicit_dependencies) if d in made],
            )
            if r.custom:
                made[urn] = builders[urn](opts, made)
            else:
                component = pulumi.ComponentResource(r.type, r.name, None, opts)
                component.register_outputs({})
                made[urn] = component

    def run() -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            mocks = _Mocks()
            pulumi.runtime.set_mocks(mocks, project="askflow", stack="prod", preview=False, monitor=MockMonitor(mocks))
            _sync_await(run_pulumi_func(program))
        finally:
            asyncio.set_event_loop(None)
            loop.close()

    # Timed like the askflow side: event loop, run, and freeing what the run made (the context holds
    # the SDK's state: resources, Outputs, the monitor).
    start = time.perf_counter()
    with batch_collector():  # the collector regime askflow uses, so neither side gains by it
        context = contextvars.Context()
        context.run(run)
        del context
    return time.perf_counter() - start


def dump_resources(resources: list[Registration], path: Path) -> None:
    path.write_text(json.dumps([dataclasses.asdict(r) for r in resources]))


def main(argv: list[str]) -> int:
    resources = [Registration(**r) for r in json.loads(Path(argv[0]).read_text())]
    print(f"{baseline(resources):.6f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
