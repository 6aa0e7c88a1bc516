"""Indoor stays: a GPS gap at an indoor area counts as presence inside it.

PRODUCT.md, Indoor stay: field areas can be marked ``indoor`` (parking
garages, stations' underground halls). Phones get no fix inside, so where a
patrol's last fix before a gap and its first fix after it both lie within
:data:`INDOOR_REACH_M` of the same indoor area (or inside it), and the gap
lasts at most ``max_indoor_gap`` (:data:`MAX_INDOOR_GAP_S`), the gap counts
as presence inside that area: its duration, no length, one visit, in the
UTC hours it spans and in the H3 cells of the area (shared by area among the
cells it covers). Other gaps longer than ``max_gap`` stay no presence.

Rules made explicit here:

- Only gaps longer than ``max_gap`` are candidates (shorter ones are ordinary
  segments, or too fast to count); the area version is the one valid at the
  last fix before the gap, as for a segment.
- Distances are measured in EPSG:25832 from each fix to the polygon
  (0 inside); both fixes must be within reach of the *same* version.
- **Several indoor areas within reach of both fixes: the nearest one.** The
  nearness of an area is the larger of its two distances. Areas equally near
  (typically both fixes inside two overlapping indoor areas) each count the
  stay in full, as overlapping areas each count a segment; in the H3 cells
  and in the total the stay counts once, split equally among them.
- A stay is split at UTC hour boundaries (a segment is not: it belongs to
  the hour it starts in); Oslo's offsets are whole hours, so each piece is in
  one local hour too, and its duration is real elapsed time across a DST change.
- In the cells a stay is one presence piece per covered cell (so each covered
  cell gets a visit), its seconds shared by the part of the area's surface
  (EPSG:25832 square metres) inside each cell.
- **Other areas overlapping the indoor area** (a garage inside "Oslo S og
  omegn") count the stay the same way as the cells: its duration times the
  part of the indoor area's surface that lies inside them (1 for a garage
  wholly inside), as one visit piece; the version valid at the gap start
  applies. An area that itself takes the stay (the nearest) counts it in full.

Vectorised: one STRtree query per end of all gaps; no loop per gap or point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from geo.engine.cells import RESOLUTIONS, cell_polygons, cells_of, check_resolution
from geo.engine.segments import Gaps

INDOOR_REACH_M = 50.0
"""Both fixes around a gap must lie this close to an indoor area (or inside it), metres (EPSG:25832)."""

MAX_INDOOR_GAP_S = 45 * 60.0
"""Default ``max_indoor_gap``: the longest gap counted as an indoor stay, seconds (45 min)."""

_HOUR_S = 3600


@dataclass(frozen=True, slots=True)
class CellCover:
    """Which H3 cells each indoor version covers, and by what share of its surface.

    CSR layout: indoor version ``i`` covers ``cell[offsets[i]:offsets[i + 1]]``
    with ``share[offsets[i]:offsets[i + 1]]`` (summing to 1).
    """

    offsets: np.ndarray  # int64, one more than indoor versions
    cell: np.ndarray  # uint64
    share: np.ndarray  # float64, 0..1


@dataclass(frozen=True, slots=True)
class Overlaps:
    """Which other area versions each indoor version overlaps, and by what share of its surface.

    CSR layout like :class:`CellCover`: indoor version ``i`` overlaps the versions
    ``version[offsets[i]:offsets[i + 1]]`` (indexes of all versions, itself
    excluded) with ``share`` = |indoor ∩ other| / |indoor| (EPSG:25832).
    """

    offsets: np.ndarray  # int64, one more than indoor versions
    version: np.ndarray  # int64
    share: np.ndarray  # float64, 0..1


@dataclass(frozen=True, slots=True)
class IndoorAreas:
    """The indoor field-area versions of a prepared area set.

    ``version`` indexes the versions of the ``PreparedAreas`` these belong to;
    ``polygons`` are in EPSG:25832; ``valid_from``/``valid_to`` are UTC epoch
    seconds of the local midnights that start and end each version;
    ``cells`` maps each H3 resolution to its :class:`CellCover`.
    """

    version: np.ndarray  # int64
    polygons: np.ndarray  # shapely geometries, EPSG:25832
    valid_from: np.ndarray  # float64 epoch seconds
    valid_to: np.ndarray  # float64 epoch seconds
    cells: dict[int, CellCover]
    overlaps: Overlaps

    def __len__(self) -> int:
        return len(self.version)


def no_indoor_areas() -> IndoorAreas:
    """An empty :class:`IndoorAreas` (an area set without indoor versions)."""
    empty = CellCover(np.zeros(1, np.int64), np.zeros(0, np.uint64), np.zeros(0))
    return IndoorAreas(np.zeros(0, np.int64), np.zeros(0, dtype=object), np.zeros(0), np.zeros(0),
                       {res: empty for res in RESOLUTIONS}, Overlaps(np.zeros(1, np.int64), np.zeros(0, np.int64),
                                                                    np.zeros(0)))


def prepare_indoor(
    indoor: np.ndarray,
    polygons_measured: list,
    polygons_lonlat: np.ndarray,
    valid_from: np.ndarray,
    valid_to: np.ndarray,
    *,
    resolutions: tuple[int, ...] = RESOLUTIONS,
) -> IndoorAreas:
    """The indoor versions among all versions (``indoor`` a bool per version).

    ``polygons_measured`` are EPSG:25832, ``polygons_lonlat`` the same in
    EPSG:4326 (for H3); validity as in :class:`IndoorAreas`.
    """
    chosen = np.flatnonzero(np.asarray(indoor, dtype=bool))
    if len(chosen) == 0:
        return no_indoor_areas()
    measured = np.asarray(polygons_measured, dtype=object)[chosen]
    lonlat = np.asarray(polygons_lonlat, dtype=object)[chosen]
    return IndoorAreas(
        version=chosen.astype(np.int64),
        polygons=measured,
        valid_from=np.asarray(valid_from, dtype=np.float64)[chosen],
        valid_to=np.asarray(valid_to, dtype=np.float64)[chosen],
        cells={res: _cell_cover(lonlat, res) for res in resolutions},
        overlaps=_overlaps(chosen, measured, np.asarray(polygons_measured, dtype=object)),
    )


def _overlaps(chosen: np.ndarray, indoor_polygons: np.ndarray, all_polygons: np.ndarray) -> Overlaps:
    """:class:`Overlaps` of the indoor versions ``chosen`` (indexes into ``all_polygons``, EPSG:25832)."""
    inner, other = shapely.STRtree(all_polygons).query(indoor_polygons, predicate="intersects")
    keep = other != chosen[inner]
    inner, other = inner[keep], other[keep]
    share = shapely.area(shapely.intersection(indoor_polygons[inner], all_polygons[other])) / shapely.area(
        indoor_polygons[inner])
    keep = share > 0  # touching only
    inner, other, share = inner[keep], other[keep], share[keep]
    order = np.lexsort((other, inner))
    offsets = np.concatenate([[0], np.cumsum(np.bincount(inner, minlength=len(chosen)))]).astype(np.int64)
    return Overlaps(offsets, other[order].astype(np.int64), share[order])


def _cell_cover(polygons_lonlat: np.ndarray, res: int) -> CellCover:
    """H3 cells of each polygon and the share of its EPSG:25832 surface in each.

    Candidates are the cells whose boundary meets the polygon (h3ronpy) and
    their neighbours; the shares are exact intersections of the cell polygons
    (EPSG:4326 vertices, projected) with the area, divided by their sum.
    """
    from h3ronpy import ContainmentMode, grid_disk
    from h3ronpy.vector import geometry_to_cells
    from pyproj import Transformer

    check_resolution(res)
    to_measured = Transformer.from_crs("EPSG:4326", "EPSG:25832", always_xy=True)

    def project(geometry):
        return shapely.transform(geometry, lambda c: np.column_stack(to_measured.transform(c[:, 0], c[:, 1])))

    counts, cells, shares = [], [], []
    for polygon in polygons_lonlat:  # one per indoor version (a handful), not per point
        touching = np.asarray(geometry_to_cells(polygon, res, containment_mode=ContainmentMode.IntersectsBoundary),
                              dtype=np.uint64)
        if len(touching) == 0:  # smaller than a cell and touching none of its edges
            lon, lat = shapely.get_coordinates(polygon.representative_point())[0]
            touching = cells_of(np.array([lon]), np.array([lat]), res)
        candidates = np.unique(np.asarray(grid_disk(touching, 1, flatten=True), dtype=np.uint64))
        area = project(polygon)
        surface = shapely.area(shapely.intersection(project(cell_polygons(candidates)), area))
        keep = surface > 0
        counts.append(int(keep.sum()))
        cells.append(candidates[keep])
        shares.append(surface[keep] / surface[keep].sum())
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return CellCover(offsets, np.concatenate(cells).astype(np.uint64), np.concatenate(shares))


@dataclass(frozen=True, slots=True)
class IndoorStays:
    """Indoor stays, one row per (gap, indoor version) that counts it.

    ``gap`` numbers the gaps (rows of one gap share it); ``patrol`` are the
    gap's patrol codes; ``t0``/``t1`` the gap's ends (epoch seconds);
    ``indoor`` indexes :class:`IndoorAreas`; ``weight`` is 1 divided by the
    number of equally near areas of that gap (the weights of one gap sum to
    1, so cells and totals count each stay once).
    """

    gap: np.ndarray
    patrol: np.ndarray
    t0: np.ndarray
    t1: np.ndarray
    indoor: np.ndarray
    weight: np.ndarray

    def __len__(self) -> int:
        return len(self.t0)

    @classmethod
    def none(cls) -> IndoorStays:
        """No stays."""
        return cls(gap=np.zeros(0, np.int64), patrol=np.zeros(0, np.int64), t0=np.zeros(0), t1=np.zeros(0),
                   indoor=np.zeros(0, np.int64), weight=np.zeros(0))


def find_stays(gaps: Gaps, indoor: IndoorAreas, *, max_indoor_gap_s: float = MAX_INDOOR_GAP_S,
               reach_m: float = INDOOR_REACH_M) -> IndoorStays:
    """Which of ``gaps`` are indoor stays, and in which indoor versions.

    ``gaps`` are the gaps longer than ``max_gap`` (``Segments``' patrol codes,
    EPSG:25832 ends); only those of at most ``max_indoor_gap_s`` seconds count.
    """
    if max_indoor_gap_s <= 0:
        raise ValueError(f"max_indoor_gap_s must be > 0 seconds; got {max_indoor_gap_s}")
    if len(indoor) == 0 or len(gaps) == 0:
        return IndoorStays.none()
    short = np.flatnonzero(gaps.t1 - gaps.t0 <= max_indoor_gap_s)
    before = shapely.points(gaps.x0[short], gaps.y0[short])
    after = shapely.points(gaps.x1[short], gaps.y1[short])
    tree = shapely.STRtree(indoor.polygons)
    g0, a0 = tree.query(before, predicate="dwithin", distance=reach_m)
    g1, a1 = tree.query(after, predicate="dwithin", distance=reach_m)
    n_areas = len(indoor)
    both, i0, i1 = np.intersect1d(g0 * n_areas + a0, g1 * n_areas + a1, assume_unique=True, return_indices=True)
    g, a = both // n_areas, both % n_areas
    t0 = gaps.t0[short][g]
    valid = (t0 >= indoor.valid_from[a]) & (t0 < indoor.valid_to[a])
    g, a = g[valid], a[valid]
    if len(g) == 0:
        return IndoorStays.none()
    nearness = np.maximum(shapely.distance(before[g], indoor.polygons[a]),
                          shapely.distance(after[g], indoor.polygons[a]))
    nearest = np.full(len(short), np.inf)
    np.minimum.at(nearest, g, nearness)
    chosen = nearness == nearest[g]
    g, a = g[chosen], a[chosen]
    tied = np.bincount(g, minlength=len(short))[g]
    gap = short[g]
    return IndoorStays(gap=gap.astype(np.int64), patrol=gaps.patrol[gap], t0=gaps.t0[gap], t1=gaps.t1[gap],
                       indoor=a.astype(np.int64), weight=1.0 / tied)


@dataclass(frozen=True, slots=True)
class HourPieces:
    """Stays cut at UTC hour boundaries: ``stay`` indexes the stays, ``hour_utc`` is the
    start of the piece's UTC hour (epoch s, int64), ``t0``/``t1`` its ends (epoch s)."""

    stay: np.ndarray
    hour_utc: np.ndarray
    t0: np.ndarray
    t1: np.ndarray

    @property
    def seconds(self) -> np.ndarray:
        return self.t1 - self.t0


