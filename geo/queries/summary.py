"""Summaries answered from the pre-aggregated tables (never from raw points).

Numbers follow PRODUCT.md exactly:

- patrols are selected by **service day** (local date the patrol started),
  encounters by their own **local date**; both ends inclusive;
- ``patrol_minutes`` is presence (patrol-minutes), ``person_minutes`` is
  presence × staff, ``patrol_km`` is presence length in EPSG:25832 km;
- ``visits`` counts visits (breaks under 2 min bridged);
- ``encounters`` counts distinct encounters; an encounter in two overlapping
  areas counts in both rows, and ``__outside__`` holds those in no area.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from geo.engine.cells import DEFAULT_RESOLUTION, cells_to_hex, check_resolution
from geo.schema import (
    AREA_ID,
    AREA_NAME,
    CELL,
    ENCOUNTER_ID,
    OUTSIDE_AREA_ID,
    PATROL_ID,
    STAFF,
    T_ENCOUNTER_AREAS,
    T_PATROLS,
    T_PRESENCE_AREA,
    T_PRESENCE_CELL,
    T_PRESENCE_TOTAL,
    T_VISITS_AREA,
    T_VISITS_CELL,
    TEAM,
    VALID_FROM,
    VALID_TO,
)
from geo.store.base import Store
from geo.timeutil import period_label

PATROL_MINUTES = "patrol_minutes"
PERSON_MINUTES = "person_minutes"
PATROL_KM = "patrol_km"
VISITS = "visits"
ENCOUNTERS = "encounters"
PATROLS = "patrols"
PERIOD = "period"

MEASURES = (PATROL_MINUTES, PERSON_MINUTES, PATROL_KM, VISITS, ENCOUNTERS)
BY_CHOICES = ("area", "cell", "week", "area,week")


@dataclass(frozen=True, slots=True)
class Selection:
    """Which patrols and encounters a summary covers.

    Dates are Europe/Oslo local dates, both ends inclusive; None = open end.
    ``teams`` limits patrols to those teams (and encounters to those made by
    their patrols); None = all teams.
    """

    first_day: date | None = None
    last_day: date | None = None
    teams: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.first_day and self.last_day and self.first_day > self.last_day:
            raise ValueError(f"from date {self.first_day} is after to date {self.last_day}")


def summarize(store: Store, by: str, selection: Selection = Selection(), *, res: int = DEFAULT_RESOLUTION) -> pd.DataFrame:
    """The summary table for ``by`` in :data:`BY_CHOICES`."""
    if by == "area":
        return by_area(store, selection)
    if by == "cell":
        return by_cell(store, selection, res=res)
    if by == "week":
        return by_period(store, selection, period="week")
    if by == "area,week":
        return by_area_period(store, selection, period="week")
    raise ValueError(f"--by must be one of {', '.join(BY_CHOICES)}; got {by!r}")


def by_area(store: Store, selection: Selection = Selection()) -> pd.DataFrame:
    """One row per field area plus ``__outside__``.

    Columns: area_id, area_name, patrol_minutes, person_minutes, patrol_km,
    visits, encounters. Areas listed: every area with a version valid at some
    point of the selection, and any other area with presence or encounters.
    """
    table = by_area_period(store, selection, period=None)
    return table.drop(columns=[PERIOD])


def by_area_period(store: Store, selection: Selection = Selection(), *, period: str | None = "week") -> pd.DataFrame:
    """Like :func:`by_area`, one row per area and period (``period`` column)."""
    patrols = _patrols(store, selection)
    presence = _patrol_keyed(store, T_PRESENCE_AREA, patrols, [AREA_ID], period)
    visits = _visit_counts(store, T_VISITS_AREA, patrols, [AREA_ID], period)
    encounters = _encounters(store, selection, patrols)
    enc_areas = store.query(f"SELECT {ENCOUNTER_ID}, {AREA_ID} FROM {T_ENCOUNTER_AREAS}")
    enc_areas = enc_areas.drop_duplicates()
    enc_in = encounters.merge(enc_areas, on=ENCOUNTER_ID, how="left")
    enc_in[AREA_ID] = enc_in[AREA_ID].fillna(OUTSIDE_AREA_ID)
    enc_in[PERIOD] = _period_of(enc_in["local_date"], period)
    enc_counts = enc_in.groupby([AREA_ID, PERIOD])[ENCOUNTER_ID].nunique().rename(ENCOUNTERS)

    table = presence.join(visits, how="outer").join(enc_counts, how="outer").reset_index()
    names = _area_names(store)
    listed = _areas_valid_in(store, selection)
    if period is None:
        missing = sorted(set(listed) - set(table[AREA_ID]))
        table = pd.concat([table, pd.DataFrame({AREA_ID: missing, PERIOD: ""})], ignore_index=True)
        if OUTSIDE_AREA_ID not in set(table[AREA_ID]):
            table = pd.concat([table, pd.DataFrame({AREA_ID: [OUTSIDE_AREA_ID], PERIOD: [""]})], ignore_index=True)
    table = _fill_measures(table)
    table.insert(1, "area_name", [names.get(a, "") for a in table[AREA_ID]])  # one per area row
    table.loc[table[AREA_ID] == OUTSIDE_AREA_ID, "area_name"] = "Utenfor alle feltområder"
    table["_outside"] = table[AREA_ID] == OUTSIDE_AREA_ID
    table = table.sort_values(["_outside", PERIOD, AREA_ID]).drop(columns="_outside").reset_index(drop=True)
    return table[[AREA_ID, "area_name", PERIOD, *MEASURES]]


def by_cell(store: Store, selection: Selection = Selection(), *, res: int = DEFAULT_RESOLUTION) -> pd.DataFrame:
    """One row per H3 cell with presence or encounters.

    Columns: cell (H3 index as hex string), patrol_minutes, person_minutes,
    patrol_km, visits, encounters.
    """
    check_resolution(res)
    patrols = _patrols(store, selection)
    presence = _patrol_keyed(store, T_PRESENCE_CELL, patrols, [CELL], None, where=f"res = {int(res)}")
    visits = _visit_counts(store, T_VISITS_CELL, patrols, [CELL], None, where=f"res = {int(res)}")
    encounters = _encounters(store, selection, patrols)
    enc = encounters.groupby(f"cell_{res}")[ENCOUNTER_ID].nunique().rename(ENCOUNTERS)
    enc.index = pd.MultiIndex.from_arrays([enc.index.astype(np.int64), [""] * len(enc)], names=[CELL, PERIOD])
    table = _fill_measures(presence.join(visits, how="outer").join(enc, how="outer").reset_index())
    table[CELL] = cells_to_hex(table[CELL])
    return table.sort_values(CELL).reset_index(drop=True)[[CELL, *MEASURES]]


def by_period(store: Store, selection: Selection = Selection(), *, period: str = "week") -> pd.DataFrame:
    """One row per period: patrols, presence anywhere, area visits and encounters."""
    patrols = _patrols(store, selection)
    presence = _patrol_keyed(store, T_PRESENCE_TOTAL, patrols, [], period)
    visits = _visit_counts(store, T_VISITS_AREA, patrols, [], period)
    n_patrols = patrols.groupby(_period_of(patrols["service_day"], period)).size().rename(PATROLS)
    n_patrols.index.name = PERIOD
    encounters = _encounters(store, selection, patrols)
    enc = encounters.groupby(_period_of(encounters["local_date"], period))[ENCOUNTER_ID].nunique().rename(ENCOUNTERS)
    enc.index.name = PERIOD
    table = pd.concat([n_patrols, presence, visits, enc], axis=1).reset_index()
    table = _fill_measures(table)
    table[PATROLS] = table[PATROLS].fillna(0).astype(np.int64)
    return table.sort_values(PERIOD).reset_index(drop=True)[[PERIOD, PATROLS, *MEASURES]]


# --- helpers -------------------------------------------------------------------
def _patrols(store: Store, selection: Selection) -> pd.DataFrame:
    patrols = store.patrols(first_day=selection.first_day, last_day=selection.last_day)
    if selection.teams is not None:
        patrols = patrols[patrols[TEAM].isin(selection.teams)]
    return patrols


def _encounters(store: Store, selection: Selection, patrols: pd.DataFrame) -> pd.DataFrame:
    encounters = store.encounters(first_day=selection.first_day, last_day=selection.last_day)
    if selection.teams is not None:
        encounters = encounters[encounters[PATROL_ID].isin(patrols[PATROL_ID])]
    return encounters


def _period_of(days: pd.Series, period: str | None) -> pd.Series:
    if period is None:
        return pd.Series("", index=days.index, dtype=object)
    if len(days) == 0:
        return pd.Series([], index=days.index, dtype=object)
    return period_label(days, period).astype(object).set_axis(days.index)


def _patrol_keyed(
    store: Store, table: str, patrols: pd.DataFrame, keys: list[str], period: str | None, *, where: str = ""
) -> pd.DataFrame:
    """Presence summed per key (and period of the patrol's service day)."""
    frame = _per_patrol(store, table, patrols, keys, period, "SUM(d.seconds) AS s, SUM(d.metres) AS m", where)
    frame[PATROL_MINUTES] = frame["s"] / 60.0
    frame[PERSON_MINUTES] = frame["s"] * frame[STAFF] / 60.0
    frame[PATROL_KM] = frame["m"] / 1000.0
    return frame.groupby([*keys, PERIOD])[[PATROL_MINUTES, PERSON_MINUTES, PATROL_KM]].sum()


def _visit_counts(
    store: Store, table: str, patrols: pd.DataFrame, keys: list[str], period: str | None, *, where: str = ""
) -> pd.Series:
    """Visits counted per key (and period of the patrol's service day)."""
    frame = _per_patrol(store, table, patrols, keys, period, "COUNT(*) AS n", where)
    return frame.groupby([*keys, PERIOD])["n"].sum().rename(VISITS)


def _per_patrol(
    store: Store, table: str, patrols: pd.DataFrame, keys: list[str], period: str | None, aggregates: str, where: str
) -> pd.DataFrame:
    """``aggregates`` of a derived table per patrol and key, for the selected patrols, with their period."""
    key_sql = "".join(f", {k}" for k in keys)
    frame = store.query(
        f"SELECT p.{PATROL_ID} AS {PATROL_ID}{key_sql}, {aggregates} "
        f"FROM {table} d JOIN {T_PATROLS} p ON p.fid = d.patrol_fid "
        f"{'WHERE ' + where if where else ''} GROUP BY p.{PATROL_ID}{key_sql}"
    )
    frame = frame.merge(patrols[[PATROL_ID, STAFF, "service_day"]], on=PATROL_ID, how="inner")
    frame[PERIOD] = _period_of(frame["service_day"], period)
    return frame


def _fill_measures(table: pd.DataFrame) -> pd.DataFrame:
    for col in MEASURES:
        if col not in table:
            table[col] = 0
    for col in (PATROL_MINUTES, PERSON_MINUTES, PATROL_KM):
        table[col] = table[col].astype(np.float64).fillna(0.0).round(3)
    for col in (VISITS, ENCOUNTERS):
        table[col] = table[col].fillna(0).astype(np.int64)
    return table


def _area_names(store: Store) -> pd.Series:
    areas = store.areas()
    latest = areas.sort_values(["area_id", "version"]).groupby(AREA_ID).tail(1)
    return pd.Series(latest[AREA_NAME].to_numpy(), index=latest[AREA_ID].to_numpy())


def _areas_valid_in(store: Store, selection: Selection) -> list[str]:
    areas = store.areas()
    first = selection.first_day or date.min
    last = selection.last_day or date.max
    starts_before_end = areas[VALID_FROM].apply(lambda d: d <= last)
    ends_after_start = areas[VALID_TO].apply(lambda d: d is None or d > first)
    return sorted(set(areas.loc[starts_before_end & ends_after_start, AREA_ID]))


def patrol_day_span(store: Store) -> tuple[date, date] | None:
    """First and last service day with a patrol in the store; None when empty."""
    frame = store.query("SELECT MIN(service_day) AS lo, MAX(service_day) AS hi FROM patrols")
    lo, hi = frame.iloc[0]["lo"], frame.iloc[0]["hi"]
    if not isinstance(lo, str):
        return None
    return date.fromisoformat(lo), date.fromisoformat(hi)
