"""Emerging hot spots end to end: the count cube, the trend test, planted patterns, the store and the CLI."""

from __future__ import annotations

import datetime as dt
import io
import json
from contextlib import redirect_stderr, redirect_stdout

import h3
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from geo.cli import main as cli_main
from geo.engine.cells import k_ring_cells, ring_pairs
from geo.hotspots import (
    CATEGORIES,
    COLUMNS,
    analyse_cube,
    category_counts,
    emerging_hotspots,
)
from geo.hotspots.cube import CountCube, cube_from_counts
from geo.hotspots.trend import mann_kendall
from tests import builders

N_PERIODS = 20
RES = 9
CENTRE = h3.latlng_to_cell(59.9127, 10.7565, RES)
GRID = np.unique(np.asarray([h3.str_to_int(c) for c in h3.grid_disk(CENTRE, 9)], dtype=np.uint64))
"""271 cells (9 rings) around Oslo S at resolution 9."""

# planted blobs (a cell and its ring), far enough apart that their neighbourhoods do not touch
SPOTS = {"a": (0.008, 0.0), "b": (-0.008, 0.0), "c": (0.0, 0.016), "d": (0.0, -0.016),
         "e": (0.008, 0.016), "f": (-0.008, -0.016), "g": (0.008, -0.016), "h": (-0.008, 0.016)}


def _blob(name: str) -> tuple[str, list[int]]:
    dy, dx = SPOTS[name]
    cell = h3.latlng_to_cell(59.9127 + dy, 10.7565 + dx, RES)
    return cell, [int(np.searchsorted(GRID, h3.str_to_int(c))) for c in h3.grid_disk(cell, 1)]


def _planted(background: float, plants: dict[str, np.ndarray], *, seed: int) -> pd.DataFrame:
    counts = np.random.default_rng(seed).poisson(background, size=(len(GRID), N_PERIODS))
    centres = {}
    for name, series in plants.items():
        centre, blob = _blob(name)
        counts[blob] = series
        centres[centre] = name
    cube = CountCube(GRID, tuple(f"P{t:02d}" for t in range(N_PERIODS)), counts, np.ones(len(GRID), bool))
    result = analyse_cube(cube)  # defaults: k = 1, time lag 1, FDR 5 %
    return result[result["cell"].isin(centres)].assign(plant=lambda f: f["cell"].map(centres)).set_index("plant")


def test_planted_hot_spots_come_out_in_their_categories():
    t = np.arange(N_PERIODS)
    plants = {
        "a": np.where(t == N_PERIODS - 1, 30, 0),  # appears in the final period
        "b": np.where(t >= N_PERIODS - 3, 30, 0),  # appears in the last three periods
        "c": np.full(N_PERIODS, 30),  # always there
        "d": np.linspace(60, 15, N_PERIODS).round(),  # fading, still busy
        "e": np.linspace(15, 60, N_PERIODS).round(),  # growing
        "f": np.where(t % 4 == 3, 30, 0),  # on and off, on in the final period
        "g": np.where(t < N_PERIODS - 2, 30, 0),  # gone in the last two periods
    }
    got = _planted(1.0, plants, seed=1)["category"].to_dict()
    assert got == {"a": "new_hot", "b": "consecutive_hot", "c": "persistent_hot", "d": "diminishing_hot",
                   "e": "intensifying_hot", "f": "sporadic_hot", "g": "historical_hot"}


def test_planted_cold_spots_come_out_in_their_categories():
    t = np.arange(N_PERIODS)
    busy = 20
    plants = {
        "a": np.where(t == N_PERIODS - 1, 0, busy),  # empties in the final period
        "b": np.where(t >= N_PERIODS - 4, 0, busy),  # empty for the last four periods
        "c": np.zeros(N_PERIODS),  # always empty
        "d": np.linspace(0, 12, N_PERIODS).round(),  # empty, filling up again but still quiet
        "f": np.where(t % 4 == 3, 0, busy),  # empty now and then, also in the final period
        "h": np.select([t < 6, (t == 10) | (t == N_PERIODS - 1)], [0, 60], busy),  # cold early, then hot bursts
    }
    got = _planted(busy, plants, seed=2)["category"].to_dict()
    assert got == {"a": "new_cold", "b": "consecutive_cold", "c": "persistent_cold", "d": "diminishing_cold",
                   "f": "sporadic_cold", "h": "oscillating_hot"}


def test_result_columns_and_trend_of_a_planted_growing_spot():
    result = _planted(1.0, {"e": np.linspace(15, 60, N_PERIODS).round()}, seed=1)
    assert tuple(result.columns) == COLUMNS
    row = result.loc["e"]
    assert row["trend_z"] > 3 and row["trend_p"] < 0.01
    assert row["count_trend_z"] > 3
    assert row["n_periods"] == N_PERIODS and row["n_periods_cold"] == 0
    assert row["total_encounters"] == np.linspace(15, 60, N_PERIODS).round().sum()
    assert row["last_encounters"] == 60
    lat, lon = h3.cell_to_latlng(_blob("e")[0])
    assert_allclose([row["lat"], row["lon"]], [lat, lon])