def split_by_hour(t0: np.ndarray, t1: np.ndarray) -> HourPieces:
    """Cut each interval [t0, t1) (epoch seconds, t1 > t0) at every UTC hour boundary."""
    first = np.floor(t0 / _HOUR_S).astype(np.int64)
    last = np.ceil(t1 / _HOUR_S).astype(np.int64) - 1  # the last hour that starts before t1
    n = np.maximum(last - first + 1, 1)
    stay = np.repeat(np.arange(len(t0), dtype=np.int64), n)
    step = np.arange(len(stay), dtype=np.int64) - np.repeat(np.cumsum(n) - n, n)
    hour = (first[stay] + step) * _HOUR_S
    return HourPieces(stay=stay, hour_utc=hour, t0=np.maximum(t0[stay], hour), t1=np.minimum(t1[stay], hour + _HOUR_S))


@dataclass(frozen=True, slots=True)
class AreaStayPieces:
    """Stay pieces per area version: ``patrol`` codes, ``version`` (index of all
    versions), ``hour_utc`` (epoch s), ``seconds`` (patrol-seconds) and the
    piece's ``t0``/``t1`` (epoch s, for visits)."""

    patrol: np.ndarray
    version: np.ndarray
    hour_utc: np.ndarray
    seconds: np.ndarray
    t0: np.ndarray
    t1: np.ndarray


