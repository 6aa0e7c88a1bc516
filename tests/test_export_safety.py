"""What leaves for partners cannot attack the reader: CSV cells never start a formula
(OWASP's CSV-injection rule, in every CSV Feltkart writes), HTML and PDF exports print names as text.

A copy of the shared demo store gets field areas named like formulas and markup.
"""

from __future__ import annotations

import csv
import io
import shutil
import sqlite3
from datetime import date

import pandas as pd
import pytest
from pypdf import PdfReader

from geo.cli import main as cli_main
from geo.report.content import build_report
from geo.report.csv_safety import FORMULA_STARTS, csv_safe, neutralise
from geo.report.export import render
from geo.report.presets import load_presets
from geo.store import open_store
from tests.conftest import shared_demo_store

FIRST, LAST = date(2024, 10, 7), date(2024, 10, 13)  # a whole ISO week, as partners get
NAMES = ['=HYPERLINK("http://x.example","klikk")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1+1",
         "<script>alert(1)</script>", "<b>fet</b> & <i>"]


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory):
    source = shared_demo_store(tmp_path_factory, date(2024, 9, 23), date(2024, 10, 20))
    path = tmp_path_factory.mktemp("hostile") / "store.gpkg"
    shutil.copy(source, path)
    conn = sqlite3.connect(path)
    ids = [row[0] for row in conn.execute("SELECT DISTINCT area_id FROM field_areas ORDER BY area_id")]
    conn.executemany("UPDATE field_areas SET name = ? WHERE area_id = ?", list(zip(NAMES, ids)))
    conn.commit()
    conn.close()
    return path


@pytest.fixture(scope="module")
def report(hostile_store):
    book = load_presets()
    return build_report(open_store(hostile_store, create=False), book.get("trio"), first_day=FIRST, last_day=LAST,
                        k=5, book=book)


@pytest.mark.parametrize(("value", "expected"), [
    ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
    ("+cmd", "'+cmd"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("  =1", "'  =1"), ("＝1", "'＝1"),
    ("-3", "-3"), ("+12", "+12"), ("-0,5 %", "-0,5 %"), ("1 234", "1 234"), ("Oslo S", "Oslo S"), ("<5", "<5"),
])
def test_the_rule(value, expected):
    assert neutralise(value) == expected


def test_numeric_columns_and_missing_values_are_kept():
    frame = csv_safe(pd.DataFrame({"=name": ["=x", None], "n": [-1.5, 2.0]}))
    assert list(frame.columns) == ["'=name", "n"]
    assert frame["n"].tolist() == [-1.5, 2.0]
    assert frame["'=name"].iloc[0] == "'=x" and pd.isna(frame["'=name"].iloc[1])


def test_the_partner_csv_has_no_cell_that_starts_a_formula(report):
    rows = list(csv.reader(io.StringIO(render(report, "csv").decode("utf-8-sig"), newline=""), delimiter=";"))
    cells = [cell for row in rows for cell in row]
    starts = [c for c in cells if c.lstrip(" ").startswith(FORMULA_STARTS) and neutralise(c) != c]
    assert starts == []
    shown = {c for c in cells if c.startswith("'")}
    assert {"'" + n for n in NAMES[:5]} & shown  # the hostile names are there, neutralised


def test_the_cli_summary_csv_is_neutralised(hostile_store, capsys):
    assert cli_main(["summary", "--store", str(hostile_store), "--from", FIRST.isoformat(), "--to",
                     LAST.isoformat(), "--by", "area"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    names = {row[1] for row in rows[1:]}
    assert '\'=HYPERLINK("http://x.example","klikk")' in names
    assert not [n for n in names if n.startswith(("=", "+", "-", "@", "\t"))]


def test_html_export_prints_names_as_text(report):
    page = render(report, "html").decode("utf-8")
    assert "<script>alert(1)</script>" not in page and "<b>fet</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_pdf_export_prints_names_as_text(report, tmp_path):
    path = tmp_path / "sb.pdf"
    path.write_bytes(render(report, "pdf"))
    text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    assert "<script>alert(1)</script>" in text.replace("\n", "")  # literal, not markup


def test_tables_on_the_page_offer_no_unlogged_csv_download():
    import tomllib

    from tests.conftest import REPO

    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["disableDataExport"] is True
