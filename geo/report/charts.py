"""Charts and maps of a situation picture as PNG images (matplotlib, no tiles, no internet).

Maps are drawn over the project's own OpenStreetMap-derived street map
(:mod:`geo.basemap`, the same one the dashboard shows), credited on the map
whenever any of it falls inside the frame.

Everything is drawn from the :class:`~geo.report.content.Report`, so only
disclosure-controlled numbers appear: suppressed points are left out of the
trend (with a note), suppressed time-of-week slots are hatched and labelled
``<k``/``x``, and maps show only areas and H3 cells with at least k
encounters, in classes. Maps are drawn in EPSG:25832 (metres, true shape)
from the stored EPSG:4326 geometries.
"""

from __future__ import annotations

import io
import textwrap
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from geo import formatting
from geo.basemap import ATTRIBUTION, BACKGROUND, CLASSES, basemap_frame
from geo.maps import PALETTE
from geo.report.labels import CATEGORY_NB, WEEKDAY_NB, number_nb, period_nb
from geo.schema import MEASURE_CRS

if TYPE_CHECKING:
    from geo.report.model import Report

DPI = 150
INK = "#1f2d3d"
MUTED = "#8a94a6"
ACCENT = "#2a5db0"
SERIES = ("#2a5db0", "#e6550d", "#31a354", "#756bb1", "#d6616b", "#17becf", "#8c6d31", "#636363", "#bcbd22")
SUPPRESSED_FILL = "#eceff3"
NICE_STEPS = (1, 2, 2.5, 5)

plt.rcParams.update({
    "font.family": "DejaVu Sans", "font.size": 8, "axes.edgecolor": MUTED, "axes.labelcolor": INK,
    "xtick.color": INK, "ytick.color": INK, "axes.spines.top": False, "axes.spines.right": False,
})


def class_edges(values: np.ndarray, k: int, *, n: int = len(PALETTE) - 1) -> list[int]:
    """Round class edges from k up past the largest value (e.g. 5, 10, 25, 50, 100)."""
    top = float(np.max(values)) if len(values) else float(k)
    candidates = sorted({int(m * 10**e) for e in range(7) for m in NICE_STEPS if m * 10**e > k})
    edges = [k] + [c for c in candidates if c <= top]
    while len(edges) > n:
        edges = edges[:1] + edges[2::2] if len(edges) > 2 else edges
    return [*edges, int(max(top + 1, edges[-1] + 1))]


def trend_png(report: Report) -> bytes:
    """Line chart: encounters per category and period; suppressed points left out."""
    table = report.trend_chart
    values = table.values()
    if values.shape[1] == 1:
        return _one_period_bars(report, values)
    fig, ax = plt.subplots(figsize=(7.2, 3.0 if values.shape[1] > 2 else 2.2), dpi=DPI)  # two points: lower
    x = np.arange(values.shape[1])
    hidden = 0
    for i, (category, row) in enumerate(values.iterrows()):
        y = row.to_numpy(dtype=float, na_value=np.nan)
        hidden += int(np.isnan(y).sum())
        ax.plot(x, y, marker="o", markersize=3, linewidth=1.6, color=SERIES[i % len(SERIES)],
                label=CATEGORY_NB.get(category, category))
    hidden += _comparison_lines(ax, report, list(values.index), len(x))
    ax.set_xticks(x, [formatting.period_name(str(c), "nb") for c in values.columns],
                  rotation=45 if len(x) > 8 else 0, ha="right" if len(x) > 8 else "center")
    ax.set_ylim(bottom=0)
    return _counts_chart(fig, ax, "y", f"{hidden} punkt(er) med under {report.k} eller skjult («x») er utelatt."
                         if hidden else None)


