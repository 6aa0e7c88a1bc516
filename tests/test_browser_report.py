"""Real Chromium, no internet: the exported HTML shows its maps offline, and the page loads."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from geo.report.export import export_report
from geo.store import open_store
from tests.conftest import shared_demo_store
from tests.test_browser import (  # noqa: F401 (fixtures)
    CHROMIUM,
    CHROMIUM_ARGS,
    LOAD_TIMEOUT_MS,
    _chromium_or_fail,
    _open,
    _wait_until_idle,
    browser_page,
    server,
)

IMAGES = ("area-map", "cell-map", "trend-chart", "week-chart")


@pytest.fixture(scope="module")
def exported_html(tmp_path_factory):
    _chromium_or_fail()
    source = shared_demo_store(tmp_path_factory, date(2024, 9, 23), date(2024, 10, 20))
    store = tmp_path_factory.mktemp("report_html") / "store.gpkg"
    store.write_bytes(source.read_bytes())
    out = store.parent / "situasjonsbilde.html"
    export_report(open_store(store), "trio", first_day=date(2024, 10, 14), last_day=date(2024, 10, 20), out=out,
                  compare_first=date(2024, 10, 7), compare_last=date(2024, 10, 13))  # whole ISO weeks (partner rule)
    return out


def test_exported_html_opens_offline_and_shows_its_maps(exported_html):
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(offline=True)
        page = context.new_page()
        page.on("request", lambda request: requests.append(request.url))
        page.goto(exported_html.as_uri(), timeout=LOAD_TIMEOUT_MS)
        page.wait_for_load_state("load")
        sizes = {name: page.eval_on_selector(f"#{name}", "img => [img.complete, img.naturalWidth, img.naturalHeight]")
                 for name in IMAGES}
        heading = page.inner_text("h1")
        browser.close()
    for name, (complete, width, height) in sizes.items():
        assert complete and width > 0 and height > 0, f"{name} did not render"
    assert "TRiO" in heading
    outside = [u for u in requests if not u.startswith(("file:", "data:"))]
    assert outside == [], f"the HTML asked for {outside}"


def _open_a_partner_period(page, server: str) -> None:
    """The page with a period partners may get: the sidebar's "Denne uka" (a whole ISO week, with the
    previous week as comparison) instead of its default, the last 4 weeks, which the page refuses."""
    _open(page, server, "situasjonsbilde")
    page.locator('[data-testid="stSidebar"] input[aria-label="Periode"]').click()
    page.get_by_role("option", name="Denne uka").click()
    _wait_until_idle(page)


def test_page_loads_in_the_browser_without_internet(server, browser_page):  # noqa: F811 (fixtures)
    _open_a_partner_period(browser_page, server)
    browser_page.get_by_text("Situasjonsbilde", exact=True).first.wait_for(timeout=LOAD_TIMEOUT_MS)
    # the four images arrive one after another; wait until every one has decoded, not just the first
    browser_page.wait_for_function(
        """() => {
            const imgs = [...document.querySelectorAll('[data-testid="stImage"] img')];
            return imgs.length === 4 && imgs.every(i => i.complete && i.naturalWidth > 0);
        }""",
        timeout=LOAD_TIMEOUT_MS,
    )
    buttons = browser_page.locator('[data-testid="stDownloadButton"]')
    buttons.nth(2).wait_for(timeout=LOAD_TIMEOUT_MS)
    assert buttons.count() == 3
    assert browser_page.blocked_requests == []


def test_download_button_makes_the_pdf_on_click_and_logs_it(server, browser_page, tmp_path_factory):  # noqa: F811
    # the store the `server` fixture serves (its mktemp("browser") directory; "browsercurrent" is pytest's link to it)
    store = max(tmp_path_factory.getbasetemp().glob("browser[0-9]*/demo.gpkg"), key=lambda p: p.stat().st_mtime)
    before = len(open_store(store, create=False).exports())
    _open_a_partner_period(browser_page, server)
    # by its label, not its place: under load the page once offered the CSV button first
    button = browser_page.locator('[data-testid="stDownloadButton"] button', has_text="PDF (A4)").first
    button.wait_for(timeout=LOAD_TIMEOUT_MS)
    with browser_page.expect_download(timeout=LOAD_TIMEOUT_MS) as download_info:
        button.click()
    download = download_info.value
    assert download.suggested_filename.startswith("situasjonsbilde_") and download.suggested_filename.endswith(".pdf")
    data = Path(download.path()).read_bytes()
    assert data[:5] == b"%PDF-"
    log = open_store(store, create=False).exports()
    assert len(log) == before + 1
    assert log.iloc[-1]["file"] == download.suggested_filename
    assert log.iloc[-1]["sha256"] == hashlib.sha256(data).hexdigest()
    assert browser_page.blocked_requests == []
