"""Space-time Gi* against hand computations on tiny grids, and the FDR step."""

from __future__ import annotations

import h3
import numpy as np
import pytest
from numpy.testing import assert_allclose

from geo.engine.cells import ring_pairs
from geo.hotspots.gistar import gi_star, space_time_weights

# three cells in a row (0 – 1 – 2), each its own neighbour too
LINE = (np.array([0, 0, 1, 1, 1, 2, 2]), np.array([0, 1, 0, 1, 2, 1, 2]))


def test_space_time_weights_reach_back_time_lag_periods():
    w = space_time_weights(LINE, n_cells=3, n_periods=2, time_lag=1).toarray()
    # row (cell c, period t) = 2c + t
    expected = np.array([
        [1, 0, 1, 0, 0, 0],  # (0, t0): cells 0, 1 in t0
        [1, 1, 1, 1, 0, 0],  # (0, t1): cells 0, 1 in t1 and t0
        [1, 0, 1, 0, 1, 0],
        [1, 1, 1, 1, 1, 1],
        [0, 0, 1, 0, 1, 0],
        [0, 0, 1, 1, 1, 1],
    ])
    assert_allclose(w, expected)


def test_time_lag_zero_is_purely_spatial():
    w = space_time_weights(LINE, n_cells=3, n_periods=2, time_lag=0).toarray()
    assert w[1].tolist() == [0, 1, 0, 1, 0, 0]


def test_gi_star_equals_hand_computation_on_a_line_of_three_cells():
    counts = np.array([[1, 4], [2, 6], [0, 3]])
    # n = 6, mean 8/3, population variance 66/6 − (8/3)² = 35/9, s = √35 / 3
    # (0, t0): Σwx = 1 + 2 = 3, W = 2: (3 − 16/3) / (√35/3 · √((12 − 4)/5)) = −7/√56
    # (0, t1): Σwx = 4 + 6 + 1 + 2 = 13, W = 4: (13 − 32/3) / (√35/3 · √((24 − 16)/5)) = 7/√56
    # (1, t0): Σwx = 3, W = 3: (3 − 8) / (√35/3 · √((18 − 9)/5)) = −15/√63
    gi = gi_star(counts, space_time_weights(LINE, n_cells=3, n_periods=2, time_lag=1))
    assert_allclose([gi.z[0, 0], gi.z[0, 1], gi.z[1, 0]], [-7 / np.sqrt(56), 7 / np.sqrt(56), -15 / np.sqrt(63)])
    assert np.isnan(gi.z[1, 1])  # its neighbourhood is the whole cube: no variance to compare with
    assert not gi.significant[1, 1]


def test_gi_star_equals_hand_computation_on_h3_rings():
    centre = h3.latlng_to_cell(59.9127, 10.7565, 9)
    cells = np.unique(np.asarray([h3.str_to_int(c) for c in h3.grid_disk(centre, 2)], dtype=np.uint64))
    ring1 = {h3.str_to_int(c) for c in h3.grid_disk(centre, 1)} - {h3.str_to_int(centre)}
    counts = np.array([[12] if c == h3.str_to_int(centre) else [0] if int(c) in ring1 else [1] for c in cells])
    pairs = ring_pairs(cells, 1)
    gi = gi_star(counts, space_time_weights(pairs, n_cells=len(cells), n_periods=1, time_lag=0))
    i = int(np.flatnonzero(cells == h3.str_to_int(centre))[0])
    # n = 19 cells, Σx = 24, Σx² = 156: mean 24/19, s² = 156/19 − (24/19)² = 2388/361
    # centre: Σwx = 12, W = 7: (12 − 7·24/19) / (√2388/19 · √((19·7 − 49)/18)) = 60 / √(2388 · 84/18)
    assert_allclose(gi.z[i, 0], 60 / np.sqrt(2388 * 84 / 18))
    assert_allclose(gi.p[i, 0], 0.5697, atol=1e-4)  # two-sided normal p of z = 0.568
    assert len(cells) == 19 and np.bincount(pairs[0]).max() == 7


def test_fdr_keeps_only_what_survives_benjamini_hochberg():
    counts = np.full((40, 1), 2)
    counts[20:] = 3
    counts[:3, 0] = (9, 7, 6)  # three high cells among 40, each cell only its own neighbour
    pairs = (np.arange(40), np.arange(40))
    gi = gi_star(counts, space_time_weights(pairs, n_cells=40, n_periods=1, time_lag=0), alpha=0.05)
    assert gi.hot[0, 0] and gi.significant.sum() == 1
    # Benjamini–Hochberg by hand: the largest k with p_(k) ≤ k·α/m, then the k smallest p
    p_sorted = np.sort(gi.p.ravel())
    k = np.flatnonzero(p_sorted <= np.arange(1, 41) * 0.05 / 40).max() + 1
    assert gi.significant.sum() == k
    assert gi.significant.ravel()[np.argsort(gi.p.ravel())[:k]].all()
    assert (gi.p < 0.05).sum() == 3  # uncorrected, all three would pass


def test_permutations_are_seeded():
    rng = np.random.default_rng(1)
    counts = rng.poisson(3.0, size=(19, 4))
    cells = np.unique(np.asarray([h3.str_to_int(c) for c in h3.grid_disk(h3.latlng_to_cell(59.91, 10.75, 9), 2)],
                                 dtype=np.uint64))
    w = space_time_weights(ring_pairs(cells, 1), n_cells=19, n_periods=4, time_lag=1)
    a = gi_star(counts, w, permutations=99, seed=7)
    b = gi_star(counts, w, permutations=99, seed=7)
    c = gi_star(counts, w, permutations=99, seed=8)
    assert_allclose(a.p, b.p)
    assert not np.allclose(a.p, c.p)
    assert a.p.min() >= 2 / 100 - 1e-6  # two-sided pseudo p-values are at least 2/(permutations + 1)


def test_constant_counts_are_refused():
    with pytest.raises(ValueError, match="different counts"):
        gi_star(np.ones((3, 2)), space_time_weights(LINE, n_cells=3, n_periods=2, time_lag=1))


@pytest.mark.parametrize(("kwargs", "match"), [({"alpha": 0}, "alpha must be between 0 and 1"),
                                               ({"permutations": -1}, "permutations must be 0 or more")])
def test_bad_parameters_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        gi_star(np.array([[1, 2], [3, 4], [0, 0]]), space_time_weights(LINE, n_cells=3, n_periods=2, time_lag=1),
                **kwargs)


def test_negative_time_lag_is_refused():
    with pytest.raises(ValueError, match="time_lag must be 0 or more"):
        space_time_weights(LINE, n_cells=3, n_periods=2, time_lag=-1)