def area_pieces(stays: IndoorStays, indoor: IndoorAreas, valid_from: np.ndarray, valid_to: np.ndarray) -> AreaStayPieces:
    """Every stay in the areas it counts in, cut at UTC hours.

    The indoor areas that take a stay count it in full; every other version
    (``valid_from``/``valid_to``: epoch seconds of all versions) valid at the
    gap start that overlaps them counts the stay times the overlapping share
    of their surface (summed over a gap's equally near areas, by weight).
    """
    taken = indoor.version[stays.indoor]
    n_versions = len(valid_from)
    cover = indoor.overlaps
    counts = (cover.offsets[1:] - cover.offsets[:-1])[stays.indoor]
    row = np.repeat(np.arange(len(stays), dtype=np.int64), counts)
    position = np.repeat(cover.offsets[:-1][stays.indoor], counts) + (
        np.arange(len(row), dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts))
    other = cover.version[position]
    key = stays.gap[row] * n_versions + other
    start = stays.t0[row]
    keep = (start >= valid_from[other]) & (start < valid_to[other]) & ~np.isin(key, stays.gap * n_versions + taken)
    keys, first, inverse = np.unique(key[keep], return_index=True, return_inverse=True)
    share = np.bincount(inverse, weights=(stays.weight[row] * cover.share[position])[keep], minlength=len(keys))
    source = row[keep][first]  # a stay row of that gap, for its patrol and times
    rows = np.concatenate([np.arange(len(stays), dtype=np.int64), source])
    version = np.concatenate([taken, keys % n_versions if len(keys) else np.zeros(0, np.int64)])
    factor = np.concatenate([np.ones(len(stays)), share])
    hours = split_by_hour(stays.t0[rows], stays.t1[rows])
    return AreaStayPieces(
        patrol=stays.patrol[rows][hours.stay],
        version=version[hours.stay].astype(np.int64),
        hour_utc=hours.hour_utc,
        seconds=hours.seconds * factor[hours.stay],
        t0=hours.t0,
        t1=hours.t1,
    )


