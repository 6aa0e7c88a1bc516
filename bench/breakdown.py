"""Where the engine spends its time: ``python -m bench.breakdown [--points N]``.

Re-runs the steps of ``geo.engine.presence.presence_totals`` (per patrol
chunk of ``geo.engine.segments.iter_segment_chunks``) with
``time.perf_counter`` around each, summed over the chunks, on the benchmark
data. Mirrors the engine as of the commit that added ``sum_by_cell``; if
presence_totals changes, update this file. One process, no memory figures; for information only.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections import defaultdict

import numpy as np
import pandas as pd

from bench import data
from geo.engine import segments as segments_module
from geo.engine.cells import cells_of, split_by_cells, sum_by_cell
from geo.engine.presence import area_shares, prepare_areas
from geo.schema import LAT, LON, PATROL_ID


def breakdown(points: pd.DataFrame, areas, *, res: int = 10) -> dict[str, float]:
    """Seconds per step of ``presence_totals`` (steps summed over the engine's patrol chunks)."""
    times: dict[str, float] = defaultdict(float)
    clock = time.perf_counter

    t = clock()
    prepared = prepare_areas(areas)
    times["prepare_areas"] = clock() - t
    chunks = segments_module.iter_segment_chunks(points)  # group by patrol on the first next(), then per chunk
    n_seg = n_chunks = n_pieces = 0
    cell_parts = []
    while True:
        t = clock()
        seg = next(chunks, None)
        times["segments (group, sort, project, build)"] += clock() - t
        if seg is None:
            break
        n_chunks += 1
        n_seg += len(seg)
        t = clock()
        s, v, share = area_shares(seg, prepared)
        np.bincount(v, weights=seg.duration_s[s] * share, minlength=len(prepared))
        np.bincount(v, weights=seg.length_m[s] * share, minlength=len(prepared))
        times["area_shares + bincount"] += clock() - t
        t = clock()
        pieces = split_by_cells(seg, res)
        times["split_by_cells"] += clock() - t
        n_pieces += pieces.segment.size
        t = clock()
        cells, (seconds,) = sum_by_cell(pieces.cell, seg.duration_s[pieces.segment] * pieces.fraction)
        cell_parts.append((cells, seconds))
        times["sum_by_cell"] += clock() - t
    t = clock()
    code, _ = pd.factorize(np.concatenate([c for c, _ in cell_parts]))
    np.bincount(code, weights=np.concatenate([w for _, w in cell_parts]))
    times["merge cells"] = clock() - t
    total = sum(times.values())

    # parts, re-done on all points at once for information
    parts: dict[str, float] = {}
    t = clock()
    pd.factorize(points[PATROL_ID], sort=True)
    parts["factorize patrol_id (all points; the engine avoids it)"] = clock() - t
    t = clock()
    segments_module._group_by_patrol(points[PATROL_ID])
    parts["group by patrol (all points)"] = clock() - t
    lon, lat = points[LON].to_numpy(), points[LAT].to_numpy()
    project = segments_module.to_measure_crs
    t = clock()
    project(lon, lat)
    parts[f"to_measure_crs, all points ({project.__module__})"] = clock() - t
    t = clock()
    cells_of(lon, lat, res)
    parts["cells_of, all points"] = clock() - t
    return {
        "steps": dict(times),
        "total": total,
        "parts": parts,
        "segments": n_seg,
        "chunks": n_chunks,
        "extra_cell_pieces": (n_pieces - n_seg) / max(n_seg, 1),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.breakdown", description=__doc__.split("\n\n")[0])
    ap.add_argument("--points", type=lambda s: int(float(s)), default=10_000_000)
    ap.add_argument("--seed", type=int, default=data.DEFAULT_SEED)
    ap.add_argument("--res", type=int, default=10)
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = ap.parse_args(argv)
    from geo.engine import allocator

    allocator.configure()  # as geo.cli.main does
    areas = data.bench_areas()
    points = data.generate_track_points(args.points, seed=args.seed, areas=areas)
    load = os.getloadavg()[0]
    result = breakdown(points, areas, res=args.res)
    if args.json:
        print(json.dumps({"points": args.points, "load_avg_1min": load, **result}, indent=2))
        return 0
    print(f"engine breakdown: {args.points:,} points, {result['segments']:,} segments in {result['chunks']} chunks, "
          f"{100 * result['extra_cell_pieces']:.1f} % extra cell pieces, load avg {load:.2f}")
    for name, secs in result["steps"].items():
        print(f"  {name:48s}{secs:8.2f} s {100 * secs / result['total']:5.1f} %")
    print(f"  {'total':48s}{result['total']:8.2f} s")
    print("  for comparison, on all points at once:")
    for name, secs in result["parts"].items():
        print(f"    {name:46s}{secs:8.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
