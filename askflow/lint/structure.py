"""Structural checks: unknown fields, wrong types and missing required fields, with their paths.

This is what ``argo lint`` gets from strict decoding (``strict decoding error: unknown field ...``,
``cannot unmarshal number into ... of type string``), checked against the table generated from
hera's models and the v4.1.2 CRDs (:mod:`askflow.lint.apigen`). Values behave the way Go's
``encoding/json`` reads YAML converted to JSON: ``null`` is accepted anywhere (it leaves the field
unset), ``IntOrString`` takes both.

What only the schema says is a warning, not an error: Go's decoding never requires a field, so a
field the OpenAPI schema marks required (``metadata``, a gauge's ``realtime``) is ``missing-field``
(a warning; Argo's validator refuses the absences that matter with its own rules, such as
``missing-name`` and ``missing-image``), and a number or boolean where the schema says string but
Argo's ``AnyString`` reads it as text (a parameter ``value: 3``) is ``unquoted-string``.
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from askflow.errors import format_path
from askflow.lint import _apischema

# Node kinds of the compiled table.
_STR, _INT, _BOOL, _FLOAT, _INTSTR, _QUANTITY, _ANYSTR, _ANY, _OBJECT, _LIST, _MAP, _OBJ = range(12)
_SCALAR_CODES = {
    "str": _STR,
    "int": _INT,
    "bool": _BOOL,
    "float": _FLOAT,
    "intstr": _INTSTR,
    "quantity": _QUANTITY,
    "anystr": _ANYSTR,
    "any": _ANY,
    "object": _OBJECT,
}
_EXPECTED = {
    _STR: "a string",
    _INT: "an integer",
    _BOOL: "a boolean",
    _FLOAT: "a number",
    _INTSTR: "an integer or a string",
    _QUANTITY: "a quantity such as 500m, 2 or 4Gi",
    _ANYSTR: "a string",
    _OBJECT: "an object",
    _LIST: "a list",
    _MAP: "an object",
    _OBJ: "an object",
}

API_VERSION = "argoproj.io/v1alpha1"
KINDS = tuple(sorted(_apischema.ROOTS))

# (path parts, rule, message)
Problem = tuple[list[str | int], str, str]


class _Obj:
    __slots__ = ("name", "fields", "required", "free")

    def __init__(self, name: str) -> None:
        self.name = name
        self.fields: dict[str, tuple[int, Any]] = {}
        self.required: tuple[str, ...] = ()
        self.free = False


@cache
def _compiled() -> dict[str, _Obj]:
    """Compile the generated table once per process (a few milliseconds)."""
    table: dict[str, Any] = _apischema.OBJECTS
    objs = {name: _Obj(name) for name in table}

    def node(code: Any) -> tuple[int, Any]:
        if isinstance(code, str):
            return (_SCALAR_CODES[code], None)
        head = code[0]
        if head == "list":
            return (_LIST, node(code[1]))
        if head == "map":
            return (_MAP, node(code[1]))
        return (_OBJ, objs[code[1]])

    for name, entry in table.items():
        obj = objs[name]
        obj.fields = {alias: node(code) for alias, code in entry["fields"].items()}
        obj.required = tuple(entry["required"])
        obj.free = bool(entry.get("free"))
    return objs


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


# resource.Quantity's text form (k8s.io/apimachinery/pkg/api/resource); Go refuses anything else.
_QUANTITY_TEXT = re.compile(
    r"^[+-]?(\d+(\.\d*)?|\.\d+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?(\d+(\.\d*)?|\.\d+))?$"
)


def _go_text(value: Any) -> str:
    """fmt.Sprintf("%v") of what encoding/json decodes the value to (AnyString.UnmarshalJSON)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return str(value)


