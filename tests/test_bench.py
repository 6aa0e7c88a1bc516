"""Smoke tests of the benchmark harness (bench/): data, naive pipeline, comparison, runner.

No timing assertions: speed targets live only in the benchmark output.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from bench import data, kernels
from bench.compare import agreement
from bench.naive import crossing_bounds, naive_presence_totals
from bench.run import format_report, main
from geo.engine.presence import prepare_areas, presence_totals
from geo.schema import AREA_ID, AREA_VERSION, LAT, LON, PATROL_ID, SECONDS, TIME_UTC


@pytest.fixture(scope="module")
def areas():
    return data.bench_areas()


def test_generated_points_are_deterministic_1hz_walks_in_sentrum(areas):
    a = data.generate_track_points(30_000, seed=7, areas=areas, patrol_points=(1_000, 3_000))
    b = data.generate_track_points(30_000, seed=7, areas=areas, patrol_points=(1_000, 3_000))
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns) == [PATROL_ID, TIME_UTC, LON, LAT] and len(a) == 30_000
    assert str(a[TIME_UTC].dtype) == "datetime64[us, UTC]"
    assert (a[TIME_UTC].dt.year == 2024).all()
    lon0, lat0, lon1, lat1 = data.SENTRUM_BBOX
    assert a[LON].between(lon0 - 0.005, lon1 + 0.005).all() and a[LAT].between(lat0 - 0.003, lat1 + 0.003).all()
    dt = a.groupby(PATROL_ID)[TIME_UTC].diff().dt.total_seconds().dropna()
    assert (dt > 0).all() and dt.median() == 1.0


def test_areas_have_versions(areas):
    assert AREA_VERSION in areas.columns
    assert not areas.duplicated([AREA_ID, AREA_VERSION]).any()
    prepare_areas(areas)  # the engine accepts them


def test_naive_and_engine_agree(areas):
    points = data.generate_track_points(60_000, seed=3, areas=areas, patrol_points=(1_500, 4_000))
    naive = naive_presence_totals(points, areas, res=10)
    engine = presence_totals(points, prepare_areas(areas), res=10)
    bound_area, bound_cell = crossing_bounds(naive, areas)
    result = agreement(
        engine.per_area, engine.per_cell, naive.per_area, naive.per_cell,
        naive_total_s=naive.total_seconds, bound_area=bound_area, bound_cell=bound_cell,
    )
    assert result["ok"], result
    assert result["total_seconds"]["rel_diff"] < 1e-9
    assert result["areas"]["compared"] > 0 and result["cells"]["compared"] > 0
    assert result["cells"]["weighted_mean_abs_rel_diff"] < 0.005
    assert set(naive.stages) >= {"points_from_xy", "to_crs", "sjoin", "h3_cells"}


def test_agreement_flags_a_wrong_result(areas):
    points = data.generate_track_points(20_000, seed=5, areas=areas, patrol_points=(1_000, 2_000))
    naive = naive_presence_totals(points, areas, res=10)
    engine = presence_totals(points, prepare_areas(areas), res=10)
    bound_area, bound_cell = crossing_bounds(naive, areas)
    wrong = engine.per_cell.copy()
    top = int(np.argmax(wrong[SECONDS].to_numpy()))
    wrong.loc[top, SECONDS] *= 1.2
    result = agreement(
        engine.per_area, wrong, naive.per_area, naive.per_cell,
        naive_total_s=naive.total_seconds, bound_area=bound_area, bound_cell=bound_cell,
    )
    assert not result["ok"]


@pytest.mark.slow
def test_runner_end_to_end(tmp_path):
    out = tmp_path / "latest.json"
    code = main(["--points", "20000", "--gpx-points", "2000", "--out", str(out), "--quiet",
                 "--workdir", str(tmp_path), "--kernel-runs", "0"])
    assert code == 0
    results = json.loads(out.read_text())
    assert set(results) >= {"timestamp", "config", "machine", "load_average", "presence", "gpx", "targets"}
    assert set(results["machine"]) >= {"nproc", "python", "numpy"}
    p = results["presence"]
    assert p["points"] == 20_000 and p["data"]["points"] == 20_000
    for side in ("naive", "engine"):
        assert set(p[side]) >= {"seconds", "cpu_seconds", "peak_rss_mb", "baseline_rss_mb", "peak_above_baseline_mb"}
    assert p["ratio"] > 0
    assert p["agreement"]["ok"] and p["agreement"]["total_seconds"]["rel_diff"] < 1e-9
    g = results["gpx"]
    assert g["read_gpx"]["points"] == g["gpxpy"]["points"] == 2_000 and g["same_points"]
    assert set(results["targets"]) == {"engine_speedup", "engine_memory", "gpx_speedup"}
    assert all(isinstance(t["met"], bool) for t in results["targets"].values())
    assert "ratio naive / engine" in format_report(results)
    assert [p.name for p in tmp_path.iterdir()] == ["latest.json"]  # temporary data removed


def test_generating_fewer_than_two_points_is_refused():
    with pytest.raises(ValueError, match="need at least 2 track points; got 1"):
        data.generate_track_points(1)


def test_runner_refuses_too_few_points(capsys):
    with pytest.raises(SystemExit):
        main(["--points", "1"])
    assert "--points must be at least 2" in capsys.readouterr().err


# --- end to end (bench.e2e, bench.e2e_data, bench.naive_e2e) --------------------------------------


def test_e2e_agreement_compares_areas_with_enough_minutes():
    from bench.e2e import agreement

    ours = {"a": 100.0, "b": 50.5, "c": 10.0, "__outside__": 0.0}
    theirs = {"a": 100.9, "b": 50.0, "c": 20.0, "d": 31.0}
    result = agreement(ours, theirs, min_minutes=30.0, tolerance=0.01)
    assert result["compared"] == 3  # a, b and d (31 min on the naive side); c has too few minutes
    assert result["worst_area"] == "d" and result["max_rel_diff"] == pytest.approx(1.0)
    assert not result["ok"]
    assert agreement({"a": 100.0}, {"a": 100.9})["ok"]  # 0.9 % is within 1 %
    assert not agreement({"a": 100.0}, {"a": 102.0})["ok"]


def test_e2e_gpx_files_hold_whole_patrols_of_whole_second_fixes(tmp_path):
    from bench import e2e_data
    from geo.io.gpx import read_gpx
    from geo.schema import T_TRACK_POINTS

    facts = e2e_data.write_gpx_files(20_000, tmp_path, files=3, seed=5)
    assert facts["points"] == 20_000 and len(facts["files"]) == 3
    read = [read_gpx(tmp_path / name) for name in facts["files"]]
    points = pd.concat([r.frames[T_TRACK_POINTS] for r in read], ignore_index=True)
    assert len(points) == 20_000 and not any(r.errors for r in read)
    assert (points[TIME_UTC].dt.microsecond == 0).all()
    gaps = points.groupby(PATROL_ID)[TIME_UTC].diff().dt.total_seconds().dropna()
    assert gaps.median() == 1.0
    assert points[LON].between(10.70, 10.80).all() and points[LAT].between(59.89, 59.94).all()
    again = tmp_path / "again"
    again.mkdir()
    e2e_data.write_gpx_files(20_000, again, files=3, seed=5)
    assert (again / "p00.gpx").read_bytes() == (tmp_path / "p00.gpx").read_bytes()


def test_e2e_encounters_csv_is_norwegian_excel_and_reads_back_whole(tmp_path):
    from bench import e2e_data
    from geo.io.encounters import read_encounters
    from geo.schema import T_ENCOUNTERS

    facts = e2e_data.write_encounters_csv(tmp_path / "k.csv", 500)
    raw = (tmp_path / "k.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b";" in raw and b"\r\n" in raw
    assert facts["multiline_rows"] > 0 and raw.count(b',\nved inngangen"') == facts["multiline_rows"]
    result = read_encounters(tmp_path / "k.csv")
    assert len(result.frames[T_ENCOUNTERS]) == 500 and not result.errors


def test_e2e_areas_are_the_97_delbydeler(tmp_path, shared_data, monkeypatch):
    from bench import e2e_data
    from geo.io.areas import read_areas
    from geo.schema import T_AREAS

    monkeypatch.setenv(e2e_data.SHARED_DATA_ENV, str(shared_data))
    assert e2e_data.write_areas_file(tmp_path / "a.geojson") == 97
    areas = read_areas(tmp_path / "a.geojson").frames[T_AREAS]
    assert len(areas) == 97 and areas["area_id"].str.fullmatch(r"d\d{4}").all()


@pytest.mark.slow
def test_e2e_runner_small(tmp_path):
    out = tmp_path / "e2e.json"
    code = main(["--e2e-only", "--e2e-points", "20000", "--e2e-files", "2", "--e2e-runs", "1",
                 "--e2e-encounters", "300", "--no-recompute", "--out", str(out), "--quiet", "--workdir", str(tmp_path)])
    assert code == 0
    results = json.loads(out.read_text())
    size = results["e2e"]["sizes"][0]
    assert size["points"] == 20_000 and size["agree"] and len(size["runs"]) == 1
    run = size["runs"][0]
    assert {"import", "summary", "naive"} <= set(run) and run["ratio"] > 0
    assert run["import"]["peak_rss_mb"] > 50
    assert results["e2e"]["encounters"]["added_all"]
    assert "End to end" in format_report(results)


# --- city scale (bench.city, bench.city_queries) ----------------------------------------------------


def test_city_districts_and_day_plan(shared_data, monkeypatch):
    from bench import city
    from bench.e2e_data import SHARED_DATA_ENV

    monkeypatch.setenv(SHARED_DATA_ENV, str(shared_data))
    districts = city.districts()
    assert len(districts) == 14 and len({d.team for d in districts}) == 14
    assert all(len(d.areas) == city.AREAS_PER_DISTRICT for d in districts)
    areas = city.city_areas()
    assert not areas.duplicated(["area_id", "valid_from"]).any() and len(areas) == 12 + 28  # demo + 2 per district
    day = dt.date(2020, 3, 3)
    plan = city.plan_city_day(day, seed=42)
    assert plan == city.plan_city_day(day, seed=42)  # deterministic
    assert len({p.patrol_id for p in plan}) == len(plan)
    teams = {p.team for p in plan}
    assert "uteseksjonen" in teams and len(teams - {"uteseksjonen", "vestre-aker"}) >= 10


@pytest.mark.slow
def test_city_build_writes_the_same_days_into_every_store(tmp_path, shared_data, monkeypatch):
    from bench import city
    from bench.e2e_data import SHARED_DATA_ENV

    monkeypatch.setenv(SHARED_DATA_ENV, str(shared_data))
    monkeypatch.setattr(city, "half_years", lambda first, years: [(dt.date(2020, 3, 2), dt.date(2020, 3, 3))])
    facts = city.build([str(tmp_path / "a.gpkg"), str(tmp_path / "b.gpkg")], first_year=2020, years=1,
                       progress=lambda m: None)
    assert facts["points"] > 10_000 and facts["counts"]["patrols"] == facts["patrols"]
    from geo.store import open_store

    a, b = open_store(tmp_path / "a.gpkg", create=False), open_store(tmp_path / "b.gpkg", create=False)
    assert a.counts() == b.counts() and a.rollups_complete()


# --- bench/kernels.py: the same user commands with and without the hand-written kernels ------


def test_week_of_tracks_moves_whole_patrols_into_the_week(areas):
    points = data.generate_track_points(30_000, seed=11, areas=areas, patrol_points=(1_000, 3_000))
    week = kernels.week_of_tracks(points)
    assert len(week) == len(points) and (week[PATROL_ID] == points[PATROL_ID]).all()
    assert str(week[TIME_UTC].dtype) == "datetime64[us, UTC]"
    moved = (week[TIME_UTC] - points[TIME_UTC]).dt.total_seconds()
    assert (moved % 86_400 == 0).all()  # whole days: time of day kept
    assert (moved.groupby(points[PATROL_ID]).nunique() == 1).all()  # one shift per patrol: its fixes keep their gaps
    starts = week.groupby(PATROL_ID, sort=False)[TIME_UTC].min()
    expected = [f"2024-03-{4 + i % 7:02d}" for i in range(len(starts))]  # patrol i on day i % 7 of the week
    assert starts.dt.strftime("%Y-%m-%d").tolist() == expected
    assert week.groupby(PATROL_ID, sort=False)["day"].first().tolist() == expected


def _runs(*seconds: float, cpu: tuple[float, ...] | None = None) -> list[dict]:
    return [{"seconds": s, "cpu_seconds": c} for s, c in zip(seconds, cpu or [2 * s for s in seconds])]


def _verdict(fast: list[dict], reference: list[dict]) -> dict:
    return kernels.summarise({"import": {"fast": fast, "reference": reference},
                              "demo": {"fast": _runs(20, 20, 20), "reference": _runs(21, 21, 21)}})


def test_saving_per_command_from_medians_and_paired_runs():
    summary = _verdict(_runs(10, 11, 12), _runs(14, 13, 12))
    assert summary["commands"]["import"]["fast"] == {"median": 11, "min": 10, "max": 12, "cpu_median": 22,
                                                     "cpu_min": 20, "cpu_max": 24}
    h3 = summary["kernels"]["h3grid"]
    assert h3["library"] == "reference"
    saving = h3["savings"]["import"]
    assert saving["wall"] == pytest.approx(1 - 11 / 13) and saving["cpu"] == pytest.approx(1 - 22 / 26)  # 15.4 %
    assert saving["paired_min"] == pytest.approx(0.0)  # run 3: 12 s either way
    assert saving["paired_max"] == pytest.approx(1 - 10 / 14)
    assert h3["savings"]["demo"]["wall"] == pytest.approx(1 - 20 / 21)  # 4.8 %
    assert h3["best_command"] == "import" and h3["verdict"] == "keep"


def test_a_kernel_is_kept_only_when_wall_and_cpu_time_agree():
    # 4.3 % of the import in both: delete
    assert _verdict(_runs(11, 11, 11), _runs(11.5, 11.5, 11.5))["kernels"]["h3grid"]["verdict"] == "delete"
    # 15 % of the wall time but 2 % of the CPU time: undecided
    noisy = _verdict(_runs(11, 11, 11, cpu=(9.8, 9.8, 9.8)), _runs(13, 13, 13, cpu=(10, 10, 10)))
    assert noisy["kernels"]["h3grid"]["verdict"] == "undecided"


def test_report_shows_seconds_savings_and_verdict():
    summary = _verdict(_runs(10, 11, 12), _runs(14, 13, 12))
    report = kernels.format_report({
        "config": {"runs": 3, "demo": ["2024-01-01", "2024-03-31"],
                   "changed_area": ["vaterland-gronland", "2024-02-15", 25.0]},
        "data": {"points": 500_000, "patrols": 35, "gpx_files": ["a.gpx"] * 7},
        "summary": summary, "same_results": None,
    })
    assert "import a week of GPX" in report and "11.0 (10.0-12.0)" in report and "13.0 (12.0-14.0)" in report
    assert "1.18x/1.18x" in report  # 13 / 11
    assert "15.4 % (0..29 %)" in report
    assert "verdict: KEEP" in report


def test_summaries_of_two_stores_are_compared_number_by_number():
    a = [{"area_id": "x", "area_name": "X", "presence_minutes": "100.0"}, {"area_id": "y", "area_name": "Y",
                                                                           "presence_minutes": "0"}]
    b = [{"area_id": "x", "area_name": "X", "presence_minutes": "100.001"}, {"area_id": "y", "area_name": "Y",
                                                                             "presence_minutes": "0"}]
    got = kernels._table_difference(a, b, key="area_id")
    assert got["rows"] == 2 and got["rows_equal"]
    assert got["max_rel_diff"] == pytest.approx(0.001 / 100.001)
    assert not kernels._table_difference(a, b[:1], key="area_id")["rows_equal"]


@pytest.mark.slow
def test_kernels_benchmark_end_to_end(tmp_path):
    out = tmp_path / "kernels.json"
    code = kernels.main(["--runs", "1", "--points", "3000", "--demo-end", "2024-01-02",
                         "--out", str(out), "--workdir", str(tmp_path), "--quiet"])
    assert code == 0
    results = json.loads(out.read_text())
    assert results["data"]["points"] == 3000
    for command in kernels.COMMANDS:
        for mode in ("fast", "reference"):
            (run,) = results["timings"][command][mode]
            assert run["seconds"] > 0 and run["cpu_seconds"] > 0
    assert results["same_results"]["ok"] and results["same_results"]["area"]["rows"] == 12
    assert results["summary"]["kernels"]["h3grid"]["verdict"] in ("keep", "delete", "undecided")
    assert [p.name for p in tmp_path.iterdir()] == ["kernels.json"]  # temporary data removed
