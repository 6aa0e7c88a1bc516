"""Staff-track retention: raw GPS points are kept for a limited time, then only their aggregates.

PRODUCT.md (Who sees what): staff GPS tracks are kept raw for a limited time (default 60
days), then only as aggregates; figures for old periods do not change when raw points go.
Datatilsynet's line on employee location data is the reason: necessary, proportionate,
purpose-bound, not kept longer than needed.

- **Policy** (:func:`load_config`): ``config/retention.toml``, table ``[retention]``:
  ``days`` (whole days ≥ 1, default :data:`DEFAULT_DAYS`) and ``after_import`` (apply it
  after every import, default true). A wrong key or value is an error that names it.
- **Cutoff** (:func:`cutoff_for`): now minus ``days`` × 24 h, in UTC.
- **Run** (:func:`apply_retention`): every patrol with a track point before the cutoff
  loses all its raw points (whole patrols, see
  :meth:`geo.store.base.Store.delete_track_points_before`), once its aggregates exist: a
  patrol without presence rows is aggregated first (in the same transaction). The
  aggregates (patrol × area × hour, patrol × cell × hour, visits, totals) are not touched,
  so every figure stays exactly as it was. Each run is logged in the audit log. The command
  line (``python -m geo retention``) and every import (``after_import``) apply it; on a
  GeoPackage the command line then runs ``VACUUM`` and reports the bytes freed, otherwise the
  bytes are estimated from the share of the store the raw points took.
- **Frozen aggregates** (:func:`aggregate_status`, :func:`period_status`): once a patrol's
  raw points are gone, a later field-area change cannot recompute its area aggregates from
  them. :func:`geo.engine.refresh.refresh_areas` keeps them untouched and marks the
  (patrol, area) pairs the change concerned as frozen. These functions say, per service
  day or per period, whether the area figures are computed from the area version of their
  day or are frozen aggregates, so that a page never mixes the two silently. Nothing here is
  per staff member: patrols carry no staff identity.
"""

from __future__ import annotations

import time
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from geo.engine.refresh import patrols_with_aggregates, refresh_patrols
from geo.errors import FeltkartError
from geo.schema import AREA_ID, PATROL_ID, SERVICE_DAY, T_FACTS, T_TRACK_POINTS
from geo.store.base import Store
from geo.timeutil import FIRST_DAY, LABEL, periods_between

RETENTION_FILE = Path(__file__).resolve().parents[1] / "config" / "retention.toml"
DEFAULT_DAYS = 60
"""Days raw track points are kept by default (PRODUCT.md)."""

COMPUTED, FROZEN, MIXED = "computed", "frozen", "mixed"
"""Status of a day's or period's area figures: computed from the area version valid on each
day (from raw points, or from aggregates no area change has concerned since), frozen
aggregates (an area change after the raw points went could not be applied), or a period
holding days of both."""


class RetentionConfigError(FeltkartError):
    """``config/retention.toml`` has a wrong key or value (the message names it)."""


@dataclass(frozen=True, slots=True)
class RetentionConfig:
    """The retention policy: keep raw points ``days`` days; apply it after every import or not."""

    days: int = DEFAULT_DAYS
    after_import: bool = True


@dataclass(frozen=True, slots=True)
class RetentionRun:
    """What a retention run deleted (or, with ``dry_run``, would delete).

    ``bytes_freed`` is measured (the file shrank by it after ``VACUUM``) when ``vacuumed``,
    else estimated from the share of the store the deleted points took (None: unknown).
    """

    cutoff_utc: pd.Timestamp
    days: int
    dry_run: bool
    points: int
    patrols: int
    first_utc: pd.Timestamp | None
    last_utc: pd.Timestamp | None
    bytes_freed: int | None
    vacuumed: bool
    seconds: float

    def lines(self) -> list[str]:
        """The run in plain words, one fact per line (what the command line prints)."""
        verb = "would delete" if self.dry_run else "deleted"
        span = (f"oldest {_shown(self.first_utc)}, newest {_shown(self.last_utc)}" if self.points
                else "nothing older than the cutoff")
        if self.points == 0:
            size = "bytes freed: 0"
        elif self.bytes_freed is None:
            size = "bytes freed: unknown"
        elif self.vacuumed:
            size = f"bytes freed: {self.bytes_freed:,} (measured after VACUUM)"
        else:
            size = f"bytes freed: about {self.bytes_freed:,} (estimate{'' if self.dry_run else '; space is reused'})"
        return [
            f"retention: keep raw track points {self.days} days; cutoff {_shown(self.cutoff_utc)}",
            f"{verb} {self.points:,} raw track points of {self.patrols:,} patrols ({span})",
            "aggregates kept: every figure for those periods is unchanged",
            size,
            f"took {self.seconds:.1f} s",
        ]


