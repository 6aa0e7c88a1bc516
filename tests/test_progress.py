"""geo.progress: imports, the recomputation after an area change, the demo build and report exports
report their files and stages, in order, with counts that only grow and end at the total; and no
output depends on whether anyone listens."""

from __future__ import annotations

import re
import shutil
from datetime import date

import pandas as pd
import pytest

from geo.demo.store import build_demo_store
from geo.engine import refresh
from geo.io.errors import InputFileError
from geo.io.importer import import_file, import_files
from geo.progress import Step, Tracker, no_progress, part_of
from geo.report.export import export_report, preview_report, render
from geo.schema import (
    T_ENCOUNTER_AREAS,
    T_PRESENCE_AREA,
    T_PRESENCE_CELL,
    T_PRESENCE_TOTAL,
    T_VISITS_AREA,
    T_VISITS_CELL,
)
from geo.store import open_store
from tests.conftest import shared_demo_store
from tests.test_importer import areas_file, encounter_row, encounters_file, gpx_file

DERIVED = (T_PRESENCE_TOTAL, T_PRESENCE_AREA, T_VISITS_AREA, T_PRESENCE_CELL, T_VISITS_CELL, T_ENCOUNTER_AREAS)
WEEK_42 = (date(2024, 10, 14), date(2024, 10, 20))  # a whole ended partner period of the shared demo store


def stages(steps: list[Step]) -> list[tuple]:
    return [(s.task, s.stage, s.done, s.total, s.detail) for s in steps]


def assert_counts_grow_to_the_total(steps: list[Step]) -> None:
    assert steps, "no step reported"
    assert len({s.total for s in steps}) == 1, "the total changed within a task"
    done = [s.done for s in steps]
    assert done == sorted(done), f"done went down: {done}"
    assert all(0 <= s.done <= s.total for s in steps)
    assert (steps[-1].stage, steps[-1].done) == ("done", steps[-1].total)
    assert [s.stage for s in steps].count("done") == 1


