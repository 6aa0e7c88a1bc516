"""The partner PDF worth handing out (issue 15, deliver 9): tables by name, top places told apart by
a street, the comparison period in the trend, markers at cell centres, local time, one spelling."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from geo.report.content import build_report
from geo.report.labels import OUTSIDE_NB, by_name, period_nb, shown_columns, with_period_names
from geo.report.place_names import STREET_COLUMN, distinct_streets, streets_by_length
from geo.report.presets import load_presets
from geo.store import open_store
from tests.conftest import shared_demo_store

FIRST, LAST = date(2024, 10, 14), date(2024, 10, 20)  # one whole ISO week (partner rule)
COMPARE = (date(2024, 10, 7), date(2024, 10, 13))


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return open_store(shared_demo_store(tmp_path_factory, date(2024, 9, 23), date(2024, 10, 20)), create=False)


@pytest.fixture(scope="module")
def report(store):
    book = load_presets()
    return build_report(store, book.get("sentrum"), first_day=FIRST, last_day=LAST, compare_first=COMPARE[0],
                        compare_last=COMPARE[1], k=5, book=book)


def test_tables_go_by_name_in_norwegian_order_with_the_total_last():
    frame = pd.DataFrame({"Feltområde": ["Øst", "akerselva", OUTSIDE_NB, "Zeta", "Ås", "Totalt (distinkte møter)"],
                          "n": ["1", "2", "3", "4", "5", "15"]})
    assert by_name(frame)["Feltområde"].tolist() == ["akerselva", "Zeta", "Øst", "Ås", OUTSIDE_NB,
                                                     "Totalt (distinkte møter)"]


def test_cell_codes_are_left_out_and_periods_named():
    frame = pd.DataFrame({"Nr.": ["1"], "H3-celle": ["8909993828bffff"], "2024-06": ["3"]})
    assert list(shown_columns(frame).columns) == ["Nr.", "2024-06"]
    assert list(with_period_names(frame).columns) == ["Nr.", "H3-celle", "juni 2024"]


def test_two_top_places_in_one_area_get_different_streets():
    cell = "8909993866fffff"  # a res-9 cell at Vaterland/Grønland with several named streets
    ranked = streets_by_length([cell])[0]
    assert len(ranked) >= 2
    assert distinct_streets(["Vaterland/Grønland", "Vaterland/Grønland"], [cell, cell]) == ranked[:2]
    assert distinct_streets(["A", "B"], [cell, cell]) == [ranked[0], ranked[0]]  # other areas may share
    assert distinct_streets(["A"], ["8f2830828052d25"]) == [""]  # far from the bundled streets
    assert streets_by_length([]) == []


def test_the_report_names_every_top_place_uniquely(report):
    table = report.tables["hotspots"]
    assert STREET_COLUMN in table
    places = list(zip(table["Sted (feltområde)"], table[STREET_COLUMN]))
    assert len(set(places)) == len(places)
    assert all(street for _, street in places)


def test_the_comparison_trend_is_the_comparison_periods_own_release(store, report):
    """The dashed lines show the comparison week exactly as its own situation picture does: the
    same shown counts and the same withheld ones (never a count its own export hides)."""
    book = load_presets()
    own = build_report(store, book.get("sentrum"), first_day=COMPARE[0], last_day=COMPARE[1], k=5, book=book)
    assert report.compare_trend is not None
    assert report.compare_trend.text().equals(own.trend_chart.text())
    assert list(report.compare_trend.cells.columns) == ["2024-W41"]
    alone = build_report(store, book.get("sentrum"), first_day=FIRST, last_day=LAST, k=5, book=book)
    assert alone.compare_trend is None


def test_a_one_week_trend_is_bars_of_this_week_and_the_comparison_week(report, monkeypatch):
    """One trend period would be one dot per category: each category gets a bar for the week and a
    lighter one for the comparison week, and a hidden count is written "skjult", never drawn as 0."""
    from geo.report import charts

    bars, words = [], []
    real_barh, real_text = plt.Axes.barh, plt.Axes.text
    monkeypatch.setattr(plt.Axes, "barh", lambda self, y, w, **kw: bars.append((list(w), kw)) or real_barh(self, y, w, **kw))
    monkeypatch.setattr(plt.Axes, "text", lambda self, x, y, s, **kw: words.append(s) or real_text(self, x, y, s, **kw))
    charts.trend_png(report)
    shown = report.trend_chart.values().iloc[:, 0]
    before = report.compare_trend.values().iloc[:, 0].reindex(shown.index)
    (now, now_style), (then, then_style) = bars
    assert now == list(shown.fillna(0).astype(float)) and then == list(before.fillna(0).astype(float))
    assert then_style["label"] == period_nb(report.compare_first, report.compare_last)
    assert words.count(" skjult") == int(shown.isna().sum() + before.isna().sum())


def test_a_trend_of_several_weeks_draws_a_dashed_line_per_category_for_the_comparison(store, monkeypatch):
    from geo.report import charts

    book = replace(load_presets(), partner_period="month")  # a month's picture: its trend is by week
    report = build_report(store, book.get("sentrum"), first_day=date(2024, 10, 1), last_day=date(2024, 10, 31),
                          compare_first=date(2024, 9, 1), compare_last=date(2024, 9, 30), k=5, book=book)
    assert report.trend_chart.values().shape[1] > 1
    drawn = []
    real = plt.Axes.plot
    monkeypatch.setattr(plt.Axes, "plot", lambda self, *a, **kw: drawn.append(kw) or real(self, *a, **kw))
    charts.trend_png(report)
    dashed = [kw for kw in drawn if kw.get("linestyle") == "--"]
    categories = report.trend_chart.values().index
    assert len(dashed) == sum(c in report.compare_trend.cells.index for c in categories) + 1  # + the legend entry
    compared = period_nb(report.compare_first, report.compare_last)
    assert any(compared in (kw.get("label") or "") for kw in dashed)


def test_place_numbers_sit_at_the_cell_centres(report, monkeypatch):
    import h3
    from pyproj import Transformer

    from geo.report import charts

    marks = {}
    real = plt.Axes.annotate
    monkeypatch.setattr(plt.Axes, "annotate",
                        lambda self, text, xy, **kw: marks.__setitem__(text, xy) or real(self, text, xy, **kw))
    charts.cell_map_png(report)
    to_m = Transformer.from_crs("EPSG:4326", "EPSG:25832", always_xy=True)
    table = report.tables["hotspots"]
    for nr, cell in zip(table["Nr."], table["H3-celle"]):
        lat, lon = h3.cell_to_latlng(cell)
        assert marks[nr] == pytest.approx(to_m.transform(lon, lat), abs=0.5)


def test_pdf_fills_its_pages_with_local_time_and_one_spelling(report):
    import pypdf

    from geo.report.render_pdf import render_pdf

    reader = pypdf.PdfReader(io.BytesIO(render_pdf(report)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) <= 4  # two weeks: summary and tables, maps and trend, time of week and methods
    assert "UTC" not in text and " kl. " in text
    assert "hot spot" not in text.lower()
    assert "H3-celle\n" not in text and "8909993" not in text  # cell codes stay in the CSV


def test_a_preset_prints_only_its_sections_and_the_methods_always(report):
    import dataclasses

    import pypdf

    from geo.report.render_csv import render_csv
    from geo.report.render_html import render_html
    from geo.report.render_pdf import render_pdf

    chosen = dataclasses.replace(report, preset=dataclasses.replace(report.preset, sections=("summary", "trend")))
    assert chosen.shows("trend") and not chosen.shows("maps")
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(render_pdf(chosen))).pages)
    assert "Sammendrag" in text and "Utvikling per kategori" in text and "Metode" in text
    assert "Nøkkeltall" not in text and "Feltområder" not in text and "Tid på uka" not in text
    page = render_html(chosen).decode("utf-8")
    assert 'id="trend-chart"' in page and 'id="area-map"' not in page and 'id="week-chart"' not in page
    assert "<h2>Metode</h2>" in page
    csv = render_csv(chosen).decode("utf-8-sig")
    assert "utvikling" in csv.lower() and "tid_på_uka" not in csv and "steder_med_flest_møter" not in csv
    with pytest.raises(ValueError, match="section must be one of summary, key_figures"):
        chosen.shows("gossip")


def test_the_managers_paragraph_is_printed_as_text_under_the_summary(report):
    import pypdf

    from geo.report.model import NOTE_MAX_CHARS, with_note
    from geo.report.render_html import render_html
    from geo.report.render_pdf import render_pdf

    noted = with_note(report, "  Mer  uro ved\nTrikkestallen <b>i høst</b>. ")
    assert noted.note == "Mer uro ved Trikkestallen <b>i høst</b>."
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(render_pdf(noted))).pages)
    assert text.index("Sammendrag") < text.index("Fra tjenesten") < text.index("Nøkkeltall")
    assert "Trikkestallen <b>i høst</b>." in text.replace("\n", " ")  # printed as the text it is
    page = render_html(noted).decode("utf-8")
    assert "Trikkestallen &lt;b&gt;i høst&lt;/b&gt;." in page and "<b>i høst</b>" not in page
    assert "Fra tjenesten" not in render_html(report).decode("utf-8")
    with pytest.raises(ValueError, match=f"has {NOTE_MAX_CHARS + 1} characters; at most {NOTE_MAX_CHARS}"):
        with_note(report, "x" * (NOTE_MAX_CHARS + 1))


def test_a_partner_cannot_export_a_picture_with_a_paragraph(report):
    from geo.access import AccessDenied, Role, User, check
    from geo.report.model import with_note

    partner = User(subject="p", role=Role.PARTNER, presets=frozenset({"sentrum"}))
    check(partner, "geo.report.export.render_and_log", ("store", report, "pdf", "x.pdf"))
    with pytest.raises(AccessDenied, match="only the service's managers write their own paragraph"):
        check(partner, "geo.report.export.render_and_log", ("store", with_note(report, "hei"), "pdf", "x.pdf"))