def load_config(path: Path = RETENTION_FILE) -> RetentionConfig:
    """The retention policy in ``path`` (``[retention]`` with ``days`` and ``after_import``);
    the defaults when the file does not exist.

    Raises
    ------
    RetentionConfigError
        The file is not TOML, or a key is unknown or has a wrong value (named in the message).
    """
    if not path.is_file():
        return RetentionConfig()
    try:
        config = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RetentionConfigError(f"{path}: not valid TOML ({exc})") from exc
    extra = sorted(set(config) - {"retention"})
    if extra:
        raise RetentionConfigError(f"{path}: unknown table or key {', '.join(extra)}; only [retention] is read")
    table = config.get("retention", {})
    if not isinstance(table, dict):
        raise RetentionConfigError(f"{path}: retention must be a table ([retention]); got {type(table).__name__}")
    unknown = sorted(set(table) - {"days", "after_import"})
    if unknown:
        raise RetentionConfigError(f"{path}: unknown key retention.{unknown[0]}; the keys are retention.days "
                                   "and retention.after_import")
    days = table.get("days", DEFAULT_DAYS)
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise RetentionConfigError(f"{path}: retention.days must be a whole number of days, at least 1; got {days!r}")
    after_import = table.get("after_import", True)
    if not isinstance(after_import, bool):
        raise RetentionConfigError(f"{path}: retention.after_import must be true or false; got {after_import!r}")
    return RetentionConfig(days=days, after_import=after_import)


def check_days(days: int) -> int:
    """``days`` if it is a whole number ≥ 1; a ValueError naming it otherwise."""
    if isinstance(days, bool) or not isinstance(days, (int, np.integer)) or days < 1:
        raise ValueError(f"days must be a whole number of days, at least 1; got {days!r}")
    return int(days)


def cutoff_for(days: int, *, now: datetime | None = None) -> pd.Timestamp:
    """The retention cutoff: ``now`` (default: the current time) minus ``days`` × 24 h, in UTC."""
    moment = pd.Timestamp(now if now is not None else datetime.now(timezone.utc))
    if moment.tzinfo is None:
        raise ValueError(f"now must be time zone-aware; got {now!r}")
    return moment.tz_convert("UTC") - timedelta(days=check_days(days))


def apply_retention(store: Store, *, days: int | None = None, now: datetime | None = None, dry_run: bool = False,
                    vacuum: bool = False, actor: str | None = None,
                    config: RetentionConfig | None = None) -> RetentionRun:
    """Delete (or with ``dry_run`` only count) the raw track points older than the retention.

    ``days`` defaults to the policy's (``config``, else :func:`load_config`). Deleting and
    the aggregation of patrols without presence rows happen in one transaction; then, with
    ``vacuum`` on a GeoPackage, the file is rebuilt without the freed pages. A run that
    deletes is logged in the audit log (``retention``, by ``actor``); a dry run changes
    nothing at all.
    """
    began = time.perf_counter()
    days = check_days(days if days is not None else (config or load_config()).days)
    cutoff = cutoff_for(days, now=now)
    expired = store.track_points_before(cutoff)
    points = int(expired["points"].sum())
    estimate = _estimated_bytes(store, points)
    freed, vacuumed = estimate, False
    if not dry_run and points:
        with store.transaction():
            _aggregate_first(store, expired[PATROL_ID].tolist())
            points = store.delete_track_points_before(cutoff)
            store.log_audit("retention", {
                "days": days, "cutoff_utc": cutoff.isoformat(), "points": points, "patrols": len(expired),
                "first_utc": expired["first_utc"].min().isoformat(), "last_utc": expired["last_utc"].max().isoformat(),
            }, actor=actor)
        if vacuum and hasattr(store, "vacuum"):
            freed, vacuumed = store.vacuum(), True
    return RetentionRun(
        cutoff_utc=cutoff, days=days, dry_run=dry_run, points=points, patrols=len(expired),
        first_utc=expired["first_utc"].min() if len(expired) else None,
        last_utc=expired["last_utc"].max() if len(expired) else None,
        bytes_freed=freed, vacuumed=vacuumed, seconds=time.perf_counter() - began,
    )


def apply_after_import(store: Store, *, actor: str | None = None,
                       config: RetentionConfig | None = None) -> RetentionRun | None:
    """The retention run every import ends with (outside the import's transaction), unless the
    policy says ``after_import = false``; None then. No ``VACUUM``: the freed pages are reused."""
    config = config or load_config()
    if not config.after_import:
        return None
    return apply_retention(store, days=config.days, actor=actor, config=config)


# --- which figures are computed, which frozen ---------------------------------------------------


