"""The situation picture as data: what :func:`geo.report.content.build_report` returns and
every renderer, the narrative and the methods note read (no module here imports the builder)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import geopandas as gpd
import pandas as pd

from geo.report.disclosure import ProtectedTable
from geo.report.presets import Preset


@dataclass(frozen=True, slots=True)
class KeyFigure:
    """One headline number: display texts for now, the comparison period and the change."""

    key: str
    label: str
    current: str
    previous: str
    change: str


@dataclass(frozen=True)
class Report:
    """A disclosure-controlled situation picture for one preset and period.

    ``tables`` maps a table key (``areas``, ``categories``, ``trend``,
    ``time_of_week``, ``hotspots``) to a frame of display strings whose
    first column labels the rows. ``area_map`` (areas valid in the period,
    with ``label``, ``shown`` encounters or None, and ``text``) and
    ``cell_map`` (only H3 cells with at least k encounters: ``cell``,
    ``encounters``) are GeoDataFrames in EPSG:4326. ``trend_chart`` and
    ``time_of_week_chart`` are the protected tables behind the charts.
    """

    preset: Preset
    first_day: dt.date
    last_day: dt.date
    compare_first: dt.date | None
    compare_last: dt.date | None
    k: int
    teams: tuple[str, ...] | None
    cell_resolution: int
    trend_period: str
    created_utc: dt.datetime
    key_figures: list[KeyFigure]
    tables: dict[str, pd.DataFrame]
    area_map: gpd.GeoDataFrame
    cell_map: gpd.GeoDataFrame
    trend_chart: ProtectedTable
    time_of_week_chart: ProtectedTable
    hotspot_method: str
    facts: dict[str, object] = field(default_factory=dict)
    narrative: list[str] = field(default_factory=list)
    methods: list[tuple[str, str]] = field(default_factory=list)
    compare_trend: ProtectedTable | None = None
    """The comparison period's encounters per category and period, or None: the trend of the
    comparison period's own release (:func:`geo.report.release.protect_release`), so every count is
    shown or withheld exactly as that period's own situation picture shows it; its periods are the
    comparison period's own, matched to ``trend_chart``'s by position."""

    note: str = ""
    """The manager's own paragraph, printed under the summary (empty: none); see :func:`with_note`."""

    @property
    def has_comparison(self) -> bool:
        return self.compare_first is not None

    def shows(self, section: str) -> bool:
        """Whether this report prints ``section`` (its preset's choice, :data:`geo.report.presets.SECTIONS`)."""
        return self.preset.shows(section)


NOTE_MAX_CHARS = 1200
"""Longest manager's paragraph (characters): a paragraph, not a second report."""


def with_note(report: Report, text: str) -> Report:
    """``report`` with the manager's own paragraph ``text`` (whitespace runs made one space).

    The text is the manager's responsibility and is printed as plain text
    (escaped in every renderer); it must not name or describe anyone.
    """
    note = " ".join(str(text).split())
    if len(note) > NOTE_MAX_CHARS:
        raise ValueError(f"the manager's paragraph has {len(note)} characters; at most {NOTE_MAX_CHARS} are allowed, "
                         f"shorten it")
    return replace(report, note=note)
