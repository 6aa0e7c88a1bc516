"""End to end in a real browser (Debian Chromium through Playwright), with no internet.

Starts ``streamlit run dashboard.py`` on a small demo store, blocks every
request that does not go to the local server, visits every page, changes a
filter, checks that the Leaflet layers are really drawn, and saves screenshots
to ``tests/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

import pytest

from geo.demo.store import build_demo_store
from tests.conftest import REPO

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = REPO / "tests" / "screenshots"
PAGES = {  # URL path → a text the page must show (its Norwegian title)
    "": "Oversikt",
    "dekning": "Dekning",
    "moter": "Møter",
    "tid_pa_uka": "Tid på uka",
    "innsats_og_behov": "Innsats og behov",
    "data": "Data",
}
PAGES_WITH_MAPS = ("", "dekning", "moter", "innsats_og_behov")
LOAD_TIMEOUT_MS = 90_000
DRAWN_SHAPE = "path.leaflet-interactive:not([d='M0 0'])"
"""A Leaflet vector shape inside the map's view (shapes outside it, e.g. a district the map
does not open on, are clipped to an empty path)."""


def _chromium_or_fail() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing: .ci/run must install Debian's chromium package")
    pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(store: Path) -> Iterator[str]:
    """``python -m ui.serve`` on ``store`` at a free loopback port; yields its URL, stops it after."""
    _chromium_or_fail()
    port = _free_port()
    env = {**os.environ, "FELTKART_STORE": str(store)}
    process = subprocess.Popen(
        [sys.executable, "-m", "ui.serve", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail(f"streamlit did not start: {process.stdout.read().decode(errors='replace')[-2000:]}")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    _chromium_or_fail()
    store = tmp_path_factory.mktemp("browser") / "demo.gpkg"
    build_demo_store(store, start=date(2024, 10, 7), end=date(2024, 10, 20))
    with serving(store) as url:
        yield url


@pytest.fixture(scope="module")
def browser_page(server):
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(exist_ok=True)
    blocked: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})

        def offline(route):
            host = urlparse(route.request.url).hostname
            if host in ("127.0.0.1", "localhost"):
                route.continue_()
            else:
                blocked.append(route.request.url)
                route.abort()

        page.context.route("**/*", offline)
        page.blocked_requests = blocked
        yield page
        browser.close()


def _open(page, server: str, path: str) -> None:
    page.goto(f"{server}/{path}", timeout=LOAD_TIMEOUT_MS)
    page.wait_for_selector('[data-testid="stSidebar"]', timeout=LOAD_TIMEOUT_MS)
    _wait_until_idle(page)


def _wait_until_idle(page) -> None:
    """Wait until Streamlit has finished running the script."""
    page.wait_for_timeout(500)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=LOAD_TIMEOUT_MS
    )


def _drawn_leaflet_shapes(page) -> int:
    """Number of drawn Leaflet vector shapes inside the map component's iframe."""
    frame = page.frame_locator('iframe[title*="st_folium"]').first
    frame.locator(".leaflet-container").wait_for(timeout=LOAD_TIMEOUT_MS)
    frame.locator(DRAWN_SHAPE).first.wait_for(timeout=LOAD_TIMEOUT_MS)
    return frame.locator("path.leaflet-interactive").count()


def _shapes_once_changed(page, before: int) -> int:
    """Shape count after the map has redrawn (it is briefly empty while the iframe re-renders)."""
    deadline = time.monotonic() + LOAD_TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        page.wait_for_timeout(500)
        count = page.frame_locator('iframe[title*="st_folium"]').first.locator("path.leaflet-interactive").count()
        if count not in (0, before):
            return count
    return before


@pytest.mark.parametrize("path", list(PAGES))
def test_page_loads_offline_without_error(browser_page, server, path):
    _open(browser_page, server, path)
    title = browser_page.locator("h1", has_text=PAGES[path]).first
    title.wait_for(timeout=LOAD_TIMEOUT_MS)
    assert title.is_visible()
    assert browser_page.locator('[data-testid="stException"]').count() == 0
    browser_page.screenshot(path=str(SCREENSHOTS / f"{path or 'oversikt'}.png"), full_page=True)


@pytest.mark.parametrize("path", PAGES_WITH_MAPS)
def test_map_layers_are_drawn_with_a_legend(browser_page, server, path):
    _open(browser_page, server, path)
    assert _drawn_leaflet_shapes(browser_page) > 0
    frame = browser_page.frame_locator('iframe[title*="st_folium"]').first
    assert frame.locator(".feltkart-legend").count() >= 1


