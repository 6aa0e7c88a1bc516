"""What partners may get (geo.report.partner), and the issue's differencing attacks as regression tests."""

from __future__ import annotations

import dataclasses
import shutil
from datetime import date

import pandas as pd
import pytest

from geo.report.content import build_report, compose_report
from geo.report.export import export_report, render
from geo.report.partner import (
    PartnerRequestError,
    check_request,
    last_ended,
    nearest_period,
    period_range,
    whole_period,
)
from geo.store import open_store
from tests.attacker import read_csv
from tests.march_store import MARCH, book, month_store, store  # noqa: F401 (fixtures)

WEEK_10 = (date(2024, 3, 4), date(2024, 3, 10))
TODAY = date(2024, 6, 1)


# --- whole periods ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("first", "last", "kind", "label"), [
    (date(2024, 3, 4), date(2024, 3, 10), "week", "2024-W10"),
    (date(2024, 12, 30), date(2025, 1, 5), "week", "2025-W01"),  # an ISO week across New Year
    (date(2024, 3, 4), date(2024, 3, 11), "week", None),
    (date(2024, 3, 5), date(2024, 3, 11), "week", None),
    (date(2024, 2, 1), date(2024, 2, 29), "month", "2024-02"),
    (date(2024, 3, 4), date(2024, 3, 31), "month", None),
    (date(2024, 5, 1), date(2024, 8, 31), "tertial", "2024-T2"),
    (date(2024, 10, 1), date(2024, 12, 31), "quarter", "2024-Q4"),
    (date(2024, 1, 1), date(2024, 12, 31), "year", "2024"),
    (date(2024, 1, 1), date(2024, 12, 30), "year", None),
])
def test_whole_period_is_exactly_one_calendar_period(first, last, kind, label):
    assert whole_period(first, last, kind) == label


def test_period_range_of_each_kind():
    assert period_range("2024-W01", "week") == (date(2024, 1, 1), date(2024, 1, 7))
    assert period_range("2024-12", "month") == (date(2024, 12, 1), date(2024, 12, 31))
    assert period_range("2024-T3", "tertial") == (date(2024, 9, 1), date(2024, 12, 31))
    assert period_range("2024-Q1", "quarter") == (date(2024, 1, 1), date(2024, 3, 31))
    assert period_range("2023", "year") == (date(2023, 1, 1), date(2023, 12, 31))


def test_the_nearest_whole_period_shares_most_days_and_has_ended():
    assert nearest_period(date(2024, 3, 4), date(2024, 3, 11), "week", today=TODAY) == \
        ("2024-W10", date(2024, 3, 4), date(2024, 3, 10))
    assert nearest_period(date(2024, 3, 6), date(2024, 3, 14), "week", today=TODAY)[0] == "2024-W10"  # 5 days vs 4
    assert nearest_period(date(2024, 3, 4), date(2024, 3, 31), "month", today=TODAY)[0] == "2024-03"
    # the running month is not offered: the last ended one is
    assert nearest_period(date(2024, 5, 20), date(2024, 6, 3), "month", today=TODAY)[0] == "2024-05"
    assert last_ended("week", today=date(2024, 3, 13)) == ("2024-W10", date(2024, 3, 4), date(2024, 3, 10))
    assert last_ended("week", today=date(2024, 3, 11)) == ("2024-W10", date(2024, 3, 4), date(2024, 3, 10))
    assert last_ended("tertial", today=date(2024, 9, 1)) == ("2024-T2", date(2024, 5, 1), date(2024, 8, 31))


# --- refusals --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("request_", "message"), [
    ({"first_day": date(2024, 3, 4), "last_day": date(2024, 3, 11)},
     r"the period of a partner situation picture must be one whole ISO week .*2024-03-04–2024-03-11 is not\. "
     r"Nearest whole ISO week: 2024-W10 \(2024-03-04–2024-03-10\)"),
    ({"compare_first": date(2024, 2, 26), "compare_last": date(2024, 3, 4)},
     r"the comparison period of a partner situation picture must be one whole ISO week"),
    ({"compare_first": WEEK_10[0], "compare_last": WEEK_10[1]}, "the comparison period is the period itself"),
    ({"teams": ("uteseksjonen",)}, r"covers all teams; got team uteseksjonen\. A one-team picture could be "
                                   r"subtracted from the all-teams one"),
    ({"today": date(2024, 3, 9)}, r"ISO week 2024-W10 \(2024-03-04–2024-03-10\), has not ended \(today is "
                                  r"2024-03-09\).*Last whole ISO week: 2024-W09 \(2024-02-26–2024-03-03\)"),
])
def test_a_request_that_another_export_could_be_subtracted_from_is_refused(store, book, request_, message):
    args = {"first_day": WEEK_10[0], "last_day": WEEK_10[1], "compare_first": None, "compare_last": None,
            "k": 5, "teams": None, "kind": "week", "today": TODAY, **request_}
    with pytest.raises(PartnerRequestError, match=message):
        check_request(store, book.get("trio"), **args)


def test_a_whole_ended_week_for_all_teams_is_allowed(store, book):
    check_request(store, book.get("trio"), first_day=WEEK_10[0], last_day=WEEK_10[1], compare_first=date(2024, 2, 26),
                  compare_last=date(2024, 3, 3), k=5, teams=None, kind="week", today=TODAY)


