"""Build a GeoPackage store filled with the deterministic Oslo demo data.

Generation and the presence engine run in a worker process, one calendar year
ahead of the main process, which writes the previous year into SQLite: on two
cores the two halves overlap. The store is written to a temporary file beside
the target and renamed into place at the end, so an interrupted build never
leaves a half-filled store that would later be mistaken for a complete one.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import geopandas as gpd

from geo.engine import refresh
from geo.demo import DemoActivity, demo_areas, generate_activity
from geo.engine.area_cache import prepare_areas_cached
from geo.engine.presence import PresenceTables, with_encounter_cells
from geo.progress import DEMO, ENCOUNTERS, GENERATE, WRITE, Progress, Tracker, no_progress
from geo.schema import PATROL_ID
from geo.store.gpkg import GpkgStore

DEFAULT_SEED = 42
DEFAULT_START = date(2018, 1, 1)
DEFAULT_END = date(2024, 12, 31)


@dataclass(frozen=True, slots=True)
class DemoBuild:
    """Facts about a finished demo build."""

    path: Path
    seconds: float
    size_bytes: int
    counts: dict[str, int]


def build_demo_store(
    path: str | Path,
    *,
    seed: int = DEFAULT_SEED,
    start: date = DEFAULT_START,
    end: date = DEFAULT_END,
    progress: Progress = no_progress,
) -> DemoBuild:
    """Generate demo data for [start, end] (local dates) into a new store at ``path``.

    An existing file at ``path`` is replaced only when the build succeeds.
    ``progress`` gets, for each calendar year (one unit each), ``generate`` (the
    worker's activity and presence awaited) and ``write`` (its counts in
    ``detail``), then a last unit ``encounters`` (encounters-in-areas) and
    ``done`` (task ``demo``; :mod:`geo.progress`).
    """
    if start > end:
        raise ValueError(f"--start {start} is after --end {end}")
    path = Path(path)
    tmp = path.with_name(f".{path.name}.building")
    tmp.unlink(missing_ok=True)
    began = time.perf_counter()
    years = _years(start, end)
    tracker = Tracker(progress, DEMO, len(years) + 1)
    store = GpkgStore(tmp, bulk_load=True)
    try:
        with store.transaction():
            store.add_area_versions(demo_areas(), changed_by="demo")
            areas = store.areas()
            tracker.stage(GENERATE, _year_label(*years[0]))
            for i, (activity, tables) in enumerate(_computed_years(seed, years, areas)):
                label = _year_label(*years[i])
                tracker.stage(WRITE, f"{label}: {len(activity.patrols):,} patrols, "
                              f"{len(activity.track_points):,} points, {len(activity.encounters):,} encounters")
                store.add_patrols(activity.patrols)
                store.add_track_points(activity.track_points)
                store.add_encounters(with_encounter_cells(activity.encounters))
                refresh.store_presence(store, tables, activity.patrols[PATROL_ID].tolist())
                tracker.advance()
                if i + 1 < len(years):
                    tracker.stage(GENERATE, _year_label(*years[i + 1]))
            tracker.stage(ENCOUNTERS)
            refresh.refresh_encounter_areas(store)
        counts = store.counts()
    finally:
        store.close()
    os.replace(tmp, path)
    tracker.finish()
    return DemoBuild(path=path, seconds=time.perf_counter() - began, size_bytes=path.stat().st_size, counts=counts)


def _years(start: date, end: date) -> list[tuple[date, date]]:
    """[start, end] cut at calendar years: (first, last) local date of each part."""
    return [(max(start, date(y, 1, 1)), min(end, date(y, 12, 31))) for y in range(start.year, end.year + 1)]


def _year_label(first: date, last: date) -> str:
    return f"{first.isoformat()}–{last.isoformat()}"


def _computed_years(seed: int, years: list[tuple[date, date]], areas: gpd.GeoDataFrame
                    ) -> Iterator[tuple[DemoActivity, PresenceTables]]:
    """Each year's activity and presence tables, computed one year ahead in a worker."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        pending = [pool.submit(_compute_year, seed, a, b, areas) for a, b in years[:2]]
        for i in range(len(years)):
            result = pending[i].result()
            if i + 2 < len(years):
                pending.append(pool.submit(_compute_year, seed, *years[i + 2], areas))
            yield result


def _compute_year(seed: int, first: date, last: date, areas: gpd.GeoDataFrame) -> tuple[DemoActivity, PresenceTables]:
    """Generate one year (worker process) and compute its presence tables."""
    activities = list(generate_activity(seed=seed, start=first, end=last))
    activity = activities[0] if len(activities) == 1 else _merge(activities)
    tables = refresh.compute_presence_batched(activity.track_points, prepare_areas_cached(areas))
    return activity, tables


def _merge(activities: list[DemoActivity]) -> DemoActivity:
    import pandas as pd

    return DemoActivity(
        patrols=pd.concat([a.patrols for a in activities], ignore_index=True),
        track_points=pd.concat([a.track_points for a in activities], ignore_index=True),
        encounters=pd.concat([a.encounters for a in activities], ignore_index=True),
    )
