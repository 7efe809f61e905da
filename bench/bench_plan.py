"""Plan overhead: `askflow plan` of the prod stack with N template versions versus bare SDK mocks.

For N in 10, 100 and 400 it generates a library of N versions in a copy of the project, plans
prod with `templates.deploy: all`, and, in the same run, registers the same resources (same types,
names, inputs, parents, providers and dependencies, components included) under the SDK's own
``MockMonitor`` with trivial mocks: the cost of Pulumi alone. The ratio is what askflow adds
(reading and validating the stack, loading and linting the library, the program's own code and
Outputs, recording every registration, realistic mock outputs).

Both sides are measured alike:
- each resource is built through the class a program uses (``alicloud.oss.Bucket``,
  ``k8s.core.v1.Namespace``, ``k8s.apiextensions.CustomResource`` for objects of CRDs), found
  through the provider SDKs' own type registry; a bare ``pulumi.CustomResource`` would skip work
  the SDK does for every real resource (typed-argument translation, the source position);
- the same collector regime (:func:`askflow.collector.batch_collector`), after a collection
  that is not timed, so that neither side pays for the other's garbage;
- pairs run back to back in alternating order; the figure is the median of the pairs' ratios.

For reference only, each pair is followed by a "raw registration floor": the same resources as bare
``pulumi.CustomResource`` objects with every dependency as ``depends_on`` (this benchmark's baseline
before 2026-11-28), printed as ``ratio_to_raw_registration``.

Figures are printed, never asserted (tests/bench checks only that the baseline registers exactly
what the plan does).
"""

from __future__ import annotations

import contextlib
import gc
import io
import json
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pulumi_alicloud  # noqa: F401 (registers its resource modules)
import pulumi_kubernetes as k8s
import pulumi_random  # noqa: F401
from pulumi.runtime.mocks import MockMonitor

from askflow import yamlio
from askflow.cli import main as cli_main
from askflow.collector import batch_collector
from askflow.library import forget_parsed
from askflow.plan import Plan, plan_stack
from askflow.plan.mocks import Registration

ROOT = Path(__file__).resolve().parent.parent
SIZES = (10, 100, 400)


def _template(name: str, n: int) -> dict[str, Any]:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "WorkflowTemplate",
        "metadata": {"name": name},
        "spec": {
            "entrypoint": "main",
            "serviceAccountName": "argo-workflow",
            "activeDeadlineSeconds": 600,
            "templates": [{
                "name": "main",
                "retryStrategy": {"limit": 2},
                "container": {
                    "image": "alpine:3.20",
                    "command": ["echo", f"v{n}"],
                    "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}},
                },
            }],
        },
    }


def _project(versions: int) -> Path:
    tmp = Path(tempfile.mkdtemp(prefix="askflow-bench-"))
    for name in ("Pulumi.yaml", "infra", "environments"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, tmp / name)  # type: ignore[operator]
    lib = tmp / "workflows"
    for i in range(versions):
        name = f"job-{i // 4:03d}"
        (lib / name).mkdir(parents=True, exist_ok=True)
        (lib / name / f"v{i % 4 + 1}.yaml").write_text(yamlio.dumps(_template(name, i % 4 + 1)))
    # Released, as a prod stack requires (drafts deploy only in dev).
    from askflow.library import load_library
    from askflow.library.authoring import lock_library

    lock_library(load_library(lib))
    prod = yamlio.load_file(tmp / "environments" / "Pulumi.prod.yaml")
    prod["config"]["askflow:platform"]["templates"] = {"deploy": "all", "crons": "all", "namespaces": ["data-eng"]}
    (tmp / "environments" / "Pulumi.prod.yaml").write_text(yamlio.dumps(prod))
    return tmp


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


def _baseline(plan: Plan, *, raw: bool = False) -> float:
    """Register the plan's resources under bare mocks: same types, names, inputs, parents, dependencies.

    ``raw``: the reference floor instead (bare ``pulumi.CustomResource``, every dependency given as
    ``depends_on``), which skips work the SDK does for the resources of any real program.
    """
    import asyncio
    import contextvars

    from pulumi.runtime.stack import run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await

    by_urn = plan.by_urn()
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


def _out_base() -> Path:
    """Where the timed command writes its manifests: tmpfs when there is one.

    On this VM, creating the ~420 files of a 400-version plan on the ext4 disk takes 0.1-0.35 s and
    varies with the kernel's writeback, against 0.01 s on tmpfs: the disk, not askflow.
    """
    shm = Path("/dev/shm")
    return Path(tempfile.mkdtemp(prefix="askflow-bench-out-", dir=shm if shm.is_dir() else None))


