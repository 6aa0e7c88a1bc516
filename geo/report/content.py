"""Build a situation picture (:class:`Report`): every number already disclosure-controlled.

The report holds only what may leave the service: display texts, shown
counts (``None`` where suppressed), and geometries of areas and H3 cells
with at least k encounters. Renderers (CSV, HTML, PDF, the page's preview)
draw it as it is and never see a raw count.

Every count of the period is one *release* (:mod:`geo.report.release`):
the category × age table, the trend, the time of week, the field areas, the
key figures and the places with most encounters are linked by their shared
totals and protected together, then audited as an integer programme
(:mod:`geo.report.audit`). The comparison period is its own release, printed
exactly as its own export would print it, so the two say nothing together
that they do not say apart. :func:`build_report` first checks that the
request is one a partner may get (:mod:`geo.report.partner`: one whole
calendar period that has ended, all teams, one k per period).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.engine.cells import cell_polygons, cells_to_hex
from geo.queries import area_geometries, key_figures
from geo.queries.filters import Filters
from geo.queries.periods import partial_periods
from geo.report import data, methods, narrative, partner
from geo.report.audit import Protection
from geo.report.disclosure import (
    PRESENCE_WITHHELD,
    Count,
    change_of,
    check_k,
    disclose_count,
    disclose_presence,
    disclose_share,
)
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
from geo.report.presets import DEFAULT_PARTNER_PERIOD, Preset, PresetBook
from geo.report.release import BLOCKS, ProtectedRelease, count_release, protect_release
from geo.schema import (
    AGE_GROUP,
    AREA_ID,
    CELL,
    ENCOUNTER_ID,
    OUTSIDE_AREA_ID,
    STORE_CRS,
    AgeGroup,
    Category,
)
from geo.store.base import Store

UNDER_18 = (AgeGroup.UNDER_18.value,)
UNDER_25 = (AgeGroup.UNDER_18.value, AgeGroup.AGE_18_23.value, AgeGroup.AGE_24_25.value)

DASH = "–"
__all__ = ["BLOCKS", "build_report", "compose_report", "protected_release"]


@dataclass(frozen=True)
class _Release:
    """A protected release and what the report needs beside it (never leaves the process)."""

    protected: ProtectedRelease
    filters: Filters
    rows: pd.DataFrame
    by_area: pd.DataFrame
    areas: gpd.GeoDataFrame
    area_ids: list[str]


def build_report(store: Store, preset: Preset, *, first_day: dt.date, last_day: dt.date,
                 compare_first: dt.date | None = None, compare_last: dt.date | None = None, k: int = 5,
                 teams: tuple[str, ...] | None = None, book: PresetBook | None = None,
                 today: dt.date | None = None) -> Report:
    """The situation picture of ``preset`` for local dates [first_day, last_day], as a partner may get it.

    The comparison period (both ends inclusive, or both None) gives the
    changes. ``k`` is validated (≥ 3). ``book`` supplies the map resolution,
    the number of hot-spot cells and the partner period kind (defaults of
    ``config/presets.toml``). Raises
    :class:`~geo.report.partner.PartnerRequestError` unless the period and
    the comparison period are whole ended periods of that kind, ``teams`` is
    None and k is the one this period was exported with before (``today``:
    the local date, for tests).
    """
    k = check_k(k)
    _check_period(first_day, last_day, compare_first, compare_last)
    partner.check_request(store, preset, first_day=first_day, last_day=last_day, compare_first=compare_first,
                          compare_last=compare_last, k=k, teams=teams,
                          kind=book.partner_period if book else DEFAULT_PARTNER_PERIOD, today=today)
    return compose_report(store, preset, first_day=first_day, last_day=last_day, compare_first=compare_first,
                          compare_last=compare_last, k=k, teams=teams, book=book)


def compose_report(store: Store, preset: Preset, *, first_day: dt.date, last_day: dt.date,
                   compare_first: dt.date | None = None, compare_last: dt.date | None = None, k: int = 5,
                   teams: tuple[str, ...] | None = None, book: PresetBook | None = None,
                   protection: Protection | None = None) -> Report:
    """The situation picture for any date range, without the partner rules of :func:`build_report`.

    For measuring and testing disclosure control on ranges a partner cannot
    ask for (every export goes through :func:`build_report`). ``protection``
    defaults to :meth:`Protection.default` for ``k``.
    """
    k = check_k(k)
    _check_period(first_day, last_day, compare_first, compare_last)
    protection = protection or Protection.default(k)
    res = book.cell_resolution if book else 9
    top = book.top_cells if book else 5
    base = Filters(first_day=first_day, last_day=last_day, teams=teams)
    now = _release(store, base, preset, k=k, res=res, top=top, protection=protection)
    has_compare = compare_first is not None
    before = (_release(store, replace(base, first_day=compare_first, last_day=compare_last), preset, k=k, res=res,
                       top=top, protection=protection) if has_compare else None)
    current = now.protected
    trend_period = current.counts.trend_period
    cells = _cell_map(current)
    hotspots, hotspot_method = _hotspots(now, before, cells, store, base, preset, res=res, k=k)
    area_table, area_counts = _area_table(store, now, before)
    draft = Report(
        preset=preset, first_day=first_day, last_day=last_day, compare_first=compare_first,
        compare_last=compare_last, k=k, teams=teams, cell_resolution=res, trend_period=trend_period,
        created_utc=dt.datetime.now(dt.UTC).replace(microsecond=0),
        key_figures=_key_figures(store, now, before, preset, k=k),
        tables={
            "areas": area_table,
            "categories": _labelled(current.cat_age.text(), "Kategori", CATEGORY_NB, AGE_GROUP_NB),
            "trend": _labelled(current.trend.text(), "Kategori", CATEGORY_NB,
                               _partial_marks(first_day, last_day, trend_period)),
            "time_of_week": _labelled(current.week.text(), "Ukedag",
                                      dict(enumerate(w.capitalize() for w in WEEKDAY_NB)), {}),
            "hotspots": hotspots,
        },
        area_map=_area_map(now.areas, area_counts),
        cell_map=cells,
        trend_chart=current.trend,
        time_of_week_chart=current.week,
        hotspot_method=hotspot_method,
        facts={"total": current.total, "previous_total": before.protected.total if before else None,
               "categories": current.cat_age, "area_counts": area_counts},
        compare_trend=before.protected.trend if before else None,
    )
    return replace(draft, narrative=narrative.sentences(draft), methods=methods.sections(draft))


PARTIAL_MARK = " (delvis)"
"""Added to a trend period that lies only partly inside the report's period (methods note)."""


