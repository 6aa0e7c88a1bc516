"""Tests of geo.engine.visits: stretches of presence with short breaks bridged, and dose bands.

Times are plain epoch seconds from an arbitrary origin; a "break" is the time
from the end of one piece to the start of the next.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.engine.visits import BRIDGE_S, DOSE_BANDS, DOSE_EDGES_S, dose_band, find_visits

T = 1_717_783_200.0  # Fri 2024-06-07 18:00 UTC


def visits(key, t0, t1, **kwargs) -> list[tuple[int, float, float]]:
    out = find_visits(np.asarray(key, np.int64), T + np.asarray(t0, float), T + np.asarray(t1, float), **kwargs)
    return [(int(k), s - T, e - T) for k, s, e in out[["key", "start", "end"]].itertuples(index=False)]


def test_defaults_are_two_minutes_and_dose_edges_two_and_ten_minutes():
    assert BRIDGE_S == 120.0
    assert DOSE_EDGES_S == (120.0, 600.0)
    assert DOSE_BANDS == ("passing", "short", "long")


def test_break_of_119_s_is_bridged():
    # pieces 0–60 and 179–240: break 179 - 60 = 119 s < 120 → one visit 0–240
    assert visits([1, 1], [0, 179], [60, 240]) == [(1, 0.0, 240.0)]


def test_break_of_exactly_120_s_is_not_bridged():
    # pieces 0–60 and 180–240: break 120 s, not strictly shorter → two visits
    assert visits([1, 1], [0, 180], [60, 240]) == [(1, 0.0, 60.0), (1, 180.0, 240.0)]


def test_touching_pieces_are_one_visit():
    assert visits([1, 1, 1], [0, 10, 20], [10, 20, 30]) == [(1, 0.0, 30.0)]


def test_visit_duration_is_elapsed_time_including_bridged_breaks():
    # 0–60, break 100 s, 160–200, break 119 s, 319–400: one visit of 400 s
    (_, start, end), = visits([1, 1, 1], [0, 160, 319], [60, 200, 400])
    assert end - start == 400.0


def test_break_is_measured_from_the_latest_end_so_far():
    # 0–300 contains 10–20; next piece starts at 350: break 350 - 300 = 50 s → bridged.
    # (Measured from the contained piece's end 20 it would be 330 s.)
    assert visits([1, 1, 1], [0, 10, 350], [300, 20, 400]) == [(1, 0.0, 400.0)]


def test_pieces_of_different_keys_never_join():
    # key 1: 0–60; key 2: 70–130 (10 s later); key 1 again 200–260 (break 140 s)
    got = visits([1, 2, 1], [0, 70, 200], [60, 130, 260])
    assert got == [(1, 0.0, 60.0), (1, 200.0, 260.0), (2, 70.0, 130.0)]


def test_unsorted_pieces_give_the_same_visits_sorted_by_key_and_start():
    key = [2, 1, 1, 2, 1]
    t0 = [500, 400, 0, 0, 100]
    t1 = [560, 460, 60, 60, 160]
    # key 1: 0–60, 100–160 (break 40 → joined), 400–460 (break 240 → new)
    # key 2: 0–60, 500–560 (break 440 → new)
    assert visits(key, t0, t1) == [(1, 0.0, 160.0), (1, 400.0, 460.0), (2, 0.0, 60.0), (2, 500.0, 560.0)]


def test_custom_bridge():
    # break 30 s: bridged with bridge 31 s, not with bridge 30 s
    assert visits([1, 1], [0, 40], [10, 50], bridge_s=31) == [(1, 0.0, 50.0)]
    assert visits([1, 1], [0, 40], [10, 50], bridge_s=30) == [(1, 0.0, 10.0), (1, 40.0, 50.0)]


def test_no_pieces_give_an_empty_table_with_columns():
    out = find_visits(np.zeros(0, np.int64), np.zeros(0), np.zeros(0))
    assert list(out.columns) == ["key", "start", "end"]
    assert len(out) == 0


@pytest.mark.parametrize(
    ("seconds", "band"),
    [
        (0.0, "passing"),
        (119.9, "passing"),  # under 2 min
        (120.0, "short"),  # exactly 2 min starts 2–10 min
        (599.9, "short"),
        (600.0, "long"),  # exactly 10 min is "10 min or more"
        (7200.0, "long"),
    ],
)
def test_dose_band_edges(seconds, band):
    assert dose_band(np.array([seconds])).tolist() == [band]


def test_dose_band_is_vectorised():
    got = dose_band(pd.Series([599.9, 119.9, 600.0]).to_numpy())
    assert got.tolist() == ["short", "passing", "long"]
