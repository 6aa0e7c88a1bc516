"""The offline basemap: the project's own OSM-derived street map of the demo extent.

``data/oslo_basemap.geojson`` (derived by :mod:`geo.demo.derive_basemap`,
EPSG:4326, one feature per class with the class in property ``k``) is drawn
underneath every dashboard map (a Leaflet canvas layer, :mod:`geo.maps`) and
every map of the partner report (matplotlib, :mod:`geo.report.charts`), with
the same colours and line widths from :data:`CLASSES`. Nothing here imports
streamlit or folium.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import geopandas as gpd

from geo.schema import STORE_CRS

BASEMAP_FILE = Path(__file__).resolve().parents[1] / "data" / "oslo_basemap.geojson"
"""The committed basemap file (about 0.5 MB)."""

CLASS_KEY = "k"
"""GeoJSON property naming a feature's map class."""

ATTRIBUTION: dict[str, str] = {
    "nb": "Kartdata © OpenStreetMap-bidragsytere (ODbL)",
    "en": "Map data © OpenStreetMap contributors (ODbL)",
}
"""Credit line wherever the basemap is shown (data/README.md)."""

OSM_COPYRIGHT_URL = "https://www.openstreetmap.org/copyright"


@dataclass(frozen=True, slots=True)
class MapClass:
    """How one basemap class is drawn: stroke colour and width (CSS pixels at street zoom;
    points in print), fill colour for polygons (None: a line class)."""

    colour: str
    width: float
    fill: str | None = None


CLASSES: dict[str, MapClass] = {
    "square": MapClass("#d9d4cb", 0.5, fill="#ece8e1"),
    "platform": MapClass("#b9b2c9", 0.5, fill="#ddd8e6"),
    "river": MapClass("#a9c8e8", 6.0),
    "service": MapClass("#d3d6db", 1.0),
    "path": MapClass("#c6b8a6", 0.8),
    "street": MapClass("#c3c8cf", 2.2),
    "major": MapClass("#aab1bb", 3.2),
}
"""Drawing order (first at the bottom) and style of every class; quiet greys and one blue,
so field areas, cells and their colour classes stay the figure and the basemap the ground."""

BACKGROUND = "#f7f6f3"
"""The paper colour under the basemap (land)."""


@cache
def basemap_text() -> str:
    """The basemap file's GeoJSON text (read once per process)."""
    if not BASEMAP_FILE.is_file():
        raise FileNotFoundError(f"{BASEMAP_FILE} is missing; derive it with python -m geo.demo.derive_basemap")
    return BASEMAP_FILE.read_text(encoding="utf-8")


@cache
def _frame() -> gpd.GeoDataFrame:
    frame = gpd.read_file(BASEMAP_FILE)
    return frame.set_crs(STORE_CRS, allow_override=True)


def basemap_frame() -> gpd.GeoDataFrame:
    """The basemap as a GeoDataFrame (EPSG:4326; column ``k``, one row per class), a fresh copy."""
    return _frame().copy()
