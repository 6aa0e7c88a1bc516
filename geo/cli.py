"""Command line: ``python -m geo demo|import|summary|hotspots|report|plan|plan-vs-actual|retention``.

Exit codes of ``import``: 0 everything imported; 1 some rows rejected, the
rest imported (rejects listed on stderr); 2 nothing imported (invalid file or
usage). ``--progress`` (``import``, ``demo``, ``report``) prints one line per
file or year and stage on stderr (``[2/10] p3.gpx: presence``); stdout is never
used for progress. Bad input never produces a Python traceback. The other commands exit 0 on
success and 2 on bad usage or input (``plan``: also when the rules cannot all
be met; the message names the rule to relax).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import date

from geo.errors import FeltkartError
from geo.schema import AgeGroup, Category

# Start-up imports only what every command needs (argparse, the schema's names): each command
# imports its own modules when it runs, so `--help` and a usage error never load pandas, and
# `import` never loads what only `report` or `hotspots` need (`python -X importtime -m geo ...`).

EXIT_OK = 0
EXIT_SOME_REJECTED = 1
EXIT_NOTHING_IMPORTED = 2


def main(argv: Sequence[str] | None = None) -> int:
    configure_process()
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    try:
        _check_range(args)
        return args.run(args)
    except BrokenPipeError:  # output piped into e.g. `head`, which stopped reading
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except (FeltkartError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_NOTHING_IMPORTED


def configure_process() -> None:
    """Process-wide settings, made here and in the benchmark only (never on import, so never in the dashboard).

    glibc's allocator keeps freed chunk memory (``geo.engine.allocator``). The
    engine's thread count needs nothing here: ``geo.engine.threads`` reads
    ``$FELTKART_THREADS``, the one variable for it, whenever it starts threads.
    """
    from geo.engine import allocator

    allocator.configure()


def _stderr_progress(enabled: bool):
    """The ``progress=`` callback of a command: each step as one stderr line when ``--progress`` is given."""
    from geo.progress import no_progress

    return _print_step if enabled else no_progress


def _print_step(step) -> None:
    print(progress_line(step), file=sys.stderr, flush=True)


def progress_line(step) -> str:
    """``[2/10] p3.gpx: presence``: a :class:`geo.progress.Step` as one line; the unit counts from 1."""
    detail = f"{step.detail}: " if step.detail else ""
    return f"[{step.number}/{step.total}] {detail}{step.stage}"


PROGRESS_HELP = "print one line per file or year and stage on stderr"


def _date(text: str) -> date:
    from geo.timeutil import parse_date

    try:
        return parse_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _check_range(args: argparse.Namespace) -> None:
    """``--from`` on or before ``--to`` (and ``--compare-from`` before ``--compare-to``), in the user's words."""
    for first, last, names in (("first_day", "last_day", "--from/--to"),
                               ("compare_from", "compare_to", "--compare-from/--compare-to")):
        lo, hi = getattr(args, first, None), getattr(args, last, None)
        if lo is not None and hi is not None and lo > hi:
            a, b = names.split("/")
            raise ValueError(f"{a} {lo} is after {b} {hi}; swap them")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m geo", description="Feltkart: field-area analytics for street outreach.")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="build a store with deterministic Oslo demo data")
    demo.add_argument("--store", required=True,
                      help="GeoPackage file to create (replaced if it exists), or a PostGIS URL to add the demo to")
    demo.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    demo.add_argument("--start", type=_date, default=date(2018, 1, 1), help="first local date (default 2018-01-01)")
    demo.add_argument("--end", type=_date, default=date(2024, 12, 31), help="last local date (default 2024-12-31)")
    demo.add_argument("--progress", action="store_true", help=PROGRESS_HELP)
    demo.set_defaults(run=_run_demo)

    imp = sub.add_parser("import", help="import GPX tracks, field areas, encounters or patrol metadata")
    imp.add_argument("--store", required=True, help="GeoPackage store (created when missing)")
    imp.add_argument("--kind", choices=("areas", "tracks", "encounters", "patrols"), help="what the files hold (inferred when omitted)")
    imp.add_argument("--crs", help="CRS of UTM coordinates or of a file without one, e.g. EPSG:25833")
    imp.add_argument("--layer", help="layer to read from a GeoPackage or zipped Shapefile")
    imp.add_argument("--valid-from", type=_date, help="field areas: first local date the areas are valid")
    imp.add_argument("--valid-to", type=_date, help="field areas: first local date they are no longer valid")
    imp.add_argument("--team", help="field areas / GPX tracks: owning team")
    imp.add_argument("--patrol-kind", default="regular", help="GPX tracks: patrol kind (default regular)")
    imp.add_argument("--staff", type=int, default=2, help="GPX tracks: staff per patrol (default 2)")
    imp.add_argument("--progress", action="store_true", help=PROGRESS_HELP)
    imp.add_argument("files", nargs="+", help="files to import")
    imp.set_defaults(run=_run_import)

    summ = sub.add_parser("summary", help="presence, visits and encounters per area, cell or week")
    summ.add_argument("--store", required=True, help="GeoPackage store")
    summ.add_argument("--from", dest="first_day", type=_date, help="first local date, inclusive")
    summ.add_argument("--to", dest="last_day", type=_date, help="last local date, inclusive")
    summ.add_argument("--by", default="area", choices=("area", "cell", "week", "area,week"))
    summ.add_argument("--res", type=int, default=10, choices=(9, 10, 11), help="H3 resolution for --by cell")
    summ.add_argument("--team", action="append", help="only this team (repeatable)")
    summ.add_argument("--format", default="csv", choices=("csv", "json"))
    summ.set_defaults(run=_run_summary)

    hot = sub.add_parser("hotspots", help="emerging hot and cold spots of encounters per H3 cell")
    hot.add_argument("--store", required=True, help="GeoPackage store")
    hot.add_argument("--period", required=True, choices=("month", "tertial", "quarter", "year"))
    hot.add_argument("--from", dest="first_day", type=_date, help="first local date, inclusive (default: first encounter)")
    hot.add_argument("--to", dest="last_day", type=_date, help="last local date, inclusive (default: last encounter)")
    hot.add_argument("--res", type=int, choices=(9, 10, 11), help="H3 resolution (default: geo.hotspots.DEFAULT_RESOLUTION)")
    hot.add_argument("--k-ring", dest="k", type=int, help="rings of neighbouring cells (default: geo.hotspots.K_RING)")
    hot.add_argument("--time-lag", type=int, help="earlier periods in the neighbourhood (default: geo.hotspots.TIME_LAG)")
    hot.add_argument("--permutations", type=int, help="conditional permutations for p-values (default: analytic)")
    hot.add_argument("--seed", type=int, help="seed of the permutations")
    hot.add_argument("--team", action="append", help="only this team (repeatable)")
    hot.add_argument("--category", action="append", choices=[c.value for c in Category],
                     help="only encounters of this category (repeatable)")
    hot.add_argument("--age-group", action="append", choices=[a.value for a in AgeGroup],
                     help="only encounters of this age group (repeatable)")
    hot.add_argument("--counts", action="store_true", help="print cells per category instead of one row per cell")
    hot.add_argument("--format", default="csv", choices=("csv", "json"))
    hot.set_defaults(run=_run_hotspots)
    rep = sub.add_parser("report", help="situation picture for a partner forum (PDF, HTML or CSV), audit-logged")
    rep.add_argument("--store", required=True, help="GeoPackage store")
    rep.add_argument("--preset", required=True, help="partner preset in config/presets.toml: salto, sentrum, trio")
    rep.add_argument("--from", dest="first_day", required=True, type=_date, help="first local date, inclusive")
    rep.add_argument("--to", dest="last_day", required=True, type=_date, help="last local date, inclusive")
    rep.add_argument("--out", required=True, help="file to write: .pdf, .html or .csv")
    rep.add_argument("--k", type=int, default=5, help="counts 1..k-1 are shown as <k (default 5, at least 3)")
    rep.add_argument("--compare-from", type=_date, help="first local date of the comparison period")
    rep.add_argument("--compare-to", type=_date, help="last local date of the comparison period")
    rep.add_argument("--team", action="append", help="only this team (repeatable)")
    rep.add_argument("--presets", help="presets file (default config/presets.toml)")
    rep.add_argument("--progress", action="store_true", help=PROGRESS_HELP)
    rep.set_defaults(run=_run_report)

    plan = sub.add_parser("plan", help="recommended patrol visits per area × weekday × shift for one ISO week")
    plan.add_argument("--store", required=True, help="GeoPackage store or PostGIS URL")
    plan.add_argument("--week", required=True, help="ISO week to plan, e.g. 2024-W07")
    plan.add_argument("--history-weeks", type=int,
                      help="weeks with patrols behind the need estimate (default: history.weeks in the config, 8)")
    plan.add_argument("--config", help="planning file (default config/planning.toml)")
    plan.add_argument("--out", help="write the plan to this file (.csv, .json or .pdf briefing sheet) instead of stdout")
    plan.add_argument("--format", default="csv", choices=("csv", "json"), help="format on stdout (default csv)")
    plan.add_argument("--save", action="store_true", help="also save the plan in the store as the week's next version")
    plan.set_defaults(run=_run_plan)

    pva = sub.add_parser("plan-vs-actual", help="a saved week's plan against the presence the GPS tracks show")
    pva.add_argument("--store", required=True, help="GeoPackage store or PostGIS URL")
    pva.add_argument("--week", required=True, help="ISO week with a saved plan, e.g. 2024-W07")
    pva.add_argument("--version", type=int, help="plan version (default: the latest saved)")
    pva.add_argument("--format", default="csv", choices=("csv", "json"))
    pva.set_defaults(run=_run_plan_vs_actual)

    ret = sub.add_parser("retention", help="delete raw track points older than the retention; aggregates stay")
    ret.add_argument("--store", required=True, help="GeoPackage store or PostGIS URL")
    ret.add_argument("--days", type=int, help="keep raw points this many days (default: config/retention.toml, 60)")
    ret.add_argument("--dry-run", action="store_true", help="only say what would be deleted")
    ret.add_argument("--no-vacuum", dest="vacuum", action="store_false",
                     help="GeoPackage: do not rebuild the file afterwards (the freed space is then reused, not returned)")
    ret.set_defaults(run=_run_retention)
    return parser


