"""Disclosure control for everything that leaves for partners (PRODUCT.md).

Implemented once, here and in :mod:`geo.report.audit`; every partner format (PDF,
HTML, CSV, the page's preview) shows only what these functions return.

- **Primary suppression**: a count from 1 to k−1 is shown as ``<k``; zero
  stays zero. ``k`` is :data:`DEFAULT_K` by default and never below
  :data:`MIN_K`.
- **Secondary suppression**: wherever a total is shown (here or in another
  table of the same export), no suppressed entry may be recoverable. Every
  *line* (the cells of a row or column plus their shown total) with exactly
  one suppressed entry gets its smallest nonzero shown member suppressed too
  (``x``), repeated to a fixed point; totals are entries like any other.
- **Audit**: the whole export's equations are then solved as a linear/integer
  programme (:func:`geo.report.audit.secure`): every suppressed entry keeps a
  feasible interval that meets :class:`~geo.report.audit.Protection` (a
  ``<k`` stays possibly anything from 1 to k−1, an ``x`` keeps an interval
  at least k wide), or more entries are suppressed until it does; where the
  ``<k`` marks themselves say too much, one is withheld (``:``).
- **Presence** of fewer than :data:`MIN_PATROLS_FOR_PRESENCE` patrols is
  withheld (:func:`disclose_presence`).

Results carry no suppressed value: a :class:`Count` holds ``value=None``
when suppressed, so no renderer can leak it by accident.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

from geo.report.audit import HIDDEN, SHOWN, SMALL, WITHHELD, Protection, System, secure

MIN_K = 3
"""Smallest allowed k (PRODUCT.md: never below 3)."""

DEFAULT_K = 5
"""Default k: counts 1–4 are shown as ``<5``."""

SECONDARY_MARK = "x"
"""How an entry suppressed only to protect another one is shown (always a count of at least k)."""

WITHHELD_MARK = ":"
"""How a withheld entry is shown: not given at all (a count of at least 1; the symbol Norwegian
official statistics use for "not shown for confidentiality"). Used where the ``<k`` marks alone
would narrow a small count, e.g. a ``<k`` total over several ``<k`` cells."""

MIN_PATROLS_FOR_PRESENCE = 3
"""Presence hours of fewer patrols than this (in one area, or in the whole period) are never
shown to partners: with one or two patrols they are one patrol's own whereabouts."""

_TOLERANCE = 1e-9


class Status(StrEnum):
    """Why a number is or is not shown."""

    SHOWN = "shown"
    SMALL = "small"  # primary: 1..k-1, shown as "<k"
    HIDDEN = "hidden"  # secondary: shown as "x" so that no small count can be recovered
    WITHHELD = "withheld"  # not given at all, shown as ":" (where even "<k" would say too much)


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
        """``1 234`` (thin-space thousands, Norwegian style), ``<k``, ``x`` or ``:``."""
        if self.status is Status.SMALL:
            return f"<{self.k}"
        if self.status is Status.HIDDEN:
            return SECONDARY_MARK
        if self.status is Status.WITHHELD:
            return WITHHELD_MARK
        return format_int(self.value)

    @property
    def may_be_large(self) -> bool:
        """Suppressed, and possibly k or more (``x`` or ``:``): it may be larger than any shown count."""
        return self.status in (Status.HIDDEN, Status.WITHHELD)

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


PRESENCE_WITHHELD = f"<{MIN_PATROLS_FOR_PRESENCE} patruljer"
"""How withheld presence hours are printed."""


def disclose_presence(hours: float, patrols: int) -> float | None:
    """``hours`` (patrol-hours) when at least :data:`MIN_PATROLS_FOR_PRESENCE` patrols make them
    up; None (withheld, printed :data:`PRESENCE_WITHHELD`) otherwise. No presence at all is 0."""
    if patrols < 0 or hours < 0:
        raise ValueError(f"hours and patrols must be ≥ 0; got {hours!r} hours of {patrols!r} patrols")
    if patrols == 0:
        return 0.0
    return float(hours) if patrols >= MIN_PATROLS_FOR_PRESENCE else None


