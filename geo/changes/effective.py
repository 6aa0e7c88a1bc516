"""Effective areas: where the encounters of a period really cluster, against the official field areas.

1. **Hot cells**: encounters are counted per H3 cell (resolution ``res``) and
   the local Getis-Ord Gi* statistic is computed on those counts by the same
   esda-based code as the Hotspots page (:func:`geo.hotspots.gistar.gi_star`,
   one period): binary weights over the k-ring of each cell, itself
   included, over the study region (every cell with an encounter plus its
   2k-ring, cells with none counting 0, so every cell near an encounter
   is tested with its whole neighbourhood). A cell is *hot* when its z is
   positive and its two-sided p-value passes the Benjamini–Hochberg false
   discovery rate ``alpha`` over all cells of the region, so a map of many
   cells does not light up by chance.
2. **Hot areas**: hot cells merged into polygons (``shapely.union_all`` of the
   H3 cell boundaries); touching cells form one area.
3. **Against the official areas** valid on the period's last day: how much of
   the hot area lies inside them, which official areas have no hot area at
   all, and the hot area outside every official area.

Areas are m² in EPSG:25832; geometries are EPSG:4326.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.changes.history import areas_valid_on
from geo.engine.cells import (
    DEFAULT_RESOLUTION,
    cell_polygons,
    cells_from_hex,
    cells_to_hex,
    check_resolution,
    k_ring_cells,
    ring_pairs,
)
from geo.queries import Filters, encounters_by_cell
from geo.schema import (
    AREA_ID,
    AREA_NAME,
    AREA_TEAM,
    CELL,
    MEASURE_CRS,
    STORE_CRS,
    VALID_FROM,
)
from geo.store.base import Store

ALPHA = 0.05
"""False discovery rate at which a cell is hot (the Hotspots page's default, ``geo.hotspots.gistar.ALPHA``)."""

NEIGHBOUR_RINGS = 1
"""k of the k-ring neighbourhood (1 = the cell and its 6 neighbours)."""

ENCOUNTERS = "encounters"
Z = "z"
P = "p"
HOT = "hot"
HOT_ID = "hot_id"
CELLS = "cells"
AREA_M2 = "area_m2"
OVERLAP_M2 = "overlap_m2"
OVERLAP_PCT = "overlap_pct"
NO_ACTIVITY = "no_activity"
DRAFT_PREFIX = "forslag"
"""``area_id`` prefix of a saved suggestion (``forslag-1``, ``forslag-2``, ...)."""


@dataclass(frozen=True, slots=True)
class EffectiveAreas:
    """Hot areas of one period against the official areas.

    Attributes
    ----------
    cells
        Study-region cells: ``cell`` (hex), ``encounters``, ``z`` (Gi*), ``p``
        (two-sided), ``hot`` (z > 0 and significant at FDR ``alpha``).
    hot
        Hot areas (EPSG:4326): ``hot_id`` (1, 2, ... by size), ``cells``,
        ``encounters``, ``area_m2``, ``overlap_m2`` (inside official areas),
        ``overlap_pct`` (of ``area_m2``).
    official
        Official areas valid on the last day (EPSG:4326): ``area_id``,
        ``name``, ``area_m2``, ``overlap_m2`` (covered by hot areas),
        ``overlap_pct`` (of ``area_m2``), ``no_activity`` (no hot area at all).
    outside
        The hot area outside every official area (EPSG:4326), one row per
        part: ``area_m2``.
    figures
        ``hot_area_m2``, ``official_area_m2``, ``overlap_m2``,
        ``hot_inside_pct`` (overlap / hot area), ``official_covered_pct``
        (overlap / official area), ``official_without_activity`` (count),
        ``outside_m2`` and ``outside_pct`` (of the hot area). Percentages are
        NaN when their denominator is 0.
    """

    cells: pd.DataFrame
    hot: gpd.GeoDataFrame
    official: gpd.GeoDataFrame
    outside: gpd.GeoDataFrame
    figures: dict[str, float]


def gi_star_of_cells(cells: np.ndarray, counts: np.ndarray, *, k: int = NEIGHBOUR_RINGS,
                     alpha: float = ALPHA) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gi* z, two-sided p and hot flag of each cell (see the module docstring).

    ``cells`` are H3 indexes (uint64) forming the study region, ``counts``
    their values. Neighbours outside the region are ignored. When the values
    do not vary there is nothing to test: z and p are NaN and no cell is hot.
    """
    cells = np.asarray(cells, dtype=np.uint64)
    x = np.asarray(counts, dtype=np.float64)
    if len(cells) != len(x):
        raise ValueError(f"cells and counts must have the same length; got {len(cells)} and {len(x)}")
    if len(x) < 2 or np.all(x == x[0]):
        return np.full(len(x), np.nan), np.full(len(x), np.nan), np.zeros(len(x), dtype=bool)
    # imported here: geo.hotspots loads esda, libpysal and scipy.stats (over a second), which the
    # Endringer page should not pay for until it shows effective areas
    from geo.hotspots.gistar import gi_star, space_time_weights

    weights = space_time_weights(ring_pairs(cells, k), n_cells=len(cells), n_periods=1, time_lag=0)
    result = gi_star(x[:, None], weights, alpha=alpha)
    return result.z[:, 0], result.p[:, 0], result.hot[:, 0]


def effective_areas(store: Store, filters: Filters, *, res: int = DEFAULT_RESOLUTION, alpha: float = ALPHA,
                    k: int = NEIGHBOUR_RINGS) -> EffectiveAreas:
    """Hot areas of the encounters selected by ``filters`` (one period), against the official areas.

    ``filters`` must have a ``last_day``: the official areas are those valid
    on it. See :class:`EffectiveAreas` for what is returned.
    """
    check_resolution(res)
    if filters.last_day is None:
        raise ValueError("filters.last_day must be set: the official areas compared are those valid on it")
    counted = encounters_by_cell(store, filters, res=res)
    cells, counts = _study_region(cells_from_hex(counted[CELL]),
                                  counted[ENCOUNTERS].to_numpy(np.float64), k)
    z, p, hot_mask = gi_star_of_cells(cells, counts, k=k, alpha=alpha)
    table = pd.DataFrame({CELL: cells_to_hex(cells),
                          ENCOUNTERS: counts.astype(np.int64), Z: z, P: p, HOT: hot_mask})
    official = areas_valid_on(store.areas(), filters.last_day)
    if filters.teams is not None:  # a team's effective areas are compared with that team's field areas
        official = official[official[AREA_TEAM].isin(filters.teams)]
    return compare_with_official(cells[hot_mask], counts[hot_mask], official, cells_table=table)


def compare_with_official(hot_cells: np.ndarray, hot_counts: np.ndarray, official: gpd.GeoDataFrame, *,
                          cells_table: pd.DataFrame | None = None) -> EffectiveAreas:
    """Merge ``hot_cells`` into hot areas and compare them with the ``official`` area versions (EPSG:4326)."""
    hot = hot_areas(hot_cells, hot_counts)
    hot_m = hot.geometry.to_crs(MEASURE_CRS).to_numpy()
    official_m = official.geometry.to_crs(MEASURE_CRS).to_numpy()
    official_union = shapely.union_all(official_m)
    hot_union = shapely.union_all(hot_m)
    hot[OVERLAP_M2] = shapely.area(shapely.intersection(hot_m, official_union))
    hot[OVERLAP_PCT] = _pct(hot[OVERLAP_M2].to_numpy(), hot[AREA_M2].to_numpy())
    areas = gpd.GeoDataFrame({AREA_ID: official[AREA_ID].to_numpy(), AREA_NAME: official[AREA_NAME].to_numpy()},
                             geometry=official.geometry.to_numpy(), crs=STORE_CRS)
    areas[AREA_M2] = shapely.area(official_m)
    areas[OVERLAP_M2] = shapely.area(shapely.intersection(official_m, hot_union))
    areas[OVERLAP_PCT] = _pct(areas[OVERLAP_M2].to_numpy(), areas[AREA_M2].to_numpy())
    areas[NO_ACTIVITY] = areas[OVERLAP_M2] <= 0.0
    outside_parts = shapely.get_parts(shapely.difference(hot_union, official_union))
    outside_parts = outside_parts[shapely.area(outside_parts) > 0]
    outside = gpd.GeoDataFrame({AREA_M2: shapely.area(outside_parts)},
                               geometry=gpd.GeoSeries(outside_parts, crs=MEASURE_CRS).to_crs(STORE_CRS).to_numpy(),
                               crs=STORE_CRS)
    hot_total, official_total = float(shapely.area(hot_union)), float(shapely.area(official_union))
    overlap = float(shapely.area(shapely.intersection(hot_union, official_union)))
    outside_total = float(outside[AREA_M2].sum())
    figures = {
        "hot_area_m2": hot_total,
        "official_area_m2": official_total,
        "overlap_m2": overlap,
        "hot_inside_pct": float(_pct(overlap, hot_total)),
        "official_covered_pct": float(_pct(overlap, official_total)),
        "official_without_activity": int(areas[NO_ACTIVITY].sum()),
        "outside_m2": outside_total,
        "outside_pct": float(_pct(outside_total, hot_total)),
    }
    cells_table = cells_table if cells_table is not None else pd.DataFrame(columns=[CELL, ENCOUNTERS, Z, HOT])
    return EffectiveAreas(cells=cells_table, hot=hot, official=areas.reset_index(drop=True), outside=outside,
                          figures=figures)


def hot_areas(cells: np.ndarray, counts: np.ndarray) -> gpd.GeoDataFrame:
    """Hot cells merged into areas (EPSG:4326): ``hot_id`` (1 = largest), ``cells``, ``encounters``, ``area_m2``."""
    cells = np.asarray(cells, dtype=np.uint64)
    if len(cells) == 0:
        return gpd.GeoDataFrame({HOT_ID: pd.Series(dtype=np.int64), CELLS: pd.Series(dtype=np.int64),
                                 ENCOUNTERS: pd.Series(dtype=np.int64), AREA_M2: pd.Series(dtype=np.float64)},
                                geometry=gpd.GeoSeries([], crs=STORE_CRS), crs=STORE_CRS)
    polygons = cell_polygons(cells)
    parts = shapely.get_parts(shapely.union_all(polygons))
    centres = shapely.point_on_surface(polygons)
    cell_i, part_i = shapely.STRtree(parts).query(centres, predicate="within")
    n_cells = np.bincount(part_i, minlength=len(parts))
    encounters = np.bincount(part_i, np.asarray(counts, dtype=np.float64)[cell_i], minlength=len(parts))
    area = shapely.area(gpd.GeoSeries(parts, crs=STORE_CRS).to_crs(MEASURE_CRS).to_numpy())
    order = np.argsort(-area, kind="stable")
    return gpd.GeoDataFrame({HOT_ID: np.arange(1, len(parts) + 1), CELLS: n_cells[order],
                             ENCOUNTERS: encounters[order].round().astype(np.int64), AREA_M2: area[order]},
                            geometry=parts[order], crs=STORE_CRS)


def save_draft(store: Store, polygons: gpd.GeoDataFrame, valid_from: dt.date, *, team: str | None = None,
               source: str, created_by: str | None = None, name_prefix: str = DRAFT_PREFIX) -> str:
    """Save ``polygons`` (EPSG:4326) as one **draft** area set valid from ``valid_from``; returns the draft id.

    Each polygon becomes ``<name_prefix>-1``, ``-2``, ... A draft is kept
    apart from the field areas (``area_drafts``): no presence number,
    aggregate or change-log entry is affected until someone imports it as a
    real version.
    """
    if not isinstance(valid_from, dt.date) or isinstance(valid_from, dt.datetime):
        raise TypeError(f"valid_from must be a datetime.date; got {valid_from!r}")
    if polygons.empty:
        raise ValueError("polygons: nothing to save; the suggestion has no areas")
    ids = [f"{name_prefix}-{i}" for i in range(1, len(polygons) + 1)]
    draft = gpd.GeoDataFrame({AREA_ID: ids, AREA_NAME: ids, AREA_TEAM: team, VALID_FROM: valid_from},
                             geometry=polygons.geometry.to_crs(STORE_CRS).to_numpy(), crs=STORE_CRS)
    return store.add_area_draft(draft, source=source, created_by=created_by)


# --- helpers ----------------------------------------------------------------------------------------
def _study_region(cells: np.ndarray, counts: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The cells with encounters plus their 2k-rings (count 0), sorted by cell.

    Two k-rings, so that every cell with an encounter in its k-ring is tested
    with its whole neighbourhood: with one, the cells at the region's edge
    would have fewer neighbours, a smaller expected sum and inflated z-scores.
    """
    if len(cells) == 0:
        return cells, counts
    region = k_ring_cells(cells, 2 * k)  # sorted, the cells themselves included
    values = np.zeros(len(region))
    values[np.searchsorted(region, cells)] = counts
    return region, values



def _pct(part, whole):
    part, whole = np.asarray(part, dtype=np.float64), np.asarray(whole, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(whole > 0, 100.0 * part / whole, np.nan)


def area_drafts(store: Store, *, teams: tuple[str, ...] | None = None) -> gpd.GeoDataFrame:
    """Saved area drafts (:meth:`Store.area_drafts`), only those of ``teams`` when given (None: all)."""
    drafts = store.area_drafts()
    return drafts if teams is None else drafts[drafts[AREA_TEAM].isin(teams)].reset_index(drop=True)

