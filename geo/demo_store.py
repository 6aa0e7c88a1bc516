"""Build a GeoPackage store filled with the deterministic Oslo demo data.

The store is written to a temporary file beside the target and renamed into
place at the end, so an interrupted build never leaves a half-filled store
that would later be mistaken for a complete one.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from geo import aggregates
from geo.demo import demo_areas, generate_activity
from geo.engine.presence import prepare_areas
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
    progress=None,
) -> DemoBuild:
    """Generate demo data for [start, end] (local dates) into a new store at ``path``.

    An existing file at ``path`` is replaced only when the build succeeds.
    ``progress`` is an optional callable receiving short status strings.
    """
    if start > end:
        raise ValueError(f"--start {start} is after --end {end}")
    path = Path(path)
    tmp = path.with_name(f".{path.name}.building")
    if tmp.exists():
        tmp.unlink()
    began = time.perf_counter()
    store = GpkgStore(tmp, bulk_load=True)
    try:
        with store.transaction():
            store.add_area_versions(demo_areas(), changed_by="demo")
            areas = prepare_areas(store.areas())
            for chunk in generate_activity(seed=seed, start=start, end=end):
                store.add_patrols(chunk.patrols)
                store.add_track_points(chunk.track_points)
                store.add_encounters(chunk.encounters)
                aggregates.write_presence_batched(store, chunk.track_points, areas)
                if progress:
                    progress(f"{len(chunk.patrols)} patrols, {len(chunk.track_points):,} points, "
                             f"{len(chunk.encounters)} encounters")
            aggregates.refresh_encounter_areas(store)
        counts = store.counts()
    finally:
        store.close()
    os.replace(tmp, path)
    return DemoBuild(path=path, seconds=time.perf_counter() - began, size_bytes=path.stat().st_size, counts=counts)
