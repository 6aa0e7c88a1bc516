"""Standalone HTML export: one file that opens with no internet (images embedded as base64 PNG)."""

from __future__ import annotations

import base64
from pathlib import Path

import jinja2
import pandas as pd

from geo import formatting
from geo.report.charts import images as report_images
from geo.report.model import Report
from geo.report.labels import by_name, marks_nb, period_nb, shown_columns, with_period_names

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
        created=formatting.local_time(report.created_utc, "nb"),
        marks=marks_nb(report.k),
        images={name: base64.b64encode(data).decode("ascii") for name, data in images.items()},
        tables={key: _table_html(key, _for_reader(key, frame)) for key, frame in report.tables.items()},
    )
    return page.encode("utf-8")


def _for_reader(key: str, frame: pd.DataFrame) -> pd.DataFrame:
    """A table as the PDF prints it too: areas by name, periods named, no cell codes."""
    if key == "areas":
        return by_name(frame)
    if key == "trend":
        return with_period_names(frame)
    return shown_columns(frame)


def _table_html(key: str, frame: pd.DataFrame) -> jinja2.utils.Markup:
    classes = "" if key in ("areas", "categories") else "plain"  # only these end with a total row
    html = frame.to_html(index=False, escape=True, border=0, classes=classes or None, na_rep="")
    return jinja2.utils.markupsafe.Markup(html)
