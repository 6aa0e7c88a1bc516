"""Does the hand-written H3 kernel earn its place? The same user commands with it and with h3ronpy.

``python -m bench.kernels [--runs 3] [--points 500000]`` (also the last part of
``make bench``) runs three commands a user runs, each as a whole
``python -m geo`` process (interpreter start-up, imports, reading, engine and
store writes all included), once per kernel mode and repetition:

- **import**: ``geo import`` of a week of GPX files (one file per day, made as
  ``bench/data.py`` makes tracks, ~500,000 points) into a copy of a store that
  holds the demo field areas;
- **demo**: ``geo demo --start 2024-01-01 --end 2024-03-31`` (a new store);
- **recompute**: ``geo import --kind areas`` of a changed version of one field
  area (Vaterland/Grønland grown by 25 m from 2024-02-15) into a copy of the
  demo store, which recomputes that area's presence over all patrols.

The kernel mode is the environment variable ``FELTKART_KERNELS``
(``geo/engine/kernels.py``): ``fast`` (``geo/engine/h3grid.py``, as shipped)
or ``reference`` (h3ronpy for every cell lookup, segments split by bisection
on h3ronpy lookups). The two modes take turns within each repetition, in a
rotated order, so a change in the machine's load hits both alike. Every run
starts from a fresh copy of the same store and the same area-grid cache.

The kernel's **saving** on a command is ``(T_reference - T_fast) / T_reference``
from the median times: the share of the command's time that the kernel takes
away. The verdict is **keep** if it saves at least :data:`KEEP_SAVING` of one
command both in wall time and in CPU time (user + system of the process and
its children), **delete** if it saves less than that of every command in
both, and **undecided** otherwise: on a shared machine the wall time of
identical runs varies by far more than 10 %, while the CPU time shows what
the command itself costs; the two must agree before code is kept or removed.
(The EPSG:25832 projection kernel, ``fastproj``, was measured the same way
and removed; see ``bench/README.md``.)

Besides the times, the import stores of the first ``fast`` and first
``reference`` run are compared (``geo summary --by area`` and ``--by cell``):
both modes must give the same numbers within :data:`SAME_REL` (relative).
This module's orchestrating part imports no numpy or pandas; data are made in
a subprocess (``python -m bench.kernels --prepare DIR``).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "bench" / "results" / "kernels.json"
DEFAULT_POINTS = 500_000
DEFAULT_RUNS = 3
DEFAULT_SEED = 20240101

MODES = ("fast", "reference")
"""Values of ``$FELTKART_KERNELS`` the benchmark runs (``geo.engine.kernels``)."""

KERNELS = {"h3grid": "reference"}
"""Each hand-written kernel and the mode that replaces it by its library."""

COMMANDS = ("import", "demo", "recompute")
KEEP_SAVING = 0.10
"""A kernel stays only if it saves at least this share of one command, in wall and in CPU time."""

SAME_REL = 1e-6
"""Relative difference allowed between the summaries of a fast and a reference import."""

WEEK_FIRST_DAY = "2024-03-04"  # a Monday; the GPX week is 2024-03-04 .. 2024-03-10
WEEK_DAYS = 7
DEMO_START, DEMO_END = "2024-01-01", "2024-03-31"
CHANGED_AREA = "vaterland-gronland"
CHANGED_FROM = "2024-02-15"
CHANGED_GROW_M = 25.0


def progress(message: str, *, quiet: bool) -> None:
    if not quiet:
        print(f"[bench.kernels {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- data (run in a subprocess: python -m bench.kernels --prepare DIR) ------------------------


def prepare(folder: Path, *, points: int, seed: int) -> dict[str, Any]:
    """Write the inputs into ``folder``: the demo areas, a changed area and a week of GPX files."""
    import geopandas as gpd

    from bench import data
    from geo.demo import demo_areas
    from geo.io.gpx import write_gpx
    from geo.schema import AREA_ID, AREA_NAME, AREA_TEAM, MEASURE_CRS, PATROL_ID, STORE_CRS, VALID_FROM, VALID_TO

    folder.mkdir(parents=True, exist_ok=True)
    areas = demo_areas()
    columns = [AREA_ID, AREA_NAME, AREA_TEAM, VALID_FROM, VALID_TO, "geometry"]
    as_text = areas[columns].assign(
        **{VALID_FROM: [d.isoformat() for d in areas[VALID_FROM]],
           VALID_TO: [None if d is None else d.isoformat() for d in areas[VALID_TO]]}
    )
    as_text.to_file(folder / "areas.geojson", driver="GeoJSON")
    current = areas[(areas[AREA_ID] == CHANGED_AREA) & areas[VALID_TO].isna()]
    grown = gpd.GeoSeries(current.geometry.values, crs=STORE_CRS).to_crs(MEASURE_CRS).buffer(CHANGED_GROW_M)
    changed = gpd.GeoDataFrame(
        {AREA_ID: current[AREA_ID].to_numpy(), AREA_NAME: current[AREA_NAME].to_numpy(),
         AREA_TEAM: current[AREA_TEAM].to_numpy(), VALID_FROM: [CHANGED_FROM] * len(current)},
        geometry=grown.to_crs(STORE_CRS).values, crs=STORE_CRS,
    )
    changed.to_file(folder / "changed_area.geojson", driver="GeoJSON")
    week = week_of_tracks(data.generate_track_points(points, seed=seed, areas=data.bench_areas()))
    files = []
    for day, points_of_day in week.groupby("day", sort=True):
        path = folder / f"tracks-{day}.gpx"
        write_gpx(points_of_day.drop(columns="day"), path)
        files.append(path.name)
    return {"points": len(week), "patrols": int(week[PATROL_ID].nunique()), "gpx_files": files,
            "gpx_mb": sum((folder / f).stat().st_size for f in files) / 1e6}


def week_of_tracks(points):
    """``bench.data`` tracks moved into the week from :data:`WEEK_FIRST_DAY`, patrol ``i`` on day ``i % 7``.

    Each patrol keeps its time of day and its fixes; only whole days are
    added or taken away. Adds a ``day`` column (ISO date of the patrol's start, UTC).
    """
    import numpy as np
    import pandas as pd

    from geo.schema import PATROL_ID, TIME_UTC

    day_us = 86_400 * 1_000_000
    codes, _ = pd.factorize(points[PATROL_ID])
    us = pd.DatetimeIndex(points[TIME_UTC]).as_unit("us").asi8
    start_day = np.minimum.reduceat(us, np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])) // day_us
    first_day = int(np.datetime64(WEEK_FIRST_DAY, "D").astype(np.int64))  # days since the epoch
    target_day = first_day + np.arange(codes.max() + 1) % WEEK_DAYS
    moved = us + (target_day[codes] - start_day[codes]) * day_us  # points come grouped by patrol (bench.data)
    days = pd.to_datetime(target_day * day_us, unit="us").strftime("%Y-%m-%d").to_numpy()
    return points.assign(**{TIME_UTC: pd.to_datetime(moved, unit="us", utc=True)}, day=days[codes])


# --- running the commands ---------------------------------------------------------------------


class CommandFailed(RuntimeError):
    pass


def run_geo(args: list[str], *, mode: str, cache: Path, cwd: Path) -> dict[str, Any]:
    """Run ``python -m geo ARGS`` with ``FELTKART_KERNELS=mode``; wall and CPU seconds of the whole process."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env["FELTKART_KERNELS"] = mode
    env["FELTKART_CACHE_DIR"] = str(cache)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()[0]
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "geo", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise CommandFailed(f"python -m geo {' '.join(args)} (FELTKART_KERNELS={mode}) exited {proc.returncode}:\n"
                            f"{proc.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"seconds": wall, "cpu_seconds": cpu, "load_avg_1min_at_start": load, "stdout": proc.stdout}


def _fresh(src: Path | None, dst: Path) -> Path:
    """A fresh copy of ``src`` (file or folder) at ``dst``; an empty folder when ``src`` is None."""
    if dst.exists():
        shutil.rmtree(dst) if dst.is_dir() else dst.unlink()
    if src is None:
        dst.mkdir(parents=True)
    elif src.is_dir():
        shutil.copytree(src, dst)
    else:
        shutil.copy2(src, dst)
    return dst


def command_args(command: str, store: Path, inputs: Path, files: list[str], *, demo_end: str = DEMO_END) -> list[str]:
    """The ``python -m geo`` arguments of ``command`` (import, demo or recompute)."""
    if command == "import":
        return ["import", "--store", str(store), *[str(inputs / f) for f in files]]
    if command == "demo":
        return ["demo", "--store", str(store), "--start", DEMO_START, "--end", demo_end]
    return ["import", "--store", str(store), "--kind", "areas", str(inputs / "changed_area.geojson")]


def kernels_benchmark(*, workdir: Path, runs: int, points: int, seed: int, demo_end: str = DEMO_END,
                      quiet: bool = False) -> dict[str, Any]:
    """Prepare the inputs, run every command ``runs`` times in every mode; the results dict."""
    inputs, work = workdir / "inputs", workdir / "work"
    work.mkdir(parents=True, exist_ok=True)
    progress(f"making a week of GPX files ({points:,} points) and the field-area files (not timed)", quiet=quiet)
    info = _prepare_in_subprocess(inputs, points=points, seed=seed)
    cache0 = _fresh(None, workdir / "cache0")
    progress("a store with the demo field areas, and the demo store to change an area in (not timed)", quiet=quiet)
    areas_store = workdir / "areas.gpkg"
    run_geo(["import", "--store", str(areas_store), "--kind", "areas", str(inputs / "areas.geojson")],
            mode="fast", cache=cache0, cwd=ROOT)
    demo_store = workdir / "demo.gpkg"
    run_geo(command_args("demo", demo_store, inputs, [], demo_end=demo_end), mode="fast", cache=cache0, cwd=ROOT)
    start_store = {"import": areas_store, "demo": None, "recompute": demo_store}
    timings: dict[str, dict[str, list[dict[str, Any]]]] = {c: {m: [] for m in MODES} for c in COMMANDS}
    kept: dict[str, Path] = {}
    for rep in range(runs):
        order = MODES[rep % len(MODES):] + MODES[:rep % len(MODES)]
        for command in COMMANDS:
            for mode in order:
                store = work / f"{command}-{mode}.gpkg"
                if start_store[command] is not None:
                    _fresh(start_store[command], store)
                else:
                    store.unlink(missing_ok=True)
                cache = _fresh(cache0, work / "cache")
                result = run_geo(command_args(command, store, inputs, info["gpx_files"], demo_end=demo_end),
                                 mode=mode, cache=cache, cwd=ROOT)
                result.pop("stdout")
                timings[command][mode].append(result)
                progress(f"run {rep + 1}/{runs} {command:9s} {mode:9s} {result['seconds']:7.2f} s wall "
                         f"{result['cpu_seconds']:7.2f} s CPU", quiet=quiet)
                if command == "import" and mode not in kept:
                    kept[mode] = _fresh(store, workdir / f"import-{mode}.gpkg")
    same = compare_summaries(kept["fast"], kept["reference"], cache=cache0)
    return {"config": {"runs": runs, "points": points, "seed": seed, "modes": list(MODES),
                       "week": [WEEK_FIRST_DAY, WEEK_DAYS], "demo": [DEMO_START, demo_end],
                       "changed_area": [CHANGED_AREA, CHANGED_FROM, CHANGED_GROW_M]},
            "data": info, "timings": timings, "summary": summarise(timings), "same_results": same}


def _prepare_in_subprocess(inputs: Path, *, points: int, seed: int) -> dict[str, Any]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    proc = subprocess.run([sys.executable, "-m", "bench.kernels", "--prepare", str(inputs), "--points", str(points),
                           "--seed", str(seed)], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise CommandFailed(f"python -m bench.kernels --prepare failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads((inputs / "inputs.json").read_text())


def compare_summaries(fast: Path, reference: Path, *, cache: Path) -> dict[str, Any]:
    """Largest relative difference of every number in ``geo summary --by area`` and ``--by cell`` of two stores."""
    out: dict[str, Any] = {}
    for by in ("area", "cell"):
        tables = []
        for store in (fast, reference):
            args = ["summary", "--store", str(store), "--from", WEEK_FIRST_DAY, "--to", "2024-03-10", "--by", by]
            tables.append(list(csv.DictReader(io.StringIO(run_geo(args, mode="fast", cache=cache, cwd=ROOT)["stdout"]))))
        out[by] = _table_difference(*tables, key=("area_id" if by == "area" else "cell"))
    out["ok"] = all(v["rows_equal"] and v["max_rel_diff"] <= SAME_REL for v in out.values())
    return out


def _table_difference(a: list[dict[str, str]], b: list[dict[str, str]], *, key: str) -> dict[str, Any]:
    rows_a, rows_b = {r[key]: r for r in a}, {r[key]: r for r in b}
    worst = 0.0
    for k in rows_a.keys() & rows_b.keys():
        for col, value in rows_a[k].items():
            try:
                x, y = float(value), float(rows_b[k][col])
            except (TypeError, ValueError):
                continue
            worst = max(worst, abs(x - y) / max(abs(x), abs(y), 1e-9))
    return {"rows": len(rows_a), "rows_equal": rows_a.keys() == rows_b.keys(), "max_rel_diff": worst}


# --- summary and verdict ----------------------------------------------------------------------


def summarise(timings: dict[str, dict[str, list[dict[str, Any]]]]) -> dict[str, Any]:
    """Median, min and max wall and CPU seconds per command and mode; the kernel's saving and the verdict."""
    out: dict[str, Any] = {"commands": {}, "kernels": {}}
    for command, by_mode in timings.items():
        row: dict[str, Any] = {}
        for mode, runs in by_mode.items():
            if not runs:
                continue
            wall = [r["seconds"] for r in runs]
            cpu = [r["cpu_seconds"] for r in runs]
            row[mode] = {"median": statistics.median(wall), "min": min(wall), "max": max(wall),
                         "cpu_median": statistics.median(cpu), "cpu_min": min(cpu), "cpu_max": max(cpu)}
        out["commands"][command] = row
    for kernel, library in KERNELS.items():
        savings = {}
        for command, row in out["commands"].items():
            if "fast" not in row or library not in row:
                continue
            fast, lib = row["fast"], row[library]
            pairs = list(zip(timings[command]["fast"], timings[command][library]))  # run i of each mode
            wall = [1 - f["seconds"] / r["seconds"] for f, r in pairs]
            cpu = [1 - f["cpu_seconds"] / r["cpu_seconds"] for f, r in pairs]
            savings[command] = {"wall": 1 - fast["median"] / lib["median"],
                                "cpu": 1 - fast["cpu_median"] / lib["cpu_median"],
                                "paired_min": min(wall), "paired_max": max(wall),
                                "paired_cpu_min": min(cpu), "paired_cpu_max": max(cpu)}
        if not savings:
            continue
        best = max(savings, key=lambda c: min(savings[c]["wall"], savings[c]["cpu"]))
        if min(savings[best]["wall"], savings[best]["cpu"]) >= KEEP_SAVING:
            verdict = "keep"
        elif all(max(v["wall"], v["cpu"]) < KEEP_SAVING for v in savings.values()):
            verdict = "delete"
        else:
            verdict = "undecided"
        out["kernels"][kernel] = {"library": library, "savings": savings, "best_command": best, "verdict": verdict}
    return out


LABELS = {"import": "import a week of GPX", "demo": "demo build", "recompute": "recompute after an area change"}
VERDICTS = {"keep": "KEEP", "delete": "DELETE",
            "undecided": "UNDECIDED (wall and CPU time disagree: run again on an idle machine)"}


def _spread(r: dict[str, float], prefix: str = "") -> str:
    med, lo, hi = r[f"{prefix}median"], r[f"{prefix}min"], r[f"{prefix}max"]
    return f"{med:.1f} ({lo:.1f}-{hi:.1f})"


def _pct(lo: float, hi: float) -> str:
    return f"{100 * lo:.0f}..{100 * hi:.0f}"


def format_report(results: dict[str, Any]) -> str:
    """The benchmark's table: seconds per command and mode, the saving, the verdict and the agreement check."""
    cfg, data, summary = results["config"], results["data"], results["summary"]
    lines = [
        f"H3 kernel (geo/engine/h3grid.py) vs h3ronpy: whole `python -m geo` processes, {cfg['runs']} runs per mode; "
        "seconds as median (min-max)",
        f"  import: {data['points']:,} points, {data['patrols']} patrols in {len(data['gpx_files'])} GPX files; "
        f"demo: {cfg['demo'][0]}..{cfg['demo'][1]}; recompute: {cfg['changed_area'][0]} grown "
        f"{cfg['changed_area'][2]:.0f} m from {cfg['changed_area'][1]}",
        f"  {'command':32s}{'fast wall':>20s}{'reference wall':>20s}{'fast CPU':>20s}{'reference CPU':>20s}"
        f"{'ratio wall/CPU':>16s}",
    ]
    for command, row in summary["commands"].items():
        if "fast" not in row or "reference" not in row:
            continue
        f, r = row["fast"], row["reference"]
        lines.append(f"  {LABELS[command]:32s}{_spread(f):>20s}{_spread(r):>20s}{_spread(f, 'cpu_'):>20s}"
                     f"{_spread(r, 'cpu_'):>20s}{r['median'] / f['median']:>9.2f}x/{r['cpu_median'] / f['cpu_median']:.2f}x")
    for kernel, k in summary["kernels"].items():
        lines.append(f"  {kernel} saves (vs FELTKART_KERNELS={k['library']}), wall / CPU median, "
                     f"paired runs in brackets:")
        for command, v in k["savings"].items():
            lines.append(f"    {LABELS[command]:30s}{100 * v['wall']:6.1f} % ({_pct(v['paired_min'], v['paired_max'])} %)"
                         f"  / {100 * v['cpu']:5.1f} % ({_pct(v['paired_cpu_min'], v['paired_cpu_max'])} %)")
        lines.append(f"  verdict: {VERDICTS[k['verdict']]} (needs {100 * KEEP_SAVING:.0f} % of one command "
                     f"in wall and CPU time; best: {LABELS[k['best_command']]})")
    same = results.get("same_results")
    if same is not None:
        lines.append(f"  same numbers, fast vs reference import (summary --by area / cell, rel diff <= {SAME_REL:g}): "
                     f"{'yes' if same['ok'] else 'NO'} (max {same['area']['max_rel_diff']:.1e} / "
                     f"{same['cell']['max_rel_diff']:.1e} over {same['area']['rows']} / {same['cell']['rows']} rows)")
    load = results.get("load_average")
    if load:
        lines.append(f"  load average {load['start'][0]:.1f} at start, {load['end'][0]:.1f} at end, "
                     f"{results.get('nproc')} CPUs")
    return "\n".join(lines)


# --- command line, and the hooks bench/run.py calls -----------------------------------------


def add_arguments(ap: argparse.ArgumentParser) -> None:
    """``bench.run``'s options for this part (``--kernel-runs 0`` skips it)."""
    ap.add_argument("--kernel-runs", type=int, default=DEFAULT_RUNS,
                    help=f"runs per command and kernel mode in the kernels part (default {DEFAULT_RUNS}; 0 skips it)")
    ap.add_argument("--kernel-points", type=int, default=DEFAULT_POINTS,
                    help=f"GPX points imported in the kernels part (default {DEFAULT_POINTS:,})")


def run_after_bench(args: argparse.Namespace) -> bool:
    """The kernels part of ``make bench``: run, print, write ``kernels.json`` beside bench.run's JSON; True if both modes agree."""
    if args.kernel_runs <= 0:
        return True
    results = run_and_save(runs=args.kernel_runs, points=args.kernel_points, seed=args.seed, workdir=args.workdir,
                           keep_data=args.keep_data, out=args.out.with_name("kernels.json"), quiet=args.quiet)
    print()
    print(format_report(results))
    print(f"\nresults: {args.out.with_name('kernels.json')}")
    return bool(results["same_results"]["ok"])


def run_and_save(*, runs: int, points: int, seed: int, workdir: Path | None, keep_data: bool, out: Path,
                 quiet: bool, demo_end: str = DEMO_END) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="feltkart-kernels-", dir=workdir))
    started = time.time()
    load_start = os.getloadavg()
    try:
        results = kernels_benchmark(workdir=tmp, runs=runs, points=points, seed=seed, demo_end=demo_end,
                                    quiet=quiet)
    finally:
        if not keep_data:
            shutil.rmtree(tmp, ignore_errors=True)
    results.update(timestamp=time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
                   load_average={"start": list(load_start), "end": list(os.getloadavg())},
                   wall_seconds=time.time() - started, nproc=os.cpu_count())
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.kernels", description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=DEFAULT_RUNS, help=f"runs per command and mode (default {DEFAULT_RUNS})")
    ap.add_argument("--points", type=int, default=DEFAULT_POINTS, help=f"GPX points (default {DEFAULT_POINTS:,})")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--demo-end", default=DEMO_END, help=f"last day of the demo build (default {DEMO_END})")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON results file (default bench/results/kernels.json)")
    ap.add_argument("--workdir", type=Path, default=None, help="where the temporary data directory goes")
    ap.add_argument("--keep-data", action="store_true", help="keep the generated data and stores")
    ap.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    ap.add_argument("--report", type=Path, default=None, metavar="JSON", help="print an earlier results file and exit")
    ap.add_argument("--prepare", type=Path, default=None, metavar="DIR", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.prepare is not None:
        info = prepare(args.prepare, points=args.points, seed=args.seed)
        (args.prepare / "inputs.json").write_text(json.dumps(info))
        return 0
    if args.report is not None:
        print(format_report(json.loads(args.report.read_text())))
        return 0
    if args.runs < 1 or args.points < 2:
        ap.error(f"--runs must be at least 1 and --points at least 2; got {args.runs} and {args.points}")
    results = run_and_save(runs=args.runs, points=args.points, seed=args.seed, workdir=args.workdir,
                           keep_data=args.keep_data, out=args.out, quiet=args.quiet, demo_end=args.demo_end)
    print(format_report(results))
    print(f"\nresults: {args.out}")
    return 0 if results["same_results"]["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
