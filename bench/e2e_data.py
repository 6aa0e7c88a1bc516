"""Inputs of the end-to-end benchmark: 1 Hz GPX files on Oslo's streets and the 97 delbydeler.

- :func:`write_areas_file`: Oslo's 97 sub-districts (delbydeler, 2013) from
  ``/work/shared/data`` (or ``$FELTKART_SHARED_DATA``) as a field-area GeoJSON
  that ``python -m geo import --kind areas`` reads: ``area_id`` (the
  four-digit DELBYDEL code, prefixed ``d``), ``name``, ``valid_from``
  2018-01-01, EPSG:4326, Z dropped. Written into the benchmark's temporary
  directory at run time; nothing of it is committed to ``data/``.
- :func:`write_gpx_files`: about N track points of 1 Hz patrols in several
  GPX files. Each patrol is the demo generator's itinerary on the real OSM
  walking network of Oslo sentrum (``geo.demo``: waypoints in the field
  areas, stops, parking garages and breaks without GPS, signal gaps, AR(1)
  noise of 3 m and jumps) recorded by a phone fixing once a second
  (``geo.demo.tracks.sample_track`` with a 1 s device; times in whole
  seconds, as phones log them), on consecutive days of June 2024. Patrols go round-robin into the files, so each file holds whole
  patrols; files are written with :func:`geo.io.gpx.write_gpx`.

Deterministic for a given (N, files, seed). Generation runs once per
benchmark run and is not timed; there is one Python step per patrol (about
8,000 points each), none per point.
"""

from __future__ import annotations

import json
import os
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

SHARED_DATA_ENV = "FELTKART_SHARED_DATA"
DEFAULT_SHARED_DATA = Path("/work/shared/data")
DELBYDELER_FILE = "oslo_delbydeler_2013.geojson"

AREAS_VALID_FROM = "2018-01-01"
AREA_TEAM = "uteseksjonen"
FIRST_DAY = date(2024, 6, 3)
"""Service day of the first patrol (a Monday)."""

PATROLS_PER_DAY = 6
SHIFT_S = 5 * 3600.0
"""Shift length handed to the itinerary planner (field time is 42–58 % of it, clipped to 75–200 min)."""

START_HOURS_LOCAL = (10, 12, 15, 17, 18, 19)
"""Local start hours of the day's patrols (CEST = UTC+2 in June)."""

ONE_HZ_DEVICE = dict(weight=1.0, interval_s=1.0, noise_m=3.0, reports_accuracy=False)


def shared_data_dir() -> Path:
    return Path(os.environ.get(SHARED_DATA_ENV) or DEFAULT_SHARED_DATA)


def write_areas_file(path: Path) -> int:
    """The 97 delbydeler as a field-area GeoJSON at ``path``; returns the number of areas."""
    import geopandas as gpd
    import shapely

    source = shared_data_dir() / DELBYDELER_FILE
    if not source.is_file():
        raise FileNotFoundError(f"{source}: the delbydeler polygons are needed (set ${SHARED_DATA_ENV})")
    raw = gpd.read_file(source)
    areas = gpd.GeoDataFrame(
        {
            "area_id": ["d" + str(code).zfill(4) for code in raw["DELBYDEL"]],
            "name": raw["DELBYDELSN"].astype(str).str.strip(),
            "team": AREA_TEAM,
            "valid_from": AREAS_VALID_FROM,
        },
        geometry=shapely.force_2d(raw.geometry.to_numpy()),
        crs="EPSG:4326",
    )
    areas.to_file(path, driver="GeoJSON")
    return len(areas)


