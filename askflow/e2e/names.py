"""The name of a stack's throw-away e2e copy, shared by ``askflow e2e`` and the account bootstrap.

One fixed copy per stack, ``<stack>-e2e``: the bootstrap creates the RRSA policies of every stack a
deploy role may run (the stacks only attach them, :mod:`askflow.rrsa`), so it must know the copy's
name, and with it the copy's physical names (``<prefix>-<stack>-e2e``: inside the deploy role's
``<prefix>-<stack>-`` names), before any run. Two runs of one stack at once cannot both write the
copy's stack file; CI runs them one at a time.
"""

from __future__ import annotations

E2E_SUFFIX = "-e2e"


def e2e_stack_name(source: str) -> str:
    return f"{source}{E2E_SUFFIX}"


def is_e2e_stack(name: str) -> bool:
    return name.endswith(E2E_SUFFIX)
