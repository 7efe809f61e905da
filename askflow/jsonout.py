"""``--json PATH``: one convention for every command's machine-readable output.

Every command that has machine output takes ``--json PATH`` (``dest="json_path"``): ``PATH`` is a
file, written whole or not at all (:mod:`askflow.files`), and ``-`` is standard output. With ``-``,
standard output holds exactly one complete JSON document and nothing else: what the command
prints for people (summaries, tables, progress, "wrote ..." lines) goes to standard error instead
(:func:`reserved_stdout`, applied to every command by :mod:`askflow.cli`), and a run that ends in
an error, a usage error included, still prints a document, ``{"error": {...}}``
(:func:`error_document`), so that
``askflow ... --json - | jq`` never reads an empty or half stream. A file ``PATH`` is checked before
any work and left as it was when the run fails with bad input (exit 2), as any askflow output is.

tests/test_cli.py checks that every ``--json`` option of every command follows this.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from askflow.errors import AskflowError

#: The ``--json`` value that means standard output.
STDOUT = "-"
#: Where every command keeps its ``--json`` value.
DEST = "json_path"
METAVAR = "PATH"

_stdout: list[TextIO] = []  # the real standard output while a command's --json is "-"
_written: list[bool] = []  # whether the command has written its document there yet


def add_argument(parser: Any, what: str) -> None:
    """Add ``--json PATH`` to ``parser``; ``what`` says what the document holds."""
    parser.add_argument("--json", dest=DEST, metavar=METAVAR,
                        help=f"write {what} as one JSON document to PATH (- for standard output: then "
                             "standard output holds only that document, and messages go to standard error)")


def to_stdout(target: str | Path | None) -> bool:
    return target is not None and str(target) == STDOUT


def check(target: str | Path | None) -> None:
    """Refuse, before any work, a ``--json`` file that cannot be written (standard output always can)."""
    from askflow import files

    if target is not None and not to_stdout(target):
        files.check_output_file(Path(target))


def dumps(data: Any) -> str:
    """The document's text: indented, keys in the order given, UTF-8 kept, one final newline."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write(target: str | Path, text: str) -> None:
    """Write a finished document: to standard output for ``-``, else to the file, whole."""
    from askflow import files

    if to_stdout(target):
        out = _stdout[-1] if _stdout else sys.stdout
        out.write(text)
        out.flush()
        if _written:
            _written[-1] = True
    else:
        files.write_text(Path(target), text)


@contextlib.contextmanager
def reserved_stdout(target: str | Path | None) -> Iterator[None]:
    """While a command runs with ``--json -``, what it prints goes to standard error; only
    :func:`write` reaches standard output."""
    if not to_stdout(target):
        yield
        return
    _stdout.append(sys.stdout)
    _written.append(False)
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        _stdout.pop()
        _written.pop()


def fail(target: str | Path | None, exc: AskflowError) -> None:
    """A run with ``--json -`` that ends in ``exc`` before writing its document writes the error's."""
    if to_stdout(target) and _written and not _written[-1]:
        write(STDOUT, dumps(error_document(exc)))


def error_document(exc: AskflowError) -> dict[str, Any]:
    """What ``--json -`` prints when a run ends in an error (exit 2): the same facts as the line on
    standard error."""
    return {"error": {"message": " ".join(exc.message.split()), "file": exc.file, "path": exc.path,
                      "line": exc.line_no, "column": exc.column, "exit_code": exc.exit_code}}