def _partial_marks(first: dt.date, last: dt.date, period: str) -> dict[str, str]:
    """Trend column labels: a period only partly inside [first, last] gets :data:`PARTIAL_MARK`."""
    calendar = partial_periods(first, last, period)
    return {label: label + PARTIAL_MARK for label in calendar.loc[calendar["partial"], "period"]}


def protected_release(store: Store, preset: Preset, *, first_day: dt.date, last_day: dt.date, k: int = 5,
                      teams: tuple[str, ...] | None = None, book: PresetBook | None = None,
                      protection: Protection | None = None) -> ProtectedRelease:
    """The protected counts behind a report's period, with the audit's system (true values inside:
    for measuring and testing the audit only; a :class:`Report` never holds it)."""
    k = check_k(k)
    return _release(store, Filters(first_day=first_day, last_day=last_day, teams=teams), preset, k=k,
                    res=book.cell_resolution if book else 9, top=book.top_cells if book else 5,
                    protection=protection or Protection.default(k)).protected


def _release(store: Store, filters: Filters, preset: Preset, *, k: int, res: int, top: int,
             protection: Protection) -> _Release:
    rows, by_area = data.encounter_rows(store, filters, preset, res=res)
    areas = _areas(store, filters, preset)
    ids = areas[AREA_ID].tolist() + ([OUTSIDE_AREA_ID] if preset.areas is None else [])
    counts = count_release(rows, by_area, ids, first_day=filters.first_day, last_day=filters.last_day,
                           categories=list(preset.categories or [c.value for c in Category]),
                           ages=list(preset.age_groups or [a.value for a in AgeGroup]),
                           weekday=data.WEEKDAY, hour=data.HOUR, new_contacts=data.NEW_CONTACTS, k=k, top=top)
    return _Release(protect_release(counts, protection), filters, rows, by_area, areas, ids)


# --- tables ------------------------------------------------------------------------------------
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


