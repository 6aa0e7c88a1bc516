"""The plan as files: CSV/JSON for machines and an A4 patrol briefing sheet (PDF) for the week.

The briefing sheet is in Norwegian bokmål, the patrols' language, whatever
the dashboard's language (as the situation picture, :mod:`geo.report`); it
uses the report's fonts, styles and table layout (reportlab, real text).
"""

from __future__ import annotations

import io
import json
from xml.sax.saxutils import escape

import pandas as pd
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer

from geo.planning.columns import (
    AREA_ID,
    AREA_NAME,
    AREA_RATE,
    BOUND_BY,
    EXPECTED_ENCOUNTERS,
    GARAGE,
    KIND_OF_AREA,
    NEED_HIGH,
    NEED_LOW,
    NEED_RATE,
    NEED_UNIT,
    PLANNED_MINUTES,
    RECENT_MINUTES,
    RECENT_VISITS,
    SHIFT,
    VISITS_PLANNED,
    WEEKDAY,
)
from geo.planning.recommendation import EFFECT_ACTUAL, EFFECT_PLAN, Note, Recommendation
from geo.planning.slots import SHIFTS
from geo.report import render_pdf as report_pdf
from geo.report.labels import WEEKDAY_NB, number_nb

SHIFT_NB = {"day": "dag", "evening": "kveld", "night": "natt"}
REASON_NB = {
    "garage_rounds": "p-hus-runde",
    "revisit": "gjenbesøk (én gang per {hours} t per patrulje)",
    "max_share": "største andel ({share} %)",
    "min_presence": "minste tilstedeværelse",
    "capacity": "kapasitet (patruljene er fulle)",
    "need": "behov (avtagende nytte)",
}
"""The rule that decided a line (``bound_by``), as printed on the sheet."""

NOTES_NB = {
    "history": "Historikk: {weeks} uker med patruljer, {first}–{last}; «siste uker» er snittet av de {actual} siste.",
    "seasonal_applied": "Sesongfaktor ({kind}): {factor} brukt (i fjor {raw}, krympet mot 1).",
    "seasonal_within_noise": "Sesongfaktor ({kind}): ikke brukt (i fjor {raw}, innenfor tilfeldig variasjon).",
    "seasonal_short_history": "Sesongfaktor ({kind}): ikke brukt (under ett års historikk).",
    "seasonal_no_data": "Sesongfaktor ({kind}): ikke brukt (ingen data i fjor).",
    "seasonal_switched_off": "Sesongfaktor ({kind}): slått av (history.seasonal = false).",
    "fixed_not_valid": "Faste områder som ikke gjelder denne uka (utelatt): {areas}.",
    "no_presence": "Ingen tilstedeværelse i historikken (behov = tjenestens snitt, stor usikkerhet): {areas}.",
}
KIND_NB = {"street": "gateområder", "garage": "p-hus"}

FORMATS = ("csv", "json", "pdf")


def plan_csv(recommendation: Recommendation) -> bytes:
    """The plan lines as UTF-8 CSV (one header line; ``.`` decimals; weekday 0 = Monday)."""
    return recommendation.lines.to_csv(index=False, lineterminator="\n", float_format="%.4g").encode("utf-8")