def _run_demo(args: argparse.Namespace) -> int:
    from geo.demo.store import build_demo_store
    from geo.store.postgis import is_postgis_url

    progress = _stderr_progress(args.progress)
    if is_postgis_url(args.store):
        return _demo_into_postgis(args, progress)
    build = build_demo_store(args.store, seed=args.seed, start=args.start, end=args.end, progress=progress)
    counts = ", ".join(f"{k} {v:,}" for k, v in build.counts.items() if k in DEMO_COUNTS)
    print(f"demo store {build.path}: {counts}; {build.size_bytes / 1e6:.1f} MB in {build.seconds:.1f} s")
    return EXIT_OK


DEMO_COUNTS = ("field_areas", "patrols", "track_points", "encounters")


def _demo_into_postgis(args: argparse.Namespace, progress) -> int:
    """Build the demo in a temporary GeoPackage, then copy it into the PostGIS store in one transaction."""
    import tempfile
    import time
    from pathlib import Path

    from geo.demo.store import build_demo_store
    from geo.store import open_store
    from geo.store.postgis import describe_url
    from geo.store.transfer import copy_store

    began = time.perf_counter()
    target = open_store(args.store)  # fails early, with a clear message, when the server is unreachable
    with tempfile.TemporaryDirectory(prefix="feltkart-demo-") as folder:
        local = Path(folder) / "demo.gpkg"
        build_demo_store(local, seed=args.seed, start=args.start, end=args.end, progress=progress)
        if args.progress:
            print(f"copying into {describe_url(args.store)}", file=sys.stderr, flush=True)
        counts = copy_store(open_store(local, create=False), target, changed_by="demo")
    shown = ", ".join(f"{k} {v:,}" for k, v in counts.items() if k in DEMO_COUNTS)
    print(f"demo store {describe_url(args.store)}: {shown} in {time.perf_counter() - began:.1f} s")
    return EXIT_OK


