"""Folium layer of H3 cells coloured by emerging hot spot category, with a legend.

Same drawing as :func:`geo.maps.add_cells` (EPSG:4326 GeoJSON, no CDN, the
legend as a plain Leaflet control), but with one fixed colour per category
instead of quantile classes. Nothing here imports streamlit.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd

from geo.hotspots.classify import CATEGORIES
from geo.maps import add_filled_cells, add_swatch_legend
from geo.schema import STORE_CRS

CATEGORY_COLOURS: dict[str, str] = {
    "new_hot": "#ff7f00",
    "consecutive_hot": "#fdbf6f",
    "intensifying_hot": "#67000d",
    "persistent_hot": "#e31a1c",
    "diminishing_hot": "#fb9a99",
    "sporadic_hot": "#e6c229",
    "oscillating_hot": "#c51b7d",
    "historical_hot": "#8c6d31",
    "new_cold": "#00b4d8",
    "consecutive_cold": "#a6cee3",
    "intensifying_cold": "#08306b",
    "persistent_cold": "#1f78b4",
    "diminishing_cold": "#80cdc1",
    "sporadic_cold": "#b4b4dc",
    "oscillating_cold": "#6a3d9a",
    "historical_cold": "#5e6b8a",
    "no_pattern": "#f2f2f2",
}
"""One colour per category after ESRI's emerging hot spot convention: hot spots warm (reds,
oranges), cold spots cool (blues), the strongest trends darkest (intensifying, then persistent),
oscillating ones purple (hot and cold mixed), historical ones dull, no pattern almost white. ESRI
tells some categories apart by hatching, which Leaflet fills lack, so here every pair of colours
differs clearly (CIE76 ΔE of at least 15, checked by ``tests/test_hotspots_maps.py``)."""


def add_category_cells(fmap: folium.Map, frame: pd.DataFrame, *, labels: dict[str, str], tooltip: dict[str, str],
                       legend_title: str, name: str = "hotspots") -> folium.Map:
    """Draw the cells of ``frame`` (``cell`` hex, ``category`` code) coloured by category.

    ``labels`` maps every category code to its display name (shown in the
    legend, which lists the categories present in ``frame`` in
    :data:`CATEGORIES` order, and in the tooltip); ``tooltip`` maps column
    names to their labels.
    """
    if frame.empty:
        return fmap
    shown = frame.assign(category=frame["category"].map(labels)) if "category" in tooltip else frame
    add_filled_cells(fmap, shown, cell_column="cell", fills=frame["category"].map(CATEGORY_COLOURS), tooltip=tooltip,
                     name=name)
    present = [c for c in CATEGORIES if c in set(frame["category"])]
    add_swatch_legend(fmap, legend_title, [(CATEGORY_COLOURS[c], labels[c]) for c in present])
    return fmap


def cell_centres(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    """The ``lat``/``lon`` cell centres of an :func:`~geo.hotspots.emerging_hotspots` table as
    EPSG:4326 points (for :func:`geo.maps.fit_to`, which opens the map on the main cluster)."""
    return gpd.GeoDataFrame(geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs=STORE_CRS)