def plan_json(recommendation: Recommendation) -> bytes:
    """The plan lines as a JSON list of records."""
    records = json.loads(recommendation.lines.to_json(orient="records", force_ascii=False))
    return (json.dumps(records, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def plan_pdf(recommendation: Recommendation) -> bytes:
    """The patrol briefing sheet for the week (A4, bokmål)."""
    report_pdf._register_fonts()
    styles = report_pdf._styles()
    buffer = io.BytesIO()
    rec = recommendation
    period = f"{rec.first_day:%d.%m.}–{rec.last_day:%d.%m.%Y}"
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=report_pdf.MARGIN, rightMargin=report_pdf.MARGIN,
                            topMargin=report_pdf.MARGIN + report_pdf.HEADER_H, bottomMargin=report_pdf.MARGIN,
                            title=f"Patruljeplan {rec.week}", author="Feltkart",
                            subject=f"Anbefalt patruljeplan for uke {rec.week} ({period})")
    width = A4[0] - 2 * report_pdf.MARGIN
    story = _story(rec, styles, width, period)
    header = _header_footer(rec, period)
    doc.build(story, onFirstPage=header, onLaterPages=header)
    return buffer.getvalue()


def _story(rec: Recommendation, s: dict, width: float, period: str) -> list:
    config = rec.config
    plan, actual = rec.effect.set_index("allocation").loc[EFFECT_PLAN], rec.effect.set_index("allocation").loc[EFFECT_ACTUAL]
    team = config.team or "alle team"
    story = [
        Paragraph(f"Patruljeplan uke {rec.week.split('-W')[1]}", s["title"]),
        Paragraph(escape(f"{period} · {team} · {config.patrols_per_week()} patruljer à {config.staff} ansatte · "
                         f"opphold {_num(config.visit_minutes[0])}–{_num(config.visit_minutes[1])} min"),
                  s["subtitle"]),
        Spacer(1, 3 * mm),
        Paragraph("Besøk per dag og vakt", s["h2"]),
        Paragraph(escape(f"Antall besøk (opphold på om lag {_num(config.planned_visit_minutes)} min; p-hus "
                         f"{_num(config.garage_visit_minutes)} min) per feltområde; antall patruljer i parentes. "
                         "Nattpatruljen hører til dagen den starter."), s["small"]),
        report_pdf._table(_grid(rec), s, width, total_row=True),
        Paragraph("Hvorfor", s["h2"]),
        Paragraph(escape(
            f"Forventet {number_nb(plan['expected_encounters'])} møter med planen mot "
            f"{number_nb(actual['expected_encounters'])} med fordelingen de siste ukene "
            f"({number_nb(plan['street_minutes'])} mot {number_nb(actual['street_minutes'])} minutter i gatene), "
            "regnet med samme behov og avtagende nytte."), s["body"]),
        report_pdf._table(_why(rec), s, width),
        Paragraph(escape("Behov = registrerte møter per tilstedetime i området (p-hus: per besøk), fra de siste "
                         f"{len(rec.need.history_weeks)} ukene med patruljer, nyere uker vektet mer, og trukket mot "
                         "områdets og tjenestens snitt der det er lite data (empirisk Bayes). Intervallet er 90 %."),
                  s["small"]),
        Paragraph("Regler", s["h2"]),
    ]
    rules = [
        f"Kapasitet: {number_nb(config.stay_share * 100)} % av patruljetiden i planlagte opphold "
        f"({', '.join(f'{SHIFT_NB[k]} {_num(v)} t' for k, v in config.hours.items())}).",
        f"Samme patrulje kommer tilbake til et område høyst hver {_num(config.revisit_hours)}. time; hver ny "
        f"runde i samme vakt teller {number_nb(config.decay * 100)} % av forrige.",
        f"Faste feltområder får minst {number_nb(config.min_minutes_per_week)} min i uka; ingen gateområde får mer "
        f"enn {number_nb(config.max_share * 100)} % av gateminuttene.",
        f"P-hus: {config.garage_rounds_per_week} besøk per p-hus i uka "
        f"({', '.join(SHIFT_NB[x] for x in config.garage_shifts)}).",
    ]
    story += [Paragraph(escape(rule), s["body"]) for rule in rules]
    story.append(KeepTogether([Paragraph("Merknader", s["h3"]),
                               *[Paragraph(escape(_note_nb(note)), s["small"]) for note in rec.notes]]))
    return story


def _grid(rec: Recommendation) -> pd.DataFrame:
    """Rows: weekday × shift with patrols; columns: areas; cells: planned visits."""
    lines = rec.lines
    slots = rec.solution.slots.copy()
    slots["_order"] = slots[WEEKDAY] * len(SHIFTS) + slots[SHIFT].map(SHIFTS.index)
    slots = slots.sort_values("_order")
    names = rec.areas.set_index(AREA_ID)[AREA_NAME]
    visits = lines.pivot_table(index=[WEEKDAY, SHIFT], columns=AREA_ID, values=VISITS_PLANNED, aggfunc="sum",
                               fill_value=0)
    order = [a for a in _ordered(rec.areas)[AREA_ID] if a in visits.columns]
    rows = []
    for weekday, shift, patrols in slots[[WEEKDAY, SHIFT, "patrols"]].itertuples(index=False):  # ≤ 21 slots
        counts = visits.loc[(weekday, shift)] if (weekday, shift) in visits.index else pd.Series(dtype=float)
        rows.append({"Dag og vakt": f"{WEEKDAY_NB[weekday]} {SHIFT_NB[shift]} ({patrols})",
                     **{names[a]: _count(counts.get(a, 0)) for a in order}})
    grid = pd.DataFrame(rows)
    total = {"Dag og vakt": "Sum uke", **{names[a]: _count(visits[a].sum()) for a in order}}
    return pd.concat([grid, pd.DataFrame([total])], ignore_index=True)


def _why(rec: Recommendation) -> pd.DataFrame:
    """Per area: planned visits and minutes, need with its interval, last weeks' presence, the rule."""
    lines, need = rec.lines, rec.need.table
    per_area = lines.groupby(AREA_ID).agg(visits=(VISITS_PLANNED, "sum"), minutes=(PLANNED_MINUTES, "sum"),
                                          expected=(EXPECTED_ENCOUNTERS, "sum"),
                                          rule=(BOUND_BY, lambda r: r.value_counts().index[0]))
    needs = need.groupby(AREA_ID).agg(rate=(AREA_RATE, "first"), low=(NEED_LOW, "min"), high=(NEED_HIGH, "max"),
                                      unit=(NEED_UNIT, "first"), recent_minutes=(RECENT_MINUTES, "sum"),
                                      recent_visits=(RECENT_VISITS, "sum"))
    table = _ordered(rec.areas).set_index(AREA_ID)[[AREA_NAME]].join(per_area, how="left")
    table = table.join(needs, how="left")
    table = table.fillna({"visits": 0, "minutes": 0.0, "expected": 0.0, "rule": ""})
    hours, share = _num(rec.config.revisit_hours), number_nb(rec.config.max_share * 100)
    per = {"hour": "per time", "visit": "per besøk"}
    return pd.DataFrame({
        "Område": table[AREA_NAME],
        "Besøk": table["visits"].astype(int),
        "Minutter": table["minutes"].map(number_nb),
        "Behov (90 %-intervall)": [f"{number_nb(r, 2)} ({number_nb(lo, 2)}–{number_nb(hi, 2)}) {per[u]}"
                                   for r, lo, hi, u in zip(table["rate"], table["low"], table["high"], table["unit"])],
        "Siste uker, per uke": [f"{number_nb(v)} besøk" if u == "visit" else f"{number_nb(m)} min"
                                for m, v, u in zip(table["recent_minutes"], table["recent_visits"], table["unit"])],
        "Forventede møter": table["expected"].map(lambda v: number_nb(v, 1)),
        "Avgjort av": table["rule"].map(lambda r: REASON_NB.get(r, r).format(hours=hours, share=share)),
    })


def _ordered(areas: pd.DataFrame) -> pd.DataFrame:
    """Street areas first, then garages; by name within each."""
    return areas.assign(_garage=areas[KIND_OF_AREA] == GARAGE).sort_values(["_garage", AREA_NAME])


def _note_nb(note: Note) -> str:
    values = dict(note.values)
    if "kind" in values:
        values["kind"] = KIND_NB[values["kind"]]
    for key in ("factor", "raw"):
        if key in values:
            values[key] = number_nb(values[key], 2)
    return NOTES_NB[note.code].format(**values)


def _num(value: float) -> str:
    """A Norwegian number with one decimal, or none when it is whole (12,5 · 2)."""
    return number_nb(value) if float(value).is_integer() else number_nb(value, 1)


def _count(value: float) -> str:
    return f"{int(value)}" if value else "–"


def _header_footer(rec: Recommendation, period: str):
    def draw(canvas, doc) -> None:
        page_w, page_h = A4
        canvas.saveState()
        canvas.setFillColor(report_pdf.BRAND)
        canvas.rect(0, page_h - report_pdf.HEADER_H - 6 * mm, page_w, report_pdf.HEADER_H + 6 * mm, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        canvas.setFont(report_pdf.BOLD, 10)
        canvas.drawString(report_pdf.MARGIN, page_h - 12 * mm, f"Feltkart · Patruljeplan · {rec.week}")
        canvas.setFont(report_pdf.FONT, 8.5)
        canvas.drawRightString(page_w - report_pdf.MARGIN, page_h - 12 * mm, period)
        canvas.setFillColor(report_pdf.MUTED)
        canvas.setFont(report_pdf.FONT, 7.5)
        canvas.drawString(report_pdf.MARGIN, 10 * mm, "Internt arbeidsdokument · anbefaling, ikke vedtak · "
                                                      "ingen personopplysninger")
        canvas.drawRightString(page_w - report_pdf.MARGIN, 10 * mm, f"Side {doc.page}")
        canvas.restoreState()

    return draw
