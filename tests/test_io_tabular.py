"""Reading table files into text cells with line numbers, and parsing cells."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point

from geo.io.errors import InputFileError, RowError
from geo.io.tabular import (
    CLOCK_PART,
    DATE_PART,
    EASTING,
    ENCOUNTER_ALIASES,
    PATROL_ALIASES,
    CellParser,
    code_lookup,
    header_keys,
    match_columns,
    parse_coded_text,
    parse_datetime_text,
    parse_number_text,
    read_table,
)
from geo.schema import (
    AGE_GROUP_LABELS,
    CATEGORY,
    CATEGORY_LABELS,
    ENCOUNTER_ID,
    KIND,
    LAT,
    LON,
    PATROL_ID,
    PATROL_KIND_LABELS,
    PEOPLE,
    START_UTC,
    TIME_UTC,
    YES_NO_UNKNOWN_LABELS,
)


def write_text(tmp_path: Path, text: str, *, encoding: str = "utf-8", name: str = "data.csv") -> Path:
    """Write ``text`` byte for byte (no newline translation) in ``encoding``."""
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def text_series(*values: str | None) -> pd.Series:
    return pd.Series(list(values), dtype="str")


# --- encodings and separators ------------------------------------------------


def test_windows_1252_semicolon_file_with_decimal_comma_is_read(tmp_path):
    path = write_text(
        tmp_path,
        "Sted;Lengdegrad;Breddegrad\r\nGrønland;10,7605;59,9123\r\nVaterland;10,7570;59,9140\r\n",
        encoding="cp1252",
    )
    table = read_table(path)
    assert table.headers == ["Sted", "Lengdegrad", "Breddegrad"]
    assert table.cells["Sted"].tolist() == ["Grønland", "Vaterland"]
    assert table.lines.tolist() == [2, 3]
    assert parse_number_text(table.cells["Lengdegrad"]).tolist() == [10.7605, 10.757]


def test_utf8_with_bom_has_a_clean_first_header(tmp_path):
    path = write_text(tmp_path, "Tid;Sted\n12.06.2024 10:30;Grønland\n", encoding="utf-8-sig")
    table = read_table(path)
    assert table.headers == ["Tid", "Sted"]
    assert table.cells["Sted"].tolist() == ["Grønland"]


def test_plain_comma_separated_utf8_with_decimal_points(tmp_path):
    path = write_text(tmp_path, "lon,lat,name_of_place\n10.7522,59.9111,Oslo S\n")
    table = read_table(path)
    assert table.cells["lon"].tolist() == ["10.7522"]
    assert parse_number_text(table.cells["lat"]).tolist() == [59.9111]


@pytest.mark.parametrize("sep", [";", ",", "\t", "|"])
def test_separator_is_sniffed_from_the_header_line(tmp_path, sep):
    path = write_text(tmp_path, sep.join(["a", "b", "c"]) + "\n" + sep.join(["1", "2", "3"]) + "\n")
    assert read_table(path).headers == ["a", "b", "c"]


def test_single_column_file_keeps_decimal_commas_in_one_cell(tmp_path):
    table = read_table(write_text(tmp_path, "lon\n10,75\n"))
    assert table.cells["lon"].tolist() == ["10,75"] and not table.errors


def test_semicolon_wins_over_commas_inside_decimal_values(tmp_path):
    path = write_text(tmp_path, "lon;lat\n10,75;59,91\n")
    assert read_table(path).cells["lon"].tolist() == ["10,75"]


def test_excel_sep_line_is_honoured_and_line_numbers_stay_the_files(tmp_path):
    path = write_text(tmp_path, "sep=;\nlon;lat\n10,75;59,91\n")
    table = read_table(path)
    assert table.headers == ["lon", "lat"]
    assert table.lines.tolist() == [3]


def test_quoted_multiline_field_keeps_the_following_line_numbers(tmp_path):
    path = write_text(tmp_path, 'a;b\n1;"first\nsecond\nthird"\n2;x\r\n3;"y"\n')
    table = read_table(path)
    assert table.cells["b"].tolist() == ["first\nsecond\nthird", "x", "y"]
    assert table.lines.tolist() == [2, 5, 6]


def test_blank_lines_are_skipped_but_counted(tmp_path):
    path = write_text(tmp_path, "a;b\n1;2\n\n;\n3;4\n")
    table = read_table(path)
    assert table.cells["a"].tolist() == ["1", "3"]
    assert table.lines.tolist() == [2, 5]


def test_short_rows_are_padded_and_trailing_empty_fields_dropped(tmp_path):
    path = write_text(tmp_path, "a;b;c;\n1;2\n4;5;6;;\n")
    table = read_table(path)
    assert table.headers == ["a", "b", "c"]
    assert table.cells.values.tolist() == [["1", "2", ""], ["4", "5", "6"]]


def test_row_with_too_many_fields_is_a_row_error_with_a_hint(tmp_path):
    path = write_text(tmp_path, "lon,lat\n10.75,59.91\n10,75,59,91\n")
    table = read_table(path)
    assert table.lines.tolist() == [2]
    assert table.errors == [
        RowError("data.csv", 3, "(row)", table.errors[0].reason),
    ]
    assert "row has 4 fields but the header has 2" in table.errors[0].reason
    assert "decimal comma" in table.errors[0].reason


def test_duplicate_headers_are_made_unique(tmp_path):
    path = write_text(tmp_path, "a;a\n1;2\n")
    assert read_table(path).headers == ["a", "a (2)"]


def test_header_only_file_gives_no_rows(tmp_path):
    table = read_table(write_text(tmp_path, "a;b\n"))
    assert table.cells.empty and table.headers == ["a", "b"]


def test_empty_file_is_refused(tmp_path):
    with pytest.raises(InputFileError, match=r"data\.csv: the file is empty; expected a header line"):
        read_table(write_text(tmp_path, "\n\n"))


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(InputFileError, match=r"nope\.csv: file not found"):
        read_table(tmp_path / "nope.csv")


def test_binary_file_is_refused(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes(b"a;b\x00\x00\x01")
    with pytest.raises(InputFileError, match="not a text file"):
        read_table(path)


def test_text_in_neither_utf8_nor_windows_1252_is_refused(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes(b"a;b\n\x81\x81;1\n")  # 0x81 is undefined in Windows-1252
    with pytest.raises(InputFileError, match=r"neither UTF-8 nor Windows-1252 \(byte 0x81"):
        read_table(path)


def test_spreadsheet_is_refused_with_how_to_fix(tmp_path):
    path = tmp_path / "kontakter.xlsx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(InputFileError, match=r"kontakter\.xlsx: spreadsheets are not read directly: save the sheet as CSV"):
        read_table(path)


# --- headers -----------------------------------------------------------------


@pytest.mark.parametrize("header", ["møte_id", "Møte ID", "MOTE-ID", "moete_id", "Kontakt_ID", "encounter id", "ID"])
def test_encounter_id_header_spellings_match(header):
    match = match_columns([header], ENCOUNTER_ALIASES, path="f.csv")
    assert match.columns == {ENCOUNTER_ID: header}


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("Tidspunkt", TIME_UTC),
        ("dato_tid", TIME_UTC),
        ("Timestamp", TIME_UTC),
        ("Dato", DATE_PART),
        ("Klokkeslett", CLOCK_PART),
        ("kl", CLOCK_PART),
        ("Lengdegrad", LON),
        ("lng", LON),
        ("Breddegrad", LAT),
        ("Øst", EASTING),
        ("oest", EASTING),
        ("x", EASTING),
        ("Antall personer", PEOPLE),
        ("lon (grader)", LON),
        ("Kategori", CATEGORY),
    ],
)
def test_encounter_header_aliases(header, column):
    assert match_columns([header], ENCOUNTER_ALIASES, path="f.csv").columns == {column: header}


@pytest.mark.parametrize(("header", "column"), [("Fra", START_UTC), ("Type", KIND), ("Patrulje_ID", PATROL_ID)])
def test_patrol_header_aliases(header, column):
    assert match_columns([header], PATROL_ALIASES, path="f.csv").columns == {column: header}


def test_unknown_headers_are_listed():
    match = match_columns(["tid", "Sted", "vær"], ENCOUNTER_ALIASES, path="f.csv")
    assert match.unknown == ["Sted", "vær"]


def test_two_headers_for_one_column_are_refused():
    with pytest.raises(InputFileError, match="columns 'id' and 'kontakt_id' both mean encounter_id; keep one"):
        match_columns(["id", "kontakt_id"], ENCOUNTER_ALIASES, path="f.csv")


def test_header_keys_ignore_case_separators_and_nordic_spelling():
    for spelling in ("møte id", "MØTE-ID", "moete id", "mote-id", "mote.id"):
        assert header_keys("Møte_ID") & header_keys(spelling), spelling


# --- dates and times ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("12.06.2024 10:30", "2024-06-12T08:30:00Z"),  # summer time, +02:00
        ("12.06.2024 10:30:15", "2024-06-12T08:30:15Z"),
        ("12.06.2024", "2024-06-11T22:00:00Z"),  # local midnight
        ("2024-06-12 10:30", "2024-06-12T08:30:00Z"),
        ("2024-06-12T10:30:15.250", "2024-06-12T08:30:15.250Z"),
        ("12.01.2024 10:30", "2024-01-12T09:30:00Z"),  # winter time, +01:00
        ("27.10.2024 02:30", "2024-10-27T00:30:00Z"),  # ambiguous: first (summer) occurrence
        ("31.03.2024 02:30", "2024-03-31T01:30:00Z"),  # non-existent: read as winter time
        ("2024-06-12T10:30:00+01:00", "2024-06-12T09:30:00Z"),  # offset: exact instant
        ("2024-06-12T08:30:00Z", "2024-06-12T08:30:00Z"),
        ("2024-06-12 10:30 +0100", "2024-06-12T09:30:00Z"),
        ("12.06.24 kl. 10.30", "2024-06-12T08:30:00Z"),
        (" 1.6.2024  9:05 ", "2024-06-01T07:05:00Z"),
    ],
)
def test_datetime_text_is_parsed_to_utc(text, utc):
    parsed = parse_datetime_text(text_series(text))
    assert parsed.dtype == "datetime64[us, UTC]"
    assert parsed.iloc[0] == pd.Timestamp(utc)


@pytest.mark.parametrize("text", ["31.02.2024 10:00", "12.06.2024 25:00", "12.06.2024 10:61", "abc", "06/12/2024", None])
def test_unparseable_datetime_text_is_nat(text):
    assert parse_datetime_text(text_series(text)).isna().all()


def test_datetime_parsing_keeps_the_index_of_mixed_formats():
    values = pd.Series(["2024-06-12T08:30Z", "12.06.2024 10:30", "x", "2024-06-12 10:30"], index=[10, 11, 12, 13], dtype="str")
    parsed = parse_datetime_text(values)
    assert parsed.index.tolist() == [10, 11, 12, 13]
    assert parsed.isna().tolist() == [False, False, True, False]
    assert (parsed.dropna() == pd.Timestamp("2024-06-12T08:30Z")).all()


# --- numbers and codes -------------------------------------------------------


def test_numbers_with_decimal_comma_point_spaces_and_unicode_minus():
    parsed = parse_number_text(text_series("10,75", "10.75", "1 234,5", "\u22122", "-1.5e3", "abc", "1,2,3", None, ""))
    np.testing.assert_array_equal(parsed.to_numpy(), [10.75, 10.75, 1234.5, -2.0, -1500.0, np.nan, np.nan, np.nan, np.nan])


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("samtale", "conversation"),
        ("Samtale / Kontakt", "conversation"),
        ("WELFARE_CHECK", "welfare_check"),
        ("welfare check", "welfare_check"),
        ("  Vold  eller trusler ", "violence"),
        ("Akutt hjelp / overdose", "acute_help"),
        ("Barnevern varslet", "minor_concern"),
        ("NAV varslet", "pregnant_using"),
        ("annet", "other"),
    ],
)
def test_category_codes_and_labels_in_any_case(text, code):
    assert parse_coded_text(text_series(text), CATEGORY_LABELS).iloc[0] == code


@pytest.mark.parametrize(("text", "code"), [("18–23", "18_23"), ("18-23", "18_23"), ("26+", "26_plus"), ("Under 18", "under_18"), ("UKJENT", "unknown")])
def test_age_group_labels(text, code):
    assert parse_coded_text(text_series(text), AGE_GROUP_LABELS).iloc[0] == code


def test_unknown_label_and_empty_cell_are_missing():
    assert parse_coded_text(text_series("hund", None), CATEGORY_LABELS).isna().all()


@pytest.mark.parametrize("labels", [CATEGORY_LABELS, AGE_GROUP_LABELS, PATROL_KIND_LABELS, YES_NO_UNKNOWN_LABELS])
def test_no_label_in_the_schema_means_two_codes(labels):
    assert code_lookup(labels)  # raises ValueError on a clash


# --- CellParser error messages -----------------------------------------------


def _parser(tmp_path: Path, text: str, aliases=ENCOUNTER_ALIASES) -> CellParser:
    table = read_table(write_text(tmp_path, text))
    return CellParser(table, match_columns(table.headers, aliases, path=table.path))


def test_bad_datetime_cell_names_file_line_header_and_value(tmp_path):
    parser = _parser(tmp_path, "Tidspunkt\n12.06.2024 10:30\n12.13.2024 10:30\n\n")
    parser.datetimes(TIME_UTC, text=parser.datetime_text(TIME_UTC))
    assert parser.errors == [
        RowError("data.csv", 3, "Tidspunkt", "expected a date and time like 12.06.2024 10:30; got '12.13.2024 10:30'")
    ]


def test_empty_required_datetime_cell_is_reported_as_missing(tmp_path):
    parser = _parser(tmp_path, "tid;antall\n;1\n")
    parser.datetimes(TIME_UTC, text=parser.datetime_text(TIME_UTC))
    assert parser.errors == [
        RowError("data.csv", 2, "tid", "value is missing; expected a date and time like 12.06.2024 10:30")
    ]


def test_date_and_clock_columns_are_combined(tmp_path):
    parser = _parser(tmp_path, "Dato;Kl\n12.06.2024;10:30\n12.06.2024;kl. 23.15\n")
    parsed = parser.datetimes(TIME_UTC, text=parser.datetime_text(TIME_UTC, clock=CLOCK_PART))
    assert parsed.tolist() == [pd.Timestamp("2024-06-12T08:30Z"), pd.Timestamp("2024-06-12T21:15Z")]
    assert parser.label(TIME_UTC) == "Dato + Kl"


def test_time_column_with_clock_times_only_takes_the_date_column(tmp_path):
    parser = _parser(tmp_path, "dato;tid\n12.06.2024;10:30\n13.06.2024;14.06.2024 01:00\n")
    parsed = parser.datetimes(TIME_UTC, text=parser.datetime_text(TIME_UTC))
    assert parsed.tolist() == [pd.Timestamp("2024-06-12T08:30Z"), pd.Timestamp("2024-06-13T23:00Z")]


def test_bad_number_names_column_and_value(tmp_path):
    parser = _parser(tmp_path, "lon\n10,75\n10,7x\n")
    parser.numbers(LON)
    assert parser.errors == [RowError("data.csv", 3, "lon", "expected a number like 10,75 or 10.75; got '10,7x'")]


def test_whole_number_refuses_fractions_and_defaults_empty(tmp_path):
    parser = _parser(tmp_path, "antall;kategori\n2;a\n;b\n2,5;c\n3,0;d\n")
    assert parser.whole_numbers(PEOPLE, default=1).tolist() == [2, 1, 1, 3]
    assert parser.errors == [RowError("data.csv", 4, "antall", "expected a whole number like 2; got '2,5'")]


def test_unknown_code_lists_what_is_allowed(tmp_path):
    parser = _parser(tmp_path, "kategori\nhund\n")
    parser.coded(CATEGORY, CATEGORY_LABELS, default=None)
    (error,) = parser.errors
    assert error.line == 2 and error.column == "kategori"
    assert error.reason.startswith("expected one of conversation, welfare_check, referral, acute_help")
    assert error.reason.endswith("(or their English or Norwegian labels); got 'hund'")


# --- GeoJSON / GeoPackage ----------------------------------------------------


def test_geojson_points_give_text_cells_and_lonlat(tmp_path):
    path = tmp_path / "points.geojson"
    gpd.GeoDataFrame(
        {"tid": ["12.06.2024 10:30", "2024-06-12T10:30:00+02:00"], "antall": [2, 3], "andel": [0.5, None]},
        geometry=[Point(10.7522, 59.9111), Point(10.76, 59.91)],
        crs="EPSG:4326",
    ).to_file(path, driver="GeoJSON")
    table = read_table(path)
    assert table.cells["tid"].tolist() == ["12.06.2024 10:30", "2024-06-12T10:30:00+02:00"]
    assert table.cells["antall"].tolist() == ["2", "3"]
    assert table.cells["andel"].tolist() == ["0.5", ""]
    assert table.lines.tolist() == [1, 2]
    np.testing.assert_allclose(table.lonlat[[LON, LAT]].to_numpy(), [[10.7522, 59.9111], [10.76, 59.91]])


def test_gpkg_in_utm33_is_reprojected_to_degrees(tmp_path):
    path = tmp_path / "points.gpkg"
    gpd.GeoDataFrame({"a": [1]}, geometry=[Point(10.7522, 59.9111)], crs="EPSG:4326").to_crs("EPSG:25833").to_file(path)
    table = read_table(path)
    np.testing.assert_allclose(table.lonlat[[LON, LAT]].to_numpy(), [[10.7522, 59.9111]], atol=1e-9)


def test_gis_file_with_lines_is_refused(tmp_path):
    path = tmp_path / "lines.gpkg"
    gpd.GeoDataFrame({"a": [1]}, geometry=[LineString([(10.7, 59.9), (10.8, 59.9)])], crs="EPSG:4326").to_file(path)
    with pytest.raises(InputFileError, match=r"lines\.gpkg: expected exactly one layer of point features; found: lines \(LineString\)"):
        read_table(path)


def test_feature_without_geometry_is_a_row_error(tmp_path):
    path = tmp_path / "points.geojson"
    gpd.GeoDataFrame({"a": [1, 2]}, geometry=[Point(10.75, 59.91), None], crs="EPSG:4326").to_file(path, driver="GeoJSON")
    table = read_table(path)
    assert table.errors == [RowError("points.geojson", 2, "geometry", "feature has no geometry; expected a point")]
    assert np.isnan(table.lonlat[LON].iloc[1])


def test_excel_sep_line_without_header_is_refused(tmp_path):
    with pytest.raises(InputFileError, match=r"no header line after 'sep='; expected column names"):
        read_table(write_text(tmp_path, "sep=;\n\n"))


def test_broken_utf16_is_refused(tmp_path):
    path = tmp_path / "data.txt"
    path.write_bytes(b"\xff\xfea\x00;\x00b")  # odd number of bytes
    with pytest.raises(InputFileError, match=r"data\.txt: not valid UTF-16 text"):
        read_table(path)


def test_utf16_tab_separated_unicode_text_is_read(tmp_path):
    path = tmp_path / "data.txt"
    path.write_bytes("Sted\tAntall\r\nGrønland\t2\r\n".encode("utf-16"))
    assert read_table(path).cells.values.tolist() == [["Grønland", "2"]]


def test_line_that_csv_cannot_split_is_refused_with_its_line(tmp_path):
    huge = "x" * 200_000  # longer than the csv module's field size limit
    with pytest.raises(InputFileError, match=r"data\.csv: line 3: cannot split the line \(field larger than field limit"):
        read_table(write_text(tmp_path, f"a;b\n1;2\n3;{huge}\n"))


def test_unreadable_gis_file_is_refused(tmp_path):
    path = write_text(tmp_path, "{not json", name="points.geojson")
    with pytest.raises(InputFileError, match=r"points\.geojson: cannot read the file as GeoJSON/GeoPackage"):
        read_table(path)


def test_non_point_feature_in_a_mixed_geojson_is_a_row_error(tmp_path):
    path = write_text(
        tmp_path,
        '{"type": "FeatureCollection", "features": ['
        '{"type": "Feature", "properties": {"a": 1}, "geometry": {"type": "Point", "coordinates": [10.75, 59.91]}},'
        '{"type": "Feature", "properties": {"a": 2}, "geometry": {"type": "LineString", '
        '"coordinates": [[10.75, 59.91], [10.76, 59.91]]}}]}',
        name="mixed.geojson",
    )
    table = read_table(path)
    assert table.errors == [RowError("mixed.geojson", 2, "geometry", "expected a point; got LineString")]
    assert table.lonlat[LON].tolist()[0] == 10.75


@pytest.mark.filterwarnings("ignore:'crs' was not provided:UserWarning")
def test_gpkg_without_crs_uses_the_crs_argument_with_a_warning(tmp_path):
    path = tmp_path / "points.gpkg"
    gpd.GeoDataFrame({"a": [1]}, geometry=[Point(10.7522, 59.9111)], crs="EPSG:4326").to_crs(
        "EPSG:25832").set_crs(None, allow_override=True).to_file(path)
    table = read_table(path, crs="EPSG:25832")
    assert table.warnings == ["points.gpkg declares no CRS; read its coordinates as EPSG:25832"]
    np.testing.assert_allclose(table.lonlat[[LON, LAT]].to_numpy(), [[10.7522, 59.9111]], atol=1e-9)


def test_crs_argument_is_ignored_with_a_warning_when_the_file_declares_one(tmp_path):
    path = tmp_path / "points.gpkg"
    gpd.GeoDataFrame({"a": [1]}, geometry=[Point(10.7522, 59.9111)], crs="EPSG:4326").to_file(path)
    table = read_table(path, crs="EPSG:25833")
    assert table.warnings == ["points.gpkg declares its CRS (EPSG:4326); --crs EPSG:25833 ignored"]
    np.testing.assert_allclose(table.lonlat[[LON, LAT]].to_numpy(), [[10.7522, 59.9111]])
