"""geo.engine.kernels: with h3ronpy in place of the hand-written H3 kernel the engine gives the same numbers.

Tolerances, stated once:
- every table has the same rows (patrol, area version or H3 cell, hour; visits
  with the same start and end): cells are identical;
- area and total presence are equal (cells do not enter them);
- cell presence agrees within 1e-4 s / 1e-4 m (0.1 mm) plus 1e-7 relative per
  row: the bisection on h3ronpy lookups locates each cell edge within 2**-24
  (6e-8) of the segment, under 2e-5 s and 1e-4 m for the longest segment that
  counts, and h3grid within ~4e-8 (measured on the demo week below: at most
  5e-6 s and 6e-6 m per row);
- segment pieces (hypothesis): every piece above 1e-7 of the segment is found
  by both splits, with fractions within 1e-7.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.demo import demo_areas, generate_activity
from geo.engine import cells, h3grid, h3ref, kernels
from geo.engine.presence import PresenceTables, compute_presence, prepare_areas
from geo.schema import AREA_ID, AREA_VERSION, CELL, HOUR_UTC, METRES, PATROL_ID, RES, SECONDS, VISIT_END, VISIT_START
from tests.builders import BASE, lonlat

ROOT = Path(__file__).resolve().parents[1]
CELL_ABS_S = CELL_ABS_M = 1e-4
REL = 1e-7
PIECE = 1e-7

KEYS = {
    "presence_total": [PATROL_ID, HOUR_UTC],
    "presence_area": [PATROL_ID, AREA_ID, AREA_VERSION, HOUR_UTC],
    "presence_cell": [PATROL_ID, RES, CELL, HOUR_UTC],
    "visits_area": [PATROL_ID, AREA_ID, VISIT_START, VISIT_END],
    "visits_cell": [PATROL_ID, RES, CELL, VISIT_START, VISIT_END],
}


def use_mode(monkeypatch: pytest.MonkeyPatch, mode: str) -> None:
    monkeypatch.setattr(kernels, "REFERENCE", mode == "reference")


# --- the switch ------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "mode"), [(None, "fast"), ("", "fast"), ("fast", "fast"), (" Reference ", "reference")])
def test_the_mode_is_fast_unless_reference_is_asked_for(text, mode):
    assert kernels.read_mode(text) == mode


def test_an_unknown_mode_is_refused():
    with pytest.raises(ValueError, match=r"\$FELTKART_KERNELS must be one of fast, reference \(or unset\); "
                                         r"got 'h3ronpy'"):
        kernels.read_mode("h3ronpy")


def _in_fresh_interpreter(code: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k != kernels.KERNELS_ENV} | env
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environ, capture_output=True, text=True,
                          check=False)


def test_the_environment_variable_is_read_when_the_engine_is_imported():
    code = "from geo.engine import kernels; print(kernels.REFERENCE)"
    assert _in_fresh_interpreter(code).stdout.split() == ["False"]
    assert _in_fresh_interpreter(code, FELTKART_KERNELS="reference").stdout.split() == ["True"]
    bad = _in_fresh_interpreter("import geo.engine.cells", FELTKART_KERNELS="fastest")
    assert bad.returncode != 0 and "$FELTKART_KERNELS must be one of" in bad.stderr


# --- the same numbers -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_week():
    """A week of demo patrols (about 40,000 points) and the demo field areas."""
    activity = next(generate_activity(seed=42, start=date(2024, 3, 4), end=date(2024, 3, 10)))
    areas = demo_areas()
    areas[AREA_VERSION] = areas.groupby(AREA_ID).cumcount() + 1
    return activity.track_points, prepare_areas(areas)


def assert_same_tables(got: PresenceTables, want: PresenceTables) -> None:
    for name, key in KEYS.items():
        a = getattr(want, name).sort_values(key, ignore_index=True)
        b = getattr(got, name).sort_values(key, ignore_index=True)
        assert len(a) > 0 and len(a) == len(b), name
        pd.testing.assert_frame_equal(a[key], b[key], check_exact=True, obj=name)
        if name.endswith("_cell"):
            for column, absolute in ((SECONDS, CELL_ABS_S), (METRES, CELL_ABS_M)):
                if column in a:
                    np.testing.assert_allclose(b[column], a[column], rtol=REL, atol=absolute,
                                               err_msg=f"{name}.{column}")
        else:
            pd.testing.assert_frame_equal(a, b, check_exact=True, obj=name)


def test_reference_mode_gives_the_same_presence_tables_on_a_demo_week(demo_week, monkeypatch):
    points, areas = demo_week
    use_mode(monkeypatch, "fast")
    fast = compute_presence(points, areas)
    use_mode(monkeypatch, "reference")
    assert_same_tables(compute_presence(points, areas), fast)


def test_reference_mode_looks_cells_up_with_h3ronpy(monkeypatch):
    calls = []
    real = h3ref.cells_of
    monkeypatch.setattr(h3ref, "cells_of", lambda lon, lat, res: calls.append(len(lon)) or real(lon, lat, res))
    use_mode(monkeypatch, "reference")
    lon, lat = lonlat(BASE[0] + np.arange(3000.0), BASE[1] + np.zeros(3000))
    got = cells.cells_of(lon, lat, 10)
    assert calls == [3000]
    np.testing.assert_array_equal(got, h3grid.cells_of(lon, lat, 10))


# --- the two splits, piece by piece -----------------------------------------------------------


def pieces(seg, cell, frac) -> dict[tuple[int, int], float]:
    out: dict[tuple[int, int], float] = {}
    for s, c, f in zip(seg.tolist(), cell.tolist(), frac.tolist()):
        out[(s, c)] = out.get((s, c), 0.0) + f
    return out


walks = st.lists(
    st.tuples(st.floats(0.0, 60.0), st.floats(0.0, 2 * np.pi)),  # step length (m), heading
    min_size=1, max_size=60,
)


@settings(max_examples=60, deadline=None)
@given(walk=walks, x0=st.floats(-400.0, 400.0), y0=st.floats(-400.0, 400.0), res=st.sampled_from(cells.RESOLUTIONS))
def test_bisection_on_h3ronpy_and_h3grid_cut_walks_into_the_same_pieces(walk, x0, y0, res):
    step = np.array([s for s, _ in walk])
    heading = np.array([h for _, h in walk])
    x = BASE[0] + x0 + np.concatenate([[0.0], np.cumsum(step * np.cos(heading))])
    y = BASE[1] + y0 + np.concatenate([[0.0], np.cumsum(step * np.sin(heading))])
    lon, lat = lonlat(x, y)
    args = (lon[:-1], lat[:-1], lon[1:], lat[1:], res)
    want = pieces(*h3grid.split_segments(*args))
    got = pieces(*h3ref.split_segments(*args))
    for key in {k for k, f in want.items() if f > PIECE} | {k for k, f in got.items() if f > PIECE}:
        assert got.get(key, 0.0) == pytest.approx(want.get(key, 0.0), abs=PIECE), key
    sums = np.zeros(len(step))
    np.add.at(sums, [s for s, _ in got], list(got.values()))
    np.testing.assert_allclose(sums, 1.0, atol=1e-12)


def test_reference_split_refuses_arrays_of_different_lengths():
    with pytest.raises(ValueError, match="lon0, lat0, lon1, lat1 must have the same length"):
        h3ref.split_segments(np.zeros(2), np.zeros(2), np.zeros(1), np.zeros(2), 10)