@dataclass(frozen=True, slots=True)
class CellStayPieces:
    """Stay pieces per H3 cell at one resolution: ``patrol`` codes, ``cell`` (uint64),
    ``hour_utc`` (epoch s), ``seconds`` (patrol-seconds) and the stay's ``t0``/``t1`` (epoch s)."""

    patrol: np.ndarray
    cell: np.ndarray
    hour_utc: np.ndarray
    seconds: np.ndarray
    t0: np.ndarray
    t1: np.ndarray


def cell_pieces(stays: IndoorStays, indoor: IndoorAreas, res: int) -> CellStayPieces:
    """Every hour piece of every stay, spread over the cells its area covers at ``res``."""
    cover = indoor.cells[res]
    hours = split_by_hour(stays.t0, stays.t1)
    area = stays.indoor[hours.stay]
    n_cells = (cover.offsets[1:] - cover.offsets[:-1])[area]
    piece = np.repeat(np.arange(len(area), dtype=np.int64), n_cells)
    position = np.repeat(cover.offsets[:-1][area], n_cells) + (
        np.arange(len(piece), dtype=np.int64) - np.repeat(np.cumsum(n_cells) - n_cells, n_cells))
    stay = hours.stay[piece]
    return CellStayPieces(
        patrol=stays.patrol[stay],
        cell=cover.cell[position],
        hour_utc=hours.hour_utc[piece],
        seconds=hours.seconds[piece] * stays.weight[stay] * cover.share[position],
        t0=hours.t0[piece],
        t1=hours.t1[piece],
    )
