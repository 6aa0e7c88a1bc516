"""The deterministic demo: field areas from real geometry, synthetic activity.

Fast tests use short ranges (days to a few months); the one full-year test is
marked ``slow``.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import shapely

from geo.demo import (
    DemoActivity,
    datafiles,
    demo_areas,
    derive_data,
    generate_activity,
    schedule,
)
from geo.demo.areas import GARAGES, _as_multi, _lines
from geo.demo.network import RouteTable, WalkGraph
from geo.schema import (
    ACCURACY_M,
    AGE_GROUP,
    AREA_ID,
    AREA_TEAM,
    CATEGORY,
    ENCOUNTER_ID,
    END_UTC,
    FROM_OUTSIDE_OSLO,
    INDOOR,
    LAT,
    LON,
    MEASURE_CRS,
    NEW_CONTACT,
    PATROL_ID,
    PEOPLE,
    SOURCE_FILE,
    SOURCE_LINE,
    START_UTC,
    STORE_CRS,
    T_AREAS,
    T_ENCOUNTERS,
    T_PATROLS,
    T_TRACK_POINTS,
    TEAM,
    TIME_UTC,
    VALID_FROM,
    VALID_TO,
    AgeGroup,
    Category,
    Shift,
    YesNoUnknown,
)
from geo.timeutil import shift_of, to_local
from geo.io.validation import SCHEMAS, validate

CENTRE = "uteseksjonen"
DISTRICT = "vestre-aker"

TWO_WEEKS = (date(2019, 3, 4), date(2019, 3, 17))  # Monday to Sunday, winter time
DST_WEEKEND = (date(2019, 10, 25), date(2019, 10, 27))  # clocks go back Sunday 27 Oct 03:00
QUARTER_2023 = (date(2023, 1, 1), date(2023, 3, 31))

EXPECTED_AREA_IDS = {
    "brugata-storgata", "vaterland-gronland", "oslo-s", "akerselva-nedre", "urtegata",
    "p-hus-oslo-s", "p-hus-byporten", "p-hus-gronlands-torg", "p-hus-munchs-gate", "p-hus-saga",
    "hovseter",
}


def make_activity(first: date, last: date, *, seed: int = 42) -> DemoActivity:
    """The single chunk of a range inside one calendar year."""
    chunks = list(generate_activity(seed=seed, start=first, end=last))
    assert len(chunks) == 1
    return chunks[0]


def centre_points(activity: DemoActivity) -> pd.DataFrame:
    centre_ids = activity.patrols.loc[activity.patrols[TEAM] == CENTRE, PATROL_ID]
    return activity.track_points[activity.track_points[PATROL_ID].isin(centre_ids)]


def to_metres(lon: pd.Series, lat: pd.Series) -> np.ndarray:
    """Points as shapely geometries in EPSG:25832."""
    return gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=STORE_CRS).to_crs(MEASURE_CRS).values


def intervals_s(points: pd.DataFrame) -> np.ndarray:
    """Seconds between consecutive fixes of the same patrol."""
    same = points[PATROL_ID].to_numpy()[1:] == points[PATROL_ID].to_numpy()[:-1]
    return points[TIME_UTC].diff().dt.total_seconds().to_numpy()[1:][same]


@pytest.fixture(scope="session")
def two_weeks() -> DemoActivity:
    return make_activity(*TWO_WEEKS)


@pytest.fixture(scope="session")
def quarter_2023() -> DemoActivity:
    return make_activity(*QUARTER_2023)


@pytest.fixture(scope="session")
def areas() -> gpd.GeoDataFrame:
    return demo_areas()


# --- determinism -----------------------------------------------------------------


def test_same_seed_gives_identical_frames() -> None:
    first = make_activity(date(2020, 5, 1), date(2020, 5, 3), seed=7)
    again = make_activity(date(2020, 5, 1), date(2020, 5, 3), seed=7)
    for name in ("patrols", "track_points", "encounters"):
        pd.testing.assert_frame_equal(getattr(first, name), getattr(again, name))


def test_different_seed_gives_different_frames() -> None:
    one = make_activity(date(2020, 5, 1), date(2020, 5, 3), seed=7)
    other = make_activity(date(2020, 5, 1), date(2020, 5, 3), seed=8)
    assert not one.track_points.equals(other.track_points)
    assert not one.encounters.equals(other.encounters)


def test_sub_range_gives_the_same_rows_as_the_full_range(two_weeks: DemoActivity) -> None:
    part = make_activity(date(2019, 3, 8), date(2019, 3, 10))
    ids = set(part.patrols[PATROL_ID])
    assert ids
    for name in ("patrols", "track_points", "encounters"):
        full = getattr(two_weeks, name)
        sub = getattr(part, name)
        if name == "encounters":
            # Encounters registered without a patrol are matched by their id's day.
            days = ("E20190308", "E20190309", "E20190310")
            full = full[full[ENCOUNTER_ID].str.startswith(days)]
        else:
            full = full[full[PATROL_ID].isin(ids)]
        pd.testing.assert_frame_equal(
            full.drop(columns=SOURCE_LINE).reset_index(drop=True),
            sub.drop(columns=SOURCE_LINE).reset_index(drop=True),
        )


def test_one_chunk_per_calendar_year() -> None:
    chunks = list(generate_activity(start=date(2019, 12, 30), end=date(2020, 1, 2)))
    assert len(chunks) == 2
    first_days = to_local(chunks[0].patrols[START_UTC]).dt.year
    second_days = to_local(chunks[1].patrols[START_UTC]).dt.year
    assert set(first_days) == {2019}
    assert set(second_days) == {2020}


# --- frames and validation ---------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "table"),
    [("patrols", T_PATROLS), ("track_points", T_TRACK_POINTS), ("encounters", T_ENCOUNTERS)],
)
def test_frames_have_the_schema_columns_and_pass_validation(
    two_weeks: DemoActivity, name: str, table: str
) -> None:
    frame = getattr(two_weeks, name)
    assert list(frame.columns) == [*SCHEMAS[table].columns, SOURCE_FILE, SOURCE_LINE]
    assert (frame[SOURCE_FILE] == "demo").all()
    assert frame[SOURCE_LINE].tolist() == list(range(1, len(frame) + 1))
    good, errors = validate(frame, table, file="demo")
    assert errors == []
    assert len(good) == len(frame)


def test_times_are_utc_microseconds(two_weeks: DemoActivity) -> None:
    assert str(two_weeks.patrols[START_UTC].dtype) == "datetime64[us, UTC]"
    assert str(two_weeks.track_points[TIME_UTC].dtype) == "datetime64[us, UTC]"
    assert str(two_weeks.encounters[TIME_UTC].dtype) == "datetime64[us, UTC]"


def test_track_points_are_ordered_by_patrol_and_time(two_weeks: DemoActivity) -> None:
    points = two_weeks.track_points
    assert (intervals_s(points) > 0).all()
    order = points.groupby(PATROL_ID, sort=False).ngroup()
    assert order.is_monotonic_increasing


# --- schedule ------------------------------------------------------------------------


def test_patrols_per_week_in_the_published_range(two_weeks: DemoActivity) -> None:
    by_team = two_weeks.patrols[TEAM].value_counts() / 2
    assert 28 <= by_team[CENTRE] <= 44
    assert 1 <= by_team[DISTRICT] <= 4


@pytest.mark.parametrize(("year", "published"), [(2022, 1835), (2023, 1951)])
def test_expected_patrols_per_year_match_key_figures(year: int, published: int) -> None:
    per_year = schedule.expected_per_week(year) * 365 / 7
    assert per_year == pytest.approx(published, rel=0.02)


def test_patrol_ids_are_day_and_number(two_weeks: DemoActivity) -> None:
    ids = two_weeks.patrols[PATROL_ID]
    assert ids.str.fullmatch(r"D\d{8}-\d{2}").all()
    days = to_local(two_weeks.patrols[START_UTC]).dt.strftime("D%Y%m%d")
    assert (ids.str[:9] == days).all()


def test_night_patrols_are_friday_and_saturday_until_four(two_weeks: DemoActivity) -> None:
    patrols = two_weeks.patrols
    night = patrols[shift_of(patrols[START_UTC], patrols[END_UTC]) == Shift.NIGHT.value]
    assert len(night) >= 4
    assert set(to_local(night[START_UTC]).dt.day_of_week) == {4, 5}
    assert (to_local(night[END_UTC]).dt.time == time(4, 0)).all()


def test_evening_patrols_end_by_midnight(two_weeks: DemoActivity) -> None:
    patrols = two_weeks.patrols
    evening = patrols[shift_of(patrols[START_UTC], patrols[END_UTC]) == Shift.EVENING.value]
    end = to_local(evening[END_UTC])
    start_day = to_local(evening[START_UTC]).dt.date
    assert ((end.dt.date == start_day) | (end.dt.time == time(0, 0))).all()


def test_october_dst_saturday_night_lasts_seven_hours() -> None:
    patrols = make_activity(*DST_WEEKEND).patrols
    local_start = to_local(patrols[START_UTC])
    saturday_22 = patrols[(local_start.dt.date == date(2019, 10, 26)) & (local_start.dt.hour == 22)]
    assert len(saturday_22) == 1
    duration = saturday_22[END_UTC] - saturday_22[START_UTC]
    assert (duration == pd.Timedelta(hours=7)).all()
    assert (to_local(saturday_22[END_UTC]).dt.time == time(4, 0)).all()


def test_staff_and_kinds(quarter_2023: DemoActivity) -> None:
    patrols = quarter_2023.patrols
    assert patrols["staff"].isin([2, 3, 4]).all()
    assert (patrols["staff"] == 2).mean() > 0.8
    kinds = patrols["kind"].value_counts()
    assert kinds.index[0] == "regular"
    assert {"project", "joint"} <= set(kinds.index)


def test_reinforced_patrols_only_in_reinforced_periods() -> None:
    december = make_activity(date(2021, 11, 29), date(2021, 12, 12)).patrols
    service_day = to_local(december[START_UTC]).dt.date
    reinforced = december["kind"] == "reinforced"
    assert reinforced.sum() >= 5
    assert all(schedule.in_reinforced_period(d) for d in service_day[reinforced])


# --- tracks --------------------------------------------------------------------------


def test_track_points_lie_on_streets(two_weeks: DemoActivity) -> None:
    streets = datafiles.read_streets().to_crs(MEASURE_CRS).geometry.values
    points = to_metres(centre_points(two_weeks)[LON], centre_points(two_weeks)[LAT])
    _, distance = shapely.STRtree(streets).query_nearest(points, return_distance=True, all_matches=False)
    assert np.median(distance) < 10.0
    assert np.quantile(distance, 0.95) < 25.0


def test_district_tracks_stay_in_hovseter(two_weeks: DemoActivity, areas: gpd.GeoDataFrame) -> None:
    district_ids = two_weeks.patrols.loc[two_weeks.patrols[TEAM] == DISTRICT, PATROL_ID]
    points = two_weeks.track_points[two_weeks.track_points[PATROL_ID].isin(district_ids)]
    hovseter = areas.loc[areas[AREA_ID] == "hovseter", "geometry"].iloc[0]
    inside = shapely.contains_xy(hovseter, points[LON].to_numpy(), points[LAT].to_numpy())
    assert len(points) > 1000
    assert inside.mean() > 0.99


def test_sampling_intervals_are_1_to_10_s_apart_from_gaps(two_weeks: DemoActivity) -> None:
    gaps = intervals_s(two_weeks.track_points)
    assert gaps.min() >= 1.0
    assert ((gaps >= 1.0) & (gaps <= 10.0)).mean() > 0.99
    per_patrol = two_weeks.track_points.groupby(PATROL_ID)[TIME_UTC].apply(
        lambda t: t.diff().dt.total_seconds().median()
    )
    assert per_patrol.between(1.0, 10.0).all()
    assert per_patrol.nunique() > 3  # phones differ
    assert 5.0 <= gaps[gaps <= 10.0].mean() <= 8.0


def test_field_time_and_points_per_patrol(two_weeks: DemoActivity) -> None:
    span = two_weeks.track_points.groupby(PATROL_ID)[TIME_UTC].agg(lambda t: (t.max() - t.min()).total_seconds())
    assert 2.0 <= span.mean() / 3600 <= 3.0
    assert 1000 <= len(two_weeks.track_points) / len(two_weeks.patrols) <= 2000


def test_track_points_lie_within_their_patrol(two_weeks: DemoActivity) -> None:
    merged = two_weeks.track_points.merge(two_weeks.patrols, on=PATROL_ID)
    assert (merged[TIME_UTC] > merged[START_UTC]).all()
    assert (merged[TIME_UTC] < merged[END_UTC]).all()


def test_garage_visits_leave_gaps_of_several_minutes(two_weeks: DemoActivity) -> None:
    points = centre_points(two_weeks)
    places = datafiles.read_places()
    garages = places[places[datafiles.NAME].isin([g.osm_name for g in GARAGES])].to_crs(MEASURE_CRS)
    near_garage = shapely.dwithin(
        shapely.union_all(garages.geometry.values), to_metres(points[LON], points[LAT]), 60.0
    )
    same = points[PATROL_ID].to_numpy()[1:] == points[PATROL_ID].to_numpy()[:-1]
    gap = points[TIME_UTC].diff().dt.total_seconds().to_numpy()[1:]
    dropout = same & (gap >= 4 * 60) & near_garage[:-1] & near_garage[1:]
    assert dropout.sum() >= 10


def test_some_points_jump_far_off(two_weeks: DemoActivity) -> None:
    points = centre_points(two_weeks)
    xy = shapely.get_coordinates(to_metres(points[LON], points[LAT]))
    pid = points[PATROL_ID].to_numpy()
    before = np.hypot(*(xy[1:-1] - xy[:-2]).T)
    after = np.hypot(*(xy[1:-1] - xy[2:]).T)
    across = np.hypot(*(xy[2:] - xy[:-2]).T)
    same = (pid[1:-1] == pid[:-2]) & (pid[1:-1] == pid[2:])
    jumps = same & (before > 90) & (after > 90) & (across < 40)
    assert jumps.sum() >= 10


def test_accuracy_is_reported_by_some_phones_only(two_weeks: DemoActivity) -> None:
    reported = two_weeks.track_points.groupby(PATROL_ID)[ACCURACY_M].agg(lambda a: a.notna().mean())
    assert set(reported.unique()) == {0.0, 1.0}
    assert 0.2 < (reported == 1.0).mean() < 0.7
    assert (two_weeks.track_points[ACCURACY_M].dropna() > 0).all()


# --- encounters ------------------------------------------------------------------------


def test_encounter_shares_match_2023_key_figures(quarter_2023: DemoActivity) -> None:
    enc = quarter_2023.encounters
    assert len(enc) > 3000
    known = enc[enc[AGE_GROUP] != AgeGroup.UNKNOWN.value]
    under_25 = known[AGE_GROUP].isin([AgeGroup.UNDER_18.value, AgeGroup.AGE_18_23.value]).mean() + 0.5 * (
        known[AGE_GROUP] == AgeGroup.AGE_24_25.value
    ).mean()
    new = known[known[NEW_CONTACT]]
    assert under_25 == pytest.approx(1180 / 1977, abs=0.03)
    assert enc[NEW_CONTACT].mean() == pytest.approx(654 / 1977, abs=0.03)
    assert (new[AGE_GROUP] == AgeGroup.UNDER_18.value).mean() == pytest.approx(239 / 654, abs=0.05)
    assert (enc[FROM_OUTSIDE_OSLO] == YesNoUnknown.YES.value).mean() == pytest.approx(721 / 1977, abs=0.03)


def test_encounter_categories_have_sensible_frequencies(quarter_2023: DemoActivity) -> None:
    shares = quarter_2023.encounters[CATEGORY].value_counts(normalize=True)
    assert shares.index[0] == Category.CONVERSATION.value
    assert set(shares.index) <= {c.value for c in Category}
    for rare in (Category.ACUTE_HELP, Category.MINOR_CONCERN, Category.VIOLENCE):
        assert 0 < shares.get(rare.value, 0) < 0.06
    assert shares.get(Category.PREGNANT_USING.value, 0) < 0.02
    minors = quarter_2023.encounters[quarter_2023.encounters[CATEGORY] == Category.MINOR_CONCERN.value]
    assert (minors[AGE_GROUP] == AgeGroup.UNDER_18.value).all()


def test_people_mostly_one(quarter_2023: DemoActivity) -> None:
    people = quarter_2023.encounters[PEOPLE]
    assert people.between(1, 4).all()
    assert 0.7 < (people == 1).mean() < 0.9


def test_encounters_per_patrol(quarter_2023: DemoActivity) -> None:
    centre = quarter_2023.patrols[quarter_2023.patrols[TEAM] == CENTRE]
    enc = quarter_2023.encounters
    per_patrol = enc[enc[PATROL_ID].isin(centre[PATROL_ID])].shape[0] / len(centre)
    assert 7 <= per_patrol <= 13


def test_most_encounters_name_their_patrol(quarter_2023: DemoActivity) -> None:
    missing = quarter_2023.encounters[PATROL_ID].isna()
    assert 0 < missing.mean() < 0.06
    assert quarter_2023.encounters[ENCOUNTER_ID].is_unique


def test_encounters_happen_during_their_patrol_near_its_track(two_weeks: DemoActivity) -> None:
    enc = two_weeks.encounters.dropna(subset=[PATROL_ID]).merge(two_weeks.patrols, on=PATROL_ID)
    assert (enc[TIME_UTC] >= enc[START_UTC]).all()
    assert (enc[TIME_UTC] <= enc[END_UTC]).all()
    points = two_weeks.track_points
    tree = shapely.STRtree(to_metres(points[LON], points[LAT]))
    _, distance = tree.query_nearest(to_metres(enc[LON], enc[LAT]), return_distance=True, all_matches=False)
    assert np.median(distance) < 15.0


def test_some_encounters_lie_outside_every_area(quarter_2023: DemoActivity, areas: gpd.GeoDataFrame) -> None:
    current = areas[areas[VALID_TO].isna()]
    everything = shapely.union_all(current.geometry.values)
    enc = quarter_2023.encounters
    inside = shapely.intersects_xy(everything, enc[LON].to_numpy(), enc[LAT].to_numpy())
    assert 0.02 < (~inside).mean() < 0.3


def _share_in(activity: DemoActivity, area: shapely.Geometry) -> float:
    enc = activity.encounters
    return float(shapely.intersects_xy(area, enc[LON].to_numpy(), enc[LAT].to_numpy()).mean())


def test_hotspots_move_from_brugata_to_akerselva(areas: gpd.GeoDataFrame) -> None:
    brugata = areas.loc[areas[AREA_ID] == "brugata-storgata", "geometry"].iloc[0]
    akerselva = areas.loc[areas[AREA_ID] == "akerselva-nedre", "geometry"].iloc[0]
    early = make_activity(date(2018, 9, 1), date(2018, 9, 30))
    late = make_activity(date(2024, 9, 1), date(2024, 9, 30))
    assert _share_in(early, brugata) > 2 * _share_in(late, brugata)
    assert _share_in(late, akerselva) > 1.8 * _share_in(early, akerselva)


# --- arguments -------------------------------------------------------------------------


def test_negative_seed_is_refused() -> None:
    with pytest.raises(ValueError, match="seed must be a non-negative integer; got -1"):
        generate_activity(seed=-1)


def test_end_before_start_is_refused() -> None:
    with pytest.raises(ValueError, match="end must not be before start"):
        generate_activity(start=date(2020, 1, 2), end=date(2020, 1, 1))


def test_dates_must_be_dates() -> None:
    with pytest.raises(TypeError, match="start must be a datetime.date; got str"):
        generate_activity(start="2020-01-01")  # type: ignore[arg-type]


# --- field areas -------------------------------------------------------------------------


def test_demo_areas_have_expected_ids_columns_and_types(areas: gpd.GeoDataFrame) -> None:
    assert set(areas[AREA_ID]) == EXPECTED_AREA_IDS
    assert list(areas.columns) == [
        AREA_ID, "name", AREA_TEAM, VALID_FROM, VALID_TO, INDOOR, SOURCE_FILE, SOURCE_LINE, "geometry"
    ]
    assert areas.crs.to_string() == STORE_CRS
    assert (areas.geom_type == "MultiPolygon").all()
    assert areas.is_valid.all() and not areas.is_empty.any()
    assert all(type(d) is date for d in areas[VALID_FROM])
    assert all(d is None or type(d) is date for d in areas[VALID_TO])
    assert (areas[SOURCE_FILE] == "demo").all()
    assert areas[SOURCE_LINE].tolist() == list(range(1, len(areas) + 1))
    good, errors = validate(areas, T_AREAS, file="demo")
    assert errors == [] and len(good) == len(areas)


def test_brugata_storgata_is_extended_on_2021_03_01(areas: gpd.GeoDataFrame) -> None:
    versions = areas[areas[AREA_ID] == "brugata-storgata"].sort_values(VALID_FROM)
    assert versions[VALID_FROM].tolist() == [date(2018, 1, 1), date(2021, 3, 1)]
    assert versions[VALID_TO].tolist() == [date(2021, 3, 1), None]
    old, new = versions.to_crs(MEASURE_CRS).geometry
    assert new.area > 1.3 * old.area
    assert old.difference(new).area < 0.01 * old.area


def test_area_sets_and_teams(areas: gpd.GeoDataFrame) -> None:
    start = areas.groupby(AREA_ID)[VALID_FROM].min()
    assert start[["akerselva-nedre", "urtegata"]].tolist() == [date(2023, 1, 1)] * 2
    assert (start.drop(["akerselva-nedre", "urtegata"]) == date(2018, 1, 1)).all()
    teams = areas.groupby(AREA_ID)[AREA_TEAM].first()
    assert teams["hovseter"] == DISTRICT
    assert (teams.drop("hovseter") == CENTRE).all()


def test_some_areas_overlap(areas: gpd.GeoDataFrame) -> None:
    shape = areas.to_crs(MEASURE_CRS).groupby(AREA_ID).geometry.first()
    assert shape["oslo-s"].intersection(shape["vaterland-gronland"]).area > 1000
    assert shape["oslo-s"].contains(shape["p-hus-byporten"])


def test_the_garages_and_only_they_are_indoor(areas: gpd.GeoDataFrame) -> None:
    indoor = set(areas.loc[areas[INDOOR], AREA_ID])
    assert indoor == {g.area_id for g in GARAGES}


def test_garage_areas_lie_around_the_real_garages(areas: gpd.GeoDataFrame) -> None:
    places = datafiles.read_places()
    for garage in GARAGES:
        point = places.loc[places[datafiles.NAME] == garage.osm_name, "geometry"].iloc[0]
        area = areas.loc[areas[AREA_ID] == garage.area_id]
        assert area["name"].iloc[0] == garage.name
        assert area.geometry.iloc[0].contains(point)


def test_hovseter_is_the_real_sub_district(areas: gpd.GeoDataFrame) -> None:
    hovseter = areas.loc[areas[AREA_ID] == "hovseter"].to_crs(MEASURE_CRS).geometry.iloc[0]
    assert hovseter.area == pytest.approx(2_043_298, rel=0.01)  # Shape_Area in the source


def test_area_geometry_must_be_polygonal() -> None:
    with pytest.raises(ValueError, match="area geometry must be polygonal; got LineString"):
        _as_multi(shapely.LineString([(0, 0), (1, 1)]))


def test_missing_street_names_the_file() -> None:
    with pytest.raises(ValueError, match="street 'Nowhere gate' not found in oslo_sentrum_walkable.gpkg"):
        _lines(datafiles.read_streets(), "Nowhere gate")


# --- committed data and its derivation --------------------------------------------------


def test_committed_data_files_are_small() -> None:
    for path in (datafiles.STREETS_FILE, datafiles.PLACES_FILE, datafiles.HOVSETER_FILE):
        assert path.is_file()
        assert path.stat().st_size < 3_000_000
    assert (datafiles.DATA_DIR / "README.md").is_file()


def test_missing_data_file_says_how_to_recreate_it(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="is missing.*geo.demo.derive_data"):
        datafiles._read(tmp_path / "nothing.gpkg")


def test_derivation_reproduces_the_committed_files(shared_data: Path, tmp_path: Path) -> None:
    derive_data.derive_all(source_dir=shared_data, target_dir=tmp_path)
    streets = gpd.read_file(tmp_path / datafiles.STREETS_FILE.name, layer=datafiles.STREETS_LAYER)
    assert streets[datafiles.OSM_ID].tolist() == datafiles.read_streets()[datafiles.OSM_ID].tolist()
    places = gpd.read_file(tmp_path / datafiles.PLACES_FILE.name)
    assert places[datafiles.OSM_ID].tolist() == datafiles.read_places()[datafiles.OSM_ID].tolist()
    hovseter = gpd.read_file(tmp_path / datafiles.HOVSETER_FILE.name)
    assert not hovseter.has_z.any()
    assert hovseter.geometry.iloc[0].equals(datafiles.read_hovseter())


def test_derivation_needs_the_shared_data(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="source_dir .* not found"):
        derive_data.derive_all(source_dir=tmp_path / "missing", target_dir=tmp_path)


def test_derived_places_must_contain_every_used_name(tmp_path: Path) -> None:
    source = tmp_path / "places.geojson"
    gpd.GeoDataFrame({"name": ["Elsewhere"]}, geometry=[shapely.Point(10.75, 59.91)], crs=STORE_CRS).to_file(source)
    with pytest.raises(ValueError, match=r"places\.geojson: places \[.*'Oslo S p-hus'.*\] not found"):
        derive_data.derive_places(source)


# --- network -------------------------------------------------------------------------------


def test_route_table_refuses_waypoints_in_different_components() -> None:
    xy = np.array([[0.0, 0.0], [10.0, 0.0], [100.0, 0.0], [110.0, 0.0]])
    lengths = sp.csr_matrix(([10.0, 10.0, 10.0, 10.0], ([0, 1, 2, 3], [1, 0, 3, 2])), shape=(4, 4))
    graph = WalkGraph(xy=xy, lonlat=xy, lengths=lengths)
    with pytest.raises(ValueError, match="every waypoint must be reachable"):
        RouteTable(graph, np.array([0, 2]))


# --- full year -----------------------------------------------------------------------------


@pytest.mark.slow
def test_full_year_2023_volumes() -> None:
    activity = make_activity(date(2023, 1, 1), date(2023, 12, 31))
    centre = activity.patrols[activity.patrols[TEAM] == CENTRE]
    assert len(centre) == pytest.approx(1951, rel=0.03)
    assert 2_000_000 <= len(activity.track_points) <= 3_600_000
    assert 8 <= len(activity.encounters) / len(activity.patrols) <= 12
    service_day = to_local(centre[START_UTC]).dt.date
    assert {d.year for d in service_day} == {2023}
    assert service_day.max() >= date(2023, 12, 24)
    assert (centre[START_UTC].diff().dropna() >= timedelta(0)).all()
