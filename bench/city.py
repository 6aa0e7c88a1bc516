"""City scale: ten years of sixteen teams, made by the demo generator (``python -m bench.city``).

The demo (``geo.demo``) has two teams: the city-centre service on Oslo
sentrum's real walking network, and Vestre Aker's district team on a
synthetic network inside the real Hovseter sub-district. The city adds the
other 14 of Oslo's 15 districts (bydeler 2020, ``$FELTKART_SHARED_DATA``),
each with a district team ``bydel-<name>`` that patrols its own two central
sub-districts (delbydeler 2013): those two polygons are the team's field
areas, valid from the first year, and its beat is built exactly as the demo
builds Hovseter's (:func:`geo.demo.world._district_beat`: random nodes inside
the polygon joined by Delaunay edges that stay inside, a hotspot in the
middle). District teams go out up to four times a day (:data:`DISTRICT_SLOTS`,
about 2.4 patrols a day on average). Everything else — which patrols the
centre runs, itineraries, phones, GPS gaps and noise, encounters — is the
demo generator's own code (:func:`geo.demo.activity._chunk`), run with the
sixteen beats and a day plan that adds the districts' patrols to the demo's
(:func:`plan_city_day`). Deterministic for a seed.

``python -m bench.city build --store S [--store URL] [--first-year 2015] [--years 10]``
writes the same data into every store given (a GeoPackage path and/or a
PostGIS URL): generation and the presence engine run in a worker process,
half a year ahead of the writing (as ``geo.demo.store`` does with years).
``python -m bench.city queries --store S [--store D]`` times the dashboard's
queries (``bench.city_queries``). Not committed and not part of ``make bench``:
a 200-million-point store takes about an hour on two cores.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import multiprocessing
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime, timedelta
from functools import cache
from unittest import mock

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from bench.e2e_data import shared_data_dir

BYDELER_FILE = "oslo_bydeler_2020.geojson"
DELBYDELER_FILE = "oslo_delbydeler_2013.geojson"
NOT_DISTRICTS = ("Sentrum", "Marka", "Vestre Aker")
"""Bydeler without a new district team: Sentrum is the centre service's, Marka is forest,
and Vestre Aker's team is the demo's own (at Hovseter)."""

AREAS_PER_DISTRICT = 2
BEAT_MARGIN_M = 150.0
"""A district beat covers its field areas grown by this much, inside the district, metres."""

FIRST_YEAR = 2015
YEARS = 10
SEED = 42
STREAM_CITY = 9
"""Random stream id of the district teams' day plans: (seed, STREAM_CITY, date, team)."""

DISTRICT_SLOTS = (("12:00", "17:00", 0.70), ("17:00", "22:00", 0.80), ("18:00", "23:00", 0.60),
                  ("19:00", "00:00", 0.30))
"""(start, end, probability) of each district team's patrols on every day (local time): 2.4 a day,
about 880 a year per team; with the centre's ~2,000 about 14,300 patrols and 22 million points a year."""

PATROL_NUMBER_BASE = 100
"""District patrol k of team t on a day is numbered ``(t + 1) * 100 + k`` (the demo's own are 1–99)."""


@dataclasses.dataclass(frozen=True)
class District:
    team: str
    name: str
    beat_polygon: shapely.Geometry  # EPSG:4326
    areas: gpd.GeoDataFrame  # the team's field areas, EPSG:4326


