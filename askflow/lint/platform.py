"""Platform rules for askflow's serverless pods: warnings by default, errors with ``--strict``.

One template library serves every ``cluster.kind`` (askflow.substrate): workflow pods run on ECI
(``ack-pro-eci``, ``ask``, ``ask-legacy``) or as ACS pods (``acs``). Each rule below holds on both,
and its message says so rather than naming ECI: both size and bill a pod from its containers'
resources, and neither stops a stuck pod for you.


* ``default-service-account``: pods must run as a named service account (RRSA binds the RAM role
  to it), never the namespace's ``default``.
* ``resource-requests``: ECI and ACS size each pod from its containers' cpu and memory requests
  (ECI "Specify the number of vCPUs and memory size to create a pod"; ACS pod overview, resource
  specifications); without them a pod gets a default size.
* ``unpinned-image``: an image needs a tag or digest, not ``latest`` (reproducible runs, and the
  ECI image cache is keyed by reference).
* ``active-deadline``: a stuck workflow keeps its pods (ECI instances, ACS pods), and the bill, running; a deadline on the
  workflow (or on every pod template) bounds it.
* ``unbounded-retries``: a ``retryStrategy`` without ``limit`` retries forever.
* ``root-user``: the platform's workflow defaults make pods non-root (``runAsNonRoot: true``,
  ``argo.workflow_pods_non_root``). A workflow-level ``securityContext`` is merged with them, and a
  container inherits its pod's, so ``runAsUser: 0`` there needs ``runAsNonRoot: false`` beside it or
  the kubelet refuses the container. (A template's own pod ``securityContext`` replaces the default.)
* ``pod-security-baseline``: tenant namespaces enforce Pod Security ``baseline``, whose admission
  refuses privileged containers, host namespaces, ``hostPath`` volumes, host ports, added
  capabilities beyond its list, unsafe sysctls and unconfined profiles (:mod:`askflow.lint.podsecurity`).
* ``managed-engine-defaults`` (``--engine ack-one`` only): on an ACK One workflow cluster askflow
  cannot set the controller's ``workflowDefaults`` (askflow.substrate.ACK_ONE_DIFFERENCES), so a
  Workflow, WorkflowTemplate or CronWorkflow spec without its own ``ttlStrategy``, ``podGC`` or pod
  ``securityContext`` keeps finished workflows and pods until Alibaba's defaults remove them, and runs
  as the image's user.
* ``parameter-in-code``: Argo substitutes ``{{inputs.parameters.x}}`` and ``{{workflow.parameters.x}}``
  as text before the pod starts, so one inside a script's ``source`` or inside the program of a
  ``sh -c`` / ``python -c`` (``perl -e``, ``node -e``...) container becomes code that whoever submits
  the workflow writes: a reviewed template then runs anything. Parameters belong in ``env`` (or an
  input artifact or file) that the code reads; after ``sh -c PROGRAM`` the operands (``$1``...) are
  data too, so only the program itself is checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from askflow import yamlio
from askflow.errors import AskflowError, format_path
from askflow.lint import podsecurity
from askflow.lint.argo import POD_TYPES, d, lst, template_type, text

Report = Callable[[str, str, str], None]


def walk_templates(spec: dict[str, Any], base: str = "spec") -> Iterator[tuple[dict[str, Any], str]]:
    """Every template of a workflow spec with its JSON path, inline ones in steps and DAG tasks
    included (`inline templates <https://argo-workflows.readthedocs.io/en/latest/inline-templates/>`_)."""
    for i, tmpl in enumerate(lst(spec.get("templates"))):
        if isinstance(tmpl, dict):
            yield from with_inline(tmpl, f"{base}.templates[{i}]")


def with_inline(tmpl: dict[str, Any], path: str) -> Iterator[tuple[dict[str, Any], str]]:
    """``tmpl`` at ``path``, then every template inlined in its steps and DAG tasks, recursively."""
    yield tmpl, path
    for i, group in enumerate(lst(tmpl.get("steps"))):
        for j, step in enumerate(lst(group)):
            inline = d(step).get("inline")
            if isinstance(inline, dict):
                yield from with_inline(inline, f"{path}.steps[{i}][{j}].inline")
    for i, task in enumerate(lst(d(tmpl.get("dag")).get("tasks"))):
        inline = d(task).get("inline")
        if isinstance(inline, dict):
            yield from with_inline(inline, f"{path}.dag.tasks[{i}].inline")


def pod_containers(tmpl: dict[str, Any], path: str) -> Iterator[tuple[str, dict[str, Any], str]]:
    """(role, container, path) for every container a template's pod runs; role is ``container``,
    ``script``, ``containerSet``, ``initContainers`` or ``sidecars``."""
    for role in ("container", "script"):
        if isinstance(tmpl.get(role), dict):
            yield role, tmpl[role], f"{path}.{role}"
    for i, ctr in enumerate(lst(d(tmpl.get("containerSet")).get("containers"))):
        if isinstance(ctr, dict):
            yield "containerSet", ctr, f"{path}.containerSet.containers[{i}]"
    for key in ("initContainers", "sidecars"):
        for i, ctr in enumerate(lst(tmpl.get(key))):
            if isinstance(ctr, dict):
                yield key, ctr, f"{path}.{key}[{i}]"


def _pod_spec_patch(patch: Any) -> dict[str, Any]:
    """A template's podSpecPatch (a YAML or JSON PodSpec fragment) as a mapping; {} when it is not one
    (Argo variables make some patches readable only at run time)."""
    if not isinstance(patch, str) or not patch.strip():
        return {}
    try:
        value = yamlio.loads(patch)
    except AskflowError:
        return {}
    return value if isinstance(value, dict) else {}


def _has_cpu_and_memory(resources: Any) -> bool:
    res = d(resources)
    for part in ("requests", "limits"):  # requests default to limits when only limits are set
        values = d(res.get(part))
        if values.get("cpu") is not None and values.get("memory") is not None:
            return True
    return False


def image_problem(image: str) -> str | None:
    """Why an image reference is not pinned (no tag and no digest, or the ``latest`` tag), or None.

    None too for an empty reference and for one holding ``{{...}}`` (resolved at run time)."""
    if not image or "{{" in image or "@" in image:
        return None
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return f"image {image!r} has no tag: pin a version tag or a digest"
    if last.rsplit(":", 1)[1] == "latest":
        return f"image {image!r} uses the latest tag: pin a version tag or a digest"
    return None


# A parameter placeholder, plain or inside an expression tag ({{=inputs.parameters.x}}).
PARAMETER_PLACEHOLDER = re.compile(r"\{\{[^}]*\b(?:inputs|workflow)\.parameters\b[^}]*\}\}")
_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "mksh"})
_PYTHON = re.compile(r"(?:python|pypy)[0-9.]*")
# Interpreters whose program is the argument of one option (perl/ruby -e, node -e/--eval/-p/--print).
_EVAL_OPTIONS = {"perl": {"-e", "-E"}, "ruby": {"-e"}, "node": {"-e", "--eval", "-p", "--print"}}


def _program_name(arg: str) -> str:
    return arg.rsplit("/", 1)[-1]


def code_arguments(argv: list[str]) -> tuple[str, list[int]]:
    """The interpreter and the indexes of ``argv`` (a container's command followed by its args) that an interpreter runs as
    code: the program of ``sh -c PROGRAM [name [operands]]`` (POSIX sh: the first operand after the
    options when they include ``c``), of ``python -c PROGRAM`` and of ``perl -e`` / ``node -e``.
    A leading ``env [-i] [NAME=value]...`` or ``busybox`` is looked through."""
    i = 0
    if i < len(argv) and _program_name(argv[i]) == "env":
        i += 1
        while i < len(argv) and (argv[i].startswith("-") or "=" in argv[i]):
            i += 1
    if i < len(argv) and _program_name(argv[i]) == "busybox":
        i += 1
    if i >= len(argv):
        return "", []
    program, i = _program_name(argv[i]), i + 1
    if program in _SHELLS:
        inline = False
        while i < len(argv):
            arg = argv[i]
            if arg == "--":
                i += 1
                break
            if len(arg) > 1 and arg[0] in "-+":
                inline = inline or (arg[0] == "-" and "c" in arg[1:])
                # -o NAME (also inside a cluster, as in -euo pipefail): the name is the next argument
                i += 2 if "o" in arg[1:] else 1
                continue
            break
        return program, [i] if inline and i < len(argv) else []
    if _PYTHON.fullmatch(program):
        while i < len(argv) and argv[i].startswith("-") and argv[i] != "-" and not argv[i].startswith("--"):
            cluster = argv[i][1:]
            for pos, flag in enumerate(cluster):
                if flag == "c":
                    return program, [i] if pos + 1 < len(cluster) else ([i + 1] if i + 1 < len(argv) else [])
                if flag in "mWX":  # a module to run, or an option that takes the next argument
                    return program, []
            i += 1
        return program, []
    options = _EVAL_OPTIONS.get(program)
    if options:
        return program, [j + 1 for j in range(i, len(argv) - 1) if argv[j] in options]
    return program, []


def _placeholders(value: str) -> list[str]:
    return PARAMETER_PLACEHOLDER.findall(value)


def _code_problem(found: list[str], where: str) -> str:
    names = ", ".join(dict.fromkeys(found))
    return (
        f"{names} is pasted into {where}: Argo substitutes it as text, so whoever submits the workflow writes "
        "code this template runs; pass it in env (env: [{name: X, value: \"{{inputs.parameters.x}}\"}]) or a "
        "file and read that"
    )


def _parameters_in_code(tmpl: dict[str, Any], tpath: str, report: Report) -> None:
    for role, ctr, path in pod_containers(tmpl, tpath):
        if role == "script":
            found = _placeholders(text(ctr.get("source")))
            if found:
                report("parameter-in-code", f"{path}.source", _code_problem(found, "the script's source"))
        command = [x if isinstance(x, str) else "" for x in lst(ctr.get("command"))]
        args = [x if isinstance(x, str) else "" for x in lst(ctr.get("args"))]
        interpreter, indexes = code_arguments(command + args)
        for index in indexes:
            where = f"{path}.command[{index}]" if index < len(command) else f"{path}.args[{index - len(command)}]"
            found = _placeholders((command + args)[index])
            if found:
                report("parameter-in-code", where, _code_problem(found, f"the program {interpreter} runs"))


#: Workflow spec fields askflow's workflowDefaults set on the self-managed engine (components.argo.helm_values)
#: that a spec must carry itself on the managed engine.
MANAGED_ENGINE_DEFAULTS = ("ttlStrategy", "podGC", "securityContext")


def check(
    obj: dict[str, Any],
    spec: dict[str, Any],
    spec_path: str,
    referenced: dict[str, Any] | None,
    report: Report,
    engine: str = "self-managed",
) -> None:
    """Platform rules for one document whose workflow spec is ``spec`` at ``spec_path``.

    ``referenced`` is the spec of the WorkflowTemplate a Workflow's ``workflowTemplateRef`` names
    (its containers are checked on that template's own document).
    """
    templates = list(walk_templates(spec, spec_path))
    defaults = d(spec.get("templateDefaults"))
    ref = d(referenced)

    # managed-engine-defaults: what askflow's workflowDefaults give on the self-managed engine only.
    if engine == "ack-one":
        missing = [key for key in MANAGED_ENGINE_DEFAULTS if spec.get(key) is None and ref.get(key) is None]
        if missing:
            report("managed-engine-defaults", spec_path,
                   f"argo.engine ack-one applies none of askflow's workflow defaults (Alibaba's controller "
                   f"ConfigMap is its own): set {', '.join(missing)} in this spec")

    # default-service-account
    sa = spec.get("serviceAccountName")
    if text(sa) == "default":
        report(
            "default-service-account",
            f"{spec_path}.serviceAccountName",
            "serviceAccountName is `default`: run pods as a named service account (RRSA binds the RAM role to it)",
        )
    for tmpl, path in [(defaults, f"{spec_path}.templateDefaults"), *templates]:
        if text(tmpl.get("serviceAccountName")) == "default":
            report(
                "default-service-account",
                f"{path}.serviceAccountName",
                "serviceAccountName is `default`: run pods as a named service account",
            )
    # templateDefaults are merged into every template (https://argo-workflows.readthedocs.io/en/latest/template-defaults/):
    # a value there is a value on every pod template, the referenced template's included.
    if not any(text(x.get("serviceAccountName")) for x in (spec, ref, defaults, d(ref.get("templateDefaults")))):
        pods = [t for t, _ in templates if set(template_type(t)) & POD_TYPES]
        if not pods or any(not text(t.get("serviceAccountName")) for t in pods):
            report(
                "default-service-account",
                f"{spec_path}.serviceAccountName",
                "no serviceAccountName: pods would run as the namespace's `default` service account; "
                "set spec.serviceAccountName",
            )

    # active-deadline
    if all(x.get("activeDeadlineSeconds") is None for x in (spec, ref, defaults, d(ref.get("templateDefaults")))):
        pods = [t for t, _ in templates if set(template_type(t)) & POD_TYPES]
        if not pods or any(t.get("activeDeadlineSeconds") is None for t in pods):
            report(
                "active-deadline",
                f"{spec_path}.activeDeadlineSeconds",
                "no activeDeadlineSeconds: a stuck workflow keeps its serverless pods (ECI or ACS), and their bill, running; set "
                "spec.activeDeadlineSeconds (or one on every pod template)",
            )

    # unbounded-retries
    retry_holders = [(spec, spec_path), (defaults, f"{spec_path}.templateDefaults")] + templates
    for holder, path in retry_holders:
        retry = holder.get("retryStrategy")
        if isinstance(retry, dict) and retry.get("limit") is None:
            report(
                "unbounded-retries",
                f"{path}.retryStrategy",
                "retryStrategy has no limit, so Argo retries forever: set retryStrategy.limit",
            )

    # root-user
    workflow_sc = d(spec.get("securityContext"))
    if workflow_sc.get("runAsUser") == 0 and workflow_sc.get("runAsNonRoot") is not False:
        report("root-user", f"{spec_path}.securityContext",
               "runAsUser 0, merged with the platform's runAsNonRoot: true default: the kubelet refuses the pods; "
               "add runAsNonRoot: false (harmless where argo.workflow_pods_non_root is off)")
    for tmpl, tpath in templates:
        own = tmpl.get("securityContext")
        inherited = d(own).get("runAsNonRoot") is True if isinstance(own, dict) else workflow_sc.get("runAsNonRoot") is not False
        if not inherited:
            continue
        for _role, ctr, path in pod_containers(tmpl, tpath):
            sc = d(ctr.get("securityContext"))
            if sc.get("runAsUser") == 0 and sc.get("runAsNonRoot") is not False:
                report("root-user", f"{path}.securityContext",
                       "runAsUser 0 under a non-root pod (the platform's runAsNonRoot: true default): the kubelet "
                       "refuses the container; add runAsNonRoot: false (harmless where argo.workflow_pods_non_root "
                       "is off)")

    # pod-security-baseline
    pod_templates = [(t, tp) for t, tp in templates if set(template_type(t)) & POD_TYPES]
    containers = [(role, c, path) for t, tp in [(defaults, f"{spec_path}.templateDefaults"), *pod_templates]
                  for role, c, path in pod_containers(t, tp)]
    mounted = {text(d(m).get("name")) for _r, c, _p in containers for m in lst(c.get("volumeMounts"))}
    # The workflow's own pod securityContext reaches the pods whose template has none.
    inherits = not pod_templates or any(not isinstance(t.get("securityContext"), dict) for t, _ in pod_templates)
    found: list[tuple[podsecurity.Path, str]] = (
        [((spec_path, "hostNetwork"), "hostNetwork: true")] if spec.get("hostNetwork") is True else []
    )
    found += podsecurity.volume_problems(spec.get("volumes"), (spec_path, "volumes"), mounted)
    if inherits:
        found += podsecurity.pod_context_problems(spec.get("securityContext"), (spec_path, "securityContext"))
    found += podsecurity.annotation_problems(d(spec.get("podMetadata")).get("annotations"),
                                             (spec_path, "podMetadata", "annotations"))
    for tmpl, tpath in pod_templates:
        found += podsecurity.volume_problems(tmpl.get("volumes"), (tpath, "volumes"))
        found += podsecurity.pod_context_problems(tmpl.get("securityContext"), (tpath, "securityContext"))
        found += podsecurity.annotation_problems(d(tmpl.get("metadata")).get("annotations"),
                                                 (tpath, "metadata", "annotations"))
        spec_patch = _pod_spec_patch(tmpl.get("podSpecPatch"))
        found += [((tpath, "podSpecPatch"), f"{what} (in podSpecPatch)") for _w, what in podsecurity.baseline_problems(spec_patch)]
    for role, ctr, path in containers:
        found += podsecurity.container_problems(ctr, (path,), f"container {text(ctr.get('name')) or role!r}")
    for where, what in found:
        report("pod-security-baseline", format_path(where),
               f"{what}: tenant namespaces enforce Pod Security baseline, which refuses it")

    # parameter-in-code
    for tmpl, tpath in [(defaults, f"{spec_path}.templateDefaults"), *templates]:
        _parameters_in_code(tmpl, tpath, report)

    # resource-requests and unpinned-image
    pod_level = _has_cpu_and_memory(spec.get("podResources"))
    default_resources = {role: d(defaults.get(role)).get("resources") for role in ("container", "script")}
    for _role, ctr, path in pod_containers(defaults, f"{spec_path}.templateDefaults"):
        problem = image_problem(text(ctr.get("image")))
        if problem:
            report("unpinned-image", f"{path}.image", problem)
    for tmpl, tpath in templates:
        if not set(template_type(tmpl)) & {"container", "script", "containerSet"}:
            continue
        sized = pod_level or _has_cpu_and_memory(tmpl.get("podResources"))
        for role, ctr, path in pod_containers(tmpl, tpath):
            image = text(ctr.get("image")) or (
                text(d(defaults.get(role)).get("image")) if role in default_resources else ""
            )
            problem = image_problem(image)
            if problem:
                report("unpinned-image", f"{path}.image", problem)
            if sized or _has_cpu_and_memory(ctr.get("resources")):
                continue
            if role in default_resources and _has_cpu_and_memory(default_resources[role]):
                continue
            report(
                "resource-requests",
                f"{path}.resources",
                "no cpu and memory requests: ECI and ACS size (and bill) the pod from them; set resources.requests.cpu and "
                "resources.requests.memory",
            )
