"""Hot-spot category colours: ESRI's warm/cool convention, and every pair clearly apart."""

from __future__ import annotations

import itertools

import numpy as np

from geo.hotspots.classify import CATEGORIES
from geo.hotspots.maps import CATEGORY_COLOURS

MIN_DELTA_E = 15.0


def _lab(colour: str) -> np.ndarray:
    """CIE L*a*b* (D65) of an sRGB ``#rrggbb`` colour."""
    rgb = np.array([int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    linear = np.where(rgb > 0.04045, ((rgb + 0.055) / 1.055) ** 2.4, rgb / 12.92)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ linear
    xyz /= np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def test_lab_of_known_colours():
    assert np.allclose(_lab("#ffffff"), [100, 0, 0], atol=0.1)
    assert np.allclose(_lab("#ff0000"), [53.24, 80.09, 67.20], atol=0.1)


def test_every_category_has_its_own_colour_far_from_every_other():
    assert set(CATEGORY_COLOURS) == set(CATEGORIES)
    closest = min((float(np.linalg.norm(_lab(CATEGORY_COLOURS[a]) - _lab(CATEGORY_COLOURS[b]))), a, b)
                  for a, b in itertools.combinations(CATEGORY_COLOURS, 2))
    assert closest[0] >= MIN_DELTA_E, closest


def test_hot_spots_are_warm_and_cold_spots_cool():
    for category, colour in CATEGORY_COLOURS.items():
        _, a, b = _lab(colour)
        if category.endswith("_hot") and category != "oscillating_hot":
            assert a + b > 0, category  # red/orange/yellow side
        if category.endswith("_cold"):
            assert b < 0, category  # blue side
