"""What needs a decision: the first screen's three lists (issue 15, item 8).

- **Areas not visited** in the last N days: :func:`geo.queries.places.areas_not_visited`
  with :data:`DEFAULT_UNVISITED_DAYS` (any visit of the selected patrols
  counts; with a team scope, only that team's areas are listed).
- **Largest changes** (:func:`largest_changes`): per field area, presence
  minutes, encounters and encounters per presence hour in the chosen period
  against its comparison period (``geo.queries.periods.comparison_for``, as
  the sidebar makes it), ranked by the size of the change in per cent. A
  change under :data:`~geo.queries.periods.SAME_LEVEL_PCT` is "about the same
  level" and never listed; a rate is compared only where both periods have at
  least :data:`~geo.queries.rates.MIN_PRESENCE_HOURS` of presence in the area.
- **Mismatched hours** (:func:`mismatched_hours`): the weekday × hour slots
  where the share of encounters and the share of presence differ most, as
  ``Tid på uka`` defines them (:func:`geo.queries.trends.time_of_week`).

Every list is built from the queries the other pages show, so a number here is
the number the linked page shows for the same selection.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.queries.columns import (
    AREA_ID,
    AREA_NAME,
    CHANGE,
    CHANGE_PCT,
    CURRENT,
    DIFFERENCE,
    ENCOUNTERS,
    ENCOUNTERS_PER_PRESENCE_HOUR,
    MEASURE,
    PRESENCE_MINUTES,
    PREVIOUS,
)
from geo.queries.filters import Filters
from geo.queries.periods import SAME_LEVEL_PCT
from geo.queries.places import presence_by_area
from geo.queries.rates import MIN_PRESENCE_HOURS, check_min_presence
from geo.queries.trends import DEFAULT_MIN_ENCOUNTERS, time_of_week
from geo.schema import OUTSIDE_AREA_ID
from geo.store.base import Store

DEFAULT_UNVISITED_DAYS = 14
"""Days without a visit after which an area is on the first screen: two weeks of patrols (about
70 in the centre) pass every field area several times, so two weeks without one is a choice."""

TOP_CHANGES = 5
"""Changes listed on the first screen (one per area)."""

TOP_HOURS = 3
"""Weekday × hour slots listed on the first screen."""

CHANGE_MEASURES = (ENCOUNTERS_PER_PRESENCE_HOUR, PRESENCE_MINUTES, ENCOUNTERS)
"""What may change, in the order that wins a tie: need against effort first."""

CHANGE_COLUMNS = [AREA_ID, AREA_NAME, MEASURE, CURRENT, PREVIOUS, CHANGE, CHANGE_PCT]


def largest_changes(store: Store, filters: Filters, compare: Filters, *, n: int = TOP_CHANGES,
                    min_presence_hours: float = MIN_PRESENCE_HOURS,
                    min_encounters: float = DEFAULT_MIN_ENCOUNTERS) -> pd.DataFrame:
    """The ``n`` field areas whose presence, encounters or rate changed most from ``compare`` to ``filters``.

    Per area (as :func:`~geo.queries.places.presence_by_area` lists them for
    ``filters``; encounters outside every area are left out) and measure of
    :data:`CHANGE_MEASURES`, the change is ``current − previous`` and
    ``change_pct`` its per cent of ``previous``. A pair counts only when:

    - ``|change_pct|`` is at least :data:`~geo.queries.periods.SAME_LEVEL_PCT`;
    - the per cent has a base that means something: ``presence_minutes``
      needs at least ``min_presence_hours`` of presence in the area in the
      comparison period, ``encounters`` at least ``min_encounters`` there
      (2 → 6 encounters is "+200 %" of chance), and
      ``encounters_per_presence_hour`` at least ``min_presence_hours`` in
      *both* periods (below it the rate is noise, and NaN) and a rate above 0
      before. From nothing there is no per cent: an area that was not
      visited is the unvisited list's business.

    Each area's largest pair (ties in :data:`CHANGE_MEASURES` order) is kept;
    the areas are ranked by ``|change_pct|``, then area id. Columns
    :data:`CHANGE_COLUMNS`: ``measure`` names the column of
    :func:`presence_by_area` (minutes; encounters per presence hour), and
    ``current``/``previous`` are its values in each period.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a whole number of areas, at least 1; got {n!r}")
    min_presence_hours = check_min_presence(min_presence_hours)
    now = _areas(presence_by_area(store, filters, min_presence_hours=min_presence_hours))
    before = _areas(presence_by_area(store, compare, min_presence_hours=min_presence_hours))
    both = now.merge(before, how="inner", left_index=True, right_index=True, suffixes=("_now", "_before"))
    enough = {
        PRESENCE_MINUTES: both[f"{PRESENCE_MINUTES}_before"] >= min_presence_hours * 60.0,
        ENCOUNTERS: both[f"{ENCOUNTERS}_before"] >= min_encounters,
        ENCOUNTERS_PER_PRESENCE_HOUR: both[f"{ENCOUNTERS_PER_PRESENCE_HOUR}_now"].notna()
        & both[f"{ENCOUNTERS_PER_PRESENCE_HOUR}_before"].notna(),
    }
    parts = []
    for order, measure in enumerate(CHANGE_MEASURES):
        current = both[f"{measure}_now"].astype(np.float64)
        previous = both[f"{measure}_before"].astype(np.float64)
        part = pd.DataFrame({AREA_ID: both.index, AREA_NAME: both[f"{AREA_NAME}_now"].to_numpy(), MEASURE: measure,
                             CURRENT: current.to_numpy(), PREVIOUS: previous.to_numpy(), "_order": order})
        part[CHANGE] = part[CURRENT] - part[PREVIOUS]
        with np.errstate(divide="ignore", invalid="ignore"):
            part[CHANGE_PCT] = np.where(part[PREVIOUS] > 0, 100.0 * part[CHANGE] / part[PREVIOUS], np.nan)
        keep = enough[measure].to_numpy() & (part[PREVIOUS] > 0).to_numpy() & \
            (part[CHANGE_PCT].abs() >= SAME_LEVEL_PCT).to_numpy()
        parts.append(part[keep])
    table = pd.concat(parts, ignore_index=True)
    if table.empty:
        return pd.DataFrame({c: pd.Series(dtype=object if c in (AREA_ID, AREA_NAME, MEASURE) else np.float64)
                             for c in CHANGE_COLUMNS})
    table["_size"] = table[CHANGE_PCT].abs()
    table = table.sort_values(["_size", "_order", AREA_ID], ascending=[False, True, True])
    table = table.drop_duplicates(AREA_ID).sort_values(["_size", AREA_ID], ascending=[False, True]).head(int(n))
    return table[CHANGE_COLUMNS].reset_index(drop=True)