def _run_import(args: argparse.Namespace) -> int:
    from geo.io.errors import InputFileError, group_errors
    from geo.io.importer import ImportOptions, import_files
    from geo.store import open_store
    from geo.store.audit import acting_as, cli_actor

    options = ImportOptions(crs=args.crs, layer=args.layer, valid_from=args.valid_from, valid_to=args.valid_to,
                            team=args.team, kind=args.patrol_kind, staff=args.staff)
    store = open_store(args.store)
    any_added, any_rejected, any_failed = False, False, False
    with acting_as(cli_actor()):  # every file's import-log entry names the user; reads the next file ahead
        for _, outcome in import_files(store, args.files, kind=args.kind, options=options,
                                       progress=_stderr_progress(args.progress)):
            if isinstance(outcome, InputFileError):
                print(f"error: {outcome}", file=sys.stderr)
                any_failed = True
                continue
            for warning in outcome.warnings:
                print(f"warning: {warning}", file=sys.stderr)
            for line in group_errors(outcome.errors):
                print(f"rejected: {line}", file=sys.stderr)
            added = ", ".join(f"{n:,} {table}" for table, n in outcome.added.items()) or "nothing new"
            rejected_rows = len({(e.file, e.line) for e in outcome.errors})
            print(f"{outcome.file}: {outcome.kind}: added {added}; {rejected_rows} rows rejected")
            any_added |= outcome.n_added > 0 or outcome.already_imported
            any_rejected |= bool(outcome.errors)
            any_failed |= outcome.n_added == 0 and bool(outcome.errors)
    if any_added:
        _retention_after_import(store)
    if any_failed and not any_added:
        return EXIT_NOTHING_IMPORTED
    if any_rejected or any_failed:
        return EXIT_SOME_REJECTED
    return EXIT_OK


