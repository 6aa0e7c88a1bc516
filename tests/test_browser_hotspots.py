"""The Hotspots page in a real browser (Chromium + Playwright), with no internet.

Serves ``dashboard.py`` on the 2022–2024 demo store (hot spot trends need
many periods, the 2-week store of tests/test_browser.py has one quarter),
blocks every request that does not go to the local server, and checks that
the page loads, draws its cells with the category legend and fetched nothing.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from tests import test_browser
from tests.conftest import REPO
from tests.test_browser import (
    LOAD_TIMEOUT_MS,
    SCREENSHOTS,
    _chromium_or_fail,
    _drawn_leaflet_shapes,
    _free_port,
    _open,
)

pytestmark = pytest.mark.browser

browser_page = test_browser.browser_page
"""The offline Chromium page of tests/test_browser.py, here on this module's ``server``."""

PATH = "hotspots"
STARTUP_TIMEOUT_S = 60


@pytest.fixture(scope="module")
def server(demo_store_years) -> Iterator[str]:
    _chromium_or_fail()
    port = _free_port()
    env = {**os.environ, "FELTKART_STORE": str(demo_store_years)}
    process = subprocess.Popen(
        [sys.executable, "-m", "ui.serve", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail(f"streamlit did not start: {process.stdout.read().decode(errors='replace')[-2000:]}")
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=20)


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
