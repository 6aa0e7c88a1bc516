"""Reading patrol metadata from CSV."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geo.io.patrols import read_patrols
from geo.io.errors import InputFileError, RowError
from geo.schema import (
    END_UTC,
    KIND,
    PATROL_ID,
    SOURCE_FILE,
    SOURCE_LINE,
    STAFF,
    START_UTC,
    T_PATROLS,
    TEAM,
)
from geo.io.validation import SCHEMAS


def write_csv(tmp_path: Path, *lines: str, encoding: str = "utf-8-sig", name: str = "patruljer.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def patrols(result) -> pd.DataFrame:
    return result.frames[T_PATROLS]


def test_patrols_are_read_with_default_staff_and_kind(tmp_path):
    path = write_csv(
        tmp_path,
        "Patrulje_ID;Team;Start;Slutt;Ansatte;Type;Sted",
        "P1;Sentrum;12.06.2024 18:00;12.06.2024 23:30;;;Grønland",
        "P2;Bydel Vestre Aker;2024-06-13T10:00:00+02:00;2024-06-13T14:00:00+02:00;3;Styrket;x",
        encoding="cp1252",
    )
    result = read_patrols(path)
    frame = patrols(result)
    assert result.errors == []
    assert list(frame.columns) == [*SCHEMAS[T_PATROLS].columns, SOURCE_FILE, SOURCE_LINE]
    assert frame[PATROL_ID].tolist() == ["P1", "P2"]
    assert frame[TEAM].tolist() == ["Sentrum", "Bydel Vestre Aker"]
    assert frame[START_UTC].tolist() == [pd.Timestamp("2024-06-12T16:00Z"), pd.Timestamp("2024-06-13T08:00Z")]
    assert frame[END_UTC].tolist() == [pd.Timestamp("2024-06-12T21:30Z"), pd.Timestamp("2024-06-13T12:00Z")]
    assert frame[STAFF].tolist() == [2, 3]
    assert frame[KIND].tolist() == ["regular", "reinforced"]
    assert frame[SOURCE_LINE].tolist() == [2, 3]
    assert result.warnings == ["columns not used by Feltkart were ignored: 'Sted'"]


@pytest.mark.parametrize(
    ("kind", "code"),
    [("ordinær", "regular"), ("REGULAR", "regular"), ("Styrket innsats", "reinforced"), ("prosjekt", "project"),
     ("Felles med bydel", "joint"), ("joint", "joint")],
)
def test_patrol_kind_from_codes_and_labels(tmp_path, kind, code):
    path = write_csv(tmp_path, "id,team,start,end,kind", f"P1,sentrum,2024-06-12 18:00,2024-06-12 23:00,{kind}")
    assert patrols(read_patrols(path))[KIND].tolist() == [code]


def test_end_before_start_is_a_rejected_row(tmp_path):
    path = write_csv(tmp_path, "id;team;fra;til", "P1;sentrum;12.06.2024 18:00;12.06.2024 17:00",
                     "P2;sentrum;12.06.2024 18:00;12.06.2024 23:00")
    result = read_patrols(path)
    assert patrols(result)[PATROL_ID].tolist() == ["P2"]
    assert result.errors == [
        RowError("patruljer.csv", 2, "til", "end must be after start (got 12.06.2024 17:00:00 Europe/Oslo)")
    ]


def test_night_patrol_with_clock_times_ends_on_the_next_day_and_lasts_real_hours(tmp_path):
    # Friday 25 Oct 22:00 → Saturday 04:00, and across the DST change on Sunday 27 Oct.
    path = write_csv(tmp_path, "id;team;dato;fra;til", "N1;sentrum;25.10.2024;22:00;04:00",
                     "N2;sentrum;26.10.2024;22:00;04:00", "D1;sentrum;28.10.2024;10:00;14:30")
    frame = patrols(read_patrols(path)).set_index(PATROL_ID)
    assert frame.loc["N1", START_UTC] == pd.Timestamp("2024-10-25T20:00Z")
    assert frame.loc["N1", END_UTC] == pd.Timestamp("2024-10-26T02:00Z")
    assert frame.loc["N2", END_UTC] - frame.loc["N2", START_UTC] == pd.Timedelta(hours=7)
    assert frame.loc["D1", END_UTC] == pd.Timestamp("2024-10-28T13:30Z")


def test_bad_rows_are_reported_by_line_and_good_rows_kept(tmp_path):
    path = write_csv(
        tmp_path,
        "id;team;start;end;staff;kind",
        "P1;sentrum;12.06.2024 18:00;12.06.2024 23:00;2;regular",
        "P2;sentrum;12.06.2024 18:00;i morgen;2;regular",  # line 3
        "P3;;12.06.2024 18:00;12.06.2024 23:00;to;hemmelig",  # line 4
        "P1;sentrum;13.06.2024 18:00;13.06.2024 23:00;2;regular",  # line 5: duplicate id
        "P4;sentrum;;13.06.2024 23:00;60;",  # line 6
        "P5;sentrum;13.06.2024 18:00;13.06.2024 23:00;;",
    )
    result = read_patrols(path)
    assert patrols(result)[PATROL_ID].tolist() == ["P1", "P5"]
    assert [(e.line, e.column, e.reason) for e in result.errors] == [
        (3, "end", "expected a date and time like 12.06.2024 10:30; got 'i morgen'"),
        (4, "kind", "expected one of regular, reinforced, project, joint (or their English or Norwegian labels); "
                    "got 'hemmelig'"),
        (4, "staff", "expected a whole number like 2; got 'to'"),
        (4, "team", "value is missing"),
        (5, "id", "duplicate value 'P1': already used on an earlier row"),
        (6, "staff", "staff must be 1..50 people (got 60)"),
        (6, "start", "value is missing; expected a date and time like 12.06.2024 10:30"),
    ]


def test_missing_required_columns_are_named(tmp_path):
    with pytest.raises(InputFileError, match=r"patruljer\.csv: missing column\(s\) team, end_utc; expected headers "
                                             r"team: one of team, lag; end_utc: one of end_utc, end, slutt"):
        read_patrols(write_csv(tmp_path, "id;start", "P1;12.06.2024 18:00"))


def test_header_only_file_gives_an_empty_frame_with_the_schema_columns(tmp_path):
    result = read_patrols(write_csv(tmp_path, "id;team;start;end"))
    assert patrols(result).empty and result.errors == []
    assert list(patrols(result).columns) == [*SCHEMAS[T_PATROLS].columns, SOURCE_FILE, SOURCE_LINE]
