"""The ``askflow`` command line.

Each subcommand lives in the module that owns the concept and exposes ``register(subparsers)``,
which adds its parser and sets ``func(args) -> int``. User errors (:class:`AskflowError`) are
printed on one line to stderr and become the exit code they carry; they never show a traceback.

Conventions every command follows (tests/test_cli.py checks them): ``--help`` ends with the
command's exit codes (:data:`EXIT_CODES`); every argument has help text; a command with
subcommands prints its help when given none; Ctrl-C prints one line and exits 130 (files are
written whole or not at all, :mod:`askflow.files`); writing into a closed pipe (``| head``) is
silent; ``--json PATH`` writes one JSON document to PATH, ``-`` meaning standard output, which
then holds only that document (:mod:`askflow.jsonout`).
"""

from __future__ import annotations

import argparse
import errno
import functools
import importlib
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from typing import NoReturn

from askflow import __version__, jsonout
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
    "askflow.e2e.cli",
    "askflow.logs",
)


#: What each command's exit codes mean, shown at the end of its --help. Every command also exits
#: 130 when interrupted (Ctrl-C) and 2 for a usage error (argparse's own exit code).
EXIT_CODES: dict[str, str] = {
    "askflow": "0 success; 1 the command found problems; 2 usage error or bad input",
    "plan": "0 planned; 1 a mandatory policy rule is broken, or (--against) a protected resource would be "
            "replaced or deleted; 2 bad input (nothing written)",
    "lint": "0 no errors (warnings unless --strict); 1 errors, or nothing to lint in the files read; "
            "2 usage error (a path that does not exist, a folder without *.yaml/*.yml/*.json) or no file "
            "could be read",
    "workflows": "0 done; 1 (lock) a released version changed or the lock is not up to date; 2 bad input",
    "convert": "0 every job converted; 1 some job or input file not converted (the others are written); "
               "2 usage error (a missing path, a folder without definitions, a bad --name) or no input could "
               "be read (nothing written)",
    "crds": "0 listed, or (--verify) every file matches its sha256; 1 (--verify) a file differs; "
            "2 bad input, or a file cannot be downloaded",
    "stack": "0 done; 2 bad input, or a prod stack without --confirm-prod (nothing written)",
    "logs": "0 printed; 2 bad input (an unknown stack or tenant, a name that is not a workflow's, a stack "
            "without log collection)",
}
INTERRUPTED = "interrupted; files are written whole or not at all, so nothing was left half-written"
#: 128 + SIGINT, what a shell reports for a program stopped by Ctrl-C.
EXIT_INTERRUPTED = 130


class _Formatter(argparse.HelpFormatter):
    """argparse's formatter, except that the exit-code epilog keeps its lines."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if text.startswith("exit codes:"):
            return "".join(indent + line + "\n" for line in text.splitlines())
        return super()._fill_text(text, width, indent)


def _epilog(codes: str) -> str:
    return "exit codes:\n" + "\n".join(f"  {part.strip()}" for part in codes.split(";")) + \
        f"\n  {EXIT_INTERRUPTED} interrupted (Ctrl-C)"


def parsers(parser: argparse.ArgumentParser) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """``(command path, parser)`` for ``parser`` and every subcommand under it."""
    yield parser.prog, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):  # aliases share a parser
                yield from parsers(sub)


_usage_errors: list[str] = []  # what argparse said, for the JSON document of a usage error


def _usage_error(parser: argparse.ArgumentParser, message: str) -> NoReturn:
    _usage_errors.append(f"{parser.prog}: {message}")
    argparse.ArgumentParser.error(parser, message)


def _json_to_stdout(argv: Sequence[str]) -> bool:
    return any(a == "--json=-" or (a == "--json" and argv[i + 1:i + 2] == ["-"]) for i, a in enumerate(argv))


def _conventions(root: argparse.ArgumentParser) -> None:
    """Exit codes at the end of every --help; help, not a bare usage error, for a command given
    without its subcommand; a usage error remembered (for ``--json -``)."""
    for prog, parser in parsers(root):
        parser.error = functools.partial(_usage_error, parser)  # type: ignore[method-assign]
        words = prog.split()
        # A command not in EXIT_CODES yet gets askflow's general convention.
        codes = EXIT_CODES.get(words[1] if len(words) > 1 else "askflow", EXIT_CODES["askflow"])
        if codes and not (parser.epilog or "").startswith("exit codes:"):
            parser.epilog = _epilog(codes)
            if parser.formatter_class is argparse.HelpFormatter:  # a raw one keeps every line already
                parser.formatter_class = _Formatter
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction) and parser is not root:
                action.required = False
                if parser.get_default("func") is None:
                    parser.set_defaults(func=lambda _args, p=parser: (p.print_help(), 2)[1])


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
    _conventions(parser)
    return parser


def _silence() -> None:
    """Point stdout and stderr at /dev/null: after a closed pipe or Ctrl-C, nothing more is
    printed (not Python's flush error at exit, not asyncio's pending-task report)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
        try:
            os.dup2(devnull, stream.fileno())
        except (OSError, ValueError):  # not a real file (pytest's capture)
            pass


