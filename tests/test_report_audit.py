"""The disclosure audit (geo.report.audit): exact intervals, the suppression loop, and an independent attack."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.report.audit import (
    HIDDEN,
    LATENT,
    SHOWN,
    SMALL,
    Auditor,
    Protection,
    System,
    _lp_bound,
    apply_line_rule,
    secure,
)
from geo.report.disclosure import TableLayout, add_table
from tests.attacker import Equations, attack, judge


def _system(values: list[int], lines: list[tuple[list[int], int]], latent: set[int] = frozenset()) -> System:
    system = System()
    for i, v in enumerate(values):
        system.add(i, v, latent=i in latent)
    for cells, total in lines:
        system.sum_of(cells, total)
    return system


# --- intervals ---------------------------------------------------------------------------------------------
def test_a_row_with_two_small_cells_under_a_shown_total_pins_both():
    system = _system([4, 6, 5, 4, 19], [([0, 1, 2, 3], 4)])
    status = np.array([SMALL, SHOWN, SHOWN, SMALL, SHOWN], dtype=np.int8)
    auditor = Auditor(system, Protection.default(5))
    assert auditor.interval(0, status) == (4.0, 4.0)
    status[2] = HIDDEN  # the 5 as x (at least 5): <5 + <5 + x = 13
    assert auditor.interval(0, status) == (1.0, 4.0)
    assert auditor.interval(2, status) == (5.0, 11.0)


def test_an_x_is_read_as_at_least_k_and_unbounded_without_a_total():
    system = _system([7, 3, 10], [([0, 1], 2)])
    status = np.array([HIDDEN, SMALL, HIDDEN], dtype=np.int8)
    auditor = Auditor(system, Protection.default(5))
    assert auditor.interval(0, status) == (5.0, float("inf"))
    assert auditor.interval(1, status) == (1.0, 4.0)


def test_a_latent_difference_is_solved_for_like_any_other_unknown():
    # total 30 = new contacts 27 + the rest: the rest is 3, a small count, when both are shown
    system = System()
    system.add("total", 30)
    system.add("new", 27)
    system.add("rest", 3, latent=True)
    system.sum_of(["new", "rest"], "total")
    status = system.initial_status(5)
    auditor = Auditor(system, Protection.default(5))
    assert status[system.index("rest")] == LATENT
    assert [f.key for f in auditor.findings(status)] == ["rest"]
    fixed = secure(system, Protection.default(5))
    assert fixed[system.index("new")] == HIDDEN  # the smaller of the two printed numbers goes
    assert auditor.findings(fixed) == []


def test_a_fractional_lp_bound_is_recomputed_as_an_integer_programme():
    # found by search: max x0 over 0 ≤ x ≤ 4 is 1.5 for the LP, 0 for whole numbers
    a = np.array([[-1, 1, 1, -1, -1], [1, 1, 0, -1, -1], [0, 1, -1, -1, 1], [1, -1, 0, 0, 0]], dtype=float)
    b = np.array([0.0, -1.0, 0.0, -2.0])
    c = np.array([-1.0, 0, 0, 0, 0])
    optimum = _lp_bound(c, a, b, np.zeros(5), np.full(5, 4.0))
    assert optimum.value == 0.0 and optimum.point[0] == 0 and np.allclose(a @ optimum.point, b)
    brute = max(x[0] for x in itertools.product(range(5), repeat=5) if np.allclose(a @ np.array(x), b))
    assert brute == 0


@st.composite
def small_systems(draw):
    """A few cells (0..5), a few lines over them with their totals, a shown grand total; k = 3."""
    n = draw(st.integers(2, 5))
    values = draw(st.lists(st.integers(0, 5), min_size=n, max_size=n))
    lines = []
    for _ in range(draw(st.integers(1, 3))):
        cells = sorted(draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=n)))
        lines.append(cells)
    hide = draw(st.lists(st.booleans(), min_size=n + len(lines), max_size=n + len(lines)))
    latent = draw(st.lists(st.booleans(), min_size=len(lines), max_size=len(lines)))
    return values, lines, hide, latent


@settings(max_examples=80, deadline=None)
@given(small_systems())
def test_intervals_equal_a_brute_force_enumeration(case):
    values, lines, hide, latent = case
    k, n = 3, len(values)
    totals = [sum(values[c] for c in cells) for cells in lines]
    everything = values + totals + [sum(values)]
    system = System()
    for i, v in enumerate(everything):
        system.add(i, v, latent=n <= i < n + len(lines) and latent[i - n])
    for j, cells in enumerate(lines):
        system.sum_of(cells, n + j)
    system.sum_of(list(range(n)), len(everything) - 1)
    status = system.initial_status(k)
    status[-1] = SHOWN  # the grand total is printed, whatever it is: it bounds the search below
    for i, h in enumerate(hide):
        if h and status[i] == SHOWN and everything[i] >= k:
            status[i] = HIDDEN
    auditor = Auditor(system, Protection.default(k))
    grand = sum(values)
    # brute force over the cells (totals follow); bounds as the attacker reads the marks
    ranges = []
    for i in range(n):
        if status[i] == SHOWN:
            ranges.append([values[i]])
        elif status[i] == SMALL:
            ranges.append(range(1, k))
        else:
            ranges.append(range(k, grand + 1))
    feasible = []
    for cells in itertools.product(*ranges):
        if sum(cells) != grand:
            continue
        ok = True
        for j, members in enumerate(lines):
            t = sum(cells[c] for c in members)
            s = status[n + j]
            if (s == SHOWN and t != totals[j]) or (s == SMALL and not 1 <= t < k) or (s == HIDDEN and t < k):
                ok = False
                break
        if ok:
            feasible.append(cells)
    feasible = np.array(feasible)
    for i in range(n):
        if status[i] != SHOWN:
            assert auditor.interval(i, status) == (feasible[:, i].min(), feasible[:, i].max()), (case, i)


# --- the suppression loop ------------------------------------------------------------------------------------
def test_the_line_rule_takes_the_smallest_shown_member_and_never_a_frozen_one():
    system = _system([3, 10, 7, 20], [([0, 1, 2], 3)])
    status = system.initial_status(5)
    apply_line_rule(system, status)
    assert status.tolist() == [SMALL, SHOWN, HIDDEN, SHOWN]
    status = system.initial_status(5)
    frozen = np.array([False, False, True, False])
    apply_line_rule(system, status, frozen=frozen)
    assert status.tolist() == [SMALL, HIDDEN, SHOWN, SHOWN]


def test_secure_is_deterministic_and_meets_the_protection():
    table = pd.DataFrame([[3, 10, 7, 1], [20, 8, 0, 6], [6, 9, 12, 2]], index=list("abc"), columns=list("defg"))
    patterns = []
    for _ in range(2):
        system = System()
        add_table(system, "t", table, row_totals=True, column_totals=True)
        status = secure(system, Protection.default(5))
        assert Auditor(system, Protection.default(5)).findings(status) == []
        patterns.append(status.tolist())
    assert patterns[0] == patterns[1]


def test_secure_says_so_when_frozen_numbers_leave_nothing_to_hide():
    # <5 + 10 = 13 with the 10 and the 13 published elsewhere (frozen): the <5 is 3, whatever we do
    system = _system([3, 10, 13], [([0, 1], 2)])
    with pytest.raises(RuntimeError, match=r"cannot protect 0 \(feasible 3\.\.3\) with what is left to suppress"):
        secure(system, Protection.default(5), fixed=[1, 2])


def test_a_model_that_contradicts_itself_is_refused():
    system = System()
    system.add("a", 3)
    with pytest.raises(ValueError, match="'a' was added as 3 and again as 4"):
        system.add("a", 4)
    system.add("b", 5)
    system.add("t", 9)
    with pytest.raises(ValueError, match="'t' = 9 is not the sum of its 2 parts"):
        system.sum_of(["a", "b"], "t")
    with pytest.raises(ValueError, match="a count cannot be negative"):
        system.add("c", -1)


# --- linked tables against an independent attacker -------------------------------------------------------------
cell_values = st.one_of(st.integers(0, 0), st.integers(1, 4), st.integers(5, 40))


@st.composite
def linked_tables(draw):
    """Two tables sharing their row totals (category × age and category × period) and a grand total."""
    rows = draw(st.integers(1, 4))
    a_cols, b_cols = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    a = draw(st.lists(st.lists(cell_values, min_size=a_cols, max_size=a_cols), min_size=rows, max_size=rows))
    totals = [sum(r) for r in a]
    b = []
    for total in totals:  # split each row total over the periods
        cuts = sorted(draw(st.lists(st.integers(0, total), min_size=b_cols - 1, max_size=b_cols - 1)))
        parts = np.diff([0, *cuts, total]).tolist()
        b.append(parts)
    index = [f"r{i}" for i in range(rows)]
    return (pd.DataFrame(a, index=index, columns=[f"a{j}" for j in range(a_cols)]),
            pd.DataFrame(b, index=index, columns=[f"p{j}" for j in range(b_cols)]))


def _printed(layout: TableLayout, system: System, status: np.ndarray, k: int) -> pd.DataFrame:
    return layout.protected(system, status, k=k).text()


def _attack_linked(a_text: pd.DataFrame, b_text: pd.DataFrame, *, k: int) -> list:
    """The attacker's own equations for the two printed tables (shared row totals, shared grand total)."""
    eq = Equations()
    rows = [r for r in a_text.index if r != "Totalt"]
    a_cols = [c for c in a_text.columns if c != "Totalt"]
    b_cols = [c for c in b_text.columns if c != "Totalt"]
    for r in a_text.index:
        for c in a_text.columns:
            key = "T" if (r, c) == ("Totalt", "Totalt") else ("row", r) if c == "Totalt" else \
                ("col", c) if r == "Totalt" else ("a", r, c)
            eq.number(key, a_text.loc[r, c], k=k, x_lower=k)
    for r in rows:
        for c in b_cols:
            eq.number(("b", r, c), b_text.loc[r, c], k=k, x_lower=k)
        eq.number(("row", r), b_text.loc[r, "Totalt"], k=k, x_lower=k)
        eq.equal({**{("a", r, c): 1 for c in a_cols}, ("row", r): -1})
        eq.equal({**{("b", r, c): 1 for c in b_cols}, ("row", r): -1})
    for c in a_cols:
        eq.equal({**{("a", r, c): 1 for r in rows}, ("col", c): -1})
    eq.equal({**{("row", r): 1 for r in rows}, "T": -1})
    return attack(eq, k=k)


@settings(max_examples=40, deadline=None)
@given(linked_tables(), st.integers(3, 6))
def test_no_hidden_cell_of_linked_tables_can_be_narrowed_by_the_attack(tables, k):
    a, b = tables
    system = System()
    keys = [("category", r) for r in a.index]
    layout_a = add_table(system, "a", a, row_totals=keys, column_totals=True, grand_total="T")
    layout_b = add_table(system, "b", b, row_totals=keys, grand_total="T")
    status = secure(system, Protection.default(k))
    a_text, b_text = _printed(layout_a, system, status, k), _printed(layout_b, system, status, k)
    assert (a_text["Totalt"].iloc[:-1].to_numpy() == b_text["Totalt"].to_numpy()).all(), "one number, printed twice"
    intervals = _attack_linked(a_text, b_text, k=k)
    assert not [iv for iv in intervals if iv.pinned], "the attack pins a hidden cell"
    assert judge(intervals, k=k) == []
