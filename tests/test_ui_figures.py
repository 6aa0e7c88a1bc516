"""Figures that cannot mislead, at the UI edge (issue 14): the Tid på uka difference chart's
value, colours and caption agree; arrows follow the sign of the change."""

from __future__ import annotations

import pytest

from geo import queries as q
from tests.test_queries import store  # noqa: F401 - the tiny store fixture
from ui.charts import DIFFERENCE_COLOURS, difference_heatmap
from ui.components import EFFORT_FIGURES, delta_arrow
from ui.i18n import STRINGS


def _redness(colour: str) -> int:
    red, blue = int(colour[1:3], 16), int(colour[5:7], 16)
    return red - blue


def test_more_encounters_than_presence_is_positive_red_and_the_caption_says_red(store):  # noqa: F811
    matrix = q.time_of_week(store, q.Filters())
    # Friday 23:00: encounter e1 but no presence at all: a positive difference
    friday_23 = matrix[(matrix["weekday"] == 4) & (matrix["hour"] == 23)].iloc[0]
    assert friday_23["encounter_share"] > friday_23["presence_share"]
    assert friday_23["difference"] == pytest.approx(friday_23["encounter_share"] - friday_23["presence_share"])
    assert friday_23["difference"] > 0

    scale = difference_heatmap(matrix, "difference").to_dict()["encoding"]["color"]["scale"]
    low, mid, high = scale["domain"]
    assert low < mid == 0 < high and high == pytest.approx(matrix["difference"].abs().max())
    assert scale["range"] == list(DIFFERENCE_COLOURS)
    assert _redness(scale["range"][-1]) > 0 > _redness(scale["range"][0])  # the positive end is red

    assert "Rødt: flere møter enn tilstedeværelsen tilsier" in STRINGS["time_of_week.difference.help"]["nb"]
    assert "Red: more encounters than the presence suggests" in STRINGS["time_of_week.difference.help"]["en"]
    assert "blått: mer tilstedeværelse" in STRINGS["time_of_week.difference.help"]["nb"]


@pytest.mark.parametrize(("change", "arrow"), [
    (12.0, "up"), (-5.0, "down"), (0.0, "off"), (float("nan"), "off"),
    ("+12", "up"), ("−5 (−0,4 %)", "down"), ("-3", "down"), ("0", "off"), ("−0 (0 %)", "off"), ("–", "off"),
])
def test_the_arrow_follows_the_sign_of_the_change(change, arrow):
    assert delta_arrow(change) == arrow


def test_only_effort_figures_are_coloured():
    assert EFFORT_FIGURES == {"patrols", "patrol_hours", "presence_hours", "person_hours"}
    assert not {"share_under_25", "share_under_18", "encounters"} & EFFORT_FIGURES


def test_shared_caption_states_period_comparison_team_and_filters():
    from datetime import date

    from geo.queries.periods import cover_period
    from ui.captions import selection_text
    from ui.sidebar import SidebarChoices

    filters = q.Filters(first_day=date(2024, 12, 30), last_day=date(2024, 12, 31), teams=("vestre-aker",),
                        weekdays=(4, 5), hour_from=22, hour_to=4)
    choices = SidebarChoices(
        store_path="x", filters=filters,
        compare=q.Filters(first_day=date(2024, 12, 23), last_day=date(2024, 12, 24)),
        coverage=cover_period(date(2024, 12, 30), date(2025, 1, 5), date(2024, 1, 1), date(2024, 12, 31)))
    text = selection_text(choices, filters)
    assert text == ("Tjenestedager 30.12.2024–31.12.2024 (møter etter egen dato) · valgt 30.12.2024–05.01.2025, "
                    "men data bare for 2 av 7 dager · sammenlignet med 23.12.2024–24.12.2024 · team: vestre-aker · "
                    "ukedager: Fredag, Lørdag · kl. 22–04")
