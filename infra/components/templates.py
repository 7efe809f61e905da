"""The WorkflowTemplate versions (and CronWorkflows) a stack deploys, as managed resources.

Every version is its own immutable object, ``<name>-v<N>`` (:mod:`askflow.library`). Each is an
``apiextensions.CustomResource`` through the cluster provider, depending on the Argo release that
installs the CRDs (pulumi-kubernetes #3176) and on nothing else, so all versions deploy in
parallel; removing a version from a stack deletes only that object. With image caches on, one
``eci.ImageCache`` covers every image a workflow pod pulls (:func:`workflow_pod_images`): the
deployed templates' and CronWorkflows' containers, init containers and sidecars, and Argo's executor
(``argoexec``, the init and wait container of every pod). Images must be pinned; one known only when
the workflow runs (``{{...}}``) cannot be cached and is a plan warning.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_alicloud as alicloud
import pulumi_kubernetes as k8s

from askflow import cost_tags, logs
from askflow.errors import AskflowError
from askflow.library import Selection, check_lock, lint_library, load_library, select, unreleased
from askflow.library.loader import collect_images
from askflow.lint.platform import image_problem
from askflow.settings import Templates


@dataclass(frozen=True, kw_only=True)
class TemplatesArgs:
    settings: Templates
    """What the stack deploys."""
    library_root: Path
    """The template library (`workflows/`)."""
    namespaces: tuple[str, ...]
    """Tenant namespaces that get the library."""
    provider: k8s.Provider
    """The cluster's Kubernetes provider."""
    release: pulumi.Resource
    """The Argo release (installs the CRDs)."""
    require_released: bool = True
    """Deploy only versions recorded in versions.lock (drafts are for dev)."""
    image_cache_vswitch_id: pulumi.Input[str] | None = None
    """vSwitch for the image cache build (needs internet egress)."""
    image_cache_security_group_id: pulumi.Input[str] | None = None
    """Security group for the image cache build."""
    image_cache_depends_on: tuple[pulumi.Resource, ...] = ()
    """What the image cache build waits for: the vSwitch's internet egress (SNAT entries)."""
    name_prefix: str = ""
    """Prefix of the image cache name."""
    executor_image: str | None = None
    """Argo's executor image (``components.argo.executor_image``): the init and wait container of
    every workflow pod, so the image cache holds it with the templates' images."""
    eci_cost_tags: bool = False
    """Workflow pods are ECI instances: each WorkflowTemplate tags its pods with its own name
    (askflow.cost_tags)."""


def selection_for(settings: Templates, library_root: Path, *, require_released: bool = True) -> Selection:
    """Resolve the stack's choice, and refuse what must not be deployed.

    Refused: a released version whose content changed; a selected version or CronWorkflow with a
    strict lint error (deploys always lint strict); a draft (not in versions.lock) outside dev.
    """
    library = load_library(library_root)
    check_lock(library, library.lock_path)
    selection = select(library, settings.deploy, settings.crons)
    chosen = {str(v.source) for v in selection.versions} | {str(c.source) for c in selection.crons}
    errors = [f for f in lint_library(library_root, strict=True, library=library) if f.severity == "error" and f.file in chosen]
    if errors:
        first = errors[0]
        raise AskflowError(
            f"{first.message} [{first.rule}]; {len(errors)} strict lint error(s) in deployed templates: "
            "run askflow lint --strict workflows",
            file=first.file,
            path=first.path or None,
        )
    if require_released:
        drafts = [n for n in unreleased(library, library.lock_path) if n in {v.deployed_name for v in selection.versions}]
        if drafts:
            raise AskflowError(
                f"{drafts[0]} is a draft (not in versions.lock); release it with `askflow workflows lock` "
                "after review, or deploy it only in dev",
                path="templates.deploy",
            )
    return selection


def pinned_images(images: tuple[str, ...]) -> tuple[str, ...]:
    """Images an ECI image cache can hold: pinned by tag or digest (lint's rule), and known now."""
    for image in images:
        problem = image_problem(image) if image and "{{" not in image else (
            f"image {image!r} is only known when the workflow runs"
        )
        if problem:
            raise AskflowError(
                f"{problem}; image caches need pinned images (this image is not pinned)",
                path="templates.enable_image_cache",
            )
    return images


def workflow_pod_images(selection: Selection, executor_image: str | None) -> tuple[str, ...]:
    """Every image a workflow pod of the stack pulls, sorted and unique: the selected versions'
    containers, scripts, container sets, init containers and sidecars, those of inline templates in
    the CronWorkflows' ``workflowSpec``, and Argo's executor (init and wait containers)."""
    images = set(selection.images)
    for cron in selection.crons:
        spec = cron.document.get("spec", {}).get("workflowSpec")
        if isinstance(spec, dict):
            images.update(collect_images(spec))
    if executor_image:
        images.add(executor_image)
    return tuple(sorted(images))


