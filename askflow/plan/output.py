"""What a plan writes: Kubernetes manifests, Helm values, and the policy view of its resources."""

from __future__ import annotations

import re
import secrets
import shutil
from pathlib import Path
from typing import Any

from askflow import files, yamlio
from askflow.errors import AskflowError
from askflow.plan import Plan
from askflow.policies.rules import Resource, Violation, evaluate

HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
MARKER = ".askflow-plan"


def policy_view(plan: Plan) -> list[Resource]:
    return [
        Resource(urn=r.urn, type=r.type, name=r.name, inputs=r.inputs, protect=r.protect,
                 provider=r.provider, parent=r.parent)
        for r in plan.resources
    ]


def violations(plan: Plan) -> list[Violation]:
    return evaluate(policy_view(plan))


def manifests(plan: Plan) -> dict[str, dict[str, Any]]:
    """Every Kubernetes object the program would apply, keyed by a stable relative file name."""
    out: dict[str, dict[str, Any]] = {}
    for r in plan.resources:
        if not r.type.startswith("kubernetes:") or r.type == HELM_RELEASE:
            continue
        inputs = dict(r.inputs)
        kind = inputs.get("kind")
        if not kind:
            continue
        meta = inputs.get("metadata") or {}
        ns = meta.get("namespace") or "_cluster"
        name = meta.get("name") or r.name
        doc = {"apiVersion": inputs.get("apiVersion"), "kind": kind}
        doc.update({k: v for k, v in sorted(inputs.items()) if k not in ("apiVersion", "kind")})
        suffix = "-patch" if r.type.endswith("Patch") else ""
        out[f"manifests/{ns}/{kind.lower()}-{name}{suffix}.yaml"] = doc
    return dict(sorted(out.items()))


def helm_values(plan: Plan) -> dict[str, dict[str, Any]]:
    out = {}
    for r in plan.of_type(HELM_RELEASE):
        release = r.inputs.get("name") or r.name
        out[f"helm/{release}.values.yaml"] = r.inputs.get("values") or {}
    return out


def write_out_dir(plan: Plan, out_dir: Path, extra: dict[str, str] | None = None) -> list[str]:
    """Write manifests and Helm values into ``out_dir``, replacing what an earlier plan wrote there.

    The folder is built aside and swapped in, so it is never half-written. A folder that exists
    and was not written by ``askflow plan`` is refused rather than replaced.
    """
    files.check_folder(out_dir, replace=True)
    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / MARKER).exists():
        raise AskflowError(
            "exists and was not written by askflow plan; pass an empty or new folder to --out", file=str(out_dir)
        )
    written: dict[str, str] = {MARKER: f"stack: {plan.stack}\n"}
    for rel, doc in manifests(plan).items():
        written[rel] = yamlio.dumps(doc)
    for rel, values in helm_values(plan).items():
        written[rel] = yamlio.dumps(values, sort_keys=True)
    written.update(extra or {})
    staging = out_dir.with_name(f".{out_dir.name}.{secrets.token_hex(4)}")
    previous = out_dir.exists()
    made = files.Undo()  # the folders above out_dir this plan makes
    try:
        made.make_folders(out_dir.parent)
        staging.mkdir(0o777)  # an ordinary folder: the umask applies (tempfile.mkdtemp's would be 0700)
        folders: set[Path] = set()
        for rel, text in written.items():
            path = staging / rel
            if path.parent not in folders:  # hundreds of files share a few folders
                path.parent.mkdir(parents=True, exist_ok=True)
                folders.add(path.parent)
            path.write_text(text, encoding="utf-8")
        if previous:
            old = out_dir.with_name(f".{out_dir.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            out_dir.rename(old)
            try:
                staging.rename(out_dir)
            except OSError:
                old.rename(out_dir)  # put the previous plan back
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            staging.rename(out_dir)
    except BaseException as exc:  # an interrupted write leaves nothing behind either
        shutil.rmtree(staging, ignore_errors=True)
        made.rollback()
        if not isinstance(exc, OSError):
            raise
        kept = "the previous plan's files are unchanged" if previous else "nothing was written"
        raise AskflowError(f"cannot be written ({exc.strerror or exc}); {kept}", file=str(out_dir)) from None
    return sorted(written)


def component_of(plan: Plan, urn: str, by_urn: dict[str, Any] | None = None) -> str:
    """The top-level component a resource belongs to (``askflow:cluster:Cluster prod-cluster``).

    Pass ``by_urn`` (``plan.by_urn()``) when asking for many resources.
    """
    by_urn = by_urn if by_urn is not None else plan.by_urn()
    current = by_urn.get(urn)
    top = current
    while current is not None and current.parent and current.parent in by_urn:
        current = by_urn[current.parent]
        if not current.custom:
            top = current
    if top is None or top.custom:
        return "(stack)"
    return f"{top.type} {top.name}"


def short_type(typ: str) -> str:
    """``alicloud:oss/bucket:Bucket`` -> ``alicloud:oss.Bucket``."""
    m = re.match(r"^([^:]+):([^/:]+)(?:/[^:]*)?:(.+)$", typ)
    return f"{m.group(1)}:{m.group(2)}.{m.group(3)}" if m else typ
