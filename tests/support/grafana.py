"""Checks a Grafana dashboard JSON against Grafana's own dashboard schema, as the models that
grafana-foundation-sdk generates from it (grafana/grafana-foundation-sdk, Python package
``grafana_foundation_sdk.models``: ``dashboard``, the panel kinds and the Prometheus query).

Two checks, each of which fails on something Grafana's schema does not have:

- a round trip through the models (``Dashboard.from_json`` then the SDK's JSON encoder) keeps every
  key and value: a key the schema does not define is dropped, so a misspelt field shows up;
- every value the models hold has the type its field declares (typing hints of the generated
  classes): an enum's value must be one of its members, a number a number, a list a list.
"""

from __future__ import annotations

import enum
import json
import types
import typing
from typing import Any

from grafana_foundation_sdk.cog import plugins
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import dashboard

plugins.register_default_plugins()


def _round_trip_errors(a: Any, b: Any, path: str) -> list[str]:
    if isinstance(a, dict):
        if not isinstance(b, dict):
            return [f"{path}: not an object in Grafana's schema"]
        out = []
        for key in a:
            if key not in b:
                out.append(f"{path}.{key}: not in Grafana's dashboard schema")
            else:
                out += _round_trip_errors(a[key], b[key], f"{path}.{key}")
        return out
    if isinstance(a, list):
        if not isinstance(b, list) or len(a) != len(b):
            return [f"{path}: not the list Grafana's schema keeps"]
        return [e for i, (x, y) in enumerate(zip(a, b, strict=True)) for e in _round_trip_errors(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path}: {a!r} becomes {b!r}"]


def _matches(value: Any, hint: Any) -> bool:
    if hint is Any or hint is object:
        return True
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, h) for h in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if origin is typing.Literal:
        return value in typing.get_args(hint)
    if origin in (list, tuple):
        (item,) = typing.get_args(hint)[:1] or (Any,)
        return isinstance(value, list) and all(_matches(v, item) for v in value)
    if origin is dict:
        return isinstance(value, dict)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        try:
            hint(value)
        except ValueError:
            return False
        return True
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(hint, type):
        return isinstance(value, hint)
    return True  # a protocol or type variable: nothing to hold the value to


def _type_errors(obj: Any, path: str) -> list[str]:
    if isinstance(obj, list):
        return [e for i, v in enumerate(obj) for e in _type_errors(v, f"{path}[{i}]")]
    if not type(obj).__module__.startswith("grafana_foundation_sdk.models"):
        return []
    out = []
    for name, hint in typing.get_type_hints(type(obj)).items():
        value = getattr(obj, name, None)
        if value is None:
            continue
        if not _matches(value, hint):
            out.append(f"{path}.{name}: {value!r} is not {hint}")
        out += _type_errors(value, f"{path}.{name}")
    return out


def dashboard_errors(doc: dict[str, Any]) -> list[str]:
    """What Grafana's dashboard schema says is wrong with ``doc`` (nothing: an empty list)."""
    model = dashboard.Dashboard.from_json(doc)
    again = json.loads(json.dumps(model, cls=JSONEncoder))
    return _round_trip_errors(doc, again, "$") + _type_errors(model, "$")
