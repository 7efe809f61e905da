"""AWS Batch job definitions inside CloudFormation templates (Terraform: :mod:`askflow.convert.terraform`).

A CloudFormation template (YAML with ``!Sub``, ``!Ref``, ``!GetAtt`` and the other short-form
intrinsic functions, or JSON) is read; each ``AWS::Batch::JobDefinition`` resource's ``Properties``
is the RegisterJobDefinition request with PascalCase names (`AWS::Batch::JobDefinition
<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-batch-jobdefinition.html>`_),
so it is renamed to the API's camelCase and converted as a job definition. Intrinsic functions are
resolved at deploy time: each one is written as text (``${AWS::Region}``, ``${BatchJobRole.Arn}``)
and reported, so nothing is dropped silently.
Report paths name what the template spells (``Resources.Job.Properties.ContainerProperties.Image``):
:func:`to_api` records, for every API path, the template's own.
"""

from __future__ import annotations

from typing import Any

import yaml

from askflow import yamlio
from askflow.errors import AskflowError

JOB_DEFINITION = "AWS::Batch::JobDefinition"
#: Properties whose keys are the user's own names, not CloudFormation property names: kept as written.
_FREE_MAPS = {"Parameters", "Options", "Tags", "Labels", "Annotations", "Limits", "Requests", "DockerLabels"}


class _Intrinsic(dict):  # type: ignore[type-arg]
    """A short-form intrinsic function (``!Sub x``), read as its long form (``{"Fn::Sub": x}``)."""


class CloudFormationLoader(yamlio.StrictLoader):  # type: ignore[misc,valid-type]
    """The strict YAML loader plus CloudFormation's short-form tags."""


def _intrinsic(loader: CloudFormationLoader, suffix: str, node: yaml.Node) -> Any:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return _Intrinsic({name: value})


CloudFormationLoader.add_multi_constructor("!", _intrinsic)


def looks_like_cloudformation(text: str) -> bool:
    return "AWSTemplateFormatVersion" in text or JOB_DEFINITION in text


def load(text: str, file: str) -> list[Any]:
    """The documents of a CloudFormation YAML template (AskflowError when it does not parse)."""
    try:
        return [d for d in yaml.load_all(text, Loader=CloudFormationLoader) if d is not None]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        raise AskflowError(f"CloudFormation YAML does not parse ({where}{getattr(exc, 'problem', exc)}); fix the "
                           "syntax", file=file) from None


def job_definitions(doc: Any) -> list[tuple[str, dict[str, Any]]]:
    """``[(logical id, Properties)]`` of the template's AWS::Batch::JobDefinition resources."""
    if not isinstance(doc, dict) or not isinstance(doc.get("Resources"), dict):
        return []
    out: list[tuple[str, dict[str, Any]]] = []
    for key, resource in doc["Resources"].items():
        if isinstance(resource, dict) and resource.get("Type") == JOB_DEFINITION:
            props = resource.get("Properties")
            out.append((str(key), props if isinstance(props, dict) else {}))
    return out


def is_intrinsic(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and (next(iter(value)) == "Ref"
                                                             or str(next(iter(value))).startswith("Fn::"))


def intrinsic_text(value: Any) -> str:
    """How an intrinsic function reads as text: ``${Name}`` for a reference, the template of a Sub."""
    (name, arg), = value.items()
    if name == "Ref":
        return f"${{{arg}}}"
    if name == "Fn::Sub":
        return str(arg[0] if isinstance(arg, list) and arg else arg)
    if name == "Fn::GetAtt":
        return "${" + ".".join(str(a) for a in (arg if isinstance(arg, list) else [arg])) + "}"
    if name == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list):
        return str(arg[0]).join(intrinsic_text(x) if is_intrinsic(x) else str(x) for x in arg[1])
    return f"${{{name}}}"


def _camel(key: str) -> str:
    return key[:1].lower() + key[1:] if key[:1].isupper() else key


def to_api(value: Any, found: list[tuple[list[str | int], str]], path: list[str | int], *, free: bool = False,
           spelled: dict[tuple[str | int, ...], tuple[str | int, ...]] | None = None,
           source: tuple[str | int, ...] = ()) -> Any:
    """CloudFormation properties -> the RegisterJobDefinition request: camelCase names (except in maps of
    the user's own keys), intrinsic functions as text; ``found`` collects ``(API path, text)`` of each, and
    ``spelled`` maps each API path to the path as the template spells it (``containerProperties.image`` ->
    ``ContainerProperties.Image``), so that reports name what the user wrote."""
    if spelled is not None:
        spelled[tuple(path)] = source
    if is_intrinsic(value):
        text = intrinsic_text(value)
        found.append((list(path), f"!{next(iter(value)).removeprefix('Fn::')} -> {text}"))
        return text
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            key = str(k) if free else _camel(str(k))
            out[key] = to_api(v, found, [*path, key], free=str(k) in _FREE_MAPS and not free, spelled=spelled,
                              source=(*source, str(k)))
        return out
    if isinstance(value, list):
        return [to_api(v, found, [*path, i], spelled=spelled, source=(*source, i)) for i, v in enumerate(value)]
    return value


def spell(key: str) -> str:
    """How CloudFormation spells an API property name it was not given (``vcpus`` -> ``Vcpus``)."""
    return key[:1].upper() + key[1:]
