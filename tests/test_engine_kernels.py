"""geo.engine.kernels: with the libraries in place of the hand-written kernels the engine gives the same numbers.

Tolerances, stated once:
- every table has the same rows (patrol, area version or H3 cell, hour; visits
  with the same start and end): cells are identical;
- seconds and metres per row agree within 1e-3 s / 1e-3 m plus 1e-7 relative.
  The projection kernel is within 0.1 mm of pyproj per point, so a segment's
  length and, where it crosses an area edge, its share move by at most
  ~0.2 mm / its length; the split by bisection on h3ronpy lookups locates a
  cell edge within 2**-24 (6e-8) of the segment (measured on the demo week
  below: at most 2.3e-4 s and 1.5e-4 m per row);
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
from pyproj import Transformer

from geo.demo import demo_areas, generate_activity
from geo.engine import cells, fastproj, h3grid, kernels
from geo.engine.presence import PresenceTables, compute_presence, prepare_areas
from geo.schema import AREA_ID, AREA_VERSION, CELL, HOUR_UTC, MEASURE_CRS, METRES, PATROL_ID, RES, SECONDS, STORE_CRS
from geo.schema import VISIT_END, VISIT_START
from tests.builders import BASE, lonlat

ROOT = Path(__file__).resolve().parents[1]
ABS_S = ABS_M = 1e-3
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
    monkeypatch.setattr(kernels, "LIBRARY_CELLS", kernels.MODES[mode][0])
    monkeypatch.setattr(kernels, "LIBRARY_PROJECTION", kernels.MODES[mode][1])


# --- the switch ------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "flags"), [(None, (False, False)), ("", (False, False)), ("fast", (False, False)),
                                             (" Reference ", (True, True)), ("h3ronpy", (True, False)),
                                             ("pyproj", (False, True))])
def test_modes_name_which_library_replaces_which_kernel(text, flags):
    assert kernels.read_mode(text) == flags


def test_an_unknown_mode_is_refused():
    with pytest.raises(ValueError, match=r"\$FELTKART_KERNELS must be one of fast, h3ronpy, pyproj, reference "
                                         r"\(or unset\); got 'libraries'"):
        kernels.read_mode("libraries")


def _in_fresh_interpreter(code: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k != kernels.KERNELS_ENV} | env
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environ, capture_output=True, text=True,
                          check=False)


def test_the_environment_variable_is_read_when_the_engine_is_imported():
    code = "from geo.engine import kernels; print(kernels.LIBRARY_CELLS, kernels.LIBRARY_PROJECTION)"
    assert _in_fresh_interpreter(code).stdout.split() == ["False", "False"]
    assert _in_fresh_interpreter(code, FELTKART_KERNELS="reference").stdout.split() == ["True", "True"]
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
        for column, absolute in ((SECONDS, ABS_S), (METRES, ABS_M)):
            if column in a:
                np.testing.assert_allclose(b[column], a[column], rtol=REL, atol=absolute, err_msg=f"{name}.{column}")


@pytest.mark.parametrize("mode", ["h3ronpy", "pyproj", "reference"])
def test_library_modes_give_the_same_presence_tables_on_a_demo_week(demo_week, monkeypatch, mode):
    points, areas = demo_week
    use_mode(monkeypatch, "fast")
    fast = compute_presence(points, areas)
    use_mode(monkeypatch, mode)
    assert_same_tables(compute_presence(points, areas), fast)


def test_pyproj_mode_projects_with_pyproj_itself(monkeypatch):
    use_mode(monkeypatch, "pyproj")
    lon, lat = lonlat(BASE[0] + np.arange(5000.0), BASE[1] + np.arange(5000.0))
    want = Transformer.from_crs(STORE_CRS, MEASURE_CRS, always_xy=True).transform(lon, lat)
    got = fastproj.to_measure_crs(lon, lat)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])


def test_h3ronpy_mode_looks_cells_up_with_h3ronpy(monkeypatch):
    calls = []
    real = cells.reference_cells
    monkeypatch.setattr(cells, "reference_cells", lambda lon, lat, res: calls.append(len(lon)) or real(lon, lat, res))
    use_mode(monkeypatch, "h3ronpy")
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
    got = pieces(*cells.reference_split(*args))
    for key in {k for k, f in want.items() if f > PIECE} | {k for k, f in got.items() if f > PIECE}:
        assert got.get(key, 0.0) == pytest.approx(want.get(key, 0.0), abs=PIECE), key
    sums = np.zeros(len(step))
    np.add.at(sums, [s for s, _ in got], list(got.values()))
    np.testing.assert_allclose(sums, 1.0, atol=1e-12)


def test_reference_split_refuses_arrays_of_different_lengths():
    with pytest.raises(ValueError, match="lon0, lat0, lon1, lat1 must have the same length"):
        cells.reference_split(np.zeros(2), np.zeros(2), np.zeros(1), np.zeros(2), 10)