def _area_table(store: Store, now: _Release, before: _Release | None) -> tuple[pd.DataFrame, pd.Series]:
    """Per field area: encounters now, in the comparison period, change, presence hours.

    Returns the display frame and the shown Counts per area_id (for the map).
    Presence hours of an area are withheld when fewer than
    :data:`~geo.report.disclosure.MIN_PATROLS_FOR_PRESENCE` patrols make them up.
    """
    ids = now.area_ids
    names = {**dict(zip(now.areas[AREA_ID], now.areas["area_name"])), OUTSIDE_AREA_ID: OUTSIDE_NB}
    current = now.protected.areas.cells["n"]
    frame = pd.DataFrame({"Feltområde": [names[i] for i in ids], "Registrerte møter": current.map(str).to_list()})
    if before is not None:
        previous = before.protected.areas.cells["n"]
        frame["Sammenligningsperiode"] = [str(previous[i]) if i in previous.index else DASH for i in ids]
        frame["Endring"] = [_change_text(current[i], previous[i]) if i in previous.index else DASH for i in ids]
    hours = _area_hours(store, now)
    frame["Tilstedetimer"] = [DASH if i == OUTSIDE_AREA_ID else _hours_text(hours.get(i)) for i in ids]
    total = now.protected.total
    total_row = {"Feltområde": "Totalt (distinkte møter)", "Registrerte møter": str(total), "Tilstedetimer": DASH}
    if before is not None:
        total_row["Sammenligningsperiode"] = str(before.protected.total)
        total_row["Endring"] = _change_text(total, before.protected.total)
    frame = pd.concat([frame, pd.DataFrame([total_row])], ignore_index=True)
    return frame, pd.Series(current.to_list(), index=ids, dtype=object)


def _area_hours(store: Store, release: _Release) -> dict[str, float | None]:
    """Presence hours per listed area (None where withheld for too few patrols; 0 without presence)."""
    table = data.presence_with_patrols(store, release.filters, by_area=True).set_index(AREA_ID)
    return {i: disclose_presence(float(table.at[i, data.HOURS]), int(table.at[i, data.PATROLS]))
            if i in table.index else 0.0 for i in release.area_ids if i != OUTSIDE_AREA_ID}


def _hours_text(hours: float | None, decimals: int = 1) -> str:
    return PRESENCE_WITHHELD if hours is None else number_nb(hours, decimals)


def _change_text(current: Count, previous: Count) -> str:
    change, pct = change_of(current, previous)
    if change is None:
        return DASH
    text = f"{'+' if change > 0 else ''}{number_nb(change)}".replace("-", "−")
    return f"{text} ({percent_nb(pct, signed=True)})" if pct is not None else text


# --- maps --------------------------------------------------------------------------------------
def _cell_map(release: ProtectedRelease) -> gpd.GeoDataFrame:
    """The H3 cells drawn on the map (EPSG:4326): ``cell`` (hex), ``encounters``; each has at least k."""
    drawn = release.counts.cells.sort_index()
    cells = drawn.index.to_numpy().astype(np.uint64)
    return gpd.GeoDataFrame({CELL: cells_to_hex(cells), "encounters": drawn.to_numpy(np.int64)},
                            geometry=gpd.GeoSeries(cell_polygons(cells), crs=STORE_CRS), crs=STORE_CRS)


def _area_map(areas: gpd.GeoDataFrame, counts: pd.Series) -> gpd.GeoDataFrame:
    """Area outlines with ``label``, ``shown`` (encounters when shown, else None) and ``text``."""
    shown = [counts.get(i).value if counts.get(i) is not None else None for i in areas[AREA_ID]]
    return gpd.GeoDataFrame({
        AREA_ID: areas[AREA_ID].to_numpy(), "label": areas["area_name"].to_numpy(),
        "shown": pd.Series(shown, dtype=object), "text": [str(counts.get(i, "")) for i in areas[AREA_ID]],
    }, geometry=areas.geometry.to_numpy(), crs=STORE_CRS)


