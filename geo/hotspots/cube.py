"""The space-time cube: encounter counts per H3 cell × period, zeros included.

Encounters are counted by their **local date** (Europe/Oslo, PRODUCT.md
"Which date counts") into periods labelled by :func:`geo.timeutil.period_label`,
and by the H3 cell (EPSG:4326 lattice) stored with each encounter at the chosen
resolution. Every period between the first and the last day is a column,
including periods without a single encounter, so zeros count.

Dates given by the caller that cut through a period are moved to whole
periods, so a half-covered first or last period does not look like a rise or
a drop (unless no whole period is left); the periods left out are listed in
:attr:`CountCube.left_out`. Open ends follow the first and last selected
encounter.

The study area is the set of cells with at least one selected encounter plus
their k-ring neighbours (``k`` rings of hexagons), which enter with zero counts:
a hot spot is then judged against its quiet surroundings too, not only against
other busy cells. Team/kind/shift filters select encounters through their patrol
exactly as on the other pages (:func:`geo.queries.aggregate_reads.encounters`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from geo.timeutil import LABEL as PERIOD_LABEL
from geo.timeutil import complete_range, periods_between
from geo.engine.cells import check_resolution, k_ring_cells
from geo.queries import aggregate_reads
from geo.queries.filters import Filters
from geo.schema import LOCAL_DATE
from geo.store.base import Store
from geo.timeutil import period_label

CUBE_PERIOD_KINDS = ("month", "tertial", "quarter", "year")
"""Period kinds for hot spot trends (weeks are too short and too many for stable Gi* values)."""

_DAY = "day"
_CELL = "cell"
_N = "encounters"


@dataclass(frozen=True, slots=True)
class CountCube:
    """Encounter counts per cell and period.

    Attributes
    ----------
    cells
        H3 cells (uint64), sorted; the study area (cells with data + k-ring padding).
    periods
        Period labels in chronological order, without gaps.
    counts
        Encounters, int64 array (len(cells), len(periods)).
    observed
        Boolean (len(cells),): the cell has at least one encounter (False = padding).
    left_out
        Labels of partly covered periods at the ends that were left out.
    """

    cells: np.ndarray
    periods: tuple[str, ...]
    counts: np.ndarray
    observed: np.ndarray
    left_out: tuple[str, ...] = ()


def count_cube(store: Store, filters: Filters, *, period: str, res: int, k: int) -> CountCube:
    """The cube of selected encounters (``filters``) by ``period`` kind at H3 resolution ``res``.

    The periods run from ``filters.first_day`` to ``filters.last_day``, moved
    to whole periods (see the module docstring); an open end is the first
    (last) local date of the selected encounters.
    """
    _check_period(period)
    check_resolution(res)
    frame = aggregate_reads.encounters(store, filters, keys={_CELL: f"e.cell_{res}", _DAY: f"e.{LOCAL_DATE}"})
    frame = frame[frame[_CELL].notna() & (frame[_N] > 0)]
    if frame.empty:
        return CountCube(np.zeros(0, np.uint64), (), np.zeros((0, 0), np.int64), np.zeros(0, bool))
    days = pd.to_datetime(frame[_DAY]).dt.date
    first = filters.first_day or min(days)
    last = filters.last_day or max(days)
    whole = complete_range(first, last, period)
    left_out: tuple[str, ...] = ()
    if whole is not None:
        start = whole[0] if filters.first_day is not None else first
        end = whole[1] if filters.last_day is not None else last
        kept = set(periods_between(start, end, period)[PERIOD_LABEL])
        left_out = tuple(p for p in periods_between(first, last, period)[PERIOD_LABEL] if p not in kept)
        first, last = start, end
    cube = cube_from_counts(frame[_CELL].to_numpy().astype(np.int64).astype(np.uint64), days.to_numpy(),
                            frame[_N].to_numpy(), period=period, first_day=first, last_day=last, k=k)
    return replace(cube, left_out=left_out)


def cube_from_counts(cells: np.ndarray, days: np.ndarray, counts: np.ndarray, *, period: str,
                     first_day: dt.date, last_day: dt.date, k: int) -> CountCube:
    """The cube from counts per (H3 cell as uint64, local date); rows outside the range are dropped."""
    _check_period(period)
    periods = periods_between(first_day, last_day, period)[PERIOD_LABEL].tolist()  # every period, even empty
    frame = pd.DataFrame({_CELL: np.asarray(cells, dtype=np.uint64), _DAY: pd.to_datetime(pd.Series(days)),
                          _N: np.asarray(counts, dtype=np.int64)})
    frame = frame[(frame[_DAY] >= pd.Timestamp(first_day)) & (frame[_DAY] <= pd.Timestamp(last_day))]
    observed_cells = np.unique(frame[_CELL].to_numpy())
    study = k_ring_cells(observed_cells, k)  # sorted, the observed cells themselves included
    row = np.searchsorted(study, frame[_CELL].to_numpy())
    column = pd.Index(periods).get_indexer(period_label(frame[_DAY], period))
    cube = np.zeros((len(study), len(periods)), dtype=np.int64)
    np.add.at(cube, (row, column), frame[_N].to_numpy())
    return CountCube(study, tuple(periods), cube, np.isin(study, observed_cells))


def _check_period(period: str) -> None:
    if period not in CUBE_PERIOD_KINDS:
        raise ValueError(f"period must be one of {', '.join(CUBE_PERIOD_KINDS)}; got {period!r}")
