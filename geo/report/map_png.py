"""A dashboard map as a PNG image, drawn offline with matplotlib (issue 15, item 7: exports).

The on-screen maps are folium (Leaflet in the browser), which has no server-side
renderer; the PNG is drawn the way the partner PDF draws its maps
(:mod:`geo.report.charts`: the offline street map of :mod:`geo.basemap` underneath,
EPSG:25832 so that metres are square), with the screen's colour classes
(:func:`geo.maps.log_classes`, the same palette and limits as the legend on screen).

What it draws: the field areas (outlines, or filled by a value), H3 cells filled
by a value or by given colours (hot-spot categories), optionally some cells
outlined (under-covered). Never single points or tracks: an export leaves the
screen, so it carries aggregates only. A title and a stamp line (period, filters,
generation time) are printed above the map.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence

import geopandas as gpd
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.patches import Patch

from geo.basemap import ATTRIBUTION
from geo.engine.cells import cell_polygons, cells_from_hex
from geo.maps import LOG_SCALE_NOTE, PALETTE, class_colours, log_classes, main_cluster, selection_shapes
from geo.report.charts import ACCENT, DPI, INK, MUTED, draw_basemap, square
from geo.schema import MEASURE_CRS, STORE_CRS

SIZE_IN = (7.0, 7.0)
"""The map's frame in inches (at :data:`geo.report.charts.DPI`: about 1050 px square, plus title and legend)."""
PAD_M = 150.0
"""Margin around the data, metres."""
OUTLINE = "#000000"
STAMP_WIDTH = 110
"""Characters per line of the stamp under the title."""


def map_png(areas: gpd.GeoDataFrame, *, title: str, stamp: str, lang: str, cells: pd.DataFrame | None = None,
            cell_column: str = "cell", value_column: str | None = None, fills: Sequence[str] | None = None,
            swatches: Sequence[tuple[str, str]] = (), legend_title: str = "", palette: tuple[str, ...] = PALETTE,
            outlined: Sequence[str] = (), shapes: Sequence[tuple[gpd.GeoDataFrame, str, float]] = ()) -> bytes:
    """The map as PNG bytes.

    ``areas`` (EPSG:4326) are outlined, or filled by their ``value_column`` when no ``cells`` are
    given. ``cells`` (H3 hex ids in ``cell_column``) are filled by ``value_column`` in the
    screen's log classes, or by ``fills`` (one colour per row) with ``swatches`` (colour, label)
    as their legend. ``outlined``: H3 cells drawn with a black outline. ``shapes``: more polygons
(EPSG:4326) as (frame, colour, fill opacity), e.g. area gained and lost or effective areas. The frame fits the main
    cluster of what is drawn (:func:`geo.maps.main_cluster`), squared.
    """
    fig, ax = plt.subplots(figsize=SIZE_IN, dpi=DPI)
    extra = [frame[~frame.geometry.is_empty & frame.geometry.notna()] for frame, _, _ in shapes]
    drawn = selection_shapes(areas, None if cells is None else cells[cell_column])
    frame_of = main_cluster(pd.concat([drawn, *[gpd.GeoDataFrame(geometry=f.geometry.to_crs(STORE_CRS)) for f in extra]],
                                      ignore_index=True))
    handles: list[Patch] = []
    note = None
    areas_m = areas.to_crs(MEASURE_CRS) if len(areas) else areas
    if cells is not None and len(cells):
        polygons = gpd.GeoSeries(cell_polygons(cells_from_hex(cells[cell_column])), crs=STORE_CRS).to_crs(MEASURE_CRS)
        colours = list(fills) if fills is not None else None
        if colours is None and value_column is not None:
            colours, handles, note = _classed(cells[value_column], palette, lang)
        polygons.plot(ax=ax, color=colours or ACCENT, edgecolor="white", linewidth=0.3, alpha=0.85, zorder=2)
    elif value_column is not None and len(areas):
        colours, handles, note = _classed(areas[value_column], palette, lang)
        areas_m.plot(ax=ax, color=colours, edgecolor=INK, linewidth=0.6, alpha=0.8, zorder=2)
    if fills is not None:
        handles = [Patch(facecolor=colour, edgecolor=INK, linewidth=0.3, label=label) for colour, label in swatches]
    for frame, (_, colour, opacity) in zip(extra, shapes):
        if len(frame):
            polygons = frame.geometry.to_crs(MEASURE_CRS)
            polygons.plot(ax=ax, facecolor=colour, alpha=opacity, edgecolor="none", zorder=2.5)
            polygons.boundary.plot(ax=ax, color=colour, linewidth=0.9, zorder=2.6)
    if len(outlined):
        flagged = gpd.GeoSeries(cell_polygons(cells_from_hex(pd.Series(list(outlined)))), crs=STORE_CRS)
        flagged.to_crs(MEASURE_CRS).boundary.plot(ax=ax, color=OUTLINE, linewidth=1.4, zorder=4)
    if len(areas):
        areas_m.boundary.plot(ax=ax, color=ACCENT, linewidth=0.9, zorder=3)
    extent = None
    if len(frame_of):
        xmin, ymin, xmax, ymax = frame_of.to_crs(MEASURE_CRS).total_bounds
        extent = square((xmin - PAD_M, ymin - PAD_M, xmax + PAD_M, ymax + PAD_M))
    _frame(ax, extent, lang)
    if handles:
        ax.legend(handles=handles, title=f"{legend_title}\n{note}" if note else legend_title, loc="upper center",
                  bbox_to_anchor=(0.5, -0.04), ncol=min(len(handles), 3), fontsize=7, title_fontsize=7.5,
                  frameon=False)
    stamp_text = ax.annotate("\n".join(textwrap.wrap(stamp, STAMP_WIDTH)), (0.0, 1.0), xycoords="axes fraction",
                             xytext=(0, 6), textcoords="offset points", ha="left", va="bottom", fontsize=6.5,
                             color=MUTED)
    ax.annotate(title, (0.0, 1.0), xycoords=stamp_text, xytext=(0, 4), textcoords="offset points", ha="left",
                va="bottom", fontsize=11, color=INK, fontweight="bold")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, facecolor="white", bbox_inches="tight", pad_inches=0.15)
    plt.close(fig)
    return buffer.getvalue()


def _classed(values: pd.Series, palette: tuple[str, ...], lang: str) -> tuple[list[str], list[Patch], str | None]:
    """Each value's colour in the screen's classes, the legend entries and the log-scale note."""
    classes = log_classes(values, n=len(palette))
    colours = class_colours(palette, len(classes.lower))
    handles = [Patch(facecolor=colours[i], edgecolor=INK, linewidth=0.3, label=label)
               for i, label in enumerate(classes.labels(lang))]
    return [colours[i] for i in classes.index], handles, LOG_SCALE_NOTE[lang] if classes.log_scale else None


def _frame(ax, extent: tuple[float, float, float, float] | None, lang: str) -> None:
    """Frame on ``extent`` over the offline street map, no axes, with its credit."""
    shows_osm = draw_basemap(ax, extent)
    ax.set_axis_off()
    ax.set_aspect("equal")
    if extent is not None:
        ax.set_xlim(extent[0], extent[2])
        ax.set_ylim(extent[1], extent[3])
    credit = f"{ATTRIBUTION[lang]} · H3 (Uber)" if shows_osm else "H3 (Uber)"
    ax.text(1.0, -0.01, credit, transform=ax.transAxes, ha="right", va="top", fontsize=5.5, color=MUTED)
