"""Server-side time of the dashboard's queries on a store (``python -m bench.city queries``).

Each widget's query function from ``geo.queries`` / ``geo.hotspots`` is
called as the pages call it, in this process, on a warm store (one untimed
call first, then ``repeat`` timed calls; the table shows the fastest and the
median). "SQL" is the part spent inside ``store.query`` (the database and
turning rows into a DataFrame); the rest is the query function's own pandas
and numpy work. Nothing of Streamlit or the browser is included.

Columns: wall time (median), CPU time of this process (median; for a
GeoPackage that includes SQLite's work, which runs in this process), and for
PostGIS the server's own time (the sum of ``EXPLAIN (ANALYZE)`` planning and
execution times of the widget's SQL statements, measured in one extra pass).
The machine is shared, so wall times include waiting for a core; CPU and
server times do not.

Periods are taken from the store's last full calendar year (or ``year``):
the year itself, its last four weeks (28 days ending 31 December) and, for
the comparison of the key figures, the four weeks before; and the same four
weeks of the store's first year ("4 weeks, first year"), to show that a
period's queries do not depend on how many years lie outside it.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable
from typing import Any

Widget = Callable[[Any, "dt.date", "dt.date"], Any]


def widgets() -> dict[str, tuple[str, Widget]]:
    """name → (period: "4 weeks" or "year", call(store, first_day, last_day))."""
    from geo.hotspots import emerging_hotspots
    from geo.queries import Filters, key_figures, presence_by_area, presence_by_cell, time_of_week

    def figures(store, first, last):
        days = (last - first).days + 1
        key_figures(store, Filters(first_day=first, last_day=last))
        return key_figures(store, Filters(first_day=first - dt.timedelta(days=days),
                                          last_day=first - dt.timedelta(days=1)))

    return {
        "key figures + comparison": ("4 weeks", figures),
        "key figures + comparison, first year": ("4 weeks, first year", figures),
        "per-area table, first year": ("4 weeks, first year",
                                       lambda s, a, b: presence_by_area(s, Filters(first_day=a, last_day=b))),
        "per-area table": ("4 weeks", lambda s, a, b: presence_by_area(s, Filters(first_day=a, last_day=b))),
        "per-area table, a year": ("year", lambda s, a, b: presence_by_area(s, Filters(first_day=a, last_day=b))),
        "coverage cells (res 10)": ("year", lambda s, a, b: presence_by_cell(s, Filters(first_day=a, last_day=b))),
        "coverage cells, Tue+Thu 18-24": ("year", lambda s, a, b: presence_by_cell(
            s, Filters(first_day=a, last_day=b, weekdays=(1, 3), hour_from=18, hour_to=24))),
        "hour x weekday": ("year", lambda s, a, b: time_of_week(s, Filters(first_day=a, last_day=b))),
        "hot spots by quarter": ("year", lambda s, a, b: emerging_hotspots(s, period="quarter", first_day=a,
                                                                             last_day=b)),
    }


def time_queries(location: str, *, year: int | None = None, repeat: int = 3) -> dict[str, Any]:
    """Timings of every widget on the store at ``location`` (see the module docstring)."""
    from geo.queries.summary import patrol_day_span
    from geo.store import open_store

    store = open_store(location, create=False)
    span = patrol_day_span(store)
    if year is None:
        year = span[1].year if span[1] >= dt.date(span[1].year, 12, 31) else span[1].year - 1
    first_year = span[0].year + (span[0] > dt.date(span[0].year, 12, 4))
    periods = {"year": (dt.date(year, 1, 1), dt.date(year, 12, 31)),
               "4 weeks": (dt.date(year, 12, 4), dt.date(year, 12, 31)),
               "4 weeks, first year": (dt.date(first_year, 12, 4), dt.date(first_year, 12, 31))}
    sql_seconds = [0.0]
    server_seconds: list[float] | None = None
    query = store.query

    def timed_query(sql, params=()):
        started = time.perf_counter()
        try:
            return query(sql, params)
        finally:
            sql_seconds[0] += time.perf_counter() - started
            if server_seconds is not None:
                server_seconds.append(_server_seconds(store, query, sql, params))

    store.query = timed_query  # this process only: count the time spent in SQL
    out: dict[str, Any] = {"store": location, "year": year, "span": [str(d) for d in span], "widgets": {}}
    for name, (period, call) in widgets().items():
        first, last = periods[period]
        call(store, first, last)  # warm: caches, page cache, prepared statements
        walls, cpus, sqls = [], [], []
        for _ in range(repeat):
            sql_seconds[0] = 0.0
            started, cpu = time.perf_counter(), time.process_time()
            call(store, first, last)
            walls.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
            sqls.append(sql_seconds[0])
        row = {"period": period, "first_day": str(first), "last_day": str(last),
               "seconds_min": min(walls), "seconds_median": statistics.median(walls),
               "cpu_seconds_median": statistics.median(cpus), "sql_seconds_median": statistics.median(sqls)}
        if store.dialect == "postgresql":
            server_seconds = []
            call(store, first, last)
            row["server_seconds"] = sum(server_seconds)
            server_seconds = None
        out["widgets"][name] = row
    out["counts"] = store.counts()
    return out


def _server_seconds(store, query, sql: str, params) -> float:
    """Planning + execution time the PostgreSQL server reports for ``sql`` (it is run once more)."""
    plan = query("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
    report = plan.iloc[0, 0]
    report = report[0] if isinstance(report, list) else __import__("json").loads(report)[0]
    return (report.get("Planning Time", 0.0) + report.get("Execution Time", 0.0)) / 1000.0


def format_table(results: dict[str, dict[str, Any]]) -> str:
    """One row per widget, one column pair (median total, SQL) per store."""
    stores = list(results)
    names = list(next(iter(results.values()))["widgets"])
    head = f"{'widget':38s}{'period':>20s}" + "".join(f"{s[-30:]:>32s}" for s in stores)
    lines = [head, f"{'':58s}" + "".join(f"{'wall / CPU / server s':>32s}" for _ in stores)]
    for name in names:
        row = f"{name:38s}{results[stores[0]]['widgets'][name]['period']:>20s}"
        for s in stores:
            w = results[s]["widgets"][name]
            server = f"{w['server_seconds']:.3f}" if "server_seconds" in w else "-"
            row += f"{w['seconds_median']:>16.3f} / {w['cpu_seconds_median']:.3f} / {server:>5s}"
        lines.append(row)
    return "\n".join(lines)