def _one_period_bars(report: Report, values: pd.DataFrame) -> bytes:
    """A period that is one trend period (a week's picture): a line would be one dot per
    category, so each category is a bar, with the comparison period's count as a lighter
    bar below it; suppressed counts are left out and counted in the title."""
    categories = list(values.index)
    now = values.iloc[:, 0].to_numpy(dtype=float, na_value=np.nan)
    before = np.full(len(categories), np.nan)
    if report.compare_trend is not None:
        earlier = report.compare_trend.values()
        if earlier.shape[1]:
            before = earlier.iloc[:, 0].reindex(categories).to_numpy(dtype=float, na_value=np.nan)
    hidden = int(np.isnan(now).sum()) + (int(np.isnan(before).sum()) if report.compare_trend is not None else 0)
    fig, ax = plt.subplots(figsize=(7.2, 0.24 * len(categories) + 0.7), dpi=DPI)
    y = np.arange(len(categories))[::-1]
    height = 0.38 if report.compare_trend is not None else 0.6
    ax.barh(y + (height / 2 if report.compare_trend is not None else 0), np.nan_to_num(now), height=height,
            color=SERIES[0], label=formatting.period_name(str(values.columns[0]), "nb"))
    if report.compare_trend is not None:
        ax.barh(y - height / 2, np.nan_to_num(before), height=height, color=SERIES[0], alpha=0.35,
                label=period_nb(report.compare_first, report.compare_last))
    shift = height / 2 if report.compare_trend is not None else 0
    for row, (current, earlier) in enumerate(zip(now, before)):  # a hidden count is not a zero: say so
        if np.isnan(current):
            ax.text(0, y[row] + shift, " skjult", va="center", ha="left", fontsize=6, color=MUTED)
        if report.compare_trend is not None and np.isnan(earlier):
            ax.text(0, y[row] - shift, " skjult", va="center", ha="left", fontsize=6, color=MUTED)
    ax.set_yticks(y, [CATEGORY_NB.get(c, c) for c in categories], fontsize=7)
    return _counts_chart(fig, ax, "x", f"{hidden} tall under {report.k} eller skjult («x») er ikke tegnet."
                         if hidden else None)


def _counts_chart(fig, ax, axis: str, hidden_note: str | None) -> bytes:
    """Finish a chart of encounter counts on ``axis`` ("x" or "y"): label, Norwegian numbers, grid,
    legend to the right, the note on left-out (suppressed) values as its title; the PNG."""
    getattr(ax, f"set_{axis}label")("Registrerte møter")
    getattr(ax, f"{axis}axis").set_major_formatter(FuncFormatter(lambda v, _: number_nb(v)))
    ax.grid(axis=axis, color="#e5e8ee", linewidth=0.6)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=7)
    if hidden_note:
        ax.set_title(hidden_note, loc="left", color=MUTED, fontsize=6.5)
    return _png(fig)


def _comparison_lines(ax, report: Report, categories: list, n_periods: int) -> int:
    """The comparison period's counts as dashed lines in each category's colour, its periods placed
    under the current period's by position (first week under first week); returns the points left
    out (suppressed)."""
    if report.compare_trend is None:
        return 0
    before = report.compare_trend.values()
    hidden = 0
    for i, category in enumerate(categories):
        if category not in before.index:
            continue
        y = before.loc[category].to_numpy(dtype=float, na_value=np.nan)[:n_periods]
        hidden += int(np.isnan(y).sum())
        ax.plot(np.arange(len(y)), y, linestyle="--", linewidth=1.0, color=SERIES[i % len(SERIES)], alpha=0.7,
                marker="o", markersize=3, markerfacecolor="white")  # a one-period trend is one point
    ax.plot([], [], linestyle="--", color=MUTED, linewidth=1.0, marker="o", markersize=3, markerfacecolor="white",
            label=f"Stiplet: {period_nb(report.compare_first, report.compare_last)}")
    return hidden


