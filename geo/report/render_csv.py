"""CSV export of a situation picture: every table in one long (tidy) file.

Columns ``tabell;rad;kolonne;verdi`` (semicolon-separated, UTF-8 with BOM, as
Norwegian Excel expects, since values use a decimal comma); the first rows
(table ``om``) give preset, period, comparison period and k. Values are the
display texts of the report, so suppressed counts read ``<k`` or ``x``. A text that a
spreadsheet would run as a formula (a name starting with ``=``, ``+``, ``-``, ``@``) gets a
``'`` in front (:mod:`geo.report.csv_safety`).
"""

from __future__ import annotations

import io

import pandas as pd

from geo.report.csv_safety import csv_safe
from geo.report.model import Report
from geo.report.labels import AGE_GROUP_NB, CATEGORY_NB, period_nb

TABLE_NAMES = {
    "areas": "feltområder",
    "categories": "kategori_alder",
    "trend": "utvikling",
    "time_of_week": "tid_på_uka",
    "hotspots": "steder_med_flest_møter",
}
COLUMNS = ("tabell", "rad", "kolonne", "verdi")


def render_csv(report: Report) -> bytes:
    """The report's tables as one CSV file (bytes, UTF-8 with BOM): the sections its preset prints
    (each table is the section of its key; the note on period, filters and k always)."""
    parts = [_about(report), *([_key_figures(report)] if report.shows("key_figures") else [])]
    parts += [_long(TABLE_NAMES[key], frame) for key, frame in report.tables.items() if report.shows(key)]
    table = csv_safe(pd.concat(parts, ignore_index=True)[list(COLUMNS)])
    buffer = io.StringIO()
    table.to_csv(buffer, sep=";", index=False, lineterminator="\n")
    return buffer.getvalue().encode("utf-8-sig")


def _about(report: Report) -> pd.DataFrame:
    compare = period_nb(report.compare_first, report.compare_last) if report.has_comparison else ""
    items = {
        "samarbeidspartner": report.preset.name,
        "periode": period_nb(report.first_day, report.last_day),
        "sammenligningsperiode": compare,
        "k": str(report.k),
        "team": ", ".join(report.teams) if report.teams else "alle",
        "kategorier": _chosen(report.preset.categories, CATEGORY_NB),
        "aldersgrupper": _chosen(report.preset.age_groups, AGE_GROUP_NB),
        "feltområder": ", ".join(report.preset.areas) if report.preset.areas else "alle",
        "laget_utc": report.created_utc.isoformat(),
    }
    about = pd.DataFrame({"tabell": "om", "rad": list(items), "kolonne": "verdi", "verdi": list(items.values())})
    methods = pd.DataFrame({"tabell": "metode", "rad": [heading for heading, _ in report.methods],
                            "kolonne": "tekst", "verdi": [text for _, text in report.methods]})
    return pd.concat([about, methods], ignore_index=True)


def _chosen(codes: tuple[str, ...] | None, names: dict[str, str]) -> str:
    """The preset's filter in words: ``alle`` when it does not filter."""
    return ", ".join(names.get(code, code) for code in codes) if codes else "alle"


def _key_figures(report: Report) -> pd.DataFrame:
    rows = []
    for figure in report.key_figures:
        for column, value in (("periode", figure.current), ("sammenligningsperiode", figure.previous),
                              ("endring", figure.change)):
            rows.append({"tabell": "nøkkeltall", "rad": figure.label, "kolonne": column, "verdi": value})
    return pd.DataFrame(rows)


def _long(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    label = frame.columns[0]
    long = frame.melt(id_vars=[label], var_name="kolonne", value_name="verdi").rename(columns={label: "rad"})
    long.insert(0, "tabell", name)
    return long.astype(str)
