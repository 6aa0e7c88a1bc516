"""Key figures of a selection, their comparison with another period, and filter choices."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from geo.queries import aggregate_reads
from geo.queries.columns import CHANGE, CHANGE_PCT, CURRENT, FIGURE, PREVIOUS
from geo.queries.filters import Filters
from geo.schema import (
    AGE_GROUP,
    ENCOUNTERS,
    END_UTC,
    KIND,
    START_UTC,
    T_PATROLS,
    T_PRESENCE_TOTAL,
    TEAM,
    AgeGroup,
    PatrolKind,
)
from geo.store.base import Store

# --- figure names (keys of key_figures) ------------------------------------------------
PATROLS = "patrols"
PATROL_HOURS = "patrol_hours"
PRESENCE_HOURS = "presence_hours"
PERSON_HOURS = "person_hours"
PEOPLE = "people"
NEW_CONTACTS = "new_contacts"
SHARE_UNDER_25 = "share_under_25"
SHARE_UNDER_18 = "share_under_18"
FIGURES = (PATROLS, PATROL_HOURS, PRESENCE_HOURS, PERSON_HOURS, ENCOUNTERS, PEOPLE, NEW_CONTACTS,
           SHARE_UNDER_25, SHARE_UNDER_18)

UNDER_25_GROUPS = (AgeGroup.UNDER_18.value, AgeGroup.AGE_18_23.value, AgeGroup.AGE_24_25.value)
"""Age groups counted as "under 25". The recorded band 24–25 cannot be split,
so this is *25 and under* (ages 0–25)."""

UNDER_18_GROUPS = (AgeGroup.UNDER_18.value,)


def key_figures(store: Store, filters: Filters) -> dict[str, float]:
    """The headline numbers of a selection.

    - ``patrols``: selected patrols (with weekday/hour filters: those out on
      patrol for some time in the selected local hours);
    - ``patrol_hours``: real elapsed time from start to end of those patrols,
      hours (with weekday/hour filters: the part inside the selected hours);
    - ``presence_hours``: presence anywhere (PRODUCT.md, Presence), patrol-hours;
    - ``person_hours``: presence × staff, person-hours;
    - ``encounters``, ``people`` (people met), ``new_contacts``: counts of
      the selected encounters;
    - ``share_under_25`` (see :data:`UNDER_25_GROUPS`), ``share_under_18``:
      shares (0–1) of the selected encounters with a known age group; NaN
      when none has one.

    Counts are ints, hours and shares floats.
    """
    n_patrols, patrol_seconds = _patrol_time(aggregate_reads.patrol_times(store, filters), filters)
    presence = aggregate_reads.presence(store, filters, table=T_PRESENCE_TOTAL, keys={})
    by_age = aggregate_reads.encounters(store, filters, keys={AGE_GROUP: f"e.{AGE_GROUP}"})
    counts = by_age.set_index(AGE_GROUP)[ENCOUNTERS]
    known = counts.drop(AgeGroup.UNKNOWN.value, errors="ignore").sum()
    return {
        PATROLS: n_patrols,
        PATROL_HOURS: patrol_seconds / 3600.0,
        PRESENCE_HOURS: float(presence[aggregate_reads.SECONDS].sum()) / 3600.0,
        PERSON_HOURS: float(presence[aggregate_reads.PERSON_SECONDS].sum()) / 3600.0,
        ENCOUNTERS: int(by_age[ENCOUNTERS].sum()),
        PEOPLE: int(by_age[aggregate_reads.PEOPLE].sum()),
        NEW_CONTACTS: int(by_age[aggregate_reads.NEW_CONTACTS].sum()),
        SHARE_UNDER_25: _share(counts.reindex(UNDER_25_GROUPS).sum(), known),
        SHARE_UNDER_18: _share(counts.reindex(UNDER_18_GROUPS).sum(), known),
    }


def compare(current: dict[str, float], previous: dict[str, float] | None) -> pd.DataFrame:
    """Key figures of two periods side by side, in the order of ``current``.

    Columns: ``figure``, ``current``, ``previous``, ``change`` (current −
    previous, in the figure's unit; for shares that is share points) and
    ``change_pct`` (change as % of |previous|; NaN when previous is 0 or
    missing). ``previous=None`` (no comparison) gives NaN comparisons.
    """
    previous = previous or {}
    cur = np.array([float(current[k]) for k in current], dtype=np.float64)
    prev = np.array([float(previous.get(k, math.nan)) for k in current], dtype=np.float64)
    change = cur - prev
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(np.isfinite(prev) & (prev != 0), 100.0 * change / np.abs(prev), np.nan)
    return pd.DataFrame({FIGURE: list(current), CURRENT: cur, PREVIOUS: prev, CHANGE: change, CHANGE_PCT: pct})


def teams(store: Store) -> list[str]:
    """Teams with at least one patrol, sorted."""
    frame = store.query(f"SELECT DISTINCT {TEAM} AS {TEAM} FROM {T_PATROLS}")
    return sorted(frame[TEAM].astype(str))


def patrol_kinds(store: Store) -> list[str]:
    """Patrol kinds with at least one patrol, in :class:`~geo.schema.PatrolKind` order."""
    frame = store.query(f"SELECT DISTINCT {KIND} AS {KIND} FROM {T_PATROLS}")
    order = {k.value: i for i, k in enumerate(PatrolKind)}
    return sorted(frame[KIND].astype(str), key=lambda k: (order.get(k, len(order)), k))


def _share(part: float, whole: float) -> float:
    return float(part) / float(whole) if whole else math.nan


def _patrol_time(times: pd.DataFrame, filters: Filters) -> tuple[int, float]:
    """Number of patrols and their elapsed seconds, limited to the selected local hours.

    Each patrol is cut at UTC hour boundaries (each UTC hour is one local clock
    hour, Oslo offsets being whole hours), and only pieces in selected hours count.
    """
    start = times[START_UTC].to_numpy(np.float64)
    end = times[END_UTC].to_numpy(np.float64)
    if not filters.has_clock_filter:
        return len(times), float(np.sum(np.maximum(end - start, 0.0)))
    first_hour = np.floor(start / 3600.0).astype(np.int64)
    n_hours = np.maximum(np.ceil(end / 3600.0).astype(np.int64) - first_hour, 0)
    patrol = np.repeat(np.arange(len(times)), n_hours)
    offset = np.arange(len(patrol)) - np.repeat(np.cumsum(n_hours) - n_hours, n_hours)
    hour = first_hour[patrol] + offset
    piece = np.minimum(end[patrol], (hour + 1) * 3600.0) - np.maximum(start[patrol], hour * 3600.0)
    keep = (piece > 0) & filters.clock_mask(hour * 3600)
    per_patrol = np.bincount(patrol[keep], weights=piece[keep], minlength=len(times))
    return int(np.count_nonzero(per_patrol > 0)), float(per_patrol.sum())
