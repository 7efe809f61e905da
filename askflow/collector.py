"""The garbage collector tuned for a batch run (a plan, a lint, a conversion), restored afterwards.

CPython's default collector is tuned for long-running programs that keep few objects; a plan keeps
hundreds of thousands (the provider SDKs' modules, then every resource it records) and allocates
millions of short-lived ones, so with the defaults it spends a large part of its time walking
objects that will live until exit. See :func:`batch_collector`.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

_depth = 0  # how many batch runs are open (a command, then the program run inside it)
_thaw = False  # whether the outermost run froze a heap nobody had frozen (and so unfreezes it)


@contextlib.contextmanager
def batch_collector() -> Iterator[None]:
    """The garbage collector tuned for one batch run (an askflow command; a run of the Pulumi
    program inside it), restored afterwards.

    - Every object that exists when a run starts (a quarter of a million, the provider SDKs'
      modules mostly, all living until exit) is frozen: a full collection during the run walks only
      what the run made instead of all of them again (about 0.15 s each here). A nested run freezes
      what was made since, so that the command's work after the program (writing hundreds of
      manifests) does not walk the plan either. Only the outermost run unfreezes, and only if the
      heap was not frozen before it (by the caller, who unfreezes it).
    - Young collections run every 200,000 allocations instead of 700, as mypy tunes its own runs
      (``gc.set_threshold(200 * 1000, 30, 30)`` in mypy/build.py): a plan allocates millions of
      short-lived objects, almost none of them in cycles.

    Not for concurrent runs in threads (the Pulumi runtime is not either).
    """
    global _depth, _thaw
    thresholds = gc.get_threshold()
    if _depth == 0:
        _thaw = gc.get_freeze_count() == 0
    gc.freeze()
    gc.set_threshold(200_000, 30, 30)
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        # What the run made and kept is old by now: freeze it too, so that restoring the default
        # threshold does not start a young collection over all of it (~0.03 s for a 400-version
        # plan) that the run has just avoided; unfreezing hands everything to the oldest generation.
        gc.freeze()
        gc.set_threshold(*thresholds)
        if _depth == 0 and _thaw:
            gc.unfreeze()
