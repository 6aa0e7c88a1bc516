"""Run independent engine chunks on several cores, in threads.

The engine's work per chunk is long runs of numpy and shapely calls on arrays
of a few hundred thousand elements, which release the GIL, so threads share the work
without copying the input (processes would have to pickle or fork it). Results
come back in input order, so sums are added in the same order whatever the
number of threads, and the numbers do not depend on it.

``$FELTKART_THREADS`` sets the number of threads (1 turns threading off);
the default is the number of CPUs this process may use, at most
:data:`MAX_THREADS`. At most that many chunks are being worked on at a time,
which bounds the memory of the work in progress.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

MAX_THREADS = 4
"""Beyond this, memory bandwidth rather than cores limits the engine."""

THREADS_ENV = "FELTKART_THREADS"

T = TypeVar("T")
R = TypeVar("R")


def engine_threads() -> int:
    """Threads the engine uses (see the module docstring)."""
    configured = os.environ.get(THREADS_ENV, "").strip()
    if configured:
        try:
            value = int(configured)
        except ValueError:
            raise ValueError(f"${THREADS_ENV} must be a whole number of threads; got {configured!r}") from None
        if value < 1:
            raise ValueError(f"${THREADS_ENV} must be at least 1; got {value}")
        return value
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        available = os.cpu_count() or 1
    return max(1, min(MAX_THREADS, available))


def map_ordered(function: Callable[[T], R], items: Iterable[T], *, threads: int | None = None) -> list[R]:
    """``[function(item) for item in items]``, computed in up to ``threads`` threads, in input order.

    A thread that finishes its item takes the next one at once, whatever the
    others are doing, so one slow item never leaves a core idle. At most
    ``threads`` items are being worked on at a time; their results are kept
    until all are done.
    """
    items = list(items)
    threads = min(threads or engine_threads(), len(items))
    if threads <= 1:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="feltkart-engine") as pool:
        return list(pool.map(function, items))
