"""The static world the demo patrols walk in, built once per process.

Two *beats*, one per team:

- the centre (Uteseksjonen): the real OSM walking network of central Oslo,
  with waypoints spread over every field area (all versions), at each
  hotspot, at the entrance of each parking garage and elsewhere in the centre;
- Hovseter (Vestre Aker): the street extract does not reach Hovseter, so the
  district team walks a *synthetic* network: random points inside the real
  sub-district polygon joined by the straight Delaunay edges that stay inside
  it.

For each beat the shortest paths between its waypoints are precomputed
(:class:`~geo.demo.network.RouteTable`); everything a patrol needs on a given
day (where to go, how busy each place is) is a small vector over waypoints.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

import geopandas as gpd
import numpy as np
import shapely
from scipy.spatial import Delaunay

from geo.demo import datafiles, hotspots
from geo.demo.areas import (
    CENTRE_FIELD_AREAS,
    GARAGES,
    TEAM_CENTRE,
    TEAM_DISTRICT,
    AreaVersion,
    area_versions_measured,
)
from geo.demo.hotspots import Hotspot
from geo.demo.network import (
    RouteTable,
    WalkGraph,
    graph_from_edges,
    graph_from_lines,
    to_lonlat,
    to_xy,
)
from geo.schema import MEASURE_CRS, STORE_CRS

WAYPOINTS_PER_AREA = 9
"""Waypoints spread over each centre field area (all versions together)."""

WAYPOINTS_ELSEWHERE = 18
"""Waypoints spread over the rest of the centre, outside every field area."""

CENTRE_EXTENT = (10.738, 59.906, 10.772, 59.924)
"""Part of the centre the patrols roam outside the field areas (lon/lat bbox, degrees)."""

AREA_MEMBERSHIP_TOLERANCE_M = 5.0
"""A waypoint this close to an area version counts as inside it, metres."""

DISTRICT_LAYOUT_SEED = 703
"""Seed of the synthetic Hovseter network (fixed: the beat is part of the world)."""

DISTRICT_NODES = 36
"""Random points inside Hovseter that make up its synthetic walking network."""

DISTRICT_EDGE_INSET_M = 10.0
"""A synthetic Hovseter edge must stay this far inside the polygon's boundary, metres."""


@dataclass(frozen=True, eq=False)
class Beat:
    """Where one team patrols.

    Attributes
    ----------
    team
        Team slug.
    routes
        Shortest paths between the beat's waypoints.
    is_garage
        (k,) True for a parking-garage entrance waypoint.
    inside_lonlat
        (k, 2) where people are met at a waypoint, degrees: the garage's own
        point for garages (inside the building), else the waypoint itself.
    area_membership
        (n_versions, k): waypoint lies in the street field-area version.
    version_from, version_to
        Validity of each area version as date ordinals (``to`` exclusive;
        a large number when open-ended).
    hotspot_list
        The hotspots that apply to this beat.
    hotspot_kernel
        (n_hotspots, k) Gaussian weight of each hotspot at each waypoint.
    """

    team: str
    routes: RouteTable
    is_garage: np.ndarray
    inside_lonlat: np.ndarray
    area_membership: np.ndarray
    version_from: np.ndarray
    version_to: np.ndarray
    hotspot_list: tuple[Hotspot, ...]
    hotspot_kernel: np.ndarray

    @property
    def garage_waypoints(self) -> np.ndarray:
        return np.flatnonzero(self.is_garage)

    def in_field_area(self, day: date) -> np.ndarray:
        """(k,) waypoint lies in a street field area valid on ``day``."""
        valid = (self.version_from <= day.toordinal()) & (day.toordinal() < self.version_to)
        if not valid.any():
            return np.zeros(self.routes.n_waypoints, dtype=bool)
        return self.area_membership[valid].any(axis=0)

    def need(self, day: date) -> np.ndarray:
        """(k,) encounter intensity at each waypoint on ``day`` (relative units)."""
        level = hotspots.intensity_on(self.hotspot_list, day) @ self.hotspot_kernel
        return hotspots.BACKGROUND_INTENSITY + np.where(self.is_garage, hotspots.GARAGE_INTENSITY, level)


@dataclass(frozen=True, eq=False)
class World:
    """Both beats, by team slug; and the centre's walking graph."""

    beats: dict[str, Beat]
    centre_graph: WalkGraph


@cache
def load_world() -> World:
    """Build (once per process) the world from the committed ``data/`` files."""
    versions = area_versions_measured()
    centre_graph = graph_from_lines(datafiles.read_streets().geometry.values)
    centre = _centre_beat(centre_graph, versions)
    district = _district_beat(versions)
    return World(beats={TEAM_CENTRE: centre, TEAM_DISTRICT: district}, centre_graph=centre_graph)


