"""``askflow stack new NAME --from SOURCE``: a reproducible stack copied from an existing one.

The new ``environments/Pulumi.NAME.yaml`` is the source file, comments kept (ruamel.yaml round
trip), with what must differ made unique to NAME, deterministically:

- ``name`` (the prefix of every physical name: cluster, VPC, roles, …) becomes
  ``<source prefix>-NAME`` (shortened with a hash when longer than the 24 characters a name may
  have); an explicit ``storage.bucket_name`` / ``observability.sls_project_name`` is re-derived
  from it the way the settings model derives the defaults;
- a stack that creates its VPC gets a free VPC CIDR of the same size (the vSwitch CIDRs move with
  it): the first one, starting at a position derived from NAME, that overlaps no other stack of
  the project, so two stacks made at once in different branches rarely pick the same block;
- a stack that shares the source's VPC (bring your own ``vpc_id``) gets a free Service CIDR instead,
  the first free block after the source's: ACK requires that the Service CIDRs of clusters in one
  VPC do not overlap each other or the VPC, and ``stack new`` refuses a result where they would;
- a copy of a non-prod source is disposable: in dev its bucket gets ``storage.force_destroy: true``
  so ``make destroy`` can remove it (a notice says so; the settings allow it in dev only, so a
  staging copy gets a notice on how to empty the bucket instead). An auto-upgrade channel is kept
  (pinning is the source's choice) with a notice that the copy will drift from its source.

``--set key=value`` changes ``askflow:platform`` by dotted path (``tenants[0].quota.cpu=32``),
validated against the settings model, and is applied first: what it sets (``name``,
``network.vpc_cidr``, ``cluster.service_cidr``, ``storage.force_destroy``, …) is kept and the rest
is derived around it. Everything else (Kubernetes, chart and template versions, sizes, flags) is
the source's, so the two stacks plan to the same resources apart from names. The result is
validated with :func:`~askflow.settings.parse_settings` before anything is written, and written
atomically without ever replacing an existing file.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import ipaddress
import os
import re
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from askflow import yamlio
from askflow.errors import AskflowError, format_path
from askflow.settings import PLATFORM_KEY, REGION_KEY, Settings, parse_settings
from askflow.stacks import Project, load_project, load_settings, read_stack

# A new stack's name becomes part of physical names: a DNS label.
_NEW_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_MAX_NEW_NAME = 40
_MAX_PHYSICAL_NAME = 24  # Settings.name
# Keys Pulumi writes per stack (the secrets provider's salt and key): never copied.
_PER_STACK_KEYS = ("encryptionsalt", "encryptedkey", "secretsprovider")
_PRIVATE_BLOCKS = tuple(ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
_SEGMENT = re.compile(r"([^.\[\]]+)((?:\[\d+\])*)")


@dataclass
class NewStack:
    """A stack derived from another, validated, not yet written."""

    project: Project
    stack: str
    source: str
    path: Path
    text: str
    settings: Settings
    notices: list[str] = field(default_factory=list)


def physical_name(prefix: str, stack: str) -> str:
    """``<prefix>-<stack>``, shortened deterministically (hash suffix) to fit ``Settings.name``."""
    full = f"{prefix}-{stack}"
    if len(full) <= _MAX_PHYSICAL_NAME:
        return full
    digest = hashlib.sha256(stack.encode()).hexdigest()[:6]
    keep = _MAX_PHYSICAL_NAME - len(prefix) - len(digest) - 2
    if keep < 1:
        return f"{prefix[: _MAX_PHYSICAL_NAME - len(digest) - 1].rstrip('-')}-{digest}"
    return f"{prefix}-{stack[:keep].rstrip('-')}-{digest}"


def _shift(net: ipaddress.IPv4Network, delta: int) -> ipaddress.IPv4Network:
    return ipaddress.IPv4Network((int(net.network_address) + delta, net.prefixlen))


def _free_block(
    name: str, like: ipaddress.IPv4Network, taken: Sequence[ipaddress.IPv4Network], what: str, *, near: bool = False
) -> ipaddress.IPv4Network:
    """A block the size of ``like`` in the same private range, overlapping nothing in ``taken``.

    The search starts at a position derived from ``name`` (or, ``near``, right after ``like``) and
    wraps around: deterministic for the same project, and unlikely to collide with a stack created
    concurrently elsewhere.
    """
    block = next((b for b in _PRIVATE_BLOCKS if like.subnet_of(b)), None)
    if block is None:
        block = like.supernet(new_prefix=max(like.prefixlen - 8, 0))
    candidates = list(block.subnets(new_prefix=like.prefixlen)) if like.prefixlen > block.prefixlen else [block]
    if near:
        start = (candidates.index(like) + 1) % len(candidates) if like in candidates else 0
    else:
        start = int(hashlib.sha256(name.encode()).hexdigest(), 16) % len(candidates)
    for i in range(len(candidates)):
        candidate = candidates[(start + i) % len(candidates)]
        if not any(candidate.overlaps(t) for t in taken):
            return candidate
    raise AskflowError(f"no free {what} of size /{like.prefixlen} left in {block}: set one with --set", path="--from")


# ---------------------------------------------------------------- --set paths into the settings model
def _unwrap(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _members(annotation: Any) -> list[Any]:
    annotation = _unwrap(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [_unwrap(a) for a in typing.get_args(annotation)]
    return [annotation]


def _is_model(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, BaseModel)


def _parse_path(key: str) -> list[str | int]:
    parts: list[str | int] = []
    for raw in key.split("."):
        m = _SEGMENT.fullmatch(raw)
        if not m:
            raise AskflowError(f"{key!r} is not a dotted key path (e.g. cluster.kubernetes_version, "
                               "tenants[0].quota.cpu)", path="--set")
        parts.append(m.group(1))
        parts.extend(int(i) for i in re.findall(r"\[(\d+)\]", m.group(2)))
    return parts


def _leaf_annotation(parts: list[str | int], key: str) -> list[Any]:
    """Walk the settings model along ``parts``; the union members of the leaf's type."""
    current: list[Any] = [Settings]
    walked: list[str | int] = []
    for part in parts:
        where = format_path((PLATFORM_KEY, *walked))
        if isinstance(part, int):
            seq = next((t for t in current if typing.get_origin(t) is tuple), None)
            if seq is None:
                raise AskflowError(f"{where} is not a list: drop [{part}]", path=f"--set {key}")
            current = _members(typing.get_args(seq)[0])
        else:
            model = next((t for t in current if _is_model(t)), None)
            mapping = next((t for t in current if typing.get_origin(t) is dict), None)
            if model is not None:
                fields = {n: f for n, f in model.model_fields.items() if not (model is Settings and n == "region")}
                if part not in fields:
                    known = ", ".join(sorted(fields))
                    hint = f" (the region is {REGION_KEY})" if part == "region" and model is Settings else ""
                    raise AskflowError(
                        f"unknown key {part!r} in {where}{hint}; known keys: {known}", path=f"--set {key}"
                    )
                current = _members(fields[part].annotation)
            elif mapping is not None:
                current = _members(typing.get_args(mapping)[1])
            elif any(typing.get_origin(t) is tuple for t in current):
                raise AskflowError(f"{where} is a list: index it, e.g. {format_path((*walked, 0, part))}",
                                   path=f"--set {key}")
            else:
                raise AskflowError(f"{where} is a value, not a mapping: it has no key {part!r}", path=f"--set {key}")
        walked.append(part)
    return current


