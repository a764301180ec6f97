"""Mapping a function over items in forked worker processes, when there are enough of them."""

from __future__ import annotations

import multiprocessing
from typing import Any, Callable

PARALLEL_MIN_ITEMS = 8
_TASK: tuple[Callable[[Any, Any], Any], list, Any] | None = None  # inherited by forked workers


def _run_task(position: int) -> Any:
    assert _TASK is not None
    function, items, context = _TASK
    return function(context, items[position])


def parallel_map(function: Callable[[Any, Any], Any], items: list, jobs: int, context: Any,
                 size: Callable[[Any], int] | None = None) -> list:
    """``[function(context, item) for item in items]``, in ``jobs`` forked processes when worth it.

    ``size`` orders the work largest first, so that long items do not finish last. Workers are
    forked, so ``context`` (the project index, say) is shared, not pickled.
    """
    global _TASK
    if jobs <= 1 or len(items) < PARALLEL_MIN_ITEMS or "fork" not in multiprocessing.get_all_start_methods():
        return [function(context, item) for item in items]
    order = sorted(range(len(items)), key=lambda i: -size(items[i])) if size else list(range(len(items)))
    _TASK = (function, items, context)
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            results = dict(zip(order, pool.map(_run_task, order, chunksize=1 if size else 8)))
    finally:
        _TASK = None
    return [results[i] for i in range(len(items))]
