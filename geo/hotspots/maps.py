"""Folium layer of H3 cells coloured by emerging hot spot category, with a legend.

Same drawing as :func:`geo.maps.add_cells` (EPSG:4326 GeoJSON, no CDN, the
legend as a plain Leaflet control), but with one fixed colour per category
instead of quantile classes. Nothing here imports streamlit.
"""

from __future__ import annotations

import html

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from h3ronpy import vector as h3v

from geo.hotspots.classify import CATEGORIES
from geo.maps import _add_geojson, _cells_as_uint64, _Legend
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
    cells = _cells_as_uint64(frame["cell"])
    polygons = shapely.from_wkb(np.asarray(h3v.cells_to_wkb_polygons(cells), dtype=object))
    gdf = gpd.GeoDataFrame(frame[list(tooltip)].copy(), geometry=polygons, crs=STORE_CRS)
    if "category" in tooltip:
        gdf["category"] = frame["category"].map(labels).to_numpy()
    gdf["_fill"] = frame["category"].map(CATEGORY_COLOURS).to_numpy()
    _add_geojson(fmap, gdf, tooltip=tooltip, name=name, weight=0.3)
    present = [c for c in CATEGORIES if c in set(frame["category"])]
    add_category_legend(fmap, legend_title, [(CATEGORY_COLOURS[c], labels[c]) for c in present])
    return fmap


def add_category_legend(fmap: folium.Map, title: str, rows: list[tuple[str, str]]) -> None:
    """A legend of ``(colour, label)`` swatches as a Leaflet control (same look as :func:`geo.maps.add_legend`)."""
    items = "".join(
        f"<div><span style='display:inline-block;width:14px;height:14px;background:{colour};"
        f"border:1px solid #999;margin-right:6px;vertical-align:middle'></span>{html.escape(label)}</div>"
        for colour, label in rows
    )
    box = (f"<div class='feltkart-legend' style='background:white;padding:6px 8px;border-radius:4px;"
           f"box-shadow:0 1px 4px rgba(0,0,0,.3);font:12px sans-serif'><b>{html.escape(title)}</b>{items}</div>")
    _Legend(box).add_to(fmap)