# --- the cube -------------------------------------------------------------------------


def test_cube_counts_per_cell_and_period_with_zero_padding():
    a, b = h3.str_to_int(CENTRE), h3.str_to_int(h3.grid_disk(CENTRE, 3)[-1])
    cells = np.array([a, a, a, b], dtype=np.uint64)
    days = np.array([dt.date(2024, 1, 5), dt.date(2024, 3, 31), dt.date(2024, 9, 1), dt.date(2024, 2, 1)])
    cube = cube_from_counts(cells, days, np.array([2, 3, 4, 1]), period="quarter",
                            first_day=dt.date(2024, 1, 1), last_day=dt.date(2024, 12, 31), k=1)
    assert cube.periods == ("2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4")
    assert len(cube.cells) == 14  # two cells 3 rings apart, each with its 6 neighbours
    assert cube.observed.sum() == 2
    row_a = int(np.flatnonzero(cube.cells == a)[0])
    row_b = int(np.flatnonzero(cube.cells == b)[0])
    assert cube.counts[row_a].tolist() == [5, 0, 4, 0]
    assert cube.counts[row_b].tolist() == [1, 0, 0, 0]
    assert cube.counts.sum() == 10  # padding cells are all zero


def test_cube_drops_counts_outside_the_range():
    a = h3.str_to_int(CENTRE)
    cube = cube_from_counts(np.array([a, a], dtype=np.uint64), np.array([dt.date(2023, 12, 31), dt.date(2024, 1, 1)]),
                            np.array([7, 1]), period="year", first_day=dt.date(2024, 1, 1),
                            last_day=dt.date(2024, 6, 30), k=1)
    assert cube.periods == ("2024",) and cube.counts.sum() == 1


def test_k_ring_and_ring_pairs():
    centre = h3.str_to_int(CENTRE)
    assert len(k_ring_cells(np.array([centre], dtype=np.uint64), 2)) == 19
    cells = k_ring_cells(np.array([centre], dtype=np.uint64), 1)
    i, j = ring_pairs(cells, 1)
    centre_row = int(np.flatnonzero(cells == centre)[0])
    assert (i == centre_row).sum() == 7  # itself and 6 neighbours
    assert np.bincount(i).tolist().count(4) == 6  # each ring cell: itself, the centre, 2 ring neighbours
    assert set(zip(i.tolist(), j.tolist())) == set(zip(j.tolist(), i.tolist()))  # symmetric


def test_week_is_not_a_cube_period():
    with pytest.raises(ValueError, match="period must be one of month, tertial, quarter, year; got 'week'"):
        cube_from_counts(np.zeros(0, np.uint64), np.zeros(0), np.zeros(0), period="week",
                             first_day=dt.date(2024, 1, 1), last_day=dt.date(2024, 2, 1), k=1)


def test_reversed_range_is_refused():
    with pytest.raises(ValueError, match="first_day 2024-02-01 is after last_day 2024-01-01"):
        cube_from_counts(np.zeros(0, np.uint64), np.zeros(0), np.zeros(0), period="month",
                         first_day=dt.date(2024, 2, 1), last_day=dt.date(2024, 1, 1), k=1)


# --- Mann–Kendall -------------------------------------------------------------------------


def test_mann_kendall_matches_a_hand_computation():
    # x = 1, 3, 2, 4: S = (+1 +1 +1) + (−1 +1) + (+1) = 4, Var(S) = 4·3·13/18 = 26/3,
    # z = (S − 1)/√Var(S) = 3/√(26/3), two-sided p = 2·(1 − Φ(z))
    z, p = mann_kendall(np.array([[1, 3, 2, 4], [4, 3, 2, 1], [5, 5, 5, 5]]))
    assert_allclose(z[0], 3 / np.sqrt(26 / 3))
    assert_allclose(p[0], 0.3082, atol=1e-4)
    assert z[1] < 0 and z[2] == 0 and p[2] == 1


def test_mann_kendall_needs_three_periods():
    z, p = mann_kendall(np.array([[1.0, 2.0]]))
    assert np.isnan(z[0]) and np.isnan(p[0])


# --- from a store -----------------------------------------------------------------------------


