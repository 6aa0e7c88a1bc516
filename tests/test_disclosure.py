"""Disclosure control (geo.report.disclosure): hand-computed tables and hypothesis properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.report.audit import Auditor, Protection, System, apply_line_rule
from geo.report.disclosure import (
    MIN_PATROLS_FOR_PRESENCE,
    PRESENCE_WITHHELD,
    Count,
    Line,
    Status,
    change_of,
    check_k,
    disclose_count,
    disclose_part,
    disclose_presence,
    disclose_share,
    protect,
    protect_table,
)
from tests.attacker import attack_table, judge


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


def test_presence_of_fewer_than_three_patrols_is_withheld():
    assert MIN_PATROLS_FOR_PRESENCE == 3 and PRESENCE_WITHHELD == "<3 patruljer"
    assert disclose_presence(12.5, 3) == 12.5
    assert disclose_presence(12.5, 2) is None  # two patrols' own whereabouts
    assert disclose_presence(0.4, 1) is None
    assert disclose_presence(0.0, 0) == 0.0  # no patrol, no presence: nothing to protect
    with pytest.raises(ValueError, match=r"hours and patrols must be ≥ 0; got -1.0 hours of 2 patrols"):
        disclose_presence(-1.0, 2)


def test_change_is_hidden_when_either_side_is_suppressed():
    shown = disclose_count(20, k=5)
    assert change_of(shown, disclose_count(10, k=5)) == (10, pytest.approx(100.0))
    assert change_of(shown, disclose_count(3, k=5)) == (None, None)
    assert change_of(disclose_count(3, k=5), shown) == (None, None)
    assert change_of(shown, disclose_count(0, k=5)) == (20, None)


# --- tables, hand-computed -------------------------------------------------------------------------
LINE_RULE_ONLY = Protection(k=5, secondary_width=0, latent_width=3)
"""Primary cells protected, no width asked of secondary ones: the line rule's own patterns."""


def test_one_small_cell_in_a_row_with_total_takes_the_next_smallest_with_it():
    # 3 + x = 20 − 10 gives x = 7 ± 3 (3 is 1..4) and the <5 keeps 1..4: enough without a secondary width
    table = protect_table(_table([[3, 10, 7]]), k=5, row_totals=True, protection=LINE_RULE_ONLY)
    assert table.text().loc["r0"].tolist() == ["<5", "10", "x", "20"]


def test_a_secondary_cell_is_kept_at_least_k_wide_by_hiding_one_more():
    # with x = 10 − <5 the x is 6..9, 3 wide < k = 5: the 10 goes too; then <5 + x + x = 20 leaves
    # the first x anything from 5 to 14
    table = protect_table(_table([[3, 10, 7]]), k=5, row_totals=True)
    assert table.text().loc["r0"].tolist() == ["<5", "x", "x", "20"]


def test_two_way_table_hand_computed():
    # r0 has 3 (<5) → its next smallest, 7, goes; column c0 then has one (3) →
    # its next smallest, 6; column c2 has one (7) → 12; row r2 now has two. The
    # four form a cycle 3 − t, 7 + t, 6 + t, 12 − t with t from −1 to 2: the 3 keeps 1..4.
    table = protect_table(_table([[3, 10, 7], [20, 8, 0], [6, 9, 12]]), k=5, row_totals=True, column_totals=True,
                          protection=LINE_RULE_ONLY)
    text = table.text()
    assert text.loc["r0"].tolist() == ["<5", "10", "x", "20"]
    assert text.loc["r1"].tolist() == ["20", "8", "0", "28"]
    assert text.loc["r2"].tolist() == ["x", "9", "x", "27"]
    assert text.loc["Totalt"].tolist() == ["29", "27", "19", "75"]


def test_two_way_table_with_k_wide_secondary_cells_hand_computed():
    # In the cycle above each x moves only with t (3 wide). Hiding the 10 beside the <5
    # (the x at r0/c2 depends on it; it is the smallest such), then the line rule: column c1
    # loses its next smallest, 8, and row r1 its next smallest, 20. Rows r0, r1, r2 each hold
    # three unknowns now, and every x ranges over at least 5.
    table = protect_table(_table([[3, 10, 7], [20, 8, 0], [6, 9, 12]]), k=5, row_totals=True, column_totals=True)
    text = table.text()
    assert text.loc["r0"].tolist() == ["<5", "x", "x", "20"]
    assert text.loc["r1"].tolist() == ["x", "x", "0", "28"]
    assert text.loc["r2"].tolist() == ["x", "9", "x", "27"]
    assert text.loc["Totalt"].tolist() == ["29", "27", "19", "75"]
    assert judge(attack_table(text, k=5), k=5) == []


def test_zero_stays_zero_and_a_small_total_is_small_too():
    table = protect_table(_table([[3, 0], [0, 0]]), k=5, row_totals=True, column_totals=True)
    assert table.text().loc["r0"].tolist() == ["<5", "0", "<5"]
    assert table.text().loc["Totalt"].tolist() == ["<5", "0", "<5"]


