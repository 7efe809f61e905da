"""The configuration reference, generated from the settings model.

The README's "Configuration reference" section is :func:`config_reference` verbatim between two
markers; ``tests/test_readme.py`` keeps it in sync (``ASKFLOW_REGENERATE=1`` rewrites it).
"""

from __future__ import annotations

import functools
import ipaddress
import operator
import re
import typing
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from askflow.settings import ENVIRONMENT_DEFAULTS, PLATFORM_KEY, Settings

START = "<!-- config-reference:start -->"
END = "<!-- config-reference:end -->"


def _model_of(annotation: Any) -> type[BaseModel] | None:
    for arg in (annotation, *typing.get_args(annotation)):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
        for inner in typing.get_args(arg):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                return inner
    return None


def _plain(annotation: Any) -> Any:
    """``annotation`` without the validators of ``Annotated`` string types (``OssBucketName`` reads
    as ``str``); CIDRs keep theirs, which :func:`_type_name` names."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is typing.Annotated and args[0] is not ipaddress.IPv4Network:
        return _plain(args[0])
    if typing.get_origin(annotation) is typing.Union and any(typing.get_origin(a) is typing.Annotated for a in args):
        return functools.reduce(operator.or_, (_plain(a) for a in args))
    return annotation


def _type_name(annotation: Any) -> str:
    text = str(_plain(annotation)).replace("typing.", "").replace("ipaddress.", "")
    for noise in ("askflow.settings.", "<class '", "'>"):
        text = text.replace(noise, "")
    text = re.sub(r"Annotated\[IPv4Network, .*?\)\]", "CIDR", text).replace("IPv4Network", "CIDR")
    return text.replace("|", "\\|")


def _env_default(path: tuple[str, ...]) -> str | None:
    values = []
    for env in ("dev", "staging", "prod"):
        node: Any = ENVIRONMENT_DEFAULTS[env]
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if node is None:
            return None
        values.append(f"{env}: `{node}`" if not isinstance(node, dict) else f"{env}: `{node}`")
    return ", ".join(values)


def _rows(model: type[BaseModel], prefix: tuple[str, ...]) -> list[str]:
    rows = []
    for key, field in model.model_fields.items():
        path = (*prefix, key)
        if path == ("region",):
            continue
        nested = _model_of(field.annotation)
        by_env = _env_default(path)
        if by_env is not None:
            default = by_env
        elif field.default is not PydanticUndefined:
            default = f"`{field.default}`" if field.default not in ((), None, {}) else f"`{field.default!r}`"
        elif field.default_factory is not None:
            default = "see below" if nested else f"`{field.default_factory()}`"  # type: ignore[call-arg]
        else:
            default = "**required**"
        if nested is not None and not str(field.annotation).startswith("tuple"):
            what = field.description or (nested.__doc__.splitlines()[0] if nested.__doc__ else "")
            optional = "`None` (optional: the keys below apply when it is set)" if field.default is None else ""
            rows.append(f"| `{'.'.join(path)}` | section |{' ' + optional if optional else ''} | {what} |")
            rows += _rows(nested, path)
            continue
        if nested is not None:  # a list of sections (tenants)
            rows.append(f"| `{'.'.join(path)}` | list | {default} | {field.description or ''} |")
            rows += _rows(nested, (*path[:-1], f"{path[-1]}[]"))
            continue
        rows.append(f"| `{'.'.join(path)}` | {_type_name(field.annotation)} | {default} | {field.description or ''} |")
    return rows


def config_reference() -> str:
    lines = [
        f"Everything below lives under `{PLATFORM_KEY}` in `environments/Pulumi.<stack>.yaml`; the region is "
        "`alicloud:region`. Defaults marked per environment come from `environment:` and can be overridden.",
        "",
        "| key | type | default | what it is |",
        "|---|---|---|---|",
        *_rows(Settings, ()),
    ]
    return "\n".join(lines) + "\n"
