"""Typed reads from a parsed definition: a wrong type is one :class:`AskflowError` naming file and path.

Definitions come from JSON or YAML written by people and SDKs; every field is checked where it is
read, so a malformed input exits 2 with ``file: json.path: what is wrong`` instead of a traceback.
"""

from __future__ import annotations

import math
from typing import Any, NoReturn

from askflow.convert.model import PathParts
from askflow.errors import AskflowError


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean", int: "an integer",
            float: "a number"}.get(type(value), type(value).__name__)


class Reader:
    """Reads fields of one document of one file; ``base`` prefixes every reported path."""

    def __init__(self, file: str, base: PathParts = ()) -> None:
        self.file = file
        self.base: tuple[str | int, ...] = tuple(base)

    def at(self, *parts: str | int) -> Reader:
        return Reader(self.file, (*self.base, *parts))

    def fail(self, path: PathParts, message: str) -> NoReturn:
        raise AskflowError(message, file=self.file, path=list((*self.base, *path)) or None)

    def mapping(self, value: Any, path: PathParts, what: str = "a mapping") -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(path, f"expected {what}, found {_type_name(value)}")
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
            self.fail((*path, key), f"expected a list, found {_type_name(value)}")
        return value

    def opt_str(self, obj: dict[str, Any], key: str, path: PathParts = ()) -> str | None:
        value = obj.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail((*path, key), f"expected a string, found {_type_name(value)}")
        return value

    def req_str(self, obj: dict[str, Any], key: str, path: PathParts = ()) -> str:
        value = self.opt_str(obj, key, path)
        if value is None or not value.strip():
            self.fail((*path, key), "is required (a non-empty string)")
        return value

    def opt_int(self, obj: dict[str, Any], key: str, path: PathParts = (), *, minimum: int | None = None
                ) -> int | None:
        """An integer; a string of digits is accepted too (SDKs often quote numbers)."""
        value = obj.get(key)
        if value is None:
            return None
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail((*path, key), f"expected an integer, found {_type_name(value)}")
        if minimum is not None and value < minimum:
            self.fail((*path, key), f"must be at least {minimum}, found {value}")
        return value

    def number(self, value: Any, path: PathParts) -> float:
        """A finite number; a numeric string is accepted too. ``nan``, ``inf`` and ``1e400`` are errors."""
        if isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                self.fail(path, f"expected a number, found {value!r}")
        elif isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(path, f"expected a number, found {_type_name(value)}")
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
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if not isinstance(value, bool):
            self.fail((*path, key), f"expected true or false, found {_type_name(value)}")
        return value

    def str_map(self, obj: dict[str, Any], key: str, path: PathParts = ()) -> dict[str, str]:
        """A map of strings; numbers and booleans become strings (the BatchCompute SDK coerces them)."""
        raw = self.opt_map(obj, key, path)
        out: dict[str, str] = {}
        for k, v in raw.items():
            if isinstance(v, bool):
                out[str(k)] = "true" if v else "false"
            elif isinstance(v, int | float | str):
                out[str(k)] = str(v)
            elif v is None:
                out[str(k)] = ""
            else:
                self.fail((*path, key, str(k)), f"expected a string, found {_type_name(v)}")
        return out


def meaningful(value: Any) -> bool:
    """Whether a value carries information (an empty list, map or string, null or false does not)."""
    return value not in (None, "", [], {}, False)
