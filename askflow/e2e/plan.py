"""What ``askflow e2e --stack SOURCE`` will do, resolved offline: the throw-away stack (name, file,
physical names, CIDRs), the smoke template version, the namespaces, the steps and what the stack
creates. Needs no credentials; ``--dry-run`` prints it and stops.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from askflow import yamlio
from askflow.e2e.names import e2e_stack_name, is_e2e_stack
from askflow.errors import AskflowError
from askflow.library.loader import load_library
from askflow.library.lock import read_lock
from askflow.library.selection import resolve_deploy
from askflow.settings import PLATFORM_KEY, REGION_KEY
from askflow.stacks import Project, StackConfig, load_project, load_settings, read_stack
from askflow.stacks.new import NewStack, derive_stack

SMOKE_TEMPLATE = "e2e-smoke"
POLICY_PACK = "policy"
#: `--set`s of every e2e copy: no `protect`, no cloud-side deletion protection (it must go away).
BASE_SETS = ("protection.protect=false", "protection.deletion_protection=false")

#: How long step 2 waits for Argo, and step 3 for the smoke workflow (seconds). ECI starts a pod
#: in well under a minute; the first pull of Argo's images through the NAT gateway takes longest.
ARGO_READY_TIMEOUT = 600
WORKFLOW_TIMEOUT = 900
#: Deployments of the argo-workflows chart (release ``argo-workflows``): ``<fullname>-workflow-controller``
#: and ``<fullname>-server`` (the chart's ``controller.name`` / ``server.name``).
ARGO_DEPLOYMENTS = ("-workflow-controller", "-server")


@dataclass(frozen=True)
class E2EPlan:
    """Everything the run needs, resolved before anything is created."""

    source: str
    stack: str
    new: NewStack
    sets: tuple[str, ...]
    smoke: str
    namespace: str
    argo_namespace: str
    """Where Argo's Deployments run; empty on argo.engine ack-one (Alibaba's, in the cluster id's namespace)."""
    region: str
    bucket: str
    oss_endpoint: str
    force_destroy: bool
    creates: tuple[tuple[str, int], ...]

    @property
    def project_root(self) -> Path:
        return self.new.project.root

    @property
    def stack_file(self) -> str:
        return self.new.project.display(self.new.path)

    def cleanup_commands(self) -> list[str]:
        """What finishes a destroy by hand (from the project root, with the same credentials)."""
        commands = []
        if not self.force_destroy:
            commands.append(f"ossutil rm oss://{self.bucket} -r -f --all-versions")
        commands += [
            f"make destroy STACK={self.stack}",
            f"PATH=\"$PWD/.venv/bin:$PATH\" pulumi stack rm {self.stack} --yes",
            f"rm -f {self.stack_file}",
        ]
        return commands

    def steps(self) -> list[str]:
        """The steps, with the names they use, as ``--dry-run`` prints them."""
        s = self.new.settings
        where = f"VPC {s.network.vpc_cidr}" if not s.network.bring_your_own else f"shared VPC {s.network.vpc_id}"
        empty = "" if self.force_destroy else f"empty the bucket {self.bucket} (every version: force_destroy is " \
                                              f"allowed in dev only), then "
        return [
            f"0. askflow stack new {self.stack} --from {self.source}"
            + "".join(f" --set {x}" for x in self.sets)
            + f": writes {self.stack_file} (name {s.name}, bucket {self.bucket}, {where}, "
            f"service CIDR {s.cluster.service_cidr})",
            f"1. pulumi up --stack {self.stack} --policy-pack {POLICY_PACK} (Automation API); outputs recorded",
            f"2. wait up to {ARGO_READY_TIMEOUT}s for Deployments *{', *'.join(ARGO_DEPLOYMENTS)} in namespace "
            f"{self.argo_namespace} to be ready (through the kubeconfig output)" if self.argo_namespace else
            "2. nothing to wait for: argo.engine ack-one, the workflow cluster was running when up finished",
            f"3. submit workflowtemplate/{self.smoke} in namespace {self.namespace} with a random token; wait up to "
            f"{WORKFLOW_TIMEOUT}s for Succeeded, then read its artifact from oss://{self.bucket} (runner's credentials)",
            f"4. pulumi refresh, then pulumi preview --expect-no-changes --policy-pack {POLICY_PACK}: any change fails",
            f"5. {empty}pulumi destroy, then pulumi stack rm {self.stack} (always; --keep skips it)",
        ]


def e2e_copy(project: Project, source: str, extra_sets: Sequence[str] = ()) -> NewStack:
    """The e2e copy of ``source`` as ``askflow stack new`` derives it (validated, not written). The
    bootstrap derives it too, for the copy's RRSA policies: the same names and tenants."""
    return derive_stack(project, e2e_stack_name(source), source, [*BASE_SETS, *extra_sets])


def resolve(source: str, project_root: str | Path = ".") -> E2EPlan:
    """Resolve the run offline. Bad input is one :class:`AskflowError`; nothing is written."""
    project = load_project(project_root)
    source_settings = load_settings(read_stack(project, source))
    if source_settings.environment == "prod":
        raise AskflowError(
            "is a prod stack: e2e runs on a throw-away copy of a dev or staging stack (a prod copy keeps `protect` "
            "and deletion protection, so it could not be destroyed)",
            path=f"--stack {source}",
        )
    if is_e2e_stack(source):
        raise AskflowError("is itself a throw-away e2e stack: give the stack it was copied from", path=f"--stack {source}")
    stack = e2e_stack_name(source)

    library = load_library(project.root / "workflows")
    if SMOKE_TEMPLATE not in library.by_name:
        raise AskflowError(f"has no {SMOKE_TEMPLATE} template: e2e submits it (workflows/{SMOKE_TEMPLATE}/v<N>.yaml)",
                           file=project.display(project.root / "workflows"))
    smoke = library.latest(SMOKE_TEMPLATE).deployed_name
    if smoke not in read_lock(library.lock_path):
        raise AskflowError(f"{smoke} is not released: run `askflow workflows lock` (staging copies deploy released "
                           "versions only)", file=project.display(library.lock_path))

    extra = []
    deploy = source_settings.templates.deploy
    if deploy != "all" and smoke not in {v.deployed_name for v in resolve_deploy(library, deploy)}:
        extra.append(f"templates.deploy=[{', '.join([*deploy, smoke])}]")
    new = e2e_copy(project, source, extra)
    sets = [*BASE_SETS, *extra]
    s = new.settings
    if not s.template_namespaces:
        raise AskflowError("deploys templates to no namespace: the smoke workflow needs one (templates.namespaces)",
                           file=new.project.display(project.stack_file(source)), path=f"{PLATFORM_KEY}.templates")

    # What the stack creates, from its offline plan (as `askflow plan` would show it).
    from askflow.plan import plan_config

    data = yamlio.loads(new.text, new.project.display(new.path))
    config = StackConfig(project=project.name, stack=stack, file=new.project.display(new.path),
                         config=dict(data["config"]))
    plan = plan_config(project, config, str(data["config"].get(REGION_KEY)))
    counts = Counter(r.type for r in plan.resources if r.custom and r.type.startswith("alicloud:"))
    return E2EPlan(
        source=source,
        stack=stack,
        new=new,
        sets=tuple(sets),
        smoke=smoke,
        namespace=s.template_namespaces[0],
        argo_namespace=s.argo.namespace if s.argo.engine == "self-managed" else "",
        region=s.region,
        bucket=s.bucket_name,
        oss_endpoint=s.oss_internal_endpoint,
        force_destroy=s.storage.force_destroy,
        creates=tuple(sorted(counts.items())),
    )
