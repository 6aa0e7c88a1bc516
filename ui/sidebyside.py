"""Two periods on one page: the chosen period (B) and its comparison period (A) side by side, or
their difference B − A per H3 cell (issue 15, deliver 6). Used by Dekning and Møter.

The numbers come from :func:`geo.queries.difference.compare_cells` (per covered day when the
periods cover different numbers of days); the maps from :mod:`geo.maps`: both side-by-side maps
share one set of colour classes (:func:`geo.maps.shared_classes`) and one frame, the difference
map has diverging classes with a neutral class around zero.
"""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import streamlit as st

from geo.maps import VIEW_PX, add_areas, add_cells, add_difference_cells, fit_to, selection_shapes, shared_classes
from geo.queries import Filters
from geo.queries.difference import CHANGE, VALUE_A, VALUE_B, CellComparison, compare_cells
from ui.components import MAP_HEIGHT, new_map, show_map
from ui.format import count
from ui.i18n import labels, t
from ui.sidebar import SidebarChoices
from ui.state import query

SINGLE, SIDE_BY_SIDE, DIFFERENCE = "single", "side_by_side", "difference"
VIEWS = (SINGLE, SIDE_BY_SIDE, DIFFERENCE)

HALF_VIEW_PX = (VIEW_PX[0] // 2, MAP_HEIGHT)
"""The frame each side-by-side map is fitted for (half the page's map width)."""


def view_picker(key: str) -> str:
    """One map, two periods side by side, or their difference."""
    return st.radio(t("sidebyside.view"), VIEWS, key=key, horizontal=True, format_func=labels("sidebyside.view"),
                    help=t("sidebyside.view.help"))


def show_comparison(view: str, *, path: str, choices: SidebarChoices, filters: Filters, measure: str, res: int,
                    areas: gpd.GeoDataFrame, basemap: str, key: str) -> bool:
    """Draw ``view`` of ``measure`` (``presence`` or ``encounters``) for the page's ``filters`` (B) and the
    same filters over the sidebar's comparison dates (A). Returns False when the page should draw its
    single map instead (view ``single``, or no comparison period chosen: then says so)."""
    if view == SINGLE:
        return False
    if choices.compare is None:
        st.info(t("sidebyside.no_comparison"))
        return False
    comparison = replace(filters, first_day=choices.compare.first_day, last_day=choices.compare.last_day)
    result = query(path, compare_cells, filters, comparison, measure=measure, res=res)
    if result.days_a == 0:
        st.info(t("sidebyside.no_data_a"))
    if result.per_day:
        st.caption(t("sidebyside.per_day", a=result.days_a, b=result.days_b))
    if result.cells.empty:
        st.info(t("sidebyside.empty"))
        return True
    frame = selection_shapes(areas, result.cells["cell"])
    periods = {VALUE_A: (t("sidebyside.a"), comparison), VALUE_B: (t("sidebyside.b"), filters)}
    if view == SIDE_BY_SIDE:
        _side_by_side(result, periods, areas=areas, frame=frame, basemap=basemap, key=key)
    else:
        _difference(result, periods, areas=areas, frame=frame, basemap=basemap, key=key)
    return True


def _unit(result: CellComparison) -> str:
    return t(f"sidebyside.unit.{result.measure}" + (".per_day" if result.per_day else ""))


def _side_by_side(result: CellComparison, periods: dict, *, areas, frame, basemap: str, key: str) -> None:
    cells, unit = result.cells, _unit(result)
    classes = shared_classes(cells.loc[cells[VALUE_A] > 0, VALUE_A], cells.loc[cells[VALUE_B] > 0, VALUE_B])
    for column, (value, (name, filters)) in zip(st.columns(2), periods.items()):
        with column:
            st.markdown(f"**{t('sidebyside.period', name=name, first=filters.first_day, last=filters.last_day)}**")
            fmap = new_map(basemap)
            add_cells(fmap, cells[cells[value] > 0], cell_column="cell", value_column=value, legend_title=unit,
                      tooltip={value: unit}, classes=classes)
            add_areas(fmap, areas, tooltip={"area_name": t("col.area_name")})
            show_map(fit_to(fmap, frame, size_px=HALF_VIEW_PX), key=f"{key}_{value}")


def _difference(result: CellComparison, periods: dict, *, areas, frame, basemap: str, key: str) -> None:
    cells, unit = result.cells, _unit(result)
    (name_a, a), (name_b, b) = periods[VALUE_A], periods[VALUE_B]
    span = lambda f: t("sidebyside.legend.period", first=f.first_day, last=f.last_day)  # noqa: E731
    fmap = new_map(basemap)
    add_difference_cells(fmap, cells, cell_column="cell", value_column=CHANGE,
                         tooltip={VALUE_A: f"{name_a}: {unit}", VALUE_B: f"{name_b}: {unit}",
                                  CHANGE: t("sidebyside.change")},
                         legend_title=t("sidebyside.legend", unit=unit, a=span(a), b=span(b)),
                         note=t("sidebyside.note"))
    add_areas(fmap, areas, tooltip={"area_name": t("col.area_name")})
    show_map(fit_to(fmap, frame), key=f"{key}_difference")
    change = cells[CHANGE]
    st.caption(t("sidebyside.summary", more=count((change > 0).sum()), less=count((change < 0).sum()),
                 same=count((change == 0).sum())))