# --- hot spots -----------------------------------------------------------------------------------
def _hotspots(now: _Release, before: _Release | None, cells: gpd.GeoDataFrame, store: Store, base: Filters,
              preset: Preset, *, res: int, k: int) -> tuple[pd.DataFrame, str]:
    """The cells with most encounters (all ≥ k), their place and change.

    A cell's place is the field area (of the preset) where most of its
    encounters lie, or "outside every area"; a cell is larger than many
    areas, so its centre would often name the wrong one. The place is named
    only when that area's count is shown: naming it says the area holds at
    least a share of the cell's encounters, which would narrow a hidden count.
    A cell's count in
    the comparison period is printed only when the comparison period's own
    export lists that cell too (otherwise it would be a number that export
    does not print, and could be subtracted from its total).

    When the period spans a year or more, each cell also gets its emerging
    hot-spot pattern, computed on the preset's categories and ages.
    """
    top = now.protected.cells
    hexes = cells_to_hex(top.index.to_numpy().astype(np.uint64)) if len(top) else []
    place = _main_area_of_cells(now.rows, now.by_area, {**dict(zip(now.areas[AREA_ID], now.areas["area_name"])),
                                                         OUTSIDE_AREA_ID: OUTSIDE_NB})
    shown_area = {area_id for area_id, count in zip(now.area_ids, now.protected.areas.cells["n"]) if count.shown}
    frame = pd.DataFrame({
        "Nr.": [str(i + 1) for i in range(len(top))],
        "Sted (feltområde)": [place[int(c)][1] if place.get(int(c), (None,))[0] in shown_area else DASH
                              for c in top.index],
        "Registrerte møter": [str(c) for c in top],
    })
    frame.insert(2, STREET_COLUMN, distinct_streets(frame["Sted (feltområde)"].tolist(), list(hexes)))
    if before is not None:
        previous = before.protected.cells
        frame["Sammenligningsperiode"] = [str(previous[c]) if c in previous.index else DASH for c in top.index]
        frame["Endring"] = [_change_text(top[c], previous[c]) if c in previous.index else DASH for c in top.index]
    method = "top_cells"
    patterns = _emerging_patterns(store, base, preset, res=res)
    if patterns is not None:
        frame["Mønster"] = [patterns.get(c, "intet mønster") for c in hexes]
        method = "emerging"
    frame["H3-celle"] = list(hexes)
    return frame, method


def _main_area_of_cells(rows: pd.DataFrame, by_area: pd.DataFrame, names: dict[str, str]) -> dict[int, tuple[str, str]]:
    """(area id, name) of the area holding most encounters of each cell (H3 int); ties go to the first area id."""
    located = by_area.merge(rows[[ENCOUNTER_ID, CELL]], on=ENCOUNTER_ID)
    per_area = located.groupby([CELL, AREA_ID]).size().reset_index(name="n")
    main = per_area.sort_values([CELL, "n", AREA_ID], ascending=[True, False, True]).drop_duplicates(CELL)
    return {int(c): (a, names.get(a, a)) for c, a in zip(main[CELL], main[AREA_ID])}


def _emerging_patterns(store: Store, base: Filters, preset: Preset, *, res: int) -> dict[str, str] | None:
    """Emerging hot-spot pattern per cell (Norwegian) of the preset's categories and ages, or None
    for a period under a year.

    A preset's areas do not limit the analysis: Gi* compares each cell with
    the whole city, so a cell in the preset's areas is judged against all
    places with encounters of those categories and ages.
    """
    if (base.last_day - base.first_day).days < 365:  # fewer than four quarters: no trend to speak of
        return None
    from geo.hotspots import emerging_hotspots  # heavy (PySAL): only imported when needed
    from geo.report.labels import HOTSPOT_PATTERN_NB
    found = emerging_hotspots(store, period="quarter", first_day=base.first_day, last_day=base.last_day,
                              teams=base.teams, categories=preset.categories, age_groups=preset.age_groups,
                              res=res, permutations=0)
    return {c: HOTSPOT_PATTERN_NB.get(p, p) for c, p in zip(found["cell"], found["category"])}


