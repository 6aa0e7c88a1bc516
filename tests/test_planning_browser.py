"""Real Chromium, no internet: the Planlegging page loads, draws its map and offers its downloads."""

from __future__ import annotations

import pytest

from tests.test_browser import (  # noqa: F401 (fixtures)
    LOAD_TIMEOUT_MS,
    SCREENSHOTS,
    _drawn_leaflet_shapes,
    _open,
    browser_page,
    server,
)

pytestmark = pytest.mark.browser


def test_planning_page_loads_offline_with_its_map_and_downloads(browser_page, server):
    _open(browser_page, server, "planlegging")
    browser_page.locator("h1", has_text="Planlegging").first.wait_for(timeout=LOAD_TIMEOUT_MS)
    assert browser_page.locator('[data-testid="stException"]').count() == 0
    assert _drawn_leaflet_shapes(browser_page) > 0
    frame = browser_page.frame_locator('iframe[title*="st_folium"]').first
    assert frame.locator(".feltkart-legend").count() >= 1
    for label in ("Orienteringsark (PDF)", "Planen (CSV)", "Lagre planen"):
        assert browser_page.get_by_role("button", name=label).count() == 1
    browser_page.screenshot(path=str(SCREENSHOTS / "planlegging.png"), full_page=True)
    assert browser_page.blocked_requests == [] or all("tile" in u for u in browser_page.blocked_requests)
