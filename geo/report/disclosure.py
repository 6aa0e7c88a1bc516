"""Disclosure control for everything that leaves for partners (PRODUCT.md).

Implemented once, here; every partner format (PDF, HTML, CSV, the page's
preview) shows only what these functions return.

- **Primary suppression**: a count from 1 to k−1 is shown as ``<k``; zero
  stays zero. ``k`` is :data:`DEFAULT_K` by default and never below
  :data:`MIN_K`.
- **Secondary suppression**: wherever a total is shown (here or in another
  table of the same export), no suppressed entry may be recoverable by
  subtraction. Every *line* (the cells of a row or column plus their shown
  total) must hold either no suppressed entry or at least two; a line with
  exactly one gets its smallest non-zero shown member suppressed too (shown
  as ``x``), repeated to a fixed point. Totals are entries like any other:
  a total from 1 to k−1 is itself ``<k``, and the grand total takes part
  in the line of the row totals and the line of the column totals.
- A final check solves the whole linear system of a table (every line at
  once): a suppressed entry that is still exactly determined by the shown
  numbers (possible in two-way tables even with two suppressed entries per
  line) gets another entry of one of its lines suppressed, until none is.

Results carry no suppressed value: a :class:`Count` holds ``value=None``
when suppressed, so no renderer can leak it by accident.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

MIN_K = 3
"""Smallest allowed k (PRODUCT.md: never below 3)."""

DEFAULT_K = 5
"""Default k: counts 1–4 are shown as ``<5``."""

SECONDARY_MARK = "x"
"""How an entry suppressed only to protect another one is shown."""

_TOLERANCE = 1e-9


class Status(StrEnum):
    """Why a number is or is not shown."""

    SHOWN = "shown"
    SMALL = "small"  # primary: 1..k-1, shown as "<k"
    HIDDEN = "hidden"  # secondary: shown as "x" so that no small count can be recovered


@dataclass(frozen=True, slots=True)
class Count:
    """A disclosure-controlled count: ``value`` is None whenever ``status`` is not SHOWN."""

    value: int | None
    status: Status
    k: int

    @property
    def shown(self) -> bool:
        return self.status is Status.SHOWN

    @property
    def text(self) -> str:
        """``1 234`` (thin-space thousands, Norwegian style), ``<k`` or ``x``."""
        if self.status is Status.SMALL:
            return f"<{self.k}"
        if self.status is Status.HIDDEN:
            return SECONDARY_MARK
        return format_int(self.value)

    def __str__(self) -> str:
        return self.text


def format_int(value: float) -> str:
    """A whole number with a space as thousands separator (``12 345``)."""
    return f"{int(round(value)):,}".replace(",", " ")


def check_k(k: object) -> int:
    """``k`` as an int; ValueError unless it is a whole number ≥ :data:`MIN_K`."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < MIN_K:
        raise ValueError(f"k must be a whole number of at least {MIN_K} (PRODUCT.md); got {k!r}")
    return int(k)


def disclose_count(n: float, *, k: int) -> Count:
    """One count on its own (no total shown beside it): primary suppression only."""
    k = check_k(k)
    value = _as_counts(np.asarray([n]), "n")[0]
    return _count(int(value), Status.SMALL if 0 < value < k else Status.SHOWN, k)


def disclose_part(part: int, whole: Count, *, k: int) -> Count:
    """A count ``part`` shown beside its ``whole`` (e.g. new contacts beside all encounters).

    ``<k`` when ``part`` is 1..k−1; hidden (``x``) when ``whole`` is shown and
    ``whole − part`` is 1..k−1, since subtracting would give that count back;
    shown otherwise (a hidden ``whole`` cannot be recovered from ``part``).
    """
    k = check_k(k)
    (value,) = (int(v) for v in _as_counts(np.asarray([part]), "part"))
    if 0 < value < k:
        return _count(value, Status.SMALL, k)
    if whole.shown and 0 < whole.value - value < k:
        return _count(value, Status.HIDDEN, k)
    return _count(value, Status.SHOWN, k)


def disclose_share(part: int, whole: int, *, k: int) -> float | None:
    """``part / whole`` (0–1), or None when it would reveal a count from 1 to k−1.

    Hidden when ``whole`` is below k, or when ``part`` or ``whole − part``
    lies in 1..k−1 (the share and a shown total would give that count back).
    """
    k = check_k(k)
    part, whole = (int(v) for v in _as_counts(np.asarray([part, whole]), "part/whole"))
    if part > whole:
        raise ValueError(f"part ({part}) is larger than whole ({whole})")
    small = [v for v in (part, whole - part) if 0 < v < k]
    if whole < k or small:
        return None
    return part / whole


def change_of(current: Count, previous: Count) -> tuple[int | None, float | None]:
    """Change and change in % of ``previous``; None where either count is not shown
    (a change would reveal the suppressed one), % also None when previous is 0."""
    if not (current.shown and previous.shown):
        return None, None
    change = current.value - previous.value
    pct = 100.0 * change / previous.value if previous.value else None
    return change, pct


