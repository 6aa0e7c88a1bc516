"""The 8 hot + 8 cold emerging hot spot rules, on hand-made boolean series."""

from __future__ import annotations

import numpy as np
import pytest

from geo.hotspots.classify import CATEGORIES, classify, final_run_length

ALPHA = 0.05
H, C, _ = "H", "C", "."


def _series(*rows: str) -> tuple[np.ndarray, np.ndarray]:
    """Rows like ``"..HH"``: H hot, C cold, . neither; one row per cell."""
    grid = np.array([list(r) for r in rows])
    return grid == H, grid == C


def _classify(*rows: str, trend_z=0.0, trend_p=1.0) -> list[str]:
    hot, cold = _series(*rows)
    n = len(rows)
    return list(classify(hot, cold, np.full(n, trend_z), np.full(n, trend_p), alpha=ALPHA))


@pytest.mark.parametrize(("row", "expected"), [
    ("..........", "no_pattern"),
    (".........H", "new_hot"),
    ("C........H", "new_hot"),  # first rule wins over oscillating
    ("........HH", "consecutive_hot"),
    ("......HHHH", "consecutive_hot"),
    ("HHHHHHHHHH", "persistent_hot"),
    (".HHHHHHHHH", "persistent_hot"),  # 9 of 10 = 90 %
    ("H.H......H", "sporadic_hot"),
    ("HH.....HHH", "sporadic_hot"),  # hot before the final run
    ("C.H......H", "oscillating_hot"),
    ("CC.....HHH", "consecutive_hot"),  # never hot before the run: consecutive, cold history or not
    ("HHHHHHHHH.", "historical_hot"),
    ("..HHHHHHH.", "no_pattern"),  # hot in 70 %, not in the final period
    (".........C", "new_cold"),
    ("........CC", "consecutive_cold"),
    ("CCCCCCCCCC", "persistent_cold"),
    ("C.C......C", "sporadic_cold"),
    ("H.C......C", "oscillating_cold"),
    ("CCCCCCCCC.", "historical_cold"),
    ("HHHHHHHHHC", "new_cold"),  # the final period wins over historical hot
])
def test_pattern_of_a_series_without_trend(row, expected):
    assert _classify(row) == [expected]


@pytest.mark.parametrize(("row", "trend_z", "expected"), [
    ("HHHHHHHHHH", 3.0, "intensifying_hot"),
    ("HHHHHHHHHH", -3.0, "diminishing_hot"),
    ("CCCCCCCCCC", -3.0, "intensifying_cold"),  # ever colder
    ("CCCCCCCCCC", 3.0, "diminishing_cold"),
    ("........HH", 3.0, "consecutive_hot"),  # the trend only splits the ≥ 90 % patterns
])
def test_significant_trend_splits_the_mostly_hot_patterns(row, trend_z, expected):
    assert _classify(row, trend_z=trend_z, trend_p=0.001) == [expected]


def test_a_trend_that_is_not_significant_is_persistent():
    assert _classify("HHHHHHHHHH", trend_z=1.9, trend_p=0.06) == ["persistent_hot"]
    assert _classify("HHHHHHHHHH", trend_z=np.nan, trend_p=np.nan) == ["persistent_hot"]


def test_ninety_percent_is_of_all_periods():
    # 8 of 9 periods (89 %) is below the threshold: sporadic, not persistent
    assert _classify("H.HHHHHHH") == ["sporadic_hot"]
    assert _classify("HHHHHHHHH") == ["persistent_hot"]


def test_many_cells_at_once_keep_their_order():
    assert _classify(".........H", "CCCCCCCCCC", "..........") == ["new_hot", "persistent_cold", "no_pattern"]


def test_every_code_is_a_known_category():
    rows = ["".join(r) for r in np.random.default_rng(3).choice(list("HC.."), size=(300, 8))]
    assert set(_classify(*rows)) <= set(CATEGORIES)


def test_final_run_length():
    flags = np.array([[0, 1, 1], [1, 1, 1], [1, 1, 0], [0, 0, 0]], dtype=bool)
    assert final_run_length(flags).tolist() == [2, 3, 0, 0]


def test_hot_and_cold_in_the_same_period_is_refused():
    with pytest.raises(ValueError, match="hot and a cold spot in the same period"):
        classify(np.ones((1, 2), bool), np.ones((1, 2), bool), np.zeros(1), np.ones(1), alpha=ALPHA)


def test_shapes_must_agree():
    with pytest.raises(ValueError, match="same shape"):
        classify(np.ones((1, 2), bool), np.ones((1, 3), bool), np.zeros(1), np.ones(1), alpha=ALPHA)
