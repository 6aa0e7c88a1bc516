"""The Hotspots page in a real browser (Chromium + Playwright), with no internet.

Serves ``dashboard.py`` on the 2022–2024 demo store (hot spot trends need
many periods, the 2-week store of tests/test_browser.py has one quarter),
blocks every request that does not go to the local server, and checks that
the page loads, draws its cells with the category legend and fetched nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests import test_browser
from tests.test_browser import (
    LOAD_TIMEOUT_MS,
    SCREENSHOTS,
    _drawn_leaflet_shapes,
    _open,
    serving,
)

pytestmark = pytest.mark.browser

browser_page = test_browser.browser_page
"""The offline Chromium page of tests/test_browser.py, here on this module's ``server``."""

PATH = "hotspots"


@pytest.fixture(scope="module")
def server(demo_store_years) -> Iterator[str]:
    with serving(demo_store_years) as url:
        yield url


def test_hotspots_page_loads_offline_without_error(browser_page, server):
    _open(browser_page, server, PATH)
    title = browser_page.locator("h1", has_text="Hotspots").first
    title.wait_for(timeout=LOAD_TIMEOUT_MS)
    assert title.is_visible()
    assert browser_page.locator('[data-testid="stException"]').count() == 0


def test_hotspot_cells_are_drawn_with_the_category_legend(browser_page, server):
    _open(browser_page, server, PATH)
    assert _drawn_leaflet_shapes(browser_page) > 0
    legend = browser_page.frame_locator('iframe[title*="st_folium"]').first.locator(".feltkart-legend")
    assert legend.count() == 1
    assert "Mønster" in legend.inner_text() and "hotspot" in legend.inner_text()
    browser_page.screenshot(path=str(SCREENSHOTS / "hotspots.png"), full_page=True)


def test_hotspots_page_fetched_nothing_from_the_internet(browser_page, server):
    _open(browser_page, server, PATH)
    assert _drawn_leaflet_shapes(browser_page) > 0
    assert browser_page.blocked_requests == []
