"""One word, one number (STYLE.md 5, issue 14): no label names two measures, and one measure
has one name on every page, table and export.

Labels are the dashboard's ``figure.<key>`` and ``col.<key>`` strings (nb and en,
``ui/strings``) and the situation picture's ``FIGURE_NB`` (``geo/report/labels.py``).
"""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from geo.report.labels import FIGURE_NB
from ui.i18n import LANGUAGES, STRINGS

PREFIXES = ("figure.", "col.")

COMPOSITE = {"encounters_per_presence_hour": ("encounters", "presence_hours")}
"""Measures whose label may name other measures: a rate names what it divides."""


def ui_labels(language: str) -> dict[str, set[str]]:
    """Measure key → every label the dashboard gives it in ``language``."""
    out: dict[str, set[str]] = defaultdict(set)
    for key, texts in STRINGS.items():
        for prefix in PREFIXES:
            if key.startswith(prefix):
                out[key.removeprefix(prefix)].add(texts[language])
    return out


def all_labels(language: str) -> dict[str, set[str]]:
    labels = ui_labels(language)
    if language == "nb":
        for key, text in FIGURE_NB.items():
            labels[key].add(text)
    return labels


HOURS = ("patrol_hours", "presence_hours")
"""The two measures the words must keep apart: shift length and time actually present."""


def _phrase(text: str) -> str:
    """Lower-case words without plural/inflection endings, space-separated: "Patrol hours" → "patrol hou"."""
    return " ".join(w.lower().rstrip("rs") for w in re.findall(r"\w+", text))


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_no_label_names_two_measures(language):
    keys_of: dict[str, set[str]] = defaultdict(set)
    for key, texts in all_labels(language).items():
        for text in texts:
            keys_of[text.casefold()].add(key)
    shared = {text: sorted(keys) for text, keys in keys_of.items() if len(keys) > 1}
    assert shared == {}


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_the_dashboard_gives_each_measure_one_label(language):
    several = {key: sorted(texts) for key, texts in ui_labels(language).items() if len(texts) > 1}
    assert several == {}


def test_the_report_uses_the_dashboards_word_for_each_figure():
    ui = ui_labels("nb")
    for key, text in FIGURE_NB.items():
        (word,) = ui[key]
        assert word.casefold() in text.casefold(), f"{key}: report says {text!r}, dashboard {word!r}"


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_no_label_borrows_the_word_for_patrol_hours_or_presence_hours(language):
    # e.g. "Tilstedetimer (patruljetimer)", or "Møter per patruljetime" for a rate over presence
    labels = all_labels(language)
    borrowed = []
    for measure in HOURS:
        (word,) = {_phrase(text) for text in labels[measure]}
        for key, texts in labels.items():
            if key != measure and measure not in COMPOSITE.get(key, ()):
                borrowed += [(key, text, measure) for text in texts if f" {word} " in f" {_phrase(text)} "]
    assert borrowed == []


def test_patrol_hours_and_presence_hours_have_different_names_in_both_languages():
    for language in LANGUAGES:
        assert STRINGS["figure.patrol_hours"][language] != STRINGS["figure.presence_hours"][language]
    assert STRINGS["figure.patrol_hours"]["nb"] == FIGURE_NB["patrol_hours"] == "Patruljetimer"
    assert STRINGS["figure.presence_hours"]["nb"] == FIGURE_NB["presence_hours"] == "Tilstedetimer"