def week_png(report: Report) -> bytes:
    """Heatmap weekday × 4-hour block; suppressed slots hatched with their mark."""
    table = report.time_of_week_chart
    values = table.values().to_numpy(dtype=float, na_value=np.nan)
    fig, ax = plt.subplots(figsize=(7.2, 2.3), dpi=DPI)
    shown = np.ma.masked_invalid(values)
    ax.imshow(shown, cmap=ListedColormap(PALETTE[1:]), aspect="auto")
    texts = table.cells.map(str).to_numpy()
    top = np.nanmax(values) if np.isfinite(values).any() else 0
    for (r, c), text in np.ndenumerate(texts):
        if np.isnan(values[r, c]):
            ax.add_patch(plt.Rectangle((c - 0.5, r - 0.5), 1, 1, facecolor=SUPPRESSED_FILL, hatch="///",
                                       edgecolor="#c5cbd6", linewidth=0))
        dark = not np.isnan(values[r, c]) and values[r, c] > 0.6 * top
        ax.text(c, r, text, ha="center", va="center", fontsize=7, color="white" if dark else INK)
    ax.set_xticks(range(values.shape[1]), [f"kl. {b}" for b in table.cells.columns])
    ax.set_yticks(range(7), [w.capitalize() for w in WEEKDAY_NB])
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return _png(fig)


FOCUS_RADIUS_M = 2500.0
"""Maps show the areas within this distance of the areas' median centre (metres, EPSG:25832);
areas further out (a district team's area) are named in a note instead of shrinking the map."""

FOCUS_PAD_M = 150.0


def focus(areas: gpd.GeoDataFrame, cells: gpd.GeoDataFrame | None = None
          ) -> tuple[tuple[float, float, float, float] | None, list[str]]:
    """Map extent (EPSG:25832 metres: xmin, ymin, xmax, ymax) around the main cluster of areas
    and the ``cells`` near it, squared (the maps are square), and the labels of the areas left
    outside it."""
    if areas.empty:
        return None, []
    centres = areas.geometry.centroid
    cx, cy = float(np.median(centres.x)), float(np.median(centres.y))
    near = np.hypot(centres.x - cx, centres.y - cy).to_numpy() <= FOCUS_RADIUS_M
    shapes = [areas[near].geometry]
    if cells is not None and len(cells):
        middle = cells.geometry.centroid
        shapes.append(cells.geometry[np.hypot(middle.x - cx, middle.y - cy).to_numpy() <= FOCUS_RADIUS_M])
    xmin, ymin, xmax, ymax = gpd.GeoSeries(pd.concat(shapes), crs=areas.crs).total_bounds
    return square((xmin - FOCUS_PAD_M, ymin - FOCUS_PAD_M, xmax + FOCUS_PAD_M, ymax + FOCUS_PAD_M)), \
        areas.loc[~near, "label"].tolist()