_interrupted = False
#: True while the real command runs (main() without argv), which may leave the process at once.
_command = False
#: How long an interrupted command may take to unwind (delete its temporary files) before it is
#: ended anyway.
UNWIND_SECONDS = 3.0


_leaving = threading.Lock()


#: The real standard error while it is muted after a Ctrl-C (see _mute_stderr).
_stderr_fd: int | None = None


def _mute_stderr() -> None:
    """From the interrupt on, what the unwinding prints (asyncio's "Task was destroyed but it is
    pending!", a library's log line) goes nowhere; the one line is written to the real stderr."""
    global _stderr_fd
    try:
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    try:
        saved = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
        _stderr_fd = saved
    except OSError:
        _stderr_fd = None


def _leave_interrupted() -> None:
    """Say the one line and end the process (once, whichever thread comes first)."""
    if not _leaving.acquire(blocking=False):
        threading.Event().wait()  # the other thread is ending the process
    line = (INTERRUPTED + "\n").encode()
    if _stderr_fd is not None:
        os.write(_stderr_fd, line)
    else:
        print(INTERRUPTED, file=sys.stderr, flush=True)
    _silence()
    os._exit(EXIT_INTERRUPTED)


def _on_sigint(signum: int, frame: object) -> None:
    """Python's own Ctrl-C (KeyboardInterrupt), remembered: an interrupt that lands inside an import
    or an event loop can surface as another error (a half-imported module's AttributeError), which
    is still an interrupt to the user.

    The KeyboardInterrupt can also be lost: raised inside the Pulumi runtime's event loop (which
    pumps itself re-entrantly, pulumi/runtime/sync_await.py), it can end a task whose result the
    loop then waits on forever, and the command would hang after the user pressed Ctrl-C. So the
    real command also starts a watchdog: what has not unwound within UNWIND_SECONDS ends there,
    with the same line and exit code. Files are written whole or not at all (askflow.files), and
    unwinding never takes that long, so this leaves nothing half-written."""
    global _interrupted
    first = not _interrupted
    _interrupted = True
    if first and _command:
        _mute_stderr()
        watchdog = threading.Timer(UNWIND_SECONDS, _leave_interrupted)
        watchdog.daemon = True
        watchdog.start()
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    global _interrupted, _command
    _interrupted = False
    _command = argv is None
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGINT, _on_sigint)
    try:
        return _main(argv)
    except BaseException as exc:
        if not _interrupted and not isinstance(exc, KeyboardInterrupt | BrokenPipeError):
            raise
        if isinstance(exc, BrokenPipeError) and not _interrupted:
            # `askflow ... | head`: the reader has what it wanted. Silent, exit as SIGPIPE would.
            _silence()
            return 128 + 13
        if argv is None:  # the real command, not a call from Python
            # An interrupt inside the Pulumi program's event loop can leave a worker thread of the
            # runtime (mocks, gRPC) waiting on a future that never completes, and the interpreter
            # waits for non-daemon threads on exit: the command would hang after saying it stopped.
            # Files are written whole or not at all (askflow.files), so leave at once.
            _leave_interrupted()
        print(INTERRUPTED, file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    _usage_errors.clear()
    try:
        args = parser.parse_args(argv)
    except SystemExit:
        words = sys.argv[1:] if argv is None else list(argv)
        if _usage_errors and _json_to_stdout(words):  # --json - promises a document, even now
            jsonout.write(jsonout.STDOUT, jsonout.dumps(
                jsonout.error_document(AskflowError(_usage_errors[-1], exit_code=2))))
        raise
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    target = getattr(args, jsonout.DEST, None)
    try:
        with batch_collector(), jsonout.reserved_stdout(target):
            try:
                return int(args.func(args))
            except AskflowError as exc:
                if not _interrupted:
                    jsonout.fail(target, exc)
                raise
            except OSError as exc:
                if not _interrupted:
                    jsonout.fail(target, AskflowError(exc.strerror or str(exc), file=str(exc.filename) if exc.filename else None))
                raise
    except (KeyboardInterrupt, BrokenPipeError):
        raise
    except AskflowError as exc:
        if _interrupted:  # an interrupt reported as an error on its way up: still an interrupt
            raise KeyboardInterrupt from None
        print(exc.line(), file=sys.stderr)
        return exc.exit_code
    except OSError as exc:
        if _interrupted:
            raise KeyboardInterrupt from None
        # The net under every command: a file or folder the system refused (permissions, a full
        # disk) is one line, not a traceback. Commands that write say what they left as it was.
        where = f"{exc.filename}: " if exc.filename else ""
        advice = "; check the path and its permissions" if exc.errno in (errno.EACCES, errno.EPERM) else ""
        print(f"{where}{exc.strerror or exc}{advice}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