def _parse_value(raw: str, leaf: list[Any], key: str) -> Any:
    """A YAML scalar (or flow collection); kept as the raw text where the field wants a string."""
    try:
        value = yamlio.loads(raw, file="--set") if raw.strip() else ""
    except AskflowError as exc:
        if str in leaf:  # `tags.since=2020-13-45`: text that only looks like a malformed date
            return raw
        raise AskflowError(f"{raw!r}: {exc.message}", path=f"--set {key}") from None
    if value is None:
        return None if type(None) in leaf else raw
    scalar_types = {bool, int, float}
    if isinstance(value, datetime.date | bytes) or (
        isinstance(value, bool | int | float) and not any(t in scalar_types for t in leaf)
    ):
        # `quota.cpu=32` means the string "32" (a Kubernetes quantity), not the integer 32; a date
        # or !!binary is not a config value, so the text is what was meant.
        return raw
    return value


def _assign(platform: CommentedMap, parts: list[str | int], value: Any, key: str) -> None:
    cur: Any = platform
    for i, part in enumerate(parts[:-1]):
        nxt = parts[i + 1]
        where = format_path((PLATFORM_KEY, *parts[: i + 1]))
        if isinstance(part, int):
            if not isinstance(cur, list) or part >= len(cur):
                size = len(cur) if isinstance(cur, list) else 0
                raise AskflowError(f"index {part} is out of range ({size} entries)", path=f"--set {key}")
            cur = cur[part]
            continue
        if part not in cur or cur[part] is None:
            if isinstance(nxt, int):
                raise AskflowError(f"{where} is not in the source stack: there is no entry [{nxt}] to change",
                                   path=f"--set {key}")
            cur[part] = CommentedMap()
        cur = cur[part]
    last = parts[-1]
    if isinstance(last, int):
        if not isinstance(cur, list) or last >= len(cur):
            size = len(cur) if isinstance(cur, list) else 0
            raise AskflowError(f"index {last} is out of range ({size} entries)", path=f"--set {key}")
    elif not isinstance(cur, dict):
        raise AskflowError(f"{format_path((PLATFORM_KEY, *parts[:-1]))} is not a mapping", path=f"--set {key}")
    cur[last] = _to_yaml(value)


