"""Downloads from every page (issue 15, item 7): each table as CSV, each chart and map as PNG,
stamped with the page's period and filters, audit-logged, under the page's role rules.

A page adds one line per export after the table, chart or map it shows::

    table_export(cells, title=t("coverage.table"), name="dekning_celler", filters=filters)
    chart_export(chart, title=t("encounters.trend"), name="moter_utvikling", filters=filters)
    map_export(areas, title=t("page.coverage"), name="dekning_kart", filters=filters, cells=cells,
               value_column="presence_minutes", legend_title=t("col.presence_minutes"))

Role rules: the analysis pages open only for managers and admins (``ui.navigation``), and
the exports carry what the page shows, never more: aggregates only; single encounter points
and tracks never go into a map image. A partner gets no button from this module at all:
partners export only the disclosure-controlled situation picture, from its own page
(:func:`ui.auth.export_file`).

The bytes are made when the button is clicked (``st.download_button(data=callable)``),
then written to the audit log (action ``export``: what, format, period, filters,
SHA-256, by whom), as the situation picture's downloads are.

**CSV form** (documented for users in the README): UTF-8 with BOM; in bokmål ``;``-separated
with a decimal comma, in English ``,``-separated with a decimal point, so that a spreadsheet
in either locale opens the numbers as numbers. The first three rows are two cells each: the
product and the table's title, the selection (period, comparison, team, every filter: the
page caption's text) and the generation time in Oslo local time; the fourth row is empty; the
table starts on row five with translated headers (``pd.read_csv(f, sep=";", decimal=",",
skiprows=4)`` reads it back). Every text cell goes through :func:`geo.report.csv_safety.csv_safe`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import textwrap
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

import altair as alt
import pandas as pd
import streamlit as st

from geo.access import Role
from geo.queries import Filters
from geo.report.csv_safety import csv_safe, neutralise
from geo.report.map_png import map_png
from geo.schema import AREA_ID, OUTSIDE_AREA_ID
from geo.store.audit import LOCAL_ADMIN
from ui.audit import log_event
from ui.auth import current_user
from ui.captions import selection_text
from ui.columns import INTERNAL_VALUES, header, visible_columns
from ui.i18n import language, t
from ui.sidebar import sidebar_choices

LOCAL_TZ = ZoneInfo("Europe/Oslo")
CSV_DIALECT = {"nb": (";", ","), "en": (",", ".")}
"""Separator and decimal mark of a CSV per UI language."""
STAMP_ROWS = 4
"""Rows above the table's header in a CSV (three stamp rows and an empty one)."""
CHART_WIDTH_PX = 720
PNG_SCALE = 2
STAMP_LABELS = {"nb": ("Feltkart", "Utvalg", "Laget"), "en": ("Feltkart", "Selection", "Generated")}
"""First cells of the three stamp rows of a CSV (plain text: the file is made off the script thread)."""
MIME = {"csv": "text/csv", "png": "image/png"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SHOWN_NAME = "area_name"
"""The name column of the query layer's per-area tables."""


# --- what the pages call ----------------------------------------------------------------------
def table_export(frame: pd.DataFrame, *, title: str, name: str, filters: Filters | None = None,
                 prefixes: Iterable[str] = (), hide: Iterable[str] = (), selection: str | None = None) -> None:
    """A CSV download button for ``frame`` as the page shows it (the columns and headers of
    :func:`ui.columns.show_table` with the same ``prefixes`` and ``hide``). ``selection`` replaces
    the stamp's period and filters for a table they do not apply to (the audit log)."""
    lines = _stamp_lines(title, filters, selection)
    if lines is None:
        return
    table = shown_table(frame, prefixes=prefixes, hide=hide)
    _button("csv", name, filters, partial(stamped_csv, table, lines, language()))


def chart_export(chart: alt.TopLevelMixin, *, title: str, name: str, filters: Filters | None = None) -> None:
    """A PNG download button for the Altair ``chart`` (rendered offline by vl-convert), titled and stamped."""
    lines = _stamp_lines(title, filters)
    if lines is None:
        return
    _button("png", name, filters, partial(chart_png, chart, lines))


def map_export(areas, *, title: str, name: str, filters: Filters | None = None, **drawn) -> None:
    """A PNG download button for a map of ``areas`` and what ``drawn`` names (the keywords of
    :func:`geo.report.map_png.map_png`: cells, value_column, fills, swatches, legend_title, outlined)."""
    lines = _stamp_lines(title, filters)
    if lines is None:
        return
    _button("png", name, filters, partial(map_png, areas, title=lines[0], stamp=f"{lines[1]} · {lines[2]}",
                                          lang=language(), **drawn))


# --- the bytes (plain functions, tested on their own) -------------------------------------------
def shown_table(frame: pd.DataFrame, *, prefixes: Iterable[str] = (), hide: Iterable[str] = ()) -> pd.DataFrame:
    """``frame`` with the columns the page shows, in its order, translated headers and internal
    codes (``__outside__``) in words; the numbers stay numbers."""
    prefixes = tuple(prefixes)
    if {AREA_ID, SHOWN_NAME} <= set(frame.columns):  # the query layer names the outside row in bokmål
        frame = frame.assign(**{SHOWN_NAME: frame[SHOWN_NAME].where(frame[AREA_ID] != OUTSIDE_AREA_ID,
                                                                  t("area.outside"))})
    columns = visible_columns(frame, hide=hide)
    out = frame[columns].reset_index(drop=True).copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(lambda v: t(INTERNAL_VALUES[v]) if isinstance(v, str) and v in
                                          INTERNAL_VALUES else v)
    out.columns = [header(c, prefixes) for c in columns]
    return out


def stamped_csv(table: pd.DataFrame, lines: tuple[str, str, str], lang: str) -> bytes:
    """``table`` as CSV bytes under the three stamp rows (title, selection, generated), see the module text."""
    sep, decimal = CSV_DIALECT[lang]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\n")
    for label, text in zip(STAMP_LABELS[lang], lines):
        writer.writerow([label, neutralise(text)])
    writer.writerow([])
    csv_safe(table).to_csv(buffer, sep=sep, decimal=decimal, index=False, lineterminator="\n")
    return buffer.getvalue().encode("utf-8-sig")


def chart_png(chart: alt.TopLevelMixin, lines: tuple[str, str, str]) -> bytes:
    """``chart`` as PNG bytes, titled ``lines[0]`` with the selection and generation time as subtitle."""
    import vl_convert

    spec = chart.to_dict()
    spec["title"] = {"text": lines[0], "subtitle": [*textwrap.wrap(lines[1], 110), lines[2]], "anchor": "start",
                     "fontSize": 14, "subtitleFontSize": 10}
    spec.setdefault("width", CHART_WIDTH_PX)
    spec.setdefault("background", "white")
    return vl_convert.vegalite_to_png(spec, scale=PNG_SCALE)


def generated_text(now: datetime | None = None) -> str:
    """When an export is made, in Oslo local time (``04.12.2026 07:31 (Oslo-tid)``)."""
    moment = (now or datetime.now(LOCAL_TZ)).astimezone(LOCAL_TZ)
    return t("export.generated.time", time=moment)


# --- helpers ------------------------------------------------------------------------------------
def _stamp_lines(title: str, filters: Filters | None, selection: str | None = None) -> tuple[str, str, str] | None:
    """Title, selection and generation time of an export; None for a partner (no page exports)."""
    if current_user().role is Role.PARTNER:
        return None
    choices = sidebar_choices()
    return title, selection or selection_text(choices, filters or choices.filters), generated_text()


def _button(fmt: str, name: str, filters: Filters | None, build: Callable[[], bytes]) -> None:
    choices = sidebar_choices()
    chosen = filters or choices.filters
    file_name = f"feltkart_{name}_{chosen.first_day:%Y%m%d}-{chosen.last_day:%Y%m%d}.{fmt}"
    detail = {"what": name, "format": fmt, "file": file_name, "first_day": chosen.first_day.isoformat(),
              "last_day": chosen.last_day.isoformat(), "teams": list(chosen.teams) if chosen.teams else None}
    actor = current_user().subject or LOCAL_ADMIN
    st.download_button(t(f"export.{fmt}"), data=partial(_logged, actor, choices.store_path, detail, build),
                       file_name=file_name, mime=MIME[fmt], key=f"export_{name}_{fmt}", icon=":material/download:")


def _logged(actor: str, path: str, detail: dict, build: Callable[[], bytes]) -> bytes:
    """Make the export's bytes and write it to the audit log (answered off the script thread: the
    actor is bound when the page runs)."""
    data = build()
    log_event(path, "export", {**detail, "sha256": hashlib.sha256(data).hexdigest()}, actor=actor)
    return data