def _centre_beat(graph: WalkGraph, versions: tuple[AreaVersion, ...]) -> Beat:
    street_versions = [v for v in versions if v.area_id in CENTRE_FIELD_AREAS]
    chosen: list[int] = []
    for area_id in CENTRE_FIELD_AREAS:
        shape = shapely.union_all([v.geometry for v in street_versions if v.area_id == area_id])
        inside = np.flatnonzero(shapely.contains_xy(shape, graph.xy[:, 0], graph.xy[:, 1]))
        chosen.extend(_spread(graph.xy, inside, WAYPOINTS_PER_AREA, exclude=chosen))
    spot_xy = to_xy(np.array([[h.lon, h.lat] for h in hotspots.HOTSPOTS]))
    chosen.extend(int(n) for n in graph.nearest_nodes(spot_xy) if int(n) not in chosen)

    all_areas = shapely.union_all([v.geometry for v in versions if v.area_id in CENTRE_FIELD_AREAS])
    x0, y0, x1, y1 = CENTRE_EXTENT
    ll = graph.lonlat
    in_extent = (ll[:, 0] >= x0) & (ll[:, 0] <= x1) & (ll[:, 1] >= y0) & (ll[:, 1] <= y1)
    outside = in_extent & ~shapely.contains_xy(all_areas, graph.xy[:, 0], graph.xy[:, 1])
    chosen.extend(_spread(graph.xy, np.flatnonzero(outside), WAYPOINTS_ELSEWHERE, exclude=chosen))

    places = datafiles.read_places()
    garage_lonlat = np.array(
        [shapely.get_coordinates(places[places[datafiles.NAME] == g.osm_name].geometry.values)[0] for g in GARAGES]
    )
    entrances = graph.nearest_nodes(to_xy(garage_lonlat))
    entrance_set = {int(e) for e in entrances}
    street_nodes = [n for n in chosen if n not in entrance_set]
    nodes = np.array(street_nodes + [int(e) for e in entrances], dtype=np.int64)
    is_garage = np.zeros(len(nodes), dtype=bool)
    is_garage[len(street_nodes):] = True
    inside_lonlat = graph.lonlat[nodes].copy()
    inside_lonlat[is_garage] = garage_lonlat

    routes = RouteTable(graph, nodes)
    membership, v_from, v_to = _membership(street_versions, routes.xy)
    return Beat(
        team=TEAM_CENTRE,
        routes=routes,
        is_garage=is_garage,
        inside_lonlat=inside_lonlat,
        area_membership=membership,
        version_from=v_from,
        version_to=v_to,
        hotspot_list=hotspots.HOTSPOTS,
        hotspot_kernel=hotspots.kernel(hotspots.HOTSPOTS, routes.xy),
    )


def _district_beat(versions: tuple[AreaVersion, ...]) -> Beat:
    polygon = gpd.GeoSeries([datafiles.read_hovseter()], crs=STORE_CRS).to_crs(MEASURE_CRS).iloc[0]
    xy = _random_points_inside(polygon, DISTRICT_NODES, seed=DISTRICT_LAYOUT_SEED)
    triangles = Delaunay(xy).simplices
    edges = np.unique(
        np.sort(np.concatenate([triangles[:, [0, 1]], triangles[:, [1, 2]], triangles[:, [0, 2]]]), axis=1), axis=0
    )
    segments = shapely.linestrings(np.stack([xy[edges[:, 0]], xy[edges[:, 1]]], axis=1))
    keep = shapely.within(segments, polygon.buffer(-DISTRICT_EDGE_INSET_M))
    graph = graph_from_edges(xy, to_lonlat(xy), edges[keep])
    nodes = np.arange(graph.n_nodes)
    routes = RouteTable(graph, nodes)
    district_versions = [v for v in versions if v.team == TEAM_DISTRICT]
    membership, v_from, v_to = _membership(district_versions, routes.xy)
    centre = to_lonlat(np.array(polygon.representative_point().coords))[0]
    spot = Hotspot("Hovseter", float(centre[0]), float(centre[1]), hotspots.DISTRICT_HOTSPOT_RADIUS_M,
                   {hotspots.YEARS[0]: hotspots.DISTRICT_HOTSPOT_INTENSITY})
    return Beat(
        team=TEAM_DISTRICT,
        routes=routes,
        is_garage=np.zeros(graph.n_nodes, dtype=bool),
        inside_lonlat=graph.lonlat.copy(),
        area_membership=membership,
        version_from=v_from,
        version_to=v_to,
        hotspot_list=(spot,),
        hotspot_kernel=hotspots.kernel((spot,), routes.xy),
    )


def _spread(xy: np.ndarray, candidates: np.ndarray, k: int, *, exclude: list[int]) -> list[int]:
    """Pick ``k`` candidates spread out (farthest-point sampling, deterministic)."""
    candidates = np.setdiff1d(candidates, np.asarray(exclude, dtype=np.int64))
    if len(candidates) == 0:
        return []
    pts = xy[candidates]
    first = int(np.argmin(((pts - pts.mean(axis=0)) ** 2).sum(axis=1)))
    picked = [first]
    nearest = ((pts - pts[first]) ** 2).sum(axis=1)
    for _ in range(min(k, len(candidates)) - 1):
        nxt = int(np.argmax(nearest))
        picked.append(nxt)
        nearest = np.minimum(nearest, ((pts - pts[nxt]) ** 2).sum(axis=1))
    return [int(candidates[i]) for i in picked]


def _membership(
    versions: list[AreaVersion], xy: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    open_end = date.max.toordinal() + 1
    membership = np.array(
        [
            shapely.dwithin(v.geometry, shapely.points(xy), AREA_MEMBERSHIP_TOLERANCE_M)
            for v in versions
        ],
        dtype=bool,
    ).reshape(len(versions), len(xy))
    v_from = np.array([v.valid_from.toordinal() for v in versions], dtype=np.int64)
    v_to = np.array([v.valid_to.toordinal() if v.valid_to else open_end for v in versions], dtype=np.int64)
    return membership, v_from, v_to


def _random_points_inside(polygon: shapely.Geometry, n: int, *, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = polygon.bounds
    inner = polygon.buffer(-2 * DISTRICT_EDGE_INSET_M)
    out = np.empty((0, 2))
    while len(out) < n:
        cand = np.column_stack([rng.uniform(x0, x1, 4 * n), rng.uniform(y0, y1, 4 * n)])
        out = np.vstack([out, cand[shapely.contains_xy(inner, cand[:, 0], cand[:, 1])]])
    return out[:n]
