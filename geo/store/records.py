"""Helpers both backends' records (audit log, retention, frozen marks) share: frames read back
from SQL text and the checks of a cutoff time."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

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