def aggregate_status(store: Store, *, first_day: date | None = None, last_day: date | None = None) -> pd.DataFrame:
    """Per service day with patrols in [first_day, last_day]: are its area figures computed
    from the area version of that day, or frozen aggregates?

    Columns: ``service_day``; ``patrols``; ``raw_patrols`` (raw points still kept);
    ``frozen_patrols`` (area aggregates frozen: raw points gone before an area change that
    concerned the day); ``frozen_areas`` (sorted tuple of area ids with frozen aggregates that
    day); ``status``: :data:`COMPUTED` or :data:`FROZEN`. Cell figures never freeze (cells do
    not depend on areas). Days are Europe/Oslo service days.
    """
    patrols = store.patrols(first_day=first_day, last_day=last_day)[[PATROL_ID, SERVICE_DAY]]
    raw = patrols[PATROL_ID].isin(store.patrols_with_raw_points())
    frozen = store.frozen_area_aggregates()
    frozen = frozen[frozen[PATROL_ID].isin(patrols.loc[~raw, PATROL_ID])]  # a mark on re-imported points is stale
    day_of = dict(zip(patrols[PATROL_ID], patrols[SERVICE_DAY]))
    frozen = frozen.assign(**{SERVICE_DAY: frozen[PATROL_ID].map(day_of)})
    table = pd.DataFrame({
        "patrols": patrols.groupby(SERVICE_DAY)[PATROL_ID].nunique(),
        "raw_patrols": patrols[raw].groupby(SERVICE_DAY)[PATROL_ID].nunique(),
        "frozen_patrols": frozen.groupby(SERVICE_DAY)[PATROL_ID].nunique(),
    }).fillna(0).astype("int64")
    areas = frozen.groupby(SERVICE_DAY)[AREA_ID].agg(lambda ids: tuple(sorted(set(ids))))
    table["frozen_areas"] = [areas.get(day, ()) for day in table.index]
    table["status"] = np.where(table["frozen_patrols"] > 0, FROZEN, COMPUTED)
    return table.rename_axis(SERVICE_DAY).reset_index()


def period_status(store: Store, kind: str, first_day: date, last_day: date) -> pd.DataFrame:
    """:func:`aggregate_status` per period of ``kind`` (week, month, tertial, quarter, year)
    overlapping [first_day, last_day]: ``period``, ``first_day``, ``last_day``, ``days`` (with
    patrols), ``frozen_days``, ``patrols``, ``frozen_patrols``, ``frozen_areas`` and ``status``:
    :data:`COMPUTED`, :data:`FROZEN` (every day with patrols frozen) or :data:`MIXED`."""
    periods = periods_between(first_day, last_day, kind)
    days = aggregate_status(store, first_day=first_day, last_day=last_day)
    label_of = np.searchsorted(pd.to_datetime(periods[FIRST_DAY]).to_numpy(),
                               pd.to_datetime(days[SERVICE_DAY]).to_numpy(), side="right") - 1
    days[LABEL] = periods[LABEL].to_numpy()[label_of] if len(days) else []
    grouped = days.groupby(LABEL)
    out = periods.set_index(LABEL)
    out["days"] = grouped.size()
    out["frozen_days"] = grouped["status"].agg(lambda s: int((s == FROZEN).sum()))
    out["patrols"] = grouped["patrols"].sum()
    out["frozen_patrols"] = grouped["frozen_patrols"].sum()
    out[["days", "frozen_days", "patrols", "frozen_patrols"]] = (
        out[["days", "frozen_days", "patrols", "frozen_patrols"]].fillna(0).astype("int64"))
    areas = grouped["frozen_areas"].agg(lambda tuples: tuple(sorted(set().union(*tuples))))
    out["frozen_areas"] = [areas.get(label, ()) for label in out.index]
    out["status"] = np.select([out["frozen_days"] == 0, out["frozen_days"] == out["days"]], [COMPUTED, FROZEN], MIXED)
    return out.reset_index()


# --- helpers ----------------------------------------------------------------------------------------


def _aggregate_first(store: Store, patrol_ids: list[str]) -> None:
    """Compute the aggregates of those of ``patrol_ids`` that have no presence rows yet
    (points written without the importer), so that no raw point goes before its aggregates exist."""
    aggregated = patrols_with_aggregates(store)
    missing = [p for p in patrol_ids if p not in aggregated]
    if missing:
        refresh_patrols(store, missing)


def _estimated_bytes(store: Store, points: int) -> int | None:
    """Bytes ``points`` raw track points take: their share of the raw points' storage."""
    if points == 0:
        return 0
    kept = store.query(f"SELECT value FROM {T_FACTS} WHERE name = ?", (T_TRACK_POINTS,))  # COUNT(*) is slow
    stored = int(kept["value"].iloc[0]) if len(kept) else 0
    total = store.raw_points_bytes()
    if total is None or stored <= 0:
        return None
    return int(round(total * min(points / stored, 1.0)))


def _shown(moment: pd.Timestamp | None) -> str:
    return "-" if moment is None else moment.tz_convert("UTC").strftime("%Y-%m-%d %H:%M UTC")
