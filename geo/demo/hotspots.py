"""Where the people the patrols meet are, and how that moves over the years.

A hotspot is a real place with a radius and an intensity per year: how many
encounters a patrol standing there has (relative units, 1.0 = the strongest
scene). Intensities are anchored at mid-year and interpolated linearly
between anchors, so scenes move gradually, as open drug scenes do: 2018–2019
strongest around Brugata/Storgata, 2020–2021 moving to Vaterland/Grønland,
2022–2024 the lower Akerselva and Urtegata growing; Oslo S persists and the
Kvadraturen scene (outside every field area) fades away.

Hotspot positions are lon/lat degrees (EPSG:4326) of named places; distances
are metres in EPSG:25832.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
from pyproj import Transformer

from geo.schema import MEASURE_CRS, STORE_CRS


@dataclass(frozen=True, slots=True)
class Hotspot:
    """A place where people gather.

    Attributes
    ----------
    name
        Short name (documentation only).
    lon, lat
        Centre, degrees (EPSG:4326).
    radius_m
        Standard deviation of the Gaussian fall-off, metres.
    intensity
        Relative encounter intensity at mid-year, by year.
    """

    name: str
    lon: float
    lat: float
    radius_m: float
    intensity: dict[int, float]


YEARS = tuple(range(2018, 2025))
"""Years with an intensity anchor (before and after, the nearest anchor holds)."""


def _by_year(values: tuple[float, ...]) -> dict[int, float]:
    return dict(zip(YEARS, values, strict=True))


HOTSPOTS: tuple[Hotspot, ...] = (
    Hotspot("Brugata/Lilletorget", 10.7549, 59.9140, 90.0,
            _by_year((1.00, 1.00, 0.55, 0.35, 0.30, 0.25, 0.25))),
    Hotspot("Vaterland/Grønland T", 10.7590, 59.9133, 100.0,
            _by_year((0.30, 0.45, 0.90, 1.00, 0.60, 0.45, 0.40))),
    Hotspot("Jernbanetorget/Oslo S", 10.7505, 59.9115, 90.0,
            _by_year((0.55, 0.55, 0.55, 0.55, 0.55, 0.55, 0.55))),
    Hotspot("Nedre Akerselva/Elvebakke", 10.7545, 59.9190, 120.0,
            _by_year((0.05, 0.05, 0.10, 0.20, 0.50, 0.80, 1.00))),
    Hotspot("Urtegata", 10.7646, 59.9144, 80.0,
            _by_year((0.05, 0.05, 0.08, 0.15, 0.35, 0.60, 0.75))),
    Hotspot("Kvadraturen/Skippergata", 10.7440, 59.9095, 120.0,
            _by_year((0.45, 0.30, 0.15, 0.08, 0.05, 0.03, 0.02))),
)
"""Hotspots of the centre (Uteseksjonen)."""

DISTRICT_HOTSPOT_RADIUS_M = 250.0
"""Radius of the one Hovseter hotspot (around the sub-district's centre), metres."""

DISTRICT_HOTSPOT_INTENSITY = 0.6
"""Constant intensity of the Hovseter hotspot."""

BACKGROUND_INTENSITY = 0.08
"""Intensity everywhere, on top of the hotspots (people are met anywhere)."""

GARAGE_INTENSITY = 0.35
"""Intensity inside a parking garage (people sheltering there)."""

EFFORT_LAG_DAYS = 240
"""Patrols choose where to go by the hotspots as they were this many days ago:
effort follows need with a delay, which the need-vs-effort views can show."""

_TO_MEASURE = Transformer.from_crs(STORE_CRS, MEASURE_CRS, always_xy=True)


def intensity_on(hotspots: tuple[Hotspot, ...], day: date) -> np.ndarray:
    """Intensity of each hotspot on ``day`` (linear between mid-year anchors)."""
    out = np.empty(len(hotspots))
    for i, spot in enumerate(hotspots):
        years = sorted(spot.intensity)
        anchors = [date(y, 7, 1).toordinal() for y in years]
        out[i] = np.interp(day.toordinal(), anchors, [spot.intensity[y] for y in years])
    return out


def kernel(hotspots: tuple[Hotspot, ...], xy: np.ndarray) -> np.ndarray:
    """Gaussian weight of each hotspot at each point.

    Parameters
    ----------
    xy
        Points (n, 2), metres in EPSG:25832.

    Returns
    -------
    (len(hotspots), n) array in [0, 1].
    """
    centres = np.array([_TO_MEASURE.transform(h.lon, h.lat) for h in hotspots]).reshape(-1, 2)
    radius = np.array([h.radius_m for h in hotspots]).reshape(-1, 1)
    d2 = ((xy[None, :, :] - centres[:, None, :]) ** 2).sum(axis=2)
    return np.exp(-0.5 * d2 / radius**2)
