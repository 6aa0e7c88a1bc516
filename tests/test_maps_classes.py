"""Colour classes of the dashboard maps: limits on a log scale that keep the core apart, whole
limits for counts, stated in the legend in the map's language."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from geo.maps import PALETTE, add_cells, base_map, class_colours, log_classes

T = "\u202f"


def test_skewed_minutes_get_a_class_of_their_own_for_the_core():
    # 95 cells crossed briefly, 5 at the core with about 2 000 minutes
    values = np.r_[np.linspace(1.0, 20.0, 95), [1500.0, 1700.0, 1800.0, 2000.0, 2084.0]]
    classes = log_classes(values)
    # lo = 5 % quantile = 1.95; ratio = (2084 / 1.95) ** (1 / 6) = 3.20 → 1-2-5 steps
    # 6.25 → 5, 20.0 → 20, 64.0 → 50, 204.9 → 200, 655.7 → 500
    assert classes.lower == (0.0, 5.0, 20.0, 50.0, 200.0, 500.0)
    assert classes.labels("nb") == ["0–5", "5–20", "20–50", "50–200", "200–500", f"500–2{T}084"]
    assert classes.labels("en")[-1] == "500–2,084"
    assert classes.log_scale and not classes.integer
    top = classes.index == len(classes.lower) - 1
    assert top.sum() == 5  # exactly the core


def test_counts_have_whole_limits_and_zeros_their_own_class():
    values = pd.Series([0, 1, 2, 3, 4, 7, 13, 14, 30, 36, 56, 5])
    classes = log_classes(values)
    # positive 1..56 over 5 slots: ratio = 56 ** (1/5) = 2.24 → fine steps 1, 1.5, 2, 3, 5, 7
    # 2.24 → 2, 5.02 → 5, 11.2 → 10, 25.1 → 30
    assert classes.labels("nb") == ["0", "1", "2–4", "5–9", "10–29", "30–56"]
    assert classes.integer
    assert list(classes.index) == [0, 1, 2, 2, 2, 3, 4, 4, 5, 5, 5, 3]


def test_few_distinct_values_are_one_class_each_and_not_called_a_log_scale():
    classes = log_classes(np.array([1, 2, 2, 3]))
    assert classes.labels("nb") == ["1", "2", "3"] and not classes.log_scale


def test_nothing_positive_is_one_empty_class():
    classes = log_classes(np.array([0.0, np.nan]))
    assert classes.labels("nb") == ["0"] and list(classes.index) == [0, 0]


def test_infinite_ratio_joins_the_top_class():
    classes = log_classes(np.array([0.5, 1, 2, 4, 8, 16, 32, np.inf]))
    assert classes.index[-1] == len(classes.lower) - 1


def test_fewer_classes_spread_over_the_palette():
    assert class_colours(PALETTE, 3) == [PALETTE[0], PALETTE[2], PALETTE[5]] or \
        class_colours(PALETTE, 3) == [PALETTE[0], PALETTE[3], PALETTE[5]]
    assert class_colours(PALETTE, 6) == list(PALETTE)


def test_legend_states_the_limits_and_the_log_scale_in_the_maps_language():
    frame = pd.DataFrame({"cell": ["8a0999380487fff", "8a0999380497fff", "8a099938049ffff", "8a09993804b7fff",
                                   "8a0999380507fff", "8a09993804a7fff", "8a0999380517fff", "8a09993804affff"],
                          "minutes": [1.0, 3.0, 9.0, 27.0, 81.0, 243.0, 729.0, 2187.0]})
    page_en = add_cells(base_map(basemap="none", language="en"), frame, cell_column="cell", value_column="minutes",
                        tooltip={"minutes": "Minutes"}, legend_title="Minutes").get_root().render()
    assert "Class limits on a log scale" in page_en and "2,187" in page_en
    page_nb = add_cells(base_map(basemap="none"), frame, cell_column="cell", value_column="minutes",
                        tooltip={"minutes": "Minutter"}, legend_title="Minutter").get_root().render()
    assert json.dumps("Klassegrenser på logaritmisk skala")[1:-1] in page_nb
    assert json.dumps(f"2{T}187")[1:-1] in page_nb


# --- two periods: shared classes and diverging classes of the difference (issue 15, deliver 6) ------------------


def test_shared_classes_colour_two_periods_alike():
    from geo.maps import shared_classes

    a, b = np.array([1.0, 2.0, 3.0]), np.array([3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0])
    shared = shared_classes(a, b)
    assert shared.lower == log_classes(np.concatenate([a, b])).lower
    on_a, on_b = shared.apply(a), shared.apply(b)
    assert on_a.lower == on_b.lower and on_a.labels() == on_b.labels()
    assert on_a.index[2] == on_b.index[0]  # 3 minutes: one colour on both maps
    assert shared.apply(np.array([50.0])).index.tolist() == [len(shared.lower) - 1]  # beyond: the top class


def test_difference_classes_of_counts_keep_zero_alone_and_mirror_the_sides():
    from geo.maps import DIVERGING_PALETTE, difference_classes

    classes = difference_classes(np.array([0, 1, -1, 3, -7, 12, 40], dtype=float))
    # |change| from 1 to 40 in 3 geometric steps (ratio 40^(1/3) ≈ 3.4): 1, 3.4 → 5, 11.7 → 10
    assert classes.limits == (1.0, 5.0, 10.0)
    assert classes.labels() == ["−40 – −10", "−9 – −5", "−4 – −1", "0", "+1 – +4", "+5 – +9", "+10 – +40"]
    assert classes.index.tolist() == [3, 4, 2, 4, 1, 6, 6]
    assert classes.colours() == list(DIVERGING_PALETTE)


def test_difference_classes_of_minutes_have_a_neutral_band_around_zero():
    from geo.maps import difference_classes

    classes = difference_classes(np.array([0.3, -2.5, 10.2, -87.0, 0.0]))
    # neutral edge: 5 % of 87 = 4.35, rounded down to 2; then 2 × (87/2)^(j/3): 7.0 → 5, 24.7 → 20
    assert classes.limits == (2.0, 5.0, 20.0)
    assert classes.labels("en")[3] == "−2 – +2"
    assert classes.index.tolist() == [3, 2, 5, 0, 3]


def test_difference_classes_without_change_are_one_neutral_class():
    from geo.maps import difference_classes

    classes = difference_classes(np.zeros(3))
    assert (classes.limits, classes.labels(), classes.index.tolist()) == ((), ["0"], [0, 0, 0])
    assert classes.colours() == ["#f7f7f7"]


def test_difference_map_escapes_names_and_states_the_legend():
    from geo.maps import add_difference_cells, base_map

    fmap = base_map(basemap="none")
    frame = pd.DataFrame({"cell": ["8a0998382007fff", "8a099838200ffff"], "change": [-3.0, 4.0],
                          "label": ["<b>x</b>", "ok"]})
    add_difference_cells(fmap, frame, cell_column="cell", value_column="change",
                         tooltip={"change": "Endring", "label": "<i>Navn</i>"}, legend_title="Encounters <B - A>",
                         note="blue = fewer")
    page = fmap.get_root().render().replace("\\u0026", "&")  # the GeoJSON's text is JSON-escaped
    assert "<b>x</b>" not in page and "\\u003cb" not in page and "&lt;b&gt;x&lt;/b&gt;" in page
    assert "&lt;i&gt;Navn&lt;/i&gt;" in page and "Encounters &lt;B - A&gt;" in page and "blue = fewer" in page
