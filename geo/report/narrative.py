"""A short Norwegian narrative written from the report's own (disclosure-controlled) numbers.

Template sentences only, and only about what the numbers show: they speak of
*registrerte møter* (recorded encounters), never of persons or causes, and a
sentence whose number is suppressed either says so or is left out. A sentence
naming the largest of a table's numbers is left out while one of them is
hidden as ``x`` or ``:`` (possibly larger): it would be wrong, and it would
tell a reader that the hidden number is smaller.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from geo.report.labels import CATEGORY_NB, WEEKDAY_NB, number_nb, percent_nb, period_nb

if TYPE_CHECKING:
    from geo.report.model import Report

SAME_LEVEL_PCT = 5.0
"""A change of less than this (in %, either way) is called "om lag på samme nivå"; from it on the
narrative gives the change in per cent ("7 % flere enn"). The methods note states the rule
(``geo.report.methods``)."""


def sentences(report: Report) -> list[str]:
    """The narrative, one sentence per item, in Norwegian bokmål."""
    out = [_total(report)]
    for sentence in (_change(report), _top_area(report), _top_category(report), _busiest_time(report)):
        if sentence:
            out.append(sentence)
    out.append("Tallene viser registrerte møter, ikke antall ulike personer: samme person kan være møtt flere "
               "ganger, og møter som ikke er registrert, er ikke med.")
    return out


def _total(report: Report) -> str:
    total = report.facts["total"]
    period = period_nb(report.first_day, report.last_day)
    if total.shown:
        return f"I perioden {period} ble det registrert {total} møter i utvalget for {report.preset.name}."
    return (f"I perioden {period} ble det registrert færre enn {report.k} møter i utvalget for "
            f"{report.preset.name}, eller for få til at tallene kan vises.")


def _change(report: Report) -> str | None:
    if not report.has_comparison:
        return None
    figure = next(f for f in report.key_figures if f.key == "encounters")
    comparison = period_nb(report.compare_first, report.compare_last)
    if figure.change == "–":
        return f"Tallene er for små til å sammenligne med perioden {comparison}."
    total, previous = report.facts["total"], report.facts["previous_total"].value
    if not previous:
        return f"I sammenligningsperioden {comparison} var det {figure.previous} registrerte møter."
    pct = 100.0 * (total.value - previous) / previous
    if abs(pct) < SAME_LEVEL_PCT:
        trend = "om lag på samme nivå som"
    else:
        trend = f"{percent_nb(abs(pct))} {'flere' if pct > 0 else 'færre'} enn"
    return f"Det er {trend} i sammenligningsperioden {comparison} ({figure.previous} møter)."


def _top_area(report: Report) -> str | None:
    counts = report.facts["area_counts"]
    if any(c.may_be_large for c in counts.values):
        return None
    shown = {area_id: c.value for area_id, c in counts.items() if c.shown and c.value > 0 and area_id != "__outside__"}
    if not shown:
        return None
    best = max(shown, key=shown.get)
    name = report.area_map.set_index("area_id")["label"].get(best, best)
    return f"Flest registrerte møter var i {name} ({number_nb(shown[best])})."


def _top_category(report: Report) -> str | None:
    totals = report.facts["categories"].row_totals
    if any(c.may_be_large for c in totals.values):
        return None
    shown = {cat: c.value for cat, c in totals.items() if c.shown and c.value > 0}
    if len(shown) < 2:
        return None
    best = max(shown, key=shown.get)
    return f"Den største kategorien var «{CATEGORY_NB.get(best, best).lower()}» med {number_nb(shown[best])} møter."


def _busiest_time(report: Report) -> str | None:
    table = report.time_of_week_chart
    if table.cells.map(lambda c: c.may_be_large).to_numpy().any():
        return None
    values = table.values()
    if values.isna().all().all() or values.fillna(0).to_numpy().max() == 0:
        return None
    stacked = values.stack().dropna()
    weekday, block = stacked.astype(int).idxmax()
    return (f"Flest møter ble registrert på {WEEKDAY_NB[int(weekday)]}er mellom kl. {block.replace('–', ' og ')} "
            f"({number_nb(stacked.max())}).")
