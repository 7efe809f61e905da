"""Typed reads from a parsed definition: a wrong type is one :class:`AskflowError` naming file and path.

Definitions come from JSON or YAML written by people and SDKs; every field is checked where it is
read, so a malformed input exits 2 with ``file: json.path: what is wrong`` instead of a traceback.

A value is never silently turned into another type: a number, boolean, NaN or object where a
string belongs is an error, not its Python ``str()``. A *strict* reader (AWS Batch, Kubernetes:
their APIs type every field) also refuses quoted numbers and booleans where a number or boolean
belongs; a lenient one (BatchCompute, whose SDKs coerce) accepts ``"3"`` for 3 and ``"true"``.
"""

from __future__ import annotations

import math
from typing import Any, NoReturn

from askflow.convert.model import PathParts
from askflow.errors import AskflowError, quoted


def describe(value: Any) -> str:
    """What a value is, for an error message: ``null``, ``a mapping``, ``the string '3'``, ``the number NaN``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {'true' if value else 'false'}"
    if isinstance(value, int):
        text = str(value) if abs(value) < 10**30 else "(a very large integer)"
        return f"the integer {text}"
    if isinstance(value, float):
        text = "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity") if math.isinf(
            value) else repr(value)
        return f"the number {text}"
    if isinstance(value, str):
        return f"the string {quoted(value)}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _quote_hint(value: Any) -> str:
    """What to do about a number or boolean where a string belongs (NaN and Infinity: no hint)."""
    if isinstance(value, bool) or isinstance(value, int | float) and math.isfinite(value):
        return "; quote it to keep it as text"
    return ""


class Reader:
    """Reads fields of one document of one file; ``base`` prefixes every reported path."""

    def __init__(self, file: str, base: PathParts = (), *, strict: bool = False) -> None:
        self.file = file
        self.base: tuple[str | int, ...] = tuple(base)
        #: Refuse quoted numbers and booleans (``"3"``, ``"true"``) where a number or boolean belongs.
        self.strict = strict

    def at(self, *parts: str | int) -> Reader:
        return Reader(self.file, (*self.base, *parts), strict=self.strict)

    def fail(self, path: PathParts, message: str) -> NoReturn:
        raise AskflowError(message, file=self.file, path=list((*self.base, *path)) or None)

    def mapping(self, value: Any, path: PathParts, what: str = "a mapping") -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(path, f"expected {what}, found {describe(value)}")
        return value

    def opt_map(self, obj: dict[str, Any], key: str, path: PathParts = ()) -> dict[str, Any]:
        value = obj.get(key)
        if value is None:
            return {}
        return self.mapping(value, (*path, key))

    def req_map(self, obj: dict[str, Any], key: str, path: PathParts = ()) -> dict[str, Any]:
        if key not in obj or obj[key] is None:
            self.fail((*path, key), "is required")
        return self.mapping(obj[key], (*path, key))

    def opt_list(self, obj: dict[str, Any], key: str, path: PathParts = ()) -> list[Any]:
        value = obj.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail((*path, key), f"expected a list, found {describe(value)}")
        return value

    def string(self, value: Any, path: PathParts) -> str:
        """A string, never a number, boolean or object turned into one."""
        if not isinstance(value, str):
            self.fail(path, f"expected a string, found {describe(value)}{_quote_hint(value)}")
        return value

    def opt_str(self, obj: dict[str, Any], key: str, path: PathParts = ()) -> str | None:
        value = obj.get(key)
        if value is None:
            return None
        return self.string(value, (*path, key))

    def str_list(self, obj: dict[str, Any], key: str, path: PathParts = ()) -> list[str]:
        """A list of strings (absent or null: empty)."""
        return [self.string(v, (*path, key, i)) for i, v in enumerate(self.opt_list(obj, key, path))]

    def req_str(self, obj: dict[str, Any], key: str, path: PathParts = ()) -> str:
        value = self.opt_str(obj, key, path)
        if value is None or not value.strip():
            self.fail((*path, key), "is required (a non-empty string)")
        return value

    def opt_int(self, obj: dict[str, Any], key: str, path: PathParts = (), *, minimum: int | None = None
                ) -> int | None:
        """An integer; a lenient reader also accepts a string of digits (SDKs often quote numbers)."""
        value = obj.get(key)
        if value is None:
            return None
        digits = isinstance(value, str) and value.strip().lstrip("-").isdigit()
        if isinstance(value, str) and self.strict:
            hint = "; write the number without quotes" if digits else ""
            self.fail((*path, key), f"expected an integer, found {describe(value)}{hint}")
        if isinstance(value, str) and digits:
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail((*path, key), f"expected an integer, found {describe(value)}")
        if minimum is not None and value < minimum:
            self.fail((*path, key), f"must be at least {minimum}, found {value}")
        return value

    def number(self, value: Any, path: PathParts, *, text: bool = False) -> float:
        """A finite number. ``nan``, ``inf`` and ``1e400`` are errors.

        A numeric string is accepted too unless the reader is strict; with ``text`` the value must be a
        numeric string (a field the format types as a string, e.g. AWS's resourceRequirements value).
        """
        if text and not isinstance(value, str):
            self.fail(path, f"expected a number as a string (e.g. \"2\"), found {describe(value)}")
        if isinstance(value, str) and not text and self.strict:
            self.fail(path, f"expected a number, found {describe(value)}; write the number without quotes")
        if isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                self.fail(path, f"expected a number, found {value!r}")
        elif isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(path, f"expected a number, found {describe(value)}")
        else:
            try:
                number = float(value)
            except OverflowError:  # an integer too large for a float
                self.fail(path, f"expected a finite number, found {value!r}")
        if not math.isfinite(number):
            self.fail(path, f"expected a finite number, found {value!r}")
        return number

    def opt_number(self, obj: dict[str, Any], key: str, path: PathParts = ()) -> float | None:
        value = obj.get(key)
        if value is None:
            return None
        return self.number(value, (*path, key))

    def opt_bool(self, obj: dict[str, Any], key: str, path: PathParts = ()) -> bool | None:
        value = obj.get(key)
        if value is None:
            return None
        if isinstance(value, str) and value.lower() in ("true", "false") and not self.strict:
            return value.lower() == "true"
        if not isinstance(value, bool):
            hint = "; write it without quotes" if isinstance(value, str) and value.lower() in ("true", "false") else ""
            self.fail((*path, key), f"expected true or false, found {describe(value)}{hint}")
        return value

    def str_map(self, obj: dict[str, Any], key: str, path: PathParts = (), *, coerce: bool = False
                ) -> dict[str, str]:
        """A map of strings to strings (a null value reads as ``""``).

        ``coerce``: finite numbers and booleans become strings too (BatchCompute's SDK coerces environment
        variables); NaN, Infinity, lists and mappings are errors either way, as is a key that is not a string.
        """
        raw = self.opt_map(obj, key, path)
        out: dict[str, str] = {}
        for k, v in raw.items():
            if not isinstance(k, str):
                self.fail((*path, key), f"has a key that is not a string ({describe(k)}); quote it")
            if v is None:
                out[k] = ""
            elif coerce and isinstance(v, bool):
                out[k] = "true" if v else "false"
            elif coerce and isinstance(v, int | float) and math.isfinite(v):
                out[k] = str(v)
            else:
                out[k] = self.string(v, (*path, key, k))
        return out


def meaningful(value: Any) -> bool:
    """Whether a value carries information (an empty list, map or string, null or false does not)."""
    return value not in (None, "", [], {}, False)