def _encounter_store(tmp_path, *, december_crowd: dict[str, str] | None = None):
    """Encounters in 2024: one a month at Oslo S but 40 in December, one a month at four other places.

    ``december_crowd`` overrides columns (e.g. the category) of the 40 December encounters at Oslo S.
    """
    busy_lon, busy_lat = 10.7505, 59.9115
    rows_lon, rows_lat, times, patrols = [], [], [], []
    for month in range(1, 13):
        n_busy = 40 if month == 12 else 1
        for i in range(n_busy):
            rows_lon.append(busy_lon)
            rows_lat.append(busy_lat)
            times.append(f"2024-{month:02d}-10T12:{i % 60:02d}:00Z")
            patrols.append("P1")
        for i, (dx, dy) in enumerate(((0.01, 0.0), (-0.01, 0.0), (0.0, 0.006), (0.0, -0.006))):
            rows_lon.append(busy_lon + dx)
            rows_lat.append(busy_lat + dy)
            times.append(f"2024-{month:02d}-11T12:0{i}:00Z")
            patrols.append("P2")
    encounters = builders.encounters_lonlat([f"E{i}" for i in range(len(times))], times, rows_lon, rows_lat, patrols)
    crowd = (encounters["time_utc"].dt.month == 12) & (encounters["patrol_id"] == "P1")
    for column, value in (december_crowd or {}).items():
        encounters.loc[crowd, column] = value
    patrol_rows = builders.patrols(("P1", "2024-01-01T10:00Z", "2024-01-01T12:00Z", 2, "sentrum"),
                                   ("P2", "2024-01-01T10:00Z", "2024-01-01T12:00Z", 2, "bydel"))
    return builders.make_store(tmp_path, patrol_rows=patrol_rows, encounter_rows=encounters)


def test_emerging_hotspots_from_a_store(tmp_path):
    store = _encounter_store(tmp_path)
    result = emerging_hotspots(store, period="month", res=9)
    assert tuple(result.columns) == COLUMNS
    assert result.attrs["periods"] == [f"2024-{m:02d}" for m in range(1, 13)]
    busy = format(h3.str_to_int(h3.latlng_to_cell(59.9115, 10.7505, 9)), "x")
    row = result.set_index("cell").loc[busy]
    assert row["category"] == "new_hot"
    assert row["total_encounters"] == 51 and row["last_encounters"] == 40
    assert len(result) == 5  # only cells with encounters are listed
    assert result["category"].iloc[0] == "new_hot"  # ordered by category


def test_team_and_dates_select_encounters(tmp_path):
    store = _encounter_store(tmp_path)
    only_bydel = emerging_hotspots(store, period="quarter", res=9, teams=("bydel",))
    assert len(only_bydel) == 4 and only_bydel["total_encounters"].sum() == 48
    first_half = emerging_hotspots(store, period="month", res=9, first_day=dt.date(2024, 1, 1),
                                   last_day=dt.date(2024, 6, 30))
    assert first_half.attrs["periods"] == [f"2024-{m:02d}" for m in range(1, 7)]
    assert first_half["total_encounters"].sum() == 30


def test_categories_and_age_groups_select_encounters(tmp_path):
    # the December crowd at Oslo S: 40 acute-help encounters with people under 18; all others conversations, 26+
    store = _encounter_store(tmp_path, december_crowd={"category": "acute_help", "age_group": "under_18"})
    acute = emerging_hotspots(store, period="month", res=9, categories=("acute_help",))
    assert len(acute) == 1 and acute["total_encounters"].tolist() == [40]
    young = emerging_hotspots(store, period="month", res=9, age_groups=("under_18",))
    assert young["total_encounters"].tolist() == [40]
    others = emerging_hotspots(store, period="month", res=9, categories=("conversation",))
    assert others["total_encounters"].sum() == 51 + 48 - 40


def test_dates_that_cut_through_a_period_leave_the_partial_periods_out(tmp_path):
    store = _encounter_store(tmp_path)
    cut = emerging_hotspots(store, period="month", res=9, first_day=dt.date(2024, 1, 15),
                            last_day=dt.date(2024, 11, 20))
    assert cut.attrs["periods"] == [f"2024-{m:02d}" for m in range(2, 11)]
    assert cut.attrs["left_out"] == ["2024-01", "2024-11"]
    assert cut["total_encounters"].sum() == 9 * 5  # February to October: five encounters a month
    whole = emerging_hotspots(store, period="month", res=9, first_day=dt.date(2024, 2, 1),
                              last_day=dt.date(2024, 10, 31))
    assert whole.attrs["left_out"] == [] and whole.attrs["periods"] == cut.attrs["periods"]
    # no whole quarter inside the dates: the partial one is kept rather than nothing
    inside = emerging_hotspots(store, period="quarter", res=9, first_day=dt.date(2024, 2, 1),
                               last_day=dt.date(2024, 3, 15))
    assert inside.attrs["periods"] == ["2024-Q1"] and inside.attrs["left_out"] == []


