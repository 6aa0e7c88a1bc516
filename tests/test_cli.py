"""``python -m geo``: every subcommand's messages and exit codes, in-process (``geo.cli.main``) and as
a real process where the process boundary matters (exit status, a closed pipe).

Exit codes: 0 everything done; 1 some rows rejected, the rest imported; 2 nothing imported, or a
usage or input error (one ``error:`` line on stderr, never a traceback).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from geo.cli import EXIT_NOTHING_IMPORTED, EXIT_OK, EXIT_SOME_REJECTED, main
from tests.conftest import REPO, shared_demo_store
from tests.test_importer import areas_file, encounter_row, encounters_file, gpx_file

SUMMARY_AREA_COLUMNS = ["area_id", "area_name", "presence_minutes", "person_minutes", "presence_km", "visits",
                        "encounters"]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> str:
    """The four-week demo store the page and report tests share (read-only)."""
    return str(shared_demo_store(tmp_path_factory, date(2024, 9, 23), date(2024, 10, 20)))


# --- import --------------------------------------------------------------------------------------------
def test_import_of_good_files_exits_0_and_says_what_it_added(capsys, tmp_path):
    store = str(tmp_path / "s.gpkg")
    code, out, err = run(capsys, "import", "--store", store, str(areas_file(tmp_path)), str(gpx_file(tmp_path)))
    assert code == EXIT_OK
    # June 2024 is older than the 60 days raw tracks are kept (config/retention.toml): once the import has
    # computed the aggregates, the raw points go, and the import says so
    assert err.strip() == "retention: deleted 11 raw track points of 1 patrols older than 60 days (aggregates kept)"
    assert out.splitlines() == ["areas.geojson: areas: added 1 field_areas; 0 rows rejected",
                                "patrol.gpx: tracks: added 1 patrols, 11 track_points; 0 rows rejected"]


def test_import_with_rejected_rows_exits_1_and_lists_them_on_stderr(capsys, tmp_path):
    path = encounters_file(tmp_path, encounter_row("e1"), encounter_row("e2", category="bingo"))
    code, out, err = run(capsys, "import", "--store", str(tmp_path / "s.gpkg"), str(path))
    assert code == EXIT_SOME_REJECTED
    assert out.strip() == "kontakter.csv: encounters: added 1 encounters; 1 rows rejected"
    assert err.startswith("rejected: kontakter.csv:3: column 'Kategori': ")


def test_import_of_the_same_file_again_warns_and_adds_nothing(capsys, tmp_path):
    store, path = str(tmp_path / "s.gpkg"), str(gpx_file(tmp_path))
    run(capsys, "import", "--store", store, path)
    code, out, err = run(capsys, "import", "--store", store, path)
    assert code == EXIT_OK
    assert err.strip() == "warning: patrol.gpx: this exact file was imported before; nothing added"
    assert out.strip() == "patrol.gpx: tracks: added nothing new; 0 rows rejected"


def test_import_of_a_missing_or_unusable_file_exits_2(capsys, tmp_path):
    code, out, err = run(capsys, "import", "--store", str(tmp_path / "s.gpkg"), str(tmp_path / "nowhere.gpx"))
    assert (code, out) == (EXIT_NOTHING_IMPORTED, "")
    assert err.strip() == "error: nowhere.gpx: file not found"
    bad = tmp_path / "bad.csv"
    bad.write_text("a;b\n1;2\n", encoding="utf-8")
    code, _, err = run(capsys, "import", "--store", str(tmp_path / "s.gpkg"), str(bad))
    assert code == EXIT_NOTHING_IMPORTED
    assert err.startswith("error: bad.csv: cannot tell from the header whether this CSV holds encounters")


def test_import_where_every_row_is_rejected_exits_2(capsys, tmp_path):
    path = encounters_file(tmp_path, encounter_row("e1", category="bingo"))
    code, out, err = run(capsys, "import", "--store", str(tmp_path / "s.gpkg"), str(path))
    assert code == EXIT_NOTHING_IMPORTED
    assert "rejected: kontakter.csv:2: column 'Kategori'" in err


def test_a_good_file_and_a_bad_file_together_exit_1(capsys, tmp_path):
    code, _, err = run(capsys, "import", "--store", str(tmp_path / "s.gpkg"), str(gpx_file(tmp_path)),
                       str(tmp_path / "nowhere.gpx"))
    assert code == EXIT_SOME_REJECTED
    assert "error: nowhere.gpx: file not found" in err


def test_import_progress_goes_to_stderr_one_line_per_file_and_stage_and_only_when_asked(capsys, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a;b\n1;2\n", encoding="utf-8")
    files = [str(bad), str(gpx_file(tmp_path))]
    code, out, err = run(capsys, "import", "--progress", "--store", str(tmp_path / "a.gpkg"), *files)
    assert code == EXIT_SOME_REJECTED
    lines = err.splitlines()
    assert [line for line in lines if line.startswith("[")] == [
        "[1/2] bad.csv: read", "[2/2] patrol.gpx: read", "[2/2] patrol.gpx: write", "[2/2] patrol.gpx: presence",
        "[2/2] done"]
    assert lines.index("[1/2] bad.csv: read") < next(i for i, x in enumerate(lines) if x.startswith("error: bad.csv"))
    quiet_code, quiet_out, quiet_err = run(capsys, "import", "--store", str(tmp_path / "b.gpkg"), *files)
    assert (quiet_code, quiet_out) == (code, out)  # stdout is the same with and without --progress
    assert out == "patrol.gpx: tracks: added 1 patrols, 11 track_points; 0 rows rejected\n"
    assert not [line for line in quiet_err.splitlines() if line.startswith("[")]


def test_report_progress_names_the_stages_on_stderr(capsys, demo, tmp_path):
    copy = tmp_path / "demo.gpkg"
    copy.write_bytes(Path(demo).read_bytes())  # an export writes the audit log: never into the shared store
    code, out, err = run(capsys, "report", "--progress", "--store", str(copy), "--preset", "salto",
                         "--from", "2024-09-30", "--to", "2024-10-06", "--out", str(tmp_path / "sb.csv"))
    assert code == EXIT_OK and out.startswith(f"{tmp_path / 'sb.csv'}: csv, preset salto")
    assert err.splitlines() == ["[1/2] salto: data", "[2/2] csv", "[2/2] sb.csv: done"]


def test_import_of_an_unknown_kind_is_a_usage_error(capsys, tmp_path):
    code, _, err = run(capsys, "import", "--store", str(tmp_path / "s.gpkg"), "--kind", "trips", "x.gpx")
    assert code == 2
    assert "argument --kind: invalid choice: 'trips'" in err


# --- summary -------------------------------------------------------------------------------------------
def test_summary_by_area_prints_the_documented_columns(capsys, demo):
    code, out, err = run(capsys, "summary", "--store", demo, "--from", "2024-10-01", "--to", "2024-10-14",
                         "--by", "area")
    assert (code, err) == (EXIT_OK, "")
    table = pd.read_csv(io.StringIO(out))
    assert list(table.columns) == SUMMARY_AREA_COLUMNS
    assert table["area_id"].iloc[-1] == "__outside__"
    assert table["presence_minutes"].sum() > 0


@pytest.mark.parametrize(("by", "first"), [("cell", "cell"), ("week", "period"), ("area,week", "area_id")])
def test_summary_by_cell_week_and_area_week(capsys, demo, by, first):
    code, out, _ = run(capsys, "summary", "--store", demo, "--from", "2024-10-07", "--to", "2024-10-13", "--by", by)
    table = pd.read_csv(io.StringIO(out))
    assert code == EXIT_OK and table.columns[0] == first and len(table) > 0
    if by == "week":
        assert table["period"].tolist() == ["2024-W41"]


def test_summary_as_json_is_a_list_of_records(capsys, demo):
    code, out, _ = run(capsys, "summary", "--store", demo, "--from", "2024-10-07", "--to", "2024-10-13",
                       "--format", "json")
    records = json.loads(out)
    assert code == EXIT_OK and list(records[0]) == SUMMARY_AREA_COLUMNS


@pytest.mark.parametrize(("argv", "message"), [
    (["--from", "2024-13-01"], "argument --from: date: expected a date like 2024-06-12 or 12.06.2024; got '2024-13-01'"),
    (["--from", "2024-10-02", "--to", "2024-10-01"], "error: --from 2024-10-02 is after --to 2024-10-01; swap them"),
    (["--by", "day"], "argument --by: invalid choice: 'day'"),
    (["--res", "12"], "argument --res: invalid choice: 12"),
])
def test_summary_usage_errors_exit_2_with_a_message(capsys, demo, argv, message):
    code, out, err = run(capsys, "summary", "--store", demo, *argv)
    assert (code, out) == (2, "")
    assert message in err


def test_summary_of_a_missing_store_says_so_and_creates_nothing(capsys, tmp_path):
    missing = tmp_path / "none.gpkg"
    code, _, err = run(capsys, "summary", "--store", str(missing))
    assert code == 2
    assert err.strip() == f"error: store {missing} does not exist; import data or run `python -m geo demo` first"
    assert not missing.exists()


# --- hotspots and report ---------------------------------------------------------------------------------
def test_hotspots_counts_print_one_row_per_category(capsys, demo):
    code, out, _ = run(capsys, "hotspots", "--store", demo, "--period", "month", "--counts")
    table = pd.read_csv(io.StringIO(out))
    assert code == EXIT_OK and list(table.columns) == ["category", "cells"]
    assert len(table) == 17 and table["cells"].sum() > 0  # 8 hot, 8 cold, no pattern


def test_report_writes_the_file_and_says_it_was_logged(capsys, demo, tmp_path):
    copy = tmp_path / "demo.gpkg"
    copy.write_bytes(Path(demo).read_bytes())  # an export writes the audit log: never into the shared store
    out_file = tmp_path / "sb.csv"
    code, out, _ = run(capsys, "report", "--store", str(copy), "--preset", "salto", "--from", "2024-09-30",
                       "--to", "2024-10-06", "--out", str(out_file))  # one whole ISO week, as partners get
    assert code == EXIT_OK and out_file.stat().st_size > 0
    assert out.startswith(f"{out_file}: csv, preset salto, k = 5; sha256 ") and out.strip().endswith("(logged)")


@pytest.mark.parametrize(("argv", "message"), [
    (["--preset", "salto", "--out", "x.docx"], "error: --out must end in .pdf, .html or .csv; got 'x.docx'"),
    (["--preset", "nope", "--out", "x.csv"], "error: unknown preset 'nope'; use one of salto, sentrum, trio"),
])
def test_report_errors_exit_2_with_a_message(capsys, demo, tmp_path, argv, message):
    code, _, err = run(capsys, "report", "--store", demo, "--from", "2024-09-30", "--to", "2024-10-06",
                       *[str(tmp_path / a) if a.startswith("x.") else a for a in argv])
    assert code == 2
    assert err.strip() == message


# --- as a real process --------------------------------------------------------------------------------------
def geo(*argv: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo", *argv], cwd=REPO, capture_output=True, text=True, timeout=120,
                          **kwargs)


def test_the_process_exits_with_the_commands_code_and_no_traceback(tmp_path):
    done = geo("import", "--store", str(tmp_path / "s.gpkg"), str(tmp_path / "nowhere.gpx"))
    assert done.returncode == EXIT_NOTHING_IMPORTED
    assert done.stderr.strip() == "error: nowhere.gpx: file not found"
    assert "Traceback" not in done.stderr


def test_output_piped_into_a_reader_that_stops_early_ends_quietly(demo):
    shell = f"{sys.executable} -m geo summary --store {demo} --by cell | head -1"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", shell], cwd=REPO, capture_output=True, text=True,
                          timeout=120)
    assert done.stdout.strip() == "cell,presence_minutes,person_minutes,presence_km,visits,encounters"
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr
    assert done.returncode == 0


def test_help_lists_every_subcommand():
    done = geo("--help")
    assert done.returncode == 0
    for command in ("demo", "import", "summary", "hotspots", "report"):
        assert command in done.stdout
