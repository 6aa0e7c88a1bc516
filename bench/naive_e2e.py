"""The naive end-to-end script a GIS analyst would write: ``python -m bench.naive_e2e AREAS OUT.csv GPX...``.

The whole process is timed by ``bench.e2e``, start-up included, as the
Feltkart commands are:

1. ``gpxpy.parse`` every GPX file (lxml when installed), one Python object
   per point, into a pandas DataFrame (one patrol per ``<trk>``; points
   without a time skipped);
2. ``geopandas.read_file`` the field areas;
3. :func:`bench.naive.naive_presence_totals`: ``points_from_xy``, ``to_crs``,
   per-point segments with ``groupby().shift``, ``geopandas.sjoin`` of the
   points with the areas, ``h3.latlng_to_cell`` per point, pandas groupby
   (the same rules as Feltkart: max gap 5 min, max speed 20 km/h, the area
   version valid on the local date);
4. writes ``area_id,presence_minutes,cells`` per area to ``OUT.csv``
   (minutes of presence per area; ``cells`` counts the H3 cells with
   presence, the same for every row, so that the per-point H3 work is used).
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import geopandas as gpd
import gpxpy
import numpy as np
import pandas as pd

from bench.naive import naive_presence_totals
from geo.schema import AREA_ID, AREA_VERSION, LAT, LON, PATROL_ID, SECONDS, TIME_UTC, VALID_FROM, VALID_TO


def read_tracks(paths: list[Path]) -> pd.DataFrame:
    """All timed track points of the files: patrol_id (file:track), time_utc, lon, lat."""
    patrol, times, lon, lat = [], [], [], []
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            gpx = gpxpy.parse(handle)
        for number, track in enumerate(gpx.tracks):
            for segment in track.segments:
                for point in segment.points:
                    if point.time is None:
                        continue
                    patrol.append(f"{path.name}:{number}")
                    times.append(point.time)
                    lon.append(point.longitude)
                    lat.append(point.latitude)
    return pd.DataFrame({PATROL_ID: patrol, TIME_UTC: pd.to_datetime(times, utc=True), LON: lon, LAT: lat})


def read_areas(path: Path) -> gpd.GeoDataFrame:
    areas = gpd.read_file(path)
    areas[AREA_VERSION] = 1
    areas[VALID_FROM] = [date.fromisoformat(str(d)[:10]) for d in areas[VALID_FROM]]
    areas[VALID_TO] = None
    return areas


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    areas_path, out, *gpx_paths = args
    points = read_tracks([Path(p) for p in gpx_paths])
    areas = read_areas(Path(areas_path))
    totals = naive_presence_totals(points, areas, res=10)
    table = totals.per_area[[AREA_ID, SECONDS]].copy()
    table["presence_minutes"] = table.pop(SECONDS) / 60.0
    table["cells"] = np.int64(len(totals.per_cell))
    table.to_csv(out, index=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
