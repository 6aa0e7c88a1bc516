"""Disclosure control (geo.report.disclosure): hand-computed tables and hypothesis properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.report.disclosure import (
    Count,
    Line,
    Status,
    change_of,
    check_k,
    disclose_count,
    disclose_part,
    disclose_share,
    protect,
    protect_table,
)


def _table(rows: list[list[int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, index=[f"r{i}" for i in range(len(rows))],
                        columns=[f"c{j}" for j in range(len(rows[0]))])


# --- single counts ----------------------------------------------------------------------------
@pytest.mark.parametrize(("n", "text"), [(0, "0"), (1, "<5"), (4, "<5"), (5, "5"), (12345, "12 345")])
def test_single_count_small_values_are_shown_as_less_than_k(n, text):
    assert disclose_count(n, k=5).text == text


def test_suppressed_count_carries_no_value():
    count = disclose_count(3, k=5)
    assert count.value is None and count.status is Status.SMALL and not count.shown


def test_k_can_be_raised():
    assert disclose_count(6, k=7).text == "<7"
    assert disclose_count(7, k=7).text == "7"


@pytest.mark.parametrize("k", [2, 0, -1, 4.5, "5", True, None])
def test_k_below_three_or_not_whole_is_refused(k):
    with pytest.raises(ValueError, match="k must be a whole number of at least 3"):
        check_k(k)


def test_negative_or_fractional_counts_are_refused():
    with pytest.raises(ValueError, match="n must be whole counts"):
        disclose_count(-1, k=5)
    with pytest.raises(ValueError, match="counts must be whole counts"):
        protect_table(pd.DataFrame([[1.5, 2]]), k=5, row_totals=True)


def test_share_hidden_when_it_would_reveal_a_small_count():
    assert disclose_share(10, 40, k=5) == pytest.approx(0.25)
    assert disclose_share(3, 40, k=5) is None  # 3 under 18
    assert disclose_share(38, 40, k=5) is None  # 2 not under 18
    assert disclose_share(0, 40, k=5) == 0.0
    assert disclose_share(2, 4, k=5) is None  # whole below k
    with pytest.raises(ValueError, match="part \\(5\\) is larger than whole \\(4\\)"):
        disclose_share(5, 4, k=3)


def test_change_is_hidden_when_either_side_is_suppressed():
    shown = disclose_count(20, k=5)
    assert change_of(shown, disclose_count(10, k=5)) == (10, pytest.approx(100.0))
    assert change_of(shown, disclose_count(3, k=5)) == (None, None)
    assert change_of(disclose_count(3, k=5), shown) == (None, None)
    assert change_of(shown, disclose_count(0, k=5)) == (20, None)


# --- tables, hand-computed -------------------------------------------------------------------------
def test_one_small_cell_in_a_row_with_total_takes_the_next_smallest_with_it():
    table = protect_table(_table([[3, 10, 7]]), k=5, row_totals=True)
    assert table.text().loc["r0"].tolist() == ["<5", "10", "x", "20"]


def test_two_way_table_hand_computed():
    # r0 has 3 (<5) → its next smallest, 7, goes; column c0 then has one (3) →
    # its next smallest, 6; column c2 has one (7) → 12; row r2 now has two.
    table = protect_table(_table([[3, 10, 7], [20, 8, 0], [6, 9, 12]]), k=5, row_totals=True, column_totals=True)
    text = table.text()
    assert text.loc["r0"].tolist() == ["<5", "10", "x", "20"]
    assert text.loc["r1"].tolist() == ["20", "8", "0", "28"]
    assert text.loc["r2"].tolist() == ["x", "9", "x", "27"]
    assert text.loc["Totalt"].tolist() == ["29", "27", "19", "75"]


def test_zero_stays_zero_and_a_small_total_is_small_too():
    table = protect_table(_table([[3, 0], [0, 0]]), k=5, row_totals=True, column_totals=True)
    assert table.text().loc["r0"].tolist() == ["<5", "0", "<5"]
    assert table.text().loc["Totalt"].tolist() == ["<5", "0", "<5"]


def test_a_cell_alone_with_a_total_hides_the_total():
    # c0 is hidden (x, for column 0); row r0's only other member is its total.
    table = protect_table(_table([[10, 0], [3, 2]]), k=5, row_totals=True, column_totals=True)
    text = table.text()
    assert text.loc["r0", "c0"] == "x"
    assert text.loc["r0", "Totalt"] == "x"


def test_published_grand_total_protects_a_single_small_cell():
    # Areas with no total row, but the total of encounters is a key figure.
    table = protect_table(_table([[50], [3], [40]]), k=5, grand_total=93)
    assert table.text()["c0"].tolist() == ["50", "<5", "x"]
    assert str(table.grand_total) == "93"


def test_row_total_suppressed_elsewhere_is_suppressed_here():
    table = protect_table(_table([[10, 20], [30, 40]]), k=5, row_totals=True, suppressed_row_totals=[True, False])
    assert table.text().loc["r0"].tolist() == ["x", "20", "x"]  # 10 goes with the hidden total
    assert table.text().loc["r1"].tolist() == ["30", "40", "70"]


def test_system_check_catches_what_the_line_rule_misses():
    # Unknowns x0, x1, x2 with lines x0 + x1 = t0, x1 + x2 = t1, x0 + x2 = t2
    # (each line has two unknowns) determine every x: x0 = (t0 - t1 + t2) / 2.
    values = np.array([3, 3, 3, 6, 6, 6])
    lines = [Line((0, 1), 3), Line((1, 2), 4), Line((0, 2), 5)]
    status = protect(values, lines, k=5)
    assert not _determined_cells(values, lines, status).any()
    assert np.count_nonzero(status[3:]) >= 1


# --- properties ---------------------------------------------------------------------------------------
def _determined_cells(values: np.ndarray, lines: list[Line], status: np.ndarray) -> np.ndarray:
    """Independent check: entry i is recoverable iff dropping its column lowers the rank."""
    unknown = np.flatnonzero(status)
    matrix = np.zeros((len(lines), len(values)))
    for r, line in enumerate(lines):
        matrix[r, list(line.cells)] = 1
        matrix[r, line.total] -= 1
    sub = matrix[:, unknown]
    out = np.zeros(len(values), dtype=bool)
    if sub.size == 0:
        return out
    rank = np.linalg.matrix_rank(sub)
    for j, i in enumerate(unknown):
        out[i] = np.linalg.matrix_rank(np.delete(sub, j, axis=1)) < rank
    return out


small_counts = st.one_of(st.integers(0, 0), st.integers(1, 6), st.integers(7, 60))


@st.composite
def tables(draw):
    rows = draw(st.integers(1, 6))
    cols = draw(st.integers(1, 6))
    cells = draw(st.lists(st.lists(small_counts, min_size=cols, max_size=cols), min_size=rows, max_size=rows))
    return _table(cells)


def _published(table: pd.DataFrame, result, row_totals: bool, column_totals: bool):
    """Every published number with its Count, as (true value, Count) pairs, and the lines."""
    cells = table.to_numpy()
    entries = [(int(v), c) for v, c in zip(cells.ravel(), result.cells.to_numpy().ravel())]
    lines = []
    n = len(entries)
    idx = np.arange(n).reshape(cells.shape)
    if row_totals:
        row_ids = range(n, n + cells.shape[0])
        entries += [(int(v), c) for v, c in zip(cells.sum(axis=1), result.row_totals)]
        lines += [Line(tuple(idx[i]), r) for i, r in enumerate(row_ids)]
        n = len(entries)
    if column_totals:
        col_ids = range(n, n + cells.shape[1])
        entries += [(int(v), c) for v, c in zip(cells.sum(axis=0), result.column_totals)]
        lines += [Line(tuple(idx[:, j]), c) for j, c in enumerate(col_ids)]
        n = len(entries)
    if row_totals and column_totals:
        entries.append((int(cells.sum()), result.grand_total))
        lines += [Line(tuple(row_ids), n), Line(tuple(col_ids), n)]
    return entries, lines


@settings(max_examples=300, deadline=None)
@given(tables(), st.integers(3, 8), st.booleans(), st.booleans())
def test_no_published_number_is_small_or_recoverable(table, k, row_totals, column_totals):
    result = protect_table(table, k=k, row_totals=row_totals, column_totals=column_totals)
    entries, lines = _published(table, result, row_totals, column_totals)
    for true, count in entries:
        assert isinstance(count, Count)
        if count.shown:
            assert count.value == true
            assert not 0 < count.value < k, "a shown count lies in 1..k-1"
        else:
            assert count.value is None and true > 0, "zero must stay zero"
            assert count.text in (f"<{k}", "x")
            assert (count.text == f"<{k}") == (true < k)
    status = np.array([0 if c.shown else 1 for _, c in entries])
    for line in lines:
        members = [*line.cells, line.total]
        assert np.count_nonzero(status[members]) != 1, "a line with a total has exactly one suppressed entry"
    values = np.array([v for v, _ in entries])
    assert not _determined_cells(values, lines, status).any(), "a suppressed entry is recoverable from the totals"


@settings(max_examples=100, deadline=None)
@given(tables(), st.integers(3, 8))
def test_without_totals_only_small_counts_are_suppressed(table, k):
    result = protect_table(table, k=k)
    expected = (table > 0) & (table < k)
    pd.testing.assert_frame_equal(result.suppressed().astype(bool), expected)


def test_a_part_beside_its_shown_total_hides_a_small_complement():
    total = disclose_count(30, k=5)
    assert disclose_part(27, total, k=5).text == "x"  # 30 − 27 = 3 would be given away
    assert disclose_part(27, total, k=5).value is None
    assert disclose_part(3, total, k=5).text == "<5"
    assert disclose_part(25, total, k=5).value == 25  # complement 5 ≥ k
    assert disclose_part(30, total, k=5).value == 30  # complement 0 reveals nothing small
    assert disclose_part(0, total, k=5).value == 0


def test_a_part_beside_a_hidden_total_is_shown_when_it_is_not_small():
    hidden_total = Count(None, Status.HIDDEN, 5)
    assert disclose_part(40, hidden_total, k=5).value == 40