def square(extent: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """``extent`` widened about its centre on its shorter side until it is square."""
    xmin, ymin, xmax, ymax = extent
    half = max(xmax - xmin, ymax - ymin) / 2
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    return cx - half, cy - half, cx + half, cy + half


MAP_SIZE_IN = (3.6, 3.6)
"""Maps are square and printed at about this size (two side by side on an A4 page)."""

MAP_DPI = 220
"""Maps are small in print, so they get more pixels (sharp in the HTML too)."""

LABEL_MIN_M2 = 5_000.0
"""Areas smaller than this (a garage) get no name on the map; the table names them."""


def area_map_png(report: Report) -> bytes:
    """Field areas shaded by encounters (only areas with at least k), names written on."""
    areas = report.area_map.to_crs(MEASURE_CRS)
    fig, ax = plt.subplots(figsize=MAP_SIZE_IN, dpi=DPI)
    shown = areas["shown"].map(lambda v: v is not None and v >= report.k).astype(bool)
    if shown.any():
        counts = areas.loc[shown, "shown"].astype(float).to_numpy()
        edges = class_edges(counts, report.k)
        cmap, norm = _classes(edges)
        areas[shown].assign(n=counts).plot(ax=ax, column="n", cmap=cmap, norm=norm, edgecolor=INK, linewidth=0.6,
                                           alpha=0.8)
        _legend(ax, edges, cmap, extra="Under k / skjult")
    if (~shown).any():
        areas[~shown].plot(ax=ax, facecolor=SUPPRESSED_FILL, edgecolor=MUTED, linewidth=0.5, hatch="///")
    extent, outside = focus(areas)
    _map_frame(ax, extent, outside)
    big = (areas.geometry.area >= LABEL_MIN_M2).to_numpy()
    labels = [(f"{row['label']}\n{row['text']}", row.geometry.representative_point())
              for (_, row), label_it in zip(areas.iterrows(), big) if label_it and row["label"] not in outside]
    _place_labels(fig, ax, labels)
    return _png(fig, dpi=MAP_DPI)


LABEL_SHIFTS_PT = (0, 9, -9, 18, -18, 27, -27)
"""Vertical shifts (points) tried, in order, to keep an area's label off the labels placed before it."""


def _place_labels(fig, ax, labels: list) -> None:
    """Write each ``(text, point)`` label at its point, or shifted up or down (:data:`LABEL_SHIFTS_PT`) where it
    would cover a label placed before it (neighbouring small areas, e.g. Brugata and Nedre Akerselva);
    a thin leader line joins a shifted label to its point. Larger areas' labels are placed first."""
    renderer = fig.canvas.get_renderer()
    placed = []
    for text, point in labels:  # a few areas, not a loop over data rows
        for shift in LABEL_SHIFTS_PT:
            label = ax.annotate(text, (point.x, point.y), xytext=(0, shift), textcoords="offset points", ha="center",
                                va="center", fontsize=6.5, color=INK,
                                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.75},
                                arrowprops={"arrowstyle": "-", "color": MUTED, "linewidth": 0.5} if shift else None)
            box = label.get_window_extent(renderer)
            if not any(box.overlaps(other) for other in placed) or shift == LABEL_SHIFTS_PT[-1]:
                placed.append(box)
                break
            label.remove()


def cell_map_png(report: Report) -> bytes:
    """H3 cells with at least k encounters, in classes, over the field-area outlines."""
    cells = report.cell_map.to_crs(MEASURE_CRS)
    areas = report.area_map.to_crs(MEASURE_CRS)
    fig, ax = plt.subplots(figsize=MAP_SIZE_IN, dpi=DPI)
    if len(cells):
        edges = class_edges(cells["encounters"].to_numpy(), report.k)
        cmap, norm = _classes(edges)
        cells.plot(ax=ax, column="encounters", cmap=cmap, norm=norm, edgecolor="white", linewidth=0.4)
        _legend(ax, edges, cmap)
        ranked = report.tables["hotspots"].set_index("H3-celle")["Nr."]
        for _, row in cells[cells["cell"].isin(ranked.index)].iterrows():
            point = row.geometry.centroid
            ax.annotate(ranked[row["cell"]], (point.x, point.y), ha="center", va="center", fontsize=7,
                        fontweight="bold", color=INK,
                        bbox={"boxstyle": "circle,pad=0.25", "fc": "white", "ec": INK, "lw": 0.6})
    areas.boundary.plot(ax=ax, color=ACCENT, linewidth=0.7)
    if len(cells) == 0:
        ax.text(0.5, 0.5, f"Ingen celler med minst {report.k} møter", transform=ax.transAxes, ha="center",
                color=MUTED)
    extent, outside = focus(areas, cells)
    _map_frame(ax, extent, outside)
    return _png(fig, dpi=MAP_DPI)


MAP_IMAGES = ("area_map", "cell_map")
CHART_IMAGES = ("trend", "week")


def images(report: Report, *, only: tuple[str, ...] = MAP_IMAGES + CHART_IMAGES) -> dict[str, bytes]:
    """Images of the report by name (``area_map``, ``cell_map``, ``trend``, ``week``; ``only`` those), in that order."""
    draw = {"area_map": area_map_png, "cell_map": cell_map_png, "trend": trend_png, "week": week_png}
    unknown = sorted(set(only) - set(draw))
    if unknown:
        raise ValueError(f"only: unknown image name(s) {unknown}; choose from {', '.join(draw)}")
    return {name: draw[name](report) for name in draw if name in only}