def unreadable_csv(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("a;b\n1;2\n", encoding="utf-8")  # neither encounters nor patrols: refused whole
    return path


def derived_tables(store) -> dict[str, pd.DataFrame]:
    """Every derived table, without the fid columns the store assigns, in a fixed row order."""
    out = {}
    for table in DERIVED:
        frame = store.query(f"SELECT * FROM {table}")
        frame = frame.drop(columns=[c for c in frame.columns if c == "fid"])
        out[table] = frame.sort_values(list(frame.columns)).reset_index(drop=True)
    return out


# --- import -----------------------------------------------------------------------------------------
def test_two_files_one_refused_report_each_file_and_stage_in_order(tmp_path):
    steps: list[Step] = []
    store = open_store(tmp_path / "s.gpkg")
    outcomes = list(import_files(store, [unreadable_csv(tmp_path), gpx_file(tmp_path)], progress=steps.append))
    assert isinstance(outcomes[0][1], InputFileError) and outcomes[1][1].n_added == 12  # 1 patrol, 11 points
    assert stages(steps) == [
        ("import", "read", 0, 2, "bad.csv"),  # refused: no further stage of this file
        ("import", "read", 1, 2, "patrol.gpx"),
        ("import", "write", 1, 2, "patrol.gpx"),
        ("import", "presence", 1, 2, "patrol.gpx"),
        ("import", "done", 2, 2, ""),
    ]
    assert_counts_grow_to_the_total(steps)


def test_a_file_with_rejected_rows_is_read_and_written_and_a_repeat_only_read(tmp_path):
    steps: list[Step] = []
    store = open_store(tmp_path / "s.gpkg")
    csv = encounters_file(tmp_path, encounter_row("e1"), encounter_row("e2", category="bingo"))
    outcomes = [o for _, o in import_files(store, [csv, csv], progress=steps.append)]
    assert len(outcomes[0].errors) == 1 and outcomes[1].already_imported
    assert stages(steps) == [("import", "read", 0, 2, "kontakter.csv"), ("import", "write", 0, 2, "kontakter.csv"),
                             ("import", "read", 1, 2, "kontakter.csv"), ("import", "done", 2, 2, "")]


def test_an_area_file_reports_the_recomputation_as_stages_of_its_file(tmp_path):
    store = open_store(tmp_path / "s.gpkg")
    import_file(store, gpx_file(tmp_path))
    steps: list[Step] = []
    import_file(store, areas_file(tmp_path), progress=steps.append)
    assert stages(steps) == [
        ("import", "read", 0, 1, "areas.geojson"),
        ("import", "write", 0, 1, "areas.geojson"),
        ("import", "presence", 0, 1, "areas.geojson"),  # refresh_areas' stages, as stages of this file
        ("import", "encounters", 0, 1, "areas.geojson"),
        ("import", "done", 1, 1, ""),
    ]
    assert_counts_grow_to_the_total(steps)


def test_imports_with_and_without_a_callback_store_the_same(tmp_path):
    files = [areas_file(tmp_path), gpx_file(tmp_path), encounters_file(tmp_path, encounter_row("e1")),
             unreadable_csv(tmp_path)]
    results = {}
    for name, progress in (("quiet", no_progress), ("heard", lambda step: None)):
        store = open_store(tmp_path / f"{name}.gpkg")
        outcomes = [str(o) if isinstance(o, InputFileError) else o for _, o in import_files(store, files, progress=progress)]
        results[name] = (outcomes, store.counts(), derived_tables(store))
    (outcomes_a, counts_a, tables_a), (outcomes_b, counts_b, tables_b) = results["quiet"], results["heard"]
    assert outcomes_a == outcomes_b and counts_a == counts_b
    assert counts_a["presence_area"] > 0 and counts_a["encounter_areas"] == 1
    for table in DERIVED:
        pd.testing.assert_frame_equal(tables_a[table], tables_b[table])


# --- refresh_areas ----------------------------------------------------------------------------------
def test_refresh_areas_reports_presence_then_encounters(tmp_path):
    store = open_store(tmp_path / "s.gpkg")
    import_file(store, areas_file(tmp_path))
    import_file(store, gpx_file(tmp_path))
    before = derived_tables(store)
    steps: list[Step] = []
    refresh.refresh_areas(store, ["sq"], progress=steps.append)
    assert stages(steps) == [("refresh", "presence", 0, 2, ""), ("refresh", "encounters", 1, 2, ""),
                             ("refresh", "done", 2, 2, "")]
    after = derived_tables(store)
    for table in DERIVED:  # nothing changed, so the recomputation gives what the import stored
        pd.testing.assert_frame_equal(before[table], after[table])
    steps.clear()
    refresh.refresh_areas(store, [], progress=steps.append)
    assert stages(steps) == [("refresh", "done", 2, 2, "")]


# --- the helpers ----------------------------------------------------------------------------------
def test_a_sub_task_reports_as_the_unit_of_the_outer_task_without_its_own_end():
    steps: list[Step] = []
    outer = Tracker(steps.append, "import", 3)
    outer.advance()
    inner = Tracker(outer.part("b.geojson"), "refresh", 2)
    inner.stage("presence")
    inner.advance()
    inner.finish()
    assert stages(steps) == [("import", "presence", 1, 3, "b.geojson")]
    assert part_of(no_progress, task="import", done=0, total=1) is no_progress  # nothing to forward to


# --- demo build -------------------------------------------------------------------------------------
def test_the_demo_build_reports_each_year_and_builds_the_same_store(tmp_path):
    steps: list[Step] = []
    first, last = date(2023, 12, 29), date(2024, 1, 1)  # two calendar years: two units, then encounters
    heard = build_demo_store(tmp_path / "heard.gpkg", start=first, end=last, progress=steps.append)
    quiet = build_demo_store(tmp_path / "quiet.gpkg", start=first, end=last)
    assert [(s.stage, s.done, s.total) for s in steps] == [
        ("generate", 0, 3), ("write", 0, 3), ("generate", 1, 3), ("write", 1, 3), ("encounters", 2, 3),
        ("done", 3, 3)]
    assert [s.detail for s in steps if s.stage == "generate"] == ["2023-12-29–2023-12-31", "2024-01-01–2024-01-01"]
    assert re.fullmatch(r"2023-12-29–2023-12-31: [\d,]+ patrols, [\d,]+ points, [\d,]+ encounters", steps[1].detail)
    assert_counts_grow_to_the_total(steps)
    assert heard.counts == quiet.counts and heard.counts["patrols"] > 0
    a, b = open_store(heard.path, create=False), open_store(quiet.path, create=False)
    for table, frame in derived_tables(a).items():
        pd.testing.assert_frame_equal(frame, derived_tables(b)[table])


# --- reports ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def report_store(tmp_path_factory):
    return shared_demo_store(tmp_path_factory, date(2024, 9, 23), date(2024, 10, 20))


def _without_creation_time(path) -> list[str]:
    """A CSV report's lines but its ``laget_utc`` row (the second it was made: two exports a second
    apart differ there only)."""
    return [line for line in path.read_text(encoding="utf-8-sig").splitlines() if not line.startswith("om;laget_utc;")]


@pytest.mark.parametrize("fmt, expected", [
    ("pdf", [("data", 0), ("maps", 1), ("charts", 2), ("pdf", 3), ("done", 4)]),
    ("csv", [("data", 0), ("csv", 1), ("done", 2)]),
])
def test_export_report_reports_data_pictures_and_the_format(report_store, tmp_path, fmt, expected):
    copy = tmp_path / "store.gpkg"
    shutil.copy(report_store, copy)
    steps: list[Step] = []
    done = export_report(open_store(copy), "trio", first_day=WEEK_42[0], last_day=WEEK_42[1],
                         out=tmp_path / f"sb.{fmt}", progress=steps.append)
    assert [(s.stage, s.done) for s in steps] == expected
    assert steps[0].detail == "trio" and steps[-1].detail == f"sb.{fmt}"
    assert_counts_grow_to_the_total(steps)
    if fmt == "csv":  # the same CSV with and without a listener, but for the second it was made in
        export_report(open_store(copy), "trio", first_day=WEEK_42[0], last_day=WEEK_42[1], out=tmp_path / "quiet.csv")
        heard, quiet = (_without_creation_time(tmp_path / name) for name in ("sb.csv", "quiet.csv"))
        assert heard == quiet and len(heard) > 20


def test_a_preview_and_a_render_report_their_stages_and_draw_the_same(report_store):
    store = open_store(report_store, create=False)
    steps: list[Step] = []
    heard = preview_report(store, "trio", first_day=WEEK_42[0], last_day=WEEK_42[1], progress=steps.append)
    quiet = preview_report(store, "trio", first_day=WEEK_42[0], last_day=WEEK_42[1])
    assert [(s.stage, s.done, s.total) for s in steps] == [("data", 0, 3), ("maps", 1, 3), ("charts", 2, 3),
                                                            ("done", 3, 3)]
    assert list(heard.images) == ["area_map", "cell_map", "trend", "week"]
    assert heard.images == quiet.images
    steps.clear()
    html = render(heard.report, "html", progress=steps.append)
    assert [(s.stage, s.done, s.total) for s in steps] == [("maps", 0, 3), ("charts", 1, 3), ("html", 2, 3),
                                                            ("done", 3, 3)]
    assert html == render(heard.report, "html", images=heard.images)
    steps.clear()
    render(heard.report, "csv", progress=steps.append)
    assert [(s.stage, s.done, s.total) for s in steps] == [("csv", 0, 1), ("done", 1, 1)]


def test_render_refuses_an_unknown_format_before_drawing(report_store):
    store = open_store(report_store, create=False)
    report = preview_report(store, "trio", first_day=WEEK_42[0], last_day=WEEK_42[1]).report
    steps: list[Step] = []
    with pytest.raises(ValueError, match="format must be one of pdf, html, csv; got 'xls'"):
        render(report, "xls", progress=steps.append)
    assert steps == []


def test_images_refuses_an_unknown_picture_name(report_store):
    from geo.report.charts import images

    report = preview_report(open_store(report_store, create=False), "trio", first_day=WEEK_42[0],
                            last_day=WEEK_42[1]).report
    with pytest.raises(ValueError, match=r"only: unknown image name\(s\) \['legend'\]; choose from area_map, cell_map"):
        images(report, only=("trend", "legend"))
