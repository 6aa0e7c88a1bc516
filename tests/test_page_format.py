"""Every page, in both languages, reads like a finished product (issue 15, deliver 1).

Walks every page under AppTest on a small demo store and fails on:
- a table header that is not translated (a column shown under its internal name);
- an internal value shown: ``__outside__``, ``__all__``, ``None``, ``nan``, ``<NA>``, or slugs
  (``akerselva-nedre``) as a table's first column;
- a number printed with more decimals than a person writes (more than two), with the other
  language's separators (a decimal point in bokmål, a decimal comma in English), in tables
  (the text shown, not the data underneath), key figures and captions. The cells of an
  editable table (``st.data_editor``) are inputs that Streamlit prints in the browser's locale;
  only their headers are checked.
"""

from __future__ import annotations

import io
import re

import pyarrow as pa
import pytest

from tests.test_pages import FIRST, LAST, goto, start_app
from tests.test_pages import demo_store as demo_store  # noqa: F401 (module fixture)

ALL_PAGES = [
    "pages/oversikt.py",
    "pages/dekning.py",
    "pages/moter.py",
    "pages/tid_pa_uka.py",
    "pages/innsats_og_behov.py",
    "pages/endringer.py",
    "pages/hotspots.py",
    "pages/situasjonsbilde.py",
    "pages/data.py",
    "pages/planlegging.py",
    "pages/audit.py",
]
INTERNAL = ("__outside__", "__all__")
MISSING_WORDS = {"None", "nan", "NaN", "<NA>", "NaT"}
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)+$")
SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
DATE = re.compile(r"\b\d{2}\.\d{2}\.\d{4}\b")
CLOCK = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\b")
H3 = re.compile(r"\b[0-9a-f]{15}\b")
IP = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")
TOO_PRECISE = {"nb": re.compile(r"\d,\d{3,}|\d\.\d"), "en": re.compile(r"\d\.\d{3,}|\d,\d{1,2}\b(?!\d)")}
"""A number the language would not write: in bokmål more than two decimals after a comma, or any
decimal point; in English more than two decimals, or a decimal comma (``1,5``, not ``1,500``)."""


def _texts(value: str) -> str:
    """``value`` without the parts the number check must not read (dates, clock times, H3 ids,
    IP addresses)."""
    return IP.sub(" ", H3.sub(" ", CLOCK.sub(" ", DATE.sub(" ", value))))


def _problems_in_text(text: str, lang: str, where: str) -> list[str]:
    out = []
    if any(word in text for word in INTERNAL):
        out.append(f"{where}: internal name in {text!r}")
    if TOO_PRECISE[lang].search(_texts(text)):
        out.append(f"{where}: number not written as a person writes it in {lang}: {text!r}")
    return out


def _table_problems(element, lang: str, where: str) -> list[str]:
    """Problems of one shown table: headers (column config labels or names) and the text of every
    shown cell (the Styler's display values where there are any, else the data)."""
    import json

    import pandas as pd

    proto = element.proto
    data = element.value
    config = json.loads(proto.columns) if proto.columns else {}
    order = list(proto.column_order) or [c for c in data.columns]
    shown = [c for c in order if not (config.get(c, {}) or {}).get("hidden", False) and config.get(c, 0) is not None]
    display = None
    if proto.arrow_data.styler.display_values:
        display = pa.ipc.open_stream(io.BytesIO(proto.arrow_data.styler.display_values)).read_pandas()
        display.columns = data.columns[: len(display.columns)]
    problems = []
    for column in shown:
        label = (config.get(column) or {}).get("label") or str(column)
        if label == str(column) and SNAKE.match(str(column)):
            problems.append(f"{where}: header {column!r} is not translated")
        if column not in data.columns:
            continue
        texts = display[column].astype(str) if display is not None and column in display else \
            data[column].map(lambda v: "nan" if isinstance(v, float) and pd.isna(v) else str(v))
        raw = data[column]
        if display is None and pd.api.types.is_float_dtype(raw):
            decimals = raw.dropna().map(lambda v: len(repr(float(v)).split(".")[1]) if "." in repr(float(v)) else 0)
            if len(decimals) and decimals.max() > 2 and not raw.dropna().map(float.is_integer).all():
                problems.append(f"{where}: {label!r} shows raw floats ({raw.dropna().iloc[0]!r})")
        if element.editing_mode != "read_only":
            continue  # an editor's cells are inputs: Streamlit prints them its own way (browser locale)
        for text in texts.head(200):
            if text in MISSING_WORDS:
                problems.append(f"{where}: {label!r} shows {text!r}")
                break
            found = _problems_in_text(text, lang, f"{where}: {label!r}")
            if found:
                problems.extend(found[:1])
                break
    if shown:
        first = display[shown[0]] if display is not None and shown[0] in display else data.get(shown[0])
        if first is not None and len(first) and first.astype(str).map(lambda v: bool(SLUG.match(v))).all():
            problems.append(f"{where}: first column {shown[0]!r} shows slugs ({first.iloc[0]!r})")
    return problems


REPORT_PREVIEW = "pages/situasjonsbilde.py"
"""The report preview shows the export itself, which is in bokmål whatever the UI language
(geo/report/labels.py): its tables (their columns are the report's own headers, not internal
names) and key figures are checked as bokmål."""


def page_problems(at, lang: str, page: str) -> list[str]:
    """Every problem on the page AppTest ``at`` shows."""
    problems = []
    for i, table in enumerate(at.dataframe):
        in_report = page == REPORT_PREVIEW and not any(SNAKE.match(str(c)) for c in table.value.columns)
        problems += _table_problems(table, "nb" if in_report else lang, f"{page} table {i}")
    for metric in at.metric:
        metric_lang = "nb" if page == REPORT_PREVIEW else lang
        problems += _problems_in_text(f"{metric.value} {metric.proto.delta}", metric_lang,
                                      f"{page} metric {metric.label!r}")
    for caption in at.caption:
        problems += _problems_in_text(caption.value, lang, f"{page} caption")
    return problems


@pytest.mark.parametrize("page", ALL_PAGES)
@pytest.mark.parametrize("lang", ["nb", "en"])
def test_every_page_reads_as_a_finished_product(demo_store, monkeypatch, page, lang):  # noqa: F811
    at = start_app(demo_store, monkeypatch, language=lang)
    goto(at, page)
    problems = page_problems(at, lang, page)
    assert not problems, "\n".join(problems)


def test_the_check_catches_what_it_is_for():
    """The checks are not vacuous: each kind of problem is reported."""
    assert _problems_in_text("4,994.3 tilstedetimer", "nb", "x")
    assert _problems_in_text("1.0–1.7 møter", "nb", "x")
    assert _problems_in_text("0.2182", "en", "x")
    assert _problems_in_text("12,5 %", "en", "x")
    assert _problems_in_text("Utenfor __outside__", "nb", "x")
    assert not _problems_in_text("4\u202f994,3 t 23.09.2024–20.10.2024 kl. 14:05", "nb", "x")
    assert not _problems_in_text("4,994.3 h · 1,500 · 21.8%", "en", "x")
    assert SLUG.match("akerselva-nedre") and not SLUG.match("Akerselva nedre")
    assert SNAKE.match("minutes_per_encounter") and SNAKE.match("team") and not SNAKE.match("Team")
    assert FIRST < LAST  # the same small store as tests/test_pages.py
