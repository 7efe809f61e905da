"""Ordered retry rules as one Argo ``retryStrategy.expression``.

AWS Batch ``evaluateOnExit`` and Kubernetes ``podFailurePolicy`` are ordered lists where the first
matching rule decides (retry or stop) and, when none matches, the failure is retried. Argo evaluates
one `expression <https://argo-workflows.readthedocs.io/en/latest/retries/#conditional-retries>`_
over ``lastRetry.exitCode`` (a string), ``lastRetry.status`` (``Error`` for infrastructure
failures such as a deleted or evicted pod, ``Failed`` for a non-zero exit) and ``lastRetry.message``.

The rules fold from the last one backwards: ``c ? retry : rest`` is ``c || rest`` and
``c ? stop : rest`` is ``!c && rest``, simplified when ``c`` or ``rest`` is constant.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

TRUE = "true"
FALSE = "false"
#: Argo marks infrastructure failures (pod deleted, evicted, node lost) as Error, program failures as Failed.
INFRASTRUCTURE_FAILURE = "lastRetry.status == 'Error'"


#: True unless the attempt was stopped by its template's activeDeadlineSeconds: the kubelet fails such a
#: pod with "Pod was active on the node longer than the specified deadline", which Argo copies to the node
#: (lastRetry.message, Argo >= 3.5). Not verified on ECI's virtual kubelet: if it words this differently, a
#: timed-out attempt is retried, as Argo does by default. (The attempt's duration is no substitute: Argo's
#: node duration includes pod and ECI start-up, which the pod's deadline does not, so a genuine failure near
#: the deadline would look timed out and not be retried.)
NOT_TIMED_OUT = "!(lastRetry.message matches 'longer than the specified deadline')"

_SIMPLE = re.compile(r"^[\w.]+ (==|matches|in) ('[^']*'|\[[^\]]*\])$")


def _paren(expr: str) -> str:
    return expr if expr in (TRUE, FALSE) or _SIMPLE.match(expr) or expr.startswith("!(") else f"({expr})"


def all_of(conditions: Iterable[str]) -> str:
    parts = [c for c in conditions if c != TRUE]
    if FALSE in parts:
        return FALSE
    if not parts:
        return TRUE
    return parts[0] if len(parts) == 1 else " && ".join(_paren(p) for p in parts)


def fold(rules: Sequence[tuple[str, bool]]) -> str:
    """``[(condition, retry?)]`` in order -> an expression that is true when Argo should retry."""
    acc = TRUE  # no rule matched: retry
    for cond, retry in reversed(rules):
        if retry:
            if TRUE in (cond, acc):
                acc = TRUE
            elif acc == FALSE:
                acc = cond
            else:
                acc = f"{_paren(cond)} || {_paren(acc)}"
        else:
            if cond == TRUE or acc == FALSE:
                acc = FALSE
            elif acc == TRUE:
                acc = f"!{_paren(cond)}" if _paren(cond).startswith("(") else f"!({cond})"
            else:
                acc = f"!({cond}) && {_paren(acc)}"
    return acc


def exit_code_glob(glob: str) -> str:
    """AWS ``onExitCode`` (digits, optionally ending in ``*``) as a condition on lastRetry.exitCode."""
    if glob == "*":
        return TRUE
    if glob.endswith("*"):
        return f"lastRetry.exitCode matches '^{glob[:-1]}[0-9]*$'"
    return f"lastRetry.exitCode == '{glob}'"


def exit_code_in(codes: Sequence[int], negate: bool = False) -> str:
    listed = ", ".join(f"'{c}'" for c in codes)
    cond = f"lastRetry.exitCode in [{listed}]"
    return f"!({cond})" if negate else cond