def _run_retention(args: argparse.Namespace) -> int:
    from geo.retention import apply_retention
    from geo.store import open_store
    from geo.store.audit import cli_actor

    store = open_store(args.store, create=False)
    run = apply_retention(store, days=args.days, dry_run=args.dry_run, vacuum=args.vacuum, actor=cli_actor())
    print("\n".join(run.lines()))
    return EXIT_OK


def _retention_after_import(store) -> None:
    """Every import ends with the retention policy (config/retention.toml), outside its transaction."""
    from geo.retention import apply_after_import
    from geo.store.audit import cli_actor

    run = apply_after_import(store, actor=cli_actor())
    if run is not None and run.points:
        print(f"retention: deleted {run.points:,} raw track points of {run.patrols:,} patrols older than "
              f"{run.days} days (aggregates kept)", file=sys.stderr)


def _run_summary(args: argparse.Namespace) -> int:
    from geo.store import open_store
    from geo.queries.filters import Filters
    from geo.queries.summary import summarize

    store = open_store(args.store, create=False)
    filters = Filters(first_day=args.first_day, last_day=args.last_day, teams=tuple(args.team) if args.team else None)
    _print_table(summarize(store, args.by, filters, res=args.res), args.format)
    return EXIT_OK


def _run_hotspots(args: argparse.Namespace) -> int:
    import geo.hotspots as hs
    from geo.store import open_store

    given = {"res": args.res, "k": args.k, "time_lag": args.time_lag, "permutations": args.permutations,
             "seed": args.seed}
    store = open_store(args.store, create=False)
    table = hs.emerging_hotspots(store, period=args.period, first_day=args.first_day, last_day=args.last_day,
                                 teams=tuple(args.team) if args.team else None,
                                 categories=tuple(args.category) if args.category else None,
                                 age_groups=tuple(args.age_group) if args.age_group else None,
                                 **{k: v for k, v in given.items() if v is not None})
    if args.counts:
        table = hs.category_counts(table)
    _print_table(table, args.format)
    return EXIT_OK