def presence_withheld_text() -> str:
    """The mark printed instead of withheld presence hours."""
    return PRESENCE_WITHHELD


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


def protect(values: np.ndarray, lines: Sequence[Line], *, k: int, suppressed: np.ndarray | None = None,
            protection: Protection | None = None) -> np.ndarray:
    """Status code of every entry: 0 shown, 1 primary (``<k``), 2 secondary (``x``), 4 withheld (``:``).

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
    protection
        When a pattern is accepted (:class:`~geo.report.audit.Protection`;
        default :meth:`Protection.default` for ``k``).
    """
    k = check_k(k)
    values = _as_counts(np.asarray(values), "values")
    if suppressed is not None:
        extra = np.asarray(suppressed, dtype=bool)
        if extra.shape != values.shape:
            raise ValueError(f"suppressed has shape {extra.shape}; values have {values.shape}")
    for line in lines:
        members = [*line.cells, line.total]
        if members and (min(members) < 0 or max(members) >= len(values)):
            raise ValueError(f"a line refers to entry {max(members)}, but there are only {len(values)} entries")
    system = System()
    for i, v in enumerate(values):
        system.add(i, int(v))
    for line in lines:
        system.sum_of(line.cells, line.total)
    forced = np.flatnonzero(suppressed) if suppressed is not None else ()
    status = secure(system, protection or Protection.default(k),
                    status=system.initial_status(k, forced=[int(i) for i in forced]))
    return status.astype(np.int8)


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


@dataclass(frozen=True)
class TableLayout:
    """Where the cells and totals of one two-way table sit in a :class:`~geo.report.audit.System`."""

    index: pd.Index
    columns: pd.Index
    cells: np.ndarray
    row_totals: np.ndarray | None
    column_totals: np.ndarray | None
    grand_total: int | None

    def protected(self, system: System, status: np.ndarray, *, k: int) -> ProtectedTable:
        """The table as :class:`Count` objects under the final ``status``."""
        def count(i: int) -> Count:
            return _count(system.values[i], _STATUS[int(status[i])], k)

        grid = np.empty(self.cells.shape, dtype=object)
        for (r, c), i in np.ndenumerate(self.cells):
            grid[r, c] = count(int(i))
        return ProtectedTable(
            cells=pd.DataFrame(grid, index=self.index, columns=self.columns),
            row_totals=None if self.row_totals is None else pd.Series(
                [count(int(i)) for i in self.row_totals], index=self.index, dtype=object),
            column_totals=None if self.column_totals is None else pd.Series(
                [count(int(i)) for i in self.column_totals], index=self.columns, dtype=object),
            grand_total=None if self.grand_total is None else count(self.grand_total),
            k=k,
        )


def add_table(system: System, name: str, counts: pd.DataFrame, *,
              row_totals: bool | Sequence[Hashable] = False, column_totals: bool | Sequence[Hashable] = False,
              grand_total: Hashable | None = None) -> TableLayout:
    """Add a two-way table of counts and its published equations to ``system``.

    Cells are keyed ``(name, row, column)``. ``row_totals`` / ``column_totals``
    are True (keys of this table) or the keys of totals shared with other
    tables (e.g. the category totals printed in two tables are one number);
    ``grand_total`` is the key of the grand total (``(name, "total")`` when
    both margins are published and no key is given). With a margin the grand
    total is the sum of that margin; with none it is the sum of all cells.
    """
    cells = _as_counts(counts.to_numpy(), "counts").reshape(counts.shape)
    n_rows, n_cols = cells.shape
    index = np.empty((n_rows, n_cols), dtype=np.int64)
    for r, row in enumerate(counts.index):
        for c, column in enumerate(counts.columns):
            index[r, c] = system.add((name, row, column), int(cells[r, c]))
    row_ids = col_ids = None
    if row_totals is not False:
        keys = [(name, "row", row) for row in counts.index] if row_totals is True else list(row_totals)
        row_ids = np.asarray([system.add(key, int(v)) for key, v in zip(keys, cells.sum(axis=1))], dtype=np.int64)
        for r, key in enumerate(keys):
            system.sum_of([system.keys[i] for i in index[r]], key)
    if column_totals is not False:
        keys = [(name, "column", col) for col in counts.columns] if column_totals is True else list(column_totals)
        col_ids = np.asarray([system.add(key, int(v)) for key, v in zip(keys, cells.sum(axis=0))], dtype=np.int64)
        for c, key in enumerate(keys):
            system.sum_of([system.keys[i] for i in index[:, c]], key)
    if grand_total is None and row_ids is not None and col_ids is not None:
        grand_total = (name, "total")
    grand_id = None
    if grand_total is not None:
        grand_id = system.add(grand_total, int(cells.sum()))
        if row_ids is not None:
            system.sum_of([system.keys[i] for i in row_ids], grand_total)
        if col_ids is not None:
            system.sum_of([system.keys[i] for i in col_ids], grand_total)
        if row_ids is None and col_ids is None:
            system.sum_of([system.keys[i] for i in index.ravel()], grand_total)
    return TableLayout(counts.index, counts.columns, index, row_ids, col_ids, grand_id)


