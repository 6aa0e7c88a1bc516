"""The Endringer over tid page in a real browser with no internet: it loads, its maps draw, and the
area editor's drawing tools (Leaflet.draw) come from this server, not a CDN."""

from __future__ import annotations

import pytest

from tests.test_browser import (  # noqa: F401  (server, browser_page are fixtures)
    LOAD_TIMEOUT_MS,
    SCREENSHOTS,
    _drawn_leaflet_shapes,
    _open,
    _wait_until_idle,
    browser_page,
    server,
)

pytestmark = pytest.mark.browser
PATH = "endringer"


def test_page_loads_offline_and_draws_its_maps(browser_page, server):  # noqa: F811  (fixtures imported from test_browser)
    _open(browser_page, server, PATH)
    browser_page.locator('[data-testid="stButtonGroup"] button', has_text="Historikk").first.click()
    _wait_until_idle(browser_page)
    browser_page.locator("h1", has_text="Endringer over tid").first.wait_for(timeout=LOAD_TIMEOUT_MS)
    assert browser_page.locator('[data-testid="stException"]').count() == 0
    assert _drawn_leaflet_shapes(browser_page) > 0  # the field areas on date A
    browser_page.screenshot(path=str(SCREENSHOTS / "endringer.png"), full_page=True)


def test_drift_and_effective_tabs_draw(browser_page, server):  # noqa: F811  (fixtures imported from test_browser)
    _open(browser_page, server, PATH)
    for tab in ("Forflytning", "Effektive områder"):
        browser_page.locator('[data-testid="stButtonGroup"] button', has_text=tab).first.click()
        _wait_until_idle(browser_page)
        assert browser_page.locator('[data-testid="stException"]').count() == 0
        assert _drawn_leaflet_shapes(browser_page) > 0  # the section's own map (the only one on the page)
        browser_page.screenshot(path=str(SCREENSHOTS / f"endringer_{tab.split()[0].lower()}.png"), full_page=True)


def test_area_editor_loads_leaflet_draw_from_this_server(browser_page, server):  # noqa: F811  (fixtures imported from test_browser)
    _open(browser_page, server, PATH)
    browser_page.locator('[data-testid="stButtonGroup"] button', has_text="Historikk").first.click()
    _wait_until_idle(browser_page)
    browser_page.get_by_text("Ny versjon av et feltområde").first.click()
    _wait_until_idle(browser_page)
    toolbar = _draw_toolbar_frame(browser_page)
    assert toolbar.locator(".leaflet-draw-draw-polygon").count() == 1
    browser_page.screenshot(path=str(SCREENSHOTS / "endringer_editor.png"), full_page=True)


def test_nothing_was_requested_from_the_internet(browser_page, server):  # noqa: F811  (fixtures imported from test_browser)
    _open(browser_page, server, PATH)
    assert _drawn_leaflet_shapes(browser_page) > 0
    assert browser_page.blocked_requests == []


def test_a_polygon_drawn_on_the_map_is_saved_as_a_new_field_area(browser_page, server, tmp_path_factory):  # noqa: F811
    from geo.store import open_store

    # the store the `server` fixture serves (its mktemp("browser") directory)
    store = max(tmp_path_factory.getbasetemp().glob("browser[0-9]*/demo.gpkg"), key=lambda p: p.stat().st_mtime)
    _open(browser_page, server, PATH)
    browser_page.locator('[data-testid="stButtonGroup"] button', has_text="Historikk").first.click()
    _wait_until_idle(browser_page)
    browser_page.get_by_text("Ny versjon av et feltområde").first.click()
    _wait_until_idle(browser_page)
    name = browser_page.get_by_label("Navn")
    name.fill("Tegnet testområde")
    name.press("Enter")
    _wait_until_idle(browser_page)
    toolbar = _draw_toolbar_frame(browser_page)
    toolbar.locator(".leaflet-draw-draw-polygon").click()
    box = toolbar.locator(".leaflet-container").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    corners = [(x - 80, y - 50), (x + 80, y - 50), (x + 80, y + 50), (x - 80, y + 50), (x - 80, y - 50)]
    for cx, cy in corners:  # the last click, on the first corner, closes the polygon
        browser_page.mouse.click(cx, cy)
        browser_page.wait_for_timeout(300)
    _wait_until_idle(browser_page)
    save = browser_page.get_by_role("button", name="Lagre tegnet versjon")
    for _ in range(int(LOAD_TIMEOUT_MS / 500)):  # enabled once the drawing has reached the server
        if save.is_enabled():
            break
        browser_page.wait_for_timeout(500)
    save.click()
    browser_page.get_by_text("Lagret: 1 endring(er) i feltområdene.").wait_for(timeout=LOAD_TIMEOUT_MS)
    areas = open_store(store, create=False).areas().set_index("area_id")
    drawn = areas.loc["tegnet-testomrade"]
    assert drawn.geometry.geom_type == "MultiPolygon" and drawn.geometry.area > 0
    assert drawn["valid_to"] is None
    browser_page.screenshot(path=str(SCREENSHOTS / "endringer_drawn.png"), full_page=True)
    assert browser_page.blocked_requests == []


def _draw_toolbar_frame(page):
    """The map frame that shows the Leaflet.draw toolbar (waits for it)."""
    for _ in range(int(LOAD_TIMEOUT_MS / 500)):
        frame = next((f for f in page.frames if f.locator(".leaflet-draw-toolbar").count() > 0), None)
        if frame is not None:
            return frame
        page.wait_for_timeout(500)
    raise AssertionError("the Leaflet.draw toolbar never appeared")