# --- helpers -----------------------------------------------------------------------------------------
def _classes(edges: list[int]) -> tuple[ListedColormap, BoundaryNorm]:
    colours = PALETTE[1:][: len(edges) - 1] if len(edges) - 1 <= len(PALETTE) - 1 else PALETTE[1:]
    cmap = ListedColormap(colours)
    return cmap, BoundaryNorm(edges, cmap.N)


def _legend(ax, edges: list[int], cmap: ListedColormap, *, extra: str | None = None) -> None:
    labels = [f"{number_nb(a)}–{number_nb(b - 1)}" if b - 1 > a else number_nb(a) for a, b in zip(edges, edges[1:])]
    handles = [Patch(facecolor=cmap(i), edgecolor=INK, linewidth=0.3, label=label) for i, label in enumerate(labels)]
    if extra:
        handles.append(Patch(facecolor=SUPPRESSED_FILL, edgecolor=MUTED, hatch="///", label=extra))
    ax.legend(handles=handles, title="Registrerte møter", loc="upper center", bbox_to_anchor=(0.5, -0.06),
              ncol=min(len(handles), 3), fontsize=6, title_fontsize=6.5, frameon=False, columnspacing=1.0)


PRINT_LINE_SCALE = 0.3
"""Basemap line widths in print (points) are the screen widths at street zoom (pixels) times this."""

H3_CREDIT = "H3-celler (Uber H3)"
OUTSIDE_NOTE_CHARS = 70
"""Characters per line of the note under a map that names the areas outside its frame."""


def draw_basemap(ax, extent: tuple[float, float, float, float] | None) -> bool:
    """Draw the offline street map (EPSG:25832) under everything on ``ax``, clipped to ``extent``;
    True when any of it lies inside the frame (then OpenStreetMap must be credited)."""
    frame = basemap_frame().to_crs(MEASURE_CRS)
    if extent is not None:
        frame = frame.clip(extent)
    frame = frame[~frame.geometry.is_empty]
    if frame.empty:
        return False
    ax.set_facecolor(BACKGROUND)
    for order, (key, style) in enumerate(CLASSES.items()):
        rows = frame[frame["k"] == key]
        if rows.empty:
            continue
        if style.fill:
            rows.plot(ax=ax, facecolor=style.fill, edgecolor=style.colour, linewidth=style.width * PRINT_LINE_SCALE,
                      zorder=0.1 + order / 100)
        else:
            rows.plot(ax=ax, color=style.colour, linewidth=style.width * PRINT_LINE_SCALE, zorder=0.1 + order / 100,
                      capstyle="round")
    return True


def _map_frame(ax, extent: tuple[float, float, float, float] | None, outside: list[str]) -> None:
    """Frame the map on ``extent``, draw the street map underneath and credit what is shown."""
    shows_osm = draw_basemap(ax, extent)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_aspect("equal")
    if extent is not None:
        ax.set_xlim(extent[0], extent[2])
        ax.set_ylim(extent[1], extent[3])
    if outside:  # below the map, wrapped to its width
        note = textwrap.fill(f"Utenfor kartutsnittet: {', '.join(outside)} (se tabellen).", OUTSIDE_NOTE_CHARS)
        ax.text(0.0, -0.01, note, transform=ax.transAxes, ha="left", va="top", fontsize=6, color=MUTED)
    credit = f"{ATTRIBUTION['nb']} · {H3_CREDIT}" if shows_osm else H3_CREDIT
    # inside the map's lower right corner, as a web map's attribution, so it never meets the note below
    ax.text(0.995, 0.005, credit, transform=ax.transAxes, ha="right", va="bottom", fontsize=4.5, color=MUTED,
            zorder=10, bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none", "pad": 1.0})


def _png(fig, *, dpi: int = DPI) -> bytes:
    buffer = io.BytesIO()
    fig.tight_layout(pad=0.3)
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    plt.close(fig)
    return buffer.getvalue()