def _run_report(args: argparse.Namespace) -> int:
    from geo.report.export import export_report
    from geo.report.presets import PRESETS_FILE
    from geo.store import open_store

    store = open_store(args.store, create=False)
    done = export_report(store, args.preset, first_day=args.first_day, last_day=args.last_day, out=args.out,
                         k=args.k, compare_first=args.compare_from, compare_last=args.compare_to,
                         teams=tuple(args.team) if args.team else None, presets_file=args.presets or PRESETS_FILE,
                         progress=_stderr_progress(args.progress))
    print(f"{done.path}: {done.format}, preset {args.preset}, k = {done.report.k}; sha256 {done.sha256} (logged)")
    return EXIT_OK


def _run_plan(args: argparse.Namespace) -> int:
    from pathlib import Path

    from geo.planning import load_config, recommend, save
    from geo.planning.briefing import plan_csv, plan_json, plan_pdf
    from geo.store import open_store

    writers = {".csv": plan_csv, ".json": plan_json, ".pdf": plan_pdf}
    out = Path(args.out) if args.out else None
    if out is not None and out.suffix.lower() not in writers:
        raise FeltkartError(f"--out must end in .csv, .json or .pdf; got {args.out!r}")
    config = load_config(args.config) if args.config else load_config()
    store = open_store(args.store, create=False)
    plan = recommend(store, args.week, config=config, history_weeks=args.history_weeks)
    effect = plan.effect.set_index("allocation")[["street_minutes", "garage_visits", "expected_encounters"]]
    print(f"plan {plan.week} ({plan.first_day}–{plan.last_day}): {int(plan.lines['visits'].sum())} visits, "
          f"{plan.lines['planned_minutes'].sum():.0f} planned minutes, expected encounters "
          f"{effect.at['plan', 'expected_encounters']:.1f} (last weeks' allocation "
          f"{effect.at['actual', 'expected_encounters']:.1f}); solved in {plan.solution.seconds:.2f} s", file=sys.stderr)
    for note in plan.notes:
        print(f"note: {note.english()}", file=sys.stderr)
    if args.save:
        print(f"saved as version {save(store, plan)} of {plan.week}", file=sys.stderr)
    if out is not None:
        out.write_bytes(writers[out.suffix.lower()](plan))
        print(f"{out}: plan {plan.week}, {len(plan.lines)} lines")
    else:
        sys.stdout.write((plan_json(plan) if args.format == "json" else plan_csv(plan)).decode("utf-8"))
    return EXIT_OK


def _run_plan_vs_actual(args: argparse.Namespace) -> int:
    from geo.planning import plan_vs_actual
    from geo.store import open_store

    table = plan_vs_actual(open_store(args.store, create=False), args.week, version=args.version)
    gaps = table["gap"].value_counts()
    summary = ", ".join(f"{n} {gap}" for gap, n in gaps.items() if gap) or "no gaps"
    complete = "" if table.attrs["complete"] else "; the week is not over in the store yet"
    print(f"plan {args.week} version {table.attrs['version']} against actual: {summary}{complete}", file=sys.stderr)
    _print_table(table.round(3), args.format)
    return EXIT_OK


def _print_table(table, fmt: str) -> None:
    """``table`` on stdout as CSV (one header line) or as a JSON list of records."""
    if fmt == "json":
        import json

        json.dump(json.loads(table.to_json(orient="records", force_ascii=False)), sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        from geo.report.csv_safety import csv_safe

        csv_safe(table).to_csv(sys.stdout, index=False, lineterminator="\n")