def cache_coverage(images: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(what the image cache holds, what it cannot cover): an image known only when the workflow
    runs (an Argo ``{{...}}`` expression) has no fixed name to pull; every other must be pinned."""
    uncovered = tuple(i for i in images if "{{" in i)
    return pinned_images(tuple(i for i in images if i not in uncovered)), uncovered


def library_objects(name: str, namespaces: tuple[str, ...], selection: Selection) -> list[tuple[str, dict]]:
    """(Pulumi resource name, manifest) of every object the stack deploys, in a stable order.

    Resource names are ``<name>-<namespace>-<deployed name>`` (``cron-<name>`` for CronWorkflows),
    kept as they are so existing stacks keep their URNs. Both parts may hold '-', so two different
    objects can get one name (namespace ``data`` with template ``eng-etl`` and namespace ``data-eng``
    with ``etl`` both give ``...-data-eng-etl-v1``): Pulumi would refuse the duplicate URN halfway
    through ``pulumi up``; the offline plan refuses it now, naming both."""
    out: list[tuple[str, dict]] = []
    seen: dict[tuple[str, str], str] = {}
    for ns in namespaces:
        objects = [(v.deployed_name, v.render(namespace=ns)) for v in selection.versions]
        objects += [(f"cron-{c.name}", c.render(namespace=ns)) for c in selection.crons]
        for object_name, manifest in objects:
            resource_name = f"{name}-{ns}-{object_name}"
            what = f"{manifest['kind']} {ns}/{manifest['metadata']['name']}"
            other = seen.setdefault((manifest["kind"], resource_name), what)
            if other != what:
                raise AskflowError(
                    f"{what} and {other} would both be the Pulumi resource {resource_name}; "
                    "rename a template or a tenant namespace",
                    path="templates.deploy",
                )
            out.append((resource_name, manifest))
    return out


class TemplatesComponent(pulumi.ComponentResource):
    """WorkflowTemplate and CronWorkflow objects, and the image cache (``askflow:templates:Library``)."""

    deployed_names: pulumi.Output[list[str]]
    first_names: list[str]

    def __init__(self, name: str, args: TemplatesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("askflow:templates:Library", name, None, opts)
        selection = selection_for(args.settings, args.library_root, require_released=args.require_released)
        cr_opts = pulumi.ResourceOptions(parent=self, provider=args.provider, depends_on=[args.release])
        for resource_name, manifest in library_objects(name, args.namespaces, selection):
            if manifest["kind"] == "WorkflowTemplate":
                # Its pods say which version they run: in their logs (askflow.logs) and, on ECI, on the bill.
                manifest = logs.template_labels(manifest, manifest["metadata"]["name"])
                if args.eci_cost_tags:
                    manifest = cost_tags.template_tags(manifest, manifest["metadata"]["name"])
            k8s.apiextensions.CustomResource(
                resource_name,
                api_version=manifest["apiVersion"],
                kind=manifest["kind"],
                metadata=manifest["metadata"],
                spec=manifest["spec"],
                opts=cr_opts,
            )
        images: tuple[str, ...] = ()
        if args.settings.enable_image_cache:
            images, uncovered = cache_coverage(workflow_pod_images(selection, args.executor_image))
            for image in uncovered:
                pulumi.log.warn(
                    f"templates.enable_image_cache: image {image} is not in the ECI image cache (only known when "
                    "the workflow runs): its pods pull it at every start; pin it in the template to cache it")
        if images:
            digest = hashlib.sha256("\n".join(images).encode()).hexdigest()[:8]
            alicloud.eci.ImageCache(
                f"{name}-image-cache",
                # The name follows the image set, so a new set builds a new cache before the old goes.
                image_cache_name=f"{args.name_prefix or name}-{digest}",
                images=list(images),
                image_cache_size=args.settings.image_cache_size_gib,
                vswitch_id=args.image_cache_vswitch_id,
                security_group_id=args.image_cache_security_group_id,
                # ECI pulls the images through the vSwitch's SNAT entry: without this the cache
                # build starts with the network (nothing else orders it) and fails to pull.
                opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.image_cache_depends_on)),
            )
        names = sorted(v.deployed_name for v in selection.versions)
        self.deployed_names = pulumi.Output.from_input(names)
        self.first_names = names[:1]
        self.register_outputs({"deployedNames": self.deployed_names})