def _ok_scalar(kind: int, value: Any) -> bool:
    if kind == _STR:
        # YAML timestamps are strings to Kubernetes (sigs.k8s.io/yaml keeps them as text).
        return isinstance(value, (str, datetime.date))
    if kind == _INT:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == _BOOL:
        return isinstance(value, bool)
    if kind == _FLOAT or kind == _QUANTITY:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if kind == _QUANTITY and isinstance(value, str):
            return "{{" in value or _QUANTITY_TEXT.match(value) is not None
        return ok
    if kind == _INTSTR:
        return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))
    if kind == _ANYSTR:
        return isinstance(value, (str, datetime.date))
    if kind == _OBJECT:
        return isinstance(value, Mapping)
    return True  # _ANY


def _check(value: Any, node: tuple[int, Any], path: list[str | int], out: list[Problem]) -> None:
    if value is None:
        return  # JSON null leaves a Go field unset
    kind, sub = node
    if kind == _OBJ:
        if not isinstance(value, Mapping):
            out.append((list(path), "invalid-type", f"expected an object, got {_json_type(value)}"))
            return
        _check_obj(value, sub, path, out)
    elif kind == _LIST:
        if not isinstance(value, list):
            out.append((list(path), "invalid-type", f"expected a list, got {_json_type(value)}"))
            return
        for i, item in enumerate(value):
            path.append(i)
            _check(item, sub, path, out)
            path.pop()
    elif kind == _MAP:
        if not isinstance(value, Mapping):
            out.append((list(path), "invalid-type", f"expected an object, got {_json_type(value)}"))
            return
        for key, item in value.items():
            path.append(str(key))
            if not isinstance(key, str):
                out.append((list(path), "invalid-type", f"expected a string key, got {_json_type(key)}"))
            else:
                _check(item, sub, path, out)
            path.pop()
    elif not _ok_scalar(kind, value):
        if kind == _ANYSTR and isinstance(value, (int, float)):
            # Argo's AnyString reads a number or boolean as its text (anystring.go): argo lint and
            # the controller accept it; only the CRD schema says string. An opinion, not an error.
            out.append(
                (
                    list(path),
                    "unquoted-string",
                    f"expected a string, got {_json_type(value)}: Argo reads it as {_go_text(value)!r}, but the "
                    "CRD schema types it string (a full-CRD API server refuses it); quote it",
                )
            )
            return
        out.append((list(path), "invalid-type", f"expected {_EXPECTED[kind]}, got {_json_type(value)}"))


def _check_obj(value: Mapping[Any, Any], obj: _Obj, path: list[str | int], out: list[Problem]) -> None:
    if obj.free:
        return
    fields = obj.fields
    for key, item in value.items():
        node = fields.get(key) if isinstance(key, str) else None
        path.append(str(key))
        if node is None:
            out.append((list(path), "unknown-field", _unknown(str(key), fields)))
        else:
            _check(item, node, path, out)
        path.pop()
    for key in obj.required:
        if value.get(key) is None:
            path.append(key)
            out.append((list(path), "missing-field", f'required field "{key}" is missing (the schema requires it; Argo\'s decoding does not)'))
            path.pop()


def _unknown(key: str, fields: Mapping[str, Any]) -> str:
    message = f'strict decoding error: unknown field "{key}"'
    close = difflib.get_close_matches(key, list(fields), n=1, cutoff=0.75)
    return f'{message}; did you mean "{close[0]}"?' if close else message


def check_document(obj: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """Structural problems of one Argo object, as ``(json path, rule, message)`` in document order.

    ``obj`` must have one of :data:`KINDS` as its ``kind``.
    """
    objs = _compiled()
    root = objs[_apischema.ROOTS[obj["kind"]]]
    out: list[Problem] = []
    version = obj.get("apiVersion")
    if version != API_VERSION:
        out.append((["apiVersion"], "api-version", f"apiVersion must be {API_VERSION!r}, got {version!r}"))
    _check_obj(obj, root, [], out)
    return [(format_path(path), rule, message) for path, rule, message in out]


def known_fields(object_name: str) -> set[str]:
    """Field names (JSON, camelCase) of one API object, e.g. ``io.argoproj.workflow.v1alpha1.Template``."""
    return set(_compiled()[object_name].fields)
