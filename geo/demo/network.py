"""A walking graph and the shortest paths between a fixed set of waypoints.

The graph is built from street linestrings: consecutive vertices become
edges, ways are joined where they share a coordinate, edge lengths are metres
in EPSG:25832. Only the largest connected component is kept.

Shortest paths between the waypoints are computed once (one Dijkstra run per
waypoint, scipy.sparse.csgraph); a path's geometry is rebuilt on first use and
cached, so a patrol's route is a concatenation of cached arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
import shapely
from pyproj import Transformer
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

from geo.schema import MEASURE_CRS, STORE_CRS

_TO_MEASURE = Transformer.from_crs(STORE_CRS, MEASURE_CRS, always_xy=True)
_TO_STORE = Transformer.from_crs(MEASURE_CRS, STORE_CRS, always_xy=True)


@dataclass(frozen=True, eq=False)
class WalkGraph:
    """Undirected walking graph.

    Attributes
    ----------
    xy
        Node coordinates (n, 2), metres, EPSG:25832.
    lonlat
        The same nodes (n, 2), degrees, EPSG:4326.
    lengths
        Symmetric sparse (n, n) matrix of edge lengths, metres.
    """

    xy: np.ndarray
    lonlat: np.ndarray
    lengths: sp.csr_matrix
    _tree: cKDTree = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_tree", cKDTree(self.xy))

    @property
    def n_nodes(self) -> int:
        return len(self.xy)

    def nearest_nodes(self, xy: np.ndarray) -> np.ndarray:
        """Index of the node nearest to each point (m, 2), metres EPSG:25832."""
        return self._tree.query(np.asarray(xy, dtype=float).reshape(-1, 2))[1]

    def distance_to_nodes(self, xy: np.ndarray) -> np.ndarray:
        """Distance from each point (m, 2) to its nearest node, metres."""
        return self._tree.query(np.asarray(xy, dtype=float).reshape(-1, 2))[0]


def graph_from_lines(lines: np.ndarray) -> WalkGraph:
    """Walking graph from LineStrings in EPSG:4326 (largest component only).

    Ways are joined where they share an exact coordinate (OSM shared nodes).
    """
    lonlat, part = shapely.get_coordinates(np.asarray(lines), return_index=True)
    nodes, inverse = np.unique(lonlat, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    same_line = part[1:] == part[:-1]
    edges = np.stack([inverse[:-1][same_line], inverse[1:][same_line]], axis=1)
    x, y = _TO_MEASURE.transform(nodes[:, 0], nodes[:, 1])
    return graph_from_edges(np.column_stack([x, y]), nodes, edges)


def graph_from_edges(xy: np.ndarray, lonlat: np.ndarray, edges: np.ndarray) -> WalkGraph:
    """Walking graph from node coordinates and (m, 2) node-index pairs.

    Self-loops and duplicate edges are dropped; lengths are straight-line
    metres between the nodes (EPSG:25832). Keeps the largest component.
    """
    edges = np.sort(np.asarray(edges, dtype=np.int64), axis=1)
    edges = np.unique(edges[edges[:, 0] != edges[:, 1]], axis=0)
    n = len(xy)
    lengths = np.hypot(*(xy[edges[:, 0]] - xy[edges[:, 1]]).T)
    keep = lengths > 0
    edges, lengths = edges[keep], lengths[keep]
    matrix = sp.coo_matrix((lengths, (edges[:, 0], edges[:, 1])), shape=(n, n)).tocsr()
    matrix = (matrix + matrix.T).tocsr()
    _, label = csgraph.connected_components(matrix, directed=False)
    largest = np.flatnonzero(label == np.bincount(label).argmax())
    matrix = matrix[largest][:, largest].tocsr()
    return WalkGraph(xy=xy[largest], lonlat=lonlat[largest], lengths=matrix)


@dataclass(frozen=True, slots=True)
class PathGeometry:
    """A walked path: vertices in lon/lat degrees and cumulative length in metres."""

    lon: np.ndarray
    lat: np.ndarray
    distance: np.ndarray

    @property
    def length(self) -> float:
        return float(self.distance[-1])


class RouteTable:
    """Shortest paths between every pair of a fixed set of waypoint nodes.

    Parameters
    ----------
    graph
        The walking graph.
    nodes
        Node indices of the waypoints (k,). Waypoints are addressed 0..k-1.
    """

    def __init__(self, graph: WalkGraph, nodes: np.ndarray) -> None:
        self.graph = graph
        self.nodes = np.asarray(nodes, dtype=np.int64)
        dist, pred = csgraph.dijkstra(
            graph.lengths, directed=False, indices=self.nodes, return_predecessors=True
        )
        self.distance: np.ndarray = dist[:, self.nodes]
        """(k, k) shortest walking distance between waypoints, metres."""
        if not np.isfinite(self.distance).all():
            raise ValueError("every waypoint must be reachable from every other; pick nodes of one component")
        self._pred = pred.astype(np.int32)
        self._cache: dict[tuple[int, int], PathGeometry] = {}

    @property
    def n_waypoints(self) -> int:
        return len(self.nodes)

    @property
    def lonlat(self) -> np.ndarray:
        """Waypoint positions (k, 2), degrees EPSG:4326."""
        return self.graph.lonlat[self.nodes]

    @property
    def xy(self) -> np.ndarray:
        """Waypoint positions (k, 2), metres EPSG:25832."""
        return self.graph.xy[self.nodes]

    def path(self, i: int, j: int) -> PathGeometry:
        """Geometry of the shortest walk from waypoint ``i`` to waypoint ``j``."""
        key = (i, j)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._build(i, j)
        return found

    def _build(self, i: int, j: int) -> PathGeometry:
        pred = self._pred[i]
        source = self.nodes[i]
        node = self.nodes[j]
        sequence = [node]
        while node != source:
            node = pred[node]
            sequence.append(node)
        index = np.array(sequence[::-1], dtype=np.int64)
        xy = self.graph.xy[index]
        step = np.hypot(*np.diff(xy, axis=0).T) if len(index) > 1 else np.zeros(0)
        distance = np.concatenate([[0.0], np.cumsum(step)])
        lonlat = self.graph.lonlat[index]
        return PathGeometry(lon=lonlat[:, 0].copy(), lat=lonlat[:, 1].copy(), distance=distance)


def to_lonlat(xy: np.ndarray) -> np.ndarray:
    """Points (n, 2) from metres EPSG:25832 to degrees EPSG:4326."""
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    lon, lat = _TO_STORE.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([lon, lat])


def to_xy(lonlat: np.ndarray) -> np.ndarray:
    """Points (n, 2) from degrees EPSG:4326 to metres EPSG:25832."""
    lonlat = np.asarray(lonlat, dtype=float).reshape(-1, 2)
    x, y = _TO_MEASURE.transform(lonlat[:, 0], lonlat[:, 1])
    return np.column_stack([x, y])