# --- the general algorithm ------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Line:
    """A published equation: ``sum(values[cells]) == values[total]``."""

    cells: tuple[int, ...]
    total: int


def protect(values: np.ndarray, lines: Sequence[Line], *, k: int,
            suppressed: np.ndarray | None = None) -> np.ndarray:
    """Status code of every entry: 0 shown, 1 primary (``<k``), 2 secondary (``x``).

    Parameters
    ----------
    values
        Counts (whole numbers ≥ 0), cells and totals alike, as one 1-D array.
    lines
        Every published equation (a total shown, here or elsewhere, with the
        entries that sum to it).
    suppressed
        Entries that must be suppressed already (e.g. because another table
        of the same export suppresses the same number); they count as secondary
        unless they are small themselves.
    """
    k = check_k(k)
    values = _as_counts(np.asarray(values), "values")
    status = np.where((values > 0) & (values < k), 1, 0).astype(np.int8)
    if suppressed is not None:
        extra = np.asarray(suppressed, dtype=bool)
        if extra.shape != values.shape:
            raise ValueError(f"suppressed has shape {extra.shape}; values have {values.shape}")
        status[extra & (status == 0) & (values > 0)] = 2
    members = [np.asarray([*line.cells, line.total], dtype=np.int64) for line in lines]
    for m in members:
        if m.size and (m.min() < 0 or m.max() >= len(values)):
            raise ValueError(f"a line refers to entry {int(m.max())}, but there are only {len(values)} entries")
    while True:
        _lines_to_fixed_point(values, members, status)
        determined = _determined(values, lines, status)
        if not determined.any():
            return status
        _suppress_one_more(values, members, status, determined)


def _lines_to_fixed_point(values: np.ndarray, members: list[np.ndarray], status: np.ndarray) -> None:
    """Suppress the smallest non-zero shown member of every line with exactly one suppressed entry."""
    changed = True
    while changed:
        changed = False
        for m in members:
            if np.count_nonzero(status[m]) == 1:
                _suppress_smallest(values, m, status)
                changed = True


def _suppress_smallest(values: np.ndarray, members: np.ndarray, status: np.ndarray) -> bool:
    candidates = members[(status[members] == 0) & (values[members] > 0)]
    if candidates.size == 0:
        return False
    status[candidates[np.argmin(values[candidates])]] = 2
    return True


def _determined(values: np.ndarray, lines: Sequence[Line], status: np.ndarray) -> np.ndarray:
    """Which suppressed entries the published equations pin down exactly.

    Unknowns are the suppressed entries; entry i is determined iff the unit
    vector e_i lies in the row space of the equations restricted to the
    unknowns, i.e. iff the projection onto that row space keeps it whole.
    """
    unknown = np.flatnonzero(status)
    out = np.zeros(len(values), dtype=bool)
    if unknown.size == 0 or not lines:
        return out
    matrix = _equations(lines, len(values))[:, unknown]
    matrix = matrix[np.any(matrix != 0, axis=1)]
    if matrix.shape[0] == 0:
        return out
    projection_diag = np.einsum("ij,ji->i", np.linalg.pinv(matrix, rcond=1e-10), matrix)
    out[unknown] = projection_diag > 1.0 - 1e-6
    return out


def _equations(lines: Sequence[Line], n: int) -> np.ndarray:
    matrix = np.zeros((len(lines), n), dtype=np.float64)
    for row, line in enumerate(lines):
        matrix[row, list(line.cells)] = 1.0
        matrix[row, line.total] -= 1.0
    return matrix


def _suppress_one_more(values: np.ndarray, members: list[np.ndarray], status: np.ndarray,
                       determined: np.ndarray) -> None:
    """Suppress the smallest non-zero shown entry of the lines through a determined entry.

    When those lines have nothing shown left, the entry is pinned down through
    lines further away: widen to the lines touching those lines, and so on.
    """
    reached = determined.copy()
    while True:
        touching = [m for m in members if reached[m].any()]
        pool = np.unique(np.concatenate(touching)) if touching else np.zeros(0, dtype=np.int64)
        if _suppress_smallest(values, pool, status):
            return
        if reached[pool].all():
            raise RuntimeError("disclosure control found a determined entry it cannot protect; this is a bug")
        reached[pool] = True


# --- tables ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProtectedTable:
    """A two-way table of counts after disclosure control.

    ``cells`` has the input's index and columns and holds :class:`Count`
    objects; ``row_totals`` / ``column_totals`` are Series of Counts (None
    when not published) and ``grand_total`` a Count (or None).
    """

    cells: pd.DataFrame
    row_totals: pd.Series | None
    column_totals: pd.Series | None
    grand_total: Count | None
    k: int

    def text(self, *, total_label: str = "Totalt") -> pd.DataFrame:
        """The table as display strings, totals as a last column / row named ``total_label``."""
        out = self.cells.map(str)
        if self.row_totals is not None:
            out[total_label] = self.row_totals.map(str)
        if self.column_totals is not None:
            row = self.column_totals.map(str)
            if self.row_totals is not None:
                row[total_label] = str(self.grand_total) if self.grand_total is not None else ""
            out.loc[total_label] = row
        return out

    def values(self) -> pd.DataFrame:
        """Shown cell values as nullable integers (<NA> where suppressed)."""
        return self.cells.map(lambda c: c.value).astype("Int64")

    def suppressed(self) -> pd.DataFrame:
        """Boolean mask of the suppressed cells."""
        return self.cells.map(lambda c: not c.shown)


