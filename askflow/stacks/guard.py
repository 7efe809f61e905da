"""``python -m askflow.stacks.guard STACK [yes]``: may this stack be destroyed?

``make destroy`` runs it first. A prod stack (by its environment class, not its name) is refused
unless CONFIRM_PROD=yes; even then Pulumi `protect` keeps protected resources.
"""

from __future__ import annotations

import sys

from askflow.errors import AskflowError
from askflow.stacks import load_project, load_settings, read_stack


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m askflow.stacks.guard STACK [yes]", file=sys.stderr)
        return 2
    stack, confirm = argv[0], (argv[1:] or [""])[0]
    try:
        project = load_project(".")
        stack_config = read_stack(project, stack)
        settings = load_settings(stack_config)
    except AskflowError as exc:
        print(exc.line(), file=sys.stderr)
        return exc.exit_code
    if settings.environment == "prod" and confirm != "yes":
        print(
            f"{stack_config.file}: refusing to destroy a prod stack; run `make destroy STACK={stack} CONFIRM_PROD=yes` "
            "(protected resources stay protected)",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