# --- key figures ---------------------------------------------------------------------------------
def _key_figures(store: Store, now: _Release, before: _Release | None, preset: Preset, *, k: int) -> list[KeyFigure]:
    """The headline numbers; the comparison column is what the comparison period's own export prints."""
    cur, prev = now.protected, before.protected if before else None
    has_compare = prev is not None
    out = [_figure("encounters", cur.total, prev.total if prev else None, has_compare),
           _figure("people", cur.people, prev.people if prev else None, has_compare),
           _figure("new_contacts", cur.new_contacts, prev.new_contacts if prev else None, has_compare)]
    ages = preset.age_groups
    for key, groups in (("share_under_18", UNDER_18), ("share_under_25", UNDER_25)):
        if ages is not None and (set(ages) <= set(groups) or not set(ages) & set(groups)):
            continue  # the share would be 0 or 1 by construction
        out.append(_share_figure(key, now, before, groups, k))
    patrols_now = key_figures(store, now.filters)["patrols"]
    patrols_before = key_figures(store, before.filters)["patrols"] if before else None
    out.append(_figure("patrols", disclose_count(patrols_now, k=k),
                       disclose_count(patrols_before, k=k) if before else None, has_compare))
    hours_now = _presence_hours(store, now, preset)
    hours_before = _presence_hours(store, before, preset) if before else None
    label = FIGURE_NB["presence_hours"] if preset.areas is None else "Tilstedetimer i områdene"
    out.append(KeyFigure("presence_hours", label, _hours_text(hours_now, 0),
                         _hours_text(hours_before, 0) if has_compare else DASH,
                         _pct_text(hours_now, hours_before) if has_compare else DASH))
    return out


def _presence_hours(store: Store, release: _Release, preset: Preset) -> float | None:
    """Presence hours anywhere (or in the preset's areas); None when withheld.

    With the preset's areas the figure is the sum of the area rows, so it is
    withheld as soon as one of them is (it would give that area's hours back).
    """
    if preset.areas is None:
        total = data.presence_with_patrols(store, release.filters, by_area=False)
        return disclose_presence(float(total[data.HOURS].iloc[0]), int(total[data.PATROLS].iloc[0]))
    hours = _area_hours(store, release)
    if any(h is None for h in hours.values()):
        return None
    return float(sum(hours.values()))


def _figure(key: str, now: Count, before: Count | None, has_compare: bool) -> KeyFigure:
    if not has_compare or before is None:
        return KeyFigure(key, FIGURE_NB[key], str(now), DASH, DASH)
    return KeyFigure(key, FIGURE_NB[key], str(now), str(before), _change_text(now, before))


def _share_figure(key: str, now: _Release, before: _Release | None, groups: tuple[str, ...], k: int) -> KeyFigure:
    """Share of encounters with a known age group that are in ``groups``, or a dash.

    The share's denominator is the total minus the unknown ages, and the total
    is shown: so the share is hidden when the unknown count is 1..k−1 (it would
    give it back), and unless every age column total of that period's
    category × age table is shown, since the share could otherwise be solved
    for a hidden column. The comparison period's share is the one its own
    export prints.
    """
    def share(release: _Release) -> float | None:
        table = release.protected.cat_age
        if table.column_totals is None or not all(c.shown for c in table.column_totals):
            return None
        frame = release.rows
        unknown = frame[AGE_GROUP] == AgeGroup.UNKNOWN.value
        if 0 < int(unknown.sum()) < k:
            return None
        known = frame[~unknown]
        return disclose_share(int(known[AGE_GROUP].isin(groups).sum()), len(known), k=k)

    current = share(now)
    previous = share(before) if before else None
    change = (percent_nb(100 * (current - previous), signed=True).replace("%", "%-poeng")
              if current is not None and previous is not None else DASH)
    text = lambda v: DASH if v is None else percent_nb(100 * v)
    return KeyFigure(key, FIGURE_NB[key], text(current), text(previous) if before else DASH, change)


def _pct_text(now: float | None, before: float | None) -> str:
    if now is None or before is None or not math.isfinite(before) or before == 0:
        return DASH
    return percent_nb(100 * (now - before) / before, signed=True)


def _check_period(first: dt.date, last: dt.date, compare_first: dt.date | None, compare_last: dt.date | None) -> None:
    if first > last:
        raise ValueError(f"the period starts {first} after it ends {last}; swap --from and --to")
    if (compare_first is None) != (compare_last is None):
        raise ValueError("give both ends of the comparison period (--compare-from and --compare-to) or neither")
    if compare_first is not None and compare_first > compare_last:
        raise ValueError(f"the comparison period starts {compare_first} after it ends {compare_last}; swap them")
