"""Street names that tell the report's top places apart.

Two top cells can lie in the same field area ("Vaterland/Grønland" twice); a
partner reading the PDF then needs a street to tell them apart. Each cell gets
the named OpenStreetMap way that runs longest through it (the bundled
``data/oslo_sentrum_walkable.gpkg``, ODbL), and no two cells of the same area
get the same street: a cell whose best street is taken gets its next one. A
cell with no named street inside it (outside the bundled extent) gets none.
Lengths are measured in EPSG:25832.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.engine.cells import cell_polygons, cells_from_hex
from geo.schema import MEASURE_CRS, STORE_CRS

STREETS_FILE = Path(__file__).resolve().parents[2] / "data" / "oslo_sentrum_walkable.gpkg"
"""Named OSM ways of central Oslo (committed, see data/README.md)."""

STREETS_LAYER = "streets"

STREET_COLUMN = "Gate"
"""Header of the street column in the report's table of top places."""


@cache
def _streets() -> gpd.GeoDataFrame:
    """The named ways (EPSG:25832), read once per process."""
    if not STREETS_FILE.is_file():
        return gpd.GeoDataFrame({"name": []}, geometry=[], crs=MEASURE_CRS)
    streets = gpd.read_file(STREETS_FILE, layer=STREETS_LAYER, columns=["name"])
    streets = streets[streets["name"].notna() & (streets["name"].str.strip() != "")]
    return streets.set_crs(STORE_CRS, allow_override=True).to_crs(MEASURE_CRS).reset_index(drop=True)


def streets_by_length(cells: list[str]) -> list[list[str]]:
    """For each H3 cell (hex), the names of the streets inside it, longest stretch first (ties by name)."""
    if not cells:
        return []
    streets = _streets()
    hexes = gpd.GeoSeries(cell_polygons(cells_from_hex(pd.Series(cells))), crs=STORE_CRS).to_crs(MEASURE_CRS)
    cell_idx, street_idx = shapely.STRtree(streets.geometry.to_numpy()).query(hexes.to_numpy(),
                                                                              predicate="intersects")
    lengths = shapely.length(shapely.intersection(streets.geometry.to_numpy()[street_idx],
                                                  hexes.to_numpy()[cell_idx]))
    found = pd.DataFrame({"cell": cell_idx, "name": streets["name"].to_numpy()[street_idx], "m": lengths})
    per_name = found.groupby(["cell", "name"], as_index=False)["m"].sum()
    per_name = per_name.assign(neg=-per_name["m"].round(1)).sort_values(["cell", "neg", "name"])
    ranked = per_name.groupby("cell")["name"].agg(list)
    return [ranked.get(i, []) for i in np.arange(len(cells))]


def distinct_streets(areas: list[str], cells: list[str]) -> list[str]:
    """One street name per top cell (in rank order) such that no two cells of the same area share
    one; ``""`` where a cell has no named street left."""
    used: set[tuple[str, str]] = set()
    out = []
    for area, names in zip(areas, streets_by_length(cells)):
        pick = next((n for n in names if (area, n) not in used), "")
        used.add((area, pick))
        out.append(pick)
    return out
