"""Feltkart benchmark: ``python -m bench.run`` (``make bench``).

Presence engine vs the naive geopandas/h3-py pipeline, and the GPX reader vs
gpxpy, each measured in its own fresh subprocess (``bench.worker``) on data
generated once (``bench.data``) and stored as Parquet / GPX in a temporary
directory. Prints a table and writes every number to a JSON file. See
``bench/README.md``.

This process only orchestrates: it imports no numpy/pandas, so the children's
peak-memory figures are not inflated by a large parent.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from bench import e2e, kernels

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "bench" / "results" / "latest.json"
DEFAULT_POINTS = 10_000_000
DEFAULT_GPX_POINTS = 1_000_000
DEFAULT_NAIVE_MAX = 10_000_000
DEFAULT_SEED = 20240101

TARGET_SPEEDUP = 25.0  # engine vs naive, at TARGET_POINTS
TARGET_POINTS = 10_000_000
TARGET_ENGINE_MB = 1_500.0  # 1.5 GB (10**9 bytes) above the loaded input
TARGET_GPX_SPEEDUP = 10.0  # read_gpx vs gpxpy

PACKAGES = ("numpy", "pandas", "geopandas", "shapely", "pyproj", "pyarrow", "pyogrio", "h3", "h3ronpy", "gpxpy")


# --- running tasks -----------------------------------------------------------------------------


class TaskFailed(RuntimeError):
    pass


MEM_LIMIT_GB: float | None = None
"""Address-space limit for every child (``--mem-limit-gb``): fail with MemoryError, not the OOM killer."""


def run_task(task: str, spec: dict[str, Any], workdir: Path, name: str | None = None) -> dict[str, Any]:
    """Run ``bench.worker`` ``task`` in a fresh interpreter; return its JSON result."""
    name = name or task
    spec_path, out_path = workdir / f"{name}.spec.json", workdir / f"{name}.out.json"
    spec_path.write_text(json.dumps({**spec, "mem_limit_gb": MEM_LIMIT_GB}))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "bench.worker", task, str(spec_path), str(out_path)],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise TaskFailed(f"bench.worker {task} failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
    result = json.loads(out_path.read_text())
    result["process_seconds"] = time.perf_counter() - started  # incl. imports and loading
    return result


def attempt(task: str, spec: dict[str, Any], workdir: Path, name: str) -> dict[str, Any]:
    """Like :func:`run_task`, but a failure (e.g. MemoryError at a large size) becomes ``{"error": ...}``."""
    try:
        return run_task(task, spec, workdir, name)
    except TaskFailed as exc:
        last = str(exc).strip().splitlines()[-1]
        print(f"[bench {time.strftime('%H:%M:%S')}] {name} failed: {last}", file=sys.stderr, flush=True)
        return {"error": str(exc)[-3000:], "error_line": last}


def ok(result: dict[str, Any] | None) -> bool:
    return result is not None and "error" not in result


def progress(message: str, *, quiet: bool) -> None:
    if not quiet:
        print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- the benchmark ---------------------------------------------------------------------------


def presence_benchmark(
    n: int, *, workdir: Path, seed: int, res: int, with_naive: bool, min_seconds: float, tolerance: float,
    quiet: bool, batch_points: int = 0, tag: str = "",
) -> dict[str, Any]:
    """Generate ``n`` points, run engine (and naive, and the comparison) on them."""
    common = {"dir": str(workdir), "res": res, "tag": tag}
    progress(f"generating {n:,} track points", quiet=quiet)
    data = run_task("generate", {"dir": str(workdir), "points": n, "seed": seed, "gpx_points": 0}, workdir,
                    f"generate{tag}")
    progress("building the area grids into the cache (as importing the areas does; not timed)", quiet=quiet)
    run_task("grids", common, workdir, f"grids{tag}")
    progress(f"engine on {n:,} points", quiet=quiet)
    engine = attempt("engine", common, workdir, f"engine{tag}")
    progress(f"engine on {n:,} points, building the area grids too", quiet=quiet)
    engine_cold = attempt("engine", {**common, "grids": "build", "tag": f"{tag}_cold"}, workdir, f"engine{tag}_cold")
    out: dict[str, Any] = {"points": n, "data": data, "engine": engine, "engine_cold": engine_cold}
    if batch_points and n > batch_points:
        progress(f"engine in patrol batches of ~{batch_points:,} points", quiet=quiet)
        out["engine_batched"] = attempt("engine_batched", {**common, "batch_points": batch_points}, workdir,
                                        f"engine_batched{tag}")
    if with_naive:
        progress(f"naive pipeline on {n:,} points (slow)", quiet=quiet)
        naive = attempt("naive", common, workdir, f"naive{tag}")
        out["naive"] = naive
    if with_naive and ok(naive) and ok(engine):
        out["ratio"] = naive["seconds"] / engine["seconds"]
        out["ratio_cpu"] = naive["cpu_seconds"] / engine["cpu_seconds"]
        if ok(engine_cold):
            out["ratio_cold"] = naive["seconds"] / engine_cold["seconds"]
        out["agreement"] = run_task(
            "compare",
            {**common, "naive_total_seconds": naive["total_seconds"], "min_seconds": min_seconds,
             "tolerance": tolerance},
            workdir, f"compare{tag}",
        )
    return out


def gpx_benchmark(m: int, *, workdir: Path, seed: int, quiet: bool) -> dict[str, Any]:
    progress(f"writing a {m:,}-point GPX file", quiet=quiet)
    data = run_task("generate", {"dir": str(workdir), "points": 0, "seed": seed, "gpx_points": m}, workdir,
                    "generate_gpx")
    progress("geo.io.gpx.read_gpx", quiet=quiet)
    ours = run_task("read_gpx", {"dir": str(workdir)}, workdir)
    progress("gpxpy.parse (slow)", quiet=quiet)
    theirs = run_task("gpxpy", {"dir": str(workdir)}, workdir)
    same = ours["points"] == theirs["points"] and abs(ours["lat_sum"] - theirs["lat_sum"]) <= 1e-6 * max(
        1.0, abs(theirs["lat_sum"])
    )
    return {
        "file": data["gpx"],
        "read_gpx": ours,
        "gpxpy": theirs,
        "ratio": theirs["seconds"] / ours["seconds"],
        "same_points": bool(same),
    }


def end_to_end(args: argparse.Namespace, tmp: Path) -> dict[str, Any] | None:
    """The end-to-end sizes, the encounters CSV and the recomputation (``bench.e2e``)."""
    if not args.e2e_points and not args.e2e_encounters and args.no_recompute:
        return None
    out: dict[str, Any] = {"sizes": []}
    for n in args.e2e_points:
        sub = tmp / f"e2e_{n}"
        try:
            row = e2e.e2e_benchmark(n, workdir=sub, files=args.e2e_files, runs=max(1, args.e2e_runs),
                                    seed=args.seed, quiet=args.quiet, mem_limit_gb=args.mem_limit_gb)
        except (TaskFailed, RuntimeError) as exc:  # e.g. out of memory at the largest size: keep the others
            progress(f"e2e {n:,} points failed: {exc}", quiet=False)
            row = {"points": n, "error": str(exc)[-2000:]}
        out["sizes"].append(row)
        if args.e2e_encounters and "encounters" not in out and "error" not in row:
            out["encounters"] = e2e.encounters_benchmark(args.e2e_encounters, workdir=sub,
                                                         runs=max(1, args.e2e_runs), quiet=args.quiet)
        if not args.keep_data:
            shutil.rmtree(sub, ignore_errors=True)
    if not args.no_recompute:
        out["recompute"] = e2e.recompute_benchmark(workdir=tmp / "recompute", runs=max(1, args.e2e_runs),
                                                   quiet=args.quiet)
    return out


def targets(presence: dict[str, Any] | None, gpx: dict[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if presence is not None and "ratio" in presence:
        out["engine_speedup"] = {
            "target": TARGET_SPEEDUP,
            "value": presence["ratio"],
            "points": presence["points"],
            "at_target_points": presence["points"] >= TARGET_POINTS,
            "met": presence["ratio"] >= TARGET_SPEEDUP,
        }
    if presence is not None and ok(presence["engine"]):
        mem = presence["engine"]["peak_above_baseline_mb"]
        out["engine_memory"] = {
            "target_mb": TARGET_ENGINE_MB,
            "value_mb": mem,
            "whole_process_mb": presence["engine"]["peak_rss_mb"],
            "points": presence["points"],
            "at_target_points": presence["points"] >= TARGET_POINTS,
            "met": mem <= TARGET_ENGINE_MB,
        }
    if gpx is not None:
        out["gpx_speedup"] = {"target": TARGET_GPX_SPEEDUP, "value": gpx["ratio"], "met": gpx["ratio"] >= TARGET_GPX_SPEEDUP}
    return out


def code_info() -> dict[str, Any]:
    """Commit of the working tree and whether geo/ has uncommitted changes (read-only git calls)."""

    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True, timeout=30)
        except (OSError, subprocess.SubprocessError):
            return None
        return out.stdout.strip()

    status = git("status", "--porcelain", "--", "geo")
    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "geo_uncommitted_changes": None if status is None else bool(status),
        "geo_sha1": geo_fingerprint(),
    }


def geo_fingerprint() -> str:
    """SHA-1 over the contents of every geo/**/*.py: tells whether the engine changed during a run."""
    digest = hashlib.sha1()
    for path in sorted((ROOT / "geo").rglob("*.py")):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def machine_info() -> dict[str, Any]:
    info: dict[str, Any] = {
        "nproc": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "hostname": platform.node(),
    }
    for pkg in PACKAGES:
        try:
            info[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            info[pkg] = None
    try:
        with open("/proc/cpuinfo") as fh:
            info["cpu_model"] = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), None)
        with open("/proc/meminfo") as fh:
            kib = next(int(ln.split()[1]) for ln in fh if ln.startswith("MemTotal"))
            info["mem_total_gb"] = kib * 1024 / 1e9
    except (OSError, StopIteration):
        pass
    return info


# --- output ------------------------------------------------------------------------------------


def _s(x: float) -> str:
    return f"{x:,.1f} s" if x >= 10 else f"{x:,.2f} s"


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.3g} %"


def _yes(flag: bool) -> str:
    return "yes" if flag else "NO"


def format_report(results: dict[str, Any]) -> str:
    lines: list[str] = []
    add = lines.append
    mach, cfg = results["machine"], results["config"]
    la0, la1 = results["load_average"]["start"], results["load_average"]["end"]
    code = results.get("code") or {}
    dirty = " + uncommitted changes in geo/" if code.get("geo_uncommitted_changes") else ""
    add(f"Feltkart benchmark  {results['timestamp']}  (commit {code.get('commit') or '?'}{dirty})")
    if code.get("geo_changed_during_run"):
        add("WARNING: files in geo/ changed during the run; the measurements may mix engine versions")
    add(
        f"machine: {mach['nproc']} CPUs ({mach.get('cpu_model') or '?'}), {mach.get('mem_total_gb', 0):.1f} GB RAM; "
        f"load avg {la0[0]:.2f}/{la0[1]:.2f}/{la0[2]:.2f} at start, {la1[0]:.2f}/{la1[1]:.2f}/{la1[2]:.2f} at end"
    )
    add(f"python {mach['python']}, numpy {mach['numpy']}, pandas {mach['pandas']}, geopandas {mach['geopandas']}, "
        f"shapely {mach['shapely']}, h3 {mach['h3']}, h3ronpy {mach['h3ronpy']}, gpxpy {mach['gpxpy']}")
    add("memory in MB (10^6 bytes); 'above input' = peak RSS minus RSS after loading the input")
    p = results.get("presence")
    if p is not None:
        d = p["data"]
        add("")
        add(f"Presence per area version and H3 cell (res {cfg['res']}): {p['points']:,} points, {d['patrols']:,} patrols, "
            f"{d['areas']} area versions ({d['area_source']})")
        add(f"  {'pipeline':44s}{'wall':>11s}{'CPU':>11s}{'peak RSS':>11s}{'above input':>13s}")
        rows = []
        if "naive" in p:
            rows.append(("naive: geopandas sjoin + h3-py + groupby", p["naive"]))
        rows.append(("engine: cached area grids + presence_totals", p["engine"]))
        if "engine_cold" in p:
            rows.append(("  (engine building the area grids too, info)", p["engine_cold"]))
        if "engine_batched" in p:
            rows.append((f"  (engine in {p['engine_batched']['batches']} patrol batches, info)", p["engine_batched"]))
        for label, r in rows:
            if not ok(r):
                add(f"  {label:44s}  failed: {r['error_line'][:100]}")
                continue
            add(f"  {label:44s}{_s(r['seconds']):>11s}{_s(r['cpu_seconds']):>11s}"
                f"{r['peak_rss_mb']:>11,.0f}{r['peak_above_baseline_mb']:>13,.0f}")
        if "ratio" in p:
            add(f"  {'ratio naive / engine':44s}{p['ratio']:>10.1f}x{p['ratio_cpu']:>10.1f}x")
            if "ratio_cold" in p:
                add(f"  {'  (ratio naive / engine building grids, info)':44s}{p['ratio_cold']:>10.1f}x")
            add("  naive stages:  " + ", ".join(f"{k} {v:.1f}" for k, v in p["naive"]["stages"].items()) + " (s)")
        if ok(p["engine"]):
            add("  engine stages: " + ", ".join(f"{k} {v:.2f}" for k, v in p["engine"]["stages"].items()) + " (s)")
        if ok(p.get("engine_cold")):
            add("  engine stages when building the grids: "
                + ", ".join(f"{k} {v:.2f}" for k, v in p["engine_cold"]["stages"].items()) + " (s)")
        a = p.get("agreement")
        if a is not None:
            t, ar, ce = a["total_seconds"], a["areas"], a["cells"]
            add(f"  agreement (areas/cells with > {a['min_seconds']:.0f} s of presence, tolerance {_pct(a['tolerance'])}):")
            add(f"    total presence: engine {t['engine']:,.0f} s, naive {t['naive']:,.0f} s, rel diff {t['rel_diff']:.1e}")
            worst = ar.get("worst") or {}
            add(f"    areas: {ar['compared']} compared, max rel diff {_pct(ar['max_rel_diff'])}"
                f" ({worst.get('area_id', '-')}), within tolerance {ar['within_tolerance']}/{ar['compared']}")
            mx = ce["max_rel_diff_above_s"]
            add(f"    cells: {ce['compared']:,} compared of {ce['engine_cells']:,}, max rel diff {_pct(ce['max_rel_diff'])}, "
                f"within tolerance {ce['within_tolerance']:,} ({_pct(ce['share_within_tolerance'])}), "
                f"seconds-weighted mean {_pct(ce['weighted_mean_abs_rel_diff'])}")
            add("           max rel diff for cells above " + ", ".join(
                f"{int(k) // 60} min: {_pct(v)}" for k, v in mx.items()))
            add(f"    every difference within tolerance or explained by boundary-crossing segments: "
                f"areas {_yes(ar['all_within_or_explained'])}, cells {_yes(ce['all_within_or_explained'])}")
            add(f"    results agree: {_yes(a['ok'])}")
    g = results.get("gpx")
    if g is not None:
        add("")
        f = g["file"]
        add(f"GPX import: {f['points']:,} points, {f['patrols']} tracks, {f['file_mb']:,.0f} MB file "
            f"(written by write_gpx in {f['write_seconds']:.1f} s, not timed)")
        add(f"  {'reader':44s}{'wall':>11s}{'CPU':>11s}{'peak RSS':>11s}{'above input':>13s}{'points':>11s}")
        for label, r in (("geo.io.gpx.read_gpx", g["read_gpx"]), (f"gpxpy.parse ({g['gpxpy']['parser']})", g["gpxpy"])):
            add(f"  {label:44s}{_s(r['seconds']):>11s}{_s(r['cpu_seconds']):>11s}"
                f"{r['peak_rss_mb']:>11,.0f}{r['peak_above_baseline_mb']:>13,.0f}{r['points']:>11,}")
        add(f"  {'ratio gpxpy / read_gpx':44s}{g['ratio']:>10.1f}x   same points: {_yes(g['same_points'])}")
    tg = results.get("targets") or {}
    if tg:
        add("")
        add("Targets")
        if "engine_speedup" in tg:
            e = tg["engine_speedup"]
            note = "" if e["at_target_points"] else f"  (measured at {e['points']:,} points; target is at 10M)"
            add(f"  engine >= {e['target']:.0f}x faster than naive:          {e['value']:8.1f}x    {_yes(e['met'])}{note}")
        if "engine_memory" in tg:
            e = tg["engine_memory"]
            note = "" if e["at_target_points"] else f"  (measured at {e['points']:,} points; target is at 10M)"
            add(f"  engine peak memory <= 1.5 GB above input:  {e['value_mb']:8,.0f} MB {_yes(e['met'])}"
                f"  (whole process {e['whole_process_mb']:,.0f} MB){note}")
        if "gpx_speedup" in tg:
            e = tg["gpx_speedup"]
            add(f"  read_gpx >= {e['target']:.0f}x faster than gpxpy:         {e['value']:8.1f}x    {_yes(e['met'])}")
    sc = results.get("scale")
    if sc:
        add("")
        add("Scaling")
        add("  engine = one presence_totals call; batched = the same in patrol batches (--batch-points);"
            " MB above input")
        add("  us/point from wall time; ratio = naive / engine, wall and CPU; load = 1-min load average at engine start")
        add(f"  {'points':>12s}{'engine':>10s}{'CPU':>9s}{'us/point':>9s}{'peak RSS':>9s}{'above in':>9s}{'batched':>9s}"
            f"{'naive':>9s}{'CPU':>9s}{'above in':>9s}{'ratio':>7s}{'CPU':>7s}{'agree':>6s}{'load':>6s}")
        for row in sc:
            if "error" in row:
                add(f"  {row['points']:>12,}  failed: {row['error'].strip().splitlines()[-1][:90]}")
                continue
            e, n, b = row["engine"], row.get("naive"), row.get("engine_batched")
            if ok(e):
                line = (f"  {row['points']:>12,}{_s(e['seconds']):>10s}{_s(e['cpu_seconds']):>9s}"
                        f"{1e6 * e['seconds'] / row['points']:>9.2f}"
                        f"{e['peak_rss_mb']:>9,.0f}{e['peak_above_baseline_mb']:>9,.0f}")
            else:
                line = f"  {row['points']:>12,}{'failed':>10s}{'-':>9s}{'-':>9s}{'-':>9s}{'-':>9s}"
            line += f"{b['peak_above_baseline_mb']:>9,.0f}" if ok(b) else f"{'-':>9s}"
            if ok(n) and "ratio" in row:
                line += (f"{_s(n['seconds']):>9s}{_s(n['cpu_seconds']):>9s}"
                         f"{n['peak_above_baseline_mb']:>9,.0f}{row['ratio']:>6.1f}x{row['ratio_cpu']:>6.1f}x"
                         f"{_yes(row['agreement']['ok']):>6s}")
            else:
                line += f"{'-':>9s}{'-':>9s}{'-':>9s}{'-':>7s}{'-':>7s}{'-':>6s}"
            line += f"{(e if ok(e) else b or {}).get('load_avg_1min_at_start', float('nan')):>6.2f}"
            add(line)
            for label, r in (("engine", e), ("engine batched", b), ("naive", n)):
                if r is not None and not ok(r):
                    add(f"  {'':>12s}  {label} failed: {r['error_line'][:90]}")
            if ok(b):
                add(f"  {'':>12s}  batched: {_s(b['seconds'])}, {1e6 * b['seconds'] / row['points']:.2f} us/point, "
                    f"{b['batches']} batches, peak RSS {b['peak_rss_mb']:,.0f} MB")
    if results.get("e2e"):
        lines.extend(e2e.format_e2e(results["e2e"]))
    return "\n".join(lines)


# --- command line ------------------------------------------------------------------------------


def _count(text: str) -> int:
    value = float(text)
    if value < 0 or value != int(value):
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}")
    return int(value)


def _counts(text: str) -> list[int]:
    return [_count(t) for t in text.split(",") if t.strip()]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    ap.add_argument("--points", type=_count, default=DEFAULT_POINTS, help="track points (default 1e7)")
    ap.add_argument("--gpx-points", type=_count, default=DEFAULT_GPX_POINTS,
                    help="points in the GPX file (default 1e6; 0 skips the GPX benchmark)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON results file (default bench/results/latest.json)")
    ap.add_argument("--scale", type=_counts, default=None,
                    help="comma-separated sizes, e.g. 1e6,1e7,5e7: run the engine at each (naive up to --naive-max) "
                         "instead of the single --points run")
    ap.add_argument("--naive-max", type=_count, default=DEFAULT_NAIVE_MAX, help="largest size the naive pipeline runs at")
    ap.add_argument("--no-naive", action="store_true", help="skip the naive pipeline")
    ap.add_argument("--batch-points", type=_count, default=0,
                    help="also run the engine once per batch of whole patrols of about this many points "
                         "(informational; default 0 = off)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--res", type=int, default=10, help="H3 resolution (default 10)")
    ap.add_argument("--min-seconds", type=float, default=300.0,
                    help="compare areas/cells with more presence than this (default 300 s)")
    ap.add_argument("--tolerance", type=float, default=0.005, help="relative tolerance (default 0.005)")
    ap.add_argument("--mem-limit-gb", type=float, default=None,
                    help="address-space limit (RLIMIT_AS) per measured process, GB; a size that needs more "
                         "fails with MemoryError instead of waking the OOM killer (virtual size runs ~1.5 GB "
                         "above resident)")
    ap.add_argument("--workdir", type=Path, default=None, help="where the temporary data directory goes")
    ap.add_argument("--keep-data", action="store_true", help="keep the generated data directory")
    ap.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    ap.add_argument("--e2e-points", type=_counts, default=list(e2e.DEFAULT_SIZES),
                    help="end to end: sizes in points, comma-separated (default 5e5,5e6; empty = skip)")
    ap.add_argument("--e2e-files", type=_count, default=e2e.DEFAULT_FILES, help="end to end: GPX files (default 10)")
    ap.add_argument("--e2e-runs", type=_count, default=e2e.DEFAULT_RUNS,
                    help="end to end: runs of each side per size, for the spread (default 3)")
    ap.add_argument("--e2e-encounters", type=_count, default=e2e.DEFAULT_ENCOUNTERS,
                    help="end to end: rows of the encounters CSV (default 50,000; 0 skips it)")
    ap.add_argument("--no-recompute", action="store_true",
                    help="end to end: skip the recomputation after a field area changes (builds 12 months of demo data)")
    ap.add_argument("--e2e-only", action="store_true",
                    help="only the end-to-end part (skip the engine and GPX reader benchmarks)")
    ap.add_argument("--report", type=Path, default=None, metavar="JSON",
                    help="print the table of an earlier results file and exit (runs nothing)")
    kernels.add_arguments(ap)  # bench/kernels.py: --kernel-runs, --kernel-points
    args = ap.parse_args(argv)
    if args.points < 2 and not args.scale:
        ap.error("--points must be at least 2")
    return args


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Run the benchmark described by ``args``; return the results dict (also written to ``args.out``)."""
    global MEM_LIMIT_GB
    MEM_LIMIT_GB = args.mem_limit_gb
    started = dt.datetime.now(dt.UTC)
    load_start = os.getloadavg()
    if args.workdir:
        Path(args.workdir).mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="feltkart-bench-", dir=args.workdir))
    cfg = {
        "points": args.points, "gpx_points": args.gpx_points, "seed": args.seed, "res": args.res,
        "scale": args.scale, "naive_max": args.naive_max, "mem_limit_gb": args.mem_limit_gb, "no_naive": args.no_naive,
        "batch_points": args.batch_points, "min_seconds": args.min_seconds, "tolerance": args.tolerance, "data_dir": str(tmp),
    }
    cfg.update(e2e_points=args.e2e_points, e2e_files=args.e2e_files, e2e_runs=args.e2e_runs,
               e2e_encounters=args.e2e_encounters, no_recompute=args.no_recompute, e2e_only=args.e2e_only)
    results: dict[str, Any] = {"timestamp": started.isoformat(timespec="seconds"), "config": cfg, "code": code_info()}
    try:
        presence = None
        gpx = None
        scale_rows = []
        if args.e2e_only:
            pass
        elif args.scale:
            for n in args.scale:
                sub = tmp / f"n{n}"
                sub.mkdir()
                try:
                    row = presence_benchmark(
                        n, workdir=sub, seed=args.seed, res=args.res,
                        with_naive=not args.no_naive and n <= args.naive_max,
                        min_seconds=args.min_seconds, tolerance=args.tolerance, quiet=args.quiet,
                        batch_points=args.batch_points,
                    )
                except TaskFailed as exc:  # e.g. out of memory at the largest size: keep the other rows
                    progress(f"{n:,} points failed: {exc}", quiet=False)
                    row = {"points": n, "error": str(exc)[-2000:]}
                scale_rows.append(row)
                if not args.keep_data:
                    shutil.rmtree(sub, ignore_errors=True)
            matching = [r for r in scale_rows if r["points"] == args.points and "error" not in r]
            presence = matching[0] if matching else None
        else:
            presence = presence_benchmark(
                args.points, workdir=tmp, seed=args.seed, res=args.res, with_naive=not args.no_naive,
                min_seconds=args.min_seconds, tolerance=args.tolerance, quiet=args.quiet,
                batch_points=args.batch_points,
            )
        if args.gpx_points and not args.e2e_only:
            gpx = gpx_benchmark(args.gpx_points, workdir=tmp, seed=args.seed, quiet=args.quiet)
        results["e2e"] = end_to_end(args, tmp)
    finally:
        if not args.keep_data:
            shutil.rmtree(tmp, ignore_errors=True)
    results["code"]["geo_changed_during_run"] = geo_fingerprint() != results["code"]["geo_sha1"]
    results.setdefault("e2e", None)
    results.update(
        machine=machine_info(),
        load_average={"start": list(load_start), "end": list(os.getloadavg())},
        presence=presence,
        gpx=gpx,
        scale=scale_rows or None,
        targets=targets(presence, gpx),
        wall_seconds=(dt.datetime.now(dt.UTC) - started).total_seconds(),
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=str))
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.report is not None:
        print(format_report(json.loads(args.report.read_text())))
        return 0
    results = run(args)
    print(format_report(results))
    print(f"\nresults: {args.out}")
    rows = [r for r in [results.get("presence"), *(results.get("scale") or [])] if r]
    agreements = [r["agreement"]["ok"] for r in rows if "agreement" in r]
    if results.get("presence") and not results.get("scale"):  # a failed single run is a failed benchmark
        agreements.append(ok(results["presence"]["engine"]) and ok(results["presence"].get("naive", {})))
    gpx_same = results["gpx"]["same_points"] if results.get("gpx") else True
    for size in (results.get("e2e") or {}).get("sizes", []):
        agreements.append(size.get("agree", False))

    # --- hand-written kernels vs the libraries, as whole user commands (bench/kernels.py) ---
    kernels_agree = True if args.e2e_only else kernels.run_after_bench(args)

    return 0 if all(agreements) and gpx_same and kernels_agree else 1  # targets are reported, not enforced


if __name__ == "__main__":
    sys.exit(main())
