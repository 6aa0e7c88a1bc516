"""The privacy guard refuses files with columns that look like personal data."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest

from geo.io.encounters import read_encounters
from geo.io.patrols import read_patrols
from geo.io.privacy import (
    ADDRESS,
    BIRTH_DATE,
    EMAIL,
    FREE_TEXT,
    LONG_TEXT,
    NAME,
    NATIONAL_ID,
    PHONE,
    PersonalDataFinding,
    find_personal_data,
    refuse_personal_data,
)
from geo.io.errors import InputFileError

HOW_TO_FIX = "Feltkart stores no personal identifiers: remove the column and import again."


def cells(**columns: list[str]) -> pd.DataFrame:
    """A text table like RawTable.cells: one str column per keyword."""
    return pd.DataFrame({name: pd.Series(values, dtype="str") for name, values in columns.items()})


def table_with(header: str, values: list[str]) -> pd.DataFrame:
    frame = cells(tid=["12.06.2024 10:30"] * len(values), kategori=["samtale"] * len(values))
    frame[header] = pd.Series(values, dtype="str")
    return frame


# --- by header ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "what"),
    [
        ("Navn", NAME),
        ("fornavn", NAME),
        ("Etternavn", NAME),
        ("name", NAME),
        ("first_name", NAME),
        ("Last Name", NAME),
        ("kontakt navn", NAME),
        ("Fødselsnummer", NATIONAL_ID),
        ("fnr", NATIONAL_ID),
        ("Personnummer", NATIONAL_ID),
        ("SSN", NATIONAL_ID),
        ("D-nummer", NATIONAL_ID),
        ("fødselsdato", BIRTH_DATE),
        ("Telefon", PHONE),
        ("tlf", PHONE),
        ("Mobil nr.", PHONE),
        ("phone", PHONE),
        ("E-post", EMAIL),
        ("e-mail", EMAIL),
        ("Email", EMAIL),
        ("Adresse", ADDRESS),
        ("address", ADDRESS),
        ("notat", FREE_TEXT),
        ("Notater", FREE_TEXT),
        ("note", FREE_TEXT),
        ("notes", FREE_TEXT),
        ("Kommentar", FREE_TEXT),
        ("comment", FREE_TEXT),
        ("Beskrivelse", FREE_TEXT),
        ("description", FREE_TEXT),
        ("fritekst", FREE_TEXT),
        ("fri_tekst", FREE_TEXT),
    ],
)
def test_header_that_names_personal_data_is_refused(header, what):
    # Empty cells: the header alone gives it away.
    with pytest.raises(InputFileError) as info:
        refuse_personal_data(table_with(header, ["", ""]), path="kontakter.csv")
    assert str(info.value) == (
        f"kontakter.csv: column '{header}' looks like personal data ({what}). {HOW_TO_FIX}"
    )


def test_message_example_for_a_name_column():
    with pytest.raises(
        InputFileError,
        match=re.escape(
            "column 'Navn' looks like personal data (a person's name). Feltkart stores no personal "
            "identifiers: remove the column and import again."
        ),
    ):
        refuse_personal_data(table_with("Navn", ["Ola"]), path="kontakter.csv")


def test_every_offending_column_is_named():
    frame = cells(Navn=["Ola"], tlf=[""], info=["ola@example.no"])
    with pytest.raises(InputFileError) as info:
        refuse_personal_data(frame, path="k.csv")
    assert str(info.value) == (
        "k.csv: column 'Navn' looks like personal data (a person's name); "
        "column 'tlf' looks like personal data (a phone number); "
        "column 'info' looks like personal data (line 2 holds an e-mail address). "
        "Feltkart stores no personal identifiers: remove these columns and import again."
    )


@pytest.mark.parametrize("header", ["sted_navn", "område navn", "team name", "Gatenavn", "kontakt_id", "id", "kategori", "Patrulje", "antall"])
def test_place_and_team_names_and_ordinary_columns_are_not_refused(header):
    assert find_personal_data(table_with(header, ["Oslo S", "Grønland"])) == []


# --- by content --------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "what"),
    [
        ("12068912345", NATIONAL_ID),
        ("120689 12345", NATIONAL_ID),
        ("120689-12345", NATIONAL_ID),
        ("52068912345", NATIONAL_ID),  # D-number: day + 40
        ("fnr 12068912345 oppgitt", NATIONAL_ID),
        ("98765432", PHONE),
        ("45678901", PHONE),
        ("+47 98765432", PHONE),
        ("+4722334455", PHONE),
        ("0047 22 33 44 55", PHONE),
        ("987 65 432", PHONE),
        ("22 33 44 55", PHONE),
        ("ring 987 65 432", PHONE),
        ("ola.nordmann@example.no", EMAIL),
        ("mail: kari@oslo.kommune.no", EMAIL),
    ],
)
def test_cell_content_that_is_personal_data_is_refused(value, what):
    frame = table_with("info", ["ok", value, "ok"])
    assert find_personal_data(frame) == [PersonalDataFinding("info", what, 3)]
    with pytest.raises(InputFileError, match=rf"column 'info' looks like personal data \(line 3 holds {re.escape(what)}\)"):
        refuse_personal_data(frame, path="k.csv")


def test_message_never_repeats_the_personal_value():
    with pytest.raises(InputFileError) as info:
        refuse_personal_data(table_with("info", ["120689 12345"]), path="k.csv")
    assert "12345" not in str(info.value)


def test_content_line_numbers_follow_the_file():
    frame = table_with("x", ["", "98765432"])
    assert find_personal_data(frame, lines=[7, 12]) == [PersonalDataFinding("x", PHONE, 12)]


def test_column_of_mostly_long_multi_word_text_is_refused():
    long_notes = [
        "Møtte ham ved trappen, virket ruset og ville ikke ha hjelp i dag",
        "Hun sa hun hadde sovet ute tre netter på rad ved elva nå",
        "kort",
    ]
    frame = table_with("info", long_notes)
    assert find_personal_data(frame) == [PersonalDataFinding("info", LONG_TEXT, 2)]
    with pytest.raises(InputFileError, match=r"column 'info' looks like personal data \(line 2 holds long free text\)"):
        refuse_personal_data(frame, path="k.csv")


def test_one_long_text_among_short_values_is_not_free_text():
    values = ["Oslo S", "Grønland", "Henvisning til annen tjeneste og mer tekst her", "Vaterland"]
    assert find_personal_data(table_with("sted", values)) == []


@pytest.mark.parametrize(
    "values",
    [
        ["1", "2", "3"],  # numeric ids
        ["20240612", "20240613"],  # dates written yyyymmdd (8 digits, not a phone number)
        ["12345678"],  # 8-digit id not starting with 4 or 9
        ["20240612001", "20241399123"],  # 11-digit ids whose first six digits are no date
        ["10.75221234567", "59.91234567891"],  # coordinates with many decimals
        ["12.06.2024 10:30", "2024-06-12T10:30:00+02:00"],
        ["597988,15", "6642807,24"],  # UTM easting/northing
        ["Samtale / kontakt", "henvisning til annen tjeneste"],
        ["P-2024-0612-01"],
    ],
)
def test_harmless_values_are_not_refused(values):
    assert find_personal_data(table_with("verdi", values)) == []


def test_without_comment_column_nothing_is_refused():
    frame = cells(id=["1", "2"], tid=["12.06.2024 10:30", "12.06.2024 11:00"], lon=["10,75", "10,76"],
                  lat=["59,91", "59,92"], kategori=["samtale", "tilsyn"], antall=["1", "2"])
    assert find_personal_data(frame) == []


# --- the readers run the guard before anything else ---------------------------


def write(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_encounter_reader_refuses_personal_data_before_checking_columns(tmp_path):
    # No time or category column either: the privacy refusal comes first.
    path = write(tmp_path, "Navn;lon;lat\nOla;10,75;59,91\n")
    with pytest.raises(InputFileError, match=r"data\.csv: column 'Navn' looks like personal data \(a person's name\)"):
        read_encounters(path)


def test_encounter_reader_refuses_personal_data_in_an_unknown_column(tmp_path):
    path = write(tmp_path, "tid;lon;lat;kategori;kontaktinfo\n12.06.2024 10:30;10,75;59,91;samtale;98765432\n")
    with pytest.raises(InputFileError, match=r"column 'kontaktinfo' looks like personal data \(line 2 holds a phone number\)"):
        read_encounters(path)


def test_encounter_reader_refuses_personal_data_in_gis_attributes(tmp_path):
    import geopandas as gpd
    from shapely.geometry import Point

    path = tmp_path / "k.geojson"
    gpd.GeoDataFrame({"tid": ["12.06.2024 10:30"], "kategori": ["samtale"], "fnr": ["12068912345"]},
                     geometry=[Point(10.75, 59.91)], crs="EPSG:4326").to_file(path, driver="GeoJSON")
    with pytest.raises(InputFileError, match=r"k\.geojson: column 'fnr' looks like personal data \(a national identity number\)"):
        read_encounters(path)


def test_patrol_reader_refuses_personal_data(tmp_path):
    path = write(tmp_path, "id;team;start;slutt;ansatte_navn\nP1;sentrum;12.06.2024 18:00;12.06.2024 23:00;Kari og Ola\n")
    with pytest.raises(InputFileError, match=r"column 'ansatte_navn' looks like personal data \(a person's name\)"):
        read_patrols(path)


# --- gaps found when tried as an attacker would ---------------------------------------------------------


@pytest.mark.parametrize("value", [
    "fnr01019012345",  # joined to text
    "Ola_01019012345",
    "id:P-01019012345",
    "99999912345 01019012345",  # a second run after one that is no date
    "ref 20241399123, fnr 01019012345",
    "010190 12345kr",
])
def test_a_national_id_joined_to_text_or_after_another_number_is_refused(value):
    assert find_personal_data(table_with("info", ["ok", value])) == [PersonalDataFinding("info", NATIONAL_ID, 3)]


@pytest.mark.parametrize("values", [
    ["1718181000000"],  # epoch milliseconds: 13 digits
    ["59.91234567891", "10,75221234567"],  # decimals
    ["2024-06-12-01019"],  # a date then a short number
    ["P2024061200112"],
])
def test_long_numbers_decimals_and_dates_are_not_national_ids(values):
    assert find_personal_data(table_with("verdi", values)) == []


@pytest.mark.parametrize("header", ["patrulje", "id", "patrol_id", "kontakt_id"])
@pytest.mark.parametrize(("value", "what"), [
    ("Ola Nordmann", NAME),
    ("Kari og Ola", NAME),
    ("Anne-Lise_Berg", NAME),
    ("Ørjan Ås", NAME),
    ("01.01.1990", BIRTH_DATE),
    ("Ola 1990-01-01", BIRTH_DATE),
    ("P-19850612", BIRTH_DATE),
    ("1.2.2001", BIRTH_DATE),
])
def test_a_name_or_birth_date_in_an_id_column_is_refused(header, value, what):
    frame = table_with(header, ["P-2024-0612-01", value])
    assert find_personal_data(frame) == [PersonalDataFinding(header, what, 3)]


@pytest.mark.parametrize("value", ["P-2024-0612-01", "kveld 12.06", "Sentrum1", "A", "p1", "gpx-0123abcd4567ef89",
                                   "2024-06-12-kveld", "P20240612", "Team A", "sentrum", "12.06.2024"])
def test_ordinary_ids_are_not_names_or_birth_dates(value):
    assert find_personal_data(table_with("patrulje", [value])) == []


def test_the_birth_date_check_follows_today():
    frame = table_with("patrulje", ["P-2009-06-12"])
    assert find_personal_data(frame, today=dt.date(2024, 6, 12)) == []
    assert find_personal_data(frame, today=dt.date(2026, 6, 12)) == [PersonalDataFinding("patrulje", BIRTH_DATE, 2)]


def test_patrol_reader_refuses_a_name_in_the_id_column(tmp_path):
    path = write(tmp_path, "id;team;start;slutt\nOla Nordmann;sentrum;12.06.2024 18:00;12.06.2024 23:00\n")
    with pytest.raises(InputFileError, match=r"column 'id' looks like personal data \(line 2 holds a person's name\)"):
        read_patrols(path)


def test_encounter_reader_refuses_a_birth_date_in_the_patrol_column(tmp_path):
    path = write(tmp_path, "tid;lon;lat;kategori;patrulje\n12.06.2024 10:30;10,75;59,91;samtale;01.01.1990\n")
    with pytest.raises(InputFileError, match=r"column 'patrulje' looks like personal data \(line 2 holds a date of birth\)"):
        read_encounters(path)


# --- area files ------------------------------------------------------------------------------------------------


def area_file(tmp_path: Path, **columns) -> Path:
    import geopandas as gpd
    from shapely.geometry import box

    n = len(next(iter(columns.values())))
    path = tmp_path / "omrader.geojson"
    gpd.GeoDataFrame(columns, geometry=[box(10.75 + i / 100, 59.91, 10.755 + i / 100, 59.915) for i in range(n)],
                     crs="EPSG:4326").to_file(path, driver="GeoJSON")
    return path


@pytest.mark.parametrize(("header", "value", "message"), [
    ("kontaktperson", "Kari Nordmann", r"column 'kontaktperson' looks like personal data \(a person's name\)"),
    ("telefon", "", r"column 'telefon' looks like personal data \(a phone number\)"),
    ("info", "ring 987 65 432", r"column 'info' looks like personal data \(line 1 holds a phone number\)"),
    ("navn", "Oslo S 01019012345", r"column 'navn' looks like personal data \(line 1 holds a national identity number\)"),
])
def test_area_files_are_checked_for_personal_data(tmp_path, header, value, message):
    from geo.io.areas import read_areas

    columns = {"omrade_id": ["oslo-s"], "gyldig_fra": ["2024-01-01"], header: [value]}
    if header != "navn":
        columns["navn"] = ["Oslo S"]
    with pytest.raises(InputFileError, match=message):
        read_areas(area_file(tmp_path, **columns))


def test_an_area_file_with_long_area_names_is_not_free_text(tmp_path):
    from geo.io.areas import read_areas

    names = ["Vaterland og Grønland med gatene rundt Grønlandsleiret", "Oslo S med Jernbanetorget og Østbanehallen"]
    result = read_areas(area_file(tmp_path, navn=names, gyldig_fra=["2024-01-01"] * 2))
    assert result.frames["field_areas"]["name"].tolist() == names
