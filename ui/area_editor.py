"""Editor for a new field-area version: draw it on the map (Leaflet.draw), upload a
GeoJSON, or adopt an area of a saved draft (a suggestion from *Effektive områder*).

Every path stores the version through the ordinary importer
(:mod:`geo.changes.editor`, :func:`ui.uploads.import_uploads`), so the old
version is closed, the change is logged and the aggregates are recomputed.
Leaflet.draw is served from this server (see the Makefile), never a CDN.
"""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import streamlit as st
from folium.plugins import Draw
from streamlit_folium import st_folium

from geo.changes.editor import draft_polygons, drawing_to_polygons, import_drawn_version
from geo.io.importer import ImportOptions
from geo.io.areas import slugify
from geo.io.errors import InputFileError
from geo.store import StoreError
from geo.maps import add_areas, add_shapes, fit_to
from geo.schema import AREA_ID, DRAFT_ID, VALID_FROM
from ui.components import MAP_HEIGHT, new_map, show_map
from ui.format import literal
from ui.i18n import t
from ui.progress import progress_status
from ui.audit import acting_as, dashboard_actor
from ui.state import clear_caches, get_store
from ui.uploads import import_uploads

LEAFLET_DRAW_URL = "/app/static/vendor/leaflet-draw"
"""Where Streamlit serves the Leaflet.draw copy fetched at set-up (see Makefile)."""

NEW_AREA = "__new__"

DRAFT_COLOUR = "#6a3d9a"
"""Outline of a draft area on the editor map (purple: neither official nor hot)."""


def area_editor(path: str, areas: gpd.GeoDataFrame, *, key: str) -> None:
    """The editor: pick or name an area, a valid-from date, then draw or upload its new shape."""
    options = [NEW_AREA, *areas["area_id"].tolist()]
    names = dict(zip(areas["area_id"], areas["area_name"]))
    c1, c2, c3 = st.columns(3)
    chosen = c1.selectbox(t("changes.editor.area"), options, key=f"{key}_area",
                          format_func=lambda v: t("changes.editor.new") if v == NEW_AREA else names.get(v, v))
    name = c2.text_input(t("changes.editor.name"), value="" if chosen == NEW_AREA else names.get(chosen, ""),
                         key=f"{key}_name_{chosen}")
    valid_from = c3.date_input(t("changes.editor.valid_from"), value=date.today(), key=f"{key}_valid_from",
                               format="DD.MM.YYYY")
    area_id = slugify(name) if chosen == NEW_AREA else chosen
    st.caption(t("changes.editor.caption"))
    draw_tab, upload_tab, draft_tab = st.tabs([t("changes.editor.draw"), t("changes.editor.upload"),
                                               t("changes.editor.from_draft")])
    with draw_tab:
        fmap = new_map("none")
        draw = Draw(export=False, draw_options={"polyline": False, "circle": False, "marker": False,
                                                "circlemarker": False})
        draw.default_js = [("leaflet_draw_js", f"{LEAFLET_DRAW_URL}/leaflet.draw.js")]
        draw.default_css = [("leaflet_draw_css", f"{LEAFLET_DRAW_URL}/leaflet.draw.css")]
        draw.add_to(fmap)
        add_areas(fmap, areas, tooltip={"area_name": t("col.area_name")})
        drawn = st_folium(fit_to(fmap, areas), key=f"{key}_draw_map", height=MAP_HEIGHT, use_container_width=True,
                          returned_objects=["all_drawings"])
        features = (drawn or {}).get("all_drawings") or []
        if st.button(t("changes.editor.save"), key=f"{key}_save", type="primary", disabled=not features or not area_id):
            try:
                polygons = drawing_to_polygons(features)
            except ValueError as exc:
                st.error(str(exc))
            else:
                _save_version(path, polygons, area_id=area_id, name=name, valid_from=valid_from)
    with upload_tab:
        upload = st.file_uploader(t("changes.editor.file"), type=["geojson", "json"], key=f"{key}_upload")
        if upload is not None and st.button(t("changes.editor.import"), key=f"{key}_import"):
            with progress_status(t("progress.area")) as progress:
                (result,) = import_uploads(get_store(path), [upload], "areas", ImportOptions(valid_from=valid_from),
                                           progress=progress)
            if result.outcome is None:
                st.error(f"{literal(result.name)}: {literal(result.error)}")
            else:
                _report(result.outcome, result.warnings)

    with draft_tab:
        _from_draft(path, areas, area_id=area_id, name=name, valid_from=valid_from, key=key)


def _from_draft(path: str, areas: gpd.GeoDataFrame, *, area_id: str, name: str, valid_from: date, key: str) -> None:
    """Adopt one area of a saved draft (``area_drafts``) as the new version chosen above."""
    drafts = get_store(path).area_drafts()
    if drafts.empty:
        st.info(t("changes.editor.no_drafts"))
        return
    choices = list(zip(drafts[DRAFT_ID], drafts[AREA_ID]))
    chosen = st.selectbox(t("changes.editor.draft"), range(len(choices)), key=f"{key}_draft",
                          format_func=lambda i: t("changes.editor.draft_item", draft=choices[i][0], area=choices[i][1],
                                                  day=drafts[VALID_FROM].iloc[i]))
    draft_id, draft_area = choices[chosen]
    st.caption(t("changes.editor.draft_caption"))
    polygons = draft_polygons(drafts, draft_id, draft_area)
    shown = gpd.GeoDataFrame({"name": [draft_area]}, geometry=[polygons], crs=drafts.crs)
    fmap = new_map("none")
    add_areas(fmap, areas, tooltip={"area_name": t("col.area_name")})
    add_shapes(fmap, shown, color=DRAFT_COLOUR, fill_opacity=0.4, dash="4", tooltip={"name": t("changes.col.name")})
    show_map(fit_to(fmap, shown), key=f"{key}_draft_map")
    if st.button(t("changes.editor.adopt"), key=f"{key}_adopt", type="primary", disabled=not area_id):
        _save_version(path, polygons, area_id=area_id, name=name, valid_from=valid_from)


def _save_version(path: str, polygons, *, area_id: str, name: str, valid_from: date) -> None:
    """Store ``polygons`` (EPSG:4326) as the new version through the importer and say how it went."""
    try:
        with acting_as(dashboard_actor()), progress_status(t("progress.area")) as progress:
            outcome = import_drawn_version(get_store(path), polygons, area_id=area_id, name=name or area_id,
                                           valid_from=valid_from, progress=progress)
    except (ValueError, InputFileError, StoreError) as exc:
        st.error(str(exc))
    else:
        _report(outcome)


def _report(outcome, warnings: list[str] | None = None) -> None:
    clear_caches()
    if outcome.errors:
        st.warning(t("changes.editor.rejected", n=len(outcome.errors)))
        for error in outcome.errors[:10]:
            st.caption(str(error))
    else:
        st.success(t("changes.editor.saved", n=outcome.n_added))
    for warning in outcome.warnings if warnings is None else warnings:
        st.info(warning)