def test_a_period_exported_with_one_k_is_refused_with_another(month_store, book, tmp_path):
    copy = tmp_path / "store.gpkg"
    shutil.copy(month_store, copy)
    export_report(open_store(copy), "salto", first_day=WEEK_10[0], last_day=WEEK_10[1],
                  compare_first=date(2024, 2, 26), compare_last=date(2024, 3, 3), out=tmp_path / "a.csv", k=5)
    store = open_store(copy, create=False)
    for period in (WEEK_10, (date(2024, 2, 26), date(2024, 3, 3))):  # the period and its comparison period
        with pytest.raises(PartnerRequestError, match=r"SaLTo for .* was exported with k = 5 .* Use k = 5"):
            build_report(store, book.get("salto"), first_day=period[0], last_day=period[1], k=6, book=book)
    build_report(store, book.get("salto"), first_day=WEEK_10[0], last_day=WEEK_10[1], k=5, book=book)
    build_report(store, book.get("trio"), first_day=WEEK_10[0], last_day=WEEK_10[1], k=6, book=book)  # other preset


def test_another_period_kind_can_be_chosen_in_the_presets_file(store, book):
    monthly = dataclasses.replace(book, partner_period="month")
    report = build_report(store, book.get("trio"), first_day=MARCH[0], last_day=MARCH[1], k=5, book=monthly)
    assert report.trend_period == "week"
    with pytest.raises(PartnerRequestError, match="must be one whole month"):
        build_report(store, book.get("trio"), first_day=WEEK_10[0], last_day=WEEK_10[1], k=5, book=monthly)
    assert "én hel, avsluttet kalendermåned for alle team" in dict(report.methods)["Personvern"]


# --- the attacks of the issue ----------------------------------------------------------------------------------
def _shown(report) -> pd.Series:
    """Every count the CSV prints as a number, by (table, row, column)."""
    long = read_csv(render(report, "csv"))
    long = long[long["tabell"].isin(["kategori_alder", "utvikling", "tid_på_uka", "feltområder"])
                & ~long["kolonne"].isin(["Endring", "Tilstedetimer"])]
    values = pd.to_numeric(long["verdi"].str.replace(" ", ""), errors="coerce")
    return long.assign(v=values).dropna(subset=["v"]).set_index(["tabell", "rad", "kolonne"])["v"]


def _small_differences(a: pd.Series, b: pd.Series, k: int = 5) -> pd.Series:
    difference = (a - b).dropna()
    return difference[(difference >= 1) & (difference < k)]


def test_week_and_week_plus_one_day_give_a_small_count_and_partners_cannot_get_the_second(store, book):
    preset = book.get("salto")
    week = compose_report(store, preset, first_day=WEEK_10[0], last_day=WEEK_10[1], k=5, book=book)
    longer = compose_report(store, preset, first_day=WEEK_10[0], last_day=date(2024, 3, 11), k=5, book=book)
    # the attack of the issue: the under-18 total grows by 1..4 from one day, which that day's own
    # picture would print as <5
    assert ("kategori_alder", "Totalt", "Under 18") in _small_differences(_shown(longer), _shown(week)).index
    build_report(store, preset, first_day=WEEK_10[0], last_day=WEEK_10[1], k=5, book=book)
    with pytest.raises(PartnerRequestError, match=r"Nearest whole ISO week: 2024-W10 \(2024-03-04–2024-03-10\)"):
        build_report(store, preset, first_day=WEEK_10[0], last_day=date(2024, 3, 11), k=5, book=book)


def test_all_teams_minus_one_team_gives_small_counts_and_partners_cannot_get_the_team(store, book):
    preset = book.get("trio")
    everyone = compose_report(store, preset, first_day=WEEK_10[0], last_day=WEEK_10[1], k=5, book=book)
    one_team = compose_report(store, preset, first_day=WEEK_10[0], last_day=WEEK_10[1], k=5, book=book,
                              teams=("uteseksjonen",))
    assert len(_small_differences(_shown(everyone), _shown(one_team))) >= 3  # what the others did, one subtraction away
    with pytest.raises(PartnerRequestError, match="covers all teams; got team uteseksjonen"):
        build_report(store, preset, first_day=WEEK_10[0], last_day=WEEK_10[1], k=5, book=book,
                     teams=("uteseksjonen",))


def test_one_patrols_presence_is_never_printed(store, book):
    # the issue: a TRiO picture of one day of vestre-aker (one patrol) printed that patrol's hours
    day = date(2024, 3, 5)
    patrols = store.patrols(first_day=day, last_day=day)
    assert (patrols["team"] == "vestre-aker").sum() == 1
    report = compose_report(store, book.get("trio"), first_day=day, last_day=day, k=5, book=book,
                            teams=("vestre-aker",))
    figures = {f.key: f.current for f in report.key_figures}
    assert figures["presence_hours"] == "<3 patruljer"
    hours = report.tables["areas"].set_index("Feltområde")["Tilstedetimer"]
    assert hours["Hovseter"] == "<3 patruljer"
    with pytest.raises(PartnerRequestError):
        build_report(store, book.get("trio"), first_day=day, last_day=day, k=5, book=book, teams=("vestre-aker",))
