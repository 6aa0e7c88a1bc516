"""Do the naive pipeline and the engine give the same presence?

The naive pipeline gives every segment wholly to the area(s) and H3 cell of its
start point; the engine splits it exactly where it crosses a boundary. So:

- the **total** presence must agree to rounding (same segments, same rules);
- per area / cell they differ only through segments that cross a boundary.
  With 1 Hz fixes and GPS jitter (a patrol standing still next to a cell
  edge crosses it every second or so) that is a random error of a few
  seconds per cell, which is more than 0.5 % for cells with only a few
  minutes of presence;
- every difference must be *explained*: ``|naive - engine|`` is at most the
  presence of the segments that start or end in that area/cell with their
  other end elsewhere (``crossing bound``, see ``bench.naive.crossing_bounds``),
  plus ``tolerance`` × engine seconds for segments that only pass through.

``ok`` requires the totals to agree (relative 1e-9), and every area and cell
with more than ``min_seconds`` of presence to be within ``tolerance`` or
explained by its crossing bound. The share of areas / cells within
``tolerance`` and the largest relative difference are reported alongside.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from geo.schema import AREA_ID, AREA_VERSION, CELL, SECONDS

MIN_SECONDS = 300.0
"""Areas and cells with at least this much presence (either pipeline) are compared: 5 minutes."""

TOLERANCE = 0.005
"""Relative difference accepted without explanation: 0.5 %."""

TOTAL_TOLERANCE = 1e-9
"""Relative difference accepted between the two grand totals."""

THRESHOLDS_S = (300.0, 1_800.0, 7_200.0)
"""Presence thresholds (s) at which the largest cell difference is also reported."""


def agreement(
    engine_area: pd.DataFrame,
    engine_cell: pd.DataFrame,
    naive_area: pd.DataFrame,
    naive_cell: pd.DataFrame,
    *,
    naive_total_s: float,
    bound_area: pd.DataFrame | None = None,
    bound_cell: pd.DataFrame | None = None,
    min_seconds: float = MIN_SECONDS,
    tolerance: float = TOLERANCE,
) -> dict[str, Any]:
    """Agreement of the per-area and per-cell presence seconds (see module docstring)."""
    engine_total = float(engine_cell[SECONDS].sum())  # every segment is spread over cells in full
    total_rel = _rel(naive_total_s, engine_total)

    areas = _merge(engine_area, naive_area, [AREA_ID, AREA_VERSION], bound_area)
    cells = _merge(engine_cell, naive_cell, [CELL], bound_cell)
    area_stats = _stats(areas, min_seconds, tolerance)
    cell_stats = _stats(cells, min_seconds, tolerance)
    cell_stats["engine_cells"] = int((cells["engine_s"] > 0).sum())
    cell_stats["naive_cells"] = int((cells["naive_s"] > 0).sum())
    cell_stats["engine_only_s"] = float(cells.loc[cells["naive_s"] == 0, "engine_s"].sum())
    cell_stats["naive_only_s"] = float(cells.loc[cells["engine_s"] == 0, "naive_s"].sum())
    cell_stats["max_rel_diff_above_s"] = {
        str(int(t)): _max_rel(cells[np.maximum(cells["engine_s"], cells["naive_s"]) > t]) for t in THRESHOLDS_S
    }
    area_stats["rows"] = [
        {
            AREA_ID: r[AREA_ID],
            AREA_VERSION: int(r[AREA_VERSION]),
            "engine_s": float(r["engine_s"]),
            "naive_s": float(r["naive_s"]),
            "rel_diff": _rel(r["naive_s"], r["engine_s"]),
            "crossing_bound_s": float(r["bound_s"]),
        }
        for _, r in areas.iterrows()  # a dozen areas
    ]
    ok = (
        total_rel <= TOTAL_TOLERANCE
        and area_stats["all_within_or_explained"]
        and cell_stats["all_within_or_explained"]
    )
    return {
        "ok": bool(ok),
        "min_seconds": min_seconds,
        "tolerance": tolerance,
        "total_seconds": {"engine": engine_total, "naive": float(naive_total_s), "rel_diff": total_rel},
        "area_total_seconds": {
            "engine": float(areas["engine_s"].sum()),
            "naive": float(areas["naive_s"].sum()),
            "rel_diff": _rel(float(areas["naive_s"].sum()), float(areas["engine_s"].sum())),
        },
        "areas": area_stats,
        "cells": cell_stats,
    }


def _merge(engine: pd.DataFrame, naive: pd.DataFrame, keys: list[str], bound: pd.DataFrame | None) -> pd.DataFrame:
    out = engine[keys + [SECONDS]].rename(columns={SECONDS: "engine_s"}).merge(
        naive[keys + [SECONDS]].rename(columns={SECONDS: "naive_s"}), on=keys, how="outer"
    )
    if bound is not None:
        out = out.merge(bound[keys + ["bound_s"]], on=keys, how="left")
    else:
        out["bound_s"] = np.nan
    return out.fillna({"engine_s": 0.0, "naive_s": 0.0, "bound_s": 0.0})


def _stats(frame: pd.DataFrame, min_seconds: float, tolerance: float) -> dict[str, Any]:
    big = frame[np.maximum(frame["engine_s"], frame["naive_s"]) > min_seconds]
    diff = (big["naive_s"] - big["engine_s"]).abs()
    rel = diff / big["engine_s"].where(big["engine_s"] > 0)
    within = rel <= tolerance
    explained = diff <= big["bound_s"] + tolerance * big["engine_s"] + 1e-6
    weighted = float(diff.sum() / big["engine_s"].sum()) if len(big) else 0.0
    worst = big.loc[rel.idxmax()] if len(big) and rel.notna().any() else None
    return {
        "compared": len(big),
        "max_rel_diff": float(rel.max()) if len(big) else 0.0,
        "worst": None if worst is None else {
            k: (v.item() if hasattr(v, "item") else v) for k, v in worst.items()
        },
        "within_tolerance": int(within.sum()),
        "share_within_tolerance": float(within.mean()) if len(big) else 1.0,
        "weighted_mean_abs_rel_diff": weighted,
        "explained_by_crossings": int(explained.sum()),
        "all_within_or_explained": bool((within | explained).all()),
    }


def _max_rel(frame: pd.DataFrame) -> float | None:
    if frame.empty:
        return None
    rel = (frame["naive_s"] - frame["engine_s"]).abs() / frame["engine_s"].where(frame["engine_s"] > 0)
    return float(rel.max())


def _rel(a: float, b: float) -> float:
    a, b = float(a), float(b)
    if a == b:
        return 0.0
    return abs(a - b) / max(abs(b), 1e-300)
