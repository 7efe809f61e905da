"""Stack files: finding, reading and checking ``environments/Pulumi.<stack>.yaml``.

A stack file is Pulumi's own format (``config:`` with namespaced keys). Values set with
``pulumi config set --secret`` are stored as ``{secure: v1:…}``; they cannot be decrypted without
the stack's secrets provider, so offline they become the placeholder :data:`SECRET_PLACEHOLDER`
and their keys are marked secret (never printed).
"""

from __future__ import annotations

import datetime
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from askflow import yamlio
from askflow.errors import AskflowError, format_path
from askflow.settings import PLATFORM_KEY, REGION_KEY, Settings, parse_settings

SECRET_PLACEHOLDER = "[secret]"
_STACK_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
# Top-level keys Pulumi itself writes into stack files.
_STACK_FILE_KEYS = {"config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment"}


@dataclass(frozen=True)
class Project:
    """A Pulumi project folder: ``Pulumi.yaml`` and what it says."""

    root: Path
    name: str
    main: Path
    stack_config_dir: Path

    def stack_file(self, stack: str) -> Path:
        return self.stack_config_dir / f"Pulumi.{stack}.yaml"

    def stacks(self) -> list[str]:
        return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in self.stack_config_dir.glob("Pulumi.*.yaml"))

    def display(self, path: Path) -> str:
        """A path as the user reads it: relative to the current folder when it is below it."""
        try:
            return str(path.resolve().relative_to(Path.cwd().resolve()))
        except ValueError:
            return str(path)


def load_project(root: str | Path = ".") -> Project:
    root = Path(root)
    file = root / "Pulumi.yaml"
    if not file.is_file():
        raise AskflowError("no Pulumi.yaml here: run askflow from the project's root or pass --project", file=str(root))
    data = yamlio.load_file(file)
    if not isinstance(data, Mapping) or not isinstance(data.get("name"), str):
        raise AskflowError("is not a Pulumi project file (no `name`)", file=str(file))
    given = data.get("main")
    if given is not None and not isinstance(given, str):
        raise AskflowError("must be the path of the program (a folder or a .py file)", file=str(file), path="main")
    main = root / (given or ".")
    if not (main.is_dir() and (main / "__main__.py").is_file()) and not (main.is_file() and main.suffix == ".py"):
        raise AskflowError(
            f"{given or '.'!r} is not a Python program (a folder with __main__.py, or a .py file); fix the path",
            file=str(file),
            path="main",
        )
    return Project(
        root=root,
        name=data["name"],
        main=main,
        stack_config_dir=root / str(data.get("stackConfigDir") or "."),
    )


@dataclass(frozen=True)
class StackConfig:
    """A stack's configuration as the Pulumi engine would hand it to the program."""

    project: str
    stack: str
    file: str
    config: dict[str, Any]
    secret_keys: tuple[str, ...] = field(default=())

    def engine_config(self) -> dict[str, str]:
        """What ``pulumi.runtime.set_all_config`` takes: strings, structured values as JSON."""
        return {
            key: value if isinstance(value, str) else json.dumps(value, sort_keys=True)
            for key, value in sorted(self.config.items())
        }


def _unsecure(value: Any, path: list[str | int], secrets: set[str], key: str, file: str) -> Any:
    """A config value with secure values replaced; a value Pulumi config cannot hold is an error."""
    if isinstance(value, datetime.date):
        raise AskflowError(f"{value} reads as a date, which Pulumi config cannot hold; quote it ('{value}')",
                           file=file, path=format_path(path))
    if isinstance(value, bytes):
        raise AskflowError("!!binary values cannot be config; give the text", file=file, path=format_path(path))
    if isinstance(value, float) and not math.isfinite(value):
        raise AskflowError(f"{value} is not a finite number; give a number or quote the text",
                           file=file, path=format_path(path))
    if isinstance(value, Mapping):
        if set(value) == {"secure"}:
            if not isinstance(value["secure"], str):
                raise AskflowError("secure value must be a string", file=file, path=format_path(path))
            secrets.add(key)
            return SECRET_PLACEHOLDER
        return {k: _unsecure(v, [*path, str(k)], secrets, key, file) for k, v in value.items()}
    if isinstance(value, list):
        return [_unsecure(v, [*path, i], secrets, key, file) for i, v in enumerate(value)]
    return value


def read_stack(project: Project, stack: str) -> StackConfig:
    """Read a stack file; every problem is an :class:`AskflowError` naming the file and key."""
    if not _STACK_NAME.match(stack):
        raise AskflowError(f"{stack!r} is not a valid stack name (letters, digits, '-', '_', '.')", path="--stack")
    path = project.stack_file(stack)
    shown = project.display(path)
    if not path.is_file():
        existing = ", ".join(project.stacks()) or "none"
        raise AskflowError(f"stack {stack!r} does not exist (stacks: {existing})", file=shown)
    data = yamlio.loads(yamlio.read_text(path), shown)
    if not isinstance(data, Mapping):
        raise AskflowError("must be a mapping with a `config:` key", file=shown)
    for top in data:
        if top not in _STACK_FILE_KEYS:
            raise AskflowError("unknown top-level key: a stack file holds `config:`", file=shown, path=str(top))
    config = data.get("config")
    if not isinstance(config, Mapping):
        raise AskflowError("is missing or not a mapping", file=shown, path="config")
    secrets: set[str] = set()
    out: dict[str, Any] = {}
    known = _known_project_keys(project)
    for key, value in config.items():
        if not isinstance(key, str) or ":" not in key:
            raise AskflowError(
                f"config keys are namespaced (`{project.name}:<key>` or `<provider>:<key>`)", file=shown, path=str(key)
            )
        namespace = key.split(":", 1)[0]
        if namespace == project.name and known is not None and key not in known:
            raise AskflowError("unknown key", file=shown, path=key)
        out[key] = _unsecure(value, [key], secrets, key, shown)
    return StackConfig(project=project.name, stack=stack, file=shown, config=out, secret_keys=tuple(sorted(secrets)))


def _known_project_keys(project: Project) -> set[str] | None:
    """The config keys a project of ours accepts (None: a project askflow does not know)."""
    from askflow.settings import SSO_CLIENT_SECRET_KEY

    if project.name == "askflow":
        return {PLATFORM_KEY, SSO_CLIENT_SECRET_KEY}
    try:  # the bootstrap project declares its keys beside its settings
        from askflow.bootstrap import KNOWN_KEYS
    except ModuleNotFoundError:
        return None
    return set(KNOWN_KEYS) if any(k.startswith(f"{project.name}:") for k in KNOWN_KEYS) else None


def load_settings(stack_config: StackConfig) -> Settings:
    """The main program's settings from a stack, or a one-line error naming the file and key."""
    return parse_settings(
        stack_config.config.get(REGION_KEY), stack_config.config.get(PLATFORM_KEY), file=stack_config.file
    )
