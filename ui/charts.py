"""Altair charts used by the pages (built from ``geo`` query results)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ui.format import localized
from ui.i18n import t


def week_heatmap(matrix: pd.DataFrame, value: str, title: str, *, scheme: str) -> alt.Chart:
    """Hour (x) × weekday (y) heatmap of ``value`` from ``geo.queries.time_of_week``."""
    return _week_chart(matrix, value, title, alt.Scale(scheme=scheme), value_format=",.0f")


DIFFERENCE_COLOURS = ("#2166ac", "#f7f7f7", "#b2182b")
"""Colours of the difference chart from its most negative value through 0 to its most
positive: blue (more presence than encounters), white, red (more encounters than presence
suggests). The caption ``time_of_week.difference.help`` says the same."""


def difference_heatmap(matrix: pd.DataFrame, title: str) -> alt.Chart:
    """Hour × weekday of ``difference`` (encounter share − presence share) on a symmetric scale:
    positive values, where more encounters happen than presence would suggest, are red."""
    largest = float(matrix["difference"].abs().max()) if matrix["difference"].notna().any() else 0.0
    largest = largest or 1e-9
    scale = alt.Scale(domain=[-largest, 0.0, largest], range=list(DIFFERENCE_COLOURS))
    return _week_chart(matrix, "difference", title, scale, value_format="+.1%")


def _week_chart(matrix: pd.DataFrame, value: str, title: str, scale: alt.Scale, *, value_format: str) -> alt.Chart:
    frame = matrix.assign(day=[t(f"weekday.{d}") for d in matrix["weekday"]])
    order = [t(f"weekday.{d}") for d in range(7)]
    return localized(
        alt.Chart(frame)
        .mark_rect()
        .encode(
            x=alt.X("hour:O", title=t("chart.hour")),
            y=alt.Y("day:N", sort=order, title=None),
            color=alt.Color(f"{value}:Q", title=title, scale=scale,
                            legend=alt.Legend(format=value_format) if "%" in value_format else alt.Undefined),
            tooltip=[alt.Tooltip("day:N", title=t("chart.weekday")), alt.Tooltip("hour:O", title=t("chart.hour")),
                     alt.Tooltip(f"{value}:Q", title=title, format=value_format)],
        )
        .properties(height=220)
    )


def category_trend_chart(trend: pd.DataFrame) -> alt.Chart:
    """Encounters per category over periods, from ``geo.queries.encounter_trend``; periods that
    are only partly inside the range (``partial``) are drawn as hollow points."""
    frame = trend.assign(label=[t(f"category.{c}") for c in trend["category"]],
                         whole=~trend["partial"] if "partial" in trend else True)
    base = alt.Chart(frame).encode(
        x=alt.X("period:N", title=t("chart.period"), sort=None),
        y=alt.Y("encounters:Q", title=t("col.encounters")),
        color=alt.Color("label:N", title=t("chart.category")),
    )
    points = base.mark_point(size=60, filled=True).encode(
        fill=alt.condition("datum.whole", alt.Color("label:N", legend=None), alt.value("white")),
        tooltip=["period", "label", "encounters", alt.Tooltip("partial:N", title=t("trend.partial"))],
    )
    return localized((base.mark_line() + points).properties(height=320))


def area_timeline_chart(timeline: pd.DataFrame, *, last_day) -> alt.Chart:
    """One bar per field-area version from ``valid_from`` to ``valid_to`` (open versions end at
    ``last_day``), one row per area, from ``geo.changes.history.area_timeline``."""
    bars = timeline.assign(valid_to=timeline["valid_to"].map(lambda d: d or last_day),
                           version=timeline["version"].astype(str))
    return localized(
        alt.Chart(bars).mark_bar().encode(
            x=alt.X("valid_from:T", title=t("changes.col.valid_from")), x2="valid_to:T",
            y=alt.Y("name:N", title=None), color=alt.Color("version:N", title=t("changes.col.version")),
            tooltip=["name", "version", alt.Tooltip("valid_from:T", format="%d.%m.%Y"),
                     alt.Tooltip("valid_to:T", format="%d.%m.%Y"), alt.Tooltip("area_m2", format=",.0f")],
        ).properties(height=30 * timeline["area_id"].nunique() + 40)
    )


def ring_share_chart(rings: pd.DataFrame, *, period_column: str, bands: tuple[str, ...]) -> alt.Chart:
    """Stacked share of encounters per distance band and period, from ``geo.changes.drift.ring_shares``
    (columns ``<band>_share`` for each band)."""
    band_names = {b: t(f"changes.band.{b}") for b in bands}
    long = rings.melt(id_vars=[period_column], value_vars=[f"{b}_share" for b in bands], var_name="band",
                      value_name="share")
    long["band"] = long["band"].str.removesuffix("_share").map(band_names)
    return localized(
        alt.Chart(long).mark_bar().encode(
            x=alt.X(f"{period_column}:N", title=t("changes.col.period"), sort=None),
            y=alt.Y("share:Q", title=t("changes.rings.share"), axis=alt.Axis(format="%")),
            color=alt.Color("band:N", title=None, sort=[band_names[b] for b in bands]),
            tooltip=[period_column, "band", alt.Tooltip("share:Q", format=".1%")],
        ).properties(height=280)
    )