def _timed_command(project: Path, out: Path) -> float:
    """``askflow plan --stack prod --quiet --out OUT`` in this interpreter, as a fresh process runs it
    after its imports: the library and lock parsed again (askflow keeps them by content within a
    process), the policy rules, plan.md, and every manifest and Helm values file written."""
    forget_parsed()
    argv = ["plan", "--stack", "prod", "--project", str(project), "--out", str(out), "--quiet"]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()) as err:
        start = time.perf_counter()
        code = cli_main(argv)
        elapsed = time.perf_counter() - start
    if code != 0:
        raise SystemExit(f"bench: askflow plan exited {code}: {err.getvalue().strip()}")
    return elapsed


def _timed_planning(project: Path) -> float:
    """Only the planning part of the command (``plan_stack``: stack, library, program, recording)."""
    forget_parsed()
    start = time.perf_counter()
    plan_stack("prod", project)
    return time.perf_counter() - start


def run(repeat: int = 21) -> dict[str, Any]:
    """Each size: ``repeat`` pairs (askflow, baseline) run back to back, the order alternating.

    The figure is the median of the pairs' ratios, with their range: a pair shares the state of the
    machine, so a slow moment affects both sides of it (this VM's timings drift by +-30%). With 11
    pairs the median of the 400-version ratio moved by +-0.04 between runs; 21 halve that.
    """
    results: dict[str, Any] = {}
    out_base = _out_base()
    for n in SIZES:
        project = _project(n)
        out = out_base / f"{n}"
        try:
            ours, base, planning, floor = [], [], [], []
            plan = plan_stack("prod", project)  # warm-up of every side (imports, caches), not counted
            _timed_command(project, out)
            _baseline(plan)
            _baseline(plan, raw=True)
            for i in range(repeat):
                gc.collect()  # neither side pays for the other's garbage
                if i % 2:
                    b = _baseline(plan)
                    gc.collect()
                    o = _timed_command(project, out)
                else:
                    o = _timed_command(project, out)
                    gc.collect()
                    b = _baseline(plan)
                ours.append(o)
                base.append(b)
                gc.collect()
                planning.append(_timed_planning(project))
                gc.collect()
                floor.append(_baseline(plan, raw=True))
            ratios = sorted(o / b for o, b in zip(ours, base, strict=True))
            planning_ratio = statistics.median(p / b for p, b in zip(planning, base, strict=True))
            to_floor = statistics.median(o / f for o, f in zip(ours, floor, strict=True))
            results[f"{n} versions"] = {
                "resources": len([r for r in plan.resources if r.custom]),
                "askflow_plan_s": round(statistics.median(ours), 3),
                "bare_mocks_s": round(statistics.median(base), 3),
                "overhead_ratio": round(statistics.median(ratios), 2),
                "overhead_ratio_range": [round(ratios[0], 2), round(ratios[-1], 2)],
                "pairs": repeat,
                # Where the time goes: the planning alone (no policy rules, plan.md or files).
                "planning_only_s": round(statistics.median(planning), 3),
                "planning_only_ratio": round(planning_ratio, 2),
                # For reference, not the target's baseline: bare CustomResources (see _baseline).
                "raw_registration_s": round(statistics.median(floor), 3),
                "ratio_to_raw_registration": round(to_floor, 2),
            }
            print(
                f"plan, {n:4d} versions: askflow plan {statistics.median(ours):.3f}s, bare SDK mocks "
                f"{statistics.median(base):.3f}s, ratio {statistics.median(ratios):.2f}x "
                f"(pairs {ratios[0]:.2f}-{ratios[-1]:.2f}x); planning alone {planning_ratio:.2f}x; "
                f"raw registration floor {statistics.median(floor):.3f}s ({to_floor:.2f}x)",
                flush=True,
            )
        finally:
            shutil.rmtree(project, ignore_errors=True)
    shutil.rmtree(out_base, ignore_errors=True)
    growth = results["400 versions"]["askflow_plan_s"] / results["100 versions"]["askflow_plan_s"]
    results["growth_400_over_100"] = round(growth, 2)
    print(f"plan growth 400/100 versions: {growth:.2f}x (target <= 4.4x); overhead target <= 1.3x", flush=True)
    return results


if __name__ == "__main__":
    run()