def _to_yaml(value: Any) -> Any:
    if isinstance(value, Mapping):
        m = CommentedMap()
        for k, v in value.items():
            m[k] = _to_yaml(v)
        return m
    if isinstance(value, list):
        s = CommentedSeq(_to_yaml(v) for v in value)
        s.fa.set_flow_style()
        return s
    return value


def apply_set(platform: CommentedMap, assignment: str) -> str:
    """Apply one ``key=value`` to the platform mapping; returns the key. Unknown keys are one-line errors."""
    key, sep, raw = assignment.partition("=")
    key = key.strip()
    if not sep or not key:
        raise AskflowError(f"{assignment!r} is not key=value", path="--set")
    parts = _parse_path(key)
    leaf = _leaf_annotation(parts, key)
    _assign(platform, parts, _parse_value(raw, leaf, key), key)
    return key


# ---------------------------------------------------------------- the new stack
def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    # The layout of environments/*.yaml: sequences indented under their key ("  - name: …").
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 4096
    return y


def _set_seq(seq: Any, values: Sequence[str]) -> Any:
    if isinstance(seq, list):
        for i, v in enumerate(values):
            seq[i] = v
        return seq
    return list(values)


def _other_settings(project: Project, exclude: set[str]) -> dict[str, Settings]:
    """Settings of the project's other stacks; a stack that does not parse is not a conflict source."""
    out: dict[str, Settings] = {}
    for name in project.stacks():
        if name in exclude:
            continue
        try:
            out[name] = load_settings(read_stack(project, name))
        except AskflowError:
            continue
    return out


def _default_names(source: Settings, name: str) -> Settings:
    """The source's settings renamed, with the default (derived) bucket and SLS project names.

    Its ``bucket_name`` / ``sls_project_name`` are what :class:`~askflow.settings.Settings` derives
    for ``name``: one rule, the settings model's.
    """
    return source.model_copy(update={
        "name": name,
        "storage": source.storage.model_copy(update={"bucket_name": None}),
        "observability": source.observability.model_copy(update={"sls_project_name": None}),
    })


