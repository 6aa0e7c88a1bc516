"""One benchmark task in a fresh process: ``python -m bench.worker TASK SPEC.json OUT.json``.

Each measured task (``naive``, ``engine``, ``read_gpx``, ``gpxpy``) runs in its
own interpreter, so its peak memory is its own:

1. import everything and load the input (Parquet written once by ``generate``);
2. note the resident memory now (*baseline*) and reset the kernel's peak-RSS
   mark (``/proc/self/clear_refs``), so the peak no longer includes transient
   load-time memory;
3. time the call with ``time.perf_counter`` (wall) and ``getrusage`` (CPU);
4. *peak* is ``getrusage(RUSAGE_SELF).ru_maxrss`` after the call.

Reported: ``peak_rss_mb`` (whole process: interpreter, libraries, input and
working memory) and ``peak_above_baseline_mb`` (peak minus baseline: what the
call itself needed on top of the loaded input). Where the peak mark cannot be
reset, ``peak_reset`` is false and the peak may include the loading.
"""

from __future__ import annotations

import gc
import itertools
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any, Self

# --- memory and time ---------------------------------------------------------------------------


MB = 1e6
"""Memory is reported in MB = 10**6 bytes."""


GRID_CACHE = "grid_cache"
"""Sub-directory of the work directory holding the cached area grids (geo.engine.area_cache)."""


