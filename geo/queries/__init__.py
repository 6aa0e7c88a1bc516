"""Dashboard queries: filtered figures, maps and trends from the pre-aggregated tables.

Every function takes a :class:`~geo.store.base.Store` and a :class:`Filters`
and answers from the derived tables (never raw track points), with the
numbers meaning exactly what PRODUCT.md defines:

- dates select patrols by **service day** and encounters by **local date**;
- team, kind and shift select patrols; encounters follow them through their
  patrol (encounters without a patrol only count when none of these is set);
- weekday and hour filters use the **local clock time** of each presence
  hour bucket (``hour_utc`` → Europe/Oslo; offsets are whole hours, so the
  mapping is exact), visit start and encounter;
- presence is patrol-minutes, person-minutes = presence × staff, lengths in
  EPSG:25832; visits lasting 10 min or more are *long* (dose bands,
  :mod:`geo.engine.visits`).

Modules: :mod:`~geo.queries.filters` (Filters, period presets),
:mod:`~geo.queries.figures` (key figures, comparison, filter choices),
:mod:`~geo.queries.places` (per cell and per area, area outlines, areas not
visited), :mod:`~geo.queries.trends` (trends, time of week, need vs effort),
:mod:`~geo.queries.rates` (encounters per presence hour: minimum presence,
Poisson interval), :mod:`~geo.queries.periods` (partial periods, comparisons
of equal covered length, trend granularity);
:mod:`~geo.queries.columns` names every result column. Single encounter
points (:func:`encounter_points`) are for the manager view only; nothing
here applies disclosure control (see :mod:`geo.io.privacy` for exports).
"""

from __future__ import annotations

from geo.queries.figures import compare, key_figures, patrol_kinds, teams
from geo.queries.filters import Filters, comparison_period, period_presets
from geo.queries.places import (
    area_geometries,
    areas_not_visited,
    encounter_points,
    encounters_by_cell,
    presence_by_area,
    presence_by_cell,
)
from geo.queries.trends import effort_vs_need, encounter_trend, time_of_week

__all__ = [
    "Filters",
    "area_geometries",
    "areas_not_visited",
    "compare",
    "comparison_period",
    "effort_vs_need",
    "encounter_points",
    "encounter_trend",
    "encounters_by_cell",
    "key_figures",
    "patrol_kinds",
    "period_presets",
    "presence_by_area",
    "presence_by_cell",
    "teams",
    "time_of_week",
]