def protect_table(counts: pd.DataFrame, *, k: int, row_totals: bool = False, column_totals: bool = False,
                  grand_total: int | None = None, suppressed_row_totals: Sequence[bool] | None = None,
                  grand_total_suppressed: bool = False, protection: Protection | None = None) -> ProtectedTable:
    """Primary and secondary suppression of one two-way table of counts, audited (:mod:`geo.report.audit`).

    Parameters
    ----------
    counts
        Whole numbers ≥ 0; the index and columns are kept.
    row_totals, column_totals
        Whether the row sums (a last column) / column sums (a last row) are
        published. With both, the grand total is published as well.
    grand_total
        A total of the whole table published elsewhere (e.g. as a key
        figure), when the table itself has neither row nor column totals;
        it must be the sum of the cells.
    suppressed_row_totals, grand_total_suppressed
        Row totals / grand total already suppressed in another table of the
        same export (the same number must not be shown here).

    Tables of one export that share totals are protected together with
    :func:`add_table` and :func:`~geo.report.audit.secure` instead.
    """
    k = check_k(k)
    cells = _as_counts(counts.to_numpy(), "counts").reshape(counts.shape)
    if grand_total is not None and int(grand_total) != int(cells.sum()):
        raise ValueError(f"grand_total ({grand_total}) is not the sum of the cells ({int(cells.sum())})")
    if suppressed_row_totals is not None and not row_totals:
        raise ValueError("suppressed_row_totals needs row_totals=True")
    frame = pd.DataFrame(cells, index=counts.index, columns=counts.columns)
    system = System()
    grand_key = "total" if (grand_total is not None or (row_totals and column_totals)) else None
    layout = add_table(system, "t", frame, row_totals=row_totals, column_totals=column_totals, grand_total=grand_key)
    forced = []
    if suppressed_row_totals is not None:
        forced += [system.keys[i] for i, hide in zip(layout.row_totals, suppressed_row_totals) if hide]
    if grand_total_suppressed and layout.grand_total is not None:
        forced.append(system.keys[layout.grand_total])
    status = secure(system, protection or Protection.default(k), status=system.initial_status(k, forced=forced))
    return layout.protected(system, status, k=k)


_STATUS = {SHOWN: Status.SHOWN, SMALL: Status.SMALL, HIDDEN: Status.HIDDEN, WITHHELD: Status.WITHHELD}


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
    "DEFAULT_K", "MIN_K", "MIN_PATROLS_FOR_PRESENCE", "SECONDARY_MARK", "WITHHELD_MARK", "Count", "Line", "ProtectedTable", "Status",
    "TableLayout", "add_table", "change_of", "check_k", "disclose_count", "disclose_presence", "disclose_share",
    "format_int", "PRESENCE_WITHHELD", "presence_withheld_text", "protect", "protect_table",
]
