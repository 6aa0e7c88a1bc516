"""Situation picture (geo.report): presets, content, disclosure in every format, PDF/HTML/CSV, CLI, audit log."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import re
import shutil
from datetime import date

import numpy as np
import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader

from geo.cli import main as cli_main
from geo.queries import Filters
from geo.report.charts import images
from geo.report.content import build_report
from geo.report.data import encounter_rows
from geo.report.export import (
    export_report,
    file_name,
    format_of,
    render,
    render_and_log,
)
from geo.report.presets import PresetError, load_presets
from geo.schema import AREA_ID, AREA_NAME, OUTSIDE_AREA_ID, T_ENCOUNTER_AREAS
from geo.store import open_store
from tests.conftest import shared_demo_store

FIRST, LAST = date(2024, 10, 14), date(2024, 10, 20)  # ISO week 42: a whole partner period (settings.partner_period)
COMPARE = (date(2024, 10, 7), date(2024, 10, 13))  # week 41
COUNT_TABLES = ("feltområder", "kategori_alder", "utvikling", "tid_på_uka")


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    return shared_demo_store(tmp_path_factory, date(2024, 9, 23), date(2024, 10, 20))


@pytest.fixture(scope="module")
def store(store_path):
    return open_store(store_path, create=False)


@pytest.fixture(scope="module")
def book():
    return load_presets()


@pytest.fixture(scope="module")
def reports(store, book):
    return {key: build_report(store, book.get(key), first_day=FIRST, last_day=LAST, compare_first=COMPARE[0],
                              compare_last=COMPARE[1], k=5, book=book) for key in book.presets}


@pytest.fixture
def writable_store(store_path, tmp_path):
    copy = tmp_path / "store.gpkg"
    shutil.copy(store_path, copy)
    return copy


def _selected(store, preset) -> pd.DataFrame:  # noqa: F821
    """Independent selection from the raw encounters: what the preset claims to show."""
    enc = store.encounters(first_day=FIRST, last_day=LAST)
    if preset.categories is not None:
        enc = enc[enc["category"].isin(preset.categories)]
    if preset.age_groups is not None:
        enc = enc[enc["age_group"].isin(preset.age_groups)]
    if preset.areas is not None:
        pairs = store.derived(T_ENCOUNTER_AREAS)
        inside = set(pairs.loc[pairs["area_id"].isin(preset.areas), "encounter_id"])
        enc = enc[enc["encounter_id"].isin(inside)]
    return enc


def _number(text: str) -> int | None:
    cleaned = text.replace(" ", "").replace("\u202f", "").replace("\u2212", "-")
    return int(cleaned) if re.fullmatch(r"-?\d+", cleaned) else None


# --- presets ---------------------------------------------------------------------------------
def test_shipped_presets_are_the_three_partner_forums(book):
    assert list(book.presets) == ["salto", "sentrum", "trio"]
    assert book.get("salto").age_groups == ("under_18", "18_23")
    assert book.get("trio").categories is None and book.get("trio").areas is None
    assert "oslo-s" in book.get("sentrum").areas


@pytest.mark.parametrize(("text", "message"), [
    ('[preset.x]\nname = "X"\naudience = "a"\nview = "v"\ncategories = ["drugs"]\n',
     r"preset 'x': categories \['drugs'\] not allowed"),
    ('[preset.x]\nname = "X"\naudience = "a"\nview = "v"\ncolour = "red"\n', r"unknown keys \['colour'\]"),
    ('[preset.x]\nname = "X"\naudience = "a"\n', r"needs a non-empty text 'view'"),
    ('[settings]\ncell_resolution = 7\n[preset.x]\nname = "X"\naudience = "a"\nview = "v"\n',
     "cell_resolution must be 9, 10 or 11"),
    ("name = 'no presets'\n", r"no \[preset.<key>\] tables"),
    ('[preset.x]\nname = "X"\naudience = "a"\nview = "v"\nsections = ["maps", "gossip"]\n',
     r"preset 'x': sections \['gossip'\] not allowed; use values from \['summary', 'key_figures'"),
    ("[preset.x\n", "not valid TOML"),
])
def test_bad_presets_file_is_explained(tmp_path, text, message):
    path = tmp_path / "presets.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PresetError, match=message):
        load_presets(path)


def test_unknown_preset_lists_the_known_ones(book):
    with pytest.raises(PresetError, match="unknown preset 'police'; use one of salto, sentrum, trio"):
        book.get("police")


# --- content: presets filter what they claim ---------------------------------------------------------
@pytest.mark.parametrize("key", ["salto", "sentrum", "trio"])
def test_total_is_the_presets_own_selection(store, book, reports, key):
    expected = len(_selected(store, book.get(key)))
    assert expected >= 5
    assert reports[key].facts["total"].value == expected
    assert reports[key].key_figures[0].current == f"{expected:,}".replace(",", " ")


def test_salto_shows_only_its_categories_and_ages(reports):
    table = reports["salto"].tables["categories"]
    assert list(table.columns) == ["Kategori", "Under 18", "18–23", "Totalt"]
    assert "Gravid og rusavhengig" not in set(table["Kategori"])


def test_sentrum_lists_only_its_areas(book, reports):
    areas = reports["sentrum"].tables["areas"]["Feltområde"].tolist()
    assert "Hovseter" not in areas and "Utenfor alle feltområder" not in areas
    assert set(reports["sentrum"].area_map["area_id"]) <= set(book.get("sentrum").areas)


def test_top_places_are_named_by_the_area_holding_most_of_their_encounters(store, book, reports):
    # Sentrum keeps only encounters in its areas, so every top place is one of them, never "outside"
    # (or a dash, where that area's count is hidden: naming it would narrow the hidden count)
    places = reports["sentrum"].tables["hotspots"]["Sted (feltområde)"].tolist()
    assert places and set(places) - {"–"} <= set(reports["sentrum"].area_map["label"])
    # and for TRiO each place is the area (or "outside") where most of that cell's encounters are
    trio = reports["trio"].tables["hotspots"]
    rows, by_area = encounter_rows(store, Filters(first_day=FIRST, last_day=LAST), book.get("trio"),
                                   res=book.cell_resolution)
    areas = store.areas()
    names = {**dict(zip(areas[AREA_ID], areas[AREA_NAME])), OUTSIDE_AREA_ID: "Utenfor alle feltområder"}
    shown = {area: c.shown for area, c in reports["trio"].facts["area_counts"].items()}
    named = 0
    for cell, place in zip(trio["H3-celle"], trio["Sted (feltområde)"]):
        ids = rows.loc[rows["cell"] == int(cell, 16), "encounter_id"]
        counts = by_area[by_area["encounter_id"].isin(ids)]["area_id"].value_counts()
        main = sorted(counts[counts == counts.max()].index)[0]
        assert place == (names[main] if shown[main] else "–")
        named += place != "–"
    assert named >= 3


def test_category_by_age_cells_equal_the_raw_counts_where_shown(store, book, reports):
    preset = book.get("trio")
    raw = _selected(store, preset).groupby(["category", "age_group"]).size()
    cells = reports["trio"].facts["categories"].cells
    for category, row in cells.iterrows():
        for age, count in row.items():
            if count.shown:
                assert count.value == raw.get((category, age), 0)
            else:
                assert raw.get((category, age), 0) > 0


def test_maps_only_carry_cells_with_at_least_k(reports):
    for report in reports.values():
        assert (report.cell_map["encounters"] >= report.k).all()
        shown = report.area_map["shown"].dropna()
        assert all(isinstance(v, (int, np.integer)) for v in shown)


def test_raising_k_hides_more(store, book, reports):
    raised = build_report(store, book.get("trio"), first_day=FIRST, last_day=LAST, k=20, book=book)
    assert (raised.cell_map["encounters"] >= 20).all()
    assert len(raised.cell_map) <= len(reports["trio"].cell_map)
    assert "«<20»" in raised.methods[2][1]


def test_k_below_three_is_refused(store, book):
    with pytest.raises(ValueError, match="k must be a whole number of at least 3"):
        build_report(store, book.get("trio"), first_day=FIRST, last_day=LAST, k=2)


def test_half_a_comparison_period_is_refused(store, book):
    with pytest.raises(ValueError, match="give both ends of the comparison period"):
        build_report(store, book.get("trio"), first_day=FIRST, last_day=LAST, compare_first=COMPARE[0])


def test_narrative_speaks_of_recorded_encounters_not_persons(reports):
    text = " ".join(reports["trio"].narrative)
    assert "registrert" in text and "ikke antall ulike personer" in text
    assert f"{reports['trio'].facts['total']}" in reports["trio"].narrative[0]


# --- disclosure in the exported CSV ---------------------------------------------------------------
@pytest.mark.parametrize("key", ["salto", "sentrum", "trio"])
def test_no_exported_count_lies_between_1_and_k_minus_1(reports, key):
    rows = list(csv.DictReader(io.StringIO(render(reports[key], "csv").decode("utf-8-sig")), delimiter=";"))
    assert {r["tabell"] for r in rows} >= {"om", "nøkkeltall", *COUNT_TABLES}
    checked = 0
    for row in rows:
        counts = row["tabell"] in COUNT_TABLES and row["kolonne"] not in ("Endring", "Tilstedetimer")
        counts |= row["tabell"] == "nøkkeltall" and row["kolonne"] != "endring" and "%" not in row["verdi"] \
            and "timer" not in row["rad"]
        value = _number(row["verdi"]) if counts else None
        if value is not None:
            checked += 1
            assert not 1 <= value <= 4, row
    assert checked > 30


@pytest.mark.parametrize("key", ["salto", "sentrum", "trio"])
def test_no_hidden_count_of_an_export_can_be_narrowed_by_the_integer_programme_attack(store, book, reports, key):
    from tests.attacker import area_combinations, attack_csv, judge

    combos = area_combinations(store, book.get(key), COMPARE[0], LAST)
    intervals = attack_csv(render(reports[key], "csv"), k=5, area_combinations=combos)
    assert len(intervals) >= 10
    assert [iv for iv in intervals if iv.pinned] == []
    assert judge(intervals, k=5) == []


def test_small_counts_are_printed_as_less_than_k(reports):
    texts = "".join(render(r, "csv").decode("utf-8-sig") for r in reports.values())
    assert "<5" in texts


# --- PDF, HTML ------------------------------------------------------------------------------------
def test_pdf_has_extractable_text_and_every_page_renders(reports, tmp_path):
    data = render(reports["salto"], "pdf")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "SaLTo" in text and "14.10.2024–20.10.2024" in text and "k = 5" in text
    document = pdfium.PdfDocument(data)
    assert len(document) >= 3
    for i in range(len(document)):
        image = document[i].render(scale=0.5).to_pil()
        image.save(tmp_path / f"page{i + 1}.png")
        lo, hi = image.convert("L").getextrema()
        assert image.size[0] > 200 and hi - lo > 100  # not blank


def test_html_is_standalone(reports):
    html = render(reports["sentrum"], "html").decode("utf-8")
    assert "Sentrumssamarbeidet" in html and "k = 5" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), "the HTML loads something from the internet"
    assert html.count('src="data:image/png;base64,') == 4


# --- export, audit log, CLI ------------------------------------------------------------------------
def test_export_writes_the_file_and_logs_its_hash(writable_store, tmp_path):
    out = tmp_path / "sb.html"
    done = export_report(open_store(writable_store), "trio", first_day=FIRST, last_day=LAST, out=out, k=6,
                         compare_first=COMPARE[0], compare_last=COMPARE[1])
    log = open_store(writable_store).exports()
    assert len(log) == 1
    row = log.iloc[0]
    assert (row["preset"], row["first_day"], row["last_day"], row["k"], row["format"]) == \
        ("trio", "2024-10-14", "2024-10-20", 6, "html")
    assert (row["compare_first"], row["compare_last"]) == ("2024-10-07", "2024-10-13")
    assert row["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest() == done.sha256
    assert row["file"] == "sb.html"


def test_a_download_renders_on_demand_and_logs_through_its_own_connection(writable_store, reports):
    report = reports["salto"]
    pictures = images(report)
    data = render_and_log(str(writable_store), report, "pdf", "sb.pdf", images=pictures)
    assert data[:5] == b"%PDF-"
    log = open_store(writable_store).exports()
    assert log["file"].tolist() == ["sb.pdf"]
    assert log["sha256"].iloc[0] == hashlib.sha256(data).hexdigest()


def test_a_download_keeps_the_dashboards_cached_answers(writable_store, reports, monkeypatch):
    from ui.state import store_version

    monkeypatch.setenv("FELTKART_STORE", str(writable_store))  # the dashboard opens configured stores only
    before = store_version(str(writable_store))
    render_and_log(str(writable_store), reports["trio"], "csv", "sb.csv")
    assert store_version(str(writable_store)) == before


def test_store_without_exports_has_an_empty_log(store):
    assert store.exports().empty


def test_cli_report_writes_every_format(writable_store, tmp_path, capsys):
    for fmt in ("pdf", "html", "csv"):
        out = tmp_path / f"r.{fmt}"
        code = cli_main(["report", "--store", str(writable_store), "--preset", "salto", "--from", "2024-10-14",
                         "--to", "2024-10-20", "--compare-from", "2024-10-07", "--compare-to", "2024-10-13",
                         "--out", str(out)])
        assert code == 0 and out.stat().st_size > 1000
    assert "(logged)" in capsys.readouterr().out
    assert open_store(writable_store).exports()["format"].tolist() == ["pdf", "html", "csv"]


@pytest.mark.parametrize(("args", "message"), [
    (["--k", "2"], "error: k must be a whole number of at least 3"),
    (["--preset", "police"], "error: unknown preset 'police'"),
    (["--out", "r.docx"], "error: --out must end in .pdf, .html or .csv"),
    (["--compare-from", "2024-09-23"], "error: give both ends of the comparison period"),
    (["--from", "2024-10-21"], "error: --from 2024-10-21 is after --to 2024-10-20; swap them"),
    (["--from", "2024-10-13"], "error: the period of a partner situation picture must be one whole ISO week"),
    (["--compare-from", "2024-10-01", "--compare-to", "2024-10-13"],
     "error: the comparison period of a partner situation picture must be one whole ISO week"),
    (["--team", "uteseksjonen"], "error: a partner situation picture covers all teams"),
])
def test_cli_report_bad_input_is_exit_2_without_traceback(writable_store, tmp_path, capsys, args, message):
    base = {"--store": str(writable_store), "--preset": "trio", "--from": "2024-10-14", "--to": "2024-10-20",
            "--out": str(tmp_path / "r.pdf")}
    extra = dict(zip(args[::2], args[1::2]))
    argv = ["report", *[x for kv in {**base, **extra}.items() for x in kv]]
    assert cli_main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert open_store(writable_store).exports().empty


def test_file_name_and_format():
    assert format_of("x/Y.PDF") == "pdf" and format_of("a.htm") == "html"


def test_default_file_name(reports):
    assert file_name(reports["salto"], "pdf") == "situasjonsbilde_salto_2024-10-14_2024-10-20.pdf"


def test_age_shares_are_hidden_when_a_small_unknown_count_or_a_hidden_age_total_could_be_solved_for(reports):
    """The shares divide by the encounters with a known age; with the total shown, a share must
    not give back a small number of unknown ages, nor a hidden age column total."""
    for report in reports.values():
        table = report.facts["categories"]
        figures = {f.key: f for f in report.key_figures}
        all_ages_shown = all(c.shown for c in table.column_totals)
        for key in ("share_under_18", "share_under_25"):
            if key in figures and not all_ages_shown:
                assert figures[key].current == "–", (report.preset.key, key)


def test_csv_says_its_period_filters_k_and_methods(reports):
    rows = list(csv.DictReader(io.StringIO(render(reports["salto"], "csv").decode("utf-8-sig")), delimiter=";"))
    about = {r["rad"]: r["verdi"] for r in rows if r["tabell"] == "om"}
    assert about["k"] == "5" and about["periode"] and about["sammenligningsperiode"]
    assert about["aldersgrupper"] != "alle" and about["kategorier"] != "alle" and about["feltområder"] == "alle"
    methods = [r for r in rows if r["tabell"] == "metode"]
    assert [r["rad"] for r in methods] == [heading for heading, _ in reports["salto"].methods]
    assert any("OpenStreetMap" in r["verdi"] for r in methods)


@pytest.mark.parametrize("key", ["salto", "sentrum"])
def test_a_year_long_report_gives_each_place_its_pattern_for_the_presets_categories_and_ages(demo_store_years, book,
                                                                                              key):
    from geo.hotspots import emerging_hotspots
    from geo.report.labels import HOTSPOT_PATTERN_NB

    store = open_store(demo_store_years, create=False)
    preset = book.get(key)
    yearly = dataclasses.replace(book, partner_period="year")  # a manager may choose years in config/presets.toml
    report = build_report(store, preset, first_day=date(2024, 1, 1), last_day=date(2024, 12, 31), k=5, book=yearly)
    assert report.hotspot_method == "emerging"
    table = report.tables["hotspots"]
    found = emerging_hotspots(store, period="quarter", first_day=date(2024, 1, 1), last_day=date(2024, 12, 31),
                              categories=preset.categories, age_groups=preset.age_groups,
                              res=book.cell_resolution, permutations=0).set_index("cell")["category"]
    want = [HOTSPOT_PATTERN_NB[found[c]] if c in found.index else "intet mønster" for c in table["H3-celle"]]
    assert table["Mønster"].tolist() == want
    assert "utvalgets kategorier og aldersgrupper" in dict(report.methods)["Utvikling og hotspots"]


def test_pdf_table_columns_fit_their_longest_word_and_never_split_a_number():
    import pandas as pd
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from geo.report.render_pdf import BOLD, FONT, _column_widths, _unbreakable

    assert _unbreakable("+1 215 (+39 %)") == "+1\u00a0215 (+39\u00a0%)"
    assert _unbreakable("Oslo S og omegn") == "Oslo S og omegn"
    frame = pd.DataFrame({"Nr.": ["1", "2"], "Sted (feltområde)": ["Vaterland/Grønland", "Oslo S og omegn"],
                          "Endring": [_unbreakable("+1 215 (+39 %)"), _unbreakable("+4 (+1 %)")]})
    widths = _column_widths(frame, 7.5, 200.0, padding=12.0)
    assert sum(widths) == pytest.approx(200.0)
    assert widths[0] >= stringWidth("Nr.", BOLD, 7.5) + 12
    assert widths[1] >= stringWidth("Vaterland/Grønland", FONT, 7.5) + 12
    assert widths[2] >= stringWidth("+1\u00a0215", FONT, 7.5) + 12  # a number is one word
