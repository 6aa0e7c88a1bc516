"""Which code computes H3 cells and EPSG:25832 coordinates: Feltkart's own kernels or the libraries.

``$FELTKART_KERNELS`` is read once, when this module is first imported:

- unset, empty or ``fast`` (the default): the engine's hand-written kernels;
- ``h3ronpy``: h3ronpy for every H3 cell lookup instead of
  :mod:`geo.engine.h3grid` (segments are split at cell edges by bisection on
  h3ronpy lookups, :func:`geo.engine.cells.reference_split`);
- ``pyproj``: pyproj (``Transformer``, ``always_xy``) for every EPSG:4326 →
  EPSG:25832 projection instead of :mod:`geo.engine.fastproj`;
- ``reference``: both libraries.

All modes give the same presence tables within the documented tolerances
(cells identical; metres within 0.1 mm per point; a segment's shares within
6e-8 of its length). The library modes are the yardstick of
``bench/kernels.py``, which runs the same user commands in each mode, and of
the tests that compare them.
"""

from __future__ import annotations

import os

KERNELS_ENV = "FELTKART_KERNELS"
MODES = {"fast": (False, False), "h3ronpy": (True, False), "pyproj": (False, True), "reference": (True, True)}
"""Mode → (h3ronpy for cells, pyproj for projection)."""


def read_mode(value: str | None) -> tuple[bool, bool]:
    """(h3ronpy for cells, pyproj for projection) of the mode named by ``value``; empty means ``fast``."""
    mode = (value or "").strip().lower() or "fast"
    if mode not in MODES:
        raise ValueError(f"${KERNELS_ENV} must be one of {', '.join(MODES)} (or unset); got {value!r}")
    return MODES[mode]


LIBRARY_CELLS, LIBRARY_PROJECTION = read_mode(os.environ.get(KERNELS_ENV))
"""True where the engine uses the library (h3ronpy; pyproj) instead of its own kernel."""
