"""Reading encounters from CSV, GeoJSON and GeoPackage."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from geo.io.encounters import derive_encounter_ids, read_encounters
from geo.io.errors import InputFileError, RowError
from geo.schema import (
    AGE_GROUP,
    CATEGORY,
    ENCOUNTER_ID,
    FROM_OUTSIDE_OSLO,
    LAT,
    LON,
    NEW_CONTACT,
    PATROL_ID,
    PEOPLE,
    SOURCE_FILE,
    SOURCE_LINE,
    T_ENCOUNTERS,
    TIME_UTC,
)
from geo.io.validation import SCHEMAS

OSLO_S = (10.7522, 59.9111)
"""Oslo S (Jernbanetorget), lon/lat degrees, EPSG:4326."""

HEADER = "Kontakt_ID;Tidspunkt;Lengdegrad;Breddegrad;Kategori;Aldersgruppe;Ny kontakt;Fra utenfor Oslo;Antall"


def write_csv(tmp_path: Path, *lines: str, encoding: str = "utf-8-sig", name: str = "kontakter.csv",
              newline: str = "\r\n") -> Path:
    """A CSV file as Norwegian Excel writes it: CRLF, BOM (by default)."""
    path = tmp_path / name
    path.write_bytes((newline.join(lines) + newline).encode(encoding))
    return path


def row(id_: str = "1", time: str = "12.06.2024 10:30", lon: str = "10,7522", lat: str = "59,9111",
        category: str = "samtale", age: str = "18-23", new: str = "ja", outside: str = "nei",
        people: str = "1") -> str:
    return ";".join([id_, time, lon, lat, category, age, new, outside, people])


def encounters(result) -> pd.DataFrame:
    return result.frames[T_ENCOUNTERS]


def utm_from_lonlat(lon: float, lat: float, zone: int) -> tuple[float, float]:
    """ETRS89/GRS80 → UTM easting/northing (metres), Snyder (1987) eqs. 8-9, 8-10.

    Written out here so that the expected coordinates do not come from pyproj,
    which the reader uses; accurate to well under a millimetre near Oslo.
    """
    a, f, k0 = 6378137.0, 1 / 298.257222101, 0.9996
    e2 = 2 * f - f * f
    ep2 = e2 / (1 - e2)
    phi, lam0 = math.radians(lat), math.radians(6 * zone - 183)
    n = a / math.sqrt(1 - e2 * math.sin(phi) ** 2)
    t, c = math.tan(phi) ** 2, ep2 * math.cos(phi) ** 2
    big_a = (math.radians(lon) - lam0) * math.cos(phi)
    e4, e6 = e2 * e2, e2**3
    m = a * ((1 - e2 / 4 - 3 * e4 / 64 - 5 * e6 / 256) * phi
             - (3 * e2 / 8 + 3 * e4 / 32 + 45 * e6 / 1024) * math.sin(2 * phi)
             + (15 * e4 / 256 + 45 * e6 / 1024) * math.sin(4 * phi)
             - (35 * e6 / 3072) * math.sin(6 * phi))
    x = k0 * n * (big_a + (1 - t + c) * big_a**3 / 6 + (5 - 18 * t + t * t + 72 * c - 58 * ep2) * big_a**5 / 120)
    y = k0 * (m + n * math.tan(phi) * (big_a**2 / 2 + (5 - t + 9 * c + 4 * c * c) * big_a**4 / 24
                                       + (61 - 58 * t + t * t + 600 * c - 330 * ep2) * big_a**6 / 720))
    return x + 500_000, y


# --- a whole file ------------------------------------------------------------


def test_windows_1252_excel_file_is_read_completely(tmp_path):
    path = write_csv(
        tmp_path,
        HEADER + ";Sted",
        row("1") + ";Grønland",
        row("2", time="12.06.2024 23:59", lon="10,7605", lat="59,9123", category="Tilsyn", age="Under 18",
            new="nei", outside="ja", people="3") + ";Vaterland",
        encoding="cp1252",
    )
    result = read_encounters(path)
    frame = encounters(result)
    assert result.errors == []
    assert list(frame.columns) == [*SCHEMAS[T_ENCOUNTERS].columns, SOURCE_FILE, SOURCE_LINE]
    assert frame[ENCOUNTER_ID].tolist() == ["1", "2"]
    assert frame[TIME_UTC].tolist() == [pd.Timestamp("2024-06-12T08:30Z"), pd.Timestamp("2024-06-12T21:59Z")]
    assert frame[LON].tolist() == [10.7522, 10.7605]
    assert frame[LAT].tolist() == [59.9111, 59.9123]
    assert frame[PATROL_ID].isna().all()
    assert frame[CATEGORY].tolist() == ["conversation", "welfare_check"]
    assert frame[AGE_GROUP].tolist() == ["18_23", "under_18"]
    assert frame[NEW_CONTACT].tolist() == [True, False]
    assert frame[FROM_OUTSIDE_OSLO].tolist() == ["no", "yes"]
    assert frame[PEOPLE].tolist() == [1, 3]
    assert frame[SOURCE_FILE].tolist() == ["kontakter.csv"] * 2
    assert frame[SOURCE_LINE].tolist() == [2, 3]
    assert result.warnings == ["columns not used by Feltkart were ignored: 'Sted'"]


def test_utf8_bom_file_with_english_headers_and_comma_separator(tmp_path):
    path = write_csv(
        tmp_path,
        "encounter_id,time,longitude,latitude,patrol_id,category,age_group,new_contact,from_outside_oslo,people",
        "e1,2024-06-12T10:30:00+01:00,10.7522,59.9111,P7,Referral,26+,yes,unknown,2",
        newline="\n",
    )
    frame = encounters(read_encounters(path))
    assert frame.iloc[0][[ENCOUNTER_ID, PATROL_ID, CATEGORY, AGE_GROUP, PEOPLE]].tolist() == [
        "e1", "P7", "referral", "26_plus", 2]
    assert frame[TIME_UTC].iloc[0] == pd.Timestamp("2024-06-12T09:30Z")


@pytest.mark.parametrize(
    ("local", "utc"),
    [
        ("12.06.2024 10:30", "2024-06-12T08:30Z"),
        ("27.10.2024 02:30", "2024-10-27T00:30Z"),  # ambiguous hour: first occurrence (+02:00)
        ("31.03.2024 02:30", "2024-03-31T01:30Z"),  # non-existent hour: read as +01:00
        ("2024-06-12T10:30:00+01:00", "2024-06-12T09:30Z"),
        ("2024-06-12T10:30:00Z", "2024-06-12T10:30Z"),
    ],
)
def test_local_times_follow_the_documented_dst_rules(tmp_path, local, utc):
    frame = encounters(read_encounters(write_csv(tmp_path, HEADER, row(time=local))))
    assert frame[TIME_UTC].tolist() == [pd.Timestamp(utc)]


def test_date_and_clock_columns_are_combined(tmp_path):
    path = write_csv(tmp_path, "dato;kl;lon;lat;kategori", "12.06.2024;10:30;10,75;59,91;samtale")
    assert encounters(read_encounters(path))[TIME_UTC].tolist() == [pd.Timestamp("2024-06-12T08:30Z")]


def test_date_only_column_reads_local_midnight_with_a_warning(tmp_path):
    path = write_csv(tmp_path, "dato;lon;lat;kategori", "12.06.2024;10,75;59,91;samtale")
    result = read_encounters(path)
    assert encounters(result)[TIME_UTC].tolist() == [pd.Timestamp("2024-06-11T22:00Z")]
    assert "only a date column ('dato'): every encounter is read at 00:00 local time" in result.warnings


# --- coded values ------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "code"),
    [("samtale", "conversation"), ("Conversation / contact", "conversation"), ("WELFARE_CHECK", "welfare_check"),
     ("henvisning til annen tjeneste", "referral"), ("Overdose", "acute_help"), ("barnevern", "minor_concern"),
     ("Gravid og rusavhengig", "pregnant_using"), ("psykisk sykdom", "mental_illness"),
     ("Vold / trusler", "violence"), ("  ANNET ", "other")],
)
def test_category_codes_and_english_norwegian_labels_in_any_case(tmp_path, category, code):
    frame = encounters(read_encounters(write_csv(tmp_path, HEADER, row(category=category))))
    assert frame[CATEGORY].tolist() == [code]


@pytest.mark.parametrize(
    ("age", "code"),
    [("under 18", "under_18"), ("18–23", "18_23"), ("24-25", "24_25"), ("26 og over", "26_plus"),
     ("UKJENT", "unknown"), ("", "unknown"), ("17", "under_18"), ("18", "18_23"), ("25", "24_25"), ("40", "26_plus")],
)
def test_age_group_from_labels_codes_or_whole_years(tmp_path, age, code):
    frame = encounters(read_encounters(write_csv(tmp_path, HEADER, row(age=age))))
    assert frame[AGE_GROUP].tolist() == [code]


@pytest.mark.parametrize(
    ("new", "outside", "expected"),
    [("ja", "ja", (True, "yes")), ("Nei", "NEI", (False, "no")), ("yes", "unknown", (True, "unknown")),
     ("FALSE", "ukjent", (False, "unknown")), ("1", "", (True, "unknown")), ("0", "?", (False, "unknown")),
     ("", "no", (False, "no"))],
)
def test_yes_no_values(tmp_path, new, outside, expected):
    frame = encounters(read_encounters(write_csv(tmp_path, HEADER, row(new=new, outside=outside))))
    assert (frame[NEW_CONTACT].iloc[0], frame[FROM_OUTSIDE_OSLO].iloc[0]) == expected


def test_optional_columns_get_their_defaults(tmp_path):
    result = read_encounters(write_csv(tmp_path, "id;tid;lon;lat;kategori", "a;12.06.2024 10:30;10,75;59,91;tilsyn"))
    frame = encounters(result)
    assert frame[[PEOPLE, AGE_GROUP, FROM_OUTSIDE_OSLO, NEW_CONTACT]].iloc[0].tolist() == [1, "unknown", "unknown", False]
    assert any(w.startswith("no new-contact column (new_contact, ny, ny_kontakt") for w in result.warnings)


# --- bad rows ----------------------------------------------------------------


def test_bad_rows_are_reported_by_line_and_good_rows_kept(tmp_path):
    path = write_csv(
        tmp_path,
        HEADER + ";Sted",
        row("1") + ';"Oslo S,\nved trappen"',  # quoted field over two lines: lines 2-3
        row("2", time="12.13.2024 10:30") + ";x",  # line 4
        row("3", category="hund", people="0") + ";x",  # line 5
        "",  # line 6: blank
        row("4", lon="10,7x", new="kanskje", age="barn") + ";x",  # line 7
        row("1") + ";x",  # line 8: duplicate id
        row("5", people="2,5") + ";x",  # line 9
        row("6", time="") + ";x",  # line 10
        row("7") + ";x",  # line 11
    )
    result = read_encounters(path)
    assert encounters(result)[ENCOUNTER_ID].tolist() == ["1", "7"]
    assert encounters(result)[SOURCE_LINE].tolist() == [2, 11]
    got = [(e.line, e.column, e.reason) for e in result.errors]
    assert got == [
        (4, "Tidspunkt", "expected a date and time like 12.06.2024 10:30; got '12.13.2024 10:30'"),
        (5, "Antall", "people must be 1..500 (got 0)"),
        (5, "Kategori", "expected one of conversation, welfare_check, referral, acute_help, minor_concern, "
                        "pregnant_using, mental_illness, violence, other (or their English or Norwegian labels); "
                        "got 'hund'"),
        (7, "Aldersgruppe", "expected one of under_18, 18_23, 24_25, 26_plus, unknown "
                            "(or their English or Norwegian labels); got 'barn'"),
        (7, "Lengdegrad", "expected a number like 10,75 or 10.75; got '10,7x'"),
        (7, "Ny kontakt", "expected yes or no (ja/nei, true/false, 1/0); got 'kanskje'"),
        (8, "Kontakt_ID", "duplicate value '1': already used on an earlier row"),
        (9, "Antall", "expected a whole number like 2; got '2,5'"),
        (10, "Tidspunkt", "value is missing; expected a date and time like 12.06.2024 10:30"),
    ]
    assert all(e.file == "kontakter.csv" for e in result.errors)


def test_swapped_lat_lon_is_rejected_with_a_clear_message(tmp_path):
    result = read_encounters(write_csv(tmp_path, HEADER, row("1"), row("2", lon="59,9111", lat="10,7522")))
    assert encounters(result)[ENCOUNTER_ID].tolist() == ["1"]
    assert result.errors == [
        RowError("kontakter.csv", 3, "Breddegrad",
                 "latitude must lie in Norway (57.5..81.0 degrees); lat/lon swapped? (got 10.7522)"),
        RowError("kontakter.csv", 3, "Lengdegrad",
                 "longitude must lie in Norway (4.0..31.5 degrees); lat/lon swapped? (got 59.9111)"),
    ]


def test_time_before_2000_is_rejected(tmp_path):
    result = read_encounters(write_csv(tmp_path, HEADER, row(time="01.01.1970 01:00")))
    assert [(e.line, e.column) for e in result.errors] == [(2, "Tidspunkt")]
    assert result.errors[0].reason.startswith("time before 2000-01-01: broken device clock?")


# --- UTM easting/northing ----------------------------------------------------


@pytest.mark.parametrize(("crs", "zone"), [("EPSG:25832", 32), ("EPSG:25833", 33)])
def test_utm_easting_northing_is_reprojected_to_lon_lat(tmp_path, crs, zone):
    easting, northing = utm_from_lonlat(*OSLO_S, zone)
    # Sanity of the independent formula: Oslo S lies ~598 km E in zone 32, ~263 km E in zone 33.
    assert abs(easting - {32: 597_988.15, 33: 262_540.47}[zone]) < 0.05
    e_text, n_text = (f"{v:.3f}".replace(".", ",") for v in (easting, northing))
    path = write_csv(tmp_path, "id;tid;Øst;Nord;kategori", f"1;12.06.2024 10:30;{e_text};{n_text};samtale")
    result = read_encounters(path, crs=crs)
    frame = encounters(result)
    assert result.errors == []
    np.testing.assert_allclose(frame[[LON, LAT]].to_numpy(), [OSLO_S], atol=1e-7)  # ~1 cm


def test_utm_without_crs_is_refused_with_how_to_fix(tmp_path):
    path = write_csv(tmp_path, "id;tid;øst;nord;kategori", "1;12.06.2024 10:30;597988;6642807;samtale")
    with pytest.raises(
        InputFileError,
        match=r"kontakter\.csv: columns 'øst'/'nord' hold easting/northing, whose CRS is unknown: pass it with "
              r"--crs, e\.g\. --crs EPSG:25832",
    ):
        read_encounters(path)


def test_x_y_in_degrees_are_read_with_crs_4326(tmp_path):
    path = write_csv(tmp_path, "id;tid;x;y;kategori", "1;12.06.2024 10:30;10,7522;59,9111;samtale")
    frame = encounters(read_encounters(path, crs="EPSG:4326"))
    np.testing.assert_allclose(frame[[LON, LAT]].to_numpy(), [OSLO_S])


def test_unknown_crs_is_refused(tmp_path):
    path = write_csv(tmp_path, "id;tid;øst;nord;kategori", "1;12.06.2024 10:30;597988;6642807;samtale")
    with pytest.raises(InputFileError, match=r"--crs 'EPSG:99999' is not a CRS pyproj knows; expected e\.g\. EPSG:25832"):
        read_encounters(path, crs="EPSG:99999")


def test_lon_lat_columns_with_a_projected_crs_are_refused(tmp_path):
    with pytest.raises(InputFileError, match=r"columns 'Lengdegrad'/'Breddegrad' are longitude/latitude in degrees, "
                                             r"but --crs EPSG:25833 is a projected CRS"):
        read_encounters(write_csv(tmp_path, HEADER, row()), crs="EPSG:25833")


def test_bad_northing_gives_one_error_on_the_row(tmp_path):
    path = write_csv(tmp_path, "id;tid;øst;nord;kategori", "1;12.06.2024 10:30;597988;66428O7;samtale")
    result = read_encounters(path, crs="EPSG:25832")
    assert result.errors == [RowError("kontakter.csv", 2, "nord", "expected a number like 10,75 or 10.75; got '66428O7'")]


# --- missing columns ---------------------------------------------------------


def test_file_without_time_column_is_refused(tmp_path):
    with pytest.raises(InputFileError, match=r"no time column; expected a column named one of time_utc, tid, tidspunkt"):
        read_encounters(write_csv(tmp_path, "lon;lat;kategori", "10,75;59,91;samtale"))


def test_file_without_category_column_is_refused(tmp_path):
    with pytest.raises(InputFileError, match=r"no category column; expected a column named one of category, kategori"):
        read_encounters(write_csv(tmp_path, "tid;lon;lat", "12.06.2024 10:30;10,75;59,91"))


def test_file_without_coordinates_is_refused(tmp_path):
    with pytest.raises(InputFileError, match=r"no coordinate columns; expected longitude/latitude \(lon, lng"):
        read_encounters(write_csv(tmp_path, "tid;kategori", "12.06.2024 10:30;samtale"))


def test_lon_without_lat_is_refused(tmp_path):
    with pytest.raises(InputFileError, match=r"column 'lon' has no partner: expected also a column named one of lat, latitude"):
        read_encounters(write_csv(tmp_path, "tid;lon;kategori", "12.06.2024 10:30;10,75;samtale"))


# --- ids ---------------------------------------------------------------------

NO_ID_HEADER = "tid;lon;lat;kategori;antall"


def test_derived_ids_are_the_same_on_every_import(tmp_path):
    path = write_csv(tmp_path, NO_ID_HEADER, "12.06.2024 10:30;10,75;59,91;samtale;1",
                     "12.06.2024 11:00;10,76;59,91;tilsyn;2")
    first = read_encounters(path)
    again = read_encounters(path)
    ids = encounters(first)[ENCOUNTER_ID].tolist()
    assert ids == encounters(again)[ENCOUNTER_ID].tolist()
    assert len(set(ids)) == 2 and all(i.startswith("enc-") and len(i) == 20 for i in ids)
    assert "no id column: encounter ids were derived from each row's content" in first.warnings


def test_derived_id_does_not_depend_on_row_order_or_file(tmp_path):
    a = write_csv(tmp_path, NO_ID_HEADER, "12.06.2024 10:30;10,75;59,91;samtale;1",
                  "12.06.2024 11:00;10,76;59,91;tilsyn;2", name="a.csv")
    b = write_csv(tmp_path, NO_ID_HEADER, "12.06.2024 11:00;10,76;59,91;tilsyn;2",
                  "2024-06-12T08:30:00Z;10.75;59.91;conversation;1", name="b.csv")
    assert sorted(encounters(read_encounters(a))[ENCOUNTER_ID]) == sorted(encounters(read_encounters(b))[ENCOUNTER_ID])


def test_identical_rows_get_distinct_ids_and_changed_content_a_new_id(tmp_path):
    path = write_csv(tmp_path, NO_ID_HEADER, "12.06.2024 10:30;10,75;59,91;samtale;1",
                     "12.06.2024 10:30;10,75;59,91;samtale;1", "12.06.2024 10:30;10,75;59,91;samtale;2")
    result = read_encounters(path)
    assert result.errors == []
    assert encounters(result)[ENCOUNTER_ID].nunique() == 3


def test_derived_id_is_pinned():
    frame = pd.DataFrame({
        TIME_UTC: pd.to_datetime(["2024-06-12T08:30:00Z"]), LON: [10.75], LAT: [59.91],
        PATROL_ID: pd.Series([None], dtype="str"), CATEGORY: ["conversation"], AGE_GROUP: ["unknown"],
        NEW_CONTACT: [False], FROM_OUTSIDE_OSLO: ["unknown"], PEOPLE: [1],
    })
    import hashlib

    key = "2024-06-12T08:30:00Z|10.750000|59.910000||conversation|unknown|0|unknown|1|0"
    assert derive_encounter_ids(frame).tolist() == ["enc-" + hashlib.sha1(key.encode()).hexdigest()[:16]]


# --- GeoJSON and GeoPackage --------------------------------------------------


def _points_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": ["g1", "g2"], "tidspunkt": ["12.06.2024 10:30", "12.06.2024 11:00"],
         "kategori": ["Samtale", "vold"], "antall": [1, 2]},
        geometry=[Point(*OSLO_S), Point(10.7605, 59.9123)],
        crs="EPSG:4326",
    )


def test_geojson_encounters_take_lon_lat_from_the_geometry(tmp_path):
    path = tmp_path / "kontakter.geojson"
    _points_frame().to_file(path, driver="GeoJSON")
    result = read_encounters(path)
    frame = encounters(result)
    assert result.errors == []
    assert frame[ENCOUNTER_ID].tolist() == ["g1", "g2"]
    assert frame[CATEGORY].tolist() == ["conversation", "violence"]
    assert frame[PEOPLE].tolist() == [1, 2]
    assert frame[SOURCE_LINE].tolist() == [1, 2]  # feature numbers
    np.testing.assert_allclose(frame[[LON, LAT]].to_numpy(), [OSLO_S, (10.7605, 59.9123)])


def test_gpkg_encounters_in_utm33_are_reprojected(tmp_path):
    path = tmp_path / "kontakter.gpkg"
    _points_frame().to_crs("EPSG:25833").to_file(path)
    frame = encounters(read_encounters(path))
    np.testing.assert_allclose(frame[[LON, LAT]].to_numpy(), [OSLO_S, (10.7605, 59.9123)], atol=1e-9)
    assert frame[TIME_UTC].tolist() == [pd.Timestamp("2024-06-12T08:30Z"), pd.Timestamp("2024-06-12T09:00Z")]


def test_gis_point_outside_norway_names_the_geometry(tmp_path):
    path = tmp_path / "kontakter.geojson"
    points = _points_frame()
    points.geometry = [Point(59.9111, 10.7522), Point(10.7605, 59.9123)]  # first one swapped
    points.to_file(path, driver="GeoJSON")
    result = read_encounters(path)
    assert encounters(result)[ENCOUNTER_ID].tolist() == ["g2"]
    assert {(e.line, e.column) for e in result.errors} == {(1, "geometry")}
    assert any("lat/lon swapped?" in e.reason for e in result.errors)


def test_gis_coordinate_attributes_are_ignored_in_favour_of_the_geometry(tmp_path):
    path = tmp_path / "kontakter.geojson"
    points = _points_frame()
    points["lat"] = [0.0, 0.0]
    points.to_file(path, driver="GeoJSON")
    result = read_encounters(path)
    assert result.errors == []
    assert "columns not used by Feltkart were ignored: 'lat'" in result.warnings
