"""The ``askflow`` command line.

Each subcommand lives in the module that owns the concept and exposes ``register(subparsers)``,
which adds its parser and sets ``func(args) -> int``. User errors (:class:`AskflowError`) are
printed on one line to stderr and become the exit code they carry; they never show a traceback.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import sys
from collections.abc import Sequence

from askflow import __version__
from askflow.collector import batch_collector
from askflow.errors import AskflowError

# Modules that contribute subcommands, in the order `askflow --help` lists them.
COMMAND_MODULES = (
    "askflow.plan.cli",
    "askflow.lint.cli",
    "askflow.library.cli",
    "askflow.convert.cli",
    "askflow.stacks.cli",
    "askflow.crds",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="askflow",
        description="Plan, lint and migrate an Argo Workflows batch platform on Alibaba Cloud (ASK + ECI).",
    )
    parser.add_argument("--version", action="version", version=f"askflow {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and (name == exc.name or name.startswith(exc.name + ".")):  # not built yet
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        with batch_collector():
            return int(args.func(args))
    except AskflowError as exc:
        print(exc.line(), file=sys.stderr)
        return exc.exit_code
    except OSError as exc:
        # The net under every command: a file or folder the system refused (permissions, a full
        # disk) is one line, not a traceback. Commands that write say what they left as it was.
        where = f"{exc.filename}: " if exc.filename else ""
        advice = "; check the path and its permissions" if exc.errno in (errno.EACCES, errno.EPERM) else ""
        print(f"{where}{exc.strerror or exc}{advice}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