def test_no_encounters_gives_an_empty_table(tmp_path):
    store = _encounter_store(tmp_path)
    empty = emerging_hotspots(store, period="year", first_day=dt.date(2020, 1, 1), last_day=dt.date(2020, 12, 31))
    assert empty.empty and tuple(empty.columns) == COLUMNS
    assert category_counts(empty)["cells"].sum() == 0


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"k": 0}, "k-ring must be between 1 and 3 rings of cells; got 0"),
    ({"time_lag": 5}, "time lag must be between 0 and 4 periods; got 5"),
    ({"res": 8}, r"H3 resolution must be one of \(9, 10, 11\); got 8"),
    ({"period": "week"}, "period must be one of month, tertial, quarter, year"),
])
def test_bad_parameters_are_refused(tmp_path, kwargs, match):
    store = _encounter_store(tmp_path)
    with pytest.raises(ValueError, match=match):
        emerging_hotspots(store, **{"period": "quarter", **kwargs})


def test_category_counts_lists_every_category_in_order():
    frame = pd.DataFrame({"category": ["new_hot", "no_pattern", "new_hot"]})
    counts = category_counts(frame)
    assert counts["category"].tolist() == list(CATEGORIES)
    assert counts.set_index("category")["cells"].to_dict() == {c: {"new_hot": 2, "no_pattern": 1}.get(c, 0)
                                                                for c in CATEGORIES}


# --- CLI ------------------------------------------------------------------------------------


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli_main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_cli_hotspots_csv_and_json(tmp_path):
    path = str(_encounter_store(tmp_path).path)
    code, out, _ = _cli("hotspots", "--store", path, "--period", "month", "--res", "9", "--format", "csv")
    assert code == 0
    table = pd.read_csv(io.StringIO(out))
    assert list(table.columns[:4]) == ["cell", "category", "trend_z", "trend_p"]
    assert table["category"].iloc[0] == "new_hot"
    code, out, _ = _cli("hotspots", "--store", path, "--period", "month", "--res", "9", "--format", "json",
                        "--counts")
    assert code == 0
    counts = {r["category"]: r["cells"] for r in json.loads(out)}
    assert list(counts) == list(CATEGORIES) and counts["new_hot"] == 1 and sum(counts.values()) == 5


def test_cli_selects_categories_and_age_groups(tmp_path):
    path = str(_encounter_store(tmp_path, december_crowd={"category": "acute_help", "age_group": "under_18"}).path)
    code, out, _ = _cli("hotspots", "--store", path, "--period", "month", "--res", "9", "--format", "csv",
                        "--category", "acute_help", "--age-group", "under_18")
    assert code == 0
    assert pd.read_csv(io.StringIO(out))["total_encounters"].tolist() == [40]


@pytest.mark.parametrize(("args", "message"), [
    (["--period", "week"], "invalid choice: 'week'"),
    (["--period", "year", "--category", "shouting"], "invalid choice: 'shouting'"),
    (["--period", "year", "--k-ring", "0"], "error: k-ring must be between 1 and 3"),
    (["--period", "year", "--from", "2024-05-01", "--to", "2024-01-01"], "error: --from 2024-05-01 is after --to 2024-01-01; swap them"),
    (["--period", "year", "--from", "31.02.2024"], "expected a date like 2024-06-12"),
])
def test_cli_bad_arguments_exit_2_without_traceback(tmp_path, args, message):
    path = str(_encounter_store(tmp_path).path)
    code, _, err = _cli("hotspots", "--store", path, *args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_cli_missing_store_exits_2(tmp_path):
    code, _, err = _cli("hotspots", "--store", str(tmp_path / "none.gpkg"), "--period", "year")
    assert code == 2 and err.startswith("error: ") and "does not exist" in err


def test_every_category_has_a_map_colour_in_order():
    from geo.hotspots.maps import CATEGORY_COLOURS

    assert tuple(CATEGORY_COLOURS) == CATEGORIES
    assert len(set(CATEGORY_COLOURS.values())) == len(CATEGORIES)


def test_map_layer_colours_cells_by_category_with_a_legend():
    import folium

    from geo.hotspots.maps import CATEGORY_COLOURS, add_category_cells

    frame = pd.DataFrame({"cell": [h3.latlng_to_cell(59.9127, 10.7565, 9), h3.latlng_to_cell(59.92, 10.76, 9)],
                          "category": ["new_hot", "no_pattern"], "total_encounters": [5, 1]})
    fmap = add_category_cells(folium.Map(tiles=None), frame, labels={c: c.upper() for c in CATEGORIES},
                              tooltip={"category": "Pattern"}, legend_title="Legend")
    page = fmap.get_root().render()
    assert CATEGORY_COLOURS["new_hot"] in page and CATEGORY_COLOURS["no_pattern"] in page
    assert "feltkart-legend" in page and "NEW_HOT" in page and "PERSISTENT_HOT" not in page
