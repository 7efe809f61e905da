"""Which stacks deploy which versions, read from ``environments/Pulumi.<stack>.yaml``.

Only ``config["askflow:platform"].templates.deploy`` and ``.crons`` are read (a missing key means
``all``, as in :class:`askflow.settings.Templates`); the rest of the stack file is the settings
model's business, so ``askflow workflows list`` works even while another part of a stack file is
being edited. See `Pulumi stack settings files <https://www.pulumi.com/docs/iac/concepts/projects/stack-settings-file/>`_.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from askflow import yamlio
from askflow.errors import AskflowError

PLATFORM_KEY = "askflow:platform"
_STACK_FILE = re.compile(r"^Pulumi\.(.+)\.ya?ml\Z")


@dataclass(frozen=True)
class StackTemplates:
    """A stack's template choice: ``"all"`` or the names it lists."""

    stack: str
    file: Path
    deploy: Literal["all"] | tuple[str, ...]
    crons: Literal["all"] | tuple[str, ...]


def _choice(value: Any, file: Path, key: str) -> Literal["all"] | tuple[str, ...]:
    if value is None or value == "all":
        return "all"
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise AskflowError(
        f'expected "all" or a list of names, found {value!r}',
        file=str(file),
        path=f"config.{PLATFORM_KEY}.templates.{key}",
    )


def read_stack_templates(environments: Path) -> tuple[StackTemplates, ...]:
    """Every stack file in ``environments`` (sorted by stack name); none when the folder is absent."""
    environments = Path(environments)
    if not environments.is_dir():
        return ()
    out: list[StackTemplates] = []
    for path in sorted(environments.iterdir()):
        m = _STACK_FILE.match(path.name)
        if not m or not path.is_file():
            continue
        data = yamlio.load_file(path) or {}
        config = data.get("config") if isinstance(data, dict) else None
        platform = config.get(PLATFORM_KEY) if isinstance(config, dict) else None
        templates = platform.get("templates") if isinstance(platform, dict) else None
        if templates is not None and not isinstance(templates, dict):
            raise AskflowError("expected a mapping", file=str(path), path=f"config.{PLATFORM_KEY}.templates")
        templates = templates or {}
        out.append(
            StackTemplates(
                stack=m.group(1),
                file=path,
                deploy=_choice(templates.get("deploy"), path, "deploy"),
                crons=_choice(templates.get("crons"), path, "crons"),
            )
        )
    return tuple(sorted(out, key=lambda s: s.stack))