def mismatched_hours(store: Store, filters: Filters, *, n: int = TOP_HOURS) -> pd.DataFrame:
    """The ``n`` weekday × hour slots where presence and encounters disagree most.

    The rows of :func:`~geo.queries.trends.time_of_week` (``weekday``,
    ``hour``, ``presence_minutes``, ``encounters``, ``presence_share``,
    ``encounter_share``, ``difference`` = encounter share − presence share)
    with the largest ``|difference|``, then weekday and hour; slots where
    either share is undefined (no presence or no encounters at all) are
    left out, so an empty selection gives an empty table.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a whole number of hours, at least 1; got {n!r}")
    week = time_of_week(store, filters)
    week = week[week[DIFFERENCE].notna() & (week[DIFFERENCE] != 0)]
    order = np.lexsort((week.index.to_numpy(), -week[DIFFERENCE].abs().to_numpy()))
    return week.iloc[order].head(int(n)).reset_index(drop=True)


def _areas(table: pd.DataFrame) -> pd.DataFrame:
    """Rows of field areas (not ``__outside__``), indexed by area id."""
    return table[table[AREA_ID] != OUTSIDE_AREA_ID].set_index(AREA_ID)[
        [AREA_NAME, PRESENCE_MINUTES, ENCOUNTERS, ENCOUNTERS_PER_PRESENCE_HOUR]]
