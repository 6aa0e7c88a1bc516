"""Which code finds H3 cells: Feltkart's own kernel (:mod:`geo.engine.h3grid`) or h3ronpy.

``$FELTKART_KERNELS`` is read once, when this module is first imported:

- unset, empty or ``fast`` (the default): :mod:`geo.engine.h3grid`, H3's
  cell assignment by vectorised lattice arithmetic;
- ``reference``: h3ronpy for every H3 cell lookup, and segments split at
  cell edges by bisection on h3ronpy lookups
  (:mod:`geo.engine.h3ref`).

Both give the same presence tables: the same cells, and a segment's share of
each cell within 2**-24 (6e-8) of its length (``tests/test_engine_kernels.py``).
The reference mode is the yardstick of ``bench/kernels.py``, which runs the
same user commands in both modes; it is how the kernel shows that it earns
its place (``bench/README.md``).
"""

from __future__ import annotations

import os

KERNELS_ENV = "FELTKART_KERNELS"
MODES = ("fast", "reference")


def read_mode(value: str | None) -> str:
    """The kernel mode named by ``value`` (the environment variable's text); empty means ``fast``."""
    mode = (value or "").strip().lower() or "fast"
    if mode not in MODES:
        raise ValueError(f"${KERNELS_ENV} must be one of {', '.join(MODES)} (or unset); got {value!r}")
    return mode


REFERENCE: bool = read_mode(os.environ.get(KERNELS_ENV)) == "reference"
"""True when H3 cells come from h3ronpy instead of :mod:`geo.engine.h3grid`."""
