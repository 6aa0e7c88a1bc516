"""Standalone HTML export: one file that opens with no internet (images embedded as base64 PNG)."""

from __future__ import annotations

import base64
from pathlib import Path

import jinja2
import pandas as pd

from geo.report.charts import images as report_images
from geo.report.model import Report
from geo.report.labels import marks_nb, period_nb

TEMPLATES = Path(__file__).parent / "templates"

_ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=jinja2.select_autoescape(["j2", "html"]))


def render_html(report: Report, *, images: dict[str, bytes] | None = None) -> bytes:
    """The report as one self-contained HTML page (UTF-8 bytes); ``images`` from
    :func:`geo.report.charts.images` (drawn here when not given)."""
    images = images if images is not None else report_images(report)
    template = _ENV.get_template("report.html.j2")
    page = template.render(
        r=report,
        period=period_nb(report.first_day, report.last_day),
        compare=period_nb(report.compare_first, report.compare_last) if report.has_comparison else None,
        created=f"{report.created_utc:%d.%m.%Y %H:%M} UTC",
        marks=marks_nb(report.k),
        images={name: base64.b64encode(data).decode("ascii") for name, data in images.items()},
        tables={key: _table_html(key, frame) for key, frame in report.tables.items()},
    )
    return page.encode("utf-8")


def _table_html(key: str, frame: pd.DataFrame) -> jinja2.utils.Markup:
    classes = "" if key in ("areas", "categories") else "plain"  # only these end with a total row
    html = frame.to_html(index=False, escape=True, border=0, classes=classes or None, na_rep="")
    return jinja2.utils.markupsafe.Markup(html)