def rss_mb() -> float | None:
    """Current resident set size of this process, MB (Linux /proc)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024 / MB
    except OSError:
        return None
    return None


def peak_mb() -> float:
    """``ru_maxrss`` of this process, MB (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / MB if sys.platform == "darwin" else peak * 1024 / MB


def reset_peak() -> bool:
    """Reset the peak-RSS mark to the current RSS; False where unsupported."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


class Measurement:
    """Context manager: wall time, CPU time and memory of the block (see module docstring)."""

    def __enter__(self) -> Self:
        gc.collect()
        self.load_peak_mb = peak_mb()
        self.baseline_mb = rss_mb()
        self.peak_reset = reset_peak()
        self.load_avg = os.getloadavg()[0]
        self._cpu = cpu_s()
        self._t = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.wall_s = time.perf_counter() - self._t
        self.cpu_s = cpu_s() - self._cpu
        self.peak_mb = peak_mb()

    def as_dict(self) -> dict[str, Any]:
        baseline = self.baseline_mb if self.baseline_mb is not None else self.load_peak_mb
        return {
            "seconds": self.wall_s,
            "cpu_seconds": self.cpu_s,
            "peak_rss_mb": self.peak_mb,
            "baseline_rss_mb": baseline,
            "peak_above_baseline_mb": self.peak_mb - baseline,
            "load_peak_rss_mb": self.load_peak_mb,
            "peak_reset": self.peak_reset,
            "load_avg_1min_at_start": self.load_avg,
        }


# --- tasks -------------------------------------------------------------------------------------


def task_generate(spec: dict[str, Any]) -> dict[str, Any]:
    """Write points.parquet, areas.parquet and (if asked) track.gpx into spec['dir']."""
    from bench import data
    from geo.schema import PATROL_ID, TIME_UTC

    out = Path(spec["dir"])
    out.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    areas = data.bench_areas()
    data.write_areas(areas, out / "areas.parquet")
    info: dict[str, Any] = {"areas": len(areas), "area_source": _area_source(areas)}
    if spec.get("points"):
        points = data.generate_track_points(int(spec["points"]), seed=int(spec["seed"]), areas=areas)
        info["generate_seconds"] = time.perf_counter() - t
        data.write_points(points, out / "points.parquet")
        info.update(
            points=len(points),
            patrols=int(points[PATROL_ID].nunique()),
            first_time_utc=str(points[TIME_UTC].min()),
            last_time_utc=str(points[TIME_UTC].max()),
            parquet_mb=(out / "points.parquet").stat().st_size / MB,
        )
        del points
    if spec.get("gpx_points"):
        from geo.io.gpx import write_gpx

        gpx_points = data.generate_track_points(int(spec["gpx_points"]), seed=int(spec["seed"]) + 1, areas=areas)
        t = time.perf_counter()
        write_gpx(gpx_points, out / "track.gpx")
        info["gpx"] = {
            "points": len(gpx_points),
            "patrols": int(gpx_points[PATROL_ID].nunique()),
            "write_seconds": time.perf_counter() - t,
            "file_mb": (out / "track.gpx").stat().st_size / MB,
        }
    return info


def _area_source(areas) -> str:
    from geo.schema import AREA_ID

    return "geo.demo.demo_areas" if "hovseter" in set(areas[AREA_ID]) else "bench.data.fallback_areas"


def _load(d: Path):
    """Input points and areas; then hand pyarrow's pooled memory back to the OS.

    Without the release, mimalloc keeps ~50 bytes per point of Parquet-reading
    buffers resident (more or less, by chance), which would blur the baseline.
    """
    import pyarrow as pa

    from bench import data

    points = data.read_points(d / "points.parquet")
    areas = data.read_areas(d / "areas.parquet")
    gc.collect()
    pa.default_memory_pool().release_unused()
    return points, areas


def task_naive(spec: dict[str, Any]) -> dict[str, Any]:
    from bench.naive import crossing_bounds, naive_presence_totals

    d = Path(spec["dir"])
    points, areas = _load(d)
    with Measurement() as m:
        result = naive_presence_totals(points, areas, res=int(spec["res"]))
    out = m.as_dict()
    out["stages"] = result.stages
    out["total_seconds"] = result.total_seconds
    tag = spec.get("tag", "")
    result.per_area.to_parquet(d / f"naive_area{tag}.parquet")
    result.per_cell.to_parquet(d / f"naive_cell{tag}.parquet")
    bound_area, bound_cell = crossing_bounds(result, areas)  # after the measurement, not timed
    bound_area.to_parquet(d / f"bound_area{tag}.parquet")
    bound_cell.to_parquet(d / f"bound_cell{tag}.parquet")
    return out


def task_grids(spec: dict[str, Any]) -> dict[str, Any]:
    """Build the area lookup grids into the on-disk cache, as importing the field areas does (not timed)."""
    from geo.engine.area_cache import prepare_areas_cached

    d = Path(spec["dir"])
    _, areas = _load(d)
    t0 = time.perf_counter()
    prepare_areas_cached(areas, cache_dir=d / GRID_CACHE)
    return {"seconds": time.perf_counter() - t0}


def task_engine(spec: dict[str, Any]) -> dict[str, Any]:
    """The engine: area grids (read from the cache, or built when ``spec['grids'] == 'build'``) + presence_totals."""
    from geo.engine.area_cache import prepare_areas_cached
    from geo.engine.presence import prepare_areas, presence_totals

    d = Path(spec["dir"])
    build = spec.get("grids") == "build"
    points, areas = _load(d)
    with Measurement() as m:
        t0 = time.perf_counter()
        prepared = prepare_areas(areas) if build else prepare_areas_cached(areas, cache_dir=d / GRID_CACHE)
        t1 = time.perf_counter()
        totals = presence_totals(points, prepared, res=int(spec["res"]))
        t2 = time.perf_counter()
    out = m.as_dict()
    out["stages"] = {("build_area_grids" if build else "area_grids_from_cache"): t1 - t0, "presence_totals": t2 - t1}
    out["total_seconds"] = float(totals.per_cell["seconds"].sum())
    tag = spec.get("tag", "")
    totals.per_area.to_parquet(d / f"engine_area{tag}.parquet")
    totals.per_cell.to_parquet(d / f"engine_cell{tag}.parquet")
    return out


def task_engine_batched(spec: dict[str, Any]) -> dict[str, Any]:
    """The engine called once per batch of whole patrols (~spec['batch_points'] points each).

    Presence totals are sums over segments and no segment spans two patrols,
    so the per-batch totals add up to the one-call result. Informational: it
    shows the memory a batched caller needs.
    """
    import numpy as np
    import pandas as pd

    from geo.engine.presence import prepare_areas, presence_totals
    from geo.schema import AREA_ID, AREA_VERSION, CELL, METRES, PATROL_ID, SECONDS

    d = Path(spec["dir"])
    points, areas = _load(d)
    batch = int(spec["batch_points"])
    with Measurement() as m:
        prepared = prepare_areas(areas)
        codes, _ = pd.factorize(points[PATROL_ID])
        sizes = np.bincount(codes)
        group_of_patrol = (np.cumsum(sizes) - sizes) // batch  # a patrol stays in one batch
        group = group_of_patrol[codes]
        order = np.argsort(group, kind="stable")
        bounds = np.searchsorted(group[order], np.arange(group.max() + 2))
        del codes, group
        area_s = area_m = 0.0
        cell_parts = []
        for lo, hi in itertools.pairwise(bounds):
            if hi <= lo:
                continue
            totals = presence_totals(points.take(order[lo:hi]), prepared, res=int(spec["res"]))
            area_s = area_s + totals.per_area[SECONDS].to_numpy()
            area_m = area_m + totals.per_area[METRES].to_numpy()
            cell_parts.append(totals.per_cell)
        per_cell = pd.concat(cell_parts).groupby(CELL, as_index=False)[[SECONDS, METRES]].sum()
        per_area = pd.DataFrame({AREA_ID: prepared.area_ids, AREA_VERSION: prepared.versions,
                                 SECONDS: area_s, METRES: area_m})
    out = m.as_dict()
    out["batch_points"] = batch
    out["batches"] = len(cell_parts)
    tag = spec.get("tag", "")
    if not (d / f"engine_cell{tag}.parquet").exists():  # the one-call engine failed at this size
        return out
    one_call = pd.read_parquet(d / f"engine_cell{tag}.parquet").merge(per_cell, on=CELL, how="outer").fillna(0.0)
    one_area = pd.read_parquet(d / f"engine_area{tag}.parquet")
    out["max_abs_diff_s_vs_one_call"] = float(max(
        (one_call[f"{SECONDS}_x"] - one_call[f"{SECONDS}_y"]).abs().max(),
        np.abs(one_area[SECONDS].to_numpy() - per_area[SECONDS].to_numpy()).max(),
    ))
    return out


def task_compare(spec: dict[str, Any]) -> dict[str, Any]:
    import pandas as pd

    from bench.compare import agreement

    d = Path(spec["dir"])
    tag = spec.get("tag", "")
    return agreement(
        pd.read_parquet(d / f"engine_area{tag}.parquet"),
        pd.read_parquet(d / f"engine_cell{tag}.parquet"),
        pd.read_parquet(d / f"naive_area{tag}.parquet"),
        pd.read_parquet(d / f"naive_cell{tag}.parquet"),
        naive_total_s=float(spec["naive_total_seconds"]),
        bound_area=pd.read_parquet(d / f"bound_area{tag}.parquet"),
        bound_cell=pd.read_parquet(d / f"bound_cell{tag}.parquet"),
        min_seconds=float(spec["min_seconds"]),
        tolerance=float(spec["tolerance"]),
    )


def task_read_gpx(spec: dict[str, Any]) -> dict[str, Any]:
    from geo.io.gpx import read_gpx
    from geo.schema import T_TRACK_POINTS

    path = Path(spec["dir"]) / "track.gpx"
    with Measurement() as m:
        result = read_gpx(path)
    points = result.frames[T_TRACK_POINTS]
    out = m.as_dict()
    out.update(points=len(points), errors=len(result.errors), warnings=len(result.warnings),
               lat_sum=float(points["lat"].sum()))
    return out


def task_gpxpy(spec: dict[str, Any]) -> dict[str, Any]:
    import gpxpy
    import gpxpy.parser  # imported lazily by gpxpy.parse; import it before the clock starts

    path = Path(spec["dir"]) / "track.gpx"
    with Measurement() as m, open(path, encoding="utf-8") as fh:
        gpx = gpxpy.parse(fh)
    lats = [p.latitude for t in gpx.tracks for s in t.segments for p in s.points]
    out = m.as_dict()
    out.update(points=len(lats), lat_sum=float(sum(lats)), parser=gpxpy.parser.mod_etree.__name__)
    return out


def task_e2e_generate(spec: dict[str, Any]) -> dict[str, Any]:
    """The end-to-end inputs: delbydeler GeoJSON and 1 Hz GPX files (``bench.e2e_data``); not timed."""
    from bench import e2e_data

    out = Path(spec["dir"])
    n_areas = e2e_data.write_areas_file(out / "areas.geojson")
    facts = e2e_data.write_gpx_files(int(spec["points"]), out, files=int(spec["files"]), seed=int(spec["seed"]))
    return {"areas": n_areas, **facts}


def task_e2e_encounters(spec: dict[str, Any]) -> dict[str, Any]:
    from bench import e2e_data

    return e2e_data.write_encounters_csv(Path(spec["dir"]) / "kontakter.csv", int(spec["rows"]))


def task_e2e_changed_area(spec: dict[str, Any]) -> dict[str, Any]:
    from bench import e2e_data

    return e2e_data.write_changed_area(Path(spec["store"]), spec["area_id"], Path(spec["dir"]) / "changed.geojson")


TASKS = {
    "e2e_generate": task_e2e_generate,
    "e2e_encounters": task_e2e_encounters,
    "e2e_changed_area": task_e2e_changed_area,
    "generate": task_generate,
    "naive": task_naive,
    "grids": task_grids,
    "engine": task_engine,
    "engine_batched": task_engine_batched,
    "compare": task_compare,
    "read_gpx": task_read_gpx,
    "gpxpy": task_gpxpy,
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 3 or argv[0] not in TASKS:
        print(f"usage: python -m bench.worker {{{','.join(TASKS)}}} SPEC.json OUT.json", file=sys.stderr)
        return 2
    task, spec_path, out_path = argv
    from geo.engine import allocator

    allocator.configure()  # as geo.cli.main does: process-wide settings belong to the program, not the engine
    spec = json.loads(Path(spec_path).read_text())
    if spec.get("mem_limit_gb"):
        limit = int(float(spec["mem_limit_gb"]) * 1e9)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    result = TASKS[task](spec)
    Path(out_path).write_text(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
