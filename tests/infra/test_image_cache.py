"""Fast pod starts: the ECI image cache holds every image a workflow pod pulls (issue #21).

Coverage is measured from what the plan deploys, not from the code that builds the cache: the images
of the planned WorkflowTemplate and CronWorkflow objects (every container role Argo runs) and the
executor as the planned Helm release and the pinned chart name it (``executor.image``)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from askflow import yamlio
from askflow.errors import AskflowError
from askflow.library import load_library, select
from askflow.lint.platform import pod_containers, walk_templates
from askflow.plan import Plan, plan_stack
from askflow.settings import Templates
from tests.conftest import ROOT
from tests.plan.harness import record

CACHE = "alicloud:eci/imageCache:ImageCache"
RELEASE = "kubernetes:helm.sh/v3:Release"
CHART_VALUES = ROOT.parent / "shared" / "argo-helm" / "argo-workflows-1.0.18" / "values.yaml"
STACKS = sorted(p.name.split(".")[1] for p in (ROOT / "environments").glob("Pulumi.*.yaml"))


@cache
def _plan(stack: str) -> Plan:
    return plan_stack(stack, ROOT)


def _caching_stacks() -> list[str]:
    return [s for s in STACKS if (yamlio.load_file(ROOT / "environments" / f"Pulumi.{s}.yaml")["config"]
                                  ["askflow:platform"].get("templates", {}).get("enable_image_cache"))]


def _pulled_images(plan: Plan) -> set[str]:
    """Every image the planned objects make a workflow pod pull."""
    images: set[str] = set()
    for typ, spec_of in (("WorkflowTemplate", lambda s: s), ("CronWorkflow", lambda s: s.get("workflowSpec", {}))):
        for r in plan.of_type(f"kubernetes:argoproj.io/v1alpha1:{typ}"):
            spec = spec_of(r.inputs["spec"])
            for tmpl, path in [*walk_templates(spec), (spec.get("templateDefaults"), "spec.templateDefaults")]:
                if isinstance(tmpl, dict):
                    images.update(c["image"] for _, c, _ in pod_containers(tmpl, path) if "image" in c)
    (release,) = plan.of_type(RELEASE)
    values = release.inputs["values"]
    repository = values.get("executor", {}).get("image", {}).get("repository")
    if repository is None:  # the chart's default
        if not CHART_VALUES.exists():
            pytest.skip(f"{CHART_VALUES} is absent (the chart's executor repository)")
        repository = yamlio.load_file(CHART_VALUES)["executor"]["image"]["repository"]
    executor = values["executor"]["image"]
    images.add(f"{executor['registry']}/{repository}:{executor.get('tag') or values['images']['tag']}")
    return images


def test_some_stack_enables_the_cache() -> None:
    assert "prod" in _caching_stacks()


@pytest.mark.parametrize("stack", _caching_stacks())
def test_the_image_cache_covers_every_image_a_workflow_pod_pulls(stack: str) -> None:
    plan = _plan(stack)
    (cache_resource,) = plan.of_type(CACHE)
    cached = set(cache_resource.inputs["images"])
    pulled = _pulled_images(plan)
    assert any(i.startswith("quay.io/argoproj/argoexec:v4.") for i in pulled)
    assert len(pulled) > 1
    covered = len(pulled & cached) / len(pulled)
    assert covered == 1.0, sorted(pulled - cached)
    assert cached == pulled  # and nothing no pod pulls
    assert not [w for w in plan.warnings if "image cache" in w]


def test_the_executor_image_follows_the_argo_settings() -> None:
    from components.argo import EXECUTOR_REPOSITORY, executor_image  # type: ignore[import-not-found]

    from askflow.settings import Argo

    fields = {k: v.get_default(call_default_factory=True) for k, v in Argo.model_fields.items() if not v.is_required()}
    if CHART_VALUES.exists():
        assert yamlio.load_file(CHART_VALUES)["executor"]["image"]["repository"] == EXECUTOR_REPOSITORY
    argo = Argo.model_construct(**{**fields, "image_registry": "registry-vpc.cn-hangzhou.aliyuncs.com/mirror/",
                                   "image_tag": "v4.0.7"})
    assert executor_image(argo) == "registry-vpc.cn-hangzhou.aliyuncs.com/mirror/argoproj/argoexec:v4.0.7"
    digest = "sha256:" + "a" * 64
    pinned = argo.model_copy(update={"image_digests": argo.image_digests.model_copy(update={"executor": digest})})
    assert executor_image(pinned) == f"registry-vpc.cn-hangzhou.aliyuncs.com/mirror/argoproj/argoexec:v4.0.7@{digest}"


def test_cron_inline_images_and_the_executor_are_counted() -> None:
    from components.templates import cache_coverage, workflow_pod_images  # type: ignore[import-not-found]

    selection = select(load_library(ROOT / "workflows"), ["etl-v3"], ["nightly-etl"])
    images = workflow_pod_images(selection, "quay.io/argoproj/argoexec:v4.0.6")
    assert set(images) == {*selection.images, "quay.io/argoproj/argoexec:v4.0.6"}
    assert workflow_pod_images(selection, None) == selection.images
    cached, uncovered = cache_coverage(("alpine:3.20", "{{inputs.parameters.image}}"))
    assert (cached, uncovered) == (("alpine:3.20",), ("{{inputs.parameters.image}}",))
    with pytest.raises(AskflowError, match="not pinned"):
        cache_coverage(("alpine:latest",))


def _runtime_image_library(tmp_path: Path) -> Path:
    root = tmp_path / "workflows"
    (root / "pick").mkdir(parents=True)
    source = (ROOT / "workflows" / "hello-world" / "v1.yaml").read_text()
    source = source.replace("name: hello-world", "name: pick", 1).replace(
        "image: alpine:3.20", 'image: "alpine:{{inputs.parameters.message}}"')
    (root / "pick" / "v1.yaml").write_text(source)
    return root


def test_an_image_known_only_at_run_time_is_a_plan_warning(tmp_path: Path) -> None:
    import pulumi_kubernetes as k8s
    from components.templates import TemplatesArgs, TemplatesComponent  # type: ignore[import-not-found]

    root = _runtime_image_library(tmp_path)

    def program() -> None:
        provider = k8s.Provider("k", kubeconfig="{}")
        release = k8s.core.v1.Namespace("argo", opts=__import__("pulumi").ResourceOptions(provider=provider))
        TemplatesComponent("t", TemplatesArgs(
            settings=Templates(deploy="all", crons="all", enable_image_cache=True), library_root=root,
            namespaces=("data-eng",), provider=provider, release=release, require_released=False,
            executor_image="quay.io/argoproj/argoexec:v4.0.6", image_cache_vswitch_id="vsw-1",
            image_cache_security_group_id="sg-1"))

    plan = record(program)
    (cache_resource,) = plan.of_type(CACHE)
    assert cache_resource.inputs["images"] == ["quay.io/argoproj/argoexec:v4.0.6"]
    assert any("alpine:{{inputs.parameters.message}} is not in the ECI image cache" in w for w in plan.warnings)
