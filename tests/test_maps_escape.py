"""Every name that reaches a folium map (tooltip, legend, marker) arrives HTML-escaped (stored XSS).

The real-browser check is tests/test_browser_xss.py; these check every drawing function's HTML.
"""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from geo.hotspots.maps import add_category_cells
from geo.maps import add_areas, add_cells, add_path, add_shapes, add_swatch_legend, base_map, escaped_tooltip_frame
from tests.builders import BASE, area, area_versions, square

X, Y = BASE
HOSTILE = "<img src=x onerror=alert(1)>"
CELL = "8a0999386617fff"  # an H3 cell (resolution 10) at Oslo S


def rendered(fmap) -> str:
    return fmap.get_root().render()


def assert_escaped(page: str) -> None:
    r"""No hostile markup in the page; the name is there as escaped text (``&lt;img``, in JSON
    written ``\u0026lt;img``)."""
    assert "<img" not in page and "\\u003cimg" not in page.lower()
    assert "&lt;img" in page or "\\u0026lt;img" in page


def areas(**fields):
    return area_versions([area("a", square(), name=HOSTILE, team=HOSTILE, **fields)])


@pytest.mark.parametrize("value_column", [None, "minutes"])
def test_area_tooltips_are_escaped(value_column):
    frame = areas().rename(columns={"name": "area_name"}).assign(minutes=12.5)
    fmap = add_areas(base_map(), frame, value_column=value_column, tooltip={"area_name": HOSTILE, "team": "Team"},
                     legend_title=HOSTILE)
    assert_escaped(rendered(fmap))


def test_shapes_and_cells_and_legends_and_paths_are_escaped():
    fmap = base_map()
    add_shapes(fmap, areas(), color="#000", tooltip={"name": HOSTILE})
    add_cells(fmap, pd.DataFrame({"cell": [CELL], "n": [3], "label": [HOSTILE]}), cell_column="cell",
              value_column="n", tooltip={"label": HOSTILE}, legend_title=HOSTILE)
    add_swatch_legend(fmap, HOSTILE, [("#fff", HOSTILE)])
    add_path(fmap, np.array([10.75, 10.76]), np.array([59.91, 59.92]), [HOSTILE, "b"], highlight=HOSTILE)
    assert_escaped(rendered(fmap))


def test_hot_spot_categories_are_escaped():
    frame = pd.DataFrame({"cell": [CELL], "category": ["new_hot"], "total_encounters": [9]})
    fmap = add_category_cells(base_map(), frame, labels={"new_hot": HOSTILE}, legend_title=HOSTILE,
                              tooltip={"category": HOSTILE, "total_encounters": "n"})
    assert_escaped(rendered(fmap))


def test_escaping_keeps_numbers_numbers_and_missing_missing():
    frame = pd.DataFrame({"name": ["<b>", None], "n": [1.5, 2.0], "k": [1, 2]})
    out = escaped_tooltip_frame(frame, ["name", "n", "k"])
    assert out["name"].tolist() == ["&lt;b&gt;", None]
    assert out["n"].tolist() == [1.5, 2.0] and out["k"].dtype == frame["k"].dtype