def _cidr(value: Any) -> ipaddress.IPv4Network | None:
    """A CIDR --set gave, or None when it is not one (parse_settings then reports it with its path)."""
    try:
        return ipaddress.IPv4Network(str(value))
    except ValueError:
        return None


def _derive_cidrs(
    stack: str, src: Settings, platform: CommentedMap, others: Mapping[str, Settings], user_set: Callable[..., bool]
) -> None:
    """Move the VPC (and its vSwitches) to a free block, or, in a shared VPC, the Service CIDR."""
    network = platform.setdefault("network", CommentedMap())
    net = src.network
    if network.get("vpc_id") is None:
        if net.bring_your_own:
            return  # --set made a shared-VPC source's copy create its VPC: the user gives its CIDRs
        if user_set("network", "vpc_cidr"):
            vpc = _cidr(network.get("vpc_cidr"))
            if vpc is None:
                return
        else:
            taken = [o.network.vpc_cidr for o in others.values() if not o.network.bring_your_own]
            service = _cidr(platform.get("cluster", {}).get("service_cidr")) or src.cluster.service_cidr
            taken.append(service)
            vpc = _free_block(stack, net.vpc_cidr, taken, "VPC CIDR")
            network["vpc_cidr"] = str(vpc)
        delta = int(vpc.network_address) - int(net.vpc_cidr.network_address)
        for key in ("vswitch_cidrs", "pod_vswitch_cidrs"):
            cidrs = getattr(net, key)
            if cidrs and not user_set("network", key):
                network[key] = _set_seq(network.get(key), [str(_shift(c, delta)) for c in cidrs])
        return
    if user_set("cluster", "service_cidr"):
        return
    # ACK: Service CIDRs of clusters in one VPC must not overlap each other nor the VPC. The VPC's
    # CIDR is known offline when a stack of the project creates it or the stack file records it.
    sharing = [o for o in others.values() if o.network.vpc_id == network.get("vpc_id")]
    taken = [src.cluster.service_cidr, *(o.cluster.service_cidr for o in sharing)]
    if "vpc_cidr" in network and _cidr(network["vpc_cidr"]) is not None:
        taken.append(ipaddress.IPv4Network(str(network["vpc_cidr"])))
    taken += [o.network.vpc_cidr for o in others.values() if not o.network.bring_your_own]
    service = _free_block(stack, src.cluster.service_cidr, taken, "Service CIDR", near=True)
    platform.setdefault("cluster", CommentedMap())["service_cidr"] = str(service)