def write_gpx_files(n_points: int, folder: Path, *, files: int = 10, seed: int = 20240101) -> dict:
    """Write ``files`` GPX files (``p00.gpx``, …) of about ``n_points`` 1 Hz points in total.

    Returns facts: points, patrols, files, bytes and the local days covered.
    """
    from geo.demo.route import plan_itinerary, route_choice
    from geo.demo.tracks import DeviceProfile, sample_track
    from geo.demo.world import load_world
    from geo.demo.areas import TEAM_CENTRE
    from geo.io.gpx import write_gpx
    from geo.schema import LAT, LON, PATROL_ID, TIME_UTC

    if n_points < 2 or files < 1:
        raise ValueError(f"need at least 2 points and 1 file; got {n_points} points, {files} files")
    beat = load_world().beats[TEAM_CENTRE]
    device = DeviceProfile(**ONE_HZ_DEVICE)
    frames: list[list[pd.DataFrame]] = [[] for _ in range(files)]
    total, number, choices = 0, 0, {}
    while total < n_points:
        day = FIRST_DAY + timedelta(days=number // PATROLS_PER_DAY)
        choice = choices.get(day) or choices.setdefault(day, route_choice(beat, day))
        rng = np.random.default_rng([seed, day.toordinal(), number])
        track = sample_track(rng, plan_itinerary(rng, beat, choice, shift_s=SHIFT_S), device)
        seconds, first = np.unique(track.t_ms // 1000, return_index=True)  # phones log whole seconds
        keep = min(len(seconds), n_points - total)
        if keep < 2:
            break
        hour = START_HOURS_LOCAL[number % PATROLS_PER_DAY] - 2  # CEST → UTC
        start_ms = int(pd.Timestamp(day).tz_localize("UTC").value // 1_000_000) + hour * 3_600_000
        start_ms += int(rng.integers(0, 1_800)) * 1000
        frames[number % files].append(pd.DataFrame({
            PATROL_ID: f"p{number:06d}",
            TIME_UTC: pd.to_datetime(start_ms + 1000 * seconds[:keep], unit="ms", utc=True),
            LON: track.lon[first[:keep]],
            LAT: track.lat[first[:keep]],
        }))
        total += keep
        number += 1
    paths, size = [], 0
    for i, parts in enumerate(frames):
        if not parts:
            continue
        path = folder / f"p{i:02d}.gpx"
        write_gpx(pd.concat(parts, ignore_index=True), path)
        paths.append(path.name)
        size += path.stat().st_size
    last_day = FIRST_DAY + timedelta(days=(number - 1) // PATROLS_PER_DAY)
    return {"points": total, "patrols": number, "files": paths, "bytes": size,
            "first_day": FIRST_DAY.isoformat(), "last_day": last_day.isoformat()}


ENCOUNTER_HEADER = ("Kontakt_ID", "Tidspunkt", "Lengdegrad", "Breddegrad", "Kategori", "Aldersgruppe",
                    "Ny kontakt", "Fra utenfor Oslo", "Antall", "Sted")
CATEGORY_LABELS_NB = ("Samtale / kontakt", "Tilsyn", "Henvisning til annen tjeneste", "Akutt hjelp / overdose",
                      "Bekymring for mindreårig", "Vold eller trusler", "Annet")
AGE_LABELS_NB = ("Under 18", "18-23", "24-25", "26 og over", "Ukjent")
PLACES_NB = ("Oslo S", "Jernbanetorget", "Brugata", "Vaterland", "Grønland T", "Nedre Akerselva")
MULTILINE_SHARE = 0.1
"""Share of rows whose place (``Sted``) is a quoted field over two lines (Alt+Enter in Excel)."""


def write_encounters_csv(path: Path, rows: int, *, seed: int = 20240102) -> dict:
    """``rows`` encounters as Norwegian Excel saves a sheet as CSV (UTF-8 with BOM, ``;``, decimal
    comma, CRLF between rows, ``dd.mm.yyyy hh:mm`` local times, Norwegian labels, and a place
    column whose quoted text spans two lines in some rows). Points lie on sentrum's walking network."""
    from geo.demo.areas import TEAM_CENTRE
    from geo.demo.world import load_world

    rng = np.random.default_rng(seed)
    nodes = load_world().beats[TEAM_CENTRE].routes.lonlat
    at = nodes[rng.integers(0, len(nodes), rows)]
    lon = at[:, 0] + rng.normal(0, 2e-5, rows)
    lat = at[:, 1] + rng.normal(0, 1e-5, rows)
    minutes = rng.integers(0, 365 * 24 * 60, rows)
    local = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.sort(minutes), unit="min")
    place = pd.Series(np.asarray(PLACES_NB, dtype=object)[rng.integers(0, len(PLACES_NB), rows)])
    two_lines = rng.random(rows) < MULTILINE_SHARE
    place = place.where(~two_lines, '"' + place + ',\nved inngangen"')
    columns = [
        pd.Series([f"K{i:06d}" for i in range(1, rows + 1)]),
        pd.Series(local.strftime("%d.%m.%Y %H:%M")),
        pd.Series(np.char.replace(np.char.mod("%.6f", lon), ".", ",")),
        pd.Series(np.char.replace(np.char.mod("%.6f", lat), ".", ",")),
        pd.Series(np.asarray(CATEGORY_LABELS_NB, dtype=object)[rng.integers(0, len(CATEGORY_LABELS_NB), rows)]),
        pd.Series(np.asarray(AGE_LABELS_NB, dtype=object)[rng.integers(0, len(AGE_LABELS_NB), rows)]),
        pd.Series(np.where(rng.random(rows) < 0.3, "ja", "nei")),
        pd.Series(np.where(rng.random(rows) < 0.35, "ja", "nei")),
        pd.Series(rng.integers(1, 4, rows).astype(str)),
        place,
    ]
    lines = columns[0].str.cat(columns[1:], sep=";")
    text = ";".join(ENCOUNTER_HEADER) + "\r\n" + "\r\n".join(lines) + "\r\n"
    path.write_bytes(text.encode("utf-8-sig"))
    return {"file": str(path), "rows": rows, "multiline_rows": int(two_lines.sum()), "mb": path.stat().st_size / 1e6}


def write_changed_area(store_path: Path, area_id: str, path: Path, *, grow_m: float = 25.0) -> dict:
    """The latest version of ``area_id`` in the store, grown by ``grow_m`` metres, as a field-area
    GeoJSON (id and name only: ``--valid-from`` gives the date); and facts about the store."""
    import geopandas as gpd

    from geo.schema import AREA_ID, AREA_NAME, AREA_VERSION, MEASURE_CRS, STORE_CRS, T_PATROLS, T_TRACK_POINTS
    from geo.store import open_store

    store = open_store(store_path, create=False)
    versions = store.areas()
    latest = versions[versions[AREA_ID] == area_id].sort_values(AREA_VERSION).iloc[[-1]]
    grown = latest.to_crs(MEASURE_CRS).buffer(grow_m).to_crs(STORE_CRS)
    gpd.GeoDataFrame({"area_id": [area_id], "name": latest[AREA_NAME].to_list()}, geometry=grown.to_list(),
                     crs=STORE_CRS).to_file(path, driver="GeoJSON")
    counts = store.counts()
    return {"file": str(path), "area_id": area_id, "grow_m": grow_m, "points": counts[T_TRACK_POINTS],
            "patrols": counts[T_PATROLS]}


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.e2e_data DIR N [FILES]``: write areas.geojson and the GPX files into DIR."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0])
    folder.mkdir(parents=True, exist_ok=True)
    n_areas = write_areas_file(folder / "areas.geojson")
    facts = write_gpx_files(int(float(args[1])), folder, files=int(args[2]) if len(args) > 2 else 10)
    print(json.dumps({"areas": n_areas, **facts}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
