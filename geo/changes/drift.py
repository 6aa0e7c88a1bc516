"""Activity drift: where encounters and presence are centred per period, and how far from the field areas.

Centre and spread per period (month, tertial, quarter, year, week) follow the
standard *directional distribution* (standard deviational ellipse, as in
ArcGIS "Directional Distribution", 1 standard deviation), computed in
EPSG:25832 metres and returned in EPSG:4326 for drawing:

- weighted mean centre ``x̄ = Σ wᵢ xᵢ / Σ wᵢ`` (same for y);
- the weighted covariance of the deviations ``x̃ = x − x̄``, ``ỹ = y − ȳ``:
  ``sxx = Σ w x̃² / Σ w``, ``syy = Σ w ỹ² / Σ w``, ``sxy = Σ w x̃ ỹ / Σ w``;
- the ellipse axes lie along the eigenvectors of ``[[sxx, sxy], [sxy, syy]]``
  (the rotation that maximises the spread along one axis, which is what
  ArcGIS's ``tan θ`` formula solves); the standard distance along an axis is
  the square root of its eigenvalue ``λ = (sxx+syy)/2 ± √(((sxx−syy)/2)² + sxy²)``;
- **sqrt(2) correction**: the semi-axes are ``√2 · √λ`` (as ArcGIS does since
  10.x, after Wang, Shi & Ma 2015): for a bivariate normal scatter this
  1-standard-deviation ellipse holds about 63 % of the weight
  (``1 − e⁻¹``) rather than 39 % without the factor. Pass ``sqrt2=False``
  for the uncorrected axes.

Weights: 1 per encounter; for presence the patrol-minutes of each H3 cell
(from the derived cell table) placed at the cell's centre.

Ring shares: per period, the share of encounters inside a field area valid on
the encounter's local date (on the edge counts as inside, as PRODUCT.md
defines "encounter in area"), within 0–200 m outside one, 200–500 m, or
farther, so a scene moving out of the areas shows.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from geo.engine.cells import DEFAULT_RESOLUTION, cell_centres_lonlat, check_resolution
from geo.queries import Filters, aggregate_reads, encounter_points
from geo.queries.columns import TIME_LOCAL
from geo.schema import (
    CELL,
    ENCOUNTER_ID,
    LAT,
    LON,
    MEASURE_CRS,
    RES,
    SECONDS,
    SERVICE_DAY,
    STORE_CRS,
    T_ENCOUNTER_AREAS,
    T_PRESENCE_CELL,
    VALID_FROM,
    VALID_TO,
)
from geo.store.base import Store
from geo.timeutil import PERIOD_KINDS, period_label

PERIOD = "period"
N = "n"
WEIGHT = "weight"
CENTRE_LON = "centre_lon"
CENTRE_LAT = "centre_lat"
CENTRE_X = "centre_x"
CENTRE_Y = "centre_y"
SIGMA_MAJOR_M = "sigma_major_m"
SIGMA_MINOR_M = "sigma_minor_m"
BEARING_DEG = "bearing_deg"
DRIFT_COLUMNS = (PERIOD, N, WEIGHT, CENTRE_LON, CENTRE_LAT, CENTRE_X, CENTRE_Y, SIGMA_MAJOR_M, SIGMA_MINOR_M,
                 BEARING_DEG)

MIN_POINTS = 5
"""A period with fewer weighted points than this gets a centre but no ellipse
(too few to describe a spread, and close to pointing at single encounters)."""

ELLIPSE_VERTICES = 72
"""Vertices of each drawn ellipse (every 5 degrees)."""

RING_EDGES_M = (200.0, 500.0)
"""Outer edges of the rings around the field areas, metres (EPSG:25832)."""

INSIDE, RING_NEAR, RING_FAR, BEYOND = "inside", "ring_0_200", "ring_200_500", "beyond"
BANDS = (INSIDE, RING_NEAR, RING_FAR, BEYOND)
ENCOUNTERS = "encounters"

_TO_MEASURE = Transformer.from_crs(STORE_CRS, MEASURE_CRS, always_xy=True)
_TO_STORE = Transformer.from_crs(MEASURE_CRS, STORE_CRS, always_xy=True)


# --- the statistic -------------------------------------------------------------------------------
def directional_distribution(x: np.ndarray, y: np.ndarray, weight: np.ndarray, groups: np.ndarray, *,
                             sqrt2: bool = True) -> pd.DataFrame:
    """Weighted mean centre and standard deviational ellipse of each group.

    ``x``, ``y`` are EPSG:25832 metres, ``weight`` non-negative, ``groups``
    any labels. One row per group (sorted by label) with ``period`` (the
    label), ``n`` (points), ``weight`` (their total), ``centre_x``,
    ``centre_y`` (metres), ``sigma_major_m``, ``sigma_minor_m`` (semi-axes,
    metres, with the sqrt(2) correction unless ``sqrt2=False``) and
    ``bearing_deg`` (direction of the major axis, degrees clockwise from grid
    north, in [0, 180)). See the module docstring for the formulas.
    """
    x, y, weight = (np.asarray(a, dtype=np.float64) for a in (x, y, weight))
    if not (len(x) == len(y) == len(weight) == len(groups)):
        raise ValueError(f"x, y, weight and groups must have the same length; got {len(x)}, {len(y)}, "
                         f"{len(weight)}, {len(groups)}")
    if (weight < 0).any() or not np.isfinite(weight).all():
        raise ValueError("weight must be finite and non-negative")
    codes, labels = pd.factorize(pd.Series(groups), sort=True)
    k = len(labels)
    total = np.bincount(codes, weight, minlength=k)
    with np.errstate(divide="ignore", invalid="ignore"):
        cx = np.bincount(codes, weight * x, minlength=k) / total
        cy = np.bincount(codes, weight * y, minlength=k) / total
        dx, dy = x - cx[codes], y - cy[codes]
        sxx = np.bincount(codes, weight * dx * dx, minlength=k) / total
        syy = np.bincount(codes, weight * dy * dy, minlength=k) / total
        sxy = np.bincount(codes, weight * dx * dy, minlength=k) / total
    half_sum, root = (sxx + syy) / 2.0, np.hypot((sxx - syy) / 2.0, sxy)
    factor = np.sqrt(2.0) if sqrt2 else 1.0
    major = factor * np.sqrt(np.maximum(half_sum + root, 0.0))
    minor = factor * np.sqrt(np.maximum(half_sum - root, 0.0))
    angle_from_east = 0.5 * np.arctan2(2.0 * sxy, sxx - syy)
    bearing = np.mod(90.0 - np.degrees(angle_from_east), 180.0)
    return pd.DataFrame({
        PERIOD: np.asarray(labels), N: np.bincount(codes, minlength=k), WEIGHT: total,
        CENTRE_X: cx, CENTRE_Y: cy, SIGMA_MAJOR_M: major, SIGMA_MINOR_M: minor, BEARING_DEG: bearing,
    })


def ellipse_polygons(table: pd.DataFrame) -> np.ndarray:
    """The ellipse of each row of :func:`directional_distribution` as EPSG:4326 polygons.

    Rows with fewer than :data:`MIN_POINTS` points or a zero major axis get None.
    """
    t = np.linspace(0.0, 2.0 * np.pi, ELLIPSE_VERTICES + 1)
    theta = np.radians(90.0 - table[BEARING_DEG].to_numpy())[:, None]  # major axis, from east
    a, b = table[SIGMA_MAJOR_M].to_numpy()[:, None], table[SIGMA_MINOR_M].to_numpy()[:, None]
    ex = table[CENTRE_X].to_numpy()[:, None] + a * np.cos(t) * np.cos(theta) - b * np.sin(t) * np.sin(theta)
    ey = table[CENTRE_Y].to_numpy()[:, None] + a * np.cos(t) * np.sin(theta) + b * np.sin(t) * np.cos(theta)
    lon, lat = _TO_STORE.transform(ex, ey)
    polygons = shapely.polygons(np.stack([np.asarray(lon), np.asarray(lat)], axis=-1)) if len(table) else np.array([])
    drawable = (table[N].to_numpy() >= MIN_POINTS) & (table[SIGMA_MAJOR_M].to_numpy() > 0)
    return np.where(drawable, polygons, None)


def drift_table(x: np.ndarray, y: np.ndarray, weight: np.ndarray, periods: np.ndarray, *,
                sqrt2: bool = True) -> gpd.GeoDataFrame:
    """:func:`directional_distribution` plus the centre in lon/lat and the ellipse as geometry (EPSG:4326)."""
    table = directional_distribution(x, y, weight, periods, sqrt2=sqrt2)
    lon, lat = _TO_STORE.transform(table[CENTRE_X].to_numpy(), table[CENTRE_Y].to_numpy())
    table[CENTRE_LON], table[CENTRE_LAT] = np.asarray(lon), np.asarray(lat)
    return gpd.GeoDataFrame(table[list(DRIFT_COLUMNS)], geometry=gpd.GeoSeries(ellipse_polygons(table), crs=STORE_CRS),
                            crs=STORE_CRS)


# --- from the store ----------------------------------------------------------------------------------
def encounter_drift(store: Store, filters: Filters, *, period: str = "year", sqrt2: bool = True) -> gpd.GeoDataFrame:
    """Centre and ellipse of the selected encounters per period (weight 1 per encounter).

    Periods by each encounter's local date (:func:`geo.timeutil.period_label`).
    Columns as :func:`drift_table`; one row per period with encounters.
    """
    _check_period(period)
    points = encounter_points(store, filters)
    x, y = _TO_MEASURE.transform(points[LON].to_numpy(), points[LAT].to_numpy())
    periods = period_label(points[TIME_LOCAL].dt.date, period).to_numpy()
    return drift_table(np.asarray(x), np.asarray(y), np.ones(len(points)), periods, sqrt2=sqrt2)


def presence_drift(store: Store, filters: Filters, *, period: str = "year", res: int = DEFAULT_RESOLUTION,
                   sqrt2: bool = True) -> gpd.GeoDataFrame:
    """Centre and ellipse of the selected patrols' presence per period.

    Each H3 cell at ``res`` weighs its patrol-minutes (derived table
    ``presence_cell``, patrols by service day, weekday/hour filters on the
    local clock hour) at the cell centre. ``n`` counts cells. Columns as
    :func:`drift_table`.
    """
    _check_period(period)
    check_resolution(res)
    day = (f"p.{SERVICE_DAY}" if period == "week"  # a month's first day labels its month, tertial, quarter, year
           else aggregate_reads.dialect_sql(store, aggregate_reads.MONTH_OF_DAY_SQL, col=f"p.{SERVICE_DAY}"))
    cells = aggregate_reads.presence(store, filters, table=T_PRESENCE_CELL, keys={"day": day, CELL: f"d.{CELL}"},
                            where=[f"d.{RES} = ?"], params=[res])
    cells = cells[cells[SECONDS] > 0]
    x, y = _cell_centres(cells[CELL].to_numpy())
    periods = period_label(pd.to_datetime(cells["day"]).dt.date, period).to_numpy()
    return drift_table(x, y, cells[SECONDS].to_numpy() / 60.0, periods, sqrt2=sqrt2)


def ring_shares(store: Store, filters: Filters, *, period: str = "year") -> pd.DataFrame:
    """Per period, where the selected encounters lie relative to the field areas valid on their date.

    One row per period with ``encounters`` and, for each band of
    :data:`BANDS` (inside an area, 0–200 m outside, 200–500 m, beyond), the
    count and its ``<band>_share`` (of the period's encounters, 0–1).
    Inside means in the derived ``encounter_areas`` table (the same test as
    every "encounter in area" number); other distances are to the nearest
    area version valid on the encounter's local date, metres in EPSG:25832;
    a band's upper edge is inclusive.
    """
    _check_period(period)
    points = encounter_points(store, filters)
    days = points[TIME_LOCAL].dt.date
    distance = distance_to_valid_areas(points[LON].to_numpy(), points[LAT].to_numpy(),
                                       pd.to_datetime(days).to_numpy().astype("datetime64[D]"), store.areas())
    in_area = store.derived(T_ENCOUNTER_AREAS)[ENCOUNTER_ID]
    distance[points[ENCOUNTER_ID].isin(in_area).to_numpy()] = 0.0  # exactly as "encounter in area" everywhere
    band = np.select([distance == 0.0, distance <= RING_EDGES_M[0], distance <= RING_EDGES_M[1]],
                     [INSIDE, RING_NEAR, RING_FAR], BEYOND)
    counts = pd.crosstab(period_label(days, period).to_numpy(), band).reindex(columns=list(BANDS), fill_value=0)
    counts.index.name, counts.columns.name = PERIOD, None
    table = counts.reset_index()
    table.insert(1, ENCOUNTERS, counts.sum(axis=1).to_numpy())
    for name in BANDS:
        table[f"{name}_share"] = table[name] / table[ENCOUNTERS]
    return table


def distance_to_valid_areas(lon: np.ndarray, lat: np.ndarray, days: np.ndarray, areas: gpd.GeoDataFrame) -> np.ndarray:
    """Distance (metres, EPSG:25832) from each point to the nearest area version valid on its day.

    ``days`` are local dates (``datetime64[D]``). Only areas within the
    outermost ring edge are searched (an STRtree ``dwithin`` query); points
    farther from every valid area get ``inf``. 0 = inside or on the edge.
    """
    x, y = _TO_MEASURE.transform(np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64))
    points = shapely.points(np.asarray(x), np.asarray(y))
    geoms = areas.geometry.to_crs(MEASURE_CRS).to_numpy()
    best = np.full(len(points), np.inf)
    if len(points) == 0 or len(geoms) == 0:
        return best
    point_i, area_i = shapely.STRtree(geoms).query(points, predicate="dwithin", distance=RING_EDGES_M[-1])
    valid_from = pd.to_datetime(areas[VALID_FROM]).to_numpy().astype("datetime64[D]")
    valid_to = pd.to_datetime(areas[VALID_TO].map(lambda d: d if d is not None and not pd.isna(d) else "9999-12-31"),
                              format="ISO8601").to_numpy().astype("datetime64[D]")
    day = np.asarray(days).astype("datetime64[D]")[point_i]
    valid = (valid_from[area_i] <= day) & (day < valid_to[area_i])
    point_i, area_i = point_i[valid], area_i[valid]
    np.minimum.at(best, point_i, shapely.distance(points[point_i], geoms[area_i]))
    return best


def _cell_centres(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """EPSG:25832 x, y of the centre of each H3 cell (int64 or uint64)."""
    if len(cells) == 0:
        return np.zeros(0), np.zeros(0)
    x, y = _TO_MEASURE.transform(*cell_centres_lonlat(cells))
    return np.asarray(x), np.asarray(y)


def _check_period(period: str) -> None:
    if period not in PERIOD_KINDS:
        raise ValueError(f"period must be one of {', '.join(PERIOD_KINDS)}; got {period!r}")


__all__ = [
    "BANDS",
    "directional_distribution",
    "distance_to_valid_areas",
    "drift_table",
    "ellipse_polygons",
    "encounter_drift",
    "presence_drift",
    "ring_shares",
]