def derive_stack(project: Project, stack: str, source: str, sets: Sequence[str] = ()) -> NewStack:
    """Build (and validate) the new stack file; writes nothing. Every problem is one :class:`AskflowError`."""
    if len(stack) > _MAX_NEW_NAME or not _NEW_NAME.match(stack):
        raise AskflowError(
            f"{stack!r} is not a valid new stack name: use at most {_MAX_NEW_NAME} lowercase letters, digits and "
            "'-' (it becomes part of cloud resource names)",
            path="NAME",
        )
    target = project.stack_file(stack)
    shown = project.display(target)
    if target.exists():
        raise AskflowError("already exists: pick another NAME (stack new never overwrites)", file=shown)
    source_config = read_stack(project, source)
    source_settings = load_settings(source_config)
    source_file = project.stack_file(source)

    try:
        doc = _yaml().load(yamlio.read_text(source_file))
    except YAMLError as exc:  # read_stack parsed it already; ruamel is stricter in places
        raise AskflowError(f"cannot be edited with comments kept ({exc})", file=source_config.file) from None
    config = doc["config"]
    platform = config[PLATFORM_KEY]
    notices: list[str] = []

    # Secrets are encrypted for the source stack (its salt / key); they cannot be copied.
    for key in list(config):
        if key in source_config.secret_keys and key != PLATFORM_KEY:
            del config[key]
            short = key.split(":", 1)[1] if key.startswith("askflow:") else key
            notices.append(f"{key} is a secret of {source}: set it for {stack} with "
                           f"`pulumi config set --secret {short} --stack {stack}`")
    if PLATFORM_KEY in source_config.secret_keys:
        raise AskflowError("holds a secret value inside askflow:platform, which cannot be copied; move it out first",
                           file=source_config.file, path=PLATFORM_KEY)
    for key in _PER_STACK_KEYS:
        if key in doc:
            del doc[key]

    # --set first: what it sets is kept, the rest is derived around it.
    user = [tuple(_parse_path(apply_set(platform, assignment))) for assignment in sets]

    def user_set(*path: str) -> bool:
        """--set changed ``path``, a part of it, or a mapping holding it."""
        return any(p[: len(path)] == path or path[: len(p)] == p for p in user)

    # Physical names.
    if not user_set("name"):
        platform["name"] = physical_name(source_settings.name.split("-", 1)[0], stack)
    new_name = str(platform["name"])
    defaults = _default_names(source_settings, new_name)
    if source_settings.storage.bucket_name is not None and not user_set("storage", "bucket_name"):
        platform["storage"]["bucket_name"] = defaults.bucket_name
    if source_settings.observability.sls_project_name is not None and not user_set("observability", "sls_project_name"):
        platform["observability"]["sls_project_name"] = defaults.sls_project_name
    if source_settings.argo.sso is not None and not user_set("argo", "sso"):
        notices.append(f"argo.sso.redirect_url was copied from {source} ({source_settings.argo.sso.redirect_url}): "
                       f"set {stack}'s with --set argo.sso.redirect_url=…")

    # CIDRs.
    others = _other_settings(project, {stack})
    _derive_cidrs(stack, source_settings, platform, others, user_set)

    # A copy of a non-prod stack is disposable: let `make destroy` remove its bucket (dev only:
    # the settings refuse force_destroy elsewhere).
    disposable = source_settings.environment != "prod" and not user_set("storage", "force_destroy")
    if disposable and platform.get("environment") == "dev" and not source_settings.storage.force_destroy:
        platform.setdefault("storage", CommentedMap())["force_destroy"] = True

    # Relative to the project, so the file is the same bytes whatever folder askflow ran from.
    try:
        source_shown = source_file.relative_to(project.root).as_posix()
    except ValueError:
        source_shown = source_file.name
    text = _header(stack, source, source_shown, sets) + _dump(doc)
    data = yamlio.loads(text, shown)
    settings = parse_settings(data["config"].get(REGION_KEY), data["config"].get(PLATFORM_KEY), file=shown)
    _check_unique(stack, source, source_settings, settings, others, shown)
    if disposable and settings.storage.force_destroy:
        notices.append(f"storage.force_destroy is true: `make destroy STACK={stack}` empties and deletes the bucket "
                       f"{settings.bucket_name} with everything in it")
    elif disposable:
        notices.append(f"storage.force_destroy is allowed in dev only: `make destroy STACK={stack}` leaves the bucket "
                       f"{settings.bucket_name} while it holds objects; empty it first (`ossutil rm "
                       f"oss://{settings.bucket_name} -r -f --all-versions`) or copy as dev (--set environment=dev)")
    channel = settings.cluster.auto_upgrade_channel
    if settings.argo.engine == "ack-one":
        # No cluster of cluster.kind to upgrade: Alibaba runs (and upgrades) the managed Argo itself.
        notices.append(f"argo.engine is ack-one: {stack} runs on an ACK One workflow cluster whose Argo Alibaba runs and "
                       "upgrades; see \"The managed engine\" in the README for what differs from the self-managed one")
    elif channel != "none" and channel == source_settings.cluster.auto_upgrade_channel:
        notices.append(f"cluster.auto_upgrade_channel is {channel!r} as in {source} (the source's choice): ACK "
                       f"upgrades each cluster on its own schedule, so {stack} drifts from {source}; "
                       "--set cluster.auto_upgrade_channel=none pins it")
    return NewStack(project=project, stack=stack, source=source, path=target, text=text, settings=settings,
                    notices=notices)