def protect_table(counts: pd.DataFrame, *, k: int, row_totals: bool = False, column_totals: bool = False,
                  grand_total: int | None = None, suppressed_row_totals: Sequence[bool] | None = None,
                  grand_total_suppressed: bool = False) -> ProtectedTable:
    """Primary and secondary suppression of a two-way table of counts.

    Parameters
    ----------
    counts
        Whole numbers ≥ 0; the index and columns are kept.
    row_totals, column_totals
        Whether the row sums (a last column) / column sums (a last row) are
        published. With both, the grand total is published as well.
    grand_total
        A total of the whole table published elsewhere (e.g. as a key
        figure), when the table itself has neither row nor column totals.
        It may exceed the sum of the cells when rows overlap (an encounter
        in two overlapping areas): the check then treats it as if it were
        the sum, which only suppresses more.
    suppressed_row_totals, grand_total_suppressed
        Row totals / grand total already suppressed in another table of the
        same export (the same number must not be shown here).
    """
    k = check_k(k)
    cells = _as_counts(counts.to_numpy(), "counts").reshape(counts.shape)
    n_rows, n_cols = cells.shape
    entries = [cells.ravel()]
    index = np.arange(n_rows * n_cols).reshape(n_rows, n_cols)
    next_id = n_rows * n_cols
    lines: list[Line] = []
    row_ids = col_ids = None
    if row_totals:
        row_ids = np.arange(next_id, next_id + n_rows)
        entries.append(cells.sum(axis=1))
        next_id += n_rows
        lines += [Line(tuple(index[i]), int(row_ids[i])) for i in range(n_rows)]
    if column_totals:
        col_ids = np.arange(next_id, next_id + n_cols)
        entries.append(cells.sum(axis=0))
        next_id += n_cols
        lines += [Line(tuple(index[:, j]), int(col_ids[j])) for j in range(n_cols)]
    grand_id = None
    if (row_totals and column_totals) or grand_total is not None:
        grand_id = next_id
        entries.append(np.asarray([cells.sum() if grand_total is None else grand_total]))
        if row_ids is not None:
            lines.append(Line(tuple(row_ids), grand_id))
        if col_ids is not None:
            lines.append(Line(tuple(col_ids), grand_id))
        if row_ids is None and col_ids is None:
            lines.append(Line(tuple(index.ravel()), grand_id))
    values = np.concatenate(entries).astype(np.int64)
    forced = np.zeros(len(values), dtype=bool)
    if suppressed_row_totals is not None:
        if row_ids is None:
            raise ValueError("suppressed_row_totals needs row_totals=True")
        forced[row_ids] = np.asarray(suppressed_row_totals, dtype=bool)
    if grand_total_suppressed and grand_id is not None:
        forced[grand_id] = True
    status = protect(values, lines, k=k, suppressed=forced)
    as_counts = [_count(int(v), _STATUS[s], k) for v, s in zip(values, status)]
    grid = np.empty((n_rows, n_cols), dtype=object)
    grid[:, :] = np.asarray(as_counts[: n_rows * n_cols], dtype=object).reshape(n_rows, n_cols)
    return ProtectedTable(
        cells=pd.DataFrame(grid, index=counts.index, columns=counts.columns),
        row_totals=None if row_ids is None else pd.Series([as_counts[i] for i in row_ids], index=counts.index, dtype=object),
        column_totals=None if col_ids is None else pd.Series([as_counts[i] for i in col_ids], index=counts.columns, dtype=object),
        grand_total=None if grand_id is None else as_counts[grand_id],
        k=k,
    )


_STATUS = {0: Status.SHOWN, 1: Status.SMALL, 2: Status.HIDDEN}


def _count(value: int, status: Status, k: int) -> Count:
    return Count(value if status is Status.SHOWN else None, status, k)


def _as_counts(values: np.ndarray, name: str) -> np.ndarray:
    """Whole numbers ≥ 0 as int64; ValueError naming ``name`` otherwise."""
    if values.size == 0:
        return values.astype(np.int64).ravel()
    as_float = pd.to_numeric(pd.Series(values.ravel()), errors="coerce").to_numpy(np.float64)
    bad = ~np.isfinite(as_float) | (as_float < 0) | (np.abs(as_float - np.round(as_float)) > _TOLERANCE)
    if bad.any():
        raise ValueError(f"{name} must be whole counts ≥ 0; got {values.ravel()[bad][:3].tolist()}")
    return np.round(as_float).astype(np.int64)


__all__ = [
    "DEFAULT_K", "MIN_K", "SECONDARY_MARK", "Count", "Line", "ProtectedTable", "Status", "change_of",
    "check_k", "disclose_count", "disclose_share", "format_int", "protect", "protect_table",
]
