"""Terraform ``aws_batch_job_definition`` resources, read offline into RegisterJobDefinition requests.

The file is parsed with python-hcl2 (HCL2's grammar on lark). Each resource's arguments become the
request the AWS provider sends (hashicorp/terraform-provider-aws
``internal/service/batch/job_definition.go``: resourceJobDefinitionCreate, expandRetryStrategy,
expandEvaluateOnExit, expandJobTimeout): ``name`` -> ``jobDefinitionName``, ``container_properties``
-> ``containerProperties`` (a JSON document), ``retry_strategy { attempts, evaluate_on_exit {...} }``
-> ``retryStrategy``, ``timeout { attempt_duration_seconds }`` -> ``timeout``, and so on.

``container_properties`` (likewise ``node_properties`` and ``ecs_properties``) is read from the two
forms the provider's documentation uses: ``jsonencode({...})``, whose HCL object is evaluated, and a
heredoc (or quoted string) holding JSON. What only Terraform can know - a variable, a reference to
another resource, a local, a function other than ``jsonencode``, a ``${...}`` interpolation - is
written as text (``${var.image}``) and listed as :class:`Unresolved` with its line, so the report
says where it is and nothing is dropped silently. A property that cannot be read at all (``file(...)``,
``local.props``) leaves the definition unconverted, with the command that exports what Terraform
registered.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from askflow.errors import AskflowError

RESOURCE = "aws_batch_job_definition"
SUFFIXES = (".tf", ".hcl")
#: Arguments holding a JSON document, and the request field each becomes.
JSON_ARGUMENTS = {"container_properties": "containerProperties", "node_properties": "nodeProperties",
                  "ecs_properties": "ecsProperties"}
#: Arguments that change nothing the job runs (Terraform's own bookkeeping).
_IGNORED = {"deregister_on_new_revision", "tags_all", "count", "for_each", "provider", "depends_on", "lifecycle"}
#: Nested blocks of the resource, at most one each (snake_case inside, unlike the JSON documents).
_BLOCKS = {"retry_strategy", "timeout"}
_MARKER = "__askflow_tf_{}__"
_MARKER_RE = re.compile(r"__askflow_tf_(\d+)__")


@dataclass(frozen=True)
class Unresolved:
    """A value only Terraform can give: where it went in the request, the line, and the expression."""

    path: tuple[str | int, ...]
    line: int
    expression: str


@dataclass(frozen=True)
class Unreadable:
    """A JSON argument askflow cannot read offline (the whole definition is then not converted)."""

    argument: str
    line: int
    expression: str


@dataclass
class Definition:
    """One ``resource "aws_batch_job_definition" "<label>"`` and the request it registers."""

    label: str
    line: int
    request: dict[str, Any]
    #: request path -> the path as the .tf file spells it (``retryStrategy`` -> ``retry_strategy``)
    spelled: dict[tuple[str | int, ...], tuple[str | int, ...]] = field(default_factory=dict)
    unresolved: list[Unresolved] = field(default_factory=list)
    unreadable: list[Unreadable] = field(default_factory=list)


def declares_job_definitions(text: str) -> bool:
    return re.search(r'resource\s+"' + RESOURCE + r'"', text) is not None


def read(text: str, file: str) -> list[Definition]:
    """Every aws_batch_job_definition of one Terraform file (AskflowError when it does not parse)."""
    import hcl2  # python-hcl2: imported here, so that the other converters do not load lark

    try:
        tree = hcl2.parses_to_tree(text)
    except Exception as exc:  # lark's UnexpectedInput and friends: the message names line and column
        line, column = getattr(exc, "line", None), getattr(exc, "column", None)
        where = f"line {line}, column {column}: " if line is not None else ""
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise AskflowError(f"Terraform does not parse ({where}{first}); fix the HCL syntax", file=file) from None
    lines = text.splitlines()
    options = hcl2.SerializationOptions(with_comments=False, preserve_heredocs=False)
    loaded = hcl2.loads(text, serialization_options=options)
    positions = list(_resource_positions(tree))
    out: list[Definition] = []
    index = 0
    for block in loaded.get("resource", []):
        for rtype, named in block.items():
            for label, body in named.items():
                if _unquote_key(rtype) != RESOURCE:
                    continue
                start, end, attributes = positions[index] if index < len(positions) else (1, len(lines), {})
                index += 1
                out.append(_definition(_unquote_key(label), start, end, attributes, body, lines, file))
    return out


def _resource_positions(tree: Any) -> Iterator[tuple[int, int, dict[str, tuple[int, int]]]]:
    """``(first line, last line, {argument: (first line, last line)})`` of each aws_batch_job_definition
    block, in file order (the lark tree keeps positions; the serialised dict does not)."""
    for node in tree.iter_subtrees_topdown():
        if getattr(node, "data", None) != "block" or not node.children:
            continue
        words = [_token_text(c) for c in node.children if getattr(c, "data", None) in ("identifier", "string")]
        if len(words) >= 3 and words[0] == "resource" and words[1] == RESOURCE:
            attributes: dict[str, tuple[int, int]] = {}
            body = next((c for c in node.children if getattr(c, "data", None) == "body"), None)
            for child in getattr(body, "children", []):
                if getattr(child, "data", None) in ("attribute", "block") and child.children:
                    name = _token_text(child.children[0])
                    attributes.setdefault(name, (child.meta.line, child.meta.end_line))
            yield node.meta.line, node.meta.end_line, attributes


def _token_text(node: Any) -> str:
    if hasattr(node, "children"):
        return "".join(_token_text(c) for c in node.children).strip('"')
    return str(node).strip('"')


def _definition(label: str, start: int, end: int, attributes: dict[str, tuple[int, int]], body: dict[str, Any],
                lines: list[str], file: str) -> Definition:
    definition = Definition(label, start, {}, spelled={(): ()})
    request = definition.request

    def unresolved(path: tuple[str | int, ...], expression: str, argument: str) -> str:
        first, last = attributes.get(argument, (start, end))
        definition.unresolved.append(Unresolved(path, _line_of(expression, lines, first, last), expression))
        return f"${{{expression}}}"

    for key, value in body.items():
        if key.startswith("__") or key in _IGNORED:
            continue
        first, last = attributes.get(key, (start, end))
        if key in JSON_ARGUMENTS:
            target = JSON_ARGUMENTS[key]
            document = _json_argument(value, key, (target,), definition, lines, first, last, file)
            if document is not None:
                request[target] = document
                _spell(definition, (target,), (key,), document, camel=True)
            continue
        target = "jobDefinitionName" if key == "name" else _camel(key)
        before = len(definition.unresolved)
        converted = _hcl_value(value, (target,), lambda p, e, k=key: unresolved(p, e, k))
        block = key in _BLOCKS
        if block:  # a block the provider allows once (MaxItems 1): its snake_case arguments in camelCase
            converted = _camel_keys(converted[0] if isinstance(converted, list) and converted else converted)
            definition.unresolved[before:] = [  # (retryStrategy, 0, evaluate_on_exit) -> (retryStrategy, evaluateOnExit)
                dataclasses.replace(u, path=(target, *(_camel(p) if isinstance(p, str) else p for p in u.path[2:])))
                for u in definition.unresolved[before:]]
        request[target] = converted
        _spell(definition, (target,), (key,), converted, camel=not block)
    if "jobDefinitionName" not in request:
        request["jobDefinitionName"] = label
    return definition


def _spell(definition: Definition, path: tuple[str | int, ...], spelled: tuple[str | int, ...], value: Any,
           *, camel: bool) -> None:
    """Record how each request path reads in the .tf file: inside a JSON document keys are as written
    (``camel``); in HCL blocks they are snake_case (``evaluateOnExit[0].onReason`` ->
    ``evaluate_on_exit[0].on_reason``)."""
    definition.spelled[path] = spelled
    if isinstance(value, dict):
        for k, v in value.items():
            _spell(definition, (*path, k), (*spelled, k if camel else snake(str(k))), v, camel=camel)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _spell(definition, (*path, i), (*spelled, i), v, camel=camel)


def _json_argument(value: Any, argument: str, path: tuple[str | int, ...], definition: Definition,
                   lines: list[str], first: int, last: int, file: str) -> dict[str, Any] | None:
    """The JSON document of ``container_properties`` and the like, or None when it cannot be read."""
    if not isinstance(value, str):
        definition.unreadable.append(Unreadable(argument, first, repr(value)))
        return None
    if value.startswith('"') and value.endswith('"') and len(value) >= 2:  # a heredoc or quoted JSON string
        value = _unescape(value[1:-1], template=False)  # ${ and $${ are the template's: read below
    stripped = value.strip()
    call = re.fullmatch(r"\$\{\s*jsonencode\((.*)\)\s*\}", stripped, re.S)
    if call is not None:
        return _jsonencode(call.group(1), path, definition, lines, first, last, argument)
    if stripped.startswith("{"):
        return _template_json(stripped, path, definition, lines, first, last, argument, file)
    expression = stripped[2:-1] if stripped.startswith("${") and stripped.endswith("}") else stripped
    definition.unreadable.append(Unreadable(argument, first, expression))
    return None


def _jsonencode(inner: str, path: tuple[str | int, ...], definition: Definition, lines: list[str], first: int,
                last: int, argument: str) -> dict[str, Any] | None:
    import hcl2

    try:
        value = hcl2.loads("v = " + inner, serialization_options=hcl2.SerializationOptions(
            with_comments=False, preserve_heredocs=False))["v"]
    except Exception:
        definition.unreadable.append(Unreadable(argument, first, f"jsonencode({inner})"))
        return None

    def unresolved(p: tuple[str | int, ...], expression: str) -> str:
        definition.unresolved.append(Unresolved(p, _line_of(expression, lines, first, last), expression))
        return f"${{{expression}}}"

    document = _hcl_value(value, path, unresolved)
    if not isinstance(document, dict):
        definition.unreadable.append(Unreadable(argument, first, f"jsonencode({inner})"))
        return None
    return document


def _template_json(template: str, path: tuple[str | int, ...], definition: Definition, lines: list[str], first: int,
                   last: int, argument: str, file: str) -> dict[str, Any] | None:
    """JSON written as a Terraform template: each ``${...}`` becomes a marker, the JSON is parsed, and
    the markers are written back as text and listed."""
    expressions: list[str] = []
    out: list[str] = []
    i, in_string = 0, False
    while i < len(template):
        ch = template[i]
        if in_string and ch == "\\":
            out.append(template[i:i + 2])
            i += 2
            continue
        if template.startswith("$${", i) or template.startswith("%%{", i):
            out.append(template[i + 1:i + 3])
            i += 3
            continue
        if template.startswith("${", i) or template.startswith("%{", i):
            end = _closing_brace(template, i + 1)
            expressions.append(template[i + 2:end].strip())
            marker = _MARKER.format(len(expressions) - 1)
            out.append(marker if in_string else f'"{marker}"')
            i = end + 1
            continue
        if ch == '"':
            in_string = not in_string
        out.append(ch)
        i += 1
    try:
        document = json.loads("".join(out))
    except json.JSONDecodeError as exc:
        raise AskflowError(f"resource {RESOURCE} {definition.label!r}: {argument} is not valid JSON (line "
                           f"{first + exc.lineno}: {exc.msg}); fix the JSON", file=file) from None
    if not isinstance(document, dict):
        definition.unreadable.append(Unreadable(argument, first, template[:40]))
        return None

    def restore(value: Any, p: tuple[str | int, ...]) -> Any:
        if isinstance(value, dict):
            return {k: restore(v, (*p, k)) for k, v in value.items()}
        if isinstance(value, list):
            return [restore(v, (*p, n)) for n, v in enumerate(value)]
        if isinstance(value, str) and _MARKER_RE.search(value):
            for number in _MARKER_RE.findall(value):
                expression = expressions[int(number)]
                definition.unresolved.append(
                    Unresolved(p, _line_of(expression, lines, first, last), expression))
            return _MARKER_RE.sub(lambda m: f"${{{expressions[int(m.group(1))]}}}", value)
        return value

    restored = restore(document, path)
    return restored if isinstance(restored, dict) else None


def _closing_brace(text: str, start: int) -> int:
    """The index of the ``}`` closing the ``{`` at ``start`` (strings inside an expression skipped)."""
    depth, i, quote = 0, start, False
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == '"':
                quote = False
        elif ch == '"':
            quote = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return len(text) - 1


def _hcl_value(value: Any, path: tuple[str | int, ...], unresolved: Any) -> Any:
    """A value as python-hcl2 serialises it -> plain JSON: literal strings come quoted (``"\\"x\\""``),
    expressions as ``${...}``; numbers, booleans and null as they are."""
    if isinstance(value, dict):
        return {_unquote_key(k): _hcl_value(v, (*path, _unquote_key(k)), unresolved)
                for k, v in value.items() if not str(k).startswith("__")}
    if isinstance(value, list):
        return [_hcl_value(v, (*path, i), unresolved) for i, v in enumerate(value)]
    if not isinstance(value, str):
        return value
    if len(value) >= 2 and value.startswith('"') and value.endswith('"'):
        body = value[1:-1]
        if _has_interpolation(body):
            # a template string: the literal parts stay, each ${...} is written as text and listed
            return _TEMPLATE.sub(lambda m: unresolved(path, m.group(1).strip()), body).replace("$${", "${")
        return _unescape(body, template=True)
    if value.startswith("${") and value.endswith("}"):
        return unresolved(path, value[2:-1].strip())
    return unresolved(path, value)


_TEMPLATE = re.compile(r"(?<!\$)\$\{([^{}]*(?:\{[^{}]*\}[^{}]*)*)\}")


def _has_interpolation(body: str) -> bool:
    return re.search(r"(?<![$%])[$%]\{", body) is not None


def _unescape(body: str, *, template: bool) -> str:
    """An HCL quoted string's escapes (JSON's, plus ``$${`` and ``%%{`` for a literal ``${``/``%{``)."""
    if template:
        body = body.replace("$${", "${").replace("%%{", "%{")
    try:
        result = json.loads(f'"{body}"', strict=False)  # a heredoc keeps its tabs
    except json.JSONDecodeError:
        return body
    return result if isinstance(result, str) else body


def _unquote_key(key: Any) -> str:
    text = str(key)
    if len(text) >= 2 and text.startswith('"') and text.endswith('"'):
        return _unescape(text[1:-1], template=False)
    return text


def _line_of(expression: str, lines: list[str], first: int, last: int) -> int:
    """The first line from ``first`` to ``last`` (1-based) where ``expression`` (or its first word) is written."""
    needles = [expression, expression.split("(")[0].split()[0] if expression.split() else expression]
    for needle in needles:
        for number in range(first, min(last, len(lines)) + 1):
            if needle and needle in lines[number - 1]:
                return number
    return first


def _camel_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {_camel(str(k)): _camel_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel_keys(v) for v in value]
    return value


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def snake(key: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: "_" + m.group(1).lower(), key)
