"""PDF export (A4, print-ready): reportlab platypus, charts and maps as embedded PNG images.

Every page has a header band (preset, period, k) and a footer with the page
number. Text is real text (extractable), set in DejaVu Sans (shipped with
matplotlib, so æøå, en dash and minus sign all print, and charts match).
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from xml.sax.saxutils import escape

import matplotlib
import numpy as np
import pandas as pd
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    CondPageBreak,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from geo import formatting
from geo.report.charts import images as report_images
from geo.report.model import Report
from geo.report.labels import by_name, marks_nb, period_nb, shown_columns, with_period_names

BRAND = colors.HexColor("#2a2859")
SOFT = colors.HexColor("#f3f5f9")
LINE = colors.HexColor("#d9dee7")
MUTED = colors.HexColor("#5d6b7e")
MARGIN = 18 * mm
HEADER_H = 16 * mm
FONT, BOLD = "DejaVuSans", "DejaVuSans-Bold"
WIDE_TABLE_COLUMNS = 8
_NO_BREAK = re.compile(r"(?<=\d) (?=\d)|(?<=\S) (?=%)")
"""Spaces that must not break a line: inside a number (thousands) and before a per cent sign."""

SIDE_PADDING, WIDE_SIDE_PADDING = 6.0, 3.0
"""Left and right padding of a table cell, points; wide tables get less so their numbers fit."""
"""Tables with more columns (e.g. a 12-month trend) are set in a smaller font."""

_FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def _register_fonts() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(_FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(BOLD, str(_FONT_DIR / "DejaVuSans-Bold.ttf")))


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12.5, alignment=TA_LEFT)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=10, textColor=MUTED),
        "method": ParagraphStyle("method", parent=base, fontSize=8, leading=10),
        "title": ParagraphStyle("title", parent=base, fontName=BOLD, fontSize=20, leading=24, textColor=BRAND),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=10.5, leading=14, textColor=MUTED),
        "h2": ParagraphStyle("h2", parent=base, fontName=BOLD, fontSize=12.5, leading=16, textColor=BRAND,
                             spaceBefore=10, spaceAfter=4),
        "h3": ParagraphStyle("h3", parent=base, fontName=BOLD, fontSize=9.5, leading=12, textColor=BRAND,
                             spaceBefore=4, keepWithNext=1),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9.5),
        "tiny": ParagraphStyle("tiny", parent=base, fontSize=6, leading=7.5),
        "figure_value": ParagraphStyle("fv", parent=base, fontName=BOLD, fontSize=15, leading=18),
    }


def render_pdf(report: Report, *, images: dict[str, bytes] | None = None) -> bytes:
    """The report as an A4 PDF (bytes)."""
    _register_fonts()
    images = images if images is not None else report_images(report)
    styles = _styles()
    buffer = io.BytesIO()
    period = period_nb(report.first_day, report.last_day)
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN + HEADER_H, bottomMargin=MARGIN,
                            title=f"Situasjonsbilde {report.preset.name} {period}", author="Feltkart",
                            subject=f"Situasjonsbilde for {report.preset.name}, periode {period}, k = {report.k}")
    width = A4[0] - 2 * MARGIN
    story = _story(report, images, styles, width)
    header = _header_footer(report, period)
    doc.build(story, onFirstPage=header, onLaterPages=header)
    return buffer.getvalue()


def _story(report: Report, images: dict[str, bytes], s: dict[str, ParagraphStyle], width: float) -> list:
    """The pages: a first page with summary, key figures and the two count tables; a page with
    both maps side by side over the top places; then trend, time of week and methods, flowing
    (blocks kept whole, no forced page breaks, so no page is left half empty)."""
    compare = period_nb(report.compare_first, report.compare_last) if report.has_comparison else None
    half = (width - MAP_GAP) / 2
    maps = Table([[_image(images["area_map"], half), _image(images["cell_map"], half)],
                  [Paragraph("Registrerte møter per feltområde", s["small"]),
                   Paragraph(f"Steder med flest møter (nummerert); bare H3-celler med minst {report.k} "
                             "registrerte møter vises", s["small"])]],
                 colWidths=[half + MAP_GAP / 2, half + MAP_GAP / 2])
    maps.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    story = [
        Paragraph(f"Situasjonsbilde – {escape(report.preset.name)}", s["title"]),
        Paragraph(escape(report.preset.view), s["subtitle"]),
        Paragraph(f"Periode {period_nb(report.first_day, report.last_day)}"
                  + (f" · sammenlignet med {compare}" if compare else "") + f" · k = {report.k}", s["subtitle"]),
        Spacer(1, 4 * mm),
    ]
    sections = {
        "summary": [Paragraph("Sammendrag", s["h2"]),
                    *[Paragraph(escape(sentence), s["body"]) for sentence in report.narrative]],
        "key_figures": [Paragraph("Nøkkeltall", s["h2"]), _figures(report, s, width, compare is not None),
                        Paragraph(escape(marks_nb(report.k)), s["small"])],
        "areas": [KeepTogether([Paragraph("Feltområder", s["h2"]),
                                _table(by_name(report.tables["areas"]), s, width, total_row=True)])],
        "categories": [KeepTogether([Paragraph("Kategorier og aldersgrupper", s["h2"]),
                                     _table(report.tables["categories"], s, width, total_row=True)])],
        "maps": [CondPageBreak(150 * mm), KeepTogether([Paragraph("Kart", s["h2"]), maps])],
        "hotspots": [KeepTogether([Paragraph("Steder med flest møter", s["h2"]),
                                   _table(shown_columns(report.tables["hotspots"]), s, width)])],
        "trend": [KeepTogether([Paragraph("Utvikling per kategori", s["h2"]), _image(images["trend"], width)]),
                  _table(with_period_names(report.tables["trend"]), s, width)],
        "time_of_week": [KeepTogether([Paragraph("Tid på uka", s["h2"]), _image(images["week"], width)])],
    }
    for key, flowables in sections.items():
        if report.shows(key):
            story += flowables
        if key == "summary" and report.note:  # the manager's own paragraph, under the summary
            story.append(KeepTogether([Paragraph("Fra tjenesten", s["h2"]), Paragraph(escape(report.note), s["body"])]))
    story.append(Paragraph("Metode", s["h2"]))
    for heading, text in report.methods:
        story += [Paragraph(escape(heading), s["h3"]), Paragraph(escape(text), s["method"])]  # long notes may split
    return story


MAP_GAP = 4 * mm
"""Space between the two maps side by side."""


def _figures(report: Report, s: dict[str, ParagraphStyle], width: float, has_compare: bool) -> Table:
    per_row = 4
    cells = []
    for f in report.key_figures:
        parts = [Paragraph(escape(f.label), s["small"]), Paragraph(escape(f.current), s["figure_value"])]
        if has_compare:
            parts.append(Paragraph(escape(f"Før: {f.previous} · {f.change}"), s["small"]))
        cells.append(parts)
    filled = len(cells)
    while len(cells) % per_row:
        cells.append("")
    rows = [cells[i:i + per_row] for i in range(0, len(cells), per_row)]
    table = Table(rows, colWidths=[width / per_row] * per_row)
    style = [
        ("BACKGROUND", (0, 0), (-1, -1), SOFT), ("LINEBEFORE", (0, 0), (-1, -1), 2.5, BRAND),
        ("LINEBELOW", (0, 0), (-1, -1), 3, colors.white), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 6),
    ]
    if filled % per_row:  # the last row's empty boxes: no box and no bar
        style += [("BACKGROUND", (filled % per_row, len(rows) - 1), (-1, -1), colors.white),
                  ("LINEBEFORE", (filled % per_row, len(rows) - 1), (-1, -1), 0, colors.white)]
    table.setStyle(TableStyle(style))
    return table


def _table(frame: pd.DataFrame, s: dict[str, ParagraphStyle], width: float, *, total_row: bool = False) -> Table:
    wide = len(frame.columns) > WIDE_TABLE_COLUMNS
    cell = s["tiny"] if wide else s["cell"]
    frame = frame.astype(str).map(_unbreakable)
    header = [Paragraph(f"<b>{escape(str(c))}</b>", cell) for c in frame.columns]
    body = [[Paragraph(escape(v), cell) for v in row] for row in frame.itertuples(index=False)]
    side = WIDE_SIDE_PADDING if wide else SIDE_PADDING
    table = Table([header, *body], colWidths=_column_widths(frame, cell.fontSize, width, padding=2 * side),
                  repeatRows=1)
    style = [
        ("BACKGROUND", (0, 0), (-1, 0), SOFT), ("LINEBELOW", (0, 0), (-1, -1), 0.4, LINE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), side), ("RIGHTPADDING", (0, 0), (-1, -1), side),
    ]
    if total_row:
        style.append(("LINEABOVE", (0, -1), (-1, -1), 0.8, BRAND))
    table.setStyle(TableStyle(style))
    return table


def _unbreakable(text: str) -> str:
    """``text`` with no line break inside a number (``2 056``) or before a per cent sign (``12 %``)."""
    return _NO_BREAK.sub("\u00a0", text)


def _column_widths(frame: pd.DataFrame, font_size: float, width: float, *, padding: float) -> list[float]:
    """Column widths (points) that fill ``width`` and, where they fit, never break a word.

    Each column gets at least its longest word (header in bold) plus the
    cell ``padding`` (left plus right, points). What is left lets the columns that need least more show
    their text on one line, shortest need first; the rest wrap at spaces.
    When even the longest words do not fit, the columns share the width in
    proportion to them.
    """
    def text_widths(column) -> tuple[float, float]:
        texts = [str(v) for v in frame[column]]
        words = [w for t in texts for w in t.split(" ")] or [""]  # not str.split(): no-break spaces join
        head = str(column)
        longest_word = max(max(pdfmetrics.stringWidth(w, FONT, font_size) for w in words),
                           max((pdfmetrics.stringWidth(w, BOLD, font_size) for w in head.split()), default=0.0))
        whole = max(max((pdfmetrics.stringWidth(t, FONT, font_size) for t in texts), default=0.0),
                    pdfmetrics.stringWidth(head, BOLD, font_size))
        return longest_word + padding, whole + padding

    least, most = (np.array(v) for v in zip(*(text_widths(c) for c in frame.columns)))
    if least.sum() > width:
        return list(width * least / least.sum())
    if most.sum() <= width:
        return list(most + (width - most.sum()) * most / most.sum())
    widths, budget = least.copy(), width - least.sum()
    for column in np.argsort(most - least, kind="stable"):  # one line for the cheapest columns first
        extra = min(most[column] - least[column], budget)
        widths[column] += extra
        budget -= extra
    return list(widths)


def _image(data: bytes, width: float) -> Image:
    reader = ImageReader(io.BytesIO(data))
    w, h = reader.getSize()
    return Image(io.BytesIO(data), width=width, height=width * h / w)


def _header_footer(report: Report, period: str):
    def draw(canvas, doc) -> None:
        page_w, page_h = A4
        canvas.saveState()
        canvas.setFillColor(BRAND)
        canvas.rect(0, page_h - HEADER_H - 6 * mm, page_w, HEADER_H + 6 * mm, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        canvas.setFont(BOLD, 10)
        canvas.drawString(MARGIN, page_h - 12 * mm, f"Feltkart · Situasjonsbilde · {report.preset.name}")
        canvas.setFont(FONT, 8.5)
        canvas.drawRightString(page_w - MARGIN, page_h - 12 * mm, f"Periode {period} · k = {report.k}")
        canvas.setFillColor(MUTED)
        canvas.setFont(FONT, 7.5)
        canvas.drawString(MARGIN, 10 * mm, f"Laget {formatting.local_time(report.created_utc, 'nb')} · Kartdata © "
                                           "OpenStreetMap-bidragsytere · Bare aggregerte tall, små tall skjult")
        canvas.drawRightString(page_w - MARGIN, 10 * mm, f"Side {doc.page}")
        canvas.restoreState()

    return draw