def test_a_cell_alone_with_a_total_hides_the_total():
    # c0 is hidden (x, for column 0); row r0's only other member is its total.
    table = protect_table(_table([[10, 0], [3, 2]]), k=5, row_totals=True, column_totals=True,
                          protection=LINE_RULE_ONLY)
    text = table.text()
    assert text.loc["r0", "c0"] == "x"
    assert text.loc["r0", "Totalt"] == "x"


def test_published_grand_total_protects_a_single_small_cell():
    # Areas with no total row, but the total of encounters is a key figure: 3 + x = 43 would
    # leave the x 39..42, so the 50 goes too.
    table = protect_table(_table([[50], [3], [40]]), k=5, grand_total=93)
    assert table.text()["c0"].tolist() == ["x", "<5", "x"]
    assert str(table.grand_total) == "93"
    line_rule = protect_table(_table([[50], [3], [40]]), k=5, grand_total=93, protection=LINE_RULE_ONLY)
    assert line_rule.text()["c0"].tolist() == ["50", "<5", "x"]


def test_a_grand_total_that_is_not_the_sum_is_refused():
    with pytest.raises(ValueError, match=r"grand_total \(94\) is not the sum of the cells \(93\)"):
        protect_table(_table([[50], [3], [40]]), k=5, grand_total=94)


def test_row_total_suppressed_elsewhere_is_suppressed_here():
    table = protect_table(_table([[10, 20], [30, 40]]), k=5, row_totals=True, suppressed_row_totals=[True, False])
    assert table.text().loc["r0"].tolist() == ["x", "20", "x"]  # 10 goes with the hidden total
    assert table.text().loc["r1"].tolist() == ["30", "40", "70"]
    with pytest.raises(ValueError, match="suppressed_row_totals needs row_totals=True"):
        protect_table(_table([[10, 20]]), k=5, suppressed_row_totals=[True])


def test_system_check_catches_what_the_line_rule_misses():
    # Unknowns x0, x1, x2 with lines x0 + x1 = t0, x1 + x2 = t1, x0 + x2 = t2
    # (each line has two unknowns) determine every x: x0 = (t0 - t1 + t2) / 2.
    values = np.array([3, 3, 3, 6, 6, 6])
    lines = [Line((0, 1), 3), Line((1, 2), 4), Line((0, 2), 5)]
    status = protect(values, lines, k=5)
    assert not _determined_cells(values, lines, status).any()
    assert np.count_nonzero(status[3:]) >= 1


def test_a_small_total_over_small_cells_is_withheld_since_the_marks_alone_would_narrow_them():
    # 1 + 2 = 3: printed <5, <5, <5 a reader knows each cell is at most 3 (the other is at least 1);
    # no x can help, so the total is withheld (":", at least 1) and each cell may be 1..4 again
    table = protect_table(_table([[1, 2], [10, 20]]), k=5, row_totals=True, column_totals=True)
    assert table.text().loc["r0"].tolist() == ["<5", "<5", ":"]
    assert table.row_totals["r0"].status is Status.WITHHELD and table.row_totals["r0"].value is None
    assert judge(attack_table(table.text(), k=5), k=5) == []
    # k = 3: two <3 cells under a <3 total would both be 1; withheld, they are not pinned
    tight = protect_table(_table([[1, 1], [10, 20]]), k=3, row_totals=True, column_totals=True)
    assert tight.text().loc["r0", "Totalt"] == ":"
    assert [iv for iv in attack_table(tight.text(), k=3) if iv.pinned] == []


def test_the_issues_row_with_both_hidden_cells_pinned_to_4_is_caught_and_fixed():
    # Issue 11, SaLTo 2024-03-04..31, "Vold eller trusler": <5, 6, 5, <5, total 19. Two hidden per
    # line, so the line rule is content, but <5 + <5 = 19 − 11 = 8 leaves only 4 + 4.
    row = _table([[4, 6, 5, 4]])
    system = System()
    for i, v in enumerate([4, 6, 5, 4, 19]):
        system.add(i, v)
    system.sum_of([0, 1, 2, 3], 4)
    line_rule = system.initial_status(5)
    apply_line_rule(system, line_rule)
    assert line_rule.tolist() == [1, 0, 0, 1, 0]  # what the old rule published
    auditor = Auditor(system, Protection.default(5))
    assert auditor.interval(0, line_rule) == (4.0, 4.0) == auditor.interval(3, line_rule)
    assert [f.key for f in auditor.findings(line_rule)] == [0, 3]
    assert all(f.pinned for f in auditor.findings(line_rule))
    # the fix hides the 5 (the smallest shown number the bound depends on): <5 + <5 + x = 13 with
    # x at least 5 lets each <5 be 1..4, and the x 5..11
    fixed = protect_table(row, k=5, row_totals=True)
    assert fixed.text().loc["r0"].tolist() == ["<5", "6", "x", "<5", "19"]
    assert judge(attack_table(fixed.text(), k=5, x_lower=0), k=5) == []


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
            assert count.text in (f"<{k}", "x", ":")
            if count.text != ":":  # withheld (":") may be small or not; the marks mean what they say
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