@cache
def districts() -> tuple[District, ...]:
    """The 14 new district teams, each with its two most central delbydeler (EPSG:4326)."""
    from geo.io.areas import slugify
    from geo.schema import MEASURE_CRS

    bydeler = gpd.read_file(shared_data_dir() / BYDELER_FILE).to_crs(MEASURE_CRS)
    delbydeler = gpd.read_file(shared_data_dir() / DELBYDELER_FILE).to_crs(MEASURE_CRS)
    delbydeler["geometry"] = shapely.force_2d(delbydeler.geometry.to_numpy())
    delbydeler["bydel"] = delbydeler["DELBYDEL"].astype(str).str.zfill(4).str[:2]
    out = []
    for _, bydel in bydeler.sort_values("bydelnr").iterrows():
        if bydel["bydelnavn"] in NOT_DISTRICTS:
            continue
        team = f"bydel-{slugify(bydel['bydelnavn'])}"
        parts = delbydeler[delbydeler["bydel"] == str(bydel["bydelnr"])[-2:]]
        centre = bydel.geometry.representative_point()
        chosen = parts.iloc[np.argsort(parts.distance(centre).to_numpy())[:AREAS_PER_DISTRICT]]
        beat = shapely.intersection(shapely.union_all(chosen.geometry.to_numpy()).buffer(BEAT_MARGIN_M),
                                    bydel.geometry)
        areas = gpd.GeoDataFrame(
            {
                "area_id": [f"d{str(c).zfill(4)}" for c in chosen["DELBYDEL"]],
                "name": chosen["DELBYDELSN"].astype(str).str.strip().to_list(),
                "team": team,
                "valid_from": date(FIRST_YEAR, 1, 1),
                "valid_to": None,
            },
            geometry=chosen.geometry.to_list(), crs=MEASURE_CRS,
        ).to_crs("EPSG:4326")
        beat_lonlat = gpd.GeoSeries([beat], crs=MEASURE_CRS).to_crs("EPSG:4326").iloc[0]
        out.append(District(team=team, name=str(bydel["bydelnavn"]), beat_polygon=beat_lonlat, areas=areas))
    return tuple(out)


def city_areas() -> gpd.GeoDataFrame:
    """The demo's field-area versions plus every district team's two delbydeler (EPSG:4326)."""
    from geo.demo import demo_areas

    demo = demo_areas()
    extra = pd.concat([d.areas for d in districts()], ignore_index=True)
    extra["source_file"] = "bench.city"
    extra["source_line"] = np.arange(1, len(extra) + 1)
    extra["indoor"] = False  # the districts' delbydeler are street areas
    return gpd.GeoDataFrame(pd.concat([demo, extra[demo.columns]], ignore_index=True), crs=demo.crs)


@cache
def city_world():
    """The demo's two beats plus one per district, built by the demo's own district-beat code."""
    from geo.demo import world
    from geo.demo.areas import AreaVersion, TEAM_DISTRICT
    from geo.schema import MEASURE_CRS

    demo = world.load_world()
    beats = dict(demo.beats)
    for district in districts():
        measured = district.areas.to_crs(MEASURE_CRS)
        versions = tuple(AreaVersion(a, n, TEAM_DISTRICT, date(FIRST_YEAR, 1, 1), None, g)
                         for a, n, g in zip(measured["area_id"], measured["name"], measured.geometry))
        with mock.patch.object(world.datafiles, "read_hovseter", return_value=district.beat_polygon):
            beat = world._district_beat(versions)
        beats[district.team] = dataclasses.replace(beat, team=district.team)
    return world.World(beats=beats, centre_graph=demo.centre_graph)


def plan_city_day(day: date, *, seed: int):
    """The demo's patrols of ``day`` plus the district teams' (:data:`DISTRICT_SLOTS`)."""
    from geo.demo.schedule import PlannedPatrol, plan_day
    from geo.schema import DEFAULT_STAFF, PatrolKind

    planned = list(plan_day(day, seed=seed))
    for team_no, district in enumerate(districts()):
        rng = np.random.default_rng([seed, STREAM_CITY, day.toordinal(), team_no])
        goes = rng.random(len(DISTRICT_SLOTS)) < np.array([p for _, _, p in DISTRICT_SLOTS])
        for k, (start, end, _) in enumerate(s for s, g in zip(DISTRICT_SLOTS, goes) if g):
            begin = datetime.combine(day, datetime.strptime(start, "%H:%M").time())
            finish = datetime.combine(day, datetime.strptime(end, "%H:%M").time())
            if finish <= begin:
                finish += timedelta(days=1)
            planned.append(PlannedPatrol(
                patrol_id=f"D{day:%Y%m%d}-{(team_no + 1) * PATROL_NUMBER_BASE + k + 1}", service_day=day,
                team=district.team, kind=PatrolKind.REGULAR, staff=DEFAULT_STAFF, start_local=begin,
                end_local=finish))
    return planned


def city_chunk(seed: int, first: date, last: date):
    """The city's activity for local days [first, last]: the demo's ``_chunk`` with the city's beats and plan."""
    from geo.demo import activity

    with mock.patch.object(activity, "plan_day", plan_city_day):
        return activity._chunk(city_world(), seed=seed, first=first, last=last)


