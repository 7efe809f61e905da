"""The one exception type for mistakes a user can make.

Every error a user can cause (a malformed stack file, template or job definition, a bad argument)
is an :class:`AskflowError` carrying the file, the key or JSON path, and what to do. The CLI prints
it on one line and exits non-zero; a traceback for bad input is a bug.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def format_path(parts: Iterable[str | int]) -> str:
    """Render a key path the way users read it: ``a.b[1].c``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif out:
            out += f".{part}"
        else:
            out = str(part)
    return out


def quoted(text: str, limit: int = 40) -> str:
    """``text`` as repr() shows it, cut short so that an error about it stays one readable line."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f"... ({len(text)} characters)"


class AskflowError(Exception):
    """A user-caused error: ``file: path: message``, printed on one line by the CLI.

    ``exit_code`` is what the CLI exits with (2: bad input, by convention of every askflow command).
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        path: str | Sequence[str | int] | None = None,
        exit_code: int = 2,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.message = message
        #: 1-based position in ``file`` where it is known (a syntax error), for batch commands
        #: that report an unreadable file as a finding and go on.
        self.line_no = line
        self.column = column
        self.file = file
        self.path = path if (path is None or isinstance(path, str)) else format_path(path)
        self.exit_code = exit_code
        super().__init__(self.line())

    def line(self) -> str:
        parts = [p for p in (self.file, self.path) if p]
        text = " ".join(self.message.split())  # one line, always
        return ": ".join([*parts, text])
