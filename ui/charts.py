"""Altair charts used by the pages (built from ``geo`` query results)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ui.i18n import t


def week_heatmap(matrix: pd.DataFrame, value: str, title: str, *, scheme: str, diverging: bool = False) -> alt.Chart:
    """Hour (x) × weekday (y) heatmap of ``value`` from ``geo.queries.time_of_week``."""
    frame = matrix.assign(day=[t(f"weekday.{d}") for d in matrix["weekday"]])
    order = [t(f"weekday.{d}") for d in range(7)]
    scale = alt.Scale(scheme=scheme, domainMid=0) if diverging else alt.Scale(scheme=scheme)
    return (
        alt.Chart(frame)
        .mark_rect()
        .encode(
            x=alt.X("hour:O", title=t("chart.hour")),
            y=alt.Y("day:N", sort=order, title=None),
            color=alt.Color(f"{value}:Q", title=title, scale=scale),
            tooltip=[alt.Tooltip("day:N", title=t("chart.weekday")), alt.Tooltip("hour:O", title=t("chart.hour")),
                     alt.Tooltip(f"{value}:Q", title=title, format=".2f")],
        )
        .properties(height=220)
    )


def category_trend_chart(trend: pd.DataFrame) -> alt.Chart:
    """Encounters per category over periods, from ``geo.queries.encounter_trend``."""
    frame = trend.assign(label=[t(f"category.{c}") for c in trend["category"]])
    return (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("period:N", title=t("chart.period"), sort=None),
            y=alt.Y("encounters:Q", title=t("col.encounters")),
            color=alt.Color("label:N", title=t("chart.category")),
            tooltip=["period", "label", "encounters"],
        )
        .properties(height=320)
    )
