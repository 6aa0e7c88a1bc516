"""In a real browser: a click on a field area on Oversikt's map opens its profile (issue 15, item 4).

AppTest does not run components, so what streamlit-folium returns for a click
(``last_active_drawing``, the clicked GeoJSON feature with its ``_key``) is
only seen here: the test clicks, at the screen point Leaflet computes for it, a
point inside one area that lies in no other, and expects the profile of exactly
that area. Screenshots of the first screen and the profile go to ``tests/screenshots/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import shapely
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from geo.demo.store import build_demo_store
from geo.queries import Filters, area_geometries
from geo.store import open_store
from tests.test_browser import LOAD_TIMEOUT_MS, SCREENSHOTS, _chromium_or_fail, _drawn_leaflet_shapes, _open
from tests.test_browser import _wait_until_idle, serving
from tests.test_browser import browser_page as browser_page  # noqa: F401 (module fixture)

pytestmark = pytest.mark.browser
FIRST, LAST = date(2024, 10, 7), date(2024, 10, 20)


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    _chromium_or_fail()
    path = tmp_path_factory.mktemp("browser_attention") / "demo.gpkg"
    build_demo_store(path, start=FIRST, end=LAST)
    return path


@pytest.fixture(scope="module")
def server(store_path) -> Iterator[str]:
    with serving(store_path) as url:
        yield url


def lonely_point(store_path: Path) -> tuple[str, str, float, float]:
    """(area id, name, lon, lat) of a point inside one area and at least ~50 m from every other."""
    areas = area_geometries(open_store(store_path, create=False), Filters(first_day=FIRST, last_day=LAST))
    for row in areas.sort_values("area_id").itertuples():
        point = row.geometry.representative_point()
        others = areas.loc[areas["area_id"] != row.area_id, "geometry"].to_numpy()
        if not shapely.intersects(others, point.buffer(0.0008)).any():
            return row.area_id, row.area_name, point.x, point.y
    raise AssertionError("every area overlaps another")


def _click_until_profile(page, lon: float, lat: float, url: str, attempts: int = 3) -> None:
    """Click the map at (lon, lat) (EPSG:4326) until the browser is at ``url``.

    A click that reaches the map while the component is still wiring its handlers
    (a loaded CI machine) is lost in the browser, not in Feltkart; a second click
    is what a user would do. Every attempt recomputes the screen point, since the
    frame may have scrolled or resized in between.
    """
    container = page.frame_locator('iframe[title*="st_folium"]').first.locator(".leaflet-container")
    for attempt in range(1, attempts + 1):
        x, y = container.evaluate(
            "(el, ll) => { const p = window.map.latLngToContainerPoint(L.latLng(ll[1], ll[0])); return [p.x, p.y]; }",
            [lon, lat])
        container.click(position={"x": x, "y": y})
        try:
            page.wait_for_url(url, timeout=LOAD_TIMEOUT_MS // attempts)
            return
        except PlaywrightTimeoutError:
            if attempt == attempts:
                raise


def test_clicking_an_area_on_the_overview_map_opens_its_profile(browser_page, server, store_path):  # noqa: F811
    page = browser_page
    _open(page, server, "")
    page.locator("h1", has_text="Oversikt").first.wait_for(timeout=LOAD_TIMEOUT_MS)
    page.get_by_text("Trenger oppmerksomhet").first.wait_for(timeout=LOAD_TIMEOUT_MS)
    page.screenshot(path=str(SCREENSHOTS / "oversikt_attention.png"))
    page.locator('iframe[title*="st_folium"]').first.scroll_into_view_if_needed()
    assert _drawn_leaflet_shapes(page) > 0
    _wait_until_idle(page)  # the map's first value reruns the script; click once that run is over
    area_id, name, lon, lat = lonely_point(store_path)
    _click_until_profile(page, lon, lat, f"**/omrade?area={area_id}")
    _wait_until_idle(page)
    page.locator("h2", has_text=name).first.wait_for(timeout=LOAD_TIMEOUT_MS)
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(SCREENSHOTS / "omrade.png"), full_page=True)
