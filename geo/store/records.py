"""What both backends' records (audit log, retention, frozen marks) share: the reads, which are
the same SQL through :meth:`Store.query`, frames read back from SQL text and the check of a
cutoff time. The writes differ per backend (``gpkg_records.py``, ``postgis_records.py``)."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from geo.schema import (
    AREA_ID,
    AUDIT_COLUMNS,
    PATROL_FID,
    PATROL_ID,
    T_AUDIT_LOG,
    T_FROZEN,
    T_PATROLS,
    T_RAW_REMOVED,
    T_TRACK_POINTS,
)
from geo.store.audit import audit_frame

REMOVED_COLUMNS = ("removed_utc", "points", "first_utc", "last_utc")
"""Columns of ``raw_points_removed`` besides the patrol."""

EXPIRED_COLUMNS = ("points", "first_utc", "last_utc")
"""Columns of a retention preview (:meth:`geo.store.base.Store.track_points_before`) besides the patrol."""


def cutoff_stamp(cutoff_utc: datetime) -> pd.Timestamp:
    """``cutoff_utc`` as a UTC timestamp; a ValueError when it has no time zone."""
    stamp = pd.Timestamp(cutoff_utc)
    if stamp.tzinfo is None:
        raise ValueError(f"cutoff_utc must be time zone-aware (UTC); got {cutoff_utc!r}")
    return stamp.tz_convert("UTC")


def with_times(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """``frame`` with ``columns`` (ISO UTC text as :meth:`Store.query` returns) as tz-aware UTC
    timestamps and a ``points`` column, if any, as int64."""
    for column in columns:
        frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
    if "points" in frame:
        frame["points"] = frame["points"].astype("int64")
    return frame


def empty(columns: tuple[str, ...], times: tuple[str, ...]) -> pd.DataFrame:
    """An empty frame with ``columns``, ``times`` among them as tz-aware UTC timestamps."""
    return with_times(pd.DataFrame({c: pd.Series(dtype=object) for c in columns}), times)


class RecordReads:
    """The record reads of a store (a mixin; the backend says whether a record table exists yet)."""

    def _has_record_table(self, table: str) -> bool:
        raise NotImplementedError

    def audit_log(self) -> pd.DataFrame:
        if not self._has_record_table(T_AUDIT_LOG):
            return audit_frame(pd.DataFrame())
        return audit_frame(self.query(f"SELECT {', '.join(AUDIT_COLUMNS)} FROM {T_AUDIT_LOG} ORDER BY fid"))

    def removed_raw_patrols(self) -> pd.DataFrame:
        times = ("removed_utc", "first_utc", "last_utc")
        if not self._has_record_table(T_RAW_REMOVED):
            return empty((PATROL_ID, *REMOVED_COLUMNS), times)
        frame = self.query(f"SELECT p.{PATROL_ID} AS {PATROL_ID}, {', '.join('r.' + c for c in REMOVED_COLUMNS)} "
                           f"FROM {T_RAW_REMOVED} r JOIN {T_PATROLS} p ON p.fid = r.{PATROL_FID} "
                           f"ORDER BY r.{PATROL_FID}")
        return with_times(frame, times)

    def patrols_with_raw_points(self) -> list[str]:
        frame = self.query(f"SELECT p.{PATROL_ID} FROM {T_PATROLS} p WHERE EXISTS "
                           f"(SELECT 1 FROM {T_TRACK_POINTS} t WHERE t.{PATROL_FID} = p.fid) ORDER BY p.fid")
        return frame[PATROL_ID].tolist() if len(frame) else []

    def frozen_area_aggregates(self) -> pd.DataFrame:
        if not self._has_record_table(T_FROZEN):
            return empty((PATROL_ID, AREA_ID, "frozen_utc"), ("frozen_utc",))
        frame = self.query(f"SELECT p.{PATROL_ID} AS {PATROL_ID}, f.{AREA_ID} AS {AREA_ID}, f.frozen_utc AS frozen_utc "
                           f"FROM {T_FROZEN} f JOIN {T_PATROLS} p ON p.fid = f.{PATROL_FID} "
                           f"ORDER BY f.{PATROL_FID}, f.{AREA_ID}")
        return with_times(frame, ("frozen_utc",))
