"""The importer (``geo.io.importer``): the path every file takes into a store, from the CLI and the
Data page alike. Tested through its public API on real GeoPackage stores.

Scenario: one field area "sq", the 100 m square at the builders' base point (EPSG:25832), valid
from 1 January 2024. A GPX track stands at the square's centre for 10 minutes on Wed 12 June 2024
18:00–18:10 Oslo time (11 fixes a minute apart: 10 segments of 60 s), so the area has exactly
600 s = 10.0 presence minutes and one visit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geo.io.errors import InputFileError
from geo.io.gpx import write_gpx
from geo.io.importer import ImportOptions, import_file, infer_kind
from geo.queries import Filters, presence_by_area
from geo.schema import (
    AREA_ID,
    PRESENCE_MINUTES,
    STORE_CRS,
    T_AREAS,
    T_ENCOUNTER_AREAS,
    T_ENCOUNTERS,
    T_PATROLS,
    T_PRESENCE_AREA,
    T_TRACK_POINTS,
    VISITS,
)
from geo.store import open_store
from tests.builders import BASE, lonlat, oslo, square, standing, to_lonlat_geometry

X, Y = BASE
CENTRE = (X + 50, Y + 50)
JUNE = Filters(first_day=dt.date(2024, 6, 1), last_day=dt.date(2024, 6, 30))
ENCOUNTER_HEADER = "Kontakt_ID;Tidspunkt;Lengdegrad;Breddegrad;Kategori;Aldersgruppe;Ny kontakt;Fra utenfor Oslo;Antall"


# --- tiny files, written as the users' tools write them ----------------------------------------------
def areas_file(tmp_path: Path, *, name: str = "areas.geojson", side: float = 100.0,
               valid_from: str = "2024-01-01") -> Path:
    frame = gpd.GeoDataFrame({"area_id": ["sq"], "name": ["Oslo S"], "team": ["sentrum"], "valid_from": [valid_from]},
                             geometry=[to_lonlat_geometry(square(X, Y, side))], crs=STORE_CRS)
    path = tmp_path / name
    frame.to_file(path)
    return path


def gpx_file(tmp_path: Path, *, name: str = "patrol.gpx", minutes: int = 10,
             start: str = "2024-06-12 18:00") -> Path:
    path = tmp_path / name
    write_gpx(standing("p1", oslo(start), CENTRE, n=minutes + 1, interval_s=60), path)
    return path


def encounters_file(tmp_path: Path, *rows: str, name: str = "kontakter.csv") -> Path:
    """A CSV as Norwegian Excel writes it: semicolons, decimal commas, CRLF, a BOM."""
    path = tmp_path / name
    path.write_bytes(("\r\n".join([ENCOUNTER_HEADER, *rows]) + "\r\n").encode("utf-8-sig"))
    return path


def encounter_row(eid: str, time: str = "12.06.2024 18:05", *, at: tuple[float, float] = CENTRE,
                  category: str = "samtale") -> str:
    lon, lat = (f"{v:.7f}".replace(".", ",") for v in (c[0] for c in lonlat([at[0]], [at[1]])))
    return ";".join([eid, time, lon, lat, category, "18-23", "ja", "nei", "1"])


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "store.gpkg")
    yield s
    s.close()


def counts(store) -> dict[str, int]:
    return {table: n for table, n in store.counts().items()}


def area_row(store, area_id: str = "sq") -> dict:
    table = presence_by_area(store, JUNE)
    return table[table[AREA_ID] == area_id].iloc[0].to_dict()


# --- kinds -------------------------------------------------------------------------------------------
def test_kind_is_inferred_from_extension_geometry_and_header(tmp_path):
    assert infer_kind(gpx_file(tmp_path)) == "tracks"
    assert infer_kind(areas_file(tmp_path)) == "areas"
    assert infer_kind(encounters_file(tmp_path, encounter_row("e1"))) == "encounters"
    patrols = tmp_path / "patruljer.csv"
    patrols.write_text("id;team;start;end\nP1;sentrum;12.06.2024 18:00;12.06.2024 23:00\n", encoding="utf-8")
    assert infer_kind(patrols) == "patrols"
    points = tmp_path / "points.geojson"
    gpd.GeoDataFrame({"id": [1]}, geometry=gpd.points_from_xy([10.75], [59.91]), crs=STORE_CRS).to_file(points)
    assert infer_kind(points) == "encounters"


def test_an_unknown_extension_asks_for_kind(tmp_path):
    path = tmp_path / "notes.docx"
    path.write_bytes(b"x")
    with pytest.raises(InputFileError, match=r"notes\.docx: cannot tell what the file holds from its extension "
                                             r"'\.docx'; expected \.gpx, \.csv, \.geojson, \.gpkg or \.zip, "
                                             r"or pass --kind areas\|tracks\|encounters\|patrols"):
        infer_kind(path)


def test_a_csv_with_neither_coordinates_nor_start_and_end_asks_for_kind(tmp_path):
    path = tmp_path / "ting.csv"
    path.write_text("a;b\n1;2\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"cannot tell from the header whether this CSV holds encounters "
                                             r"\(needs lon/lat or east/north columns\) or patrols"):
        infer_kind(path)


def test_lines_in_a_gis_file_are_neither_areas_nor_encounters(tmp_path):
    path = tmp_path / "lines.geojson"
    line = gpd.GeoSeries.from_wkt(["LINESTRING (10.75 59.91, 10.76 59.92)"], crs=STORE_CRS)
    gpd.GeoDataFrame({"id": [1]}, geometry=line).to_file(path)
    with pytest.raises(InputFileError, match=r"expected polygons \(field areas\) or points \(encounters\); "
                                             r"found geometry type 'LineString'"):
        infer_kind(path)


def test_a_missing_file_and_an_unknown_kind_are_refused(store, tmp_path):
    with pytest.raises(InputFileError, match=r"nowhere\.gpx: file not found"):
        import_file(store, tmp_path / "nowhere.gpx")
    with pytest.raises(InputFileError, match=r"kind must be one of areas, tracks, encounters, patrols; got 'trips'"):
        import_file(store, gpx_file(tmp_path), kind="trips")
    assert counts(store)[T_PATROLS] == 0


# --- what an import writes -----------------------------------------------------------------------------
def test_areas_then_tracks_give_exact_presence_in_the_area(store, tmp_path):
    areas = import_file(store, areas_file(tmp_path))
    assert (areas.kind, areas.added, areas.errors) == ("areas", {T_AREAS: 1}, [])
    tracks = import_file(store, gpx_file(tmp_path), options=ImportOptions(team="sentrum"))
    assert tracks.kind == "tracks"
    assert tracks.added == {T_PATROLS: 1, T_TRACK_POINTS: 11}
    sq = area_row(store)
    assert sq[PRESENCE_MINUTES] == pytest.approx(10.0)  # 10 segments × 60 s, all inside
    assert sq[VISITS] == 1
    assert store.patrols()["team"].tolist() == ["sentrum"]


def test_encounters_are_placed_in_their_area(store, tmp_path):
    import_file(store, areas_file(tmp_path))
    outcome = import_file(store, encounters_file(tmp_path, encounter_row("e1"),
                                                 encounter_row("e2", at=(X + 500, Y + 500))))
    assert outcome.added == {T_ENCOUNTERS: 2}
    pairs = store.derived(T_ENCOUNTER_AREAS)
    assert pairs["encounter_id"].tolist() == ["e1"]  # e2 lies 450 m outside the square


def test_tracks_imported_before_the_areas_are_apportioned_when_the_areas_arrive(store, tmp_path):
    import_file(store, gpx_file(tmp_path))
    assert presence_by_area(store, JUNE)[AREA_ID].tolist() == ["__outside__"]
    import_file(store, areas_file(tmp_path))
    assert area_row(store)[PRESENCE_MINUTES] == pytest.approx(10.0)


def test_a_new_area_version_closes_the_old_one_and_recomputes_presence(store, tmp_path):
    import_file(store, areas_file(tmp_path))
    import_file(store, gpx_file(tmp_path))
    # from 1 June the area is the 40 m square at the corner: the patrol stood at (50, 50), outside it
    smaller = import_file(store, areas_file(tmp_path, name="smaller.geojson", side=40.0, valid_from="2024-06-01"))
    assert smaller.added == {T_AREAS: 1}
    versions = store.areas().sort_values("version")
    assert versions["valid_to"].tolist() == [dt.date(2024, 6, 1), None]
    assert area_row(store)[PRESENCE_MINUTES] == 0.0
    assert store.area_changes()["change"].tolist() == ["added", "closed", "added"]


# --- idempotence and atomicity ---------------------------------------------------------------------------
def test_the_same_file_twice_adds_nothing_and_says_so(store, tmp_path):
    path = gpx_file(tmp_path)
    import_file(store, path)
    before = counts(store)
    again = import_file(store, path)
    assert again.already_imported and again.n_added == 0
    assert again.warnings == ["patrol.gpx: this exact file was imported before; nothing added"]
    assert counts(store) == before


def test_a_different_file_with_overlapping_rows_adds_only_the_new_rows(store, tmp_path):
    import_file(store, areas_file(tmp_path))
    import_file(store, encounters_file(tmp_path, encounter_row("e1")))
    outcome = import_file(store, encounters_file(tmp_path, encounter_row("e1"), encounter_row("e3"), name="mer.csv"))
    assert outcome.added == {T_ENCOUNTERS: 1}
    assert counts(store)[T_ENCOUNTERS] == 2


def test_a_failure_while_writing_leaves_the_store_untouched(store, tmp_path, monkeypatch):
    import_file(store, areas_file(tmp_path))
    before = counts(store)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(type(store), "log_import", broken)  # the last write of every import
    with pytest.raises(RuntimeError, match="disk full"):
        import_file(store, gpx_file(tmp_path))
    assert counts(store) == before
    assert store.derived(T_PRESENCE_AREA).empty
    assert not store.imports()["file"].isin(["patrol.gpx"]).any()


# --- rejected rows -------------------------------------------------------------------------------------
def test_rejected_rows_are_reported_and_good_rows_kept(store, tmp_path):
    path = encounters_file(tmp_path, encounter_row("e1"), encounter_row("e2", time="31.02.2024 10:00"),
                           encounter_row("e3", category="bingo"))
    outcome = import_file(store, path)
    assert outcome.added == {T_ENCOUNTERS: 1}
    rejected = {(e.file, e.line, e.column) for e in outcome.errors}
    assert rejected == {("kontakter.csv", 3, "Tidspunkt"), ("kontakter.csv", 4, "Kategori")}  # the file's own headers
    assert all(e.reason for e in outcome.errors)
    assert store.imports()["rejected"].tolist() == [2]


GPX_HEAD = '<?xml version="1.0"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1">'


def test_a_track_whose_every_point_is_rejected_leaves_no_empty_patrol(store, tmp_path):
    path = tmp_path / "two_tracks.gpx"
    path.write_text(GPX_HEAD
                    + '<trk><trkseg><trkpt lat="59.91" lon="10.75"><time>2024-06-12T16:00:00Z</time></trkpt>'
                      '</trkseg></trk>'
                    + '<trk><trkseg><trkpt lat="59.91" lon="10.75"><time>2024-06-12T17:00:00Z</time></trkpt>'
                      '<trkpt lat="59.911" lon="10.751"><time>2024-06-12T17:01:00Z</time></trkpt></trkseg></trk></gpx>',
                    encoding="utf-8")
    outcome = import_file(store, path)
    assert outcome.added == {T_PATROLS: 1, T_TRACK_POINTS: 2}  # the second track only
    assert [str(e) for e in outcome.errors] == [
        "two_tracks.gpx:1: column 'trkpt': track 1 has only one track point with a time (point 1); a patrol needs "
        "at least two to have a start and an end; the track was rejected"]
    assert counts(store)[T_PATROLS] == 1


def test_a_gpx_without_any_time_is_refused_whole_and_writes_nothing(store, tmp_path):
    path = tmp_path / "no_time.gpx"
    path.write_text(GPX_HEAD + '<trk><trkseg><trkpt lat="59.91" lon="10.75"/><trkpt lat="59.911" lon="10.751"/>'
                               '</trkseg></trk></gpx>', encoding="utf-8")
    with pytest.raises(InputFileError, match=r"no_time\.gpx: no track points with a time: expected "
                                             r"<trk>/<trkseg>/<trkpt> elements with <time>; none of its 2 track "
                                             r"points has a <time>"):
        import_file(store, path)
    assert counts(store)[T_PATROLS] == 0 and store.imports().empty


def test_nothing_readable_writes_nothing_not_even_the_import_log(store, tmp_path):
    path = encounters_file(tmp_path, encounter_row("e1", time="32.13.2024 10:00"))
    outcome = import_file(store, path)
    assert outcome.n_added == 0 and len(outcome.errors) == 1
    assert store.imports().empty
    # the file was not recorded as imported: importing it again reads it again (and rejects it again)
    assert not store.is_imported(hashlib.sha256(path.read_bytes()).hexdigest())
    assert not import_file(store, path).already_imported
