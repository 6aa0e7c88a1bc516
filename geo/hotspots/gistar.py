"""Space-time Getis–Ord Gi* per cell and period, with FDR-corrected significance.

Observation ``(cell c, period t)`` is row ``c * n_periods + t``. Its
neighbourhood (binary weights, itself included: Gi*) is every cell within
``k`` H3 rings in period ``t`` and in each of the ``time_lag`` previous periods
(ESRI's space-time Gi*; R sfdep does the same). The statistic is computed over
the whole cube at once, so every cell-period is compared with the mean and
variance of all of them, by :class:`esda.G_Local` (``star=True``, binary):

    z_i = (Σ_j w_ij x_j − x̄ W_i) / (s √((n W_i − W_i²) / (n − 1)))

with ``W_i = Σ_j w_ij``, ``x̄`` and ``s`` the mean and (population) standard
deviation of all ``n`` counts — the Getis & Ord (1995) z-score ESRI uses.

p-values are two-sided: from the normal distribution of z by default
(``permutations=0``, as ESRI's tool), or from esda's conditional
permutations (seeded) when ``permutations > 0``; pseudo p-values cannot go
below 1/(permutations+1), which limits what the FDR step can find with many
cell-periods, hence the analytic default. Significance across all cell-periods
is decided with the Benjamini–Hochberg false discovery rate (:func:`esda.fdr`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from esda import fdr
from esda.getisord import G_Local
from libpysal.graph import Graph
from scipy import stats

PERMUTATIONS = 0
"""Default number of conditional permutations (0 = analytic normal p-values, as ESRI)."""

SEED = 42
"""Default seed of the permutations."""

ALPHA = 0.05
"""Default significance level (false discovery rate) of a hot or cold spot and of a trend."""


@dataclass(frozen=True, slots=True)
class GiStar:
    """Gi* of every cell-period.

    Attributes
    ----------
    z
        Gi* z-scores, float64 (n_cells, n_periods).
    p
        Two-sided p-values (n_cells, n_periods).
    significant
        Boolean (n_cells, n_periods): p at or below the Benjamini–Hochberg
        threshold for ``alpha`` over all cell-periods.
    """

    z: np.ndarray
    p: np.ndarray
    significant: np.ndarray

    @property
    def hot(self) -> np.ndarray:
        """Significant hot spots (z > 0)."""
        return self.significant & (self.z > 0)

    @property
    def cold(self) -> np.ndarray:
        """Significant cold spots (z < 0)."""
        return self.significant & (self.z < 0)


def space_time_weights(pairs: tuple[np.ndarray, np.ndarray], *, n_cells: int, n_periods: int,
                       time_lag: int) -> sp.csr_matrix:
    """Binary space-time weights, (n_cells·n_periods)², self included.

    ``pairs`` are spatial neighbour index pairs ``(i, j)`` (i == j included,
    from :func:`geo.engine.cells.ring_pairs`); row ``(i, t)`` gets a 1 at
    ``(j, t − l)`` for ``l = 0 … time_lag`` where ``t − l ≥ 0``.
    """
    if time_lag < 0:
        raise ValueError(f"time_lag must be 0 or more periods; got {time_lag}")
    si, sj = (np.asarray(a, dtype=np.int64) for a in pairs)
    rows, cols = [], []
    for lag in range(min(time_lag, n_periods - 1) + 1):  # one step per lag, vectorised over pairs × periods
        t = np.arange(lag, n_periods, dtype=np.int64)
        rows.append((si[:, None] * n_periods + t[None, :]).ravel())
        cols.append((sj[:, None] * n_periods + (t - lag)[None, :]).ravel())
    n = n_cells * n_periods
    row, col = np.concatenate(rows), np.concatenate(cols)
    return sp.csr_matrix((np.ones(len(row)), (row, col)), shape=(n, n))


def gi_star(counts: np.ndarray, weights: sp.csr_matrix, *, alpha: float = ALPHA,
            permutations: int = PERMUTATIONS, seed: int = SEED) -> GiStar:
    """Gi* z, p and FDR significance of the (n_cells, n_periods) ``counts`` under ``weights``."""
    counts = np.asarray(counts, dtype=np.float64)
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1; got {alpha}")
    if permutations < 0:
        raise ValueError(f"permutations must be 0 or more; got {permutations}")
    y = counts.ravel()
    if y.size < 2 or np.all(y == y[0]):
        raise ValueError("Gi* needs at least two cell-periods with different counts")
    graph = Graph.from_sparse(weights.tocsr())
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        # a neighbourhood of the whole cube has no variance (z NaN); esda warns that its
        # permutation p will become two-sided: we double the directed p ourselves below
        warnings.filterwarnings("ignore", message="The alternative hypothesis", category=DeprecationWarning)
        stat = G_Local(y, graph, transform="B", star=True, permutations=permutations, seed=seed,
                       keep_simulations=False, n_jobs=1)
    z = np.asarray(stat.Zs, dtype=np.float64)
    if permutations:
        p = np.minimum(1.0, 2.0 * np.asarray(stat.p_sim, dtype=np.float64))
    else:
        p = 2.0 * stats.norm.sf(np.abs(z))
    p = np.where(np.isfinite(z), p, np.nan)
    tested = np.isfinite(p)
    threshold = fdr(p[tested], alpha) if tested.any() else 0.0
    significant = tested & (np.nan_to_num(p, nan=1.0) <= threshold)
    shape = counts.shape
    return GiStar(z.reshape(shape), p.reshape(shape), significant.reshape(shape))
