"""Strict YAML in, deterministic YAML and JSON out.

Reading: duplicate keys are errors (as ``argo lint --strict`` treats them), and every problem is
an :class:`~askflow.errors.AskflowError` naming the file and the line. Writing: the same data
always gives the same bytes (block style, no aliases, keys in the order given or sorted).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from askflow.errors import AskflowError, quoted

try:  # the C loader is much faster; fall back to the pure one where libyaml is missing
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _BaseLoader = yaml.SafeLoader


class DuplicateKeyError(yaml.constructor.ConstructorError):
    pass


class BadValueError(yaml.constructor.ConstructorError):
    """A scalar whose tag does not fit its text (``2020-13-45``, ``!!int abc``)."""


class StrictLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """A safe loader that rejects duplicate mapping keys."""

    _resolved: dict[tuple[Any, str, Any], str] = {}

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        """PyYAML's tag resolution, remembered.

        Resolution is a pure function of its arguments here (the safe loader has no path
        resolvers); it is asked for every scalar read, and the same short scalars (keys, kinds,
        images) recur in every template of a library. Short scalars only, at most 50,000.
        """
        if not isinstance(value, str) or len(value) > 64:
            return super().resolve(kind, value, implicit)  # type: ignore[no-any-return]
        key = (kind, value, implicit)
        tag = self._resolved.get(key)
        if tag is None:
            tag = super().resolve(kind, value, implicit)
            if len(self._resolved) < 50_000:
                self._resolved[key] = tag
        return tag


_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_VALUE_TAG = "tag:yaml.org,2002:value"  # the key `=`, a string once PyYAML flattens the mapping


def _is_str(node: yaml.Node) -> bool:
    """A plain string scalar: its value is what PyYAML's string constructor returns."""
    return node.tag == _STR_TAG and isinstance(node, yaml.ScalarNode)


def _construct_mapping(loader: StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    """A mapping whose own keys are unique; keys brought in by ``<<`` merges may be overridden.

    Plain string keys (nearly all of them) are taken from the node as they are, which is what
    the string constructor returns, and their values built through the loader; anything else
    (merges, keys of other types) goes through PyYAML's own ``construct_mapping``.
    """
    if not isinstance(node, yaml.MappingNode):  # `!!map` on a list or scalar: PyYAML's error
        return loader.construct_mapping(node, deep=deep)  # type: ignore[no-any-return]
    seen: set = set()
    plain = True
    for key_node, _ in node.value:
        if key_node.tag == _MERGE_TAG:
            plain = False
            continue
        if _is_str(key_node):
            key = key_node.value
        elif key_node.tag == _VALUE_TAG and isinstance(key_node, yaml.ScalarNode):
            plain = False
            key = key_node.value
        else:
            plain = False
            key = loader.construct_object(key_node, deep=True)
        try:
            duplicate = key in seen
        except TypeError:  # unhashable key: let the base constructor report it
            return loader.construct_mapping(node, deep=deep)  # type: ignore[no-any-return]
        if duplicate:
            raise DuplicateKeyError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    if not plain:
        return loader.construct_mapping(node, deep=deep)  # type: ignore[no-any-return]
    return {
        key_node.value: value_node.value if _is_str(value_node) else loader.construct_object(value_node, deep=deep)
        for key_node, value_node in node.value
    }


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _checked_scalar(kind: str, construct: Any) -> Any:
    """PyYAML's constructor for ``kind``, with its failures (``2020-13-45``, ``!!int abc``, an
    integer of 5,000 digits) as a YAML error at the value's line instead of a ValueError."""

    def checked(loader: StrictLoader, node: yaml.Node) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, KeyError, AttributeError, TypeError, OverflowError):
            raise BadValueError(None, None, f"{quoted(str(node.value))} is not a valid {kind}", node.start_mark) from None

    return checked


def _construct_sequence(loader: StrictLoader, node: yaml.Node) -> list:
    """A list built whole (PyYAML's fills it in later, which lets an alias inside the list it names,
    ``&a [*a]``, make a list that contains itself; this way PyYAML refuses it at its line)."""
    return loader.construct_sequence(node)  # type: ignore[no-any-return]


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)

for _kind in ("bool", "int", "float", "timestamp"):
    _tag = f"tag:yaml.org,2002:{_kind}"
    StrictLoader.add_constructor(_tag, _checked_scalar(_kind, StrictLoader.yaml_constructors[_tag]))


def _describe(exc: yaml.YAMLError, problem: str | None = None) -> str:
    """``line L, column C: problem`` (PyYAML's problem unless another wording is given)."""
    mark = getattr(exc, "problem_mark", None)
    problem = problem or getattr(exc, "problem", None) or str(exc)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    return f"{where}{problem}"


