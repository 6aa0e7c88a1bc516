"""The situation picture's words about change: a stated threshold, tested (issue 14, item 6)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from geo.report.disclosure import Count, Status
from geo.report.labels import percent_nb
from geo.report.methods import sections
from geo.report.model import KeyFigure
from geo.report.narrative import SAME_LEVEL_PCT, _change

D = dt.date


def _report(now: int, before: int):
    figure = KeyFigure("encounters", "Registrerte møter", str(now), str(before), "+")
    return SimpleNamespace(
        has_comparison=True, compare_first=D(2024, 8, 26), compare_last=D(2024, 9, 22), key_figures=[figure],
        facts={"total": Count(now, Status.SHOWN, 5), "previous_total": Count(before, Status.SHOWN, 5)},
    )


def test_the_same_level_threshold_is_5_percent():
    assert SAME_LEVEL_PCT == 5.0


@pytest.mark.parametrize(("now", "before", "words"), [
    (107, 100, "Det er 7 % flere enn i sammenligningsperioden"),  # +7 % is a change, not "the same level"
    (95, 100, "Det er 5 % færre enn"),
    (104, 100, "Det er om lag på samme nivå som i sammenligningsperioden"),
    (96, 100, "Det er om lag på samme nivå som"),
])
def test_a_change_is_named_by_the_stated_threshold(now, before, words):
    assert _change(_report(now, before)).startswith(words)


def test_the_methods_note_states_the_threshold():
    report = SimpleNamespace(
        preset=SimpleNamespace(categories=None, age_groups=None, areas=None, audience="SaLTo."), has_comparison=True,
        compare_first=D(2024, 8, 26), compare_last=D(2024, 9, 22), first_day=D(2024, 9, 23), last_day=D(2024, 10, 20),
        teams=None, k=5, cell_resolution=9, trend_period="week", hotspot_method="ranking", area_map=None)
    text = dict(sections(report))["Endringer"]
    assert "under 5 % i antall møter «om lag på samme nivå»" in text
    assert "Endring er perioden minus sammenligningsperioden" in text and "Pilene følger fortegnet" in text
    assert "«(delvis)»" in dict(sections(report))["Utvikling og hotspots"]


@pytest.mark.parametrize(("value", "text"), [(-0.4, "−0,4 %"), (0.0, "0 %"), (12.3, "+12 %"), (-5.0, "−5 %")])
def test_a_small_change_is_never_shown_as_zero_per_cent(value, text):
    assert percent_nb(value, signed=True) == text
