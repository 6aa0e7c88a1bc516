"""End to end: what a user runs, as whole processes, start-up included (``python -m bench.run``).

For each size N (default 500,000 and 5,000,000 points):

1. ``bench.worker e2e_generate`` writes N points of 1 Hz GPX tracks on Oslo
   sentrum's streets in ``--e2e-files`` files and Oslo's 97 delbydeler as a
   field-area GeoJSON (``bench.e2e_data``); not timed.
2. Set-up, timed for information only: ``python -m geo import --kind areas``
   of the delbydeler into a fresh GeoPackage, which also fills the area-grid
   cache (``$FELTKART_CACHE_DIR`` in the work directory), as importing the
   field areas does in the product.
3. ``--e2e-runs`` times, alternating which side goes first:

   - **feltkart**: a fresh copy of that store, then ``python -m geo import
     --store S --kind tracks p*.gpx`` and ``python -m geo summary --store S
     --by area``: two processes, each timed from spawn to exit;
   - **naive**: ``python -m bench.naive_e2e`` (gpxpy + geopandas.sjoin +
     h3 per point + pandas groupby), one process.

   Wall time from ``time.perf_counter`` around the process; CPU time and peak
   RSS of each process from ``os.wait4``. The ratio of a run is naive wall
   time / (import + summary wall time); the table gives the median and the
   spread (min–max) over the runs.
4. Agreement: presence minutes per area from ``summary --by area`` against the
   naive script's, for every area with at least :data:`MIN_AREA_MINUTES` on
   either side; each must be within :data:`AREA_TOLERANCE` (1 %). The naive
   script gives each segment wholly to the area of its start point, Feltkart
   splits it at the boundary, so small areas differ most.

Besides: an encounters CSV of ``--e2e-encounters`` rows (50,000) as Norwegian
Excel writes it, imported into the area store (``python -m geo import --kind
encounters``); and the **recomputation after one field area changes**: on a
store with 12 months of demo data (``python -m geo demo --start … --end …``,
built once, not timed) a new version of one street field area, valid from
the first day (so all 12 months are recomputed), imported with ``python -m
geo import --kind areas``. Both timed as whole processes, ``--e2e-runs``
times each on fresh copies.

This module imports no numpy or pandas: it only orchestrates.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

DEFAULT_SIZES = (500_000, 5_000_000)
TARGETS = {500_000: 10.0, 5_000_000: 20.0}
"""Required ratio naive / Feltkart (wall, whole processes) at each size."""

DEFAULT_FILES = 10
DEFAULT_RUNS = 3
DEFAULT_ENCOUNTERS = 50_000
RECOMPUTE_YEAR = 2024
CHANGED_AREA = "brugata-storgata"
"""The demo field area that gets a new version in the recomputation benchmark."""

MIN_AREA_MINUTES = 30.0
"""Areas with at least this much presence (either side) are compared, minutes."""

AREA_TOLERANCE = 0.01
"""Largest accepted relative difference of minutes per area between Feltkart and the naive script."""

MB = 1e6


# --- processes --------------------------------------------------------------------------------


def timed_process(argv: list[str], *, env: dict[str, str], mem_limit_gb: float | None = None,
                  stdout_path: Path | None = None) -> dict[str, Any]:
    """Run ``argv`` to the end; wall seconds, CPU seconds and peak RSS (MB) of that process alone.

    Raises RuntimeError with the process's stderr when it exits with a code
    other than 0 or 1 (1 is ``geo import``'s "some rows rejected").
    """
    def limit() -> None:
        if mem_limit_gb:
            import resource

            size = int(mem_limit_gb * 1e9)
            resource.setrlimit(resource.RLIMIT_AS, (size, size))

    out = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    try:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.PIPE, preexec_fn=limit)
        err = proc.stderr.read()  # drains the pipe; the process may write a lot of warnings
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
    finally:
        if stdout_path:
            out.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(argv[:4])} … failed (exit {proc.returncode}):\n{err.decode()[-3000:]}")
    return {
        "seconds": wall,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_rss_mb": usage.ru_maxrss * 1024 / MB,  # Linux: KiB
        "exit_code": proc.returncode,
        "load_avg_1min_at_start": os.getloadavg()[0],
    }


def _env(workdir: Path) -> dict[str, str]:
    """The children's environment: the area-grid cache in the work directory, and byte-code
    caching on (a user's Python writes ``__pycache__``; with PYTHONDONTWRITEBYTECODE every
    process would compile Feltkart's modules again)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env["FELTKART_CACHE_DIR"] = str(workdir / "grid_cache")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _warm_up(env: dict[str, str], base: Path) -> None:
    """Run each command once untimed, so that byte code and the page cache are as on a second run."""
    timed_process(_geo("summary", "--store", str(base), "--by", "area"), env=env)
    timed_process([sys.executable, "-c", "import bench.naive_e2e"], env=env)


def _geo(*args: str) -> list[str]:
    return [sys.executable, "-m", "geo", *args]


# --- one size ---------------------------------------------------------------------------------


def e2e_benchmark(n: int, *, workdir: Path, files: int, runs: int, seed: int, quiet: bool,
                  mem_limit_gb: float | None = None) -> dict[str, Any]:
    """Feltkart (import + summary) against the naive script on ``n`` points; see the module docstring."""
    from bench.run import progress, run_task

    workdir.mkdir(parents=True, exist_ok=True)
    env = _env(workdir)
    progress(f"e2e: writing {n:,} points of 1 Hz GPX in {files} files and the delbydeler", quiet=quiet)
    data = run_task("e2e_generate", {"dir": str(workdir), "points": n, "files": files, "seed": seed}, workdir,
                    f"e2e_generate_{n}")
    gpx = [str(workdir / name) for name in data["files"]]
    areas = str(workdir / "areas.geojson")
    base = workdir / "base.gpkg"
    progress("e2e: importing the field areas (set-up; builds the area-grid cache)", quiet=quiet)
    setup = timed_process(_geo("import", "--store", str(base), "--kind", "areas", areas), env=env)
    _warm_up(env, base)
    rows = []
    for run in range(runs):
        sides = ("feltkart", "naive") if run % 2 == 0 else ("naive", "feltkart")
        row: dict[str, Any] = {"run": run + 1, "order": list(sides)}
        for side in sides:
            progress(f"e2e {n:,} points, run {run + 1}/{runs}: {side}", quiet=quiet)
            if side == "feltkart":
                store = workdir / "run.gpkg"
                shutil.copyfile(base, store)
                row["import"] = timed_process(_geo("import", "--store", str(store), "--kind", "tracks", *gpx),
                                              env=env, mem_limit_gb=mem_limit_gb)
                summary_csv = workdir / "summary.csv"
                row["summary"] = timed_process(_geo("summary", "--store", str(store), "--by", "area"), env=env,
                                               mem_limit_gb=mem_limit_gb, stdout_path=summary_csv)
                ours = _minutes(summary_csv.read_text(encoding="utf-8"))
                store.unlink()
            else:
                naive_csv = workdir / "naive.csv"
                row["naive"] = timed_process([sys.executable, "-m", "bench.naive_e2e", areas, str(naive_csv), *gpx],
                                             env=env, mem_limit_gb=mem_limit_gb)
                theirs = _minutes(naive_csv.read_text(encoding="utf-8"))
        row["feltkart_seconds"] = row["import"]["seconds"] + row["summary"]["seconds"]
        row["feltkart_cpu_seconds"] = row["import"]["cpu_seconds"] + row["summary"]["cpu_seconds"]
        row["ratio"] = row["naive"]["seconds"] / row["feltkart_seconds"]
        row["ratio_cpu"] = row["naive"]["cpu_seconds"] / row["feltkart_cpu_seconds"]
        row["agreement"] = agreement(ours, theirs)
        rows.append(row)
    ratios = [r["ratio"] for r in rows]
    target = TARGETS.get(n)
    return {
        "points": n,
        "data": data,
        "setup_areas": setup,
        "runs": rows,
        "ratio_median": statistics.median(ratios),
        "ratio_min": min(ratios),
        "ratio_max": max(ratios),
        "target": target,
        "met": None if target is None else min(ratios) >= target,
        "peak_rss_mb": {
            "import": max(r["import"]["peak_rss_mb"] for r in rows),
            "summary": max(r["summary"]["peak_rss_mb"] for r in rows),
            "naive": max(r["naive"]["peak_rss_mb"] for r in rows),
        },
        "agree": all(r["agreement"]["ok"] for r in rows),
    }


def _minutes(text: str) -> dict[str, float]:
    """Presence minutes per area id from a CSV with ``area_id`` and ``presence_minutes`` columns."""
    return {row["area_id"]: float(row["presence_minutes"] or 0.0) for row in csv.DictReader(io.StringIO(text))}


def agreement(ours: dict[str, float], theirs: dict[str, float], *, min_minutes: float = MIN_AREA_MINUTES,
              tolerance: float = AREA_TOLERANCE) -> dict[str, Any]:
    """Minutes per area, Feltkart against naive: every area with ``min_minutes`` or more within ``tolerance``."""
    compared = []
    for area in sorted(set(ours) | set(theirs)):
        a, b = ours.get(area, 0.0), theirs.get(area, 0.0)
        if max(a, b) >= min_minutes:
            compared.append((area, a, b, abs(a - b) / max(abs(b), 1e-12)))
    worst = max(compared, key=lambda c: c[3], default=None)
    total_ours = sum(v for k, v in ours.items() if not k.startswith("__"))
    total_theirs = sum(theirs.values())
    return {
        "ok": bool(compared) and all(c[3] <= tolerance for c in compared),
        "min_minutes": min_minutes,
        "tolerance": tolerance,
        "compared": len(compared),
        "max_rel_diff": worst[3] if worst else None,
        "worst_area": worst[0] if worst else None,
        "total_minutes": {"feltkart": total_ours, "naive": total_theirs,
                          "rel_diff": abs(total_ours - total_theirs) / max(abs(total_theirs), 1e-12)},
        "areas": [{"area_id": a, "feltkart": x, "naive": y, "rel_diff": d} for a, x, y, d in compared],
    }


# --- encounters and the recomputation ------------------------------------------------------------


def encounters_benchmark(rows: int, *, workdir: Path, runs: int, quiet: bool) -> dict[str, Any]:
    """``python -m geo import --kind encounters`` of a Norwegian Excel CSV into the area store of ``workdir``."""
    from bench.run import progress, run_task

    env = _env(workdir)
    data = run_task("e2e_encounters", {"dir": str(workdir), "rows": rows}, workdir, "e2e_encounters")
    timings = []
    for run in range(runs):
        progress(f"e2e: encounters CSV of {rows:,} rows, run {run + 1}/{runs}", quiet=quiet)
        store = workdir / "enc.gpkg"
        shutil.copyfile(workdir / "base.gpkg", store)
        out = workdir / "enc.out"
        timing = timed_process(_geo("import", "--store", str(store), "--kind", "encounters", data["file"]),
                               env=env, stdout_path=out)
        timing["stdout"] = out.read_text(encoding="utf-8").strip()
        timings.append(timing)
        store.unlink()
    return {"data": data, **_spread(timings), "added_all": all(f"added {rows:,} encounters" in t["stdout"]
                                                              for t in timings)}


def recompute_benchmark(*, workdir: Path, runs: int, quiet: bool) -> dict[str, Any]:
    """A new version of one field area, valid from the first of 12 months of demo data."""
    from bench.run import progress, run_task

    workdir.mkdir(parents=True, exist_ok=True)
    env = _env(workdir)
    year = workdir / "year.gpkg"
    progress(f"e2e: building 12 months of demo data ({RECOMPUTE_YEAR}; set-up, not timed)", quiet=quiet)
    build = timed_process(_geo("demo", "--store", str(year), "--start", f"{RECOMPUTE_YEAR}-01-01",
                               "--end", f"{RECOMPUTE_YEAR}-12-31"), env=env)
    data = run_task("e2e_changed_area", {"dir": str(workdir), "store": str(year), "area_id": CHANGED_AREA},
                    workdir, "e2e_changed_area")
    timings = []
    for run in range(runs):
        progress(f"e2e: new version of {CHANGED_AREA}, run {run + 1}/{runs}", quiet=quiet)
        store = workdir / "changed.gpkg"
        shutil.copyfile(year, store)
        timings.append(timed_process(_geo("import", "--store", str(store), "--kind", "areas", "--valid-from",
                                          f"{RECOMPUTE_YEAR}-01-01", data["file"]), env=env))
        store.unlink()
    return {"set_up_seconds": build["seconds"], "data": data, **_spread(timings)}


def _spread(timings: list[dict[str, Any]]) -> dict[str, Any]:
    seconds = [t["seconds"] for t in timings]
    return {"runs": timings, "seconds_median": statistics.median(seconds), "seconds_min": min(seconds),
            "seconds_max": max(seconds), "peak_rss_mb": max(t["peak_rss_mb"] for t in timings)}


# --- report ------------------------------------------------------------------------------------


def format_e2e(e2e: dict[str, Any]) -> list[str]:
    """Lines of the end-to-end table (see bench/README.md, "End to end")."""
    lines = ["", "End to end: whole processes, start-up included (wall s; median over runs, min-max in brackets)"]
    sizes = e2e.get("sizes") or []
    if sizes:
        lines.append(f"  {'points':>10s} {'files':>5s} {'runs':>4s} {'import':>16s} {'summary':>15s} {'Feltkart':>16s}"
                     f" {'naive':>18s} {'ratio':>17s} {'target':>7s} {'areas agree':>14s} {'peak RSS MB imp/sum/naive':>26s}")
    for s in sizes:
        if "error" in s:
            lines.append(f"  {s['points']:>10,}  failed: {s['error'].strip().splitlines()[-1][:100]}")
            continue
        runs = s["runs"]
        imp = [r["import"]["seconds"] for r in runs]
        summ = [r["summary"]["seconds"] for r in runs]
        ours = [r["feltkart_seconds"] for r in runs]
        naive = [r["naive"]["seconds"] for r in runs]
        agree = runs[0]["agreement"]
        target = f"{s['target']:.0f}x {'yes' if s['met'] else 'NO'}" if s["target"] else "-"
        agrees = f"{'yes' if s['agree'] else 'NO'} ({agree['compared']})"
        peak = s["peak_rss_mb"]
        lines.append(
            f"  {s['points']:>10,} {len(s['data']['files']):>5d} {len(runs):>4d} {_ms(imp):>16s} {_ms(summ):>15s}"
            f" {_ms(ours):>16s} {_ms(naive):>18s} {_mx(s['ratio_median'], s['ratio_min'], s['ratio_max']):>17s}"
            f" {target:>7s} {agrees:>14s}"
            f" {peak['import']:>8,.0f}/{peak['summary']:,.0f}/{peak['naive']:,.0f}")
        lines.append(f"  {'':>10s}   max rel diff of minutes per area {100 * (agree['max_rel_diff'] or 0):.2f} % "
                     f"({agree['worst_area']}); CPU ratio {statistics.median(r['ratio_cpu'] for r in runs):.1f}x; "
                     f"set-up (areas import, grids built) {s['setup_areas']['seconds']:.1f} s; "
                     f"load {min(r['import']['load_avg_1min_at_start'] for r in runs):.1f}-"
                     f"{max(r['naive']['load_avg_1min_at_start'] for r in runs):.1f}")
    enc = e2e.get("encounters")
    if enc:
        lines.append(f"  encounters CSV, {enc['data']['rows']:,} rows ({enc['data']['mb']:.1f} MB; ';', decimal comma, "
                     f"BOM, {enc['data']['multiline_rows']:,} multi-line fields): import "
                     f"{_ms([r['seconds'] for r in enc['runs']])} s, peak RSS {enc['peak_rss_mb']:,.0f} MB, "
                     f"all added: {'yes' if enc['added_all'] else 'NO'}")
    rec = e2e.get("recompute")
    if rec:
        d = rec["data"]
        lines.append(f"  new version of {d['area_id']} over 12 months ({d['points']:,} points, {d['patrols']:,} patrols): "
                     f"import of the area {_ms([r['seconds'] for r in rec['runs']])} s, "
                     f"peak RSS {rec['peak_rss_mb']:,.0f} MB")
    return lines


def _ms(values: list[float]) -> str:
    return _mx(statistics.median(values), min(values), max(values), unit="")


def _mx(mid: float, lo: float, hi: float, *, unit: str = "x") -> str:
    return f"{mid:.1f}{unit} [{lo:.1f}-{hi:.1f}]"
