"""Row preparation shared by both store backends: what a raw frame must hold before it is written.

Stores never compute anything: the H3 cells of encounters come from the engine
at import (:func:`geo.engine.presence.with_encounter_cells`), so that the data
flows file → engine → store and the store depends on nothing above it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from geo.schema import ENCOUNTER_CELL_COLUMNS, PATROL_FID, PATROL_ID


def encounter_cells(encounters: pd.DataFrame) -> dict[int, np.ndarray]:
    """The H3 cell (int64) of every encounter at each resolution, from its ``cell_<res>`` columns.

    Raises
    ------
    ValueError
        A cell column is missing: the frame did not go through the engine.
    """
    missing = [column for column in ENCOUNTER_CELL_COLUMNS.values() if column not in encounters]
    if missing:
        raise ValueError(f"encounters need their H3 cells in {', '.join(missing)}; "
                         "add them with geo.engine.presence.with_encounter_cells before writing")
    return {res: encounters[column].to_numpy(np.int64) for res, column in ENCOUNTER_CELL_COLUMNS.items()}


def in_pair_order(first: np.ndarray, second: np.ndarray) -> bool:
    """Whether rows are ordered by ``first``, then ``second`` (ties allowed): the order in which
    readers return track points (by patrol, then time) and stores keep them."""
    if len(first) < 2:
        return True
    step = np.diff(first)
    return bool((step >= 0).all() and (np.diff(second)[step == 0] >= 0).all())


def fid_column(patrol_id: pd.Series, lookup: Callable[[list[str]], pd.Series], *, what: str) -> np.ndarray:
    """The integer key (``patrol_fid``, int64) of every row's patrol.

    ``lookup`` maps distinct patrol ids to the stored patrols' fids (a Series
    indexed by id; ids not stored are absent). Rows are hashed in C
    (``pandas.factorize``, Arrow for text) and the store is asked once per
    distinct patrol, never for the whole patrols table.

    Raises
    ------
    ValueError
        A row refers to a patrol that is not stored, or has no patrol id.
    """
    codes, uniques = pd.factorize(patrol_id)
    ids = [str(u) for u in uniques]  # one per patrol
    fids = lookup(ids).reindex(ids)
    if codes.min(initial=0) < 0 or fids.isna().any():
        missing = sorted(fids.index[fids.isna().to_numpy()])[:5] or ["(no id)"]
        raise ValueError(f"{what} refer to patrols not in the store: {missing}; add the patrols first")
    return fids.to_numpy(np.int64)[codes]


def keyed_by_fid(frame: pd.DataFrame, lookup: Callable[[list[str]], pd.Series], *, what: str) -> pd.DataFrame:
    """``frame`` with its ``patrol_id`` column replaced by ``patrol_fid`` in front (see :func:`fid_column`)."""
    out = frame.copy()
    out.insert(0, PATROL_FID, fid_column(out.pop(PATROL_ID), lookup, what=what))
    return out
