"""Keep freed array memory in the process instead of handing it back to the kernel.

The engine works in chunks of a few hundred thousand points, so it allocates
and frees arrays of a few MB thousands of times. With glibc's defaults each such array
is a fresh ``mmap`` whose pages the kernel must fault in and zero again, and
that page-fault work was about a third of the engine's CPU time (measured in
``bench/``: 0.92 s → 0.61 s CPU for 3M points). Raising the mmap threshold to
its maximum (32 MB) and the trim threshold to 1 GB lets the chunks reuse the
same heap memory. Peak memory is unchanged: only memory that was already in
use is kept for reuse.

This is a setting of the whole process, so only the command line
(``geo.cli.main``) and the benchmark call :func:`configure`; library code, and
so the Streamlit server, never does (``tests/test_engine_allocator.py``).
Processes started afterwards (the demo build's worker) get the same settings
through ``$GLIBC_TUNABLES``, which glibc reads when a process starts.

Only glibc (Linux) has ``mallopt``; elsewhere this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from functools import cache

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3

MMAP_THRESHOLD_BYTES = 32 * 1024 * 1024
"""Allocations below this come from the heap (glibc's maximum on 64-bit)."""

TRIM_THRESHOLD_BYTES = 1024 * 1024 * 1024
"""Free memory at the top of the heap is returned to the kernel only above this."""

TUNABLES = (f"glibc.malloc.mmap_threshold={MMAP_THRESHOLD_BYTES}"
            f":glibc.malloc.trim_threshold={TRIM_THRESHOLD_BYTES}")
"""The same two settings as glibc tunables, for processes started by this one."""


@cache
def configure() -> bool:
    """Tune glibc's allocator for this process and its future children, once; True when it took effect here.

    Process-wide: call it from a program's entry point (the CLI, the
    benchmark), never from code a server imports.
    """
    existing = os.environ.get("GLIBC_TUNABLES")
    os.environ["GLIBC_TUNABLES"] = f"{existing}:{TUNABLES}" if existing else TUNABLES
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (e.g. musl, macOS)
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES))