def _computed_chunk(seed: int, first: date, last: date, areas: gpd.GeoDataFrame):
    """One chunk and its presence tables (runs in the worker process)."""
    from geo.engine import refresh
    from geo.engine.area_cache import prepare_areas_cached

    chunk = city_chunk(seed, first, last)
    return chunk, refresh.compute_presence_batched(chunk.track_points, prepare_areas_cached(areas))


def half_years(first_year: int, years: int) -> list[tuple[date, date]]:
    out = []
    for year in range(first_year, first_year + years):
        out += [(date(year, 1, 1), date(year, 6, 30)), (date(year, 7, 1), date(year, 12, 31))]
    return out


def build(locations: list[str], *, first_year: int = FIRST_YEAR, years: int = YEARS, seed: int = SEED,
          progress: Callable[[str], None] = print) -> dict:
    """Write the city into every store in ``locations`` (created; a GeoPackage must not exist yet)."""
    from geo.engine import refresh
    from geo.engine.presence import with_encounter_cells
    from geo.schema import PATROL_ID
    from geo.store import open_store
    from geo.store.gpkg import GpkgStore

    began = time.perf_counter()
    stores = [open_store(loc) if loc.startswith("postgres") else GpkgStore(loc, bulk_load=True) for loc in locations]
    for store in stores:
        with store.transaction():
            store.add_area_versions(city_areas(), changed_by="bench.city")
    areas = stores[0].areas()
    write_seconds = dict.fromkeys(locations, 0.0)
    n_points = n_patrols = 0
    for chunk, tables in _ahead(seed, half_years(first_year, years), areas):
        ids = chunk.patrols[PATROL_ID].tolist()
        encounters = with_encounter_cells(chunk.encounters)
        for location, store in zip(locations, stores):
            t = time.perf_counter()
            with store.transaction():  # one transaction per half year
                store.add_patrols(chunk.patrols)
                store.add_track_points(chunk.track_points)
                store.add_encounters(encounters)
                refresh.store_presence(store, tables, ids)
            write_seconds[location] += time.perf_counter() - t
        n_points += len(chunk.track_points)
        n_patrols += len(chunk.patrols)
        progress(f"{chunk.patrols['start_utc'].min():%Y-%m}: {n_patrols:,} patrols, {n_points:,} points, "
                 f"{time.perf_counter() - began:.0f} s")
    for store in stores:
        with store.transaction():
            refresh.refresh_encounter_areas(store)
    counts = stores[0].counts()
    for store in stores:
        if hasattr(store, "close"):
            store.close()
    return {"seconds": time.perf_counter() - began, "write_seconds": write_seconds, "counts": counts,
            "points": n_points, "patrols": n_patrols, "first_year": first_year, "years": years}


def _ahead(seed: int, spans: list[tuple[date, date]], areas: gpd.GeoDataFrame) -> Iterator:
    """Each span's chunk and presence tables, computed one span ahead in a worker process."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        pending = [pool.submit(_computed_chunk, seed, a, b, areas) for a, b in spans[:1]]
        for i in range(len(spans)):
            if i + 1 < len(spans):
                pending.append(pool.submit(_computed_chunk, seed, *spans[i + 1], areas))
            yield pending[i].result()
            pending[i] = None  # let the chunk go once written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.city", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="generate the city into one or more stores")
    b.add_argument("--store", action="append", required=True, help="GeoPackage path or PostGIS URL (repeatable)")
    b.add_argument("--first-year", type=int, default=FIRST_YEAR)
    b.add_argument("--years", type=int, default=YEARS)
    b.add_argument("--seed", type=int, default=SEED)
    b.add_argument("--out", help="write the build facts as JSON here")
    q = sub.add_parser("queries", help="time the dashboard's queries on stores")
    q.add_argument("--store", action="append", required=True)
    q.add_argument("--year", type=int, help="the year the year-long widgets show (default: the last full one)")
    q.add_argument("--repeat", type=int, default=3)
    q.add_argument("--out", help="write the timings as JSON here")
    args = ap.parse_args(argv)
    if args.command == "build":
        facts = build(args.store, first_year=args.first_year, years=args.years, seed=args.seed,
                      progress=lambda m: print(m, file=sys.stderr, flush=True))
    else:
        from bench.city_queries import time_queries

        facts = {loc: time_queries(loc, year=args.year, repeat=args.repeat) for loc in args.store}
    text = json.dumps(facts, indent=2, default=str)
    if args.out:
        with open(args.out, "w") as handle:
            handle.write(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