def _dump(doc: Any) -> str:
    out = io.StringIO()
    _yaml().dump(doc, out)
    return out.getvalue()


def _header(stack: str, source: str, source_file: str, sets: Sequence[str]) -> str:
    lines = [
        f"# Generated by `askflow stack new {stack} --from {source}` from {source_file}: physical names",
        f"# (name, bucket, SLS project) and CIDRs are unique to {stack}; everything else is the source's.",
    ]
    lines += [f"#   --set {s}" for s in sets]
    return "\n".join(lines) + "\n"


def _check_unique(
    stack: str, source: str, src: Settings, new: Settings, others: Mapping[str, Settings], shown: str
) -> None:
    """Refuse results whose physical names (name, bucket, SLS project, RAM roles) or shared-VPC CIDRs collide
    with the source or another stack."""
    pairs = {"name": (new.name, lambda s: s.name), "storage.bucket_name": (new.bucket_name, lambda s: s.bucket_name),
             "observability.sls_project_name": (new.sls_project_name, lambda s: s.sls_project_name)}
    for key, (value, of) in pairs.items():
        for other_name, other in {source: src, **others}.items():
            if other_name != stack and of(other) == value:
                raise AskflowError(f"{value!r} is already used by stack {other_name!r}: physical names must be unique",
                                   file=shown, path=f"{PLATFORM_KEY}.{key}")
    # RAM role names are unique in the account, and `<name>-<tenant>-executor` does not tell where the
    # name ends: stack name `askflow-ml` with tenant `data-eng` and `askflow-ml-data` with `eng` meet.
    roles = [(f"{PLATFORM_KEY}.tenants[{i}].name", new.executor_role_name(t.name)) for i, t in enumerate(new.tenants)]
    roles.append((f"{PLATFORM_KEY}.name", new.argo_server_role_name))
    for path, role in roles:
        for other_name, other in {source: src, **others}.items():
            if other_name != stack and role in other.ram_role_names:
                raise AskflowError(f"gives the RAM role name {role!r}, which stack {other_name!r} already uses: "
                                   "physical names must be unique", file=shown, path=path)
    if new.network.vpc_id is not None:
        for other_name, other in {source: src, **others}.items():
            if other.network.vpc_id == new.network.vpc_id and other.cluster.service_cidr.overlaps(new.cluster.service_cidr):
                raise AskflowError(
                    f"{new.cluster.service_cidr} overlaps the service CIDR {other.cluster.service_cidr} of stack {other_name!r}, "
                    f"and both clusters are in VPC {new.network.vpc_id}",
                    file=shown, path=f"{PLATFORM_KEY}.cluster.service_cidr",
                )


def write_new_stack(new: NewStack) -> None:
    """Write the file atomically, never replacing one that exists (even one created meanwhile)."""
    path = new.path
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(new.text, encoding="utf-8")
        try:
            os.link(tmp, path)  # fails if the target exists: no check-then-write race
        except FileExistsError:
            raise AskflowError("already exists: pick another NAME (stack new never overwrites)",
                               file=new.project.display(path)) from None
    except OSError as exc:
        raise AskflowError(f"cannot be written ({exc.strerror or exc}); nothing was written",
                           file=new.project.display(path)) from None
    finally:
        tmp.unlink(missing_ok=True)


def stack_new(stack: str, source: str, sets: Sequence[str] = (), project_root: str | Path = ".") -> NewStack:
    """``askflow stack new``: derive, validate, then write ``environments/Pulumi.<stack>.yaml``."""
    project = load_project(project_root)
    new = derive_stack(project, stack, source, sets)
    write_new_stack(new)
    return new