def test_changing_a_filter_redraws_the_coverage_map(browser_page, server):
    _open(browser_page, server, "dekning")
    before = _drawn_leaflet_shapes(browser_page)
    slider = browser_page.locator('[data-testid="stSlider"]', has_text="Cellestørrelse").get_by_role("slider")
    slider.focus()
    browser_page.keyboard.press("ArrowLeft")  # resolution 10 → 9: larger cells, fewer of them
    _wait_until_idle(browser_page)
    after = _shapes_once_changed(browser_page, before)
    assert 0 < after < before
    browser_page.screenshot(path=str(SCREENSHOTS / "dekning_res9.png"), full_page=True)


def test_language_switch_to_english(browser_page, server):
    _open(browser_page, server, "")
    browser_page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    browser_page.get_by_role("option", name="English").click()
    _wait_until_idle(browser_page)
    browser_page.locator("h1", has_text="Overview").first.wait_for(timeout=LOAD_TIMEOUT_MS)
    browser_page.get_by_text("Patrol hours").first.wait_for(timeout=LOAD_TIMEOUT_MS)  # a key-figure label
    assert browser_page.get_by_text("Patruljetimer").count() == 0
    browser_page.screenshot(path=str(SCREENSHOTS / "overview_en.png"), full_page=True)
    # back to bokmål for the other tests (the choice lives in this browser session)
    browser_page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    browser_page.get_by_role("option", name="Norsk (bokmål)").click()
    _wait_until_idle(browser_page)


def test_switching_language_keeps_the_selections(browser_page, server):
    """A radio and a sidebar selectbox keep their choice, shown in the new language (issue 15)."""
    from playwright.sync_api import expect

    _open(browser_page, server, "")
    browser_page.locator('[data-testid="stRadio"]', has_text="Farge etter").get_by_text("Møter", exact=True).click()
    _wait_until_idle(browser_page)
    selects = browser_page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]')
    selects.nth(1).click()  # the period
    browser_page.get_by_role("option", name="Denne uka").click()
    _wait_until_idle(browser_page)
    selects.first.click()
    browser_page.get_by_role("option", name="English").click()
    _wait_until_idle(browser_page)
    browser_page.locator("h1", has_text="Overview").first.wait_for(timeout=LOAD_TIMEOUT_MS)
    # The radio is drawn again under its English label by the run the switch starts; wait for it.
    radio = browser_page.locator('[data-testid="stRadio"]', has_text="Encounters")
    expect(radio.get_by_role("radio", name="Encounters", exact=True)).to_be_checked(timeout=10_000)
    expect(selects.nth(1).get_by_role("combobox")).to_have_value("This week", timeout=10_000)
    browser_page.screenshot(path=str(SCREENSHOTS / "overview_en_kept.png"), full_page=True)
    selects.first.click()
    browser_page.get_by_role("option", name="Norsk (bokmål)").click()
    _wait_until_idle(browser_page)
    expect(browser_page.locator('[data-testid="stRadio"]', has_text="Farge etter").get_by_role(
        "radio", name="Møter", exact=True)).to_be_checked(timeout=10_000)
    expect(selects.nth(1).get_by_role("combobox")).to_have_value("Denne uka", timeout=10_000)
    selects.nth(1).click()  # back to the default period for the other tests
    browser_page.get_by_role("option", name="Siste 4 uker").click()
    _wait_until_idle(browser_page)


def test_nothing_was_fetched_from_the_internet_that_the_pages_needed(browser_page, server):
    _open(browser_page, server, "dekning")
    assert _drawn_leaflet_shapes(browser_page) > 0
    # Every request to the internet was blocked and the maps still drew; with the
    # default basemap (the offline street map) the pages did not even try to reach the internet.
    assert browser_page.blocked_requests == []


def test_the_offline_street_map_is_drawn_under_the_cells(browser_page, server):
    with browser_page.expect_response(lambda r: r.url.endswith("/app/static/basemap/oslo_basemap.geojson")) as got:
        _open(browser_page, server, "dekning")
    assert got.value.ok
    frame = browser_page.frame_locator('iframe[title*="st_folium"]').first
    frame.locator(".leaflet-container[data-basemap='drawn']").wait_for(timeout=LOAD_TIMEOUT_MS)
    assert frame.locator(".leaflet-pane.leaflet-feltkartBasemap-pane canvas").count() == 1
    assert "OpenStreetMap" in frame.locator(".leaflet-control-attribution").inner_text()
    assert browser_page.blocked_requests == []
