"""Encounters (kontakter) of one patrol: where, when and with whom.

Encounters happen while the patrol stands still (stops and garage visits):
each stop yields a Poisson number of encounters proportional to its length and
to the need (hotspot intensity) at the place that day. An encounter lies at the
patrol's position (inside the garage for garage visits), scattered a few
metres, at a uniform time within the stop.

Attributes follow Uteseksjonen's published 2023 key figures (1,977 people):
654 new contacts (33 %), 239 of them under 18 (37 %); 1,180 under 25 (60 %);
721 from outside Oslo (36 %). The demo has no persons, so these are shares of
encounters. Categories use :class:`geo.schema.Category`; "concern for a
minor" only for under-18s, "pregnant and using" never for them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from geo.demo.route import Itinerary, Stay
from geo.demo.tracks import METRES_PER_DEGREE_LAT
from geo.demo.world import Beat
from geo.schema import AgeGroup, Category, YesNoUnknown

ENCOUNTERS_PER_NEED_MINUTE = 0.32
"""Expected encounters per minute of standing still where the need is 1.0."""

ENCOUNTER_SCATTER_M = 8.0
"""Standard deviation of an encounter's distance from the patrol, metres."""

NEW_CONTACT_SHARE = 654 / 1977
"""Share of encounters with a new contact (2023: 654 of 1,977)."""

AGE_GIVEN_NEW: dict[AgeGroup, float] = {
    AgeGroup.UNDER_18: 239 / 654,
    AgeGroup.AGE_18_23: 0.315,
    AgeGroup.AGE_24_25: 0.080,
    AgeGroup.AGE_26_PLUS: 1 - 239 / 654 - 0.315 - 0.080,
}
"""Age of new contacts, known ages (2023: 239 of 654 new contacts under 18)."""

AGE_GIVEN_KNOWN: dict[AgeGroup, float] = {
    AgeGroup.UNDER_18: 0.085,
    AgeGroup.AGE_18_23: 0.385,
    AgeGroup.AGE_24_25: 0.140,
    AgeGroup.AGE_26_PLUS: 0.390,
}
"""Age of people already known, known ages; with :data:`AGE_GIVEN_NEW` about 60 %
are under 25 (counting half of the 24–25 group)."""

UNKNOWN_AGE_SHARE = 0.03
"""Share of encounters where the age is not recorded."""

FROM_OUTSIDE_OSLO_SHARES: dict[YesNoUnknown, float] = {
    YesNoUnknown.YES: 721 / 1977,
    YesNoUnknown.NO: 1 - 721 / 1977 - 0.05,
    YesNoUnknown.UNKNOWN: 0.05,
}
"""Where the people met live (2023: 721 of 1,977 from outside Oslo)."""

CATEGORY_SHARES_ADULT: dict[Category, float] = {
    Category.CONVERSATION: 0.550,
    Category.WELFARE_CHECK: 0.170,
    Category.REFERRAL: 0.100,
    Category.ACUTE_HELP: 0.035,
    Category.MINOR_CONCERN: 0.0,
    Category.PREGNANT_USING: 0.007,
    Category.MENTAL_ILLNESS: 0.045,
    Category.VIOLENCE: 0.023,
    Category.OTHER: 0.070,
}
"""Categories of encounters with people 18 or older (or of unknown age)."""

CATEGORY_SHARES_MINOR: dict[Category, float] = {
    Category.CONVERSATION: 0.520,
    Category.WELFARE_CHECK: 0.140,
    Category.REFERRAL: 0.100,
    Category.ACUTE_HELP: 0.015,
    Category.MINOR_CONCERN: 0.140,
    Category.PREGNANT_USING: 0.0,
    Category.MENTAL_ILLNESS: 0.020,
    Category.VIOLENCE: 0.025,
    Category.OTHER: 0.040,
}
"""Categories of encounters with people under 18."""

PEOPLE_SHARES: dict[int, float] = {1: 0.80, 2: 0.13, 3: 0.05, 4: 0.02}
"""Number of people met in one encounter."""

NO_PATROL_ID_SHARE = 0.03
"""Share of encounters registered without their patrol."""


@dataclass(frozen=True, eq=False)
class EncounterSample:
    """Encounters of one patrol (arrays of equal length).

    ``t_s`` seconds since the patrol's first field point; ``lon``/``lat``
    degrees (EPSG:4326); coded values as :mod:`geo.schema` strings.
    """

    t_s: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    category: np.ndarray
    age_group: np.ndarray
    new_contact: np.ndarray
    from_outside_oslo: np.ndarray
    people: np.ndarray
    has_patrol: np.ndarray

    def __len__(self) -> int:
        return len(self.t_s)


def draw_encounters(rng: np.random.Generator, itinerary: Itinerary, beat: Beat, need: np.ndarray) -> EncounterSample:
    """Encounters during the stops of ``itinerary``; ``need`` is (k,) intensity per waypoint."""
    standing = (itinerary.stay == Stay.STOP) | (itinerary.stay == Stay.GARAGE)
    standing &= itinerary.arrive_s < itinerary.duration_s
    arrive = itinerary.arrive_s[standing]
    depart = np.minimum(itinerary.depart_s[standing], itinerary.duration_s)
    where = itinerary.waypoints[standing]
    expected = ENCOUNTERS_PER_NEED_MINUTE * need[where] * (depart - arrive) / 60.0
    count = rng.poisson(expected)
    stop = np.repeat(np.arange(len(where)), count)
    n = len(stop)

    t_s = arrive[stop] + rng.random(n) * (depart - arrive)[stop]
    order = np.argsort(t_s, kind="stable")
    t_s, stop = t_s[order], stop[order]
    base = beat.inside_lonlat[where[stop]]
    east, north = rng.normal(0.0, ENCOUNTER_SCATTER_M, size=(2, n))
    lat = base[:, 1] + north / METRES_PER_DEGREE_LAT
    lon = base[:, 0] + east / (METRES_PER_DEGREE_LAT * np.cos(np.radians(base[:, 1])))

    new = rng.random(n) < NEW_CONTACT_SHARE
    age = np.where(new, _draw(rng, AGE_GIVEN_NEW, n), _draw(rng, AGE_GIVEN_KNOWN, n))
    age = np.where(rng.random(n) < UNKNOWN_AGE_SHARE, AgeGroup.UNKNOWN.value, age)
    minor = age == AgeGroup.UNDER_18.value
    category = np.where(minor, _draw(rng, CATEGORY_SHARES_MINOR, n), _draw(rng, CATEGORY_SHARES_ADULT, n))
    return EncounterSample(
        t_s=t_s,
        lon=np.round(lon, 6),
        lat=np.round(lat, 6),
        category=category,
        age_group=age,
        new_contact=new,
        from_outside_oslo=_draw(rng, FROM_OUTSIDE_OSLO_SHARES, n),
        people=_draw(rng, PEOPLE_SHARES, n).astype(np.int64),
        has_patrol=rng.random(n) >= NO_PATROL_ID_SHARE,
    )


def _draw(rng: np.random.Generator, shares: dict, n: int) -> np.ndarray:
    """``n`` values drawn with the given shares (values as plain str/int)."""
    values = np.array([v.value if hasattr(v, "value") else v for v in shares])
    p = np.array(list(shares.values()), dtype=float)
    index = np.searchsorted(np.cumsum(p / p.sum()), rng.random(n), side="right")
    return values[np.minimum(index, len(values) - 1)]
