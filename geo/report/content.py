"""Build a situation picture (:class:`Report`): every number already disclosure-controlled.

The report holds only what may leave the service: display texts, shown
counts (``None`` where suppressed), and geometries of areas and H3 cells
with at least k encounters. Renderers (CSV, HTML, PDF, the page's preview)
draw it as it is and never see a raw count.

Tables and how they are protected (:mod:`geo.report.disclosure`):

- *categories × age groups* with row, column and grand totals; the grand
  total is the key figure "registrerte møter";
- *per field area* (encounters now and in the comparison period): the
  total of distinct encounters is published (as that key figure), so it is
  one line (overlapping areas make it smaller than the sum, which only
  suppresses more);
- *trend* (category × period) with the category totals of the first table
  (suppressed here wherever they are suppressed there);
- *time of week* (weekday × 4-hour block) with weekday totals and the
  grand total.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.report.disclosure import (
    Count,
    ProtectedTable,
    change_of,
    check_k,
    disclose_count,
    disclose_part,
    disclose_share,
    protect_table,
)
from geo.engine.cells import cell_polygons, cells_to_hex
from geo.queries import area_geometries, key_figures, presence_by_area
from geo.queries.filters import Filters
from geo.queries.periods import partial_periods, trend_period_for
from geo.report import data, methods, narrative
from geo.report.labels import (
    AGE_GROUP_NB,
    CATEGORY_NB,
    FIGURE_NB,
    OUTSIDE_NB,
    WEEKDAY_NB,
    number_nb,
    percent_nb,
)
from geo.report.model import KeyFigure, Report
from geo.report.place_names import STREET_COLUMN, distinct_streets
from geo.report.presets import Preset, PresetBook
from geo.schema import (
    AGE_GROUP,
    AREA_ID,
    CATEGORY,
    CELL,
    ENCOUNTER_ID,
    LOCAL_DATE,
    OUTSIDE_AREA_ID,
    PEOPLE,
    PRESENCE_MINUTES,
    STORE_CRS,
    AgeGroup,
    Category,
)
from geo.store.base import Store
from geo.timeutil import period_label

BLOCK_HOURS = 4
"""Width of the time-of-week blocks, hours (00–04, 04–08, … 20–24)."""

BLOCKS = tuple(f"{h:02d}–{h + BLOCK_HOURS:02d}" for h in range(0, 24, BLOCK_HOURS))

UNDER_18 = (AgeGroup.UNDER_18.value,)
UNDER_25 = (AgeGroup.UNDER_18.value, AgeGroup.AGE_18_23.value, AgeGroup.AGE_24_25.value)

DASH = "–"


def build_report(store: Store, preset: Preset, *, first_day: dt.date, last_day: dt.date,
                 compare_first: dt.date | None = None, compare_last: dt.date | None = None, k: int = 5,
                 teams: tuple[str, ...] | None = None, book: PresetBook | None = None) -> Report:
    """The situation picture of ``preset`` for local dates [first_day, last_day].

    The comparison period (both ends inclusive, or both None) gives the
    changes. ``k`` is validated (≥ 3). ``book`` supplies the map resolution
    and the number of hot-spot cells (defaults of ``config/presets.toml``).
    """
    k = check_k(k)
    _check_period(first_day, last_day, compare_first, compare_last)
    res = book.cell_resolution if book else 9
    top = book.top_cells if book else 5
    base = Filters(first_day=first_day, last_day=last_day, teams=teams)
    rows, by_area = data.encounter_rows(store, base, preset, res=res)
    compare = replace(base, first_day=compare_first, last_day=compare_last) if compare_first else None
    prev_rows, prev_by_area = (data.encounter_rows(store, compare, preset, res=res) if compare
                               else (rows.iloc[:0], by_area.iloc[:0]))

    categories = list(preset.categories or [c.value for c in Category])
    ages = list(preset.age_groups or [a.value for a in AgeGroup])
    cat_age = protect_table(_crosstab(rows, CATEGORY, categories, AGE_GROUP, ages), k=k,
                            row_totals=True, column_totals=True)
    total = cat_age.grand_total

    areas = _areas(store, base, preset)
    area_table, area_counts, prev_total = _area_table(store, base, preset, areas, by_area, prev_by_area,
                                                      total, len(rows), len(prev_rows), k=k,
                                                      has_compare=compare is not None)
    trend_period = _trend_period(first_day, last_day)
    trend = _trend(rows, categories, first_day, last_day, trend_period, cat_age, k=k)
    compare_trend = _compare_trend(prev_rows, categories, compare_first, compare_last, trend_period, prev_total,
                                   k=k) if compare else None
    week = _time_of_week(rows, cat_age, k=k)
    cells = _cell_map(rows, k=k)
    hotspots, hotspot_method = _hotspots(rows, by_area, prev_rows, cells, store, base, preset, areas, res=res,
                                         top=top, k=k, has_compare=compare is not None)
    figures = _key_figures(store, base, compare, preset, rows, prev_rows, total, prev_total, areas, cat_age, k=k)
    draft = Report(
        preset=preset, first_day=first_day, last_day=last_day, compare_first=compare_first,
        compare_last=compare_last, k=k, teams=teams, cell_resolution=res, trend_period=trend_period,
        created_utc=dt.datetime.now(dt.UTC).replace(microsecond=0),
        key_figures=figures,
        tables={
            "areas": area_table,
            "categories": _labelled(cat_age.text(), "Kategori", CATEGORY_NB, AGE_GROUP_NB),
            "trend": _labelled(trend.text(), "Kategori", CATEGORY_NB, {}),
            "time_of_week": _labelled(week.text(), "Ukedag", dict(enumerate(w.capitalize() for w in WEEKDAY_NB)), {}),
            "hotspots": hotspots,
        },
        area_map=_area_map(areas, area_counts),
        cell_map=cells,
        trend_chart=trend,
        time_of_week_chart=week,
        hotspot_method=hotspot_method,
        facts={"total": total, "previous_total": prev_total, "categories": cat_age, "area_counts": area_counts},
        compare_trend=compare_trend,
    )
    return replace(draft, narrative=narrative.sentences(draft), methods=methods.sections(draft))


# --- tables ------------------------------------------------------------------------------------
def _crosstab(rows: pd.DataFrame, row_key: str, row_values: list, col_key: str, col_values: list) -> pd.DataFrame:
    table = pd.crosstab(rows[row_key], rows[col_key]) if len(rows) else pd.DataFrame()
    return table.reindex(index=row_values, columns=col_values, fill_value=0).fillna(0).astype(np.int64)


def _labelled(frame: pd.DataFrame, first: str, row_labels: dict, col_labels: dict) -> pd.DataFrame:
    """Display frame with the row labels as a first column named ``first``."""
    out = frame.rename(index=lambda v: row_labels.get(v, v), columns=lambda c: col_labels.get(c, c))
    out.index.name = first
    return out.reset_index()


def _areas(store: Store, filters: Filters, preset: Preset) -> gpd.GeoDataFrame:
    areas = area_geometries(store, filters)
    if preset.areas is not None:
        areas = areas[areas[AREA_ID].isin(preset.areas)]
    return areas.reset_index(drop=True)


def _area_table(store: Store, filters: Filters, preset: Preset, areas: gpd.GeoDataFrame, by_area: pd.DataFrame,
                prev_by_area: pd.DataFrame, total: Count, n_total: int, n_prev: int, *, k: int,
                has_compare: bool) -> tuple[pd.DataFrame, pd.Series, Count]:
    """Per field area: encounters now, in the comparison period, change, presence hours.

    Returns the display frame, the shown Counts per area_id (for the map)
    and the comparison period's protected total.
    """
    ids = areas[AREA_ID].tolist()
    names = dict(zip(areas[AREA_ID], areas["area_name"]))
    if preset.areas is None:
        ids.append(OUTSIDE_AREA_ID)
        names[OUTSIDE_AREA_ID] = OUTSIDE_NB
    now = by_area[AREA_ID].value_counts().reindex(ids, fill_value=0)
    before = prev_by_area[AREA_ID].value_counts().reindex(ids, fill_value=0)
    current = protect_table(now.to_frame("n"), k=k, grand_total=n_total, grand_total_suppressed=not total.shown)
    previous = protect_table(before.to_frame("n"), k=k, grand_total=n_prev)
    presence = presence_by_area(store, filters).set_index(AREA_ID)[PRESENCE_MINUTES].reindex(ids).fillna(0.0) / 60.0
    frame = pd.DataFrame({"Feltområde": [names[i] for i in ids], "Registrerte møter": current.cells["n"].map(str).to_list()})
    if has_compare:
        frame["Sammenligningsperiode"] = previous.cells["n"].map(str).to_list()
        frame["Endring"] = [_change_text(c, p) for c, p in zip(current.cells["n"], previous.cells["n"])]
    frame["Tilstedetimer"] = [number_nb(h, 1) if i != OUTSIDE_AREA_ID else DASH for i, h in presence.items()]
    total_row = {"Feltområde": "Totalt (distinkte møter)", "Registrerte møter": str(current.grand_total),
                 "Tilstedetimer": DASH}
    if has_compare:
        total_row["Sammenligningsperiode"] = str(previous.grand_total)
        total_row["Endring"] = _change_text(current.grand_total, previous.grand_total)
    frame = pd.concat([frame, pd.DataFrame([total_row])], ignore_index=True)
    counts = pd.Series(current.cells["n"].to_list(), index=ids, dtype=object)
    return frame, counts, previous.grand_total


def _change_text(current: Count, previous: Count) -> str:
    change, pct = change_of(current, previous)
    if change is None:
        return DASH
    text = f"{'+' if change > 0 else ''}{number_nb(change)}".replace("-", "−")
    return f"{text} ({percent_nb(pct, signed=True)})" if pct is not None else text


def _trend_period(first: dt.date, last: dt.date) -> str:
    """Week for up to 8 weeks, month up to 2 years, quarter up to 5 years, then year (the dashboard's rule)."""
    return trend_period_for(first, last)


PARTIAL_MARK = " (delvis)"
"""Added to a trend period that lies only partly inside the report's period (methods note)."""


def _trend_counts(rows: pd.DataFrame, categories: list[str], first: dt.date, last: dt.date,
                  period: str) -> pd.DataFrame:
    """Encounters per category (rows) and period label of [first, last] (columns, every period)."""
    labels = list(pd.unique(period_label(pd.Series(pd.date_range(first, last, freq="D")), period)))
    periods = period_label(pd.to_datetime(rows[LOCAL_DATE]), period) if len(rows) else pd.Series([], dtype=object)
    return _crosstab(rows.assign(_period=periods.to_numpy()), CATEGORY, categories, "_period", labels)


def _trend(rows: pd.DataFrame, categories: list[str], first: dt.date, last: dt.date, period: str,
           cat_age: ProtectedTable, *, k: int) -> ProtectedTable:
    calendar = partial_periods(first, last, period)
    shown = dict(zip(calendar["period"], calendar["period"] + np.where(calendar["partial"], PARTIAL_MARK, "")))
    labels = list(shown.values())
    periods = period_label(pd.to_datetime(rows[LOCAL_DATE]), period).map(shown) if len(rows) else pd.Series(
        [], dtype=object)
    counts = _crosstab(rows.assign(_period=periods.to_numpy()), CATEGORY, categories, "_period", labels)
    return protect_table(counts, k=k, row_totals=True, grand_total=int(counts.to_numpy().sum()),
                         suppressed_row_totals=[not c.shown for c in cat_age.row_totals],
                         grand_total_suppressed=not cat_age.grand_total.shown)


def _compare_trend(rows: pd.DataFrame, categories: list[str], first: dt.date, last: dt.date, period: str,
                   total: Count, *, k: int) -> ProtectedTable:
    """The comparison period's counts per category and period, for the dashed lines of the trend chart.

    Only the comparison period's total is published elsewhere (the key figures), so the table is
    protected against that total: no suppressed count can be found by subtraction from it.
    """
    counts = _trend_counts(rows, categories, first, last, period)
    return protect_table(counts, k=k, grand_total=int(counts.to_numpy().sum()),
                         grand_total_suppressed=not total.shown)


def _time_of_week(rows: pd.DataFrame, cat_age: ProtectedTable, *, k: int) -> ProtectedTable:
    block = (rows[data.HOUR] // BLOCK_HOURS).map(dict(enumerate(BLOCKS)))
    counts = _crosstab(rows.assign(_block=block.to_numpy()), data.WEEKDAY, list(range(7)), "_block", list(BLOCKS))
    return protect_table(counts, k=k, row_totals=True, grand_total=int(counts.to_numpy().sum()),
                         grand_total_suppressed=not cat_age.grand_total.shown)


# --- maps --------------------------------------------------------------------------------------
def _cell_map(rows: pd.DataFrame, *, k: int) -> gpd.GeoDataFrame:
    """H3 cells with at least k encounters (EPSG:4326): ``cell`` (hex), ``encounters``."""
    counts = rows.loc[rows[CELL] >= 0, CELL].value_counts()
    counts = counts[counts >= k].sort_index()
    cells = counts.index.to_numpy().astype(np.uint64)
    return gpd.GeoDataFrame({CELL: cells_to_hex(cells), "encounters": counts.to_numpy(np.int64)},
                            geometry=gpd.GeoSeries(cell_polygons(cells), crs=STORE_CRS), crs=STORE_CRS)


def _area_map(areas: gpd.GeoDataFrame, counts: pd.Series) -> gpd.GeoDataFrame:
    """Area outlines with ``label``, ``shown`` (encounters when shown, else None) and ``text``."""
    shown = [counts.get(i).value if counts.get(i) is not None else None for i in areas[AREA_ID]]
    return gpd.GeoDataFrame({
        AREA_ID: areas[AREA_ID].to_numpy(), "label": areas["area_name"].to_numpy(),
        "shown": pd.Series(shown, dtype=object), "text": [str(counts.get(i, "")) for i in areas[AREA_ID]],
    }, geometry=areas.geometry.to_numpy(), crs=STORE_CRS)


# --- hot spots -----------------------------------------------------------------------------------
def _hotspots(rows: pd.DataFrame, by_area: pd.DataFrame, prev_rows: pd.DataFrame, cells: gpd.GeoDataFrame,
              store: Store, base: Filters, preset: Preset, areas: gpd.GeoDataFrame, *, res: int, top: int, k: int,
              has_compare: bool) -> tuple[pd.DataFrame, str]:
    """The ``top`` cells with most encounters (all ≥ k), their place and change.

    A cell's place is the field area (of the preset) where most of its
    encounters lie, or "outside every area"; a cell is larger than many
    areas, so its centre would often name the wrong one.

    When the period spans a year or more, each cell also gets its emerging
    hot-spot pattern, computed on the preset's categories and ages.
    """
    best = cells.sort_values(["encounters", CELL], ascending=[False, True]).head(top)
    prev = prev_rows.loc[prev_rows[CELL] >= 0, CELL].value_counts()
    place = _main_area_of_cells(rows, by_area, {**dict(zip(areas[AREA_ID], areas["area_name"])),
                                                 OUTSIDE_AREA_ID: OUTSIDE_NB})
    frame = pd.DataFrame({
        "Nr.": [str(i + 1) for i in range(len(best))],
        "Sted (feltområde)": [place.get(int(c, 16), OUTSIDE_NB) for c in best[CELL]],
        "Registrerte møter": [number_nb(n) for n in best["encounters"]],
    })
    frame.insert(2, STREET_COLUMN, distinct_streets(frame["Sted (feltområde)"].tolist(), best[CELL].tolist()))
    if has_compare:
        before = [disclose_count(int(prev.get(int(c, 16), 0)), k=k) for c in best[CELL]]
        now = [disclose_count(int(n), k=k) for n in best["encounters"]]
        frame["Sammenligningsperiode"] = [str(b) for b in before]
        frame["Endring"] = [_change_text(n, b) for n, b in zip(now, before)]
    method = "top_cells"
    patterns = _emerging_patterns(store, base, preset, res=res)
    if patterns is not None:
        frame["Mønster"] = [patterns.get(c, "intet mønster") for c in best[CELL]]
        method = "emerging"
    frame["H3-celle"] = best[CELL].to_list()
    return frame, method


def _main_area_of_cells(rows: pd.DataFrame, by_area: pd.DataFrame, names: dict[str, str]) -> dict[int, str]:
    """Name of the area holding most encounters of each cell (H3 int); ties go to the first area id."""
    located = by_area.merge(rows[[ENCOUNTER_ID, CELL]], on=ENCOUNTER_ID)
    per_area = located.groupby([CELL, AREA_ID]).size().reset_index(name="n")
    main = per_area.sort_values([CELL, "n", AREA_ID], ascending=[True, False, True]).drop_duplicates(CELL)
    return {int(c): names.get(a, a) for c, a in zip(main[CELL], main[AREA_ID])}


def _emerging_patterns(store: Store, base: Filters, preset: Preset, *, res: int) -> dict[str, str] | None:
    """Emerging hot-spot pattern per cell (Norwegian) of the preset's categories and ages, or None
    for a period under a year.

    A preset's areas do not limit the analysis: Gi* compares each cell with
    the whole city, so a cell in the preset's areas is judged against all
    places with encounters of those categories and ages.
    """
    from geo.hotspots import emerging_hotspots
    from geo.report.labels import HOTSPOT_PATTERN_NB

    if (base.last_day - base.first_day).days < 365:  # fewer than four quarters: no trend to speak of
        return None
    found = emerging_hotspots(store, period="quarter", first_day=base.first_day, last_day=base.last_day,
                              teams=base.teams, categories=preset.categories, age_groups=preset.age_groups,
                              res=res, permutations=0)
    return {c: HOTSPOT_PATTERN_NB.get(p, p) for c, p in zip(found["cell"], found["category"])}


# --- key figures ---------------------------------------------------------------------------------
def _key_figures(store: Store, base: Filters, compare: Filters | None, preset: Preset, rows: pd.DataFrame,
                 prev_rows: pd.DataFrame, total: Count, prev_total: Count, areas: gpd.GeoDataFrame,
                 cat_age: ProtectedTable, *, k: int) -> list[KeyFigure]:
    out = [_figure("encounters", total, prev_total, compare is not None)]
    out.append(_figure("people", disclose_count(int(rows[PEOPLE].sum()), k=k),
                       disclose_count(int(prev_rows[PEOPLE].sum()), k=k), compare is not None))
    # new contacts stand beside the encounter total: their complement must not be a small count either
    out.append(_figure("new_contacts", disclose_part(int(rows[data.NEW_CONTACTS].sum()), total, k=k),
                       disclose_part(int(prev_rows[data.NEW_CONTACTS].sum()), prev_total, k=k),
                       compare is not None))
    ages = preset.age_groups
    # a share may only restate what the shown age column totals already say
    ages_shown = cat_age.column_totals is not None and all(c.shown for c in cat_age.column_totals)
    for key, groups in (("share_under_18", UNDER_18), ("share_under_25", UNDER_25)):
        if ages is not None and (set(ages) <= set(groups) or not set(ages) & set(groups)):
            continue  # the share would be 0 or 1 by construction
        out.append(_share_figure(key, rows, prev_rows, groups, k, compare is not None, ages_shown=ages_shown))
    patrol_now = key_figures(store, base)
    patrol_before = key_figures(store, compare) if compare else None
    out.append(_figure("patrols", disclose_count(patrol_now["patrols"], k=k),
                       disclose_count(patrol_before["patrols"], k=k) if patrol_before else None, compare is not None))
    if preset.areas is None:
        hours_now = patrol_now["presence_hours"]
        hours_before = patrol_before["presence_hours"] if patrol_before else math.nan
        label = FIGURE_NB["presence_hours"]
    else:
        hours_now = _area_hours(store, base, areas)
        hours_before = _area_hours(store, compare, areas) if compare else math.nan
        label = "Tilstedetimer i områdene"
    out.append(KeyFigure("presence_hours", label, number_nb(hours_now),
                         number_nb(hours_before) if compare else DASH,
                         _pct_text(hours_now, hours_before) if compare else DASH))
    return out


def _area_hours(store: Store, filters: Filters, areas: gpd.GeoDataFrame) -> float:
    table = presence_by_area(store, filters)
    return float(table.loc[table[AREA_ID].isin(areas[AREA_ID]), PRESENCE_MINUTES].sum()) / 60.0


def _figure(key: str, now: Count, before: Count | None, has_compare: bool) -> KeyFigure:
    if not has_compare or before is None:
        return KeyFigure(key, FIGURE_NB[key], str(now), DASH, DASH)
    return KeyFigure(key, FIGURE_NB[key], str(now), str(before), _change_text(now, before))


def _share_figure(key: str, rows: pd.DataFrame, prev_rows: pd.DataFrame, groups: tuple[str, ...], k: int,
                  has_compare: bool, *, ages_shown: bool) -> KeyFigure:
    """Share of encounters with a known age group that are in ``groups``, or a dash.

    The share's denominator is the total minus the unknown ages, and the total
    is shown: so the share is hidden when the unknown count is 1..k−1 (it would
    give it back), and, for the current period, unless every age column total
    of the category × age table is shown (``ages_shown``), since the share
    could otherwise be solved for a hidden column.
    """
    def share(frame: pd.DataFrame, columns_shown: bool) -> float | None:
        unknown = frame[AGE_GROUP] == AgeGroup.UNKNOWN.value
        if not columns_shown or 0 < int(unknown.sum()) < k:
            return None
        known = frame[~unknown]
        return disclose_share(int(known[AGE_GROUP].isin(groups).sum()), len(known), k=k)

    now = share(rows, ages_shown)
    before = share(prev_rows, True) if has_compare else None  # no age table is shown for it
    change = (percent_nb(100 * (now - before), signed=True).replace("%", "%-poeng")
              if now is not None and before is not None else DASH)
    text = lambda v: DASH if v is None else percent_nb(100 * v)
    return KeyFigure(key, FIGURE_NB[key], text(now), text(before) if has_compare else DASH, change)


def _pct_text(now: float, before: float) -> str:
    if not math.isfinite(before) or before == 0:
        return DASH
    return percent_nb(100 * (now - before) / before, signed=True)


def _check_period(first: dt.date, last: dt.date, compare_first: dt.date | None, compare_last: dt.date | None) -> None:
    if first > last:
        raise ValueError(f"the period starts {first} after it ends {last}; swap --from and --to")
    if (compare_first is None) != (compare_last is None):
        raise ValueError("give both ends of the comparison period (--compare-from and --compare-to) or neither")
    if compare_first is not None and compare_first > compare_last:
        raise ValueError(f"the comparison period starts {compare_first} after it ends {compare_last}; swap them")