def _error(message: str, file: str, exc: yaml.YAMLError) -> AskflowError:
    """An :class:`AskflowError` carrying the (1-based) line and column of a YAML error."""
    mark = getattr(exc, "problem_mark", None)
    if mark is None:
        return AskflowError(message, file=file)
    return AskflowError(message, file=file, line=mark.line + 1, column=mark.column + 1)


def loads_all(text: str, file: str = "<string>") -> list[Any]:
    """Every document of a YAML stream; empty documents are dropped."""
    try:
        docs = [doc for doc in yaml.load_all(text, Loader=StrictLoader) if doc is not None]
    except BadValueError as exc:
        raise _error(f"YAML value does not load ({_describe(exc)}); quote it (without a !! tag) if it is meant as text",
                     file, exc) from None
    except yaml.YAMLError as exc:
        if "recursive node" in str(getattr(exc, "problem", "")):  # PyYAML's words for `&a [*a]`
            raise _error(
                f"YAML has an alias inside the value it names ({_describe(exc, '&a ... *a')}); write the value out",
                file,
                exc,
            ) from None
        raise _error(f"YAML does not parse ({_describe(exc)}); fix the syntax", file, exc) from None
    except RecursionError:
        raise AskflowError("YAML nests too deep to read; flatten it", file=file) from None
    return docs


def loads(text: str, file: str = "<string>") -> Any:
    """Exactly one YAML document (an empty file is ``None``)."""
    docs = loads_all(text, file)
    if len(docs) > 1:
        raise AskflowError(f"expected one YAML document, found {len(docs)}", file=file)
    return docs[0] if docs else None


def _unique_keys(file: str) -> Any:
    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                raise AskflowError(f"JSON has a duplicate key {key!r}; keep one", file=file)
            out[key] = value
        return out

    return hook


def loads_json(text: str, file: str = "<string>") -> Any:
    """One JSON document, read strictly (duplicate keys are errors, as for YAML).

    JSON is not read through the YAML loader: PyYAML rejects valid JSON such as surrogate-pair
    escapes (``"\\ud83d\\ude00"``), which ``json.dumps`` writes for any emoji.
    """
    try:
        return json.loads(text, object_pairs_hook=_unique_keys(file))
    except json.JSONDecodeError as exc:
        hint = "the file looks truncated" if exc.pos >= len(text.rstrip()) else "fix the syntax"
        raise AskflowError(
            f"JSON does not parse (line {exc.lineno}, column {exc.colno}: {exc.msg}); {hint}", file=file,
            line=exc.lineno, column=exc.colno,
        ) from None
    except RecursionError:
        raise AskflowError("JSON nests too deep to read; flatten it", file=file) from None
    except ValueError:  # a number of thousands of digits (Python's int limit)
        raise AskflowError("JSON has a number too long to read (over 4,300 digits); shorten it", file=file) from None


def read_text(path: str | Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AskflowError("file not found", file=str(path)) from None
    except IsADirectoryError:
        raise AskflowError("is a directory, expected a file", file=str(path)) from None
    except UnicodeDecodeError as exc:
        before = exc.object[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise AskflowError("is not UTF-8 text", file=str(path), line=line, column=column) from None
    except OSError as exc:
        raise AskflowError(f"cannot be read ({exc.strerror})", file=str(path)) from None


def load_file(path: str | Path) -> Any:
    return loads(read_text(path), str(path))


def load_all_file(path: str | Path) -> list[Any]:
    return loads_all(read_text(path), str(path))


try:  # libyaml's emitter is several times faster and emits the same bytes for our settings
    _BaseDumper: type = yaml.CSafeDumper
except AttributeError:  # pragma: no cover
    _BaseDumper = yaml.SafeDumper


class _Dumper(_BaseDumper):  # type: ignore[misc,valid-type]
    def ignore_aliases(self, data: Any) -> bool:  # never emit &anchors / *aliases
        return True


def _str_representer(dumper: Any, data: str) -> yaml.ScalarNode:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str_representer)


def dumps(data: Any, *, sort_keys: bool = False) -> str:
    """Block-style YAML; deterministic for the same data."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=sort_keys, default_flow_style=False,
                     allow_unicode=True, width=100)


def dumps_all(docs: list[Any], *, sort_keys: bool = False) -> str:
    return yaml.dump_all(docs, Dumper=_Dumper, sort_keys=sort_keys, default_flow_style=False,
                         allow_unicode=True, width=100, explicit_start=True)


def dumps_json(data: Any) -> str:
    """Canonical JSON: sorted keys, two-space indent, trailing newline."""
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
