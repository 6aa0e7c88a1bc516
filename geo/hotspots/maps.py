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
    "consecutive_hot": "#fdae61",
    "intensifying_hot": "#a50026",
    "persistent_hot": "#d73027",
    "diminishing_hot": "#f46d43",
    "sporadic_hot": "#f4a582",
    "oscillating_hot": "#c51b7d",
    "historical_hot": "#8c510a",
    "new_cold": "#35978f",
    "consecutive_cold": "#80cdc1",
    "intensifying_cold": "#313695",
    "persistent_cold": "#4575b4",
    "diminishing_cold": "#74add1",
    "sporadic_cold": "#abd9e9",
    "oscillating_cold": "#762a83",
    "historical_cold": "#5a5a8c",
    "no_pattern": "#e0e0e0",
}
"""Hot spots in reds/oranges, cold spots in blues, no pattern light grey (one per category, same order)."""


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
